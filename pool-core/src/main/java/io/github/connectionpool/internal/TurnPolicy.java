package io.github.connectionpool.internal;

import java.util.concurrent.TimeUnit;

/**
 * Turns: the one place where the pool bends first come, first served, and by how much.
 *
 * <p><b>What it buys.</b> Handing every returned connection to the oldest waiter means that, once callers queue, every
 * borrow parks one thread and wakes another: with more threads than connections and cores, the pool then does little
 * but switch threads (measured on 2 cores, 64 threads on 16 connections: ~170 bare cycles per ms, against ~50,000 with
 * turns). So a caller served from the queue with a connection another caller just returned (or that it took itself as
 * the oldest waiter) gets a turn of {@link #TURN_NANOS}: while it runs, the caller's returns keep the connection idle
 * for it, and its next borrow takes it back ({@link #takeInTurn} finds it in one read) although others wait. When the
 * turn is over, its next return goes to the oldest waiter. Nobody else overtakes the queue.
 *
 * <p><b>What it costs, and the bounds.</b> A waiter waits about one turn longer for each connection that goes round
 * before it (the 64-thread p99.9 went from 4.5 ms to ~10 ms). So:
 * <ul>
 *   <li>Turns run only while more callers wait than {@code strictFifoUpTo} (a user setting, 2 by default): with fewer,
 *       every return goes to the oldest waiter, strictly in order, as a caller who watches the order expects.
 *   <li>Only a waiter that {@link Waiter#looks} gets a turn (a platform thread): the oldest waiter must be able to
 *       come and take a connection kept idle for a holder that does not come back ({@link OldestWaiter}).
 *   <li>A connection kept in vain (taken from its turn by someone else, its holder never came back) keeps no first
 *       return for its next turns ({@link #KEEP_BACKOFF_TURNS}), so callers that borrow once and leave do not pay.
 *   <li>Returners time turns with a {@link TurnClock}, which queueing and waking callers move, and the holder itself
 *       every {@link #CLOCK_EVERY_USES} borrows; so a turn may run a little past {@link #TURN_NANOS}.
 * </ul>
 * The constants were tuned on a 2-core machine (docs/experiment-5ms-turns.md): 1 ms turns against 2, 3 and 5 ms.
 * {@code TurnTest} holds the bounds; {@code TurnPolicyTest} that a turn is granted and that it ends.
 *
 * <p><b>Threads.</b> The turn fields of a slot are written by its owner; {@link #turnSlots} is a racy hint table
 * checked against {@link Slot#turnHolder}.
 */
final class TurnPolicy {

    /** How long a caller served from the queue may borrow the same connection again while others wait. */
    static final long TURN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * After a turn whose first return was kept in vain, the connection keeps no first return until its
     * {@code KEEP_BACKOFF_TURNS}-th turn from then on.
     */
    static final int KEEP_BACKOFF_TURNS = 8;

    /**
     * How many borrows in a turn between two readings of the system clock by the turn's holder: the holder's returns
     * read the {@link TurnClock} (a volatile) instead of the system clock, and something must move it even while no
     * waiter runs to (virtual threads that never unmount, say).
     */
    static final int CLOCK_EVERY_USES = 64;

    private final WaiterQueue<?> waiters;
    private final int strictFifoUpTo;
    private final TurnClock clock = new TurnClock();
    /** Where each thread's turn is, by thread id (a hash: two threads may share an element, then one finds none). */
    private final int[] turnSlots;

    private final int turnSlotMask;

    TurnPolicy(WaiterQueue<?> waiters, int strictFifoUpTo, int slots) {
        this.waiters = waiters;
        this.strictFifoUpTo = strictFifoUpTo;
        this.turnSlots = new int[Integer.highestOneBit(slots * 8 - 1)];
        this.turnSlotMask = turnSlots.length - 1;
    }

    /** Whether turns may run with this many callers waiting (more than {@code strictFifoUpTo}). */
    boolean run(int waiting) {
        return waiting > strictFifoUpTo;
    }

    /** Moves the turn clock forward to real time {@code now}: callers that queue or wake call this. */
    void tick(long now) {
        clock.advance(now);
    }

    /**
     * While others wait: takes the idle connection in this thread's turn, if there is one. The turn was running when
     * this thread returned the connection (see {@link #continues}), so the borrow right after needs no clock.
     */
    <T> Slot<T> takeInTurn(SlotTable<T> slots, boolean lend) {
        long me = Thread.currentThread().getId();
        Slot<T> slot = slots.get(turnSlots[(int) me & turnSlotMask]);
        if (slot.turnHolder != me) { // another thread's turn took this element of the hint table
            slot = findTurnOf(slots, me);
            if (slot == null) {
                return null;
            }
        }
        long current = slot.stamp();
        if (Slot.state(current) != Slot.IDLE || slot.turnHolder != me || !slot.tryTake(current, lend)) {
            return null;
        }
        if (++slot.turnUses % CLOCK_EVERY_USES == 0) {
            clock.advance(System.nanoTime());
        }
        return slot;
    }

    private static <T> Slot<T> findTurnOf(SlotTable<T> slots, long threadId) {
        for (Slot<T> slot : slots.all()) {
            if (slot.state() == Slot.IDLE && slot.turnHolder == threadId) {
                return slot;
            }
        }
        return null;
    }

    /** Takes an idle slot that is in nobody's turn but this thread's, or returns {@code null}. */
    <T> Slot<T> takeOutOfTurn(SlotTable<T> slots, boolean lend) {
        long me = Thread.currentThread().getId();
        long now = System.nanoTime();
        for (Slot<T> slot : slots.all()) {
            long current = slot.stamp();
            if (Slot.state(current) == Slot.IDLE && availableOutOfTurn(slot, me, now) && slot.tryTake(current, lend)) {
                takenFrom(slot, me);
                return slot;
            }
        }
        return null;
    }

    /** Whether a thread that is not the holder may take a slot now: it is in no turn, or in that thread's. */
    static boolean availableOutOfTurn(Slot<?> slot, long threadId, long now) {
        return !slot.inTurn(now) || slot.turnHolder == threadId;
    }

    /**
     * Ends the turn of a connection just taken by {@code threadId} (0 for the pool itself). Taken by someone who is not
     * its holder, it was kept idle in vain: keeping the first return of a turn did not pay, so it is not done again
     * for a while ({@link #KEEP_BACKOFF_TURNS}).
     */
    static void takenFrom(Slot<?> slot, long threadId) {
        long holder = slot.turnHolder;
        if (holder != 0) {
            if (holder != threadId && slot.turnUses == 0) {
                slot.keepBackoff = KEEP_BACKOFF_TURNS;
            }
            slot.turnHolder = 0;
        }
    }

    /**
     * Gives the waiter being served a turn with the connection its server owns, or clears the slot's turn when it gets
     * none (see the class comment for who gets one).
     */
    void start(Slot<?> slot, Waiter<?> waiter) {
        if (!waiter.looks || !run(waiters.size())) {
            slot.turnHolder = 0;
            return;
        }
        long id = waiter.thread.getId();
        slot.turnHolder = id;
        long now = System.nanoTime();
        clock.advance(now);
        slot.turnEnds = now + TURN_NANOS;
        slot.turnUses = 0;
        if (slot.keepBackoff > 0) {
            slot.keepBackoff--;
        }
        turnSlots[(int) id & turnSlotMask] = slot.index; // a racy hint, checked against turnHolder
        Waiter<?> oldest = waiters.peek();
        if (oldest != null) {
            // It became the oldest before this turn started and may have backed off its looks: it must look at this
            // turn as often as at any other (see OldestWaiter).
            OldestWaiter.turnStarted(oldest);
        }
    }

    /**
     * Whether the returner of an owned connection may keep it idle for its own next borrow although callers wait: its
     * turn runs, the oldest waiter looks for connections left idle, and keeping the first return pays (see
     * {@link #takenFrom}).
     */
    boolean continues(Slot<?> slot) {
        Waiter<?> oldest = waiters.peek();
        return oldest != null
                && oldest.looks
                && run(waiters.size())
                && slot.inTurnOf(Thread.currentThread().getId(), clock.now())
                && (slot.turnUses > 0 || slot.keepBackoff == 0);
    }

    /** Ends any turn of a slot: nobody waits, so turns are over. */
    static void end(Slot<?> slot) {
        if (slot.turnHolder != 0) {
            slot.turnHolder = 0;
        }
    }
}
