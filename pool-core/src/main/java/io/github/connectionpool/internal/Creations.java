package io.github.connectionpool.internal;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.PoolConfig;
import io.github.connectionpool.PoolException;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.Ticker;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes connections for empty slots, as waiting callers need them or {@code minIdle} asks, and settles each creation's
 * outcome through the {@link Dispatcher}: the connection to the oldest waiter, a failure to the oldest waiter.
 *
 * <p><b>Demand.</b> A creation is started while more callers wait than connections are on their way to them:
 * creations in flight (less those presumed stalled, see {@link StallRule}) and idle connections being checked for
 * waiters on a worker ({@link #checkStarted()}). A creation stays counted until its outcome has reached its waiter,
 * so that a caller arriving meanwhile does not start a needless one; once uncounted, demand is looked at again, so
 * that such a caller is not forgotten either.
 *
 * <p><b>Capacity.</b> A creation the pool gave up on holds its slot while the creator's call still runs (see
 * {@link Creation}), even after the callers were told it timed out: never more creator calls run than the pool has
 * slots. A call that never returns keeps its slot for good; {@code stats().creating()} shows it.
 *
 * <p><b>Back-off.</b> While creations keep failing, attempts are spaced out ({@link CreationBackoff}), and callers for
 * whom nothing alive could come before the next attempt fail at once with a {@link ConnectionCreationException}.
 *
 * @param <T> the connection type
 * @param <P> the connection parameters
 */
final class Creations<T, P> {

    private static final Logger log = LoggerFactory.getLogger(Creations.class);

    /** The longest pause of the back-off (and no longer than the connection timeout). */
    private static final long BACKOFF_AT_MOST_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String name;
    private final PoolConfig config;
    private final P params;
    private final ConnectionCreator<T, P> creator;
    private final Lifecycle lifecycle;
    private final SlotTable<T> slots;
    private final WaiterQueue<T> waiters;
    private final Dispatcher<T> dispatcher;
    private final Closer<T> closer;
    private final Ticker ticker;
    private final Ticker realTime;
    private final PoolListener listener;
    private final PoolExecutors executors;
    private final PoolCounters counters;
    private final long connectionTimeoutNanos;
    private final long maxLifetimeNanos;
    private final CreationBackoff backoff;
    private final StallRule stalls;

    /** Creations holding their slot: from their start until their connection is in the slot or the slot is free. */
    private final Set<Creation<T>> holding = ConcurrentHashMap.newKeySet();
    /** Creations not yet settled: supply on its way to the waiters. */
    private final AtomicInteger creating = new AtomicInteger();
    /** Idle connections being checked on a worker for waiters: supply on its way, like a creation. */
    private final AtomicInteger checking = new AtomicInteger();

    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private volatile Throwable lastError;

    Creations(
            PoolConfig config,
            P params,
            ConnectionCreator<T, P> creator,
            Lifecycle lifecycle,
            SlotTable<T> slots,
            WaiterQueue<T> waiters,
            Dispatcher<T> dispatcher,
            Closer<T> closer,
            Ticker ticker,
            Ticker realTime,
            PoolListener listener,
            PoolExecutors executors,
            PoolCounters counters) {
        this.name = config.name();
        this.config = config;
        this.params = params;
        this.creator = creator;
        this.lifecycle = lifecycle;
        this.slots = slots;
        this.waiters = waiters;
        this.dispatcher = dispatcher;
        this.closer = closer;
        this.ticker = ticker;
        this.realTime = realTime;
        this.listener = listener;
        this.executors = executors;
        this.counters = counters;
        this.connectionTimeoutNanos = PoolEngine.nanos(config.connectionTimeout());
        this.maxLifetimeNanos = config.maxLifetime().isZero() ? Long.MAX_VALUE : PoolEngine.nanos(config.maxLifetime());
        this.backoff = new CreationBackoff(Math.min(connectionTimeoutNanos, BACKOFF_AT_MOST_NANOS), realTime);
        this.stalls = new StallRule(connectionTimeoutNanos);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Demand

    /** Starts creations while more callers wait than connections are on their way to them and a slot is free. */
    void fillDemand() {
        int stalled = waiters.isEmpty() ? 0 : stalledCreations();
        // At least zero: a stalled creation counted above may have settled (and left creating) since.
        while (!lifecycle.isClosed() && Math.max(0, creating.get() - stalled) + checking.get() < waiters.size()) {
            // Started because some count as stalled: a replacement, which is not presumed stalled in turn.
            boolean replacement = stalled > 0 && creating.get() + checking.get() >= waiters.size();
            if (!startOne(replacement)) {
                return;
            }
        }
    }

    /** A slot was freed or a connection is on its way no more: callers still waiting may need a creation. */
    void supplyChanged() {
        if (!waiters.isEmpty()) {
            fillDemand();
        }
    }

    private int stalledCreations() {
        if (holding.isEmpty()) {
            return 0;
        }
        long now = realTime.nanoTime();
        int stalled = 0;
        for (Creation<T> creation : holding) {
            if (!creation.isSettled() && stalls.presumedStalled(creation.startNanos, creation.replacement, now)) {
                stalled++;
            }
        }
        return stalled;
    }

    /**
     * Starts creations until {@code minIdle} connections are idle or being created, or the pool is full.
     *
     * @return how many creations were started
     */
    int fillToMinIdle() {
        int started = 0;
        int missing = config.minIdle() - slots.count(Slot.IDLE) - creating.get();
        while (missing-- > 0 && startOne(false)) {
            started++;
        }
        return started;
    }

    /** An idle connection is being checked for the waiters: count it as supply until {@link #checkEnded()}. */
    void checkStarted() {
        checking.incrementAndGet();
    }

    /** The check counted by {@link #checkStarted()} is over and its connection handed on (or closed). */
    void checkEnded() {
        checking.decrementAndGet();
        supplyChanged(); // a caller that came meanwhile counted this connection as its own
    }

    /** Whether creation is backing off with nothing alive to lend: a caller would wait for nothing. */
    boolean hopeless() {
        return backoff.remainingNanos() > 0 && liveCount() == 0;
    }

    /**
     * Whether nothing can serve a caller: no connection exists and no creation that could bring one runs (every slot
     * not empty is held by a creator's call the pool gave up on, and none is empty).
     */
    boolean nothingCanServe() {
        return liveCount() == 0 && slots.count(Slot.EMPTY) == 0;
    }

    /** The failure of a caller for whom {@link #nothingCanServe()}: the creations keep failing, with the last error. */
    ConnectionCreationException nothingCanServeException() {
        Throwable cause = lastError;
        return new ConnectionCreationException(
                name + ": no connection, and none can be made: every slot is held by a creator's call that outlived its"
                        + " connection timeout; last error: " + cause,
                cause);
    }

    /** Slots with a connection, or a creation that may still serve a caller. */
    private int liveCount() {
        int servingNobody = 0;
        for (Creation<T> creation : holding) {
            if (creation.heldInCall()) {
                servingNobody++;
            }
        }
        return slots.size() - slots.count(Slot.EMPTY) - servingNobody;
    }

    /**
     * The failure for callers turned away while creation backs off: a {@link ConnectionCreationException} whose cause
     * is the last creation error (a {@link PoolTimeoutException} when the last attempt timed out).
     */
    PoolException backoffException() {
        Throwable cause = lastError;
        return new ConnectionCreationException(
                name + ": creating connections keeps failing (" + backoff.failuresInARow()
                        + " attempts in a row); next attempt in "
                        + TimeUnit.NANOSECONDS.toMillis(backoff.remainingNanos()) + " ms; last error: " + cause,
                cause);
    }

    Throwable lastError() {
        return lastError;
    }

    /** Abandons every creation in flight: each frees its slot once no creator call runs, a late connection is closed. */
    void abandonAll() {
        for (Creation<T> creation : holding) {
            creation.abandon();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Starting

    private boolean startOne(boolean replacement) {
        if (lifecycle.isClosed()) {
            return false;
        }
        long wait = backoff.remainingNanos();
        if (wait > 0) {
            scheduleRetry(wait);
            return false;
        }
        Slot<T> slot = slots.takeEmpty();
        if (slot == null) {
            return false;
        }
        creating.incrementAndGet();
        Creation<T> creation = new Creation<>(this, slot, realTime.nanoTime(), ticker.nanoTime(), replacement);
        holding.add(creation);
        if (lifecycle.isClosed()) { // close() may have abandoned the creations before this one was added
            creation.abandon();
            return false;
        }
        try {
            creation.task(executors.submit(creation));
        } catch (RejectedExecutionException e) { // closed meanwhile
            creation.abandon();
            return false;
        }
        try {
            // The outcome reaches a waiter's callbacks: settle it on a worker, not on the timer thread.
            creation.timer(
                    executors.schedule(() -> executors.executeOrRun(creation::timedOut), connectionTimeoutNanos));
            scheduleStallCheck(creation, stalls.stallAfterNanos());
        } catch (RejectedExecutionException e) { // closed meanwhile: close() abandons it
            log.trace("{}: closed before a creation's timers could be scheduled", name, e);
        }
        return true;
    }

    /** Looks at a creation again when it may be presumed stalled; nothing while no creation time is known. */
    private void scheduleStallCheck(Creation<T> creation, long delayNanos) {
        if (!creation.replacement && delayNanos != Long.MAX_VALUE) {
            creation.stallCheck(executors.schedule(() -> checkStall(creation), delayNanos + 1));
        }
    }

    /**
     * Runs when a creation may be presumed stalled: starts another for the callers waiting if it is, and otherwise (the
     * usual creation time grew meanwhile) looks again when it will be.
     */
    private void checkStall(Creation<T> creation) {
        if (creation.isSettled() || lifecycle.isClosed()) {
            return;
        }
        long running = realTime.nanoTime() - creation.startNanos;
        long stallAfter = stalls.stallAfterNanos();
        if (running < stallAfter) {
            try {
                scheduleStallCheck(creation, stallAfter - running);
            } catch (RejectedExecutionException e) { // closed meanwhile
                log.trace("{}: closed before a stall check could be scheduled", name, e);
            }
        } else {
            supplyChanged();
        }
    }

    /** Once the back-off ends, serves the callers still waiting; one retry is scheduled at a time. */
    private void scheduleRetry(long delayNanos) {
        if (!retryScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            executors.schedule(
                    () -> {
                        retryScheduled.set(false);
                        fillDemand();
                    },
                    delayNanos);
        } catch (RejectedExecutionException e) { // closed
            retryScheduled.set(false);
        }
    }

    CompletionStage<T> callCreator() {
        return creator.createConnection(params);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Outcomes (each called once per creation, see Creation)

    void created(Creation<T> creation, T connection) {
        Slot<T> slot = creation.slot;
        long now = ticker.nanoTime();
        slot.connection = connection;
        slot.createdAt = now;
        slot.lifetime = jitteredLifetime();
        slot.lastUsed = now;
        slot.lastChecked = now;
        slot.created();
        holding.remove(creation);
        counters.created.incrementAndGet();
        backoff.succeeded();
        long took = realTime.nanoTime() - creation.startNanos;
        stalls.succeeded(creation.startNanos, took);
        listener.connectionCreated(now - creation.startTicks);
        log.debug("{}: created connection {} ({})", name, slot.index, connection);
        dispatcher.handOver(slot);
        creating.decrementAndGet(); // only now, with its waiter served (see the class comment)
        if (!waiters.isEmpty()) {
            fillDemand();
            if (!holding.isEmpty()) { // creations started before this one may be stalled: look again when they are
                try {
                    executors.schedule(this::supplyChanged, stalls.overtakenAfterNanos(took) + 1);
                } catch (RejectedExecutionException e) { // closed meanwhile
                    log.trace("{}: closed before a stall check could be scheduled", name, e);
                }
            }
        }
    }

    void failed(Creation<T> creation, Throwable error) {
        counters.creationFailures.incrementAndGet();
        lastError = error;
        log.error("{}: failed to create a connection", name, error);
        backoff.failed();
        // The slot is free before the waiter hears of the failure (its stats then show no creation), but the creation
        // stays counted until the waiter is told, as in created().
        creation.slot.free();
        holding.remove(creation);
        dispatcher.failOldest(
                new ConnectionCreationException(name + ": failed to create a connection: " + error, error));
        settledWithoutConnection();
    }

    /** The creation's timeout passed: its caller fails; its slot is freed by the creation (see {@link Creation}). */
    void timedOut(Creation<T> creation) {
        counters.creationFailures.incrementAndGet();
        PoolTimeoutException failure = new PoolTimeoutException(
                name + ": creating a connection took longer than the connection timeout ("
                        + config.connectionTimeout().toMillis() + " ms) ("
                        + counters.snapshot(slots, waiters).summary() + ")",
                null);
        lastError = failure;
        log.error("{}; the creator is interrupted, and a call still running keeps its slot", failure.getMessage());
        backoff.failed();
        dispatcher.failOldest(failure);
        settledWithoutConnection();
    }

    /** The pool closed before the creation settled. */
    void abandoned(Creation<T> creation) {
        creating.decrementAndGet();
    }

    /** After a failure or a timeout reached its waiter: the others are failed at once, or get attempts of their own. */
    private void settledWithoutConnection() {
        creating.decrementAndGet();
        if (hopeless()) {
            dispatcher.failAll(this::backoffException); // no caller should wait for what will not come
        } else {
            fillDemand(); // every other waiter gets an attempt of its own
        }
    }

    /** A creation the pool gave up on no longer needs its slot (see {@link Creation}): it is free for another. */
    void slotFreed(Creation<T> creation, boolean offer) {
        creation.slot.free();
        holding.remove(creation);
        if (offer) {
            supplyChanged();
        }
    }

    /** A connection whose creation was settled already (it timed out, or the pool closed): closed, counting nothing. */
    void arrivedLate(T connection) {
        log.debug("{}: closing a connection that arrived after its creation timed out or the pool closed", name);
        closer.closeQuietly(connection);
    }

    private long jitteredLifetime() {
        if (maxLifetimeNanos == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long jitter = maxLifetimeNanos / 40; // up to 2.5%, so that connections made together expire apart
        return jitter > 0 ? maxLifetimeNanos - ThreadLocalRandom.current().nextLong(jitter) : maxLifetimeNanos;
    }
}
