package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Turns (see {@link TurnPolicy}): when one is granted, that it ends, and what bounds it. {@code TurnTest} holds the
 * same bounds in a pool with threads.
 */
class TurnPolicyTest {

    private static final int STRICT_UP_TO = 2;

    private final WaiterQueue<String> waiters = new WaiterQueue<>();
    private final TurnPolicy turns = new TurnPolicy(waiters, STRICT_UP_TO, 4);
    private final SlotTable<String> slots = new SlotTable<>(null, 4);
    private final Slot<String> slot = slots.get(1);
    private final long me = Thread.currentThread().getId();

    /** {@code n} synchronous platform-thread waiters (they look for connections left in turns). */
    private Waiter<String> queue(int n) {
        Waiter<String> first = null;
        for (int i = 0; i < n; i++) {
            Waiter<String> waiter = new Waiter<>(0, null, false);
            waiters.add(waiter);
            first = first != null ? first : waiter;
        }
        return first;
    }

    /** The slot with a connection, owned by this thread, as when it is handed to a waiter. */
    private void owned() {
        slot.tryStartCreating();
        slot.connection = "c";
        slot.created();
    }

    @Test
    void aTurnIsGrantedOnlyWhileMoreCallersWaitThanTheStrictBand() {
        assertThat(turns.run(STRICT_UP_TO)).isFalse();
        assertThat(turns.run(STRICT_UP_TO + 1)).isTrue();
    }

    @Test
    void aWaiterServedWhileManyWaitGetsATurnAndItsReturnsStayInIt() {
        owned();
        Waiter<String> served = new Waiter<>(0, null, false);
        queue(STRICT_UP_TO + 1);

        turns.start(slot, served);

        assertThat(slot.turnHolder).isEqualTo(me);
        assertThat(turns.continues(slot))
                .as("its return stays idle for its next borrow")
                .isTrue();
        slot.publishIdle();
        assertThat(turns.takeInTurn(slots, true))
                .as("and its next borrow takes it back")
                .isSameAs(slot);
    }

    @Test
    void withinTheStrictBandNoTurnIsGranted() {
        owned();
        Waiter<String> served = new Waiter<>(0, null, false);
        queue(STRICT_UP_TO);

        turns.start(slot, served);

        assertThat(slot.turnHolder).isZero();
        assertThat(turns.continues(slot)).isFalse();
    }

    @Test
    void anAsynchronousWaiterGetsNoTurn() {
        owned();
        Waiter<String> served = new Waiter<>(0, null, true);
        queue(STRICT_UP_TO + 1);

        turns.start(slot, served);

        assertThat(slot.turnHolder).isZero();
    }

    @Test
    void aTurnEndsAfterTurnNanos() {
        owned();
        queue(STRICT_UP_TO + 1);
        turns.start(slot, new Waiter<>(0, null, false));
        assertThat(turns.continues(slot)).isTrue();

        turns.tick(slot.turnEnds); // a waiter moved the turn clock to the turn's end

        assertThat(turns.continues(slot)).isFalse();
        assertThat(slot.turnEnds - TurnPolicy.TURN_NANOS).isLessThanOrEqualTo(System.nanoTime());
    }

    @Test
    void theHolderMovesTheTurnClockItselfEveryClockEveryUsesBorrows() {
        owned();
        queue(STRICT_UP_TO + 1);
        turns.start(slot, new Waiter<>(0, null, false));
        slot.turnEnds = System.nanoTime(); // over in real time, but no waiter has moved the turn clock since
        assertThat(turns.continues(slot))
                .as("the lagging clock still shows the turn")
                .isTrue();

        for (int use = 1; use <= TurnPolicy.CLOCK_EVERY_USES; use++) {
            slot.publishIdle();
            assertThat(turns.takeInTurn(slots, true)).isSameAs(slot);
        }

        assertThat(turns.continues(slot))
                .as("the holder's own borrows ended it")
                .isFalse();
    }

    @Test
    void aConnectionKeptInVainKeepsNoFirstReturnForItsNextTurns() {
        owned();
        queue(STRICT_UP_TO + 1);
        turns.start(slot, new Waiter<>(0, null, false));

        TurnPolicy.takenFrom(slot, me + 1); // the oldest waiter took it: its holder never came back

        assertThat(slot.keepBackoff).isEqualTo(TurnPolicy.KEEP_BACKOFF_TURNS);
        for (int turn = 1; turn <= TurnPolicy.KEEP_BACKOFF_TURNS; turn++) {
            turns.start(slot, new Waiter<>(0, null, false));
            assertThat(turns.continues(slot))
                    .as("turn %d keeps its first return", turn)
                    .isEqualTo(turn == TurnPolicy.KEEP_BACKOFF_TURNS);
        }
        turns.start(slot, new Waiter<>(0, null, false));
        assertThat(turns.continues(slot)).isTrue();
    }

    @Test
    void aBorrowerTakesOnlyTheConnectionInItsOwnTurnWhileOthersWait() {
        owned();
        queue(STRICT_UP_TO + 1);
        turns.start(slot, new Waiter<>(0, null, false));
        slot.publishIdle();
        slot.turnHolder = me + 1; // someone else's turn

        assertThat(turns.takeInTurn(slots, true)).isNull();
        assertThat(turns.takeOutOfTurn(slots, true))
                .as("in another's running turn")
                .isNull();
    }
}
