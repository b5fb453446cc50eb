package io.github.connectionpool.internal;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports connections held longer than the leak detection threshold: a WARN with the pool's name, the hold time and
 * the borrower's stack trace, once per lease, and an INFO when such a connection finally comes back.
 *
 * <p>The borrower's stack is captured only while detection is on, so it costs nothing otherwise.
 */
final class LeakDetector {

    private static final Logger log = LoggerFactory.getLogger(LeakDetector.class);

    private final String poolName;
    private final long thresholdNanos;

    LeakDetector(String poolName, long thresholdNanos) {
        this.poolName = poolName;
        this.thresholdNanos = thresholdNanos;
    }

    boolean enabled() {
        return thresholdNanos > 0;
    }

    /** How often the pool sweeps for leaks: often enough to report soon after the threshold, at most every second. */
    long sweepPeriodNanos() {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(thresholdNanos / 2, TimeUnit.SECONDS.toNanos(1)));
    }

    /** Records where the calling thread borrows, or returns {@code null} when detection is off. */
    Throwable captureBorrower() {
        return enabled() ? new BorrowerTrace(Thread.currentThread()) : null;
    }

    /** Looks at every lent slot and reports those held too long that were not reported yet. */
    void sweep(Slot<?>[] slots, long now) {
        for (Slot<?> entry : slots) {
            long stamp = entry.stamp();
            if (Slot.state(stamp) != Slot.LEASED || entry.leakReportedFor == stamp) {
                continue;
            }
            long leasedAt = entry.leasedAt;
            Throwable borrower = entry.borrower;
            // The lease may have ended while we read; only a stamp that did not move vouches for the two fields.
            if (entry.stamp() != stamp || now - leasedAt < thresholdNanos) {
                continue;
            }
            entry.leakReportedFor = stamp;
            log.warn(
                    "{}: connection leak? A connection has been held for {} ms (leak detection threshold {} ms);"
                            + " it was borrowed here:",
                    poolName,
                    TimeUnit.NANOSECONDS.toMillis(now - leasedAt),
                    TimeUnit.NANOSECONDS.toMillis(thresholdNanos),
                    borrower);
        }
    }

    /** Called when a lease ends: tells that a reported connection came back after all. */
    void returned(Slot<?> entry, long stamp, long now) {
        if (entry.leakReportedFor == stamp) {
            log.info(
                    "{}: a connection reported as leaked was returned after {} ms",
                    poolName,
                    TimeUnit.NANOSECONDS.toMillis(now - entry.leasedAt));
        }
    }

    /** The stack of the thread that borrowed a connection; not an error, only a place. */
    static final class BorrowerTrace extends Throwable {
        private static final long serialVersionUID = 1L;

        BorrowerTrace(Thread borrower) {
            super("borrowed by thread '" + borrower.getName() + "'");
        }
    }
}
