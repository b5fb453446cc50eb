package io.github.connectionpool.internal;

import io.github.connectionpool.PoolConfig;
import io.github.connectionpool.Ticker;

/**
 * One cleanup run: closes idle connections past their lifetime, or idle longer than {@code maxIdleTime} (keeping
 * {@code minIdle}), validates the other idle ones not checked within the bypass window, starts creations up to
 * {@code minIdle} and reports leaks. It takes one connection at a time, so borrowers are never blocked by it, and runs
 * on whatever thread calls it: the pool's own worker, or an application's scheduler.
 *
 * @param <T> the connection type
 */
final class CleanupRun<T> {

    private final PoolConfig config;
    private final Lifecycle lifecycle;
    private final SlotTable<T> slots;
    private final LendingCheck<T> checks;
    private final Dispatcher<T> dispatcher;
    private final Recycler<T> recycler;
    private final Creations<T, ?> creations;
    private final LeakDetector leaks;
    private final PoolWork work;
    private final Ticker ticker;
    private final long maxIdleNanos;

    CleanupRun(
            PoolConfig config,
            Lifecycle lifecycle,
            SlotTable<T> slots,
            LendingCheck<T> checks,
            Dispatcher<T> dispatcher,
            Recycler<T> recycler,
            Creations<T, ?> creations,
            LeakDetector leaks,
            PoolWork work,
            Ticker ticker) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.slots = slots;
        this.checks = checks;
        this.dispatcher = dispatcher;
        this.recycler = recycler;
        this.creations = creations;
        this.leaks = leaks;
        this.work = work;
        this.ticker = ticker;
        this.maxIdleNanos = PoolEngine.nanos(config.maxIdleTime());
    }

    /** Runs once; returns a summary for the debug log, or {@code null} when the pool is closed. */
    Summary run() {
        if (lifecycle.isClosed()) {
            return null;
        }
        long now = ticker.nanoTime();
        Summary summary = new Summary();
        int idle = slots.count(Slot.IDLE);
        for (Slot<T> slot : slots.all()) {
            long stamp = slot.stamp();
            if (Slot.state(stamp) != Slot.IDLE || !due(slot, now, idle)) {
                continue;
            }
            work.started(); // before reading closed: see PoolWork
            try {
                if (lifecycle.isClosed()) {
                    return null;
                }
                if (!slot.trySweep(stamp)) { // not lent (and returned) since it was examined; clean() decides again
                    continue;
                }
                Boolean closed = clean(slot, now, idle, summary);
                if (closed == null) {
                    return summary; // the cleanup thread is being stopped
                }
                if (closed) {
                    idle--;
                }
            } finally {
                work.done();
            }
        }
        summary.started = creations.fillToMinIdle();
        if (leaks.enabled()) {
            leaks.sweep(slots.all(), ticker.nanoTime());
        }
        return summary;
    }

    private boolean due(Slot<T> slot, long now, int idle) {
        return checks.expired(slot, now) || idleTooLong(slot, now, idle) || !checks.recentlyChecked(slot, now);
    }

    private boolean idleTooLong(Slot<T> slot, long now, int idle) {
        return maxIdleNanos > 0 && now - slot.lastUsed >= maxIdleNanos && idle > config.minIdle();
    }

    /**
     * Closes, validates or keeps one swept connection. Decides again, as the slot may have been emptied and refilled
     * since it was seen.
     *
     * @return whether it was closed; {@code null} when the run must stop (its thread is interrupted)
     */
    private Boolean clean(Slot<T> slot, long now, int idle, Summary summary) {
        if (checks.expired(slot, now)) {
            recycler.discard(slot, "it reached its max lifetime");
            summary.retired++;
            return true;
        }
        if (idleTooLong(slot, now, idle)) {
            recycler.discard(slot, "it was idle longer than maxIdleTime");
            summary.idleClosed++;
            return true;
        }
        CheckOutcome outcome = checks.validate(slot);
        if (outcome == CheckOutcome.VALID) {
            dispatcher.handOver(slot);
            return false;
        }
        if (Thread.currentThread().isInterrupted()) {
            recycler.putBack(slot); // the cleanup thread is being stopped: leave the connection as it was
            return null;
        }
        recycler.discard(slot, "it failed validation");
        summary.invalid++;
        return true;
    }

    /** What one run did, for the debug log. */
    static final class Summary {
        int idleClosed;
        int retired;
        int invalid;
        int started;

        @Override
        public String toString() {
            return "closed " + idleClosed + " idle, " + retired + " expired, " + invalid + " invalid; started "
                    + started + " creations";
        }
    }
}
