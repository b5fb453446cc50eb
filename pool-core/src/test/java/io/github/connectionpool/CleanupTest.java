package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.github.connectionpool.testing.FakeTicker;
import io.github.connectionpool.testing.LogCapture;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cleanup closes idle, expired and broken connections, keeps and refills {@code minIdle}, runs on its own thread
 * without any borrow, survives a failed run, and stops with a pool that was dropped without {@code close()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CleanupTest {

    private static final String POOL_LOGGERS = "io.github.connectionpool";

    private final FakeTicker ticker = new FakeTicker();
    private final TestCreator creator = new TestCreator();
    private final AtomicInteger validations = new AtomicInteger();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    /** A builder on the fake ticker with the pool's own cleanup off: the test calls runCleanup() itself. */
    private ConnectionPool.Builder<TestConnection, String> builder(String name) {
        return ConnectionPool.builder("params", creator, c -> {
                    validations.incrementAndGet();
                    return CompletableFuture.completedFuture(c.isHealthy());
                })
                .name(name)
                .ticker(ticker)
                .cleanup(CleanupConfig.disabled());
    }

    private ConnectionPool<TestConnection, String> started(ConnectionPool.Builder<TestConnection, String> builder) {
        ConnectionPool<TestConnection, String> pool = builder.build();
        toClose.add(pool);
        return pool;
    }

    private LogCapture capture(String logger) {
        LogCapture capture = LogCapture.of(logger);
        toClose.add(0, capture); // stop recording before the pools close
        return capture;
    }

    /**
     * Borrows {@code n} connections at once and returns them all, so that the pool holds {@code n} idle ones. Give the
     * pool {@code maxSize == n}: a borrower may start one creation too many (see
     * {@code ConcurrencyTest#aBorrowerOnAnEmptyPoolStartsExactlyOneCreation}), and a full pool leaves no room for it.
     */
    private static List<TestConnection> makeIdle(ConnectionPool<TestConnection, String> pool, int n) {
        List<PooledConnection<TestConnection>> leases = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leases.add(pool.getConnection(Duration.ofSeconds(5)));
        }
        List<TestConnection> connections = new ArrayList<>();
        for (PooledConnection<TestConnection> lease : leases) {
            connections.add(lease.get());
            lease.close();
        }
        assertThat(pool.stats().idle()).isEqualTo(n);
        return connections;
    }

    @Test
    void runCleanupClosesConnectionsIdleLongerThanMaxIdleTimeWithoutAnyBorrow() {
        ConnectionPool<TestConnection, String> pool = started(builder("idle-cleanup")
                .maxSize(3)
                .maxIdleTime(Duration.ofMinutes(1))
                .maxLifetime(Duration.ZERO));
        List<TestConnection> connections = makeIdle(pool, 3);

        ticker.advance(Duration.ofSeconds(59));
        pool.runCleanup();
        assertThat(pool.stats().idle()).isEqualTo(3);
        assertThat(connections).noneMatch(TestConnection::isClosed);

        ticker.advance(Duration.ofSeconds(1));
        pool.runCleanup();
        assertThat(connections).allMatch(TestConnection::isClosed);
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.idle()).isZero();
            assertThat(s.total()).isZero();
            assertThat(s.destroyed()).isEqualTo(3);
        });
    }

    @Test
    void whileTheCleanupChecksOrClosesAnIdleConnectionStatsCountItIdleNotActive() throws Exception {
        CountDownLatch inValidator = new CountDownLatch(1);
        CountDownLatch inCloser = new CountDownLatch(1);
        CountDownLatch releaseValidation = new CountDownLatch(1);
        CountDownLatch releaseClose = new CountDownLatch(1);
        ConnectionPool<TestConnection, String> pool = started(ConnectionPool.<TestConnection, String>builder(
                        "params",
                        creator,
                        c -> CompletableFuture.supplyAsync(() -> {
                            inValidator.countDown();
                            awaitQuietly(releaseValidation);
                            return true;
                        }))
                .name("stats-during-cleanup")
                .ticker(ticker)
                .cleanup(CleanupConfig.disabled())
                .maxSize(2)
                .maxIdleTime(Duration.ofMinutes(1))
                .maxLifetime(Duration.ZERO)
                .validationBypassWindow(Duration.ofSeconds(10))
                .closer(c -> {
                    inCloser.countDown();
                    awaitQuietly(releaseClose);
                    c.close();
                }));
        makeIdle(pool, 2);
        PooledConnection<TestConnection> held = pool.getConnection(Duration.ofSeconds(5));

        ticker.advance(Duration.ofSeconds(30)); // past the bypass window: the cleanup validates the idle one
        CompletableFuture<Void> validating = CompletableFuture.runAsync(pool::runCleanup);
        assertThat(inValidator.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.stats())
                .as("while the cleanup validates the idle connection")
                .satisfies(s -> {
                    assertThat(s.active()).isEqualTo(1);
                    assertThat(s.idle()).isEqualTo(1);
                    assertThat(s.total()).isEqualTo(2);
                });
        releaseValidation.countDown();
        validating.get(5, TimeUnit.SECONDS);

        ticker.advance(Duration.ofMinutes(2)); // past maxIdleTime: the cleanup closes the idle one
        CompletableFuture<Void> closing = CompletableFuture.runAsync(pool::runCleanup);
        assertThat(inCloser.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.stats())
                .as("while the cleanup closes the idle connection")
                .satisfies(s -> {
                    assertThat(s.active()).isEqualTo(1);
                    assertThat(s.idle()).isEqualTo(1);
                });
        releaseClose.countDown();
        closing.get(5, TimeUnit.SECONDS);
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.active()).isEqualTo(1);
            assertThat(s.idle()).isZero();
            assertThat(s.total()).isEqualTo(1);
            assertThat(s.destroyed()).isEqualTo(1);
        });
        held.close();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void runCleanupKeepsMinIdleConnections() {
        ConnectionPool<TestConnection, String> pool = started(builder("keep-min-idle")
                .maxSize(4)
                .minIdle(2)
                .maxIdleTime(Duration.ofMinutes(1))
                .maxLifetime(Duration.ZERO));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().idle() == 2);
        List<TestConnection> connections = makeIdle(pool, 4);

        ticker.advance(Duration.ofMinutes(2));
        pool.runCleanup();
        assertThat(pool.stats().idle()).isEqualTo(2);
        assertThat(pool.stats().destroyed()).isEqualTo(2);
        assertThat(connections).filteredOn(TestConnection::isClosed).hasSize(2);

        ticker.advance(Duration.ofMinutes(2));
        pool.runCleanup();
        assertThat(pool.stats().idle()).isEqualTo(2);
        assertThat(pool.stats().destroyed()).isEqualTo(2);
        assertThat(pool.stats().created()).isEqualTo(4);
    }

    @Test
    void runCleanupClosesConnectionsPastMaxLifetimeWithAtMostTwoAndAHalfPercentJitter() {
        ConnectionPool<TestConnection, String> pool = started(
                builder("lifetime").maxSize(8).maxIdleTime(Duration.ZERO).maxLifetime(Duration.ofMinutes(40)));
        List<TestConnection> connections = makeIdle(pool, 8);

        ticker.advance(Duration.ofMinutes(39)); // 97.5 % of maxLifetime: the jitter never takes more off
        pool.runCleanup();
        assertThat(pool.stats().idle()).isEqualTo(8);
        assertThat(pool.stats().destroyed()).isZero();

        Set<Long> closedCounts = new HashSet<>();
        for (int step = 0; step < 6; step++) {
            ticker.advance(Duration.ofSeconds(10));
            pool.runCleanup();
            closedCounts.add(pool.stats().destroyed());
        }
        assertThat(connections).allMatch(TestConnection::isClosed);
        assertThat(pool.stats().destroyed()).isEqualTo(8);
        assertThat(pool.stats().total()).isZero();
        assertThat(closedCounts)
                .as("connections made together expire at different times (jitter)")
                .hasSizeGreaterThan(1);
    }

    @Test
    void runCleanupValidatesIdleConnectionsBeyondTheBypassWindowAndClosesInvalidOnes() {
        LogCapture log = capture(POOL_LOGGERS);
        ConnectionPool<TestConnection, String> pool = started(builder("validate-idle")
                .maxSize(2)
                .maxIdleTime(Duration.ZERO)
                .maxLifetime(Duration.ZERO)
                .validationBypassWindow(Duration.ofMillis(500)));
        List<TestConnection> connections = makeIdle(pool, 2);
        TestConnection broken = connections.get(0);
        TestConnection healthy = connections.get(1);
        broken.breakIt();
        validations.set(0);

        ticker.advance(Duration.ofMillis(400));
        pool.runCleanup();
        assertThat(validations.get()).as("validations within the bypass window").isZero();
        assertThat(pool.stats().idle()).isEqualTo(2);

        ticker.advance(Duration.ofMillis(100));
        pool.runCleanup();
        assertThat(validations.get()).isEqualTo(2);
        assertThat(broken.isClosed()).isTrue();
        assertThat(healthy.isClosed()).isFalse();
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.idle()).isEqualTo(1);
            assertThat(s.total()).isEqualTo(1);
            assertThat(s.validationFailures()).isEqualTo(1);
            assertThat(s.destroyed()).isEqualTo(1);
        });
        assertThat(log.events(Level.WARN, "validate-idle")).hasSize(1);

        pool.runCleanup(); // the healthy one was just checked: no new validation
        assertThat(validations.get()).isEqualTo(2);
    }

    @Test
    void runCleanupRefillsMinIdleAfterConnectionsWereClosed() {
        ConnectionPool<TestConnection, String> pool =
                started(builder("refill").maxSize(5).minIdle(3));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().idle() == 3);
        assertThat(pool.stats().created()).isEqualTo(3);

        List<PooledConnection<TestConnection>> leases = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leases.add(pool.getConnection(Duration.ZERO));
        }
        leases.forEach(PooledConnection::invalidate);
        assertThat(pool.stats().total()).isZero();

        pool.runCleanup();

        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().idle() == 3);
        assertThat(pool.stats().created()).isEqualTo(6);
        assertThat(pool.stats().total()).isEqualTo(3);
    }

    @Test
    void thePoolsOwnCleanupThreadClosesIdleConnectionsWithoutAnyBorrow() {
        ConnectionPool<TestConnection, String> pool =
                started(ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                        .name("own-cleanup")
                        .maxSize(2)
                        .maxIdleTime(Duration.ofMillis(100))
                        .cleanup(new CleanupConfig(Duration.ofMillis(50), true)));
        List<TestConnection> connections = makeIdle(pool, 2);
        assertThat(pool.isCleanupRunning()).isTrue();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(connections).allMatch(TestConnection::isClosed);
            assertThat(pool.stats().total()).isZero();
            assertThat(pool.stats().destroyed()).isEqualTo(2);
        });
    }

    @Test
    void stopCleanupTaskStopsTheCleanupThreadAndRestartCleanupTaskStartsItAgain() {
        ConnectionPool<TestConnection, String> pool =
                started(ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                        .name("stop-restart")
                        .maxSize(2)
                        .maxIdleTime(Duration.ofMillis(100))
                        .cleanup(new CleanupConfig(Duration.ofMillis(20), true)));
        assertThat(pool.isCleanupRunning()).isTrue();

        pool.stopCleanupTask();
        assertThat(pool.isCleanupRunning()).isFalse();
        List<TestConnection> connections = makeIdle(pool, 2);
        // Absence over time: well past maxIdleTime and many former intervals, nothing closes them.
        await().during(Duration.ofMillis(400))
                .atMost(Duration.ofSeconds(2))
                .until(() -> pool.stats().idle() == 2 && pool.stats().destroyed() == 0);
        assertThat(connections).noneMatch(TestConnection::isClosed);

        pool.restartCleanupTask(new CleanupConfig(Duration.ofMillis(30), true));
        assertThat(pool.isCleanupRunning()).isTrue();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(connections).allMatch(TestConnection::isClosed);
            assertThat(pool.stats().total()).isZero();
        });

        pool.restartCleanupTask(new CleanupConfig(Duration.ofMillis(30), false));
        assertThat(pool.isCleanupRunning()).isFalse();
    }

    @Test
    void aPeriodicRunThatThrowsIsLoggedAtErrorAndRunsAgain() {
        LogCapture log = capture(POOL_LOGGERS);
        AtomicBoolean failOnce = new AtomicBoolean(true);
        // User callbacks cannot break a run (their failures are caught), but the clock is read outside them: a ticker
        // that throws once, when a periodic cleanup run reads it, makes exactly one run throw.
        Ticker ticker = () -> {
            if (calledFromCleanupRun() && failOnce.compareAndSet(true, false)) {
                throw new IllegalStateException("clock failed on purpose");
            }
            return System.nanoTime();
        };
        ConnectionPool<TestConnection, String> pool =
                started(ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                        .name("failing-run")
                        .maxSize(2)
                        .ticker(ticker)
                        .maxIdleTime(Duration.ofMillis(50))
                        .cleanup(new CleanupConfig(Duration.ofMillis(20), true)));
        List<TestConnection> connections = makeIdle(pool, 2);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(connections).allMatch(TestConnection::isClosed);
            assertThat(pool.stats().total()).isZero();
        });

        List<ILoggingEvent> errors = log.events(Level.ERROR, "failing-run");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).getFormattedMessage()).contains("cleanup run failed");
        assertThat(errors.get(0).getThrowableProxy().getMessage()).isEqualTo("clock failed on purpose");
        assertThat(pool.isCleanupRunning()).isTrue();
        assertThat(pool.stats().destroyed()).isEqualTo(2);
    }

    private static boolean calledFromCleanupRun() {
        return StackWalker.getInstance()
                .walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("runCleanup")));
    }

    @Test
    void aValidatorThatThrowsAnErrorDuringCleanupDoesNotKeepTheSlotForever() {
        AtomicInteger calls = new AtomicInteger();
        ConnectionPool<TestConnection, String> pool = started(ConnectionPool.builder("params", creator, c -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new AssertionError("validator failed on purpose");
                    }
                    return CompletableFuture.completedFuture(c.isHealthy());
                })
                .name("validator-error")
                .maxSize(1)
                .ticker(ticker)
                .maxIdleTime(Duration.ZERO)
                .maxLifetime(Duration.ZERO)
                .cleanup(CleanupConfig.disabled()));
        makeIdle(pool, 1);
        ticker.advance(Duration.ofSeconds(1)); // past the bypass window: the cleanup validates it

        try {
            pool.runCleanup();
        } catch (AssertionError expected) {
            // whether the run reports the validator's Error or treats it as "invalid", the slot must come back
        }

        assertThat(pool.stats().active())
                .as("slot still held after the failed check: %s", pool.stats())
                .isZero();
        try (PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofSeconds(1))) {
            assertThat(lease.get().isClosed()).isFalse();
        }
    }

    @Test
    void aPoolDroppedWithoutCloseStopsItsThreadsOnceGarbageCollected() {
        LogCapture log = capture(POOL_LOGGERS);
        String name = "dropped-" + ThreadLocalRandom.current().nextInt(1_000_000);
        startAndDrop(name);
        assertThat(threadsOf(name)).isNotEmpty();

        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    System.gc();
                    return threadsOf(name).isEmpty();
                });
        assertThat(log.events(Level.WARN, name + ": pool was garbage collected without close()"))
                .hasSize(1);
    }

    /** Builds a pool, uses it, and lets go of it without closing it. */
    private void startAndDrop(String name) {
        ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                        "params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                .name(name)
                .maxSize(1)
                .cleanup(new CleanupConfig(Duration.ofMillis(20), true))
                .build();
        pool.getConnection().close();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    private static List<String> threadsOf(String poolName) {
        List<String> names = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive() && thread.getName().startsWith(poolName + "-housekeeper")) {
                names.add(thread.getName());
            }
        }
        return names;
    }

    @Test
    void eachCleanupRunLogsADebugSummary() {
        LogCapture log = capture(POOL_LOGGERS);
        ConnectionPool<TestConnection, String> pool =
                started(builder("summary").maxSize(1).maxIdleTime(Duration.ofMinutes(1)));
        makeIdle(pool, 1);
        ticker.advance(Duration.ofMinutes(2));

        pool.runCleanup();

        assertThat(log.events(Level.DEBUG, "summary: cleanup closed 1 idle, 0 expired, 0 invalid; started 0 creations"))
                .hasSize(1);
    }
}
