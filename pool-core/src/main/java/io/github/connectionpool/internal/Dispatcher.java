package io.github.connectionpool.internal;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolException;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.Ticker;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that completes a waiter's future: it hands connections to waiters (or makes them idle when nobody
 * waits), fails waiters, ends their waits with timeouts, and counts those.
 *
 * <p><b>One agreement point.</b> A hand-over counts only when it completes the waiter's future; a waiter that timed
 * out, was cancelled or was interrupted has completed it itself first, so the hand-over fails and the connection goes to
 * the next waiter instead of being lost. A synchronous waiter's future completes with {@code null} and it reads its
 * slot from {@link Waiter#served}; an asynchronous waiter's completes with its lease, on a worker, never on the thread
 * that returned the connection (see {@link #deliverAsync}).
 *
 * <p><b>No lost hand-over.</b> A returner publishes the slot idle and then reads the waiter count; a waiter adds itself
 * and then looks for idle slots. The return's store has no full fence ({@link Slot#returnIdle}), so in the instant
 * they overlap both may miss the other: the oldest waiter's looks ({@link OldestWaiter}) and {@link ReturnBackstop}
 * find such a connection, as they find one kept idle in a turn whose holder does not come back.
 *
 * <p><b>Timeouts.</b> {@code stats().timeouts()} counts every borrow that fails with a {@link PoolTimeoutException},
 * queued or not: every such failure passes through {@link #giveUp}, {@link #failOldest} or {@link #timedOut}, which
 * count it before the caller can see it, so that stats read right after are exact. A probe's wait (a health check) is
 * neither counted nor timed ({@link Waiter#reported}).
 *
 * @param <T> the connection type
 */
final class Dispatcher<T> {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** What a returned connection needs after {@link #handBack}. */
    enum HandBack {
        /** Handed over, kept idle, or closed: the returner is done with it. */
        DONE,
        /** A waiter would get it but its check is due: the returner still owns it and has it checked off its path. */
        CHECK_FIRST
    }

    private final String name;
    private final Lifecycle lifecycle;
    private final WaiterQueue<T> waiters;
    private final TurnPolicy turns;
    private final LendingCheck<T> checks;
    private final Closer<T> closer;
    private final Ticker ticker;
    private final PoolListener listener;
    private final LeaseFactory<T> leases;
    private final PoolExecutors executors;
    private final PoolCounters counters;

    Dispatcher(
            String name,
            Lifecycle lifecycle,
            WaiterQueue<T> waiters,
            TurnPolicy turns,
            LendingCheck<T> checks,
            Closer<T> closer,
            Ticker ticker,
            PoolListener listener,
            LeaseFactory<T> leases,
            PoolExecutors executors,
            PoolCounters counters) {
        this.name = name;
        this.lifecycle = lifecycle;
        this.waiters = waiters;
        this.turns = turns;
        this.checks = checks;
        this.closer = closer;
        this.ticker = ticker;
        this.listener = listener;
        this.leases = leases;
        this.executors = executors;
        this.counters = counters;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Handing connections over

    /** Gives an owned connection just created or checked to the oldest waiter, or makes it idle when nobody waits. */
    void handOver(Slot<T> slot) {
        dispatch(slot, true);
    }

    /**
     * Gives an owned connection its borrower returned to the oldest waiter: kept idle instead while its returner's
     * turn runs, checked first when the checks are due, and with a turn for the waiter it goes to.
     */
    HandBack handBack(Slot<T> slot) {
        return dispatch(slot, false);
    }

    /**
     * Ends a lease while callers wait (the pool may close meanwhile): the connection stays idle in its returner's turn,
     * or goes to the oldest waiter. The lease ends here (a second close of it does nothing), so the returner may call
     * this only once per lease.
     *
     * @return {@link HandBack#CHECK_FIRST} when the returner still owns the connection and must have it checked
     */
    HandBack returnWhileQueued(Slot<T> slot, long leaseStamp, long usageNanos) {
        if (!lifecycle.isClosed() && turns.continues(slot)) {
            long idle = slot.returnIdle(leaseStamp); // a store, no fence: see Slot.returnIdle
            listener.connectionReturned(usageNanos);
            if (staysIdleInTurn(slot, idle)) {
                return HandBack.DONE; // kept for this thread's next borrow
            }
        } else {
            if (!slot.tryEndLease(leaseStamp)) {
                return HandBack.DONE; // a concurrent close() of the same lease won
            }
            listener.connectionReturned(usageNanos);
        }
        return handBack(slot);
    }

    /**
     * @param checked whether the connection was just created or checked; a returned one is kept in its returner's
     *     turn, is checked first when a waiter would get it and its checks are due, and starts a turn for the waiter
     */
    private HandBack dispatch(Slot<T> slot, boolean checked) {
        boolean turnOver = checked;
        for (; ; ) {
            if (lifecycle.isClosed()) {
                closer.discard(slot, "the pool is closed");
                return HandBack.DONE;
            }
            if (!turnOver) {
                turnOver = true;
                if (keepInTurn(slot)) {
                    return HandBack.DONE;
                }
            }
            // A waiter gets the checks any borrower gets, but not on the returning thread: returning does no I/O. A
            // waiter with a thread of its own checks it there once served; an asynchronous one gets it checked first.
            boolean due = !checked && !waiters.isEmpty() && checks.needsCheck(slot, ticker.nanoTime());
            Waiter<T> waiter = due ? waiters.pollOneThatChecks() : waiters.poll();
            if (waiter == null && due && !waiters.isEmpty()) {
                return HandBack.CHECK_FIRST; // the oldest waiter cannot check it itself
            }
            if (waiter == null) {
                TurnPolicy.end(slot); // nobody waits: turns are over
                long idle = slot.publishIdle();
                if (waiters.isEmpty() && !lifecycle.isClosed()) {
                    return HandBack.DONE;
                }
                // Somebody queued after the poll and may have searched the slots before this one was idle.
                if (!slot.tryRetake(idle)) {
                    return HandBack.DONE; // somebody else took it: they serve the waiter
                }
                continue;
            }
            if (!waiter.future.isDone() && serve(waiter, slot, !checked, due)) {
                return HandBack.DONE;
            }
            // That waiter had given up (timed out, cancelled, interrupted) or served itself: the next one.
        }
    }

    /**
     * Lends an owned connection to a waiter polled from the queue.
     *
     * @param withTurn whether the waiter may get a turn (a connection its borrower just returned)
     * @param checkDue whether the connection still needs its check, which the waiter then runs itself (it
     *     {@linkplain Waiter#checksItself checks itself}); its borrow is reported once the check passed
     * @return whether the waiter took it; otherwise the slot is owned by this thread again
     */
    private boolean serve(Waiter<T> waiter, Slot<T> slot, boolean withTurn, boolean checkDue) {
        long now = ticker.nanoTime();
        if (withTurn) {
            turns.start(slot, waiter);
        } else {
            slot.turnHolder = 0; // a new connection, or one checked on a worker: no turn comes with it
        }
        long leased = slot.lend(now, waiter.borrower);
        if (waiter.reported && !checkDue) {
            // Timed before the hand-over, so that a borrower reading its metrics right away finds this borrow.
            listener.connectionAcquired(now - waiter.startNanos);
        }
        waiter.checkDue = checkDue; // read by the waiter only with the slot this server gives it (Waiter#mustCheck)
        if (waiter.async) {
            return deliverAsync(waiter, slot, leased);
        }
        waiter.served = slot; // read by the waiter only once its future completed (see Waiter#served)
        if (waiter.future.complete(null)) {
            if (log.isTraceEnabled()) {
                log.trace("{}: handed connection {} to a waiting caller", name, slot.index);
            }
            return true;
        }
        waiter.served = null;
        slot.tryEndLease(leased); // that waiter gave up or served itself; nobody saw the lease
        return false;
    }

    /**
     * Completing an asynchronous waiter's future runs the caller's own callbacks: never on this thread (a returning
     * caller, possibly inside another callback), but on a worker. Until then the lease waits in
     * {@link Waiter#handed}, where whoever completes the future otherwise meanwhile (a cancel, a timeout,
     * {@code close()}) takes it back: the store there and the completion are both volatile, so this thread sees the
     * completion below or the completer sees the lease.
     */
    private boolean deliverAsync(Waiter<T> waiter, Slot<T> slot, long leased) {
        PooledConnection<T> lease = leases.lease(slot, leased);
        waiter.handed.set(lease);
        if (waiter.future.isDone()) {
            if (waiter.handed.compareAndSet(lease, null)) {
                slot.tryEndLease(leased); // gave up meanwhile: the next waiter
                return false;
            }
            return true; // whoever completed the future took the lease and returns it
        }
        executors.executeOrRun(() -> {
            if (waiter.future.complete(lease)) {
                waiter.handed.compareAndSet(lease, null); // delivered: only the reference is left to drop
            }
        });
        return true;
    }

    /**
     * Keeps a returned connection idle for its returner's next borrow while the returner's turn runs.
     *
     * @return whether the connection is now idle in the turn (or already taken from there)
     */
    private boolean keepInTurn(Slot<T> slot) {
        if (!turns.continues(slot)) {
            return false;
        }
        return staysIdleInTurn(slot, slot.publishIdle());
    }

    /**
     * After a connection was made idle in its returner's turn: takes it back when a waiter that does not look became
     * the oldest meanwhile (it cannot come and look for it; a leaving waiter looks out for it too) or the pool closed
     * (close() may have passed this slot).
     *
     * @return whether it stays idle (or was taken from there already); false when it is owned again
     */
    private boolean staysIdleInTurn(Slot<T> slot, long idle) {
        Waiter<T> oldest = waiters.peek();
        if ((oldest == null || oldest.looks) && !lifecycle.isClosed()) {
            return true;
        }
        return !slot.tryRetake(idle);
    }

    /**
     * The oldest waiter serves itself with a connection it took and checked: it leaves the queue by completing its
     * own future, which no hand-over can then complete; a hand-over that came first wins, and the connection goes on
     * to the next waiter.
     *
     * @param taken the stamp the slot was taken with
     * @return whether the waiter now holds the connection
     */
    boolean serveSelf(Waiter<T> waiter, Slot<T> slot, long taken) {
        if (!waiter.future.complete(null)) {
            handOver(slot);
            return false;
        }
        waiters.remove(waiter);
        turns.start(slot, waiter);
        long now = ticker.nanoTime();
        slot.lendTaken(taken, now, waiter.borrower);
        if (waiter.reported) {
            listener.connectionAcquired(now - waiter.startNanos);
        }
        if (log.isTraceEnabled()) {
            log.trace("{}: lent connection {} to the oldest waiter", name, slot.index);
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Ending waits

    /**
     * Ends a wait with a timeout (or an interruption), unless the waiter was served first. The queue and the counter
     * reflect it before the caller can see the exception.
     *
     * @return whether the wait ended with the timeout
     */
    boolean giveUp(Waiter<T> waiter, PoolTimeoutException timeout) {
        waiters.remove(waiter);
        return fail(waiter, timeout);
    }

    /** Completes a waiter's future with a failure, counting a timeout before the caller can see it. */
    private boolean fail(Waiter<T> waiter, PoolException failure) {
        boolean counted = waiter.reported && failure instanceof PoolTimeoutException;
        if (counted) {
            counters.timeouts.incrementAndGet();
        }
        if (waiter.future.completeExceptionally(failure)) {
            return true;
        }
        if (counted) {
            counters.timeouts.decrementAndGet(); // served or failed first
        }
        return false;
    }

    /**
     * A synchronous waiter that was interrupted in the same instant as it was served: its connection, which it never
     * saw, goes back (its listener hears of a return, as it heard of the borrow).
     */
    void unlend(Waiter<T> waiter) {
        unlend(waiter.served, waiter.reported);
    }

    /**
     * Ends a lease that this thread holds on {@code slot} and that no user code saw, and hands the slot on. Only a
     * lent slot is taken: a stale reference to one that moved on since is left alone.
     */
    void unlend(Slot<T> slot, boolean reported) {
        if (slot == null) {
            return;
        }
        long leased = slot.stamp();
        if (Slot.state(leased) == Slot.LEASED && slot.tryEndLease(leased)) {
            if (reported) {
                listener.connectionReturned(ticker.nanoTime() - slot.leasedAt);
            }
            handOver(slot);
        }
    }

    /**
     * Fails the oldest caller still waiting, the one a failed creation was for.
     *
     * @param failure the creation's failure; a {@link PoolTimeoutException} counts as the caller's timeout
     */
    void failOldest(PoolException failure) {
        Waiter<T> waiter;
        while ((waiter = waiters.poll()) != null) {
            if (fail(waiter, failure)) {
                return;
            }
            // That caller had left already: the next one.
        }
    }

    /** Fails every waiting caller: the pool closed, or nothing could serve them before the next creation attempt. */
    void failAll(Supplier<? extends PoolException> failure) {
        Waiter<T> waiter;
        while ((waiter = waiters.poll()) != null) {
            fail(waiter, failure.get());
        }
    }

    /** Fails a waiter that just joined, before anything could serve it (the pool closed, or creation backs off). */
    void failNew(Waiter<T> waiter, PoolException failure) {
        waiters.remove(waiter);
        fail(waiter, failure);
    }

    /** Counts a borrow that fails with a timeout (or an interruption) without having waited in the queue. */
    PoolTimeoutException timedOut(PoolTimeoutException timeout) {
        counters.timeouts.incrementAndGet();
        return timeout;
    }

    /**
     * The slot handed to a synchronous waiter whose future has completed, or the failure that completed it, thrown
     * anew so that its stack trace shows the caller rather than the thread that set it.
     */
    Slot<T> resultOf(Waiter<T> waiter) {
        try {
            waiter.future.join();
            return waiter.served;
        } catch (RuntimeException e) {
            throw rethrown(e.getCause() != null ? e.getCause() : e);
        }
    }

    private static PoolException rethrown(Throwable failure) {
        if (failure instanceof PoolTimeoutException e) {
            return new PoolTimeoutException(e.getMessage(), e.getCause());
        } else if (failure instanceof PoolClosedException e) {
            return new PoolClosedException(e.getMessage());
        } else if (failure instanceof ConnectionCreationException e) {
            return new ConnectionCreationException(e.getMessage(), e.getCause());
        }
        throw new IllegalStateException("unexpected failure of a pool waiter", failure);
    }
}
