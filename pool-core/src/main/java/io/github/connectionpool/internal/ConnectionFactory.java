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
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes connections for empty slots, as callers need them or {@code minIdle} asks, and settles each creation's
 * outcome: the connection goes to the oldest waiter (through the engine's hand-off), a failure to the oldest waiter as
 * its exception.
 *
 * <p>Demand: a creation is started while more callers wait than creations are in flight. A creation stays counted
 * until its outcome has reached its waiter, so that a caller arriving meanwhile does not start a needless one; and
 * once uncounted, demand is looked at again, so that such a caller is not forgotten either.
 *
 * <p>Stalls: a creation that hangs (a connect to a host that drops packets) must not keep callers waiting while
 * slots are free, when there is evidence that others get through. So a creation stops counting as supply once it is
 * presumed stalled: it has run for twice as long as a creation started after it took to succeed (and at least 10 ms),
 * or for {@link #stallAfterNanos()} (four times the usual creation time, known once creations have succeeded).
 * Checks are scheduled for those moments, and start another creation if callers still wait. The stalled one goes on
 * until its connection timeout; if it succeeds after all, its connection serves the next caller or stays idle. A
 * replacement is not presumed stalled in turn, and before any creation succeeded nothing is presumed stalled: so a
 * host that drops every connect gets at most twice the connects the callers need (one per caller from a fresh pool),
 * each ended by its connection timeout, and slots stay free for when it answers again.
 *
 * @param <T> the connection type
 * @param <P> the connection parameters
 */
final class ConnectionFactory<T, P> {

    private static final Logger log = LoggerFactory.getLogger(ConnectionFactory.class);

    /** The least time a creation may run before it is presumed stalled. */
    private static final long STALL_AFTER_AT_LEAST_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final PoolEngine<T, P> engine;
    private final String name;
    private final PoolConfig config;
    private final P params;
    private final ConnectionCreator<T, P> creator;
    private final Ticker ticker;
    private final PoolListener listener;
    private final Housekeeper housekeeper;
    private final PoolCounters counters;
    private final long connectionTimeoutNanos;
    private final long maxLifetimeNanos;
    private final CreationBackoff backoff;
    private final Set<Creation<T>> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicInteger creating = new AtomicInteger();
    /** Idle connections being checked on a worker for waiters: supply on its way, like a creation. */
    private final AtomicInteger checking = new AtomicInteger();

    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private volatile Throwable lastError;

    // What successful creations took, to tell a stalled creation from a slow one (see the class comment). Written by
    // the creations that succeed, read by callers queueing: racy updates only blur the estimate.
    private volatile long typicalCreationNanos = -1; // a moving average; -1 before the first success
    private volatile long lastSuccessStartNanos = Long.MIN_VALUE;
    private volatile long lastSuccessNanos;

    ConnectionFactory(
            PoolEngine<T, P> engine,
            PoolConfig config,
            P params,
            ConnectionCreator<T, P> creator,
            Ticker ticker,
            PoolListener listener,
            Housekeeper housekeeper,
            PoolCounters counters) {
        this.engine = engine;
        this.name = config.name();
        this.config = config;
        this.params = params;
        this.creator = creator;
        this.ticker = ticker;
        this.listener = listener;
        this.housekeeper = housekeeper;
        this.counters = counters;
        this.connectionTimeoutNanos = PoolEngine.nanos(config.connectionTimeout());
        this.maxLifetimeNanos = config.maxLifetime().isZero() ? Long.MAX_VALUE : PoolEngine.nanos(config.maxLifetime());
        this.backoff = new CreationBackoff(Math.min(connectionTimeoutNanos, TimeUnit.SECONDS.toNanos(5)));
    }

    /** Starts creations while more callers wait than connections are on their way to them and a slot is free. */
    void fillDemand() {
        WaiterQueue<T> waiters = engine.waiters();
        int stalled = waiters.isEmpty() ? 0 : stalledCreations();
        // At least zero: a stalled creation counted above may have settled (and left creating) since.
        while (!engine.isClosed() && Math.max(0, creating.get() - stalled) + checking.get() < waiters.size()) {
            // Started because some count as stalled: a replacement, which is not presumed stalled in turn.
            boolean replacement = stalled > 0 && creating.get() + checking.get() >= waiters.size();
            if (!startOne(replacement)) {
                return;
            }
        }
    }

    /** How many creations in flight are presumed stalled (see the class comment): supply that may never come. */
    private int stalledCreations() {
        if (inFlight.isEmpty()) {
            return 0;
        }
        long now = ticker.nanoTime();
        long stallAfter = stallAfterNanos();
        long overtakenAfter = Math.max(STALL_AFTER_AT_LEAST_NANOS, 2 * lastSuccessNanos);
        long overtakenBefore = lastSuccessStartNanos;
        int stalled = 0;
        for (Creation<T> creation : inFlight) {
            if (creation.replacement) {
                continue;
            }
            long running = now - creation.startNanos;
            boolean overtaken = overtakenBefore != Long.MIN_VALUE // Long.MIN_VALUE: nothing succeeded yet
                    && creation.startNanos - overtakenBefore < 0
                    && running >= overtakenAfter;
            if (running >= stallAfter || overtaken) {
                stalled++;
            }
        }
        return stalled;
    }

    /**
     * How long a creation may run before it is presumed stalled: four times the usual creation time, at least 10 ms,
     * and never more than half the connection timeout (which ends it anyway); before any creation succeeded, never
     * ({@code Long.MAX_VALUE}).
     */
    long stallAfterNanos() {
        long typical = typicalCreationNanos;
        if (typical < 0) {
            return Long.MAX_VALUE;
        }
        return Math.min(Math.max(STALL_AFTER_AT_LEAST_NANOS, 4 * typical), connectionTimeoutNanos / 2);
    }

    /** A creation took {@code nanos} to succeed: its start and time feed {@link #stalledCreations()}. */
    private void succeededIn(Creation<T> creation, long nanos) {
        long typical = typicalCreationNanos;
        typicalCreationNanos = typical < 0 ? nanos : typical + (nanos - typical) / 4;
        if (creation.startNanos - lastSuccessStartNanos > 0 || lastSuccessStartNanos == Long.MIN_VALUE) {
            lastSuccessNanos = nanos;
            lastSuccessStartNanos = creation.startNanos;
        }
    }

    /**
     * Starts creations until {@code minIdle} connections are idle or being created, or the pool is full.
     *
     * @return how many creations were started
     */
    int fillToMinIdle() {
        int started = 0;
        int missing = config.minIdle() - engine.count(Entry.IDLE) - creating.get();
        while (missing-- > 0 && startOne()) {
            started++;
        }
        return started;
    }

    /** An idle connection is being checked for the waiters: count it as supply until {@link #supplyEnded()}. */
    void supplyStarted() {
        checking.incrementAndGet();
    }

    /** The check counted by {@link #supplyStarted()} is over and its connection handed on (or closed). */
    void supplyEnded() {
        checking.decrementAndGet();
        if (!engine.waiters().isEmpty()) {
            fillDemand(); // a caller that came meanwhile counted this connection as its own
        }
    }

    /** Whether creation is backing off with nothing alive to lend: a caller would wait for nothing. */
    boolean hopeless() {
        return backoff.remainingNanos() > 0 && engine.liveCount() == 0;
    }

    /**
     * The failure for callers turned away while creation backs off: a {@link ConnectionCreationException} with the
     * creator's last error, or a {@link PoolTimeoutException} when the last attempt timed out.
     */
    PoolException backoffException() {
        Throwable cause = lastError;
        String message = name + ": creating connections keeps failing (" + backoff.failuresInARow()
                + " attempts in a row); next attempt in "
                + TimeUnit.NANOSECONDS.toMillis(backoff.remainingNanos()) + " ms; last error: " + cause;
        return cause instanceof PoolTimeoutException
                ? new PoolTimeoutException(message, cause)
                : new ConnectionCreationException(message, cause);
    }

    Throwable lastError() {
        return lastError;
    }

    /** Abandons every creation in flight; their late connections are closed. */
    void abandonAll() {
        for (Creation<T> creation : inFlight) {
            creation.abandon();
        }
    }

    private boolean startOne() {
        return startOne(false);
    }

    private boolean startOne(boolean replacement) {
        if (engine.isClosed()) {
            return false;
        }
        long wait = backoff.remainingNanos();
        if (wait > 0) {
            scheduleRetry(wait);
            return false;
        }
        Entry<T> entry = claimEmpty();
        if (entry == null) {
            return false;
        }
        creating.incrementAndGet();
        Creation<T> creation = new Creation<>(this, entry, ticker.nanoTime(), replacement);
        inFlight.add(creation);
        if (engine.isClosed()) { // close() may have abandoned the creations before this one was added
            creation.abandon();
            return false;
        }
        try {
            creation.task(housekeeper.submit(creation));
            // The outcome reaches a waiter's callbacks: settle it on a worker, not on the timer thread.
            creation.timer(
                    housekeeper.schedule(() -> housekeeper.executeOrRun(creation::timedOut), connectionTimeoutNanos));
            scheduleStallCheckOf(creation, stallAfterNanos());
        } catch (RejectedExecutionException e) { // closed meanwhile
            creation.abandon();
        }
        return true;
    }

    /**
     * Schedules a look at the demand for when a creation in flight will be presumed stalled: it then no longer counts
     * for the callers waiting, and one is started for them.
     */
    private Future<?> scheduleStallCheck(long delayNanos) {
        return housekeeper.schedule(
                () -> {
                    if (!engine.waiters().isEmpty()) {
                        fillDemand();
                    }
                },
                delayNanos);
    }

    /**
     * Runs when a creation may be presumed stalled: starts another for the callers waiting if it is, and otherwise (the
     * usual creation time grew meanwhile) looks again when it will be.
     */
    private void checkStall(Creation<T> creation) {
        if (!inFlight.contains(creation) || engine.isClosed()) {
            return;
        }
        long running = ticker.nanoTime() - creation.startNanos;
        long stallAfter = stallAfterNanos();
        if (running < stallAfter) {
            try {
                scheduleStallCheckOf(creation, stallAfter - running);
            } catch (RejectedExecutionException e) { // closed meanwhile
                log.trace("{}: closed before a stall check could be scheduled", name, e);
            }
        } else if (!engine.waiters().isEmpty()) {
            fillDemand();
        }
    }

    /** Looks at a creation again when it may be presumed stalled; nothing while no creation time is known. */
    private void scheduleStallCheckOf(Creation<T> creation, long delayNanos) {
        if (!creation.replacement && delayNanos != Long.MAX_VALUE) {
            creation.stallCheck(housekeeper.schedule(() -> checkStall(creation), delayNanos + 1));
        }
    }

    /** Once the back-off ends, serves the callers still waiting; one retry is scheduled at a time. */
    private void scheduleRetry(long delayNanos) {
        if (!retryScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            housekeeper.schedule(
                    () -> {
                        retryScheduled.set(false);
                        fillDemand();
                    },
                    delayNanos);
        } catch (RejectedExecutionException e) { // closed
            retryScheduled.set(false);
        }
    }

    private Entry<T> claimEmpty() {
        for (Entry<T> entry : engine.slots()) {
            if (entry.tryMove(Entry.EMPTY, Entry.CREATING)) {
                return entry;
            }
        }
        return null;
    }

    CompletionStage<T> callCreator() {
        return creator.createConnection(params);
    }

    void created(Creation<T> creation, T connection) {
        Entry<T> entry = creation.entry;
        long now = ticker.nanoTime();
        entry.connection = connection;
        entry.createdAt = now;
        entry.lifetime = jitteredLifetime();
        entry.lastUsed = now;
        entry.lastChecked = now;
        entry.set(Entry.with(entry.stamp(), Entry.RESERVED));
        inFlight.remove(creation);
        counters.created.incrementAndGet();
        backoff.succeeded();
        succeededIn(creation, now - creation.startNanos);
        listener.connectionCreated(now - creation.startNanos);
        log.debug("{}: created connection {} ({})", name, entry.index, connection);
        engine.handOff(entry);
        creating.decrementAndGet(); // only now, with its waiter served (see the class comment)
        if (!engine.waiters().isEmpty()) {
            fillDemand();
            if (!inFlight.isEmpty()) { // creations started before this one may be stalled: look again when they are
                try {
                    scheduleStallCheck(Math.max(STALL_AFTER_AT_LEAST_NANOS, 2 * (now - creation.startNanos)) + 1);
                } catch (RejectedExecutionException e) { // closed meanwhile
                    log.trace("{}: closed before a stall check could be scheduled", name, e);
                }
            }
        }
    }

    void failed(Creation<T> creation, Throwable error, boolean timedOut) {
        counters.creationFailures.incrementAndGet();
        PoolException failure;
        if (timedOut) {
            failure = new PoolTimeoutException(
                    name + ": creating a connection took longer than the connection timeout ("
                            + config.connectionTimeout().toMillis() + " ms) ("
                            + engine.stats().summary() + ")",
                    null);
            lastError = failure;
            log.error("{}", failure.getMessage());
        } else {
            failure = new ConnectionCreationException(name + ": failed to create a connection: " + error, error);
            lastError = error;
            log.error("{}: failed to create a connection", name, error);
        }
        backoff.failed();
        // The slot is free before the waiter hears of the failure (its stats then show no creation), but the creation
        // stays counted until the waiter is served, as in created().
        creation.entry.set(Entry.with(creation.entry.stamp(), Entry.EMPTY));
        inFlight.remove(creation);
        WaiterQueue<T> waiters = engine.waiters();
        Waiter<T> waiter;
        while ((waiter = waiters.poll()) != null) { // the oldest caller still waiting learns why
            if (timedOut) {
                counters.timeouts.incrementAndGet(); // before the caller can see it and read the stats
            }
            if (waiter.future.completeExceptionally(failure)) {
                break;
            }
            if (timedOut) {
                counters.timeouts.decrementAndGet(); // that caller had left already
            }
        }
        creating.decrementAndGet();
        if (hopeless()) {
            while ((waiter = waiters.poll()) != null) { // no caller should wait for what will not come
                waiter.future.completeExceptionally(backoffException());
            }
        } else {
            fillDemand(); // every other waiter gets an attempt of its own
        }
    }

    void abandoned(Creation<T> creation) {
        freeSlot(creation);
    }

    /** A connection whose creation was already settled (timed out, or the pool closed): close it, count nothing. */
    void discardLate(T connection) {
        log.debug("{}: closing a connection that arrived after its creation timed out or the pool closed", name);
        engine.closeQuietly(connection);
    }

    private void freeSlot(Creation<T> creation) {
        creation.entry.set(Entry.with(creation.entry.stamp(), Entry.EMPTY));
        inFlight.remove(creation);
        creating.decrementAndGet();
    }

    private long jitteredLifetime() {
        if (maxLifetimeNanos == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long jitter = maxLifetimeNanos / 40; // up to 2.5%, so that connections made together expire apart
        return jitter > 0 ? maxLifetimeNanos - ThreadLocalRandom.current().nextLong(jitter) : maxLifetimeNanos;
    }
}
