package io.github.connectionpool.internal;

import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PoolTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The exceptions a borrower gets, with the messages users read: the pool's name, what happened, the stats and the last
 * creation error.
 */
final class Failures {

    private final String name;
    private final Supplier<PoolStats> stats;
    private final Supplier<Throwable> lastCreationError;

    Failures(String name, Supplier<PoolStats> stats, Supplier<Throwable> lastCreationError) {
        this.name = name;
        this.stats = stats;
        this.lastCreationError = lastCreationError;
    }

    PoolClosedException closed() {
        return new PoolClosedException(name + ": the pool is closed");
    }

    /** No connection came within the borrower's timeout; the cause is the last creation error, if any. */
    PoolTimeoutException timeout(long timeoutNanos) {
        Throwable cause = lastCreationError.get();
        String message = name + ": no connection available within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                + " ms (" + stats.get().summary() + ")" + (cause != null ? "; last creation error: " + cause : "");
        return new PoolTimeoutException(message, cause);
    }

    /** The failure of an interrupted borrow; sets the interrupt status again, as the caller must still see it. */
    PoolTimeoutException interrupted() {
        Thread.currentThread().interrupt();
        return new PoolTimeoutException(
                name + ": interrupted while waiting for a connection", new InterruptedException());
    }
}
