package io.github.connectionpool;

import java.time.Duration;
import java.util.Objects;

/**
 * How often the pool's background cleanup runs, and whether it runs at all.
 *
 * <p>Each run closes connections idle longer than {@link PoolConfig#maxIdleTime()} (keeping {@link PoolConfig#minIdle()}
 * of them) or older than {@link PoolConfig#maxLifetime()}, validates the other idle ones, and creates connections up
 * to {@code minIdle}. The same run is available as {@link ConnectionPool#runCleanup()} for an external scheduler.
 *
 * <pre>{@code
 * CleanupConfig everyMinute = new CleanupConfig(Duration.ofMinutes(1), true);
 * }</pre>
 *
 * @param interval the time between two runs; positive, or zero when the cleanup is disabled (it is then unused)
 * @param enabled whether the pool runs the cleanup on its own thread
 */
public record CleanupConfig(Duration interval, boolean enabled) {

    /** The default interval between two cleanup runs: 30 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    /**
     * Checks the interval.
     *
     * @param interval the time between two runs
     * @param enabled whether the pool runs the cleanup itself
     * @throws IllegalArgumentException when the interval is null or negative, or zero while enabled
     */
    public CleanupConfig {
        if (interval == null || interval.isNegative() || (interval.isZero() && enabled)) {
            throw new IllegalArgumentException("cleanup.interval must be positive, but was " + interval
                    + (interval != null && interval.isZero() ? " with the cleanup enabled" : ""));
        }
    }

    /**
     * The default: every 30 seconds, enabled.
     *
     * @return the default cleanup configuration
     */
    public static CleanupConfig defaults() {
        return new CleanupConfig(DEFAULT_INTERVAL, true);
    }

    /**
     * A configuration with the cleanup off; {@link ConnectionPool#runCleanup()} still works.
     *
     * @return a disabled cleanup configuration with the default interval
     */
    public static CleanupConfig disabled() {
        return new CleanupConfig(DEFAULT_INTERVAL, false);
    }

    /**
     * This configuration with another interval.
     *
     * @param newInterval the new interval; positive
     * @return a new configuration
     */
    public CleanupConfig withInterval(Duration newInterval) {
        return new CleanupConfig(Objects.requireNonNull(newInterval, "interval"), enabled);
    }
}
