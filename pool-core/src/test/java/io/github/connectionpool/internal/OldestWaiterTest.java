package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The oldest waiter's looks and yields (see {@link OldestWaiter}); {@code TurnTest} measures them in a pool: a
 * connection left idle in a turn reaches the next waiter, and waiting costs next to no CPU while no turn runs.
 */
class OldestWaiterTest {

    private static final long EVERY = OldestWaiter.LOOKS_EVERY_NANOS;
    private static final long AT_MOST = OldestWaiter.LOOKS_AT_MOST_EVERY_NANOS;

    @Test
    void looksBackOffByDoublingWhileNoTurnRunsUpToTheLongestPause() {
        long pause = EVERY;
        int looks = 0;
        while (pause < AT_MOST) {
            long next = OldestWaiter.nextLookPause(false, pause);
            assertThat(next).isEqualTo(Math.min(2 * pause, AT_MOST));
            pause = next;
            looks++;
        }
        assertThat(looks).as("from 200 us to 10 ms").isEqualTo(6);
        assertThat(OldestWaiter.nextLookPause(false, AT_MOST)).isEqualTo(AT_MOST);
    }

    @Test
    void aLookThatFindsATurnRunningLooksAtTheShortestPauseAgain() {
        assertThat(OldestWaiter.nextLookPause(true, AT_MOST)).isEqualTo(EVERY);
    }

    @Test
    void theOldestYieldsOnlyInItsFirstMillisecondAndOnlyWhileTurnsRun() {
        long since = 1_000;
        long until = since + OldestWaiter.YIELDS_FOR_NANOS;

        assertThat(OldestWaiter.yields(since, until, EVERY)).isTrue();
        assertThat(OldestWaiter.yields(until - 1, until, EVERY)).isTrue();
        assertThat(OldestWaiter.yields(until, until, EVERY))
                .as("after its first millisecond")
                .isFalse();
        assertThat(OldestWaiter.yields(since, until, 2 * EVERY))
                .as("no turn found: parks")
                .isFalse();
    }

    @Test
    void aStartingTurnWakesOnlyAnOldestThatBackedOff() {
        Waiter<String> oldest = new Waiter<>(0, null, false);
        oldest.lookPause = AT_MOST;
        OldestWaiter.turnStarted(oldest); // unparks this thread: the permit makes the next park return at once
        long start = System.nanoTime();
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(10));
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }
}
