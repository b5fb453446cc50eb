package io.github.connectionpool.internal;

import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a synchronous caller waits in the queue, and how the oldest one looks for connections left idle in turns.
 *
 * <p><b>Waiting.</b> A waiter parks its thread and is unparked by whoever serves it ({@link Dispatcher}), or by the
 * queue when it becomes the oldest.
 *
 * <p><b>Looks.</b> While turns run ({@link TurnPolicy}), a returned connection may stay idle for a holder that does not
 * come back for it. The oldest waiter, the one the next hand-over would go to, is the one that takes it: it wakes every
 * {@link #LOOKS_EVERY_NANOS} and takes an idle connection outside any turn, or one it finds idle and untouched at two
 * looks in a row, or any when its own deadline is near ({@link #claim}). While its looks find no turn running (every
 * connection is held outside any turn, as while the server is down and callers wait for a connection that cannot be
 * made) it looks less and less often, up to every {@link #LOOKS_AT_MOST_EVERY_NANOS}: no turn can start while it is the
 * oldest, as every hand-over goes to it, except the one of the waiter before it, whose server wakes it
 * ({@link #turnStarted}). What it costs: a waiter waits up to one look past a connection left in vain; what it buys:
 * turns never strand a connection while callers wait ({@code TurnTest}, {@code OldestWaiterTest}).
 *
 * <p><b>Yields.</b> For its first {@link #YIELDS_FOR_NANOS} as the oldest, while turns run, it yields its core
 * ({@link Thread#yield()}) instead of parking between looks: the next hand-over then finds it running, which spares
 * the returner a system call and the waiter a trip through the scheduler. When callers do I/O with their connections
 * (a database query) those trips were where the time went: PostgreSQL {@code SELECT 1} with 32 threads on 16
 * connections went from 0.74x HikariCP to 1.02x (docs/experiment-oldest-yields.md, measured on 2 cores). What it costs:
 * one waiter at a time keeps a core busy for at most a millisecond; never while no turn runs, so that callers timing
 * out one after another while nothing comes back do not keep a core busy.
 *
 * <p>Only waiting platform threads look ({@link Waiter#looks}): an asynchronous waiter has no thread, and a virtual
 * thread's timed wake-ups cost too much, so virtual threads get no turns. The constants were tuned on a 2-core machine.
 *
 * @param <T> the connection type
 */
final class OldestWaiter<T> {

    /** How often the oldest waiter looks for a connection left idle in a turn or after one, while turns run. */
    static final long LOOKS_EVERY_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    /** The longest pause between two looks, reached by doubling while no connection is in anyone's turn. */
    static final long LOOKS_AT_MOST_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** For how long, after it became the oldest, the oldest waiter yields instead of parking (while turns run). */
    static final long YIELDS_FOR_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final SlotTable<T> slots;
    private final WaiterQueue<T> waiters;
    private final TurnPolicy turns;
    private final LendingCheck<T> checks;
    private final Dispatcher<T> dispatcher;
    private final Recycler<T> recycler;
    private final Failures failures;
    private final Ticker ticker;
    private final boolean lendAtOnce;

    OldestWaiter(
            SlotTable<T> slots,
            WaiterQueue<T> waiters,
            TurnPolicy turns,
            LendingCheck<T> checks,
            Dispatcher<T> dispatcher,
            Recycler<T> recycler,
            Failures failures,
            Ticker ticker,
            boolean lendAtOnce) {
        this.slots = slots;
        this.waiters = waiters;
        this.turns = turns;
        this.checks = checks;
        this.dispatcher = dispatcher;
        this.recycler = recycler;
        this.failures = failures;
        this.ticker = ticker;
        this.lendAtOnce = lendAtOnce;
    }

    /**
     * Waits until the waiter is served, or takes a connection itself as the oldest.
     *
     * @param deadline the real time ({@link System#nanoTime()}) at which the wait ends
     * @return the slot lent to this waiter, or {@code null} once the deadline has passed (the caller gives up)
     * @throws io.github.connectionpool.PoolException when the waiter was failed, or its thread interrupted
     */
    Slot<T> await(Waiter<T> waiter, long deadline) {
        long yieldsUntil = 0; // set when this waiter first finds itself the oldest
        long nextLook = 0;
        for (; ; ) {
            if (waiter.future.isDone()) {
                return dispatcher.resultOf(waiter);
            }
            long now = System.nanoTime();
            turns.tick(now);
            long remaining = deadline - now;
            if (remaining <= 0) {
                return null;
            }
            boolean looking = waiter.looks && waiters.peek() == waiter;
            if (looking && yieldsUntil == 0) {
                yieldsUntil = (now + YIELDS_FOR_NANOS) | 1; // never 0 again
                nextLook = now + waiter.lookPause;
            }
            boolean yielding = looking && yields(now, yieldsUntil, waiter.lookPause);
            if (yielding) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, looking ? Math.min(remaining, waiter.lookPause) : remaining);
            }
            if (Thread.interrupted()) {
                throw interrupted(waiter);
            }
            long woke = System.nanoTime();
            if (yielding && woke - nextLook < 0 && woke - deadline < 0) {
                // Looks keep their pace while yielding: looking at every yield would find a connection kept in a turn
                // idle twice within microseconds and take it from its holder (see claim).
                continue;
            }
            if (waiter.looks && !waiter.future.isDone() && waiters.peek() == waiter) {
                nextLook = woke + waiter.lookPause;
                // Close to its deadline, the oldest waiter does not wait for anyone's turn to end.
                boolean urgent = deadline - woke < TurnPolicy.TURN_NANOS + LOOKS_EVERY_NANOS;
                Slot<T> taken = take(waiter, deadline, urgent);
                if (taken != null) {
                    return taken;
                }
            }
        }
    }

    /**
     * The waiter's thread was interrupted: it gives up. Failed or served in the same instant, it ends with that instead:
     * the failure is thrown, a connection it never saw goes back.
     */
    private PoolTimeoutException interrupted(Waiter<T> waiter) {
        PoolTimeoutException interrupted = failures.interrupted();
        if (dispatcher.giveUp(waiter, interrupted)) {
            return interrupted;
        }
        if (waiter.future.isCompletedExceptionally()) {
            dispatcher.resultOf(waiter); // throws the failure that came first
        }
        if (waiter.mustCheck(waiter.served)) { // handed over unchecked: back the way an unpassed check goes
            Slot<T> served = waiter.served;
            served.tryEndLease(served.stamp());
            recycler.putBack(served);
        } else {
            dispatcher.unlend(waiter);
        }
        return waiter.reported ? dispatcher.timedOut(interrupted) : interrupted;
    }

    /**
     * The oldest waiter takes an idle connection itself (see {@link #claim}), checks it and serves itself with it.
     *
     * @return the slot, lent to this waiter, or {@code null} when there was none to take
     */
    private Slot<T> take(Waiter<T> waiter, long deadline, boolean urgent) {
        Slot<T> slot;
        while ((slot = claim(waiter, urgent)) != null) {
            long taken = slot.stamp();
            long now = ticker.nanoTime();
            CheckOutcome check = checks.isFresh(slot, now) ? CheckOutcome.FRESH : checks.check(slot, now, deadline);
            if (check.lendable()) {
                return dispatcher.serveSelf(waiter, slot, taken) ? slot : null;
            }
            if (check.closes()) {
                recycler.discardLater(slot, check.closeReason());
            } else {
                recycler.putBack(slot); // interrupted, or no time left: the loop in await() ends the wait
                return null;
            }
        }
        return null;
    }

    /**
     * Claims an idle connection for the oldest waiter: one outside any turn (or in the waiter's own); one in another
     * caller's turn that it found idle and untouched (same stamp) when it looked last, as that caller is not coming
     * back for it; or, when {@code urgent}, any. Backs off its looks while no turn runs (see the class comment).
     */
    Slot<T> claim(Waiter<T> waiter, boolean urgent) {
        long me = Thread.currentThread().getId();
        long now = System.nanoTime();
        Slot<T> seen = waiter.turnCandidate;
        long seenStamp = waiter.turnCandidateStamp;
        waiter.turnCandidate = null;
        boolean turnsRunning = false;
        for (Slot<T> slot : slots.all()) {
            long current = slot.stamp();
            turnsRunning |= slot.inTurn(now);
            if (Slot.state(current) != Slot.IDLE) {
                continue;
            }
            if (urgent || TurnPolicy.availableOutOfTurn(slot, me, now) || (slot == seen && current == seenStamp)) {
                if (slot.tryTake(current, lendAtOnce)) {
                    TurnPolicy.takenFrom(slot, me);
                    return slot;
                }
            } else if (waiter.turnCandidate == null) {
                waiter.turnCandidate = slot;
                waiter.turnCandidateStamp = current;
            }
        }
        // (A turn its holder still sees running on the lagging turn clock is over in real time: this waiter takes the
        // connection, or moves the clock, on its next look.)
        waiter.lookPause = nextLookPause(turnsRunning, waiter.lookPause);
        return null;
    }

    /**
     * Whether the oldest waiter yields its core rather than parking: during its first {@link #YIELDS_FOR_NANOS} as the
     * oldest, and only while its looks find turns running (its pause has not backed off).
     */
    static boolean yields(long now, long yieldsUntil, long lookPause) {
        return now - yieldsUntil < 0 && lookPause == LOOKS_EVERY_NANOS;
    }

    /** The pause before the next look: the shortest while turns run, doubling up to the longest while none does. */
    static long nextLookPause(boolean turnsRunning, long lookPause) {
        return turnsRunning ? LOOKS_EVERY_NANOS : Math.min(2 * lookPause, LOOKS_AT_MOST_EVERY_NANOS);
    }

    /**
     * A turn started: an oldest waiter that backed off its looks (it became the oldest before this turn started, from
     * the server of the waiter before it) must look at this turn as often as at any other.
     */
    static void turnStarted(Waiter<?> oldest) {
        if (oldest.lookPause > LOOKS_EVERY_NANOS) {
            oldest.wake();
        }
    }
}
