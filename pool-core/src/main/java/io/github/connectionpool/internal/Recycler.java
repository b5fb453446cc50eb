package io.github.connectionpool.internal;

import io.github.connectionpool.Ticker;
import java.util.concurrent.RejectedExecutionException;

/**
 * Deals with idle connections that a caller cannot use as they are, off the caller's path: it checks them for
 * waiters on a worker, closes the ones that failed a borrower's check on a worker (a slow closer never holds a
 * borrower past its timeout), and puts back the ones whose check was cut short. Whatever it frees, it offers to the
 * callers waiting ({@link Creations#supplyChanged()}).
 *
 * @param <T> the connection type
 */
final class Recycler<T> {

    /** Serve-from-idle deadline of a caller whose thread must not block: its checks run on a worker. */
    static final long ASYNC = Long.MIN_VALUE;

    private final Lifecycle lifecycle;
    private final SlotTable<T> slots;
    private final WaiterQueue<T> waiters;
    private final TurnPolicy turns;
    private final LendingCheck<T> checks;
    private final Dispatcher<T> dispatcher;
    private final Creations<T, ?> creations;
    private final Closer<T> closer;
    private final PoolExecutors executors;
    private final PoolWork work;
    private final Ticker ticker;

    Recycler(
            Lifecycle lifecycle,
            SlotTable<T> slots,
            WaiterQueue<T> waiters,
            TurnPolicy turns,
            LendingCheck<T> checks,
            Dispatcher<T> dispatcher,
            Creations<T, ?> creations,
            Closer<T> closer,
            PoolExecutors executors,
            PoolWork work,
            Ticker ticker) {
        this.lifecycle = lifecycle;
        this.slots = slots;
        this.waiters = waiters;
        this.turns = turns;
        this.checks = checks;
        this.dispatcher = dispatcher;
        this.creations = creations;
        this.closer = closer;
        this.executors = executors;
        this.work = work;
        this.ticker = ticker;
    }

    /** Closes an owned connection on this thread, frees its slot and offers the slot to the waiters. */
    void discard(Slot<T> slot, String reason) {
        closer.discard(slot, reason);
        creations.supplyChanged();
    }

    /**
     * Closes an owned connection on a worker (on this thread once the pool is closed): the slot counts as idle, not
     * lent, until its connection is closed and it is free.
     */
    void discardLater(Slot<T> slot, String reason) {
        slot.sweep();
        work.started(); // before reading closed: close() either waits for this or is seen below (see PoolWork)
        if (lifecycle.isClosed()) {
            discardNow(slot, reason);
            return;
        }
        try {
            executors.execute(() -> discardNow(slot, reason));
        } catch (RejectedExecutionException e) { // the pool closed meanwhile
            discardNow(slot, reason);
        }
    }

    private void discardNow(Slot<T> slot, String reason) {
        try {
            discard(slot, reason);
        } finally {
            work.done();
        }
    }

    /**
     * Makes an owned connection idle again without checking it (its check was interrupted or ran out of the
     * borrower's time); any waiter is served by a worker, which checks it first.
     */
    void putBack(Slot<T> slot) {
        TurnPolicy.end(slot);
        slot.publishIdle();
        if (lifecycle.isClosed()) { // close() may have passed this slot already
            if (slot.trySweep()) {
                closer.discard(slot, "the pool is closed");
            }
        } else if (!waiters.isEmpty()) {
            serveFromIdle(ASYNC, true);
        }
    }

    /**
     * While callers wait, hands them the idle connections a concurrent return may have left behind.
     *
     * @param deadline the real time until which a synchronous caller may be kept checking connections for the
     *     waiters, or {@link #ASYNC} to check them on a worker
     * @param inTurns whether to take connections kept idle in someone's turn too (for an oldest waiter that does not
     *     look, which cannot come and look for them itself)
     */
    void serveFromIdle(long deadline, boolean inTurns) {
        Slot<T> slot;
        while (!waiters.isEmpty()
                && (slot = inTurns ? slots.takeIdle(false) : turns.takeOutOfTurn(slots, false)) != null) {
            TurnPolicy.takenFrom(slot, 0);
            if (deadline != ASYNC) {
                checkAndHandOver(slot, deadline, false);
            } else {
                checkForWaiters(slot);
            }
        }
    }

    /**
     * Checks an owned idle connection on a worker and hands it to the oldest waiter. It counts as supply for the
     * waiters until the hand-over is done.
     */
    void checkForWaiters(Slot<T> slot) {
        creations.checkStarted();
        checkCounted(slot);
    }

    /** As {@link #checkForWaiters}, for a connection the caller already counted ({@link Creations#checkStarted()}). */
    void checkCounted(Slot<T> slot) {
        work.started(); // before reading closed: close() either waits for this or is seen below (see PoolWork)
        if (lifecycle.isClosed()) {
            work.done();
            creations.checkEnded();
            closer.discard(slot, "the pool is closed");
            return;
        }
        try {
            executors.execute(() -> {
                try {
                    checkAndHandOver(slot, Long.MAX_VALUE, true);
                } finally {
                    work.done();
                    creations.checkEnded();
                }
            });
        } catch (RejectedExecutionException e) { // the pool closed meanwhile
            work.done();
            creations.checkEnded();
            closer.discard(slot, "the pool is closed");
        }
    }

    private void checkAndHandOver(Slot<T> slot, long deadline, boolean onWorker) {
        CheckOutcome outcome = checks.check(slot, ticker.nanoTime(), deadline);
        if (outcome.lendable()) {
            dispatcher.handOver(slot);
        } else if (outcome.closes()) {
            if (onWorker) {
                discard(slot, outcome.closeReason());
            } else {
                discardLater(slot, outcome.closeReason());
            }
        } else {
            putBack(slot);
        }
    }
}
