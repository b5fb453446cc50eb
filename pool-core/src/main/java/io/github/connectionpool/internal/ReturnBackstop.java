package io.github.connectionpool.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finds connections that a return left idle while callers wait: the safety net of the return without a fence.
 *
 * <p><b>Why there are such connections.</b> A return publishes its connection idle with a release store and then reads
 * the waiter queue ({@link Slot#returnIdle}); a caller that queues adds itself and then looks at the slots
 * ({@link Recycler#serveFromIdle}). Without a full fence between the store and the read, both may miss each other in
 * the instant they overlap: the connection stays idle and the caller waits. A waiting platform thread finds it at its
 * next look as the oldest ({@link OldestWaiter}); asynchronous callers and virtual threads do not look.
 *
 * <p><b>What it does.</b> Each caller that queues and does not look arms a sweep {@link #SWEEP_AFTER_NANOS} later,
 * unless one is armed already; the sweep hands idle connections (outside anyone's turn, or any when the oldest waiter
 * cannot look for them) to the waiters, and arms the next while such a caller still waits (a return into a turn can
 * also miss the moment one of them becomes the oldest). What it buys: such a connection reaches a waiter within about
 * a millisecond, whatever kind of waiter it is ({@code MissedReturnTest} fails without it). What it costs: while
 * callers that do not look wait, the pool's scheduler wakes once a millisecond; nothing while only platform threads
 * wait, whose looks are their backstop (so callers waiting out an outage do not keep the scheduler busy); and a caller
 * caught in that instant waits up to a millisecond (a look, for a platform thread) for a connection that was there,
 * so a borrow with a shorter timeout may time out. The delay is a judgement, not a measured optimum: the race is rare
 * (a store's trip to memory takes nanoseconds), so the sweep almost never finds anything; a shorter delay wakes the
 * scheduler more often for nothing, a longer one lets such a connection wait longer.
 *
 * @param <T> the connection type
 */
final class ReturnBackstop<T> {

    /** How long after a caller queued the sweep runs, and how often while callers wait. */
    static final long SWEEP_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Lifecycle lifecycle;
    private final WaiterQueue<T> waiters;
    private final Recycler<T> recycler;
    private final PoolExecutors executors;
    private final AtomicBoolean armed = new AtomicBoolean();

    ReturnBackstop(Lifecycle lifecycle, WaiterQueue<T> waiters, Recycler<T> recycler, PoolExecutors executors) {
        this.lifecycle = lifecycle;
        this.waiters = waiters;
        this.recycler = recycler;
        this.executors = executors;
    }

    /** A caller queued: makes sure a sweep comes, unless the caller looks for connections itself. */
    void queued(Waiter<T> waiter) {
        if (!waiter.looks) {
            arm();
        }
    }

    private void arm() {
        if (!armed.get() && armed.compareAndSet(false, true)) {
            try {
                executors.schedule(this::sweep, SWEEP_AFTER_NANOS);
            } catch (RejectedExecutionException e) { // the pool closed: close() fails the waiters
                armed.set(false);
            }
        }
    }

    /** Runs on the scheduler thread: hands what is idle to the waiters (their checks run on a worker). */
    private void sweep() {
        armed.set(false); // before reading the queue: a caller queueing from now on arms the next sweep
        if (lifecycle.isClosed() || waiters.blind() == 0) {
            return;
        }
        Waiter<T> oldest = waiters.peek();
        recycler.serveFromIdle(Recycler.ASYNC, oldest != null && !oldest.looks);
        if (waiters.blind() > 0) {
            arm(); // a return into a turn may also be missed when one of them becomes the oldest
        }
    }
}
