package io.github.connectionpool.internal;

/**
 * The pool's fixed table of {@code maxSize} {@link Slot slots}: what bounds the pool. A connection exists only in a
 * slot and a creation first takes an empty slot, so live connections, counting those being created, can never exceed
 * {@code maxSize}; there is no counter that could drift.
 *
 * @param <T> the connection type
 */
final class SlotTable<T> {

    private final Slot<T>[] slots;
    /** The smallest power of two minus one that covers every index: spreads threads' start slots cheaply. */
    private final int startMask;

    @SuppressWarnings("unchecked") // a generic array of slots
    SlotTable(PoolEngine<T, ?> engine, int size) {
        this.slots = (Slot<T>[]) new Slot<?>[size];
        for (int i = 0; i < size; i++) {
            slots[i] = new Slot<>(engine, i);
        }
        this.startMask = Integer.highestOneBit(size * 2 - 1) - 1;
    }

    /** The slots, for a scan; the array must not be written. */
    Slot<T>[] all() {
        return slots;
    }

    Slot<T> get(int index) {
        return slots[index];
    }

    int size() {
        return slots.length;
    }

    /**
     * Takes an idle slot (see {@link Slot#tryTake}), starting where this thread started before, so that threads keep
     * to their own slots and rarely collide.
     *
     * @param lend lend it at once (no leak detection), or reserve it
     * @return the slot, or {@code null} when none is idle
     */
    Slot<T> takeIdle(boolean lend) {
        Slot<T>[] table = slots;
        int n = table.length;
        int i = (int) Thread.currentThread().getId() & startMask;
        if (i >= n) {
            i -= n;
        }
        for (int k = 0; k < n; k++) {
            Slot<T> slot = table[i];
            long current = slot.stamp();
            if (Slot.state(current) == Slot.IDLE && slot.tryTake(current, lend)) {
                return slot;
            }
            if (++i == n) {
                i = 0;
            }
        }
        return null;
    }

    /** Takes an empty slot for a creation, or returns {@code null} when the pool is full. */
    Slot<T> takeEmpty() {
        for (Slot<T> slot : slots) {
            if (slot.tryStartCreating()) {
                return slot;
            }
        }
        return null;
    }

    /** How many slots are in the given state right now. */
    int count(int state) {
        int n = 0;
        for (Slot<T> slot : slots) {
            if (slot.state() == state) {
                n++;
            }
        }
        return n;
    }
}
