package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The queue of waiting callers: oldest first, any waiter can leave from anywhere, and the count stays exact. */
class WaiterQueueTest {

    private final WaiterQueue<String> queue = new WaiterQueue<>();

    private Waiter<String> waiter() {
        return new Waiter<>(0, null, true);
    }

    @Test
    void waitersLeaveInTheOrderTheyCame() {
        Waiter<String> a = waiter();
        Waiter<String> b = waiter();
        Waiter<String> c = waiter();
        queue.add(a);
        queue.add(b);
        queue.add(c);

        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.peek()).isSameAs(a);
        assertThat(queue.poll()).isSameAs(a);
        assertThat(queue.poll()).isSameAs(b);
        assertThat(queue.poll()).isSameAs(c);
        assertThat(queue.poll()).isNull();
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aWaiterLeavesFromTheMiddleAndTheOthersKeepTheirOrder() {
        Waiter<String> a = waiter();
        Waiter<String> b = waiter();
        Waiter<String> c = waiter();
        queue.add(a);
        queue.add(b);
        queue.add(c);

        queue.remove(b);
        queue.remove(b); // a second time: nothing

        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.poll()).isSameAs(a);
        assertThat(queue.poll()).isSameAs(c);
    }

    @Test
    void theOldestLeavingMakesTheNextTheOldest() {
        Waiter<String> a = waiter();
        Waiter<String> b = waiter();
        queue.add(a);
        queue.add(b);

        queue.remove(a);

        assertThat(queue.peek()).isSameAs(b);
        queue.remove(b);
        assertThat(queue.peek()).isNull();
        assertThat(queue.size()).isZero();
    }

    @Test
    void aCallerPutBackGoesToThePlaceItHadAheadOfLaterArrivals() {
        Waiter<String> a = waiter();
        Waiter<String> b = waiter();
        Waiter<String> c = waiter();
        queue.add(a);
        queue.add(b);
        queue.add(c);
        assertThat(queue.poll()).isSameAs(a);

        Waiter<String> aAgain = waiter();
        queue.addAgain(aAgain, a);

        assertThat(queue.size()).isEqualTo(3);
        assertThat(queue.poll()).isSameAs(aAgain);
        assertThat(queue.poll()).isSameAs(b);
        assertThat(queue.poll()).isSameAs(c);
        Waiter<String> cAgain = waiter();
        queue.addAgain(cAgain, c); // into an empty queue
        assertThat(queue.peek()).isSameAs(cAgain);
        assertThat(queue.poll()).isSameAs(cAgain);
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void twoCallersPutBackInEitherOrderKeepTheOrderTheyArrivedIn() {
        for (boolean olderFirst : new boolean[] {true, false}) {
            Waiter<String> a = waiter();
            Waiter<String> b = waiter();
            Waiter<String> c = waiter();
            queue.add(a);
            queue.add(b);
            queue.add(c);
            queue.poll();
            queue.poll();
            Waiter<String> aAgain = waiter();
            Waiter<String> bAgain = waiter();

            if (olderFirst) {
                queue.addAgain(aAgain, a);
                queue.addAgain(bAgain, b);
            } else {
                queue.addAgain(bAgain, b);
                queue.addAgain(aAgain, a);
            }

            assertThat(queue.poll()).as("older put back first: %s", olderFirst).isSameAs(aAgain);
            assertThat(queue.poll()).isSameAs(bAgain);
            assertThat(queue.poll()).isSameAs(c);
            assertThat(queue.isEmpty()).isTrue();
        }
    }

    @Test
    void onlyAWaiterThatChecksItsConnectionItselfIsPolledForAnUncheckedOne() {
        Waiter<String> async = waiter();
        Waiter<String> sync = new Waiter<>(0, null, false); // this thread waits
        queue.add(async);
        queue.add(sync);

        assertThat(queue.pollOneThatChecks())
                .as("the oldest is asynchronous: nobody")
                .isNull();
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.poll()).isSameAs(async);
        assertThat(queue.pollOneThatChecks()).isSameAs(sync);
        assertThat(new Waiter<String>(0, null, false, false).checksItself)
                .as("a probe's waiter")
                .isFalse();
    }

    @Test
    void theQueueCountsTheWaitersThatDoNotLook() {
        Waiter<String> async = waiter();
        Waiter<String> sync = new Waiter<>(0, null, false);
        queue.add(async);
        queue.add(sync);

        assertThat(queue.blind()).isEqualTo(1);
        queue.remove(async);
        assertThat(queue.blind()).isZero();
        assertThat(queue.poll()).isSameAs(sync);
        assertThat(queue.blind()).isZero();
    }

    @Test
    void aWaiterChecksOnlyTheSlotItsServerHandedItUnchecked() {
        Waiter<String> waiter = new Waiter<>(0, null, false);
        SlotTable<String> table = new SlotTable<>(null, 2);
        Slot<String> handed = table.get(0);
        Slot<String> takenItself = table.get(1);
        waiter.served = handed;
        waiter.checkDue = true;

        assertThat(waiter.mustCheck(handed)).isTrue();
        assertThat(waiter.mustCheck(takenItself))
                .as("a server that lost the race to the waiter serving itself left checkDue behind")
                .isFalse();
        waiter.checkDue = false;
        assertThat(waiter.mustCheck(handed)).isFalse();
    }
}
