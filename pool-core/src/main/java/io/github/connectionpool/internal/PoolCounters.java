package io.github.connectionpool.internal;

import io.github.connectionpool.PoolStats;
import java.util.concurrent.atomic.AtomicLong;

/** The pool's cumulative counts, and the snapshot {@link PoolStats} built from them. Off the hot path. */
final class PoolCounters {
    final AtomicLong created = new AtomicLong();
    final AtomicLong destroyed = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong creationFailures = new AtomicLong();
    final AtomicLong validationFailures = new AtomicLong();

    /**
     * A snapshot of the slots, the waiters and these counters. A slot the pool holds for a moment to check or close it
     * counts as idle, one held for a borrower (being checked for it or handed to it) as active, and a creation whose
     * call still runs as creating, even after its callers were told it timed out.
     */
    PoolStats snapshot(SlotTable<?> slots, WaiterQueue<?> waiters) {
        int idle = 0;
        int active = 0;
        int creating = 0;
        for (Slot<?> slot : slots.all()) {
            switch (slot.state()) {
                case Slot.IDLE, Slot.SWEPT -> idle++;
                case Slot.LEASED, Slot.RESERVED -> active++;
                case Slot.CREATING -> creating++;
                default -> {}
            }
        }
        return new PoolStats(
                active,
                idle,
                waiters.size(),
                active + idle + creating,
                slots.size(),
                created.get(),
                destroyed.get(),
                timeouts.get(),
                creationFailures.get(),
                validationFailures.get());
    }
}
