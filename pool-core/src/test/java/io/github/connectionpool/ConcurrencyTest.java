package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.testing.Callers;
import io.github.connectionpool.testing.LiveConnections;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many platform threads borrowing at once: the pool never has more than {@code maxSize} live connections, never lends
 * one connection to two borrowers, and its statistics add up exactly once everyone is done.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrencyTest {

    private static final int THREADS = 64;
    private static final int BORROWS_PER_THREAD = 400;
    private static final int MAX_SIZE = 8;

    private final LiveConnections live = new LiveConnections();

    private ConnectionPool<TestConnection, String> newPool(String name) {
        return ConnectionPool.builder("params", live.creator(), c -> CompletableFuture.completedFuture(!c.isClosed()))
                .name(name)
                .maxSize(MAX_SIZE)
                .acquireTimeout(Duration.ofSeconds(60))
                .closer(live.closer())
                .cleanup(CleanupConfig.disabled())
                .build();
    }

    @Test
    void sixtyFourThreadsNeverHaveMoreThanMaxSizeLiveConnectionsAndStatsAddUpAfterwards() throws Exception {
        try (ConnectionPool<TestConnection, String> pool = newPool("concurrency-sync")) {
            long detached = hammer(pool, false);

            assertNoDoubleLendsAndPeakWithinMaxSize();
            assertStatsExact(pool, detached);
        }
        assertThat(live.live()).as("connections left open after close()").isZero();
    }

    @Test
    void asyncBorrowersMixedWithSyncOnesNeverExceedMaxSizeNorShareAConnection() throws Exception {
        try (ConnectionPool<TestConnection, String> pool = newPool("concurrency-mixed")) {
            long detached = hammer(pool, true);

            assertNoDoubleLendsAndPeakWithinMaxSize();
            assertStatsExact(pool, detached);
        }
        assertThat(live.live()).as("connections left open after close()").isZero();
    }

    /**
     * One caller needs one connection: each borrow from a pool with nothing idle starts exactly one creation. Repeated
     * on fresh pools because the extra creation this guards against came from a race: the worker that made the
     * connection lowered the in-flight creation count before it handed the connection to the waiter, and the
     * borrower's own demand check, still running, saw one waiter and no creation. The pools' real-time clock is
     * stopped, so that the stall rule (a creation presumed stalled gets a replacement, {@code CreationStallTest}) cannot
     * fire however slow the machine is: what is counted here is the demand alone.
     */
    @Test
    void eachBorrowFromAPoolWithNothingIdleStartsExactlyOneCreation() {
        List<String> extra = new ArrayList<>();
        for (int round = 0; round < 200; round++) {
            TestCreator creator = new TestCreator();
            try (ConnectionPool<TestConnection, String> pool = PoolTestHooks.frozenRealTime(
                            ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(true))
                                    .name("one-creation")
                                    .maxSize(4)
                                    .cleanup(CleanupConfig.disabled()))
                    .build()) {
                for (int borrow = 1; borrow <= 5; borrow++) {
                    PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofSeconds(10));
                    int total = pool.stats().total();
                    lease.invalidate(); // nothing idle for the next borrow
                    if (total != 1) {
                        extra.add("round " + round + ", borrow " + borrow + ": " + total + " live or being created");
                    }
                }
                // Any extra creation was started inside getConnection(): wait for it to land.
                await().pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(1))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> pool.stats().creating() == 0);
                if (creator.attempts() != 5) {
                    extra.add("round " + round + ": " + creator.attempts() + " creations for 5 borrows");
                }
            }
        }
        assertThat(extra).isEmpty();
    }

    /** Runs the borrowers; returns how many connections they detached. */
    private long hammer(ConnectionPool<TestConnection, String> pool, boolean mixAsync) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Queue<Long> detachedCounts = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = new Thread(
                    () -> {
                        long detached = 0;
                        try {
                            start.await();
                            for (int i = 0; i < BORROWS_PER_THREAD; i++) {
                                detached += borrowOnce(pool, mixAsync);
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        } finally {
                            detachedCounts.add(detached);
                        }
                    },
                    "borrower-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(90));
            assertThat(thread.isAlive())
                    .as("%s did not finish; threads:%n%s", thread.getName(), threadDump())
                    .isFalse();
        }
        assertThat(failures).as("failures of borrowers").isEmpty();
        return detachedCounts.stream().mapToLong(Long::longValue).sum();
    }

    /** One borrow, held for a moment, ended by a return (mostly), an invalidation or a detach; returns 1 if detached. */
    private int borrowOnce(ConnectionPool<TestConnection, String> pool, boolean mixAsync) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        PooledConnection<TestConnection> lease = mixAsync && random.nextBoolean()
                ? pool.getConnectionAsync().get(60, TimeUnit.SECONDS)
                : pool.getConnection();
        TestConnection connection = lease.get();
        live.borrowed(connection);
        if (random.nextInt(4) == 0) {
            LockSupport.parkNanos(random.nextLong(20_000)); // "use" it for a moment
        } else {
            Thread.yield();
        }
        live.returning(connection);
        int outcome = random.nextInt(100);
        if (outcome < 3) {
            lease.invalidate();
        } else if (outcome < 5) {
            live.detaching(connection);
            TestConnection mine = lease.detach();
            mine.close(); // ours now: already counted out by detaching()
            return 1;
        } else {
            lease.close();
        }
        return 0;
    }

    private void assertNoDoubleLendsAndPeakWithinMaxSize() {
        assertThat(live.doubleLends())
                .as("connections lent to two borrowers at once")
                .isZero();
        assertThat(live.closedLends()).as("closed connections lent").isZero();
        assertThat(live.peak()).as("peak live connections").isLessThanOrEqualTo(MAX_SIZE);
        assertThat(live.peak()).as("the pool should have been saturated").isEqualTo(MAX_SIZE);
    }

    private void assertStatsExact(ConnectionPool<TestConnection, String> pool, long detached) {
        PoolStats stats = pool.stats();
        assertThat(stats.active()).as("active in %s", stats).isZero();
        assertThat(stats.pending()).as("pending in %s", stats).isZero();
        assertThat(stats.total()).as("total in %s", stats).isEqualTo(stats.idle());
        assertThat(stats.idle()).as("idle in %s", stats).isLessThanOrEqualTo(MAX_SIZE);
        assertThat(stats.created() - stats.destroyed() - detached)
                .as("created - destroyed - detached in %s (detached %d)", stats, detached)
                .isEqualTo(stats.total());
        assertThat(stats.created()).as("created in %s", stats).isEqualTo(live.made());
        assertThat(live.live()).as("live connections against %s", stats).isEqualTo(stats.total());
        assertThat(detached).as("the run should have detached some connections").isPositive();
        assertThat(stats.destroyed())
                .as("the run should have invalidated some connections")
                .isPositive();
    }

    static String threadDump() {
        return Callers.threadDump();
    }
}
