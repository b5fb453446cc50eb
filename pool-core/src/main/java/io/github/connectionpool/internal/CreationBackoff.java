package io.github.connectionpool.internal;

import io.github.connectionpool.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Spaces out creation attempts while the target keeps refusing them, so that a dead server is not hammered and its
 * callers are not piled up behind it.
 *
 * <p>One failure is forgiven: the next attempt starts at once. From the second failure in a row on, attempts wait 100
 * ms, then twice as long after each further failure, up to a limit; one success ends the back-off. Real time, not the
 * pool's ticker: it paces a server, not the connections' ages.
 *
 * <p>What it buys: a dead server is not hit by a connect per caller, and callers fail at once instead of queueing
 * behind attempts that will fail ({@code CreationBackoffTest}). What it costs: after a server comes back, the first
 * connection may wait up to one pause (at most 5 s, or the connection timeout when that is shorter).
 */
final class CreationBackoff {

    private static final int FORGIVEN_FAILURES = 1;
    private static final long BASE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final long maxNanos;
    private final Ticker realTime;
    private final AtomicInteger failures = new AtomicInteger();
    private volatile long retryAt;

    CreationBackoff(long maxNanos, Ticker realTime) {
        this.maxNanos = maxNanos;
        this.realTime = realTime;
    }

    void failed() {
        int inARow = failures.incrementAndGet();
        if (inARow > FORGIVEN_FAILURES) {
            int doublings = Math.min(30, inARow - FORGIVEN_FAILURES - 1);
            long delay = Math.min(maxNanos, BASE_NANOS << doublings);
            retryAt = realTime.nanoTime() + delay;
        }
    }

    void succeeded() {
        if (failures.get() != 0) {
            failures.set(0);
        }
    }

    /** How long until the next attempt may start; zero when it may start now. */
    long remainingNanos() {
        if (failures.get() <= FORGIVEN_FAILURES) {
            return 0;
        }
        return Math.max(0, retryAt - realTime.nanoTime());
    }

    int failuresInARow() {
        return failures.get();
    }
}
