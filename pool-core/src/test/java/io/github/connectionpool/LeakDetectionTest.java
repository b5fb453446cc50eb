package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import io.github.connectionpool.testing.FakeTicker;
import io.github.connectionpool.testing.LogCapture;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Leak detection: opt-in, one WARN per lease held past the threshold with the borrower's stack, an INFO when the
 * connection finally comes back, silence otherwise (docs/pitfalls.md, pitfall 10).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeakDetectionTest {

    private static final String LEAK_LOGGER = "io.github.connectionpool.internal.LeakDetector";

    private final FakeTicker ticker = new FakeTicker();
    private final LogCapture log = LogCapture.of(LEAK_LOGGER);
    private ConnectionPool<TestConnection, String> pool;

    @AfterEach
    void closeAll() {
        log.close();
        if (pool != null) {
            pool.close();
        }
    }

    private ConnectionPool.Builder<TestConnection, String> builder(String name) {
        return ConnectionPool.builder(
                        "params", new TestCreator(), c -> CompletableFuture.completedFuture(c.isHealthy()))
                .name(name)
                .maxSize(1)
                .cleanup(CleanupConfig.disabled());
    }

    private List<ILoggingEvent> warnings(String poolName) {
        return log.events(Level.WARN, poolName + ": connection leak?");
    }

    private List<ILoggingEvent> returnedInfos(String poolName) {
        return log.events(Level.INFO, poolName + ": a connection reported as leaked was returned");
    }

    @Test
    void aConnectionHeldPastTheThresholdIsReportedOnceWithTheBorrowersStack() {
        pool = builder("leak-fake")
                .ticker(ticker)
                .leakDetectionThreshold(Duration.ofMillis(100))
                .build();
        PooledConnection<TestConnection> lease = pool.getConnection();

        ticker.advance(Duration.ofMillis(150));
        pool.runCleanup();
        // The pool's periodic sweep may have reported it first, a moment before: either way, one warning.
        await().atMost(Duration.ofSeconds(5)).until(() -> warnings("leak-fake").size() == 1);

        ILoggingEvent warning = warnings("leak-fake").get(0);
        assertThat(warning.getFormattedMessage())
                .isEqualTo("leak-fake: connection leak? A connection has been held for 150 ms"
                        + " (leak detection threshold 100 ms); it was borrowed here:");
        IThrowableProxy borrower = warning.getThrowableProxy();
        assertThat(borrower.getMessage())
                .isEqualTo("borrowed by thread '" + Thread.currentThread().getName() + "'");
        assertThat(methodNames(borrower))
                .contains("aConnectionHeldPastTheThresholdIsReportedOnceWithTheBorrowersStack");

        ticker.advance(Duration.ofMillis(500));
        pool.runCleanup();
        pool.runCleanup();
        assertThat(warnings("leak-fake")).as("reported once per lease").hasSize(1);
        assertThat(returnedInfos("leak-fake")).isEmpty();

        lease.close();
        assertThat(returnedInfos("leak-fake")).hasSize(1);
        assertThat(returnedInfos("leak-fake").get(0).getFormattedMessage())
                .isEqualTo("leak-fake: a connection reported as leaked was returned after 650 ms");
    }

    @Test
    void eachLeaseOfTheSameConnectionIsReportedOnItsOwn() {
        pool = builder("leak-per-lease")
                .ticker(ticker)
                .leakDetectionThreshold(Duration.ofMillis(100))
                .build();
        PooledConnection<TestConnection> first = pool.getConnection();
        TestConnection connection = first.get();
        ticker.advance(Duration.ofMillis(200));
        pool.runCleanup();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> warnings("leak-per-lease").size() == 1);
        first.close();

        PooledConnection<TestConnection> second = pool.getConnection();
        assertThat(second.get()).isSameAs(connection);
        ticker.advance(Duration.ofMillis(300));
        pool.runCleanup();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> warnings("leak-per-lease").size() == 2);
        assertThat(warnings("leak-per-lease").get(1).getFormattedMessage()).contains("held for 300 ms");
        second.close();
        assertThat(returnedInfos("leak-per-lease")).hasSize(2);
    }

    @Test
    void aConnectionReturnedWithinTheThresholdIsNeverReported() {
        pool = builder("leak-in-time")
                .ticker(ticker)
                .leakDetectionThreshold(Duration.ofMillis(100))
                .build();
        PooledConnection<TestConnection> lease = pool.getConnection();
        ticker.advance(Duration.ofMillis(99));
        pool.runCleanup();
        lease.close();

        ticker.advance(Duration.ofSeconds(10));
        pool.runCleanup();

        assertThat(log.events())
                .filteredOn(e -> e.getFormattedMessage().startsWith("leak-in-time"))
                .isEmpty();
    }

    @Test
    void leakDetectionIsOffByDefault() {
        pool = builder("leak-off").ticker(ticker).build();
        assertThat(pool.config().leakDetectionThreshold()).isZero();
        PooledConnection<TestConnection> lease = pool.getConnection();

        ticker.advance(Duration.ofHours(1));
        pool.runCleanup();
        lease.close();

        assertThat(log.events())
                .filteredOn(e -> e.getFormattedMessage().startsWith("leak-off"))
                .isEmpty();
    }

    @Test
    void thePoolsOwnSweepReportsALeakInRealTimeWithoutAnyCleanupRun() {
        pool = builder("leak-real")
                .leakDetectionThreshold(Duration.ofMillis(100))
                .build();
        PooledConnection<TestConnection> lease = pool.getConnection();

        await().atMost(Duration.ofSeconds(5)).until(() -> warnings("leak-real").size() == 1);

        ILoggingEvent warning = warnings("leak-real").get(0);
        assertThat(heldMillis(warning.getFormattedMessage())).isGreaterThanOrEqualTo(100);
        assertThat(warning.getThrowableProxy().getMessage())
                .isEqualTo("borrowed by thread '" + Thread.currentThread().getName() + "'");
        assertThat(methodNames(warning.getThrowableProxy()))
                .contains("thePoolsOwnSweepReportsALeakInRealTimeWithoutAnyCleanupRun");
        lease.close();
        assertThat(returnedInfos("leak-real")).hasSize(1);
        assertThat(warnings("leak-real")).hasSize(1);
    }

    private static List<String> methodNames(IThrowableProxy proxy) {
        StackTraceElementProxy[] stack = proxy.getStackTraceElementProxyArray();
        return Arrays.stream(stack)
                .map(e -> e.getStackTraceElement().getMethodName())
                .collect(Collectors.toList());
    }

    private static long heldMillis(String message) {
        Matcher matcher = Pattern.compile("held for (\\d+) ms").matcher(message);
        assertThat(matcher.find()).as("hold time in %s", message).isTrue();
        return Long.parseLong(matcher.group(1));
    }
}
