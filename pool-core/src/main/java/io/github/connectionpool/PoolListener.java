package io.github.connectionpool;

/**
 * Receives the timings a metrics system turns into timers: how long borrowers waited, how long creations took, how
 * long connections were held.
 *
 * <p>Counts and gauges come from {@link ConnectionPool#stats()}; this listener only adds the durations. Its methods are
 * called on the pool's hot paths, outside any lock: they must be fast and must not throw. All durations are in
 * nanoseconds, measured with the pool's {@link Ticker}.
 */
public interface PoolListener {

    /**
     * A borrower received a connection.
     *
     * @param waitNanos how long the borrow took, from the call to the hand-over
     */
    default void connectionAcquired(long waitNanos) {}

    /**
     * The pool created a connection.
     *
     * @param creationNanos how long the creator took
     */
    default void connectionCreated(long creationNanos) {}

    /**
     * A borrower returned, invalidated or detached a connection.
     *
     * @param usageNanos how long the borrower held it
     */
    default void connectionReturned(long usageNanos) {}

    /**
     * A listener that ignores everything: the default.
     *
     * @return a listener that does nothing
     */
    static PoolListener none() {
        return NoOpListener.INSTANCE;
    }
}

/** The listener behind {@link PoolListener#none()}. */
enum NoOpListener implements PoolListener {
    INSTANCE
}
