package io.github.connectionpool.internal;

import java.util.concurrent.TimeUnit;

/**
 * When a creation still running is presumed stalled: no longer counted as supply for the callers waiting, so that one
 * more creation is started for them while slots are free (docs/pitfalls.md, pitfall 3: one hung connect
 * must not keep callers waiting when others get through).
 *
 * <p><b>The rule.</b> A creation is presumed stalled once it has run for {@link #TYPICAL_FACTOR} times the usual
 * creation time (a moving average of successful creations), or for {@link #OVERTAKEN_FACTOR} times as long as a
 * creation started after it took to succeed; never before {@link #AT_LEAST_NANOS}, and never later than half the
 * connection timeout (which ends it anyway: so with a connection timeout under 200 ms, at half of it). Both follow
 * measured creation times, so the rule adapts to the target.
 *
 * <p><b>What it costs, and the bounds.</b> A creation presumed stalled that was only slow costs one connect more. So:
 * <ul>
 *   <li>Before any creation succeeded nothing is presumed stalled: a fresh pool against a host that drops every
 *       connect makes one connect per caller, each ended by its connection timeout.
 *   <li>A replacement (started because creations were presumed stalled) is never presumed stalled itself: one
 *       borrower costs at most two creations, however slow the machine ({@code StallRuleTest} and
 *       {@code CreationStallTest} hold this bound).
 *   <li>{@link #AT_LEAST_NANOS} is far above what a loaded machine delays a healthy creation by. Measured on the
 *       2-core machine this was tuned on, with both cores overloaded (two CPU hogs and parallel builds, a load average
 *       of 9 to 13): 20,000 in-memory creations took 6 µs at the median, 10 ms at the 99.9th percentile and 100 ms at
 *       most, so a 10 ms floor would have started 20 needless creations and this one started one.
 * </ul>
 *
 * <p>Racy updates of the estimates (two creations succeeding at once) only blur them.
 */
final class StallRule {

    /** The least time a creation runs before it may be presumed stalled. */
    static final long AT_LEAST_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A creation running this many times the usual creation time is presumed stalled. */
    static final int TYPICAL_FACTOR = 4;

    /** A creation running this many times as long as a later-started one took to succeed is presumed stalled. */
    static final int OVERTAKEN_FACTOR = 2;

    private static final long NONE = Long.MIN_VALUE;

    private final long connectionTimeoutNanos;
    private volatile long typicalNanos = -1; // a moving average; -1 before the first success
    private volatile long lastSuccessStart = NONE;
    private volatile long lastSuccessNanos;

    StallRule(long connectionTimeoutNanos) {
        this.connectionTimeoutNanos = connectionTimeoutNanos;
    }

    /** A creation started at {@code startNanos} succeeded after {@code tookNanos}. */
    void succeeded(long startNanos, long tookNanos) {
        long typical = typicalNanos;
        typicalNanos = typical < 0 ? tookNanos : typical + (tookNanos - typical) / 4;
        long last = lastSuccessStart;
        if (last == NONE || startNanos - last > 0) {
            lastSuccessNanos = tookNanos;
            lastSuccessStart = startNanos;
        }
    }

    /**
     * How long a creation may run before it is presumed stalled by the usual creation time; {@code Long.MAX_VALUE}
     * before any creation succeeded.
     */
    long stallAfterNanos() {
        long typical = typicalNanos;
        if (typical < 0) {
            return Long.MAX_VALUE;
        }
        long byTypical = typical > Long.MAX_VALUE / TYPICAL_FACTOR ? Long.MAX_VALUE : TYPICAL_FACTOR * typical;
        return Math.min(Math.max(AT_LEAST_NANOS, byTypical), connectionTimeoutNanos / 2);
    }

    /**
     * Whether a creation in flight is presumed stalled now.
     *
     * @param startNanos when it started
     * @param replacement whether it was started in place of stalled ones (then never)
     * @param now the time now, on the same clock
     */
    boolean presumedStalled(long startNanos, boolean replacement, long now) {
        if (replacement) {
            return false;
        }
        long running = now - startNanos;
        if (running >= stallAfterNanos()) {
            return true;
        }
        long overtakenBy = lastSuccessStart;
        return overtakenBy != NONE // nothing succeeded yet
                && startNanos - overtakenBy < 0
                && running >= overtakenAfterNanos(lastSuccessNanos);
    }

    /**
     * After a creation that took {@code tookNanos} succeeded: when creations started before it will be presumed
     * stalled by the overtaking rule, so that the pool looks at the demand again then.
     */
    long overtakenAfterNanos(long tookNanos) {
        long doubled = tookNanos > Long.MAX_VALUE / OVERTAKEN_FACTOR ? Long.MAX_VALUE : OVERTAKEN_FACTOR * tookNanos;
        return Math.max(AT_LEAST_NANOS, doubled);
    }
}
