package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.testing.SteppedExecutors;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection returned while an asynchronous borrower waits is handed to it at once, but its future is completed on a
 * worker (the caller's callbacks must not run inside someone else's {@code close()}). Between the two, the borrower
 * may give up: cancel, complete the future itself, time out, or the pool may close. These tests stop the worker
 * between the two steps ({@link SteppedExecutors}) and let each of those happen there, in both orders: the connection
 * is never lent to nobody, and it is back in the pool by the time the call that gave up returns.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandOverRaceTest {

    private final SteppedExecutors steps = new SteppedExecutors();
    private final TestCreator creator = new TestCreator();
    private final ConnectionPool<TestConnection, String> pool = PoolTestHooks.steppedBuilder(
                    "hand-over-race", creator, steps)
            .maxSize(1)
            .build();

    @AfterEach
    void closePool() {
        pool.close();
        steps.runWorkers();
    }

    /** The pool's one connection, lent to a first borrower. */
    private PooledConnection<TestConnection> lentToAnother() {
        CompletableFuture<PooledConnection<TestConnection>> first = pool.getConnectionAsync();
        steps.runWorkers(); // the creation, and the completion of the first borrower's future
        return first.join();
    }

    /** Returns {@code held} while an asynchronous borrower waits, and stops before its future is completed. */
    private CompletableFuture<PooledConnection<TestConnection>> handedOverNotDelivered(
            PooledConnection<TestConnection> held, Duration timeout) {
        CompletableFuture<PooledConnection<TestConnection>> waiting = pool.getConnectionAsync(timeout);
        assertThat(pool.stats().pending()).isEqualTo(1);
        held.close();
        assertThat(steps.waitingWorkers()).as("the delivery, on a worker").isEqualTo(1);
        assertThat(waiting).isNotDone();
        assertThat(pool.stats().active()).as("lent to the waiting borrower").isEqualTo(1);
        return waiting;
    }

    private void assertIdleAndUnused() {
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.idle()).as("idle").isEqualTo(1);
            assertThat(s.active()).as("active").isZero();
            assertThat(s.pending()).as("pending").isZero();
        });
    }

    private void givenUpBeforeTheDelivery(Consumer<CompletableFuture<PooledConnection<TestConnection>>> giveUp) {
        CompletableFuture<PooledConnection<TestConnection>> waiting =
                handedOverNotDelivered(lentToAnother(), Duration.ofSeconds(30));

        giveUp.accept(waiting);

        assertIdleAndUnused(); // already when the giving up returned, before the worker ran
        steps.runWorkers(); // the delivery comes too late and changes nothing
        assertIdleAndUnused();
        try (PooledConnection<TestConnection> next = pool.getConnection(Duration.ZERO)) {
            assertThat(next.get()).isSameAs(creator.made().get(0));
            assertThat(next.get().isClosed()).isFalse();
        }
    }

    @Test
    void aBorrowCancelledAfterItsConnectionWasHandedOverGivesItBackBeforeCancelReturns() {
        givenUpBeforeTheDelivery(waiting -> assertThat(waiting.cancel(true)).isTrue());
    }

    @Test
    void aBorrowWhoseCallerCompletesTheFutureItselfGivesTheConnectionBack() {
        givenUpBeforeTheDelivery(waiting -> assertThat(waiting.completeExceptionally(new CancellationException("mine")))
                .isTrue());
    }

    @Test
    void aBorrowCancelledAfterTheDeliveryKeepsItsConnection() throws Exception {
        CompletableFuture<PooledConnection<TestConnection>> waiting =
                handedOverNotDelivered(lentToAnother(), Duration.ofSeconds(30));

        steps.runWorkers();

        assertThat(waiting.cancel(true)).as("too late to cancel").isFalse();
        PooledConnection<TestConnection> lease = waiting.get();
        assertThat(pool.stats().active()).isEqualTo(1);
        lease.close();
        assertIdleAndUnused();
    }

    @Test
    void aTimeoutThatFiresBeforeTheDeliveryRunsEndsTheWaitAndGivesTheConnectionBack() {
        CompletableFuture<PooledConnection<TestConnection>> waiting =
                handedOverNotDelivered(lentToAnother(), Duration.ofMillis(100));

        steps.elapse(Duration.ofMillis(100)); // the timer fires: the timeout's task waits behind the delivery
        assertThat(steps.waitingWorkers()).isEqualTo(2);
        steps.runNewestWorker(); // and overtakes it

        assertThat(waiting)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(PoolTimeoutException.class);
        assertIdleAndUnused();
        assertThat(pool.stats().timeouts()).isEqualTo(1);
        steps.runWorkers();
        assertIdleAndUnused();
    }

    @Test
    void aDeliveryThatRunsBeforeTheTimeoutsTaskWinsAndNoTimeoutIsCounted() throws Exception {
        CompletableFuture<PooledConnection<TestConnection>> waiting =
                handedOverNotDelivered(lentToAnother(), Duration.ofMillis(100));

        steps.elapse(Duration.ofMillis(100));
        steps.runWorkers(); // the delivery first, then the timeout's task, which finds the wait over

        PooledConnection<TestConnection> lease = waiting.get();
        assertThat(pool.stats().timeouts()).isZero();
        assertThat(pool.stats().active()).isEqualTo(1);
        lease.close();
        assertIdleAndUnused();
    }

    @Test
    void aPoolClosedBeforeTheDeliveryRunsStillDeliversAndClosesTheConnectionWhenItComesBack() throws Exception {
        CompletableFuture<PooledConnection<TestConnection>> waiting =
                handedOverNotDelivered(lentToAnother(), Duration.ofSeconds(30));

        pool.close();
        steps.runWorkers();

        PooledConnection<TestConnection> lease = waiting.get();
        TestConnection connection = lease.get();
        assertThat(connection.isClosed())
                .as("lent connections are closed when they come back")
                .isFalse();
        lease.close();
        assertThat(connection.isClosed()).isTrue();
        assertThat(pool.stats().total()).isZero();
    }
}
