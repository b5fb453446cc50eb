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
}
