package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Callers that give up (a cancelled or timed-out future, an interrupt, a timeout) take neither a slot nor a connection
 * with them, and the counters stay exact (docs/pitfalls.md, pitfalls 8 and 9). {@link HandOverRaceTest} steps through
 * the races of a giving-up with a hand-over.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancellationTest {

    private final TestCreator creator = new TestCreator();
    private ConnectionPool<TestConnection, String> pool;

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    private ConnectionPool<TestConnection, String> newPool(String name, int maxSize) {
        pool = ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                .name(name)
                .maxSize(maxSize)
                .acquireTimeout(Duration.ofSeconds(30))
                .cleanup(CleanupConfig.disabled())
                .build();
        return pool;
    }

    @Test
    void anAsyncBorrowersCallbacksNeverRunOnTheThreadThatReturnedTheConnection() throws Exception {
        newPool("async-callbacks", 1);
        PooledConnection<TestConnection> held = pool.getConnection();
        CompletableFuture<String> callbackThread = pool.getConnectionAsync().thenApply(lease -> {
            try (lease) {
                return Thread.currentThread().getName();
            }
        });
        assertThat(callbackThread).isNotDone();

        held.close();

        // A plain (not Async) callback runs where the future completes: a pool worker, never inside close().
        assertThat(callbackThread.get(5, TimeUnit.SECONDS))
                .isNotEqualTo(Thread.currentThread().getName())
                .startsWith("async-callbacks-worker-");
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().idle() == 1);
    }

    @Test
    void cancelledAsyncAcquireDoesNotLeakASlotNorSwallowTheConnection() throws Exception {
        newPool("cancel-async", 1);
        PooledConnection<TestConnection> held = pool.getConnection();
        TestConnection connection = held.get();
        CompletableFuture<PooledConnection<TestConnection>> future = pool.getConnectionAsync();
        assertThat(pool.stats().pending()).isEqualTo(1);

        assertThat(future.cancel(true)).isTrue();
        assertThat(pool.stats().pending()).isZero();
        held.close();

        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.idle()).isEqualTo(1);
            assertThat(s.active()).isZero();
            assertThat(s.pending()).isZero();
            assertThat(s.total()).isEqualTo(1);
        });
        try (PooledConnection<TestConnection> next = pool.getConnection(Duration.ZERO)) {
            assertThat(next.get()).isSameAs(connection);
        }
        assertThat(connection.isClosed()).isFalse();
        assertThat(creator.made()).hasSize(1);
    }

    @Test
    void timedOutAsyncAcquireFailsWithPoolTimeoutExceptionAndLeavesNothingBehind() throws Exception {
        newPool("timeout-async", 1);
        PooledConnection<TestConnection> held = pool.getConnection();

        CompletableFuture<PooledConnection<TestConnection>> future = pool.getConnectionAsync(Duration.ofMillis(100));

        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("timeout-async")
                .hasMessageContaining("pending=");
        // The timer thread finishes its bookkeeping right after it completes the future.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(pool.stats()).satisfies(s -> {
                    assertThat(s.pending()).isZero();
                    assertThat(s.timeouts()).isEqualTo(1);
                }));
        held.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().active()).isZero();
        assertThat(future.isCompletedExceptionally()).isTrue();
    }

    @Test
    void interruptedGetConnectionThrowsPoolTimeoutExceptionKeepsTheInterruptAndLeaksNothing() throws Exception {
        newPool("interrupt", 1);
        PooledConnection<TestConnection> held = pool.getConnection();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfterwards = new AtomicReference<>();
        Thread waiter = new Thread(
                () -> {
                    try {
                        pool.getConnection().close();
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                    interruptedAfterwards.set(Thread.interrupted());
                },
                "interrupted-waiter");
        waiter.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pool.stats().pending() == 1 && waiter.getState() == Thread.State.TIMED_WAITING);

        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(waiter.isAlive()).isFalse();
        assertThat(thrown.get())
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("interrupt")
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(interruptedAfterwards.get()).as("interrupt status set again").isTrue();
        assertThat(pool.stats().pending()).isZero();
        held.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().active()).isZero();
        assertThat(pool.stats().total()).isEqualTo(1);
    }

    @Test
    void timedOutGetConnectionLeavesNoWaiterAndCountsOneTimeout() {
        newPool("timeout-sync", 1);
        PooledConnection<TestConnection> held = pool.getConnection();

        assertThatThrownBy(() -> pool.getConnection(Duration.ofMillis(100)))
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("timeout-sync")
                .hasMessageContaining("active=1")
                .hasMessageContaining("max=1");

        assertThat(pool.stats().pending()).isZero();
        assertThat(pool.stats().timeouts()).isEqualTo(1);
        held.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void borrowersGivingUpInEveryWayUnderLoadLeaveTheCountersExactAndEverySlotUsable() throws Exception {
        int maxSize = 4;
        newPool("give-up-hammer", maxSize);
        int threads = 16;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicLong timeoutsSeen = new AtomicLong();
        AtomicLong served = new AtomicLong();
        AtomicLong cancelled = new AtomicLong();
        AtomicLong interrupted = new AtomicLong();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(
                    () -> {
                        try {
                            start.await();
                            while (System.nanoTime() < deadline) {
                                giveUpOrBorrowOnce(timeoutsSeen, served, cancelled, interrupted);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    },
                    "hammer-" + t);
            workers.add(worker);
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(worker.isAlive())
                    .as("%s did not finish; threads:%n%s", worker.getName(), ConcurrencyTest.threadDump())
                    .isFalse();
        }
        assertThat(failures).isEmpty();

        // Creations started for callers who left finish on the workers: the pool settles at once after them.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pool.stats()).satisfies(s -> {
                    assertThat(s.active()).as("active").isZero();
                    assertThat(s.pending()).as("pending").isZero();
                    assertThat(s.creating()).as("creating").isZero();
                    assertThat(s.idle()).as("idle").isEqualTo(s.total());
                    assertThat(s.timeouts())
                            .as("timeouts: every borrow that failed with a PoolTimeoutException, interrupted ones too")
                            .isEqualTo(timeoutsSeen.get() + interrupted.get());
                }));
        PoolStats stats = pool.stats();
        assertThat(stats.created() - stats.destroyed()).isEqualTo(stats.total());
        assertThat(creator.open()).as("connections made and not closed").isEqualTo(stats.idle());
        assertThat(served.get()).isPositive();
        assertThat(timeoutsSeen.get()).isPositive();
        assertThat(cancelled.get()).isPositive();
        assertThat(interrupted.get()).isPositive();

        // Every slot can still be lent at once: none was lost to a caller that gave up.
        List<PooledConnection<TestConnection>> all = new ArrayList<>();
        for (int i = 0; i < maxSize; i++) {
            all.add(pool.getConnection(Duration.ofSeconds(5)));
        }
        assertThat(all).allSatisfy(lease -> assertThat(lease.get().isClosed()).isFalse());
        assertThat(pool.stats().active()).isEqualTo(maxSize);
        all.forEach(PooledConnection::close);
        assertThat(pool.stats().idle()).isEqualTo(pool.stats().total());
    }

    private void giveUpOrBorrowOnce(
            AtomicLong timeouts, AtomicLong served, AtomicLong cancelled, AtomicLong interrupted) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Duration timeout = Duration.ofNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(3)));
        switch (random.nextInt(4)) {
            case 0 -> { // sync, short timeout
                try {
                    hold(pool.getConnection(timeout), served);
                } catch (PoolTimeoutException e) {
                    timeouts.incrementAndGet();
                }
            }
            case 1 -> { // sync, interrupted before or while waiting
                Thread.currentThread().interrupt();
                try {
                    PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofMillis(50));
                    Thread.interrupted(); // taken at once, without waiting: the interrupt was not needed
                    hold(lease, served);
                } catch (PoolTimeoutException e) {
                    assertThat(Thread.interrupted() || !(e.getCause() instanceof InterruptedException))
                            .as("interrupt status after %s", e)
                            .isTrue();
                    if (e.getCause() instanceof InterruptedException) {
                        interrupted.incrementAndGet();
                    } else {
                        timeouts.incrementAndGet();
                    }
                }
            }
            default -> { // async, short timeout, often cancelled after a moment
                CompletableFuture<PooledConnection<TestConnection>> future = pool.getConnectionAsync(timeout);
                if (random.nextBoolean()) {
                    LockSupport.parkNanos(random.nextLong(200_000));
                    if (future.cancel(true)) {
                        cancelled.incrementAndGet();
                        return;
                    }
                }
                try {
                    hold(future.get(10, TimeUnit.SECONDS), served);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(PoolTimeoutException.class);
                    timeouts.incrementAndGet();
                } catch (CancellationException e) {
                    throw new AssertionError("only this thread cancels", e);
                }
            }
        }
    }

    private static void hold(PooledConnection<TestConnection> lease, AtomicLong served) {
        assertThat(lease.get().isClosed()).isFalse();
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(300_000));
        served.incrementAndGet();
        lease.close();
    }
}
