package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.github.connectionpool.internal.PoolEngine;
import io.github.connectionpool.testing.LogCapture;
import io.github.connectionpool.testing.PoolThreads;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import io.github.connectionpool.testing.TestCreator.Mode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CloseTest {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final TestCreator creator = new TestCreator();
    private final String name = "close-test-" + POOLS.incrementAndGet();
    private ConnectionPool<TestConnection, String> pool;

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    private ConnectionPool.Builder<TestConnection, String> builder(int maxSize) {
        return ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                .name(name)
                .maxSize(maxSize)
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(CleanupConfig.disabled());
    }

    private ConnectionPool<TestConnection, String> pool(int maxSize) {
        pool = builder(maxSize).build();
        return pool;
    }

    @Test
    void closeIsIdempotent() {
        pool(1);
        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotNull();
        }
        try (LogCapture log = LogCapture.of(PoolEngine.class)) {
            pool.close();
            assertThatCode(pool::close).doesNotThrowAnyException();

            assertThat(pool.isClosed()).isTrue();
            assertThat(creator.made().get(0).closeCount()).isEqualTo(1);
            assertThat(pool.stats().destroyed()).isEqualTo(1);
            assertThat(log.messages(Level.INFO))
                    .filteredOn(m -> m.startsWith(name + ": closed"))
                    .hasSize(1);
        }
    }

    @Test
    void getConnectionAfterCloseThrowsPoolClosedException() {
        pool(2);
        pool.close();

        assertThatThrownBy(pool::getConnection)
                .isInstanceOf(PoolClosedException.class)
                .hasMessageContaining(name);
        assertThatThrownBy(() -> pool.getConnection(Duration.ZERO)).isInstanceOf(PoolClosedException.class);
        assertThat(pool.getConnectionAsync())
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(PoolClosedException.class);
        assertThat(creator.attempts()).isZero();
    }

    @Test
    void waitingCallersFailWithPoolClosedExceptionWhenThePoolCloses() throws Exception {
        pool(1);
        PooledConnection<TestConnection> held = pool.getConnection();
        AtomicReference<Throwable> syncOutcome = new AtomicReference<>();
        Thread waiter = new Thread(
                () -> {
                    try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                        syncOutcome.set(new AssertionError("got a connection " + lease.get()));
                    } catch (RuntimeException e) {
                        syncOutcome.set(e);
                    }
                },
                "sync-waiter");
        waiter.start();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> pool.stats().pending() == 1
                        && (waiter.getState() == Thread.State.WAITING
                                || waiter.getState() == Thread.State.TIMED_WAITING));
        CompletableFuture<PooledConnection<TestConnection>> asyncWaiter = pool.getConnectionAsync();
        assertThat(pool.stats().pending()).isEqualTo(2);

        pool.close();

        waiter.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(waiter.isAlive()).isFalse();
        assertThat(syncOutcome.get()).isInstanceOf(PoolClosedException.class);
        assertThat(asyncWaiter)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(PoolClosedException.class);
        assertThat(pool.stats().pending()).isZero();
        assertThat(pool.stats().timeouts()).as("a closed pool is not a timeout").isZero();
        held.close();
    }

    @Test
    void closeClosesIdleConnections() {
        pool(2);
        PooledConnection<TestConnection> a = pool.getConnection();
        PooledConnection<TestConnection> b = pool.getConnection();
        a.close();
        b.close();
        assertThat(pool.stats().idle()).isEqualTo(2);

        pool.close();

        assertThat(creator.made())
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.closeCount()).isEqualTo(1));
        assertThat(pool.stats().idle()).isZero();
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().destroyed()).isEqualTo(2);
    }

    @Test
    void returnAfterCloseClosesTheConnection() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        pool.close();

        assertThat(connection.isClosed())
                .as("a lent connection stays usable until it is returned")
                .isFalse();
        assertThat(pool.stats().active()).isEqualTo(1);

        lease.close();

        assertThat(connection.closeCount()).isEqualTo(1);
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }

    @Test
    void closeAbandonsAHangingCreationAndClosesItsLateConnection() {
        pool = builder(1).connectionTimeout(Duration.ofSeconds(20)).build();
        creator.mode(Mode.NEVER_COMPLETE);
        CompletableFuture<PooledConnection<TestConnection>> waiting = pool.getConnectionAsync();
        await().atMost(Duration.ofSeconds(5)).until(() -> creator.attempts() == 1);

        pool.close();

        assertThat(waiting)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(PoolClosedException.class);
        assertThat(pool.stats().total()).as("the creation's slot was freed").isZero();
        List<TestConnection> late = creator.completeHanging();
        assertThat(late).hasSize(1);
        assertThat(late.get(0).isClosed()).isTrue();
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void noPoolThreadRemainsAliveAfterClose() {
        pool = builder(2).cleanup(CleanupConfig.defaults()).build();
        try (PooledConnection<TestConnection> lease = pool.getConnection()) { // a creation starts a worker
            assertThat(lease.get()).isNotNull();
        }
        assertThat(PoolThreads.alive(name + "-housekeeper")).isNotEmpty();
        assertThat(PoolThreads.alive(name + "-worker")).isNotEmpty();

        pool.close();

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(PoolThreads.alive(name + "-")).isEmpty());
        assertThat(pool.isCleanupRunning()).isFalse();
    }

    @Test
    void startAndCloseAreLoggedAtInfo() {
        try (LogCapture log = LogCapture.of(PoolEngine.class)) {
            pool(2);
            assertThat(log.messages(Level.INFO)).anySatisfy(m -> assertThat(m).startsWith(name + ": started"));
            assertThat(log.messages(Level.INFO)).noneSatisfy(m -> assertThat(m).startsWith(name + ": closed"));

            pool.close();

            assertThat(log.messages(Level.INFO))
                    .anySatisfy(m -> assertThat(m).startsWith(name + ": closing"))
                    .anySatisfy(m -> assertThat(m).startsWith(name + ": closed"));
        }
    }

    @Test
    void closeWaitsForAConnectionTheCleanupIsValidatingAndClosesIt() throws Exception {
        CountDownLatch validating = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AtomicReference<Thread> closedOn = new AtomicReference<>();
        pool = ConnectionPool.builder("params", creator, c -> {
                    validating.countDown();
                    return CompletableFuture.supplyAsync(() -> {
                        awaitQuietly(answer); // a validation in progress
                        return true;
                    });
                })
                .name(name)
                .maxSize(1)
                .validationBypassWindow(Duration.ZERO)
                .validationTimeout(Duration.ofSeconds(10))
                .closer(c -> {
                    closedOn.set(Thread.currentThread());
                    c.close();
                })
                .cleanup(CleanupConfig.disabled())
                .build();
        pool.getConnection().close();
        TestConnection connection = creator.made().get(0);
        Thread cleanup = new Thread(pool::runCleanup, "cleanup");
        cleanup.start();
        assertThat(validating.await(10, TimeUnit.SECONDS)).isTrue();

        Thread closing = new Thread(pool::close, "closing");
        closing.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> closing.getState() == Thread.State.TIMED_WAITING);
        assertThat(closing.isAlive())
                .as("close() waits for the check in progress")
                .isTrue();
        answer.countDown();
        closing.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(closing.isAlive()).isFalse();
        assertThat(connection.isClosed()).as("closed when close() returned").isTrue();
        assertThat(closedOn.get())
                .as("by the cleanup's own thread, before close() returned")
                .isSameAs(cleanup);
        assertThat(pool.stats().total()).isZero();
        cleanup.join(TimeUnit.SECONDS.toMillis(10));
    }

    @Test
    void closeWaitsForAHungValidationNoLongerThanTwiceTheValidationTimeout() throws Exception {
        CountDownLatch validating = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        pool = ConnectionPool.builder("params", creator, c -> {
                    validating.countDown();
                    return new CompletableFuture<>(); // never answers
                })
                .name(name)
                .maxSize(1)
                .validationBypassWindow(Duration.ZERO)
                .validationTimeout(Duration.ofMillis(300))
                .closer(c -> {
                    awaitQuietly(never); // and closing it hangs too
                    c.close();
                })
                .cleanup(CleanupConfig.disabled())
                .build();
        pool.getConnection().close();
        Thread cleanup = new Thread(pool::runCleanup, "cleanup");
        cleanup.setDaemon(true);
        cleanup.start();
        assertThat(validating.await(10, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        pool.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofSeconds(5)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        never.countDown();
    }

    @Test
    void theCleanupAThreadIsRestartingReadsAsStoppedOnceThePoolIsClosed() throws Exception {
        int stillRunning = 0;
        for (int round = 0; round < 100; round++) {
            ConnectionPool<TestConnection, String> racing = builder(1).build();
            CountDownLatch go = new CountDownLatch(1);
            Thread[] restarters = new Thread[3];
            for (int t = 0; t < restarters.length; t++) {
                restarters[t] = new Thread(() -> {
                    awaitQuietly(go);
                    for (int i = 0; i < 50; i++) {
                        racing.restartCleanupTask(new CleanupConfig(Duration.ofSeconds(30), true));
                    }
                });
                restarters[t].start();
            }
            go.countDown();
            racing.close();
            for (Thread restarter : restarters) {
                restarter.join(TimeUnit.SECONDS.toMillis(10));
            }
            if (racing.isCleanupRunning()) {
                stillRunning++;
            }
        }
        assertThat(stillRunning)
                .as("pools (of 100) whose cleanup read as running after close()")
                .isZero();
    }

    @Test
    void aCleanupIntervalOfForeverWorksAndCanBeRestarted() {
        pool = builder(1)
                .cleanup(new CleanupConfig(ChronoUnit.FOREVER.getDuration(), true))
                .build();

        assertThat(pool.isCleanupRunning()).isTrue();
        pool.restartCleanupTask(new CleanupConfig(Duration.ofDays(365L * 300), true));
        assertThat(pool.isCleanupRunning()).isTrue();
        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(lease.get().isClosed()).isFalse();
        }
    }

    @Test
    void aPoolWithEveryDurationSetToForeverWorks() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        pool = builder(1)
                .maxIdleTime(forever)
                .maxLifetime(forever)
                .connectionTimeout(forever)
                .acquireTimeout(forever)
                .validationTimeout(forever)
                .validationBypassWindow(forever)
                .leakDetectionThreshold(forever)
                .cleanup(new CleanupConfig(forever, true))
                .build();

        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(lease.get().isClosed()).isFalse();
        }
        pool.runCleanup();
        assertThat(pool.stats().idle()).isEqualTo(1);
        pool.close();
        assertThat(creator.made().get(0).isClosed()).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
