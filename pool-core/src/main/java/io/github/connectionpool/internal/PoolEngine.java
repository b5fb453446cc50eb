package io.github.connectionpool.internal;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionCloser;
import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.ConnectionResetter;
import io.github.connectionpool.ConnectionValidator;
import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolConfig;
import io.github.connectionpool.PoolException;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.Ticker;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool itself: lends, takes back, creates, validates and closes connections.
 *
 * <p><b>Capacity.</b> The pool is a fixed table of {@code maxSize} {@link Entry slots}. A connection exists only in a
 * slot, and a creation first claims an empty slot, so live connections, counting those being created, can never
 * exceed {@code maxSize}; there is no counter that could drift. A slot is freed only after its connection is closed.
 *
 * <p><b>Borrowing.</b> With nobody waiting, a borrower takes an idle slot with one CAS, starting its search at a slot
 * chosen by its thread id so that threads tend to keep to their own slots. Otherwise it joins the {@link WaiterQueue}
 * and is served in arrival order: a returned or new connection goes to the oldest waiter still waiting (but see
 * turns).
 *
 * <p><b>Turns.</b> Handing every returned connection to the oldest waiter means that, once callers queue, every borrow
 * parks one thread and wakes another: with more threads than connections and cores, the pool then does little but
 * switch threads. So a caller served from the queue with a connection that another caller just returned (or that it
 * took itself, as the oldest waiter) gets a turn of about {@link #TURN_NANOS}: while it runs, the caller's returns keep
 * the connection idle for it, and its next borrow takes it back ({@link #turnSlots} finds it in one read) although
 * others wait. When the turn is over, its next return goes to the oldest waiter. Nobody else overtakes the queue: a
 * caller that did not come from it queues whenever anyone waits. Bounds:
 * <ul>
 *   <li>Only while more callers wait than {@code strictFifoUpTo} (by default 2): with fewer, every return goes to the
 *       oldest waiter, strictly in order; the thread switches strict order costs matter only when many more threads
 *       than connections borrow briefly, and those make a longer queue.
 *   <li>Returners time turns with {@link TurnClock}, which queueing and waking callers move, and the holder itself
 *       every {@link #CLOCK_EVERY_USES} borrows; so a turn may run a little past {@link #TURN_NANOS} (the waiters'
 *       own looks read the system clock).
 *   <li>A connection kept for a caller that does not come back is not lost to the queue: the oldest waiter wakes
 *       every {@link #OLDEST_LOOKS_EVERY_NANOS} while turns run (less often while none does) and takes an idle
 *       connection outside any turn, or one it finds idle and untouched twice in a row, or any when its own deadline
 *       is near. A connection kept in vain keeps no first return for its next {@link #KEEP_BACKOFF_TURNS} turns, so
 *       callers that borrow once and leave do not pay for it every time.
 *   <li>Only waiting platform threads look ({@link Waiter#looks}): an asynchronous waiter has no thread, and a virtual
 *       thread's timed wake-ups cost too much, so virtual threads get no turns. While a waiter that does not look is
 *       the oldest, returns go to it directly (and a leaving
 *       waiter hands it what is idle: {@link #afterLeaving}).
 * </ul>
 *
 * <p><b>No lost hand-over.</b> A returner publishes the slot as idle and then reads the waiter count; a waiter adds
 * itself and then looks for idle slots. Both are volatile, so at least one of them sees the other and the connection
 * reaches a waiter. A connection kept in a turn reaches one through the oldest waiter's looks instead (the queue wakes
 * each new oldest waiter, and the oldest never parks for longer than a look). A hand-over counts only when it completes
 * the waiter's future, which a waiter that gave up has completed itself.
 *
 * <p><b>Waiting.</b> A waiter parks its thread and is unparked by whoever serves it, except the oldest platform-thread
 * waiter, which yields its core instead for its first {@link #OLDEST_YIELDS_FOR_NANOS} as the oldest, while turns run:
 * it is the one the next hand-over goes to, and finding it running spares both sides a wake-up through the scheduler.
 *
 * <p><b>No lock across user code.</b> The only lock is the waiter queue's; the creator, validator, closer, resetter
 * and listener run outside it.
 *
 * @param <T> the connection type
 * @param <P> the connection parameters
 */
public final class PoolEngine<T, P> {

    private static final Logger log = LoggerFactory.getLogger(PoolEngine.class);

    // Outcomes of the check before lending an idle connection.
    private static final int FRESH = 0; // used or checked within the bypass window: no validation needed
    private static final int VALID = 1; // validated just now
    private static final int INVALID = 2; // closed: past its lifetime or failed validation
    private static final int INTERRUPTED = 3; // the validation was interrupted: put back unchecked
    private static final int NO_TIME = 4; // the borrower's time ran out before the validation could end: put back

    /** The deadline of a borrower whose thread must not block: its checks run on a worker. */
    private static final long ASYNC = Long.MIN_VALUE;

    /**
     * How long a caller served from the queue may borrow the same connection again while others wait: its turn (see
     * the class comment).
     */
    static final long TURN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** How often the oldest waiter looks for a connection left idle in a turn or after one, while turns run. */
    static final long OLDEST_LOOKS_EVERY_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    /**
     * The longest pause between two looks of the oldest waiter: reached, doubling from
     * {@link #OLDEST_LOOKS_EVERY_NANOS}, while no connection is in anyone's turn (such as while the server is down and
     * callers wait for a connection that cannot be made), so that waiting costs next to no CPU.
     */
    static final long OLDEST_LOOKS_AT_MOST_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * For how long, after it became the oldest, the oldest waiter yields its core ({@link Thread#yield()}) instead of
     * parking. A hand-over then finds it running and needs no wake-up: waking a parked thread is a system call for the
     * returner and a trip through the scheduler for the waiter, and when callers do I/O with their connections (a
     * database query) those trips are where the time went. Only one waiter yields at a time, for a bounded time, and
     * only while its looks find turns running, so that waiting for a server that is down costs next to no CPU.
     */
    static final long OLDEST_YIELDS_FOR_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** After a turn whose first return was kept in vain, how many turns of that connection keep none. */
    static final int KEEP_BACKOFF_TURNS = 8;

    /** How many borrows in a turn between two readings of the system clock by the turn's holder. */
    static final int CLOCK_EVERY_USES = 64;

    private final PoolConfig config;
    private final String name;
    private final ConnectionValidator<T> validator;
    private final ConnectionCloser<? super T> closer;
    private final ConnectionResetter<? super T> resetter;
    private final Ticker ticker;
    private final PoolListener listener;
    private final LeaseFactory<T> leases;

    private final long maxIdleNanos;
    private final long validationTimeoutNanos;
    private final long bypassNanos;

    private final Entry<T>[] slots;
    private final int slotMask;
    /**
     * Where each thread's turn is, by thread id (a hash: two threads may share an element, and then one of them finds
     * no turn and queues): the slot's index. Read and written without synchronisation; {@link Entry#turnHolder} says
     * whose turn a slot really is.
     */
    private final int[] turnSlots;

    private final int turnSlotMask;
    private final WaiterQueue<T> waiters = new WaiterQueue<>();
    /** Up to how many waiters every return goes to the oldest: turns only while more wait (see the class comment). */
    private final int strictFifoUpTo;
    /** The clock turns are measured with: see {@link TurnClock}. */
    private final TurnClock turnClock = new TurnClock();

    private final Housekeeper housekeeper;
    private final LeakDetector leaks;
    private final boolean trackBorrowers;
    /** The hot path's clock when exact times are not needed there, else {@code null} (the ticker is read). */
    private final CoarseClock coarse;

    private final ConnectionFactory<T, P> factory;
    private final PoolCounters counters = new PoolCounters();

    private volatile boolean closed;
    private final AtomicInteger closing = new AtomicInteger();

    /**
     * Builds and starts a pool: the cleanup and leak sweep are scheduled and {@code minIdle} connections are started.
     *
     * @param config the checked settings
     * @param params the connection parameters
     * @param creator makes connections
     * @param validator checks connections
     * @param closer closes discarded connections
     * @param resetter checks returned connections, or {@code null}
     * @param ticker the source of time
     * @param listener receives timings
     * @param strictFifoUpTo up to how many waiting callers every return goes to the oldest (no turns)
     * @param leases makes borrowers' handles
     */
    @SuppressWarnings("unchecked") // a generic array of slots
    public PoolEngine(
            PoolConfig config,
            P params,
            ConnectionCreator<T, P> creator,
            ConnectionValidator<T> validator,
            ConnectionCloser<? super T> closer,
            ConnectionResetter<? super T> resetter,
            Ticker ticker,
            PoolListener listener,
            int strictFifoUpTo,
            LeaseFactory<T> leases) {
        this.config = config;
        this.strictFifoUpTo = strictFifoUpTo;
        this.name = config.name();
        this.validator = validator;
        this.closer = closer;
        this.resetter = resetter;
        this.ticker = ticker;
        this.listener = GuardedListener.guard(config.name(), listener);
        this.leases = leases;
        this.maxIdleNanos = nanos(config.maxIdleTime());
        this.validationTimeoutNanos = nanos(config.validationTimeout());
        this.bypassNanos = nanos(config.validationBypassWindow());
        this.slots = (Entry<T>[]) new Entry<?>[config.maxSize()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Entry<>(this, i);
        }
        this.slotMask = Integer.highestOneBit(slots.length * 2 - 1) - 1;
        this.turnSlots = new int[Integer.highestOneBit(slots.length * 8 - 1)];
        this.turnSlotMask = turnSlots.length - 1;
        this.housekeeper = new Housekeeper(name);
        this.leaks = new LeakDetector(name, nanos(config.leakDetectionThreshold()));
        this.trackBorrowers = leaks.enabled();
        boolean exactTimes = this.listener != PoolListener.none() || leaks.enabled();
        this.coarse = ticker == Ticker.system() && !exactTimes ? new CoarseClock(bypassNanos) : null;
        if (coarse != null) {
            housekeeper.startTicking(coarse);
        }
        this.factory =
                new ConnectionFactory<>(this, config, params, creator, ticker, this.listener, housekeeper, counters);

        housekeeper.startCleanup(config.cleanup(), this, PoolEngine::runCleanup);
        if (leaks.enabled()) {
            housekeeper.startLeakSweep(leaks.sweepPeriodNanos(), this, PoolEngine::sweepLeaks);
        }
        log.info(
                "{}: started (maxSize={}, minIdle={}, cleanup={})",
                name,
                config.maxSize(),
                config.minIdle(),
                config.cleanup().enabled() ? "every " + config.cleanup().interval() : "off");
        factory.fillToMinIdle();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Borrowing

    /**
     * Borrows a connection, waiting at most {@code timeoutNanos}.
     *
     * @param timeoutNanos the longest wait, zero for none
     * @return the borrower's handle
     * @throws PoolException when no connection can be had
     */
    public PooledConnection<T> acquire(long timeoutNanos) {
        // The fast path, kept small so that it inlines (and with it the handle, which then need not be allocated): an
        // idle connection checked or used lately, taken while nobody waits or, while others wait, in this thread's
        // turn.
        long start = now();
        Entry<T> entry = null;
        if (!closed) {
            entry = waiters.isEmpty() ? claimIdle() : claimInTurn();
        }
        long stamp;
        if (entry != null && isFresh(entry, start)) {
            stamp = lendOwned(entry, entry.stamp(), start, start, leaks.captureBorrower());
        } else {
            entry = acquireSlowly(entry, start, timeoutNanos);
            stamp = entry.stamp(); // only the borrower moves a lent slot's stamp
        }
        // One place makes the handle for both paths: where a caller does not keep it, the JIT then need not allocate it
        // (two would meet in one variable, which escape analysis gives up on).
        return leases.lease(entry, stamp);
    }

    /**
     * Borrows on the slow path: checks the connection claimed on the fast path, if any, and while the ones it takes
     * are closed instead takes another idle one (any while nobody waits, else only one in this caller's own turn);
     * then queues.
     *
     * @param claimed an idle connection this caller claimed and still has to check, or {@code null}
     * @return the slot, lent to this caller
     */
    private Entry<T> acquireSlowly(Entry<T> claimed, long start, long timeoutNanos) {
        if (closed) {
            if (claimed != null) {
                putBack(claimed); // closes it: close() may have passed this slot already
            }
            throw closedException();
        }
        long realStart = 0; // waiting is in real time: read it only once there may be a wait (a check, the queue)
        Entry<T> entry = claimed; // null: the fast path found none to take
        while (entry != null) {
            long stamp = entry.stamp();
            int check = FRESH;
            if (!isFresh(entry, start)) {
                realStart = realStart != 0 ? realStart : System.nanoTime();
                check = checkBeforeLending(entry, start, saturatedAdd(realStart, timeoutNanos));
            }
            if (check == FRESH || check == VALID) {
                lendOwned(entry, stamp, start, check == FRESH ? start : ticker.nanoTime(), leaks.captureBorrower());
                return entry;
            }
            if (check == INTERRUPTED) {
                throw interruptedException(null);
            }
            if (check == NO_TIME) {
                break; // the wait below ends at once with the timeout
            }
            entry = waiters.isEmpty() ? claimIdle() : claimInTurn(); // that one was closed: the next
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interruptedException(null); // do not even queue: the wait would end at once
        }
        long queuedAt = realStart != 0 ? realStart : System.nanoTime();
        turnClock.advance(queuedAt);
        long deadline = saturatedAdd(queuedAt, timeoutNanos);
        try {
            return await(enqueue(start, deadline), deadline, timeoutNanos);
        } finally {
            afterLeaving();
        }
    }

    /**
     * Borrows a connection without blocking the caller.
     *
     * @param timeoutNanos the longest wait, zero for none
     * @return a future that completes with the handle, or with a {@link PoolException}; cancelling it gives up the
     *     wait without losing a connection
     */
    public CompletableFuture<PooledConnection<T>> acquireAsync(long timeoutNanos) {
        long start = now();
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        Entry<T> stale = null;
        if (waiters.isEmpty()) {
            Entry<T> entry = claimIdle();
            if (entry != null) {
                long stamp = entry.stamp();
                if (isFresh(entry, start)) {
                    return CompletableFuture.completedFuture(lend(entry, stamp, start, start, leaks.captureBorrower()));
                }
                stale = entry; // needs a check or a close: not on the caller's thread
            }
        }
        if (stale != null) {
            factory.supplyStarted(); // the claimed connection is this caller's supply while it is checked
        }
        Waiter<T> waiter = enqueue(start, ASYNC);
        if (stale != null) {
            checkOnWorker(stale);
        }
        if (!waiter.future.isDone()) {
            try {
                // The caller's callbacks run where the future completes: on a worker, not on the timer thread.
                Future<?> timer = housekeeper.schedule(
                        () -> housekeeper.executeOrRun(() -> expire(waiter, timeoutNanos)), timeoutNanos);
                waiter.future.whenComplete((lease, error) -> {
                    timer.cancel(false);
                    if (error != null) {
                        waiters.remove(waiter);
                    }
                });
            } catch (RejectedExecutionException e) { // the pool closed meanwhile
                waiters.remove(waiter);
                waiter.future.completeExceptionally(closedException());
            }
        }
        return waiter.future;
    }

    /**
     * Queues a caller and makes sure something will serve it.
     *
     * @param deadline the real time until which a synchronous caller may be kept validating idle connections for the
     *     waiters, or {@link #ASYNC} for a caller whose thread must not block
     */
    private Waiter<T> enqueue(long start, long deadline) {
        Waiter<T> waiter = new Waiter<>(start, leaks.captureBorrower(), deadline == ASYNC);
        waiters.add(waiter);
        if (closed) { // close() may have drained the queue before we joined it
            waiters.remove(waiter);
            waiter.future.completeExceptionally(closedException());
            return waiter;
        }
        serveFromIdle(deadline, !waiter.looks && waiters.peek() == waiter); // an oldest that cannot look
        factory.fillDemand();
        if (factory.hopeless()) { // nothing could serve this caller before the next attempt: say so now
            waiters.remove(waiter);
            waiter.future.completeExceptionally(factory.backoffException());
        }
        return waiter;
    }

    /**
     * Parks until the waiter is served, its time is up or its thread is interrupted. The oldest waiter also wakes
     * every {@link #OLDEST_LOOKS_EVERY_NANOS} to look for an idle connection it may take (see
     * {@link #claimForOldest}); less and less often, up to {@link #OLDEST_LOOKS_AT_MOST_EVERY_NANOS}, while it finds
     * no connection in anyone's turn, and at once when a turn starts (see {@link #startTurn}). For its first
     * {@link #OLDEST_YIELDS_FOR_NANOS} as the oldest, it yields instead of parking while its looks find turns running,
     * and looks at the same pace.
     */
    private Entry<T> await(Waiter<T> waiter, long deadline, long timeoutNanos) {
        long yieldsUntil = 0; // set when this waiter first finds itself the oldest
        long nextLook = 0;
        for (; ; ) {
            if (waiter.future.isDone()) {
                return resultOf(waiter);
            }
            long now = System.nanoTime();
            turnClock.advance(now);
            long remaining = deadline - now;
            if (remaining <= 0) {
                PoolTimeoutException timeout = timeoutException(timeoutNanos);
                if (giveUp(waiter, timeout)) {
                    throw timeout;
                }
                return resultOf(waiter); // served in the same instant: take it
            }
            boolean looking = waiter.looks && waiters.peek() == waiter;
            if (looking && yieldsUntil == 0) {
                yieldsUntil = (now + OLDEST_YIELDS_FOR_NANOS) | 1; // never 0 again
                nextLook = now + waiter.lookPause;
            }
            // Only while turns run (its looks have not backed off): with every connection held outside any turn, as
            // when the server stalls, yielding would only burn a core for each new oldest waiter.
            boolean yielding = looking && now - yieldsUntil < 0 && waiter.lookPause == OLDEST_LOOKS_EVERY_NANOS;
            if (yielding) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, looking ? Math.min(remaining, waiter.lookPause) : remaining);
            }
            if (Thread.interrupted()) {
                PoolTimeoutException interrupted = interruptedException(null);
                if (!giveUp(waiter, interrupted) && !waiter.future.isCompletedExceptionally()) {
                    Entry<T> served = waiter.served; // served in the same instant: give it back
                    release(served, served.stamp());
                }
                throw interrupted;
            }
            long woke = System.nanoTime();
            if (yielding && woke - nextLook < 0 && woke - deadline < 0) {
                // Looks keep their pace while yielding: looking at every yield would find a connection kept in a turn
                // idle twice within microseconds and take it from its holder (see claimForOldest).
                continue;
            }
            if (waiter.looks && !waiter.future.isDone() && waiters.peek() == waiter) {
                nextLook = woke + waiter.lookPause;
                // Close to its deadline, the oldest waiter does not wait for anyone's turn to end.
                boolean urgent = deadline - woke < TURN_NANOS + OLDEST_LOOKS_EVERY_NANOS;
                Entry<T> taken = takeIdleAsOldest(waiter, deadline, urgent);
                if (taken != null) {
                    return taken;
                }
            }
        }
    }

    /**
     * The oldest waiter takes an idle connection itself (see {@link #claimForOldest}), leaving the queue by completing
     * its own future (which no hand-over can then complete; a hand-over that came first wins, and the connection goes
     * on to the next waiter).
     *
     * @return the slot, lent to this waiter, or {@code null} when there was none to take
     */
    private Entry<T> takeIdleAsOldest(Waiter<T> waiter, long deadline, boolean urgent) {
        Entry<T> entry;
        while ((entry = claimForOldest(waiter, urgent)) != null) {
            long stamp = entry.stamp();
            long now = now();
            int check = isFresh(entry, now) ? FRESH : checkBeforeLending(entry, now, deadline);
            if (check == FRESH || check == VALID) {
                if (waiter.future.complete(null)) {
                    waiters.remove(waiter);
                    startTurn(entry, waiter);
                    lendOwned(entry, stamp, waiter.startNanos, ticker.nanoTime(), waiter.borrower);
                    return entry;
                }
                handOff(entry); // served meanwhile: this one goes on to the next waiter
                return null;
            }
            if (check == INTERRUPTED || check == NO_TIME) {
                return null; // the loop in await() ends the wait
            }
        }
        return null;
    }

    /**
     * Claims an idle connection for the oldest waiter: one outside any turn (or in the waiter's own); one in another
     * caller's turn that it found idle and untouched (same stamp) when it looked last, as that caller is not coming
     * back for it; or, when {@code urgent}, any.
     */
    private Entry<T> claimForOldest(Waiter<T> waiter, boolean urgent) {
        long me = Thread.currentThread().getId();
        long now = System.nanoTime();
        Entry<T> seen = waiter.turnCandidate;
        long seenStamp = waiter.turnCandidateStamp;
        waiter.turnCandidate = null;
        boolean turns = false;
        for (Entry<T> entry : slots) {
            long current = entry.stamp();
            turns |= entry.inTurn(now);
            if (Entry.state(current) != Entry.IDLE) {
                continue;
            }
            if (urgent || availableOutOfTurn(entry, me, now) || (entry == seen && current == seenStamp)) {
                if (claim(entry, current)) {
                    takenFromTurn(entry, me);
                    return entry;
                }
            } else if (waiter.turnCandidate == null) {
                waiter.turnCandidate = entry;
                waiter.turnCandidateStamp = current;
            }
        }
        // While this waiter is the oldest, every hand-over goes to it, so once no turn runs, none will until it
        // leaves, and it may look less often. One exception: the server of the waiter before it starts that waiter's
        // turn after taking it out of the queue, so possibly after this waiter looked; startTurn wakes this waiter
        // then, and at worst (reading the pause it had before this look) leaves it one doubled pause. (A turn its
        // holder still sees running on the lagging turn clock is over in real time: this waiter takes the
        // connection, or moves the clock, on its next look.)
        waiter.lookPause =
                turns ? OLDEST_LOOKS_EVERY_NANOS : Math.min(2 * waiter.lookPause, OLDEST_LOOKS_AT_MOST_EVERY_NANOS);
        return null;
    }

    /** A synchronous waiter left: one that is now the oldest and does not look is handed what is idle. */
    private void afterLeaving() {
        Waiter<T> oldest = waiters.peek();
        if (oldest != null && !oldest.looks) {
            serveFromIdle(ASYNC, true);
        }
    }

    /** The failure of an interrupted borrow; sets the interrupt status again, as the caller must still see it. */
    private PoolTimeoutException interruptedException(InterruptedException cause) {
        Thread.currentThread().interrupt();
        return new PoolTimeoutException(
                name + ": interrupted while waiting for a connection",
                cause != null ? cause : new InterruptedException());
    }

    /** The slot handed to a synchronous waiter whose future has completed, or the failure that completed it. */
    private Entry<T> resultOf(Waiter<T> waiter) {
        try {
            waiter.future.join();
            return waiter.served;
        } catch (RuntimeException e) {
            throw rethrown(e.getCause() != null ? e.getCause() : e);
        }
    }

    /** The same failure, thrown anew so that its stack trace shows the caller rather than the thread that set it. */
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

    private void expire(Waiter<T> waiter, long timeoutNanos) {
        giveUp(waiter, timeoutException(timeoutNanos));
    }

    /**
     * Ends a wait with a timeout, unless the waiter was served first. The queue and the counter reflect it before the
     * caller can see the exception, so that stats read right after it are exact.
     *
     * @return whether the wait ended with the timeout
     */
    private boolean giveUp(Waiter<T> waiter, PoolTimeoutException timeout) {
        waiters.remove(waiter);
        counters.timeouts.incrementAndGet();
        if (waiter.future.completeExceptionally(timeout)) {
            return true;
        }
        counters.timeouts.decrementAndGet(); // served first
        return false;
    }

    /** The time on the borrow and return paths: the coarse clock when it may be used, else the ticker. */
    private long now() {
        CoarseClock clock = coarse;
        return clock != null ? clock.now() : ticker.nanoTime();
    }

    /** Takes an idle slot, lending it at once (one CAS), or returns {@code null}. */
    private Entry<T> claimIdle() {
        Entry<T>[] table = slots;
        int n = table.length;
        // Start where this thread started before, so that threads keep to their own slots and rarely collide.
        int i = (int) Thread.currentThread().getId() & slotMask;
        if (i >= n) {
            i -= n;
        }
        for (int k = 0; k < n; k++) {
            Entry<T> entry = table[i];
            if (trackBorrowers ? entry.tryMove(Entry.IDLE, Entry.RESERVED) : entry.tryLease() != -1) {
                return entry;
            }
            if (++i == n) {
                i = 0;
            }
        }
        return null;
    }

    /**
     * While others wait: takes the idle connection in this thread's turn, if there is one. The turn was running when
     * this thread returned the connection (see {@link #turnContinues}), so the borrow right after needs no clock; every
     * {@link #CLOCK_EVERY_USES} borrows in a turn move the turn clock on, so that turns end even while no waiter runs
     * to move it (virtual threads that never unmount, for one).
     */
    private Entry<T> claimInTurn() {
        long me = Thread.currentThread().getId();
        Entry<T> entry = slots[turnSlots[(int) me & turnSlotMask]];
        if (entry.turnHolder != me) { // another thread's turn took this element of the hint table
            entry = findTurnOf(me);
            if (entry == null) {
                return null;
            }
        }
        long current = entry.stamp();
        if (Entry.state(current) != Entry.IDLE || entry.turnHolder != me || !claim(entry, current)) {
            return null;
        }
        if (++entry.turnUses % CLOCK_EVERY_USES == 0) {
            turnClock.advance(System.nanoTime());
        }
        return entry;
    }

    private Entry<T> findTurnOf(long threadId) {
        for (Entry<T> entry : slots) {
            if (Entry.state(entry.stamp()) == Entry.IDLE && entry.turnHolder == threadId) {
                return entry;
            }
        }
        return null;
    }

    /**
     * Takes an idle slot that is in nobody's turn but this thread's (see {@link #claimIdle()}), or returns
     * {@code null}.
     */
    private Entry<T> claimIdleOutOfTurn() {
        long me = Thread.currentThread().getId();
        long now = System.nanoTime();
        for (Entry<T> entry : slots) {
            long current = entry.stamp();
            if (Entry.state(current) == Entry.IDLE && availableOutOfTurn(entry, me, now) && claim(entry, current)) {
                takenFromTurn(entry, me);
                return entry;
            }
        }
        return null;
    }

    private static boolean availableOutOfTurn(Entry<?> entry, long threadId, long now) {
        return !entry.inTurn(now) || entry.turnHolder == threadId;
    }

    /**
     * Ends the turn of a connection just claimed by someone who is not its holder: a connection kept idle in a turn
     * that its holder did not come back for. Keeping the first return of a turn did not pay, so it is not done again
     * for the next {@link #KEEP_BACKOFF_TURNS} turns of this connection.
     */
    private static void takenFromTurn(Entry<?> entry, long threadId) {
        long holder = entry.turnHolder;
        if (holder != 0) {
            if (holder != threadId && entry.turnUses == 0) {
                entry.keepBackoff = KEEP_BACKOFF_TURNS;
            }
            entry.turnHolder = 0;
        }
    }

    /** Moves a slot seen idle with the given stamp to its owned state: lent at once, or reserved (leak detection). */
    private boolean claim(Entry<T> entry, long idleStamp) {
        return entry.compareAndSet(
                idleStamp, trackBorrowers ? Entry.with(idleStamp, Entry.RESERVED) : Entry.nextLease(idleStamp));
    }

    /** Gives the waiter being served a turn with the connection (only one that {@link Waiter#looks} gets one). */
    private void startTurn(Entry<T> entry, Waiter<T> waiter) {
        // With few waiting, returns go to the oldest anyway (see turnContinues): no turn, so that the oldest waiter's
        // looks find none and it parks instead of yielding a core the holders need.
        if (waiter.looks && waiters.size() > strictFifoUpTo) {
            long id = waiter.thread.getId();
            entry.turnHolder = id;
            long now = System.nanoTime();
            turnClock.advance(now);
            entry.turnEnds = now + TURN_NANOS;
            entry.turnUses = 0;
            if (entry.keepBackoff > 0) {
                entry.keepBackoff--;
            }
            turnSlots[(int) id & turnSlotMask] = entry.index; // a racy hint, checked against turnHolder
            Waiter<T> oldest = waiters.peek();
            if (oldest != null && oldest.lookPause > OLDEST_LOOKS_EVERY_NANOS) {
                // It became the oldest before this turn started and may have backed off its looks (see
                // claimForOldest): it must look at this turn as often as at any other.
                oldest.wake();
            }
        } else {
            entry.turnHolder = 0;
        }
    }

    /** Lends an owned slot and makes the borrower's handle (see {@link #lendOwned}). */
    private PooledConnection<T> lend(Entry<T> entry, long stamp, long start, long now, Throwable borrower) {
        return leases.lease(entry, lendOwned(entry, stamp, start, now, borrower));
    }

    /**
     * Lends an owned slot: its stamp is already {@code LEASED} when it was claimed without leak detection (see
     * {@link #claim}), {@code RESERVED} otherwise.
     *
     * @return the stamp of the lease
     */
    private long lendOwned(Entry<T> entry, long stamp, long start, long now, Throwable borrower) {
        long leased = stamp;
        entry.leasedAt = now;
        if (Entry.state(stamp) != Entry.LEASED) {
            // Leak detection reads leasedAt and borrower of LEASED slots: write them before the stamp says LEASED.
            entry.borrower = borrower;
            leased = Entry.nextLease(stamp);
            entry.set(leased);
        }
        listener.connectionAcquired(now - start);
        if (log.isTraceEnabled()) {
            log.trace("{}: lent connection {} ({})", name, entry.index, entry.connection);
        }
        return leased;
    }

    /**
     * Decides whether an owned idle connection may be lent: not past its lifetime and, unless checked within the
     * bypass window, valid. A connection that is not is closed here; an interrupted check puts it back.
     */
    private int checkBeforeLending(Entry<T> entry, long now, long deadline) {
        if (now - entry.createdAt >= entry.lifetime) {
            discard(entry, "it reached its max lifetime");
            return INVALID;
        }
        if (now - entry.lastChecked < bypassNanos) {
            return FRESH;
        }
        // The validation timeout bounds the check, and so does the borrower's own deadline.
        long budget = deadline == Long.MAX_VALUE
                ? validationTimeoutNanos
                : Math.min(validationTimeoutNanos, deadline - System.nanoTime());
        // Even with no time left, an answer already there counts (a zero wait), so a zero timeout still borrows.
        int result = validate(entry, Math.max(0, budget), budget < validationTimeoutNanos);
        if (result == VALID) {
            entry.lastChecked = ticker.nanoTime();
        } else if (result == INVALID) {
            discard(entry, "it failed validation");
        } else {
            putBack(entry);
        }
        return result;
    }

    /**
     * Makes an owned connection idle again without checking it, after an interrupted validation; any waiter is served
     * by a worker, which validates it first.
     */
    private void putBack(Entry<T> entry) {
        entry.turnHolder = 0;
        entry.set(Entry.with(entry.stamp(), Entry.IDLE));
        if (closed) { // close() may have passed this slot already
            if (entry.tryMove(Entry.IDLE, Entry.SWEPT)) {
                discard(entry, "the pool is closed");
            }
        } else if (!waiters.isEmpty()) {
            serveFromIdle(ASYNC, true);
        }
    }

    private boolean isFresh(Entry<T> entry, long now) {
        return now - entry.createdAt < entry.lifetime && now - entry.lastChecked < bypassNanos;
    }

    private void checkAndHandOff(Entry<T> entry, long deadline) {
        int check = checkBeforeLending(entry, ticker.nanoTime(), deadline);
        if (check == FRESH || check == VALID) {
            handOff(entry);
        }
    }

    /**
     * While callers wait, hands them the idle connections a concurrent return may have left behind.
     *
     * @param inTurns whether to take connections kept idle in someone's turn too (for an oldest waiter that does not
     *     look, which cannot come and look for them itself)
     */
    private void serveFromIdle(long deadline, boolean inTurns) {
        Entry<T> entry;
        while (!waiters.isEmpty() && (entry = inTurns ? claimIdle() : claimIdleOutOfTurn()) != null) {
            takenFromTurn(entry, 0);
            if (deadline != ASYNC) {
                checkAndHandOff(entry, deadline);
            } else {
                factory.supplyStarted();
                checkOnWorker(entry);
            }
        }
    }

    /**
     * Keeps a returned connection idle for its returner's next borrow while the returner's turn runs and the oldest
     * waiter can come and look for it.
     *
     * @return whether the connection is now idle in the turn (or already taken from there)
     */
    private boolean keepInTurn(Entry<T> entry) {
        if (!turnContinues(entry)) {
            return false;
        }
        long idle = Entry.with(entry.stamp(), Entry.IDLE);
        entry.set(idle);
        return staysIdleInTurn(entry, idle);
    }

    /**
     * Whether the returner of an owned connection may keep it idle for its own next borrow although callers wait: its
     * turn runs, and the oldest waiter is a synchronous one, which looks for connections left idle (see
     * {@link #await}).
     */
    private boolean turnContinues(Entry<T> entry) {
        Waiter<T> oldest = waiters.peek();
        return oldest != null
                && oldest.looks
                && waiters.size() > strictFifoUpTo
                && entry.inTurnOf(Thread.currentThread().getId(), turnClock.now())
                // The first return of a turn is kept only while that pays (see takenFromTurn).
                && (entry.turnUses > 0 || entry.keepBackoff == 0);
    }

    /**
     * After a connection was made idle in its returner's turn: takes it back when a waiter that does not look became
     * the oldest meanwhile (it cannot come and look; a leaving waiter looks out for it too, see {@link #afterLeaving})
     * or the pool closed (close() may have passed this slot).
     *
     * @return whether it stays idle (or was taken from there already); false when it is owned again
     */
    private boolean staysIdleInTurn(Entry<T> entry, long idle) {
        Waiter<T> oldest = waiters.peek();
        if ((oldest == null || oldest.looks) && !closed) {
            return true;
        }
        return !entry.compareAndSet(idle, Entry.with(idle, Entry.RESERVED));
    }

    /**
     * Gives an owned, usable connection to the oldest caller still waiting, or makes it idle when nobody waits.
     *
     * <p>After making it idle, looks at the waiters again: one may have joined after the poll and searched the slots
     * before the connection was idle.
     */
    void handOff(Entry<T> entry) {
        handOff(entry, true);
    }

    /**
     * @param checked whether the connection was just created or checked; a returned one is checked first when a
     *     waiter would get it and its checks are due, stays idle instead while its returner's turn runs, and starts
     *     a turn for the waiter it goes to
     */
    private void handOff(Entry<T> entry, boolean checked) {
        boolean turnOver = checked;
        for (; ; ) {
            if (closed) {
                discard(entry, "the pool is closed");
                return;
            }
            if (!turnOver) {
                turnOver = true;
                if (keepInTurn(entry)) {
                    return;
                }
            }
            if (!checked && !waiters.isEmpty() && needsCheck(entry, ticker.nanoTime())) {
                // A waiter gets the checks any borrower gets (lifetime, validation outside the bypass window), but not
                // on the returning thread: returning does no I/O of the pool's own.
                factory.supplyStarted();
                checkOnWorker(entry);
                return;
            }
            Waiter<T> waiter = waiters.poll();
            if (waiter == null) {
                entry.turnHolder = 0; // nobody waits: turns are over
                long idle = Entry.with(entry.stamp(), Entry.IDLE);
                entry.set(idle);
                if (waiters.isEmpty() && !closed) {
                    return;
                }
                if (!entry.compareAndSet(idle, Entry.with(idle, Entry.RESERVED))) {
                    return; // somebody else took it: they serve the waiter
                }
                continue;
            }
            if (waiter.future.isDone()) {
                continue; // gave up (timed out, cancelled, interrupted)
            }
            long now = ticker.nanoTime();
            long leased = Entry.nextLease(entry.stamp());
            entry.leasedAt = now;
            entry.borrower = waiter.borrower;
            if (checked) {
                entry.turnHolder = 0; // a new connection, or one checked on a worker: no turn comes with it
            } else {
                startTurn(entry, waiter); // a connection its borrower just returned
            }
            entry.set(leased);
            // Timed before the hand-over, so that a borrower reading its metrics right away finds this borrow.
            listener.connectionAcquired(now - waiter.startNanos);
            if (waiter.async) {
                PooledConnection<T> lease = leases.lease(entry, leased);
                // Completing runs the caller's own callbacks: never on this thread (a returning caller, possibly
                // inside another callback). Until then the lease waits in waiter.handed, where whoever completes the
                // future otherwise meanwhile (a cancel, a timeout, close()) takes it back (see Waiter.CancellableWait):
                // the store there and the completion are both volatile, so this thread sees the completion below or
                // the completer sees the lease.
                waiter.handed.set(lease);
                if (waiter.future.isDone()) {
                    if (waiter.handed.compareAndSet(lease, null)) {
                        entry.set(Entry.with(leased, Entry.RESERVED)); // gave up meanwhile: the next waiter
                        continue;
                    }
                    return; // whoever completed the future took the lease and returns it
                }
                housekeeper.executeOrRun(() -> completeAsync(waiter, lease));
                return;
            }
            waiter.served = entry; // read by the waiter only once its future completed (see Waiter#served)
            if (waiter.future.complete(null)) {
                if (log.isTraceEnabled()) {
                    log.trace("{}: handed connection {} to a waiting caller", name, entry.index);
                }
                return;
            }
            waiter.served = null;
            entry.set(Entry.with(leased, Entry.RESERVED)); // that waiter gave up or served itself; nobody saw the lease
        }
    }

    /**
     * Completes an asynchronous waiter's future with the lease handed to it, on a worker (see {@link #handOff}). When
     * the future was completed otherwise meanwhile (cancelled, timed out, failed by close(), or completed by the
     * caller), whoever completed it takes the lease back (see {@code Waiter.CancellableWait}).
     */
    private static <T> void completeAsync(Waiter<T> waiter, PooledConnection<T> lease) {
        if (waiter.future.complete(lease)) {
            waiter.handed.compareAndSet(lease, null); // delivered: only the reference is left to drop
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Returning

    /**
     * Reads a lent connection.
     *
     * @param entry the slot
     * @param stamp the lease's stamp
     * @return the connection
     * @throws IllegalStateException when the lease has ended
     */
    public T connection(Entry<T> entry, long stamp) {
        T connection = entry.connection;
        VarHandle.acquireFence(); // the read above may not move below the stamp check (as in StampedLock.validate)
        if (entry.stamp() != stamp) {
            throw new IllegalStateException(name + ": this connection was already returned to the pool");
        }
        return connection;
    }

    /**
     * Ends a lease by taking the connection back; does nothing when the lease has ended already.
     *
     * @param entry the slot
     * @param stamp the lease's stamp
     */
    public void release(Entry<T> entry, long stamp) {
        if (entry.stamp() != stamp) {
            return;
        }
        long now = now();
        if (resetter != null) {
            releaseWithReset(entry, stamp, now);
            return;
        }
        long usage = now - entry.leasedAt;
        entry.lastUsed = now;
        entry.lastChecked = now;
        if (trackBorrowers) {
            leaks.returned(entry, stamp, now);
        }
        if (!waiters.isEmpty() || closed) {
            releaseToQueue(entry, stamp, usage);
            return;
        }
        // The fast path, kept small so that it inlines: nobody waits.
        if (entry.turnHolder != 0) {
            entry.turnHolder = 0; // turns are over
        }
        long idle = Entry.with(stamp, Entry.IDLE);
        if (!entry.compareAndSet(stamp, idle)) {
            return; // a concurrent close() of the same lease won
        }
        listener.connectionReturned(usage);
        if (!waiters.isEmpty() || closed) { // somebody queued meanwhile, having looked before this was idle
            if (entry.compareAndSet(idle, Entry.with(stamp, Entry.RESERVED))) {
                handOff(entry, false);
            }
        }
    }

    /** Takes a lent connection back while callers wait (or the pool closes): kept in a turn, or handed over. */
    private void releaseToQueue(Entry<T> entry, long stamp, long usage) {
        if (!closed && turnContinues(entry)) {
            long idle = Entry.with(stamp, Entry.IDLE);
            if (!entry.compareAndSet(stamp, idle)) {
                return; // a concurrent close() of the same lease won
            }
            listener.connectionReturned(usage);
            if (staysIdleInTurn(entry, idle)) {
                return; // kept for this thread's next borrow
            }
        } else {
            if (!entry.compareAndSet(stamp, Entry.with(stamp, Entry.RESERVED))) {
                return; // a concurrent close() of the same lease won
            }
            listener.connectionReturned(usage);
        }
        handOff(entry, false); // to the oldest waiter (checked first if due), or back to the idle ones
    }

    /**
     * Returns a lease through the resetter: the lease is ended (the slot owned by this thread) before the resetter
     * touches the connection, so that a concurrent second close cannot reset a connection already lent again.
     */
    private void releaseWithReset(Entry<T> entry, long stamp, long now) {
        if (!end(entry, stamp, now)) {
            return;
        }
        if (!reset(entry.connection)) {
            discard(entry, "its reset on return failed");
            return;
        }
        entry.lastUsed = now;
        entry.lastChecked = now;
        handOff(entry, false); // to the oldest waiter (checked first if due), or back to the idle ones
    }

    /** Whether a returned connection must be checked before the next borrower gets it. */
    private boolean needsCheck(Entry<T> entry, long now) {
        return now - entry.createdAt >= entry.lifetime || now - entry.lastChecked >= bypassNanos;
    }

    /**
     * Ends a lease by closing the connection and freeing its slot; does nothing when the lease has ended already.
     *
     * @param entry the slot
     * @param stamp the lease's stamp
     */
    public void invalidate(Entry<T> entry, long stamp) {
        if (end(entry, stamp, ticker.nanoTime())) {
            discard(entry, "its borrower invalidated it");
        }
    }

    /**
     * Ends a lease by giving the connection to the borrower for good and freeing its slot.
     *
     * @param entry the slot
     * @param stamp the lease's stamp
     * @return the connection, which the pool no longer tracks or closes
     * @throws IllegalStateException when the lease has ended already
     */
    public T detach(Entry<T> entry, long stamp) {
        if (!end(entry, stamp, ticker.nanoTime())) {
            throw new IllegalStateException(name + ": this connection was already returned to the pool");
        }
        T connection = entry.connection;
        free(entry);
        log.debug("{}: connection {} detached from the pool", name, entry.index);
        return connection;
    }

    /** Takes an ended lease's slot for this thread; false when the lease had already ended. */
    private boolean end(Entry<T> entry, long stamp, long now) {
        if (!entry.compareAndSet(stamp, Entry.with(stamp, Entry.RESERVED))) {
            return false;
        }
        listener.connectionReturned(now - entry.leasedAt);
        if (trackBorrowers) {
            leaks.returned(entry, stamp, now);
        }
        return true;
    }

    private boolean reset(T connection) {
        try {
            return resetter.reset(connection);
        } catch (Throwable e) { // user code: whatever it throws must not leave the slot taken
            log.warn("{}: resetting a returned connection failed; closing it", name, e);
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Validating and closing

    /**
     * Runs the validator, waiting at most {@code timeoutNanos}.
     *
     * @param callerBound whether the wait is cut short by a borrower's deadline: running out of time then says nothing
     *     about the connection, which is put back rather than closed
     */
    private int validate(Entry<T> entry, long timeoutNanos, boolean callerBound) {
        try {
            CompletionStage<Boolean> answer = validator.isValid(entry.connection);
            if (answer != null
                    && Boolean.TRUE.equals(answer.toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS))) {
                return VALID;
            }
            log.warn("{}: connection {} failed validation", name, entry.index);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return INTERRUPTED;
        } catch (TimeoutException e) {
            if (callerBound) {
                return NO_TIME;
            }
            log.warn(
                    "{}: validating connection {} took longer than {} ms",
                    name,
                    entry.index,
                    nanosToMillis(timeoutNanos));
        } catch (ExecutionException e) {
            log.warn("{}: validating connection {} failed", name, entry.index, e.getCause());
        } catch (Throwable e) { // user code: whatever it throws must not leave the slot taken
            log.warn("{}: validating connection {} failed", name, entry.index, e);
        }
        counters.validationFailures.incrementAndGet();
        return INVALID;
    }

    /** Closes an owned connection outside any lock, then frees its slot, even when closing fails. */
    private void discard(Entry<T> entry, String reason) {
        T connection = entry.connection;
        try {
            closeQuietly(connection);
        } finally {
            counters.destroyed.incrementAndGet();
            log.debug("{}: closed connection {} because {}", name, entry.index, reason);
            free(entry);
        }
    }

    private void free(Entry<T> entry) {
        entry.connection = null;
        entry.borrower = null;
        entry.turnHolder = 0;
        entry.set(Entry.with(entry.stamp(), Entry.EMPTY));
        if (!waiters.isEmpty()) {
            factory.fillDemand(); // a waiter may have found no free slot a moment ago
        }
    }

    void closeQuietly(T connection) {
        try {
            closer.close(connection);
        } catch (Throwable e) { // user code: whatever it throws must not leave the slot taken
            log.warn("{}: closing a connection failed", name, e);
        }
    }

    /**
     * Checks an owned idle connection on a worker and hands it to the oldest waiter; the caller has counted it as
     * supply ({@link ConnectionFactory#supplyStarted()}), and it stays counted until the hand-over is done.
     */
    private void checkOnWorker(Entry<T> entry) {
        try {
            housekeeper.execute(() -> {
                try {
                    checkAndHandOff(entry, Long.MAX_VALUE);
                } finally {
                    factory.supplyEnded();
                }
            });
        } catch (RejectedExecutionException e) { // the pool closed meanwhile
            factory.supplyEnded();
            discard(entry, "the pool is closed");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Cleanup and leak detection

    /** One cleanup run: see {@link CleanupConfig}. Never blocks borrowers: each connection it checks is taken alone. */
    public void runCleanup() {
        if (closed) {
            return;
        }
        long now = ticker.nanoTime();
        int idle = count(Entry.IDLE);
        int idleClosed = 0;
        int retired = 0;
        int invalid = 0;
        for (Entry<T> entry : slots) {
            long stamp = entry.stamp();
            if (Entry.state(stamp) != Entry.IDLE) {
                continue;
            }
            boolean tooOld = now - entry.createdAt >= entry.lifetime;
            boolean idleTooLong = maxIdleNanos > 0 && now - entry.lastUsed >= maxIdleNanos && idle > config.minIdle();
            boolean unchecked = now - entry.lastChecked >= bypassNanos;
            if (!(tooOld || idleTooLong || unchecked) || !entry.compareAndSet(stamp, Entry.with(stamp, Entry.SWEPT))) {
                continue;
            }
            // Owned now: decide again, since the slot may have been emptied and refilled (same stamp) meanwhile.
            tooOld = now - entry.createdAt >= entry.lifetime;
            idleTooLong = maxIdleNanos > 0 && now - entry.lastUsed >= maxIdleNanos && idle > config.minIdle();
            if (tooOld) {
                discard(entry, "it reached its max lifetime");
                retired++;
                idle--;
            } else if (idleTooLong) {
                discard(entry, "it was idle longer than maxIdleTime");
                idleClosed++;
                idle--;
            } else if (validate(entry, validationTimeoutNanos, false) == VALID) {
                entry.lastChecked = ticker.nanoTime();
                handOff(entry);
            } else if (Thread.currentThread().isInterrupted()) {
                putBack(entry); // the cleanup thread is being stopped: leave the connection as it was
                return;
            } else {
                discard(entry, "it failed validation");
                invalid++;
                idle--;
            }
        }
        int started = factory.fillToMinIdle();
        if (leaks.enabled()) {
            leaks.sweep(slots, ticker.nanoTime());
        }
        if (log.isDebugEnabled()) {
            log.debug(
                    "{}: cleanup closed {} idle, {} expired, {} invalid; started {} creations; {}",
                    name,
                    idleClosed,
                    retired,
                    invalid,
                    started,
                    stats().summary());
        }
    }

    private void sweepLeaks() {
        leaks.sweep(slots, ticker.nanoTime());
    }

    /**
     * Starts or restarts the pool's own cleanup thread with a new configuration; a disabled one stops it.
     *
     * @param cleanup the new configuration
     */
    public void restartCleanup(CleanupConfig cleanup) {
        if (closed) {
            return;
        }
        housekeeper.startCleanup(cleanup, this, PoolEngine::runCleanup);
        log.debug("{}: cleanup {}", name, cleanup.enabled() ? "runs every " + cleanup.interval() : "stopped");
    }

    /** Stops the pool's own cleanup thread; {@link #runCleanup()} still works. */
    public void stopCleanup() {
        housekeeper.stopCleanup();
        log.debug("{}: cleanup stopped", name);
    }

    /**
     * Whether the pool's own cleanup is scheduled.
     *
     * @return true while the cleanup thread runs
     */
    public boolean cleanupRunning() {
        return housekeeper.cleanupRunning();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stats and closing

    /**
     * A snapshot of the pool; see {@link PoolStats}.
     *
     * @return the snapshot
     */
    public PoolStats stats() {
        int idle = 0;
        int active = 0;
        int making = 0;
        for (Entry<T> entry : slots) {
            switch (Entry.state(entry.stamp())) {
                case Entry.IDLE, Entry.SWEPT -> idle++; // being checked or closed by the cleanup: not lent
                case Entry.LEASED, Entry.RESERVED -> active++;
                case Entry.CREATING -> making++;
                default -> {}
            }
        }
        return new PoolStats(
                active,
                idle,
                waiters.size(),
                active + idle + making,
                slots.length,
                counters.created.get(),
                counters.destroyed.get(),
                counters.timeouts.get(),
                counters.creationFailures.get(),
                counters.validationFailures.get());
    }

    /**
     * The last error of a creation, for health checks and messages.
     *
     * @return the creator's last error or the last creation timeout, or {@code null} before any failure
     */
    public Throwable lastCreationError() {
        return factory.lastError();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closing has begun
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the pool: fails every waiting caller with {@link PoolClosedException}, closes idle connections, abandons
     * creations and stops the threads. Lent connections are closed when they come back. Idempotent.
     */
    public void close() {
        if (closing.getAndIncrement() != 0) {
            return;
        }
        closed = true;
        log.info("{}: closing ({})", name, stats().summary());
        housekeeper.stopCleanup();
        PoolClosedException failure = closedException();
        Waiter<T> waiter;
        while ((waiter = waiters.poll()) != null) {
            waiter.future.completeExceptionally(failure);
        }
        for (Entry<T> entry : slots) {
            if (entry.tryMove(Entry.IDLE, Entry.SWEPT)) {
                discard(entry, "the pool is closed");
            }
        }
        factory.abandonAll();
        housekeeper.shutdown();
        log.info("{}: closed ({})", name, stats().summary());
    }

    Entry<T>[] slots() {
        return slots;
    }

    WaiterQueue<T> waiters() {
        return waiters;
    }

    /** Slots with a connection or a creation: what could still serve a caller. */
    int liveCount() {
        return slots.length - count(Entry.EMPTY);
    }

    int count(int state) {
        int n = 0;
        for (Entry<T> entry : slots) {
            if (Entry.state(entry.stamp()) == state) {
                n++;
            }
        }
        return n;
    }

    private PoolClosedException closedException() {
        return new PoolClosedException(name + ": the pool is closed");
    }

    private PoolTimeoutException timeoutException(long timeoutNanos) {
        Throwable cause = factory.lastError();
        String message = name + ": no connection available within " + nanosToMillis(timeoutNanos) + " ms ("
                + stats().summary() + ")"
                + (cause != null ? "; last creation error: " + cause : "");
        return new PoolTimeoutException(message, cause);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum; // both positive and wrapped: the far future
    }

    private static long nanosToMillis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /**
     * Converts a duration to nanoseconds, saturating instead of overflowing for very long ones.
     *
     * @param duration a duration
     * @return its length in nanoseconds, at most {@code Long.MAX_VALUE}
     */
    public static long nanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
