package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.testing.ScriptedCreator;
import io.github.connectionpool.testing.SteppedExecutors;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.Uninterruptibly;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A creation ends in one of four ways for its callers, whichever comes first: a connection, the creator's error, the
 * connection timeout, or the pool closing; and it keeps its slot until the creator itself is done, whatever the
 * callers were told. These tests order the outcomes by hand ({@link SteppedExecutors}, {@link ScriptedCreator}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CreationOutcomeTest {

    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(1);

    private final SteppedExecutors steps = new SteppedExecutors();
    private final ScriptedCreator creator = new ScriptedCreator();
    private final ConnectionPool<TestConnection, String> pool = PoolTestHooks.steppedBuilder(
                    "creation-outcomes", creator, steps)
            .maxSize(1)
            .connectionTimeout(CONNECTION_TIMEOUT)
            .build();

    @AfterEach
    void closePool() {
        pool.close();
        steps.runWorkers();
    }

    private CompletableFuture<PooledConnection<TestConnection>> borrow() {
        CompletableFuture<PooledConnection<TestConnection>> borrow = pool.getConnectionAsync(Duration.ofSeconds(30));
        steps.runWorkers(); // the creator is called
        return borrow;
    }

    private static void assertFailsWith(CompletableFuture<?> borrow, Class<? extends Throwable> failure) {
        assertThat(borrow)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(failure);
    }

    @Test
    void aConnectionBeforeTheTimeoutServesTheCallerAndTheTimeoutNeverFires() throws Exception {
        CompletableFuture<PooledConnection<TestConnection>> borrow = borrow();

        TestConnection connection = creator.succeed(1);
        steps.advance(CONNECTION_TIMEOUT.multipliedBy(2));

        assertThat(borrow.get().get()).isSameAs(connection);
        assertThat(pool.stats().creationFailures()).isZero();
        assertThat(pool.stats().timeouts()).isZero();
    }

    @Test
    void theTimeoutBeforeAConnectionFailsTheCallerAndTheLateConnectionIsClosedWhenItComes() {
        CompletableFuture<PooledConnection<TestConnection>> borrow = borrow();

        steps.advance(CONNECTION_TIMEOUT);

        assertFailsWith(borrow, PoolTimeoutException.class);
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.creating())
                    .as("the creator's call returned: its stage is the creator's to finish, the slot is free")
                    .isZero();
            assertThat(s.creationFailures()).isEqualTo(1);
            assertThat(s.timeouts()).isEqualTo(1);
        });

        TestConnection late = creator.succeed(1);

        assertThat(late.isClosed()).isTrue();
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().created())
                .as("a late connection is not counted as created")
                .isZero();
    }

    @Test
    void aFailureAfterTheTimeoutFreesTheSlotAndIsNotCountedTwice() {
        CompletableFuture<PooledConnection<TestConnection>> borrow = borrow();
        steps.advance(CONNECTION_TIMEOUT);
        assertFailsWith(borrow, PoolTimeoutException.class);

        creator.fail(1, new IOException("refused, too late"));

        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().creationFailures()).isEqualTo(1);
        assertThat(pool.lastCreationError()).isInstanceOf(PoolTimeoutException.class);
    }

    @Test
    void aFailureBeforeTheTimeoutFailsTheCallerWithTheCreatorsError() {
        CompletableFuture<PooledConnection<TestConnection>> borrow = borrow();

        creator.fail(1, new IOException("refused"));
        steps.advance(CONNECTION_TIMEOUT.multipliedBy(2));

        assertFailsWith(borrow, ConnectionCreationException.class);
        assertThat(pool.stats().creationFailures()).isEqualTo(1);
        assertThat(pool.stats().timeouts()).isZero();
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void theNextCallerGetsACreationOfItsOwnAtOnceWhenTheLastOneTimedOutWithItsStagePending() throws Exception {
        CompletableFuture<PooledConnection<TestConnection>> first = borrow();
        steps.advance(CONNECTION_TIMEOUT);
        assertFailsWith(first, PoolTimeoutException.class);

        CompletableFuture<PooledConnection<TestConnection>> next = borrow();

        assertThat(creator.calls()).isEqualTo(2);
        TestConnection connection = creator.succeed(2);
        steps.runWorkers();
        assertThat(next.get().get()).isSameAs(connection);
        assertThat(creator.succeed(1).isClosed()).as("the first, too late").isTrue();
    }

    @Test
    void aCreationTimedOutBeforeItsTaskRanNeverCallsTheCreatorAndFreesItsSlot() throws Exception {
        CompletableFuture<PooledConnection<TestConnection>> first = pool.getConnectionAsync(Duration.ofSeconds(30));
        assertThat(steps.waitingWorkers())
                .as("the creation's task, not run yet")
                .isEqualTo(1);

        steps.elapse(CONNECTION_TIMEOUT); // the timeout's task queues behind it
        steps.runNewestWorker(); // and runs first: a worker that came late

        assertFailsWith(first, PoolTimeoutException.class);
        assertThat(pool.stats().total()).isZero();
        steps.runWorkers(); // the creation's own task, late: it finds the creation settled
        assertThat(creator.calls()).isZero();
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void aCreatorBlockedInItsCallPastTheTimeoutKeepsItsSlotUntilTheCallReturns() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<TestConnection> made = new CopyOnWriteArrayList<>();
        ConnectionPool<TestConnection, String> blocking = PoolTestHooks.stepped(
                        ConnectionPool.builder(
                                        "params",
                                        params -> {
                                            inCall.countDown();
                                            Uninterruptibly.await(release); // a blocking connect
                                            TestConnection connection = new TestConnection(made.size() + 1);
                                            made.add(connection);
                                            return CompletableFuture.completedFuture(connection);
                                        },
                                        c -> CompletableFuture.completedFuture(true))
                                .name("blocking-creator")
                                .maxSize(1)
                                .connectionTimeout(CONNECTION_TIMEOUT)
                                .cleanup(CleanupConfig.disabled()),
                        steps)
                .build();
        try {
            CompletableFuture<PooledConnection<TestConnection>> first = blocking.getConnectionAsync();
            Thread worker = new Thread(steps::runNextWorker, "stepped-creator");
            worker.start(); // the creation's task, on a thread of its own: it blocks
            assertThat(inCall.await(10, TimeUnit.SECONDS)).isTrue();

            steps.advance(CONNECTION_TIMEOUT);

            assertFailsWith(first, PoolTimeoutException.class);
            assertThat(worker.isAlive()).as("the creator ignores the interrupt").isTrue();
            CompletableFuture<PooledConnection<TestConnection>> next = blocking.getConnectionAsync();
            steps.runWorkers();
            assertThat(blocking.stats().creating()).isEqualTo(1);
            assertThat(next).isNotDone();

            release.countDown();
            worker.join(TimeUnit.SECONDS.toMillis(10));

            assertThat(made.get(0).isClosed())
                    .as("the connection came after its timeout")
                    .isTrue();
            steps.runWorkers(); // the next caller's creation: the creator answers at once now
            assertThat(next.get(0, TimeUnit.SECONDS).get()).isSameAs(made.get(1));
        } finally {
            release.countDown();
            blocking.close();
            steps.runWorkers();
        }
    }

    @Test
    void closingThePoolAbandonsACreationAndItsLateConnectionIsClosed() {
        CompletableFuture<PooledConnection<TestConnection>> borrow = borrow();

        pool.close();

        assertFailsWith(borrow, PoolClosedException.class);
        assertThat(pool.stats().creating())
                .as("the call returned: nothing of the pool's is in it")
                .isZero();
        TestConnection late = creator.succeed(1);
        assertThat(late.isClosed()).isTrue();
        assertThat(pool.stats().total()).isZero();
    }
}
