package io.github.connectionpool.internal;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionResetter;
import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolConfig;
import io.github.connectionpool.PoolException;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.Ticker;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool itself: borrowing and returning, and the parts it is made of.
 *
 * <p><b>Parts</b> (each in its own class, each with its invariants written next to it):
 * <ul>
 *   <li>{@link SlotTable} of {@link Slot}s: capacity ({@code maxSize} slots, nothing else counts) and each slot's
 *       state, moved only by its named transitions.
 *   <li>{@link WaiterQueue}: callers waiting, oldest first; {@link OldestWaiter}: how they wait, and how the oldest
 *       looks for connections left idle in turns.
 *   <li>{@link Dispatcher}: the only code completing a waiter's future: hand-overs, failures, timeouts.
 *   <li>{@link TurnPolicy}: when a caller served from the queue may borrow its connection again although others wait.
 *   <li>{@link LendingCheck}: whether an idle connection may be lent ({@link CheckOutcome}).
 *   <li>{@link Creations}: making connections for waiters and {@code minIdle}, their outcomes, stalls
 *       ({@link StallRule}) and back-off ({@link CreationBackoff}).
 *   <li>{@link Recycler}: checks for waiters, discards and put-backs, off the callers' paths; {@link Closer}.
 *   <li>{@link CleanupRun}, {@link Housekeeper} (periodic tasks), {@link PoolExecutors} (the pool's threads),
 *       {@link LeakDetector}, {@link CoarseClock}.
 * </ul>
 *
 * <p><b>Why the borrow and return paths are here, in one screen.</b> The uncontended borrow ({@link #acquire}: one CAS
 * on an idle slot while nobody waits) and return ({@link #release}: one release store back to idle, as only the
 * lease's owner moves a lent slot; {@link ReturnBackstop} covers the race this leaves) are the whole cost of the
 * pool for most callers, so they are written for the JIT: small enough to inline into the caller, reading final fields
 * of this class directly, and with one call site that makes the borrower's handle, so that a caller that does not keep
 * the handle (try-with-resources) gets it without an allocation (escape analysis gives up where two allocations meet
 * in one variable). Everything else is a call out of them into a part.
 *
 * <p><b>No lock across user code.</b> The only lock is the waiter queue's; the creator, validator, closer, resetter
 * and listener run outside it.
 *
 * @param <T> the connection type
 * @param <P> the connection parameters
 */
public final class PoolEngine<T, P> {

    private static final Logger log = LoggerFactory.getLogger(PoolEngine.class);

    private final String name;
    private final PoolConfig config;
    private final Lifecycle lifecycle = new Lifecycle();
    private final SlotTable<T> slots;
    private final WaiterQueue<T> waiters = new WaiterQueue<>();
    private final TurnPolicy turns;
    private final LendingCheck<T> checks;
    private final Dispatcher<T> dispatcher;
    private final Creations<T, P> creations;
    private final Recycler<T> recycler;
    private final SlowBorrow<T> slowBorrow;
    private final Failures failures;
    private final CleanupRun<T> cleanup;
    private final Housekeeper housekeeper;
    private final PoolExecutors executors;
    private final Closer<T> closer;
    private final PoolWork work = new PoolWork();
    private final PoolCounters counters = new PoolCounters();
    private final LeakDetector leaks;
    private final ConnectionResetter<? super T> resetter;
    private final Ticker ticker;
    private final PoolListener listener;
    private final LeaseFactory<T> leases;
    /** Whether a borrower's stack is recorded (leak detection): a slot is then reserved before it is lent. */
    private final boolean trackBorrowers;
    /** The hot path's clock when exact times are not needed there, else {@code null} (the ticker is read). */
    private final CoarseClock coarse;

    private final long validationTimeoutNanos;

    /**
     * Builds a pool and starts it: the cleanup and leak sweep are scheduled and {@code minIdle} connections are
     * started. Nothing is started unless every part could be built.
     *
     * @param config the checked settings
     * @param parts the user's parts, the threads and the clock
     */
    public PoolEngine(PoolConfig config, PoolParts<T, P> parts) {
        this.config = config;
        this.name = config.name();
        this.resetter = parts.resetter();
        this.ticker = parts.ticker();
        this.listener = GuardedListener.guard(name, parts.listener());
        this.leases = parts.leases();
        this.validationTimeoutNanos = nanos(config.validationTimeout());
        long bypassNanos = nanos(config.validationBypassWindow());
        this.slots = new SlotTable<>(this, config.maxSize());
        this.leaks = new LeakDetector(name, nanos(config.leakDetectionThreshold()));
        this.trackBorrowers = leaks.enabled();
        this.executors = parts.executors().apply(name);
        this.housekeeper = new Housekeeper(name, executors);
        this.turns = new TurnPolicy(waiters, parts.strictFifoUpTo(), config.maxSize());
        this.checks =
                new LendingCheck<>(name, parts.validator(), ticker, counters, bypassNanos, validationTimeoutNanos);
        this.closer = new Closer<>(name, parts.closer(), counters);
        this.dispatcher = new Dispatcher<>(
                name, lifecycle, waiters, turns, checks, closer, ticker, listener, leases, executors, counters);
        this.creations = new Creations<>(
                config,
                parts.params(),
                parts.creator(),
                lifecycle,
                slots,
                waiters,
                dispatcher,
                closer,
                ticker,
                parts.realTime(),
                listener,
                executors,
                counters);
        this.recycler = new Recycler<>(
                lifecycle, slots, waiters, turns, checks, dispatcher, creations, closer, executors, work, ticker);
        this.failures = new Failures(name, this::stats, creations::lastError);
        OldestWaiter<T> oldest = new OldestWaiter<>(
                slots, waiters, turns, checks, dispatcher, recycler, failures, ticker, !trackBorrowers);
        ReturnBackstop<T> backstop = new ReturnBackstop<>(lifecycle, waiters, recycler, executors);
        this.slowBorrow = new SlowBorrow<>(
                name,
                lifecycle,
                slots,
                waiters,
                turns,
                checks,
                dispatcher,
                creations,
                recycler,
                oldest,
                backstop,
                executors,
                work,
                failures,
                leaks,
                leases,
                listener,
                ticker);
        this.cleanup = new CleanupRun<>(
                config, lifecycle, slots, checks, dispatcher, recycler, creations, leaks, work, ticker);
        boolean exactTimes = this.listener != PoolListener.none() || leaks.enabled();
        this.coarse = ticker == Ticker.system() && !exactTimes ? new CoarseClock(bypassNanos) : null;
        try {
            start();
        } catch (RuntimeException | Error e) { // a pool that could not start leaves no thread behind
            housekeeper.shutdown();
            throw e;
        }
    }

    private void start() {
        if (coarse != null) {
            housekeeper.startTicking(coarse);
        }
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
        creations.fillToMinIdle();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The uncontended borrow and return

    /**
     * Borrows a connection, waiting at most {@code timeoutNanos}.
     *
     * @param timeoutNanos the longest wait, zero for none
     * @return the borrower's handle
     * @throws PoolException when no connection can be had
     */
    public PooledConnection<T> acquire(long timeoutNanos) {
        // An idle connection checked or used lately, taken while nobody waits or, while others wait, in this thread's
        // turn; anything else is the slow path.
        long start = now();
        Slot<T> slot = null;
        if (!lifecycle.isClosed()) {
            slot = waiters.isEmpty() ? slots.takeIdle(!trackBorrowers) : turns.takeInTurn(slots, !trackBorrowers);
        }
        long stamp;
        if (slot != null && checks.isFresh(slot, start)) {
            stamp = lend(slot, slot.stamp(), start, start, leaks.captureBorrower());
        } else {
            slot = slowBorrow.acquire(slot, start, timeoutNanos);
            stamp = slot.stamp(); // only the borrower moves a lent slot's stamp
        }
        return leases.lease(slot, stamp); // the one place that makes the handle (see the class comment)
    }

    /**
     * Ends a lease by taking the connection back; does nothing when the lease has ended already.
     *
     * @param slot the slot
     * @param stamp the lease's stamp
     */
    public void release(Slot<T> slot, long stamp) {
        if (slot.stamp() != stamp) {
            return;
        }
        long now = now();
        if (resetter != null) {
            releaseWithReset(slot, stamp, now);
            return;
        }
        long usage = now - slot.leasedAt;
        slot.lastUsed = now; // also starts the validation bypass window (LendingCheck#recentlyChecked)
        if (trackBorrowers) {
            leaks.returned(slot, stamp, now);
        }
        if (!waiters.isEmpty()) {
            returnWhileQueued(slot, stamp, usage);
            return;
        }
        TurnPolicy.end(slot); // nobody waits: turns are over
        long idle = slot.returnIdle(stamp); // a store, no fence: see Slot.returnIdle for what covers the race
        listener.connectionReturned(usage);
        // Somebody queued meanwhile, having looked before this was idle; or the pool is closed (before or during this
        // return: checked once, here, as the only check covers both), and the connection goes to be closed.
        if ((!waiters.isEmpty() || lifecycle.isClosed()) && slot.tryRetake(idle)) {
            handBack(slot);
        }
    }

    /** Lends an owned slot: stamped {@code LEASED} already when taken without leak detection, reserved otherwise. */
    private long lend(Slot<T> slot, long taken, long start, long now, Throwable borrower) {
        long leased = slot.lendTaken(taken, now, borrower);
        listener.connectionAcquired(now - start);
        if (log.isTraceEnabled()) {
            log.trace("{}: lent connection {} ({})", name, slot.index, slot.connection);
        }
        return leased;
    }

    /** The time on the borrow and return paths: the coarse clock when it may be used, else the ticker. */
    private long now() {
        CoarseClock clock = coarse;
        return clock != null ? clock.now() : ticker.nanoTime();
    }

    /**
     * Borrows a connection without blocking the caller.
     *
     * @param timeoutNanos the longest wait, zero for none
     * @return a future that completes with the handle, or with a {@link PoolException}; cancelling it gives up the
     *     wait without losing a connection
     */
    public CompletableFuture<PooledConnection<T>> acquireAsync(long timeoutNanos) {
        return slowBorrow.acquireAsync(now(), timeoutNanos);
    }

    /**
     * Checks that a connection can be had, for a health check: see {@link SlowBorrow#probe}.
     *
     * @param timeoutNanos the longest wait
     * @return whether a connection came within the timeout
     */
    public boolean probe(long timeoutNanos) {
        return slowBorrow.probe(now(), timeoutNanos);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Returning, the other ways

    /** Takes a lent connection back while callers wait (the pool may close meanwhile): kept in a turn, or handed. */
    private void returnWhileQueued(Slot<T> slot, long stamp, long usage) {
        if (dispatcher.returnWhileQueued(slot, stamp, usage) == Dispatcher.HandBack.CHECK_FIRST) {
            recycler.checkForWaiters(slot);
        }
    }

    private void handBack(Slot<T> slot) {
        if (dispatcher.handBack(slot) == Dispatcher.HandBack.CHECK_FIRST) {
            recycler.checkForWaiters(slot);
        }
    }

    /**
     * Returns a lease through the resetter: the lease is ended (a compare-and-set; the slot is then owned by this
     * thread) before the resetter touches the connection. A reset can take as long as a rollback's round trip, and a
     * second {@code close()}, an {@code invalidate()} or a {@code detach()} of the same lease in that time, from
     * another thread, then finds the lease ended and does nothing; with the lease still live they would free the slot
     * under the reset, and the reset's return would then make another caller's lease idle (measured: two handles on
     * one connection). The bare return's store is kept for pools without a resetter, where that window is nanoseconds.
     */
    private void releaseWithReset(Slot<T> slot, long stamp, long now) {
        if (!end(slot, stamp, now)) {
            return;
        }
        if (!reset(slot.connection)) {
            recycler.discard(slot, "its reset on return failed");
            return;
        }
        slot.lastUsed = now; // also starts the validation bypass window (LendingCheck#recentlyChecked)
        handBack(slot);
    }

    private boolean reset(T connection) {
        try {
            return resetter.reset(connection);
        } catch (Throwable e) { // user code: whatever it throws must not leave the slot taken
            log.warn("{}: resetting a returned connection failed; closing it", name, e);
            return false;
        }
    }

    /**
     * Reads a lent connection.
     *
     * @param slot the slot
     * @param stamp the lease's stamp
     * @return the connection
     * @throws IllegalStateException when the lease has ended
     */
    public T connection(Slot<T> slot, long stamp) {
        T connection = slot.connection;
        VarHandle.acquireFence(); // the read above may not move below the stamp check (as in StampedLock.validate)
        if (slot.stamp() != stamp) {
            throw new IllegalStateException(name + ": this connection was already returned to the pool");
        }
        return connection;
    }

    /**
     * Ends a lease by closing the connection, on the calling thread, and freeing its slot; does nothing when the lease
     * has ended already.
     *
     * @param slot the slot
     * @param stamp the lease's stamp
     */
    public void invalidate(Slot<T> slot, long stamp) {
        if (end(slot, stamp, ticker.nanoTime())) {
            recycler.discard(slot, "its borrower invalidated it");
        }
    }

    /**
     * Ends a lease by giving the connection to the borrower for good and freeing its slot.
     *
     * @param slot the slot
     * @param stamp the lease's stamp
     * @return the connection, which the pool no longer tracks or closes
     * @throws IllegalStateException when the lease has ended already
     */
    public T detach(Slot<T> slot, long stamp) {
        if (!end(slot, stamp, ticker.nanoTime())) {
            throw new IllegalStateException(name + ": this connection was already returned to the pool");
        }
        T connection = slot.connection;
        slot.free();
        log.debug("{}: connection {} detached from the pool", name, slot.index);
        creations.supplyChanged();
        return connection;
    }

    /** Takes an ended lease's slot for this thread; false when the lease had already ended. */
    private boolean end(Slot<T> slot, long stamp, long now) {
        if (!slot.tryEndLease(stamp)) {
            return false;
        }
        listener.connectionReturned(now - slot.leasedAt);
        if (trackBorrowers) {
            leaks.returned(slot, stamp, now);
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Cleanup

    /** One cleanup run: see {@link CleanupRun}. */
    public void runCleanup() {
        CleanupRun.Summary summary = cleanup.run();
        if (summary != null && log.isDebugEnabled()) {
            log.debug("{}: cleanup {}; {}", name, summary, stats().summary());
        }
    }

    private void sweepLeaks() {
        leaks.sweep(slots.all(), ticker.nanoTime());
    }

    /**
     * Starts or restarts the pool's own cleanup thread with a new configuration; a disabled one stops it.
     *
     * @param config the new configuration
     */
    public void restartCleanup(CleanupConfig config) {
        if (lifecycle.isClosed()) {
            return;
        }
        housekeeper.startCleanup(config, this, PoolEngine::runCleanup);
        log.debug("{}: cleanup {}", name, config.enabled() ? "runs every " + config.interval() : "stopped");
    }

    /** Stops the pool's own cleanup thread; {@link #runCleanup()} still works. */
    public void stopCleanup() {
        housekeeper.stopCleanup();
        log.debug("{}: cleanup stopped", name);
    }

    /**
     * Whether the pool's own cleanup is scheduled.
     *
     * @return true while the cleanup thread runs; false once the pool is closed
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
        return counters.snapshot(slots, waiters);
    }

    /**
     * The last error of a creation, for health checks and messages.
     *
     * @return the creator's last error or the last creation timeout, or {@code null} before any failure
     */
    public Throwable lastCreationError() {
        return creations.lastError();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closing has begun
     */
    public boolean isClosed() {
        return lifecycle.isClosed();
    }

    /**
     * Closes the pool: fails every waiting caller with {@link PoolClosedException}, closes idle connections, waits for
     * the checks and closes the pool's threads have in progress (at most twice the validation timeout: one for a check,
     * one for closing what it found), abandons creations and stops the threads. Lent connections are closed when they
     * come back; a creation still running is closed when it ends. Idempotent.
     */
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        log.info("{}: closing ({})", name, stats().summary());
        housekeeper.stopCleanup();
        dispatcher.failAll(failures::closed);
        closeIdle();
        creations.abandonAll();
        long waitUntil = SlowBorrow.saturatedAdd(
                System.nanoTime(), SlowBorrow.saturatedAdd(validationTimeoutNanos, validationTimeoutNanos));
        if (!work.awaitNone(waitUntil)) {
            log.warn(
                    "{}: closing without waiting longer for {} connections that a check or close still holds",
                    name,
                    work.inProgress());
        }
        housekeeper.shutdown();
        // Again: a return whose store (Slot.returnIdle) showed only after the first pass, while its own read of the
        // closed flag had passed that store and missed it, left its connection idle behind that pass.
        closeIdle();
        log.info("{}: closed ({})", name, stats().summary());
    }

    private void closeIdle() {
        for (Slot<T> slot : slots.all()) {
            if (slot.trySweep()) {
                closer.discard(slot, "the pool is closed");
            }
        }
    }

    /**
     * For tests: ends a lease as a return does, but without reading the waiter queue or the closed flag afterwards. It
     * is what a return looks like to a caller that queued, or a {@code close()} that passed the slot, in the instant
     * the return's store had not shown yet ({@link Slot#returnIdle}); tests use it to show what finds such a
     * connection.
     *
     * @param slot the slot
     * @param stamp the lease's stamp
     */
    public void releaseUnseen(Slot<T> slot, long stamp) {
        if (slot.stamp() == stamp) {
            TurnPolicy.end(slot);
            slot.returnIdle(stamp);
        }
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
