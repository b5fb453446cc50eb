package io.github.connectionpool;

import java.time.Duration;

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
 * <p>An invalid interval is refused with an {@link InvalidSettingException} whose {@link
 * InvalidSettingException#setting() setting} is {@code "cleanup.interval"}: the interval of the configuration given to
 * a builder's {@code cleanup(...)}.
 *
 * @param interval the time between two runs; positive, or zero when the cleanup is disabled (it is then unused). One
 *     longer than {@link PoolConfig#MAX_DURATION} (about 292 years, such as {@code ChronoUnit.FOREVER}) is taken as
 *     {@code MAX_DURATION}: a cleanup that never comes
 * @param enabled whether the pool runs the cleanup on its own thread
 */
public record CleanupConfig(Duration interval, boolean enabled) {

    /** The default interval between two cleanup runs: 30 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    /** The name of the interval in {@link InvalidSettingException#setting()}. */
    static final String INTERVAL_SETTING = "cleanup.interval";

    /**
     * Checks the interval.
     *
     * @param interval the time between two runs
     * @param enabled whether the pool runs the cleanup itself
     * @throws InvalidSettingException for {@code "cleanup.interval"} when the interval is null or negative, or zero
     *     while enabled
     */
    public CleanupConfig {
        if (interval == null || interval.isNegative() || (interval.isZero() && enabled)) {
            throw new InvalidSettingException(
                    INTERVAL_SETTING,
                    interval,
                    INTERVAL_SETTING + " must be positive, but was " + interval
                            + (interval != null && interval.isZero() ? " with the cleanup enabled" : ""));
        }
        interval = PoolConfig.capped(interval);
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
     * @param newInterval the new interval; positive, or zero when the cleanup is disabled
     * @return a new configuration
     * @throws InvalidSettingException for {@code "cleanup.interval"} as the constructor
     */
    public CleanupConfig withInterval(Duration newInterval) {
        return new CleanupConfig(newInterval, enabled);
    }
}
