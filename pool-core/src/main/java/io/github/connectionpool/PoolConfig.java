package io.github.connectionpool;

import java.time.Duration;

/**
 * The settings of a pool, checked once when the pool is built; read them back with {@link ConnectionPool#config()}.
 *
 * <p>Build one with {@link ConnectionPool#builder(Object, ConnectionCreator, ConnectionValidator)}; any setting left
 * out takes the default named here. For the durations that can be switched off ({@code maxIdleTime},
 * {@code maxLifetime}, {@code leakDetectionThreshold}) {@link Duration#ZERO} means "off". A duration longer than
 * {@link #MAX_DURATION} (about 292 years, such as {@code ChronoUnit.FOREVER.getDuration()}) is taken as
 * {@code MAX_DURATION}: for a timeout, a lifetime or an interval, that is forever.
 *
 * @param name the pool's name, used in log lines, exception messages, thread names and metrics; not blank
 * @param maxSize the most live connections, counting those being created; 1 or more (default 10)
 * @param minIdle the connections the cleanup keeps in the pool, creating them when needed; 0 to {@code maxSize}
 *     (default 0)
 * @param maxIdleTime how long a connection may stay unused in the pool before the cleanup closes it, as long as
 *     {@code minIdle} connections remain; zero for never (default 5 minutes)
 * @param maxLifetime how long a connection may live; each connection's limit is shortened by a random jitter of up to
 *     2.5% so that connections made together do not expire together; zero for forever (default 30 minutes)
 * @param connectionTimeout how long one creation may take; positive (default 10 seconds)
 * @param acquireTimeout how long {@link ConnectionPool#getConnection()} waits in all, creation and validation
 *     included; zero means "only if one is at hand" (default 30 seconds)
 * @param validationTimeout how long one validation may take before the connection counts as invalid; positive
 *     (default 5 seconds)
 * @param validationBypassWindow a connection used or checked less than this long ago is lent without validation;
 *     zero validates on every borrow (default 500 milliseconds)
 * @param leakDetectionThreshold a connection held longer than this is reported at WARN with its borrower's stack
 *     trace; zero for off (default off)
 * @param cleanup when and whether the pool runs its own cleanup (default every 30 seconds, enabled)
 */
public record PoolConfig(
        String name,
        int maxSize,
        int minIdle,
        Duration maxIdleTime,
        Duration maxLifetime,
        Duration connectionTimeout,
        Duration acquireTimeout,
        Duration validationTimeout,
        Duration validationBypassWindow,
        Duration leakDetectionThreshold,
        CleanupConfig cleanup) {

    /** Default {@code maxSize}: 10. */
    public static final int DEFAULT_MAX_SIZE = 10;
    /** Upper bound of {@code maxSize}, a guard against typos that would allocate huge tables. */
    public static final int MAX_SIZE_LIMIT = 100_000;
    /** Default {@code maxIdleTime}: 5 minutes. */
    public static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofMinutes(5);
    /** Default {@code maxLifetime}: 30 minutes. */
    public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofMinutes(30);
    /** Default {@code connectionTimeout}: 10 seconds. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@code acquireTimeout}: 30 seconds. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@code validationTimeout}: 5 seconds. */
    public static final Duration DEFAULT_VALIDATION_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@code validationBypassWindow}: 500 milliseconds. */
    public static final Duration DEFAULT_VALIDATION_BYPASS_WINDOW = Duration.ofMillis(500);
    /**
     * The longest duration a setting holds: {@code Long.MAX_VALUE} nanoseconds, about 292 years. Longer ones are
     * shortened to it, so that the pool's arithmetic in nanoseconds never overflows.
     */
    public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

    /**
     * Checks every setting.
     *
     * @param name see {@link #name()}
     * @param maxSize see {@link #maxSize()}
     * @param minIdle see {@link #minIdle()}
     * @param maxIdleTime see {@link #maxIdleTime()}
     * @param maxLifetime see {@link #maxLifetime()}
     * @param connectionTimeout see {@link #connectionTimeout()}
     * @param acquireTimeout see {@link #acquireTimeout()}
     * @param validationTimeout see {@link #validationTimeout()}
     * @param validationBypassWindow see {@link #validationBypassWindow()}
     * @param leakDetectionThreshold see {@link #leakDetectionThreshold()}
     * @param cleanup see {@link #cleanup()}
     * @throws InvalidSettingException naming the first setting that is missing or out of range
     */
    public PoolConfig {
        if (name == null || name.isBlank()) {
            throw new InvalidSettingException("name", name, "name must not be blank, but was '" + name + "'");
        }
        if (maxSize < 1 || maxSize > MAX_SIZE_LIMIT) {
            throw new InvalidSettingException(
                    "maxSize", maxSize, "maxSize must be between 1 and " + MAX_SIZE_LIMIT + ", but was " + maxSize);
        }
        if (minIdle < 0 || minIdle > maxSize) {
            throw new InvalidSettingException(
                    "minIdle", minIdle, "minIdle must be between 0 and maxSize (" + maxSize + "), but was " + minIdle);
        }
        maxIdleTime = notNegative("maxIdleTime", maxIdleTime);
        maxLifetime = notNegative("maxLifetime", maxLifetime);
        connectionTimeout = positive("connectionTimeout", connectionTimeout);
        acquireTimeout = notNegative("acquireTimeout", acquireTimeout);
        validationTimeout = positive("validationTimeout", validationTimeout);
        validationBypassWindow = notNegative("validationBypassWindow", validationBypassWindow);
        leakDetectionThreshold = notNegative("leakDetectionThreshold", leakDetectionThreshold);
        if (cleanup == null) {
            throw new InvalidSettingException("cleanup", null, "cleanup must not be null");
        }
    }

    /** Shortens a duration longer than {@link #MAX_DURATION} to it; shorter ones are returned as they are. */
    static Duration capped(Duration duration) {
        return duration.compareTo(MAX_DURATION) > 0 ? MAX_DURATION : duration;
    }

    private static Duration notNegative(String setting, Duration value) {
        if (value == null || value.isNegative()) {
            throw new InvalidSettingException(setting, value, setting + " must be zero or positive, but was " + value);
        }
        return capped(value);
    }

    private static Duration positive(String setting, Duration value) {
        Duration checked = notNegative(setting, value);
        if (checked.isZero()) {
            throw new InvalidSettingException(setting, value, setting + " must be positive, but was " + value);
        }
        return checked;
    }
}
