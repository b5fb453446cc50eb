package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.testing.LiveConnections;
import io.github.connectionpool.testing.TestConnection;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * Thousands of virtual threads borrowing from a small pool (docs/pitfalls.md, pitfall 6): all of them are served, the pool never goes
 * past {@code maxSize}, and the statistics add up. Compiled for Java 17, so virtual threads are reached by reflection.
 */
@EnabledForJreRange(min = JRE.JAVA_21)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VirtualThreadsIT {

    private static final int TASKS = 5_000;
    private static final int MAX_SIZE = 16;

    @Test
    void fiveThousandVirtualThreadsShareSixteenConnectionsWithinMaxSizeAndExactStats() throws Exception {
        LiveConnections live = new LiveConnections();
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger onVirtualThreads = new AtomicInteger();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Method isVirtual = Thread.class.getMethod("isVirtual");
        try (ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                        "params", live.creator(), c -> CompletableFuture.completedFuture(!c.isClosed()))
                .name("virtual")
                .maxSize(MAX_SIZE)
                .acquireTimeout(Duration.ofSeconds(60))
                .closer(live.closer())
                .cleanup(CleanupConfig.disabled())
                .build()) {
            ExecutorService executor = newVirtualThreadPerTaskExecutor();
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < TASKS; i++) {
                boolean async = i % 4 == 0;
                executor.execute(() -> {
                    try {
                        if ((Boolean) isVirtual.invoke(Thread.currentThread())) {
                            onVirtualThreads.incrementAndGet();
                        }
                        go.await();
                        PooledConnection<TestConnection> lease =
                                async ? pool.getConnectionAsync().get(60, TimeUnit.SECONDS) : pool.getConnection();
                        TestConnection connection = lease.get();
                        live.borrowed(connection);
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000)); // a short "query"
                        live.returning(connection);
                        lease.close();
                        completed.incrementAndGet();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
            }
            go.countDown();
            executor.shutdown();
            assertThat(executor.awaitTermination(90, TimeUnit.SECONDS))
                    .as("virtual threads still running; threads:%n%s", ConcurrencyTest.threadDump())
                    .isTrue();

            assertThat(failures).isEmpty();
            assertThat(completed.get()).isEqualTo(TASKS);
            assertThat(onVirtualThreads.get()).isEqualTo(TASKS);
            assertThat(live.doubleLends())
                    .as("connections lent to two borrowers at once")
                    .isZero();
            assertThat(live.peak()).as("peak live connections").isLessThanOrEqualTo(MAX_SIZE);
            PoolStats stats = pool.stats();
            assertThat(stats.active()).as("active in %s", stats).isZero();
            assertThat(stats.pending()).as("pending in %s", stats).isZero();
            assertThat(stats.total()).as("total in %s", stats).isEqualTo(stats.idle());
            assertThat(stats.idle()).as("idle in %s", stats).isLessThanOrEqualTo(MAX_SIZE);
            assertThat(stats.created() - stats.destroyed()).as("in %s", stats).isEqualTo(stats.total());
            assertThat(stats.timeouts()).as("timeouts in %s", stats).isZero();
            assertThat(live.live()).as("live connections against %s", stats).isEqualTo(stats.total());
        }
        assertThat(live.live()).as("connections left open after close()").isZero();
    }

    private static ExecutorService newVirtualThreadPerTaskExecutor() throws ReflectiveOperationException {
        return (ExecutorService)
                Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }
}
