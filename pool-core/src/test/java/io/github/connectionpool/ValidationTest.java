package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.github.connectionpool.testing.FakeTicker;
import io.github.connectionpool.testing.LogCapture;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ValidationTest {

    private static final String NAME = "validation-test";
    private static final Duration BYPASS = Duration.ofMillis(500);
    private static final Duration PAST_BYPASS = BYPASS.plusMillis(1);

    private final TestCreator creator = new TestCreator();
    private final FakeTicker ticker = new FakeTicker();
    private final CountingValidator validator = new CountingValidator();
    private ConnectionPool<TestConnection, String> pool;

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    /** A validator that counts its calls and answers as the test says. */
    private static final class CountingValidator implements ConnectionValidator<TestConnection> {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<String> lastThread = new AtomicReference<>();
        volatile Function<TestConnection, CompletionStage<Boolean>> answer =
                c -> CompletableFuture.completedFuture(c.isHealthy());

        @Override
        public CompletionStage<Boolean> isValid(TestConnection connection) {
            calls.incrementAndGet();
            lastThread.set(Thread.currentThread().getName());
            return answer.apply(connection);
        }
    }

    private ConnectionPool.Builder<TestConnection, String> builder() {
        return ConnectionPool.builder("params", creator, validator)
                .name(NAME)
                .maxSize(1) // one slot: the replacement of an invalid connection is the only other one
                .ticker(ticker)
                .validationBypassWindow(BYPASS)
                .validationTimeout(Duration.ofMillis(200))
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(CleanupConfig.disabled());
    }

    /** Borrows and returns once, so that one idle connection sits in the pool, last checked now. */
    private TestConnection idleConnection() {
        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            return lease.get();
        }
    }

    /** Borrows once past the bypass window, expecting the idle connection to be found invalid and replaced. */
    private void assertInvalidIdleConnectionIsClosedAndReplaced() {
        TestConnection stale = idleConnection();
        ticker.advance(PAST_BYPASS);

        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(validator.calls).hasValue(1);
            assertThat(stale.isClosed()).as("the invalid connection is closed").isTrue();
            assertThat(lease.get()).as("the caller gets a fresh connection").isNotSameAs(stale);
            assertThat(lease.get().isClosed()).isFalse();
            PoolStats stats = pool.stats();
            assertThat(stats.validationFailures()).isEqualTo(1);
            assertThat(stats.destroyed()).isEqualTo(1);
            assertThat(stats.created()).isEqualTo(2);
            assertThat(stats.total())
                    .as("the invalid connection's slot was freed")
                    .isEqualTo(1);
        }
    }

    @Test
    void aConnectionTheValidatorRejectsIsClosedAndTheCallerGetsAFreshOne() {
        pool = builder().build();
        validator.answer = c -> CompletableFuture.completedFuture(false);

        assertInvalidIdleConnectionIsClosedAndReplaced();
    }

    @Test
    void aConnectionWhoseValidatorThrowsIsClosedAndTheCallerGetsAFreshOne() {
        pool = builder().build();
        validator.answer = c -> {
            throw new IllegalStateException("validator threw on purpose");
        };

        assertInvalidIdleConnectionIsClosedAndReplaced();
    }

    @Test
    void aConnectionWhoseValidationStageFailsIsClosedAndTheCallerGetsAFreshOne() {
        pool = builder().build();
        validator.answer = c -> CompletableFuture.failedFuture(new IllegalStateException("ping failed on purpose"));

        assertInvalidIdleConnectionIsClosedAndReplaced();
    }

    @Test
    void aHangingValidationIsBoundedByTheValidationTimeoutThenTheCallerIsServed() {
        pool = builder().build();
        validator.answer = c -> new CompletableFuture<>();

        long start = System.nanoTime();
        assertInvalidIdleConnectionIsClosedAndReplaced();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took)
                .as("waited the 200 ms validation timeout, not the 10 s acquire timeout")
                .isGreaterThanOrEqualTo(Duration.ofMillis(190))
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aSyncBorrowValidatesOnTheBorrowingThread() {
        pool = builder().build();
        idleConnection();
        ticker.advance(PAST_BYPASS);

        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotNull();
        }
        assertThat(validator.calls).hasValue(1);
        assertThat(validator.lastThread.get()).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void aHangingValidationNeverHoldsTheCallerPastItsAcquireTimeout() {
        // Real time here: the acquire timeout is a real wait, and a zero bypass window validates every borrow.
        pool = builder()
                .ticker(Ticker.system())
                .validationBypassWindow(Duration.ZERO)
                .validationTimeout(Duration.ofSeconds(3))
                .build();
        idleConnection();
        validator.answer = c -> new CompletableFuture<>();

        long start = System.nanoTime();
        try (PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofMillis(200))) {
            assertThat(lease.get().isClosed()).isFalse(); // a fresh connection would do
        } catch (PoolTimeoutException expected) {
            // so would a timeout: what counts is how long the caller was held
        }
        Duration held = Duration.ofNanos(System.nanoTime() - start);

        assertThat(held)
                .as("the acquire timeout (200 ms) bounds the wait, validation included")
                .isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void withinTheBypassWindowNoValidationHappens() {
        pool = builder().build();
        TestConnection connection = idleConnection();

        for (int i = 0; i < 5; i++) {
            ticker.advance(BYPASS.minusMillis(1)); // each return restarts the window
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                assertThat(lease.get()).isSameAs(connection);
            }
        }
        assertThat(validator.calls).hasValue(0);

        ticker.advance(PAST_BYPASS);
        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
            assertThat(lease.get()).isSameAs(connection);
        }
        assertThat(validator.calls).as("past the window the borrow validates").hasValue(1);
    }

    @Test
    void aZeroBypassWindowValidatesOnEveryBorrow() {
        pool = builder().validationBypassWindow(Duration.ZERO).build();
        TestConnection connection = idleConnection(); // a new connection is lent without a check
        assertThat(validator.calls).hasValue(0);

        for (int i = 1; i <= 3; i++) {
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                assertThat(lease.get()).isSameAs(connection);
            }
            assertThat(validator.calls).hasValue(i);
        }
    }

    @Test
    void aConnectionReturnedToAWaitingCallerIsCheckedOnThatCallersThread() throws Exception {
        pool = builder().validationBypassWindow(Duration.ZERO).build();
        ExecutorService callers = Executors.newSingleThreadExecutor(r -> new Thread(r, "the-waiting-caller"));
        try {
            PooledConnection<TestConnection> held = pool.getConnection();
            Future<String> waiting = callers.submit(() -> {
                try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                    assertThat(lease.get().isClosed()).isFalse();
                    return validator.lastThread.get();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().pending() == 1);

            held.close();

            assertThat(waiting.get(10, TimeUnit.SECONDS))
                    .as("checked where the caller waited, not on a pool worker first (one wake-up less)")
                    .isEqualTo("the-waiting-caller");
            assertThat(validator.calls).hasValue(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aWaitingCallerWhoseConnectionFailsItsCheckKeepsItsPlaceAtTheHeadOfTheQueue() throws Exception {
        pool = builder().validationBypassWindow(Duration.ZERO).build();
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            PooledConnection<TestConnection> held = pool.getConnection();
            TestConnection broken = held.get();
            CountDownLatch firstServed = new CountDownLatch(1);
            CountDownLatch firstMayReturn = new CountDownLatch(1);
            Future<TestConnection> first = callers.submit(() -> {
                try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                    firstServed.countDown();
                    firstMayReturn.await();
                    return lease.get();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().pending() == 1);
            Future<TestConnection> second = callers.submit(() -> {
                try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                    return lease.get();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().pending() == 2);

            broken.breakIt();
            held.close(); // to the first caller, which finds it broken, waits again, and gets the replacement

            assertThat(firstServed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(second)
                    .as("the second caller did not overtake the first")
                    .isNotDone();
            assertThat(pool.stats().pending()).isEqualTo(1);
            firstMayReturn.countDown();
            TestConnection replacement = first.get(10, TimeUnit.SECONDS);
            assertThat(replacement).isNotSameAs(broken);
            assertThat(second.get(10, TimeUnit.SECONDS)).isSameAs(replacement);
            await().atMost(Duration.ofSeconds(10)).until(broken::isClosed);
            assertThat(pool.stats().validationFailures()).isEqualTo(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void anAsyncBorrowPastTheBypassWindowValidatesToo() throws Exception {
        pool = builder().build();
        TestConnection stale = idleConnection();
        validator.answer = c -> CompletableFuture.completedFuture(false);
        ticker.advance(PAST_BYPASS);

        try (PooledConnection<TestConnection> lease = pool.getConnectionAsync().get(5, TimeUnit.SECONDS)) {
            assertThat(validator.calls).hasValue(1);
            assertThat(validator.lastThread.get())
                    .as("not on the caller's thread")
                    .startsWith(NAME + "-worker-");
            assertThat(stale.isClosed()).isTrue();
            assertThat(lease.get()).isNotSameAs(stale);
            assertThat(pool.stats().validationFailures()).isEqualTo(1);
        }
    }

    @Test
    void aValidationFailureIsLoggedAtWarn() {
        pool = builder().build();
        idleConnection();
        validator.answer = c -> CompletableFuture.completedFuture(false);
        ticker.advance(PAST_BYPASS);

        try (LogCapture log = LogCapture.ofPool()) {
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                assertThat(lease.get()).isNotNull();
            }
            assertThat(log.messages(Level.WARN))
                    .anySatisfy(m -> assertThat(m).startsWith(NAME + ":").contains("failed validation"));
        }
    }

    @Test
    void aValidationTimeoutIsLoggedAtWarn() {
        pool = builder().build();
        idleConnection();
        validator.answer = c -> new CompletableFuture<>();
        ticker.advance(PAST_BYPASS);

        try (LogCapture log = LogCapture.ofPool()) {
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                assertThat(lease.get()).isNotNull();
            }
            assertThat(log.messages(Level.WARN))
                    .anySatisfy(m -> assertThat(m).startsWith(NAME + ":").contains("200 ms"));
        }
    }

    @Test
    void aSlowCloserNeverHoldsABorrowerPastItsTimeout() throws Exception {
        CountDownLatch closing = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        pool = builder()
                .closer(c -> {
                    closing.countDown();
                    closed.await(); // a close that takes a long time: a TLS goodbye to a server that stopped answering
                    c.close();
                })
                .build();
        TestConnection stale = idleConnection();
        validator.answer = c -> CompletableFuture.completedFuture(c != stale);
        ticker.advance(PAST_BYPASS);

        long start = System.nanoTime();
        PoolTimeoutException timeout =
                catchThrowableOfType(PoolTimeoutException.class, () -> pool.getConnection(Duration.ofMillis(100)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(timeout).as("its only slot is taken until the close ends").isNotNull();
        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(closing.await(10, TimeUnit.SECONDS))
                .as("closed off the borrower's path")
                .isTrue();
        assertThat(pool.stats().idle())
                .as("being closed: not lent, not lendable")
                .isEqualTo(1);

        closed.countDown();
        try (PooledConnection<TestConnection> lease = pool.getConnection(Duration.ofSeconds(5))) {
            assertThat(lease.get()).isNotSameAs(stale);
        }
        assertThat(stale.isClosed()).isTrue();
    }

    @Test
    void withTheSystemClockAConnectionIdlePastTheBypassWindowIsValidatedAgain() {
        // The system ticker and no listener: the borrow and return paths read the coarse clock, which the pool's
        // scheduler moves every eighth of the bypass window (at least every 10 ms). A clock that stopped would leave
        // the connection "fresh" for ever, and never validated again.
        try (ConnectionPool<TestConnection, String> coarse = ConnectionPool.builder("params", creator, validator)
                .name(NAME + "-coarse")
                .maxSize(1)
                .validationBypassWindow(Duration.ofMillis(50))
                .cleanup(CleanupConfig.disabled())
                .build()) {
            coarse.getConnection().close();
            int before = validator.calls.get();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                coarse.getConnection().close();
                assertThat(validator.calls.get()).isGreaterThan(before);
            });
        }
    }
}
