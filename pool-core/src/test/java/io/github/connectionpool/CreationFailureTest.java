package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.github.connectionpool.testing.FakeTicker;
import io.github.connectionpool.testing.LogCapture;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import io.github.connectionpool.testing.TestCreator.Mode;
import io.github.connectionpool.testing.Uninterruptibly;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CreationFailureTest {

    private static final String NAME = "creation-test";

    private final TestCreator creator = new TestCreator();
    private final ConnectionValidator<TestConnection> validator = c -> CompletableFuture.completedFuture(c.isHealthy());
    private final List<ConnectionPool<?, ?>> pools = new ArrayList<>();

    @AfterEach
    void closePools() {
        pools.forEach(ConnectionPool::close);
    }

    private ConnectionPool.Builder<TestConnection, String> builder(
            ConnectionCreator<TestConnection, String> creator, int maxSize) {
        return ConnectionPool.builder("params", creator, validator)
                .name(NAME)
                .maxSize(maxSize)
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(CleanupConfig.disabled());
    }

    /** A caller borrowing asynchronously whose creation hangs; the creator succeeds again afterwards. */
    private CompletableFuture<PooledConnection<TestConnection>> hangOneAsyncCaller(
            ConnectionPool<TestConnection, String> pool) {
        creator.mode(Mode.NEVER_COMPLETE);
        CompletableFuture<PooledConnection<TestConnection>> caller = pool.getConnectionAsync();
        await().atMost(Duration.ofSeconds(5)).until(() -> creator.attempts() == 1);
        creator.mode(Mode.SUCCEED);
        return caller;
    }

    private <T extends ConnectionPool<?, ?>> T track(T pool) {
        pools.add(pool);
        return pool;
    }

    private ConnectionPool<TestConnection, String> pool(int maxSize) {
        return track(builder(creator, maxSize).build());
    }

    @Test
    void aCreatorThatThrowsFailsTheCallerWithItsExceptionAsCause() {
        ConnectionPool<TestConnection, String> pool = pool(2);
        creator.mode(Mode.THROW);

        try (LogCapture log = LogCapture.ofPool()) {
            ConnectionCreationException failure =
                    catchThrowableOfType(ConnectionCreationException.class, pool::getConnection);

            assertThat(failure).isNotNull();
            assertThat(failure.getCause())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("creator threw on purpose");
            assertThat(failure.getMessage()).contains(NAME);
            PoolStats stats = pool.stats();
            assertThat(stats.creationFailures()).isEqualTo(1);
            assertThat(stats.total()).as("no slot held").isZero();
            assertThat(stats.pending()).isZero();
            assertThat(stats.created()).isZero();
            assertThat(log.at(Level.ERROR)).anySatisfy(e -> {
                assertThat(e.getFormattedMessage()).startsWith(NAME + ": failed to create a connection");
                assertThat(e.getThrowableProxy().getClassName()).isEqualTo(IllegalStateException.class.getName());
            });
        }
        assertThat(pool.lastCreationError()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCreatorWhoseStageFailsFailsTheCallerWithTheStagesError() {
        ConnectionPool<TestConnection, String> pool = pool(2);
        creator.mode(Mode.FAIL_STAGE);

        try (LogCapture log = LogCapture.ofPool()) {
            assertThatThrownBy(pool::getConnection)
                    .isInstanceOf(ConnectionCreationException.class)
                    .cause()
                    .isInstanceOf(IOException.class)
                    .hasMessage("connection refused on purpose");

            assertThat(pool.stats().creationFailures()).isEqualTo(1);
            assertThat(pool.stats().total()).isZero();
            assertThat(log.at(Level.ERROR))
                    .anySatisfy(e ->
                            assertThat(e.getThrowableProxy().getClassName()).isEqualTo(IOException.class.getName()));
        }
    }

    @Test
    void aCreatorThatCompletesWithNullFailsTheCallerWithANullPointerCause() {
        ConnectionCreator<TestConnection, String> nullConnections = p -> CompletableFuture.completedFuture(null);
        ConnectionPool<TestConnection, String> pool =
                track(builder(nullConnections, 2).build());

        assertThatThrownBy(pool::getConnection)
                .isInstanceOf(ConnectionCreationException.class)
                .cause()
                .isInstanceOf(NullPointerException.class);

        assertThat(pool.stats().creationFailures()).isEqualTo(1);
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void aCreatorThatReturnsNoStageFailsTheCallerWithANullPointerCause() {
        ConnectionCreator<TestConnection, String> noStage = p -> null;
        ConnectionPool<TestConnection, String> pool = track(builder(noStage, 2).build());

        assertThatThrownBy(pool::getConnection)
                .isInstanceOf(ConnectionCreationException.class)
                .cause()
                .isInstanceOf(NullPointerException.class);

        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void aCreationWhoseStageNeverCompletesTimesOutFreesItsSlotAndItsLateConnectionIsClosed() {
        ConnectionPool<TestConnection, String> pool = track(
                builder(creator, 1).connectionTimeout(Duration.ofMillis(200)).build());
        creator.mode(Mode.NEVER_COMPLETE);

        long start = System.nanoTime();
        PoolTimeoutException timeout = catchThrowableOfType(PoolTimeoutException.class, pool::getConnection);
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        assertThat(timeout).isNotNull();
        assertThat(timeout.getMessage())
                .contains(NAME)
                .contains("connection timeout")
                .contains("200 ms");
        assertThat(waited)
                .as("bounded by the 200 ms connection timeout, not the 10 s acquire timeout")
                .isGreaterThanOrEqualTo(Duration.ofMillis(190))
                .isLessThan(Duration.ofSeconds(5));
        PoolStats stats = pool.stats();
        assertThat(stats.total())
                .as("the creator's call returned: its stage is the creator's to finish, the slot is free")
                .isZero();
        assertThat(stats.creationFailures()).isEqualTo(1);
        // The engine counts the timeout just after handing it over (see
        // theTimeoutCounterIncludesTheTimeoutACallerHolds)
        await().atMost(Duration.ofSeconds(2)).until(() -> pool.stats().timeouts() == 1);
        assertThat(pool.lastCreationError()).isInstanceOf(PoolTimeoutException.class);

        List<TestConnection> late = creator.completeHanging();

        assertThat(late).hasSize(1);
        assertThat(late.get(0).isClosed())
                .as("a connection arriving after its timeout is closed")
                .isTrue();
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().idle()).isZero();
        assertThat(pool.stats().created()).isZero();

        creator.mode(Mode.SUCCEED);
        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(late.get(0));
            assertThat(lease.get().isClosed()).isFalse();
        }
    }

    @Test
    void aCreationTimeoutMessageCarriesThePoolStats() {
        ConnectionPool<TestConnection, String> pool = track(
                builder(creator, 1).connectionTimeout(Duration.ofMillis(200)).build());
        creator.mode(Mode.NEVER_COMPLETE);

        PoolTimeoutException timeout = catchThrowableOfType(PoolTimeoutException.class, pool::getConnection);

        assertThat(timeout).isNotNull();
        assertThat(timeout.getMessage())
                .contains(NAME)
                .contains("connection timeout")
                .contains("active=")
                .contains("idle=")
                .contains("pending=")
                .contains("total=")
                .contains("max=1");
    }

    @Test
    void eachFailedBorrowCostsAtMostOneCreationAttempt() {
        ConnectionPool<TestConnection, String> pool = pool(2);
        creator.mode(Mode.FAIL_STAGE);

        for (int i = 0; i < 200; i++) {
            assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().total() == 0);

        // After two failures in a row the pool backs off (CreationBackoffTest): fewer attempts than borrows.
        assertThat(creator.attempts()).isBetween(2, 200);
        assertThat(pool.stats().creationFailures()).isEqualTo(creator.attempts());
    }

    @Test
    void theTimeoutCounterIncludesTheTimeoutACallerHolds() {
        creator.mode(Mode.NEVER_COMPLETE);
        for (int i = 1; i <= 30; i++) {
            // A fresh pool each time: after two timeouts in a row a pool backs off and fails callers at once.
            ConnectionPool<TestConnection, String> pool = track(
                    builder(creator, 1).connectionTimeout(Duration.ofMillis(20)).build());
            assertThatThrownBy(pool::getConnection).isInstanceOf(PoolTimeoutException.class);
            assertThat(pool.stats().timeouts())
                    .as("after the caller's timeout in round %d", i)
                    .isEqualTo(1);
        }
    }

    @Test
    void thePoolServesAgainAtOnceWhenTheCreatorRecoversAfterAFailure() {
        ConnectionPool<TestConnection, String> pool = pool(1);
        creator.mode(Mode.THROW);
        assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);
        assertThat(pool.stats().total()).isZero();

        creator.mode(Mode.SUCCEED);

        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(lease.get().isClosed()).isFalse();
            PoolStats stats = pool.stats();
            assertThat(stats.creationFailures()).isEqualTo(1);
            assertThat(stats.created()).isEqualTo(1);
            assertThat(stats.active()).isEqualTo(1);
        }
    }

    @Test
    void aHungCreationDoesNotBlockTheCreationsOfOtherCallers() throws Exception {
        ConnectionPool<TestConnection, String> pool = track(builder(creator, 2)
                .connectionTimeout(Duration.ofSeconds(20)) // the hung creation stays hung throughout
                .build());
        CompletableFuture<PooledConnection<TestConnection>> first = hangOneAsyncCaller(pool);

        CompletableFuture<PooledConnection<TestConnection>> second = pool.getConnectionAsync();

        // The second caller's creation succeeds beside the hung one; first come, first served gives it to the first.
        PooledConnection<TestConnection> lease = first.get(5, TimeUnit.SECONDS);
        assertThat(creator.attempts()).isEqualTo(2);
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isEqualTo(1);
        assertThat(stats.creating()).as("the hung creation").isEqualTo(1);
        assertThat(stats.total()).isEqualTo(2);
        assertThat(second).isNotDone();

        lease.close();

        try (PooledConnection<TestConnection> secondLease = second.get(5, TimeUnit.SECONDS)) {
            assertThat(secondLease.get()).isSameAs(creator.made().get(0));
        }
    }

    @Test
    void aCallerWaitingBehindAHungCreationGetsANewOneWhileSlotsAreFree() throws Exception {
        ConnectionPool<TestConnection, String> pool = track(builder(creator, 3)
                .connectionTimeout(Duration.ofSeconds(20)) // the hung creation stays hung throughout
                .build());
        CompletableFuture<PooledConnection<TestConnection>> first = hangOneAsyncCaller(pool);

        // The second caller's creation goes to the first caller (first come, first served); the creation the second
        // then waits for has been overtaken by one started after it, so it no longer counts: a third is started.
        try (PooledConnection<TestConnection> second = pool.getConnection(Duration.ofSeconds(5));
                PooledConnection<TestConnection> firstLease = first.get(5, TimeUnit.SECONDS)) {
            assertThat(firstLease.get()).isSameAs(creator.made().get(0));
            assertThat(second.get()).isSameAs(creator.made().get(1));
            assertThat(creator.attempts()).isEqualTo(3);
            PoolStats stats = pool.stats();
            assertThat(stats.active()).isEqualTo(2);
            assertThat(stats.creating())
                    .as("the hung creation, until its connection timeout")
                    .isEqualTo(1);
            assertThat(stats.total()).isEqualTo(3);
        }
    }

    @Test
    void onceCreationsSucceedAHungCreationGetsOneReplacementNotMore() throws Exception {
        ConnectionPool<TestConnection, String> pool = track(
                builder(creator, 5).connectionTimeout(Duration.ofSeconds(2)).build());
        PooledConnection<TestConnection> first = pool.getConnection(); // a success: creation time is now known
        creator.mode(Mode.NEVER_COMPLETE); // the host now drops every connect

        // The caller's creation hangs; after four times the usual creation time (at least 100 ms) it is presumed
        // stalled and a replacement is started. That one hangs too, and is not replaced in turn.
        assertThatThrownBy(() -> pool.getConnection(Duration.ofMillis(500))).isInstanceOf(PoolTimeoutException.class);
        assertThat(creator.attempts())
                .as("the first, the hung one, one replacement")
                .isEqualTo(3);
        assertThat(pool.stats().creating()).isEqualTo(2);

        // The hung connects end at their connection timeout, and free their slots; then callers are served again.
        creator.mode(Mode.SUCCEED);
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().creating() == 0);
        try (PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofSeconds(5))) {
            assertThat(lease.get().isClosed()).isFalse();
        }
        first.close();
    }

    @Test
    void slowCreationsAreNotTakenForStalledOnesBeforeAnyHasSucceeded() {
        FakeTicker ticker = new FakeTicker();
        ConnectionPool<TestConnection, String> pool = track(builder(creator, 10)
                .ticker(ticker)
                .connectionTimeout(Duration.ofSeconds(20))
                .build());
        creator.mode(Mode.NEVER_COMPLETE); // slow: none completes while the callers arrive
        List<CompletableFuture<PooledConnection<TestConnection>>> callers = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            callers.add(pool.getConnectionAsync());
            assertThat(pool.stats().creating())
                    .as("creations for %d callers", i)
                    .isEqualTo(i);
            ticker.advance(Duration.ofMillis(50)); // far beyond 10 ms, far below the second the first creations get
        }
        assertThat(pool.stats().creating()).isEqualTo(5);
        creator.completeHanging();
        for (CompletableFuture<PooledConnection<TestConnection>> caller : callers) {
            caller.join().close();
        }
    }

    @Test
    void withMaxSizeOneAHungCreationNeitherBlocksCallersForeverNorTheNextCreation() throws Exception {
        ConnectionPool<TestConnection, String> pool = track(
                builder(creator, 1).connectionTimeout(Duration.ofSeconds(2)).build());
        creator.mode(Mode.NEVER_COMPLETE);
        CompletableFuture<PooledConnection<TestConnection>> first = pool.getConnectionAsync();
        await().atMost(Duration.ofSeconds(5)).until(() -> creator.attempts() == 1);

        // Another caller gives up after its own acquire timeout, not when the hung creation ends.
        PoolTimeoutException gaveUp =
                catchThrowableOfType(PoolTimeoutException.class, () -> pool.getConnection(Duration.ofMillis(100)));
        assertThat(gaveUp).isNotNull();
        assertThat(gaveUp.getMessage()).contains("within 100 ms");
        assertThat(pool.stats().creating()).isEqualTo(1);

        creator.mode(Mode.SUCCEED);
        CompletableFuture<PooledConnection<TestConnection>> third = pool.getConnectionAsync();

        // The hung creation times out: the oldest caller learns it, and the slot goes to a new creation for the next.
        assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("connection timeout");
        try (PooledConnection<TestConnection> lease = third.get(10, TimeUnit.SECONDS)) {
            assertThat(lease.get().isClosed()).isFalse();
            assertThat(creator.attempts()).isEqualTo(2);
            PoolStats stats = pool.stats();
            assertThat(stats.creationFailures()).isEqualTo(1);
            assertThat(stats.created()).isEqualTo(1);
            assertThat(stats.timeouts())
                    .as("the caller that gave up and the one whose creation timed out")
                    .isEqualTo(2);
        }
    }

    @Test
    void theAcquireTimeoutMessageCarriesStatsAndTheLastCreationError() {
        ConnectionPool<TestConnection, String> pool = pool(1);
        creator.mode(Mode.THROW);
        ConnectionCreationException creationFailure =
                catchThrowableOfType(ConnectionCreationException.class, pool::getConnection);
        creator.mode(Mode.SUCCEED);

        try (PooledConnection<TestConnection> held = pool.getConnection()) {
            PoolTimeoutException timeout =
                    catchThrowableOfType(PoolTimeoutException.class, () -> pool.getConnection(Duration.ofMillis(100)));

            assertThat(held.get()).isNotNull();
            assertThat(timeout).isNotNull();
            assertThat(timeout.getMessage())
                    .contains(NAME)
                    .contains("100 ms")
                    .contains("active=1")
                    .contains("idle=0")
                    .contains("pending=")
                    .contains("total=1")
                    .contains("max=1")
                    .contains("last creation error: java.lang.IllegalStateException: creator threw on purpose");
            assertThat(timeout.getCause()).isSameAs(creationFailure.getCause());
            assertThat(pool.stats().timeouts()).isEqualTo(1);
        }
    }

    @Test
    void anAcquireTimeoutWithoutCreationErrorsHasNoCause() {
        ConnectionPool<TestConnection, String> pool = pool(1);
        try (PooledConnection<TestConnection> held = pool.getConnection()) {
            PoolTimeoutException timeout =
                    catchThrowableOfType(PoolTimeoutException.class, () -> pool.getConnection(Duration.ofMillis(50)));

            assertThat(held.get()).isNotNull();
            assertThat(timeout.getMessage()).contains("active=1").doesNotContain("last creation error");
            assertThat(timeout.getCause()).isNull();
        }
    }

    @Test
    void manyWaitersAllGetTheCreationErrorQuicklyWhenTheCreatorFailsFast() throws Exception {
        int callers = 8;
        ConnectionPool<TestConnection, String> pool =
                track(builder(creator, 2).acquireTimeout(Duration.ofSeconds(20)).build());
        creator.mode(Mode.FAIL_STAGE);
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Throwable>> outcomes = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                outcomes.add(threads.submit(() -> {
                    go.await();
                    try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                        return new AssertionError("got a connection " + lease.get());
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            long start = System.nanoTime();
            go.countDown();

            for (Future<Throwable> outcome : outcomes) {
                assertThat(outcome.get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ConnectionCreationException.class)
                        .cause()
                        .isInstanceOf(IOException.class);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("failures reach every waiter well before the 20 s acquire timeout")
                    .isLessThan(Duration.ofSeconds(5));
        } finally {
            threads.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().total() == 0); // no creation left behind
        PoolStats stats = pool.stats();
        assertThat(stats.pending()).isZero();
        assertThat(stats.timeouts()).isZero();
        // Not one attempt per caller: once creation backs off, the others fail at once with the last error.
        assertThat(stats.creationFailures()).isPositive().isEqualTo(creator.attempts());
    }

    @Test
    void aCreatorThatIgnoresInterruptsNeverHasMoreCallsRunningThanMaxSize() throws Exception {
        for (int maxSize : new int[] {1, 4}) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger mostRunning = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            ConnectionPool<TestConnection, String> pool = track(ConnectionPool.<TestConnection, String>builder(
                            "params",
                            params -> {
                                mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                                try {
                                    Uninterruptibly.await(release); // a blocking connect to a struggling server
                                    return CompletableFuture.completedFuture(new TestConnection(1));
                                } finally {
                                    running.decrementAndGet();
                                }
                            },
                            c -> CompletableFuture.completedFuture(true))
                    .name(NAME + "-" + maxSize)
                    .maxSize(maxSize)
                    .connectionTimeout(Duration.ofMillis(50))
                    .cleanup(CleanupConfig.disabled())
                    .build());

            for (int i = 0; i < 12; i++) { // each caller outlives several connection timeouts
                assertThatThrownBy(() -> pool.getConnection(Duration.ofMillis(150)))
                        .isInstanceOf(PoolException.class);
            }

            assertThat(mostRunning.get())
                    .as("creator calls running at once, maxSize %d", maxSize)
                    .isBetween(1, maxSize);
            assertThat(pool.stats().creating())
                    .as("each call still running holds its slot")
                    .isEqualTo(running.get());
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().creating() == 0);
            assertThat(pool.stats().total())
                    .as("the late connections were closed")
                    .isZero();
        }
    }

    @Test
    void whileCreationBacksOffAfterATimeoutCallersFailAtOnceWithTheCreationErrorNotATimeout() {
        ConnectionPool<TestConnection, String> pool = track(
                builder(creator, 1).connectionTimeout(Duration.ofMillis(100)).build());
        creator.mode(Mode.NEVER_COMPLETE);
        for (int i = 0; i < 2; i++) { // two timeouts in a row: creation backs off
            assertThatThrownBy(pool::getConnection).isInstanceOf(PoolTimeoutException.class);
        }
        long timeouts = pool.stats().timeouts();

        ConnectionCreationException turnedAway =
                catchThrowableOfType(ConnectionCreationException.class, pool::getConnection);

        assertThat(turnedAway).isNotNull();
        assertThat(turnedAway.getMessage()).contains("keeps failing");
        assertThat(turnedAway.getCause()).isInstanceOf(PoolTimeoutException.class);
        assertThat(pool.stats().timeouts()).as("not a timeout of this caller's").isEqualTo(timeouts);
    }

    @Test
    void anInterruptedBorrowThatFailsBeforeQueueingCountsAsATimeout() {
        ConnectionPool<TestConnection, String> pool = pool(1);
        PooledConnection<TestConnection> held = pool.getConnection();

        Thread.currentThread().interrupt();
        PoolTimeoutException interrupted =
                catchThrowableOfType(PoolTimeoutException.class, () -> pool.getConnection(Duration.ofSeconds(5)));

        assertThat(Thread.interrupted()).as("the interrupt status is kept").isTrue();
        assertThat(interrupted).isNotNull();
        assertThat(interrupted.getCause()).isInstanceOf(InterruptedException.class);
        assertThat(pool.stats().timeouts()).isEqualTo(1);
        held.close();
    }
}
