package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.testing.FakeTicker;
import io.github.connectionpool.testing.LogCapture;
import io.github.connectionpool.testing.TestConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The listener receives creation, wait and usage times measured with the pool's ticker. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ListenerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final FakeTicker ticker = new FakeTicker();
    private final RecordingListener listener = new RecordingListener();
    private final AtomicInteger ids = new AtomicInteger();
    /** How long each creation takes, in fake time. */
    private volatile Duration creationTime = Duration.ZERO;

    private final ConnectionPool<TestConnection, String> pool = ConnectionPool.<TestConnection, String>builder(
                    "params",
                    params -> {
                        ticker.advance(creationTime);
                        return CompletableFuture.completedFuture(new TestConnection(ids.incrementAndGet()));
                    },
                    c -> CompletableFuture.completedFuture(c.isHealthy()))
            .name("listener")
            .maxSize(1)
            .ticker(ticker)
            .listener(listener)
            .cleanup(CleanupConfig.disabled())
            .build();

    @AfterEach
    void closePool() {
        pool.close();
    }

    @Test
    void connectionCreatedReportsHowLongTheCreatorTook() {
        creationTime = Duration.ofMillis(40);

        pool.getConnection().close();

        assertThat(listener.created).containsExactly(40 * MS);
        // The worker that made the connection reports the wait right after it hands the connection over.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(listener.acquired)
                        .as("the first borrower waited for the creation")
                        .containsExactly(40 * MS));
    }

    @Test
    void connectionAcquiredReportsHowLongAWaiterWaited() throws Exception {
        PooledConnection<TestConnection> held = pool.getConnection();
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.acquired.size() == 1);
        AtomicReference<PooledConnection<TestConnection>> served = new AtomicReference<>();
        Thread waiter = new Thread(() -> served.set(pool.getConnection()), "waiter");
        waiter.start();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pool.stats().pending() == 1 && waiter.getState() == Thread.State.TIMED_WAITING);

        ticker.advance(Duration.ofMillis(250));
        held.close();
        waiter.join(TimeUnit.SECONDS.toMillis(10));

        assertThat(served.get()).isNotNull();
        assertThat(listener.acquired).containsExactly(0L, 250 * MS);
        served.get().close();
    }

    @Test
    void connectionAcquiredReportsTheWaitOfAnAsyncBorrowerToo() throws Exception {
        PooledConnection<TestConnection> held = pool.getConnection();
        await().atMost(Duration.ofSeconds(5)).until(() -> listener.acquired.size() == 1);
        CompletableFuture<PooledConnection<TestConnection>> future = pool.getConnectionAsync();

        ticker.advance(Duration.ofMillis(70));
        held.close();

        future.get(10, TimeUnit.SECONDS).close();
        assertThat(listener.acquired).containsExactly(0L, 70 * MS);
    }

    @Test
    void connectionReturnedReportsHowLongTheBorrowerHeldTheConnection() {
        PooledConnection<TestConnection> lease = pool.getConnection();
        ticker.advance(Duration.ofMillis(75));
        lease.close();
        lease.close(); // a second close ends nothing and reports nothing
        assertThat(listener.returned).containsExactly(75 * MS);

        lease = pool.getConnection();
        ticker.advance(Duration.ofMillis(10));
        lease.invalidate();
        assertThat(listener.returned).containsExactly(75 * MS, 10 * MS);

        lease = pool.getConnection();
        ticker.advance(Duration.ofMillis(20));
        lease.detach().close();
        assertThat(listener.returned).containsExactly(75 * MS, 10 * MS, 20 * MS);
        assertThat(listener.created)
                .as("the second borrow reused the first connection")
                .hasSize(2);
    }

    /** Records every timing it receives. */
    static final class RecordingListener implements PoolListener {
        final List<Long> acquired = new CopyOnWriteArrayList<>();
        final List<Long> created = new CopyOnWriteArrayList<>();
        final List<Long> returned = new CopyOnWriteArrayList<>();

        @Override
        public void connectionAcquired(long waitNanos) {
            acquired.add(waitNanos);
        }

        @Override
        public void connectionCreated(long creationNanos) {
            created.add(creationNanos);
        }

        @Override
        public void connectionReturned(long usageNanos) {
            returned.add(usageNanos);
        }
    }

    @Test
    void aListenerThatThrowsIsLoggedOnceAndNeverStrandsASlot() throws Exception {
        PoolListener broken = new PoolListener() {
            @Override
            public void connectionAcquired(long waitNanos) {
                throw new IllegalStateException("listener failed on purpose");
            }

            @Override
            public void connectionCreated(long creationNanos) {
                throw new IllegalStateException("listener failed on purpose");
            }

            @Override
            public void connectionReturned(long usageNanos) {
                throw new IllegalStateException("listener failed on purpose");
            }
        };
        try (LogCapture log = LogCapture.of("io.github.connectionpool.internal.GuardedListener");
                ConnectionPool<TestConnection, String> throwing = ConnectionPool.builder(
                                "params",
                                p -> CompletableFuture.completedFuture(new TestConnection(1)),
                                c -> CompletableFuture.completedFuture(true))
                        .maxSize(1)
                        .listener(broken)
                        .build()) {
            for (int i = 0; i < 3; i++) {
                try (PooledConnection<TestConnection> lease = throwing.getConnection()) {
                    assertThat(lease.get().id()).isEqualTo(1);
                }
            }
            PooledConnection<TestConnection> held = throwing.getConnection();
            CompletableFuture<PooledConnection<TestConnection>> waiting = throwing.getConnectionAsync();
            held.close(); // the hand-over to the waiter calls the listener too
            waiting.get(5, TimeUnit.SECONDS).close();

            await().atMost(Duration.ofSeconds(5)).until(() -> throwing.stats().idle() == 1);
            assertThat(throwing.stats().active()).isZero();
            assertThat(throwing.stats().total()).isEqualTo(1);
            assertThat(log.messages(ch.qos.logback.classic.Level.WARN))
                    .singleElement()
                    .asString()
                    .contains("the pool listener threw");
        }
    }
}
