package io.github.connectionpool;

/**
 * The pool's source of time for idle time, lifetime, validation bypass, leak detection and the durations it reports to
 * its {@link PoolListener}.
 *
 * <p>Tests inject their own ticker to move time forward without sleeping. Waiting (an acquire timeout, a creation
 * timeout) always uses real time.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Reads the time.
     *
     * @return a monotonic time in nanoseconds, comparable only with other readings of the same ticker
     */
    long nanoTime();

    /**
     * The ticker backed by {@link System#nanoTime()}, used unless the builder is given another.
     *
     * @return the system ticker
     */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}

/** The ticker behind {@link Ticker#system()}; one instance, so that the pool can tell it from others. */
enum SystemTicker implements Ticker {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
