package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.testing.ScriptedCreator;
import io.github.connectionpool.testing.SteppedExecutors;
import io.github.connectionpool.testing.TestConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a creation is presumed stalled, and what that costs: the stall rule (see {@code StallRule}) stepped through on
 * the test's clock, so that "four times the usual creation time" and "at least 100 ms" are exact.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CreationStallTest {

    private final SteppedExecutors steps = new SteppedExecutors();
    private final ScriptedCreator creator = new ScriptedCreator();
    private final ConnectionPool<TestConnection, String> pool = PoolTestHooks.steppedBuilder("stalls", creator, steps)
            .maxSize(5)
            .connectionTimeout(Duration.ofMinutes(1))
            .build();

    @AfterEach
    void closePool() {
        pool.close();
        steps.runWorkers();
    }

    private CompletableFuture<PooledConnection<TestConnection>> borrow() {
        CompletableFuture<PooledConnection<TestConnection>> borrow = pool.getConnectionAsync(Duration.ofMinutes(5));
        steps.runWorkers();
        return borrow;
    }

    /** One creation that took {@code took}: the usual creation time is known from then on. */
    private PooledConnection<TestConnection> oneCreationTaking(Duration took) {
        CompletableFuture<PooledConnection<TestConnection>> borrow = borrow();
        steps.advance(took);
        creator.succeed(creator.calls());
        steps.runWorkers();
        return borrow.join();
    }

    @Test
    void aCreationRunningFourTimesTheUsualTimeButAtLeast100MsGetsOneReplacement() {
        PooledConnection<TestConnection> first = oneCreationTaking(Duration.ofMillis(40)); // 4x = 160 ms
        CompletableFuture<PooledConnection<TestConnection>> waiting = borrow();
        assertThat(creator.calls()).isEqualTo(2);

        steps.advance(Duration.ofMillis(159));
        assertThat(creator.calls()).as("not yet presumed stalled").isEqualTo(2);
        steps.advance(Duration.ofMillis(2));
        assertThat(creator.calls()).as("presumed stalled: one replacement").isEqualTo(3);

        TestConnection replacement = creator.succeed(3);
        steps.runWorkers();
        assertThat(waiting.join().get()).isSameAs(replacement);
        TestConnection lateButFine = creator.succeed(2);
        steps.runWorkers();
        assertThat(lateButFine.isClosed())
                .as("a stalled creation that succeeds after all is kept")
                .isFalse();
        assertThat(pool.stats().idle()).isEqualTo(1);
        first.close();
    }

    @Test
    void fastCreationsStillWaitAtLeast100MsBeforeOneIsPresumedStalled() {
        PooledConnection<TestConnection> first = oneCreationTaking(Duration.ofMillis(1)); // 4x = 4 ms
        borrow();

        steps.advance(Duration.ofMillis(99));
        assertThat(creator.calls())
                .as("a busy machine delays creations by more than 4 ms")
                .isEqualTo(2);
        steps.advance(Duration.ofMillis(2));
        assertThat(creator.calls()).isEqualTo(3);
        first.close();
    }

    @Test
    void oneBorrowerCostsAtMostTwoCreationsHoweverLongTheyTake() {
        PooledConnection<TestConnection> first = oneCreationTaking(Duration.ofMillis(1));
        borrow();

        for (int i = 0; i < 100; i++) { // 50 s of creations that never answer, looked at every half second
            steps.advance(Duration.ofMillis(500));
        }

        assertThat(creator.calls())
                .as("the first, the one that stalls, one replacement: a replacement is not replaced in turn")
                .isEqualTo(3);
        first.close();
    }

    @Test
    void beforeAnyCreationSucceededNothingIsPresumedStalled() {
        borrow();

        steps.advance(Duration.ofSeconds(29)); // up to half the connection timeout, where the rule would stop anyway

        assertThat(creator.calls()).isEqualTo(1);
    }

    @Test
    void aCreationOvertakenByALaterOneIsPresumedStalledAtTwiceTheLaterOnesTime() {
        CompletableFuture<PooledConnection<TestConnection>> first = borrow(); // creation 1: no answer yet
        steps.advance(Duration.ofMillis(10));
        CompletableFuture<PooledConnection<TestConnection>> second = borrow(); // creation 2, started later
        steps.advance(Duration.ofMillis(150));
        creator.succeed(2); // goes to the first caller, first come, first served
        steps.runWorkers();
        assertThat(first).isCompleted();

        // Creation 1 has run 160 ms; twice creation 2's 150 ms from now on, it is presumed stalled (before the 600 ms
        // that four times the usual creation time would take).
        steps.advance(Duration.ofMillis(299));
        assertThat(creator.calls())
                .as("not yet twice as long as creation 2 took since it succeeded")
                .isEqualTo(2);
        steps.advance(Duration.ofMillis(2));
        assertThat(creator.calls())
                .as("overtaken: presumed stalled, one replacement")
                .isEqualTo(3);

        creator.succeed(3);
        steps.runWorkers();
        assertThat(second).isCompleted();
        first.join().close();
        second.join().close();
    }
}
