package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.testing.SteppedExecutors;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The return is a store without a fence, so a return and a caller queueing in the same instant may miss each other:
 * the connection is idle and the caller waits. {@code PooledConnection.releaseUnseen()} makes that happen on purpose (a
 * return that reads nothing after its store); these tests show what finds the connection for each kind of waiter, and
 * that {@code close()} does not leave it open.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MissedReturnTest {

    private final TestCreator creator = new TestCreator();

    @Test
    void anAsynchronousWaiterGetsAConnectionItsReturnMissedAtTheNextSweep() {
        SteppedExecutors steps = new SteppedExecutors();
        try (ConnectionPool<TestConnection, String> pool = PoolTestHooks.steppedBuilder("missed-async", creator, steps)
                .maxSize(1)
                .build()) {
            CompletableFuture<PooledConnection<TestConnection>> first = pool.getConnectionAsync();
            steps.runWorkers(); // the creation, and the delivery to the first borrower
            PooledConnection<TestConnection> held = first.join();
            CompletableFuture<PooledConnection<TestConnection>> waiting =
                    pool.getConnectionAsync(Duration.ofMinutes(1));

            held.releaseUnseen();
            steps.runWorkers();
            assertThat(waiting).as("nobody saw the return").isNotDone();
            assertThat(pool.stats().idle()).isEqualTo(1);

            steps.advance(Duration.ofMillis(1)); // the sweep the queueing caller armed, then its check and delivery
            assertThat(waiting).as("the sweep handed the connection over").isCompleted();
            assertThat(waiting.join().get()).isSameAs(creator.made().get(0));
            waiting.join().close();
        } finally {
            steps.runWorkers();
        }
    }

    @Test
    void whileCallersWaitTheSweepComesAgainAndAgain() {
        SteppedExecutors steps = new SteppedExecutors();
        try (ConnectionPool<TestConnection, String> pool = PoolTestHooks.steppedBuilder("missed-later", creator, steps)
                .maxSize(1)
                .build()) {
            CompletableFuture<PooledConnection<TestConnection>> first = pool.getConnectionAsync();
            steps.runWorkers();
            PooledConnection<TestConnection> held = first.join();
            CompletableFuture<PooledConnection<TestConnection>> waiting =
                    pool.getConnectionAsync(Duration.ofMinutes(1));
            steps.advance(Duration.ofMillis(5)); // sweeps that find nothing: the connection is still lent

            held.releaseUnseen(); // missed long after the caller queued (a return into a turn can be, too)
            steps.advance(Duration.ofMillis(1));

            assertThat(waiting).isCompleted();
            waiting.join().close();
        } finally {
            steps.runWorkers();
        }
    }

    @Test
    void whileOnlyPlatformThreadsWaitNoSweepIsScheduled() throws Exception {
        SteppedExecutors steps = new SteppedExecutors();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ConnectionPool<TestConnection, String> pool = PoolTestHooks.steppedBuilder("no-sweep", creator, steps)
                .maxSize(1)
                .build()) {
            CompletableFuture<PooledConnection<TestConnection>> first = pool.getConnectionAsync();
            steps.runWorkers();
            PooledConnection<TestConnection> held = first.join();
            steps.advance(Duration.ofMillis(1)); // the sweep the first (asynchronous) borrow armed: nobody waits now
            int timers = steps.waitingTimers();
            Future<?> waiting = caller.submit(
                    () -> pool.getConnection(Duration.ofSeconds(20)).close());
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> pool.stats().pending() == 1);

            assertThat(steps.waitingTimers())
                    .as("a waiting platform thread looks for itself: no scheduler wake-ups while it waits")
                    .isEqualTo(timers);
            held.close();
            waiting.get(10, TimeUnit.SECONDS);
        } finally {
            caller.shutdownNow();
            steps.runWorkers();
        }
    }

    @Test
    void aWaitingPlatformThreadFindsAConnectionItsReturnMissedByLooking() throws Exception {
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                        "params", creator, c -> CompletableFuture.completedFuture(true))
                .name("missed-platform")
                .maxSize(1)
                .cleanup(CleanupConfig.disabled())
                .build()) {
            PooledConnection<TestConnection> held = pool.getConnection();
            AtomicReference<TestConnection> got = new AtomicReference<>();
            Future<?> waiting = caller.submit(() -> {
                try (PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofSeconds(20))) {
                    got.set(lease.get());
                }
            });
            Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> pool.stats().pending() == 1);

            held.releaseUnseen();

            waiting.get(10, TimeUnit.SECONDS);
            assertThat(got.get()).isSameAs(creator.made().get(0));
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void closeClosesAConnectionWhoseReturnShowedOnlyAfterCloseHadPassedItsSlot() {
        ConnectionCloser<TestConnection> closer = TestConnection::close;
        AtomicReference<PooledConnection<TestConnection>> late = new AtomicReference<>();
        ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                        "params", creator, c -> CompletableFuture.completedFuture(true))
                .name("missed-close")
                .maxSize(2)
                .cleanup(CleanupConfig.disabled())
                .closer(connection -> {
                    closer.close(connection);
                    PooledConnection<TestConnection> lease = late.getAndSet(null);
                    if (lease != null) {
                        lease.releaseUnseen(); // while close() closes the other one, after it passed this slot
                    }
                })
                .build();
        PooledConnection<TestConnection> lent = pool.getConnection(); // slot 0
        pool.getConnection().close(); // slot 1: idle
        late.set(lent);

        pool.close();

        assertThat(late.get()).as("the closer ran and returned the lease").isNull();
        assertThat(creator.made())
                .hasSize(2)
                .allSatisfy(c -> assertThat(c.isClosed()).isTrue());
        assertThat(pool.stats().total()).isZero();
    }
}
