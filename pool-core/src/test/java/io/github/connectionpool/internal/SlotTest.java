package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A slot's named transitions: who may take it from which state, and what a stale lease can no longer do. */
class SlotTest {

    private final SlotTable<String> table = new SlotTable<>(null, 1);
    private final Slot<String> slot = table.get(0);

    /** A slot with a connection, idle. */
    private void idle() {
        assertThat(slot.tryStartCreating()).isTrue();
        slot.connection = "c";
        slot.created();
        slot.publishIdle();
    }

    @Test
    void anEmptySlotCanOnlyBeTakenForACreationOnce() {
        assertThat(slot.state()).isEqualTo(Slot.EMPTY);
        assertThat(slot.tryLease()).isEqualTo(-1);
        assertThat(slot.trySweep()).isFalse();

        assertThat(slot.tryStartCreating()).isTrue();
        assertThat(slot.tryStartCreating()).isFalse();
        assertThat(slot.state()).isEqualTo(Slot.CREATING);
        assertThat(table.takeEmpty()).isNull();
    }

    @Test
    void anIdleSlotIsLentOnceAndEachLeaseHasItsOwnStamp() {
        idle();
        long first = slot.tryLease();
        assertThat(first).isNotEqualTo(-1);
        assertThat(slot.tryLease()).as("already lent").isEqualTo(-1);

        long idle = slot.returnIdle(first);
        assertThat(Slot.state(idle)).isEqualTo(Slot.IDLE);
        long second = slot.tryLease();

        assertThat(second).isNotEqualTo(first);
        assertThat(Slot.state(second)).isEqualTo(Slot.LEASED);
    }

    @Test
    void aStaleLeaseCannotEndTheNextOne() {
        idle();
        long first = slot.tryLease();
        slot.returnIdle(first);
        long second = slot.tryLease();

        // (A stale return never reaches returnIdle: the pool compares the handle's stamp first.)
        assertThat(slot.stamp()).isNotEqualTo(first);
        assertThat(slot.tryEndLease(first)).isFalse();
        assertThat(slot.stamp()).isEqualTo(second);
        assertThat(slot.tryEndLease(second)).isTrue();
        assertThat(slot.state()).isEqualTo(Slot.RESERVED);
    }

    @Test
    void aReturnedSlotCanBeTakenBackOnlyWhileNobodyTookIt() {
        idle();
        long lease = slot.tryLease();
        long idle = slot.returnIdle(lease);

        assertThat(slot.tryRetake(idle)).isTrue();
        assertThat(slot.state()).isEqualTo(Slot.RESERVED);
        long again = slot.publishIdle();
        assertThat(slot.tryTake(again, true)).isTrue(); // another borrower
        assertThat(slot.tryRetake(again)).as("taken by someone else meanwhile").isFalse();
    }

    @Test
    void takingAnIdleSlotLendsItAtOnceOrReservesIt() {
        idle();
        long idle = slot.stamp();
        assertThat(slot.tryTake(idle, false)).isTrue();
        assertThat(slot.state()).isEqualTo(Slot.RESERVED);
        long lease = slot.lend(1, null);
        assertThat(Slot.state(lease)).isEqualTo(Slot.LEASED);
        assertThat(slot.leasedAt).isEqualTo(1);

        long idleAgain = slot.returnIdle(lease);
        assertThat(slot.tryTake(idleAgain, true)).isTrue();
        assertThat(slot.state()).isEqualTo(Slot.LEASED);
        assertThat(slot.lendTaken(slot.stamp(), 2, null)).as("already lent").isEqualTo(slot.stamp());
    }

    @Test
    void theCleanupSweepsOnlyIdleSlotsAndAFreedSlotTakesAnotherCreation() {
        idle();
        assertThat(slot.trySweep()).isTrue();
        assertThat(slot.trySweep()).isFalse();
        assertThat(slot.tryLease()).isEqualTo(-1);

        slot.free();

        assertThat(slot.state()).isEqualTo(Slot.EMPTY);
        assertThat(slot.connection).isNull();
        assertThat(table.takeEmpty()).isSameAs(slot);
    }
}
