package io.github.connectionpool.internal;

import io.github.connectionpool.PoolException;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.Ticker;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A borrow that could not take a fresh idle connection at once: it checks the connections it takes, and queues when it
 * finds none to lend; and the asynchronous borrow, which never blocks its caller.
 *
 * <p>Queueing: a caller adds itself to the {@link WaiterQueue} and then looks for idle connections, while a returner
 * publishes its connection idle and then reads the queue (see {@link Dispatcher}, and {@link ReturnBackstop} for the
 * instant both miss each other); then it starts a creation if more
 * wait than connections are on their way ({@link Creations#fillDemand()}), and waits ({@link OldestWaiter}). A caller
 * that did not come from the queue never overtakes it: while anyone waits, a borrower takes only the connection in its
 * own turn ({@link TurnPolicy}).
 *
 * @param <T> the connection type
 */
final class SlowBorrow<T> {

    private static final Logger log = LoggerFactory.getLogger(SlowBorrow.class);

    private final String name;
    private final Lifecycle lifecycle;
    private final SlotTable<T> slots;
    private final WaiterQueue<T> waiters;
    private final TurnPolicy turns;
    private final LendingCheck<T> checks;
    private final Dispatcher<T> dispatcher;
    private final Creations<T, ?> creations;
    private final Recycler<T> recycler;
    private final OldestWaiter<T> oldest;
    private final ReturnBackstop<T> backstop;
    private final PoolExecutors executors;
    private final PoolWork work;
    private final Failures failures;
    private final LeakDetector leaks;
    private final LeaseFactory<T> leases;
    private final PoolListener listener;
    private final Ticker ticker;
    private final boolean lendAtOnce;

    SlowBorrow(
            String name,
            Lifecycle lifecycle,
            SlotTable<T> slots,
            WaiterQueue<T> waiters,
            TurnPolicy turns,
            LendingCheck<T> checks,
            Dispatcher<T> dispatcher,
            Creations<T, ?> creations,
            Recycler<T> recycler,
            OldestWaiter<T> oldest,
            ReturnBackstop<T> backstop,
            PoolExecutors executors,
            PoolWork work,
            Failures failures,
            LeakDetector leaks,
            LeaseFactory<T> leases,
            PoolListener listener,
            Ticker ticker) {
        this.name = name;
        this.lifecycle = lifecycle;
        this.slots = slots;
        this.waiters = waiters;
        this.turns = turns;
        this.checks = checks;
        this.dispatcher = dispatcher;
        this.creations = creations;
        this.recycler = recycler;
        this.oldest = oldest;
        this.backstop = backstop;
        this.executors = executors;
        this.work = work;
        this.failures = failures;
        this.leaks = leaks;
        this.leases = leases;
        this.listener = listener;
        this.ticker = ticker;
        this.lendAtOnce = !leaks.enabled();
    }

    /**
     * Checks the connection taken on the fast path, if any, and while the ones it takes are closed instead takes
     * another idle one (any while nobody waits, else only one in this caller's own turn); then queues.
     *
     * @param taken an idle connection this caller took and still has to check, or {@code null}
     * @param start the borrow's start, on the pool's ticker
     * @return the slot, lent to this caller
     * @throws PoolException when no connection can be had
     */
    Slot<T> acquire(Slot<T> taken, long start, long timeoutNanos) {
        if (lifecycle.isClosed()) {
            if (taken != null) {
                recycler.putBack(taken); // closes it: close() may have passed this slot already
            }
            throw failures.closed();
        }
        long realStart = 0; // waiting is in real time: read it only once there may be a wait (a check, the queue)
        Slot<T> slot = taken;
        while (slot != null) {
            long stamp = slot.stamp();
            CheckOutcome check = CheckOutcome.FRESH;
            if (!checks.isFresh(slot, start)) {
                realStart = realStart != 0 ? realStart : System.nanoTime();
                check = checks.check(slot, start, saturatedAdd(realStart, timeoutNanos));
            }
            if (check.lendable()) {
                lend(slot, stamp, start, check == CheckOutcome.FRESH ? start : ticker.nanoTime());
                return slot;
            }
            if (check.closes()) {
                recycler.discardLater(slot, check.closeReason()); // a slow closer must not hold this caller
            } else {
                recycler.putBack(slot);
                if (check == CheckOutcome.INTERRUPTED) {
                    throw dispatcher.timedOut(failures.interrupted());
                }
                break; // no time left: the wait below ends at once with the timeout
            }
            slot = waiters.isEmpty() ? slots.takeIdle(lendAtOnce) : turns.takeInTurn(slots, lendAtOnce);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw dispatcher.timedOut(failures.interrupted()); // do not even queue: the wait would end at once
        }
        long queuedAt = realStart != 0 ? realStart : System.nanoTime();
        turns.tick(queuedAt);
        long deadline = saturatedAdd(queuedAt, timeoutNanos);
        Waiter<T> waiter = enqueue(start, deadline, true, null);
        for (; ; ) {
            try {
                slot = await(waiter, deadline, timeoutNanos);
            } finally {
                afterLeaving();
            }
            if (!waiter.mustCheck(slot) || checkServed(slot, start, deadline)) {
                return slot;
            }
            // Its connection failed the check: this caller waits again, in the place it had.
            waiter = enqueue(start, deadline, true, waiter);
        }
    }

    /**
     * Checks a connection handed over unchecked ({@link Waiter#checkDue}) on this thread, as this caller would check an
     * idle one it took, and lends it when it passes; one that fails is closed on a worker.
     *
     * @return whether the slot is now lent to this caller; false when the caller must wait again
     * @throws PoolException when the check was interrupted
     */
    private boolean checkServed(Slot<T> slot, long start, long deadline) {
        slot.tryEndLease(slot.stamp()); // the lease nobody saw: this thread owns the slot now
        if (lifecycle.isClosed()) { // close() failed the waiters after this one was served: it fails too
            recycler.putBack(slot); // closes it
            throw failures.closed();
        }
        CheckOutcome check = checks.check(slot, ticker.nanoTime(), deadline);
        if (check.lendable()) {
            lend(slot, slot.stamp(), start, ticker.nanoTime());
            return true;
        }
        if (check.closes()) {
            recycler.discardLater(slot, check.closeReason());
            return false;
        }
        recycler.putBack(slot); // to the next waiter, checked on a worker
        if (check == CheckOutcome.INTERRUPTED) {
            throw dispatcher.timedOut(failures.interrupted());
        }
        return false; // no time left: waiting again ends at once with the timeout
    }

    /**
     * Checks that a connection can be had, as a borrow would, and puts it back at once; nothing of it is reported (no
     * listener call, no timeout counted), so that a health check does not show in the pool's metrics.
     *
     * @param start the probe's start, on the pool's ticker
     * @return whether a connection came within the timeout; false means busy: connections exist and stayed lent out
     * @throws PoolException when the pool is closed, a creation for the probe failed, the thread was interrupted, or
     *     no connection came and none can come (every slot held by a creator's call the pool gave up on)
     */
    boolean probe(long start, long timeoutNanos) {
        if (lifecycle.isClosed()) {
            throw failures.closed();
        }
        long deadline = saturatedAdd(System.nanoTime(), timeoutNanos);
        Slot<T> slot;
        while (waiters.isEmpty() && (slot = slots.takeIdle(false)) != null) {
            CheckOutcome check = checks.check(slot, ticker.nanoTime(), deadline);
            if (check.lendable()) {
                dispatcher.handOver(slot); // back at once, to a waiter that came meanwhile or to the idle ones
                return true;
            }
            if (check.closes()) {
                recycler.discardLater(slot, check.closeReason());
                continue;
            }
            recycler.putBack(slot);
            if (check == CheckOutcome.INTERRUPTED) {
                throw failures.interrupted();
            }
            return false;
        }
        if (Thread.currentThread().isInterrupted()) {
            throw failures.interrupted();
        }
        Waiter<T> waiter = enqueue(start, deadline, false, null);
        try {
            Slot<T> served = oldest.await(waiter, deadline);
            if (served == null) {
                if (dispatcher.giveUp(waiter, failures.timeout(timeoutNanos))) {
                    if (creations.nothingCanServe()) {
                        throw creations.nothingCanServeException(); // down, not busy: see the method
                    }
                    return false;
                }
                served = dispatcher.resultOf(waiter); // served (or failed) in the same instant
            }
            // The slot await returned, handed over or taken by the waiter itself as the oldest (see serveSelf).
            dispatcher.unlend(served, false);
            return true;
        } finally {
            afterLeaving();
        }
    }

    /**
     * Borrows a connection without blocking the caller: a fresh idle one at once, anything else through the queue,
     * with its checks on a worker and its future completed on a worker.
     *
     * @param start the borrow's start, on the pool's ticker
     * @return the future of the handle
     */
    CompletableFuture<PooledConnection<T>> acquireAsync(long start, long timeoutNanos) {
        if (lifecycle.isClosed()) {
            return CompletableFuture.failedFuture(failures.closed());
        }
        Slot<T> stale = null;
        if (waiters.isEmpty()) {
            Slot<T> slot = slots.takeIdle(lendAtOnce);
            if (slot != null) {
                long stamp = slot.stamp();
                if (checks.isFresh(slot, start)) {
                    return CompletableFuture.completedFuture(leases.lease(slot, lend(slot, stamp, start, start)));
                }
                stale = slot; // needs a check or a close: not on the caller's thread
            }
        }
        if (stale != null) {
            creations.checkStarted(); // the taken connection is this caller's supply while it is checked
        }
        Waiter<T> waiter = enqueue(start, Recycler.ASYNC, true, null);
        if (stale != null) {
            recycler.checkCounted(stale);
        }
        if (!waiter.future.isDone()) {
            scheduleTimeout(waiter, timeoutNanos);
        }
        return waiter.future;
    }

    /** Lends an owned slot to this caller. */
    private long lend(Slot<T> slot, long taken, long start, long now) {
        long leased = slot.lendTaken(taken, now, leaks.captureBorrower());
        listener.connectionAcquired(now - start);
        if (log.isTraceEnabled()) {
            log.trace("{}: lent connection {} ({})", name, slot.index, slot.connection);
        }
        return leased;
    }

    /**
     * Queues a caller and makes sure something will serve it.
     *
     * @param deadline the real time until which a synchronous caller may be kept checking idle connections for the
     *     waiters, or {@link Recycler#ASYNC} for a caller whose thread must not block
     * @param reported whether the wait is timed and its timeout counted (all but a probe's)
     * @param served the caller's earlier wait, from which it was served a connection that failed its check: the caller
     *     goes back to its place in the queue; {@code null} for a caller that queues for the first time
     */
    private Waiter<T> enqueue(long start, long deadline, boolean reported, Waiter<T> served) {
        Waiter<T> waiter = new Waiter<>(start, leaks.captureBorrower(), deadline == Recycler.ASYNC, reported);
        if (served != null) {
            waiters.addAgain(waiter, served);
        } else {
            waiters.add(waiter);
        }
        if (lifecycle.isClosed()) { // close() may have drained the queue before we joined it
            dispatcher.failNew(waiter, failures.closed());
            return waiter;
        }
        recycler.serveFromIdle(deadline, !waiter.looks && waiters.peek() == waiter); // an oldest that cannot look
        // For a return that missed this caller, and that this caller missed, in the same instant:
        backstop.queued(waiter);
        creations.fillDemand();
        if (creations.hopeless()) { // nothing could serve this caller before the next attempt: say so now
            dispatcher.failNew(waiter, creations.backoffException());
        }
        return waiter;
    }

    private Slot<T> await(Waiter<T> waiter, long deadline, long timeoutNanos) {
        Slot<T> slot = oldest.await(waiter, deadline);
        if (slot != null) {
            return slot;
        }
        PoolTimeoutException timeout = failures.timeout(timeoutNanos);
        if (dispatcher.giveUp(waiter, timeout)) {
            throw timeout;
        }
        return dispatcher.resultOf(waiter); // served in the same instant: take it
    }

    /** A synchronous waiter left: one that is now the oldest and does not look is handed what is idle. */
    private void afterLeaving() {
        Waiter<T> first = waiters.peek();
        if (first != null && !first.looks) {
            recycler.serveFromIdle(Recycler.ASYNC, true);
        }
    }

    /**
     * Ends an asynchronous wait at its timeout, on a worker (the caller's callbacks run where the future completes).
     * Ending it may return a connection just handed over (see {@link Waiter#handed}), and a pool that closed meanwhile
     * closes that connection: so it counts as the pool's work, which {@code close()} waits for; once the pool is
     * closed, the wait is left to {@code close()} (a waiter still queued) or to the hand-over (one just served).
     */
    private void scheduleTimeout(Waiter<T> waiter, long timeoutNanos) {
        try {
            Future<?> timer = executors.schedule(
                    () -> {
                        work.started(); // before reading closed: see PoolWork
                        if (lifecycle.isClosed()) {
                            work.done();
                            return;
                        }
                        executors.executeOrRun(() -> {
                            try {
                                dispatcher.giveUp(waiter, failures.timeout(timeoutNanos));
                            } finally {
                                work.done();
                            }
                        });
                    },
                    timeoutNanos);
            waiter.future.whenComplete((lease, error) -> {
                timer.cancel(false);
                if (error != null) {
                    waiters.remove(waiter); // cancelled or completed by the caller
                }
            });
        } catch (RejectedExecutionException e) { // the pool closed meanwhile
            dispatcher.failNew(waiter, failures.closed());
        }
    }

    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum; // both positive and wrapped: the far future
    }
}
