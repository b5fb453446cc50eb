package io.github.connectionpool;

import io.github.connectionpool.internal.PoolExecutors;
import io.github.connectionpool.internal.PoolParts;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The settings shared by every pool builder: {@link ConnectionPool.Builder} and the TCP pool's builder.
 *
 * <p>Each setter only records its value; {@code build()} checks them all at once and throws an
 * {@link InvalidSettingException} naming the first bad setting ({@link InvalidSettingException#setting()} is the
 * setter's name), before it starts anything. Durations longer than {@link PoolConfig#MAX_DURATION} (about 292 years,
 * such as {@code ChronoUnit.FOREVER}) are taken as {@code MAX_DURATION}. A builder is not thread-safe and can build
 * several pools.
 *
 * @param <T> the connection type
 * @param <P> the connection parameters
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class PoolBuilder<T, P, B extends PoolBuilder<T, P, B>> {

    /**
     * Default of {@link #strictFifoUpTo(int)}: with one or two callers waiting, every return goes to the oldest; from
     * three on, turns may run.
     */
    public static final int DEFAULT_STRICT_FIFO_UP_TO = 2;

    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    P params;
    ConnectionCreator<T, P> creator;
    ConnectionValidator<T> validator;
    private String name;
    private int maxSize = PoolConfig.DEFAULT_MAX_SIZE;
    private int minIdle;
    private Duration maxIdleTime = PoolConfig.DEFAULT_MAX_IDLE_TIME;
    private Duration maxLifetime = PoolConfig.DEFAULT_MAX_LIFETIME;
    private Duration connectionTimeout = PoolConfig.DEFAULT_CONNECTION_TIMEOUT;
    private Duration acquireTimeout = PoolConfig.DEFAULT_ACQUIRE_TIMEOUT;
    private Duration validationTimeout = PoolConfig.DEFAULT_VALIDATION_TIMEOUT;
    private Duration validationBypassWindow = PoolConfig.DEFAULT_VALIDATION_BYPASS_WINDOW;
    private Duration leakDetectionThreshold = Duration.ZERO;
    private CleanupConfig cleanup = CleanupConfig.defaults();
    ConnectionCloser<? super T> closer = PoolBuilder::closeIfAutoCloseable;
    private boolean closerSet;
    ConnectionResetter<? super T> resetter;
    Ticker ticker = Ticker.system();
    int strictFifoUpTo = DEFAULT_STRICT_FIFO_UP_TO;
    PoolListener listener = PoolListener.none();
    // For tests in this package: the threads and the real-time clock the engine runs on (see PoolParts).
    Function<String, PoolExecutors> executors = PoolParts.ownThreads();
    Ticker realTime = Ticker.system();

    /**
     * Starts a builder.
     *
     * @param params the connection parameters handed to the creator
     * @param creator makes connections
     * @param validator checks idle connections
     * @throws NullPointerException when an argument is null, naming it
     */
    protected PoolBuilder(P params, ConnectionCreator<T, P> creator, ConnectionValidator<T> validator) {
        this.params = params;
        this.creator = Objects.requireNonNull(creator, "creator");
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /**
     * Starts a builder whose parts a subclass supplies later with {@link #parts}.
     */
    protected PoolBuilder() {}

    /**
     * Sets the parameters, creator and validator; for subclasses that make them from their own settings.
     *
     * @param params the connection parameters handed to the creator
     * @param creator makes connections
     * @param validator checks idle connections
     * @return this builder
     */
    protected B parts(P params, ConnectionCreator<T, P> creator, ConnectionValidator<T> validator) {
        this.params = params;
        this.creator = Objects.requireNonNull(creator, "creator");
        this.validator = Objects.requireNonNull(validator, "validator");
        return self();
    }

    /**
     * Whether {@link #resetOnReturn} was called.
     *
     * @return true when a resetter is set
     */
    protected boolean hasResetter() {
        return resetter != null;
    }

    /**
     * Whether {@link #closer} was called.
     *
     * @return true when a closer is set
     */
    protected boolean hasCloser() {
        return closerSet;
    }

    /**
     * This builder, typed as the concrete builder.
     *
     * @return {@code this}
     */
    protected abstract B self();

    /**
     * Copies every setting of a configuration (the settings a {@link PoolConfig} holds; {@link #strictFifoUpTo(int)}
     * and the parts, such as the closer or the listener, stay as they are).
     *
     * @param config the settings to take
     * @return this builder
     */
    public B config(PoolConfig config) {
        name = config.name();
        maxSize = config.maxSize();
        minIdle = config.minIdle();
        maxIdleTime = config.maxIdleTime();
        maxLifetime = config.maxLifetime();
        connectionTimeout = config.connectionTimeout();
        acquireTimeout = config.acquireTimeout();
        validationTimeout = config.validationTimeout();
        validationBypassWindow = config.validationBypassWindow();
        leakDetectionThreshold = config.leakDetectionThreshold();
        cleanup = config.cleanup();
        return self();
    }

    /**
     * Takes the original crate's four optional settings, as its constructors do: {@code null} keeps the default.
     *
     * @param maxSize the most live connections, or null
     * @param maxIdleTime how long a connection may stay idle, or null
     * @param connectionTimeout how long one creation may take, or null
     * @param cleanupConfig when the cleanup runs, or null
     * @return this builder
     */
    public B seedSettings(
            Integer maxSize, Duration maxIdleTime, Duration connectionTimeout, CleanupConfig cleanupConfig) {
        if (maxSize != null) {
            maxSize(maxSize);
        }
        if (maxIdleTime != null) {
            maxIdleTime(maxIdleTime);
        }
        if (connectionTimeout != null) {
            connectionTimeout(connectionTimeout);
        }
        if (cleanupConfig != null) {
            cleanup(cleanupConfig);
        }
        return self();
    }

    /**
     * Sets {@link PoolConfig#name()}; the default is {@code pool-1}, {@code pool-2}, ...
     *
     * @param name the pool's name
     * @return this builder
     */
    public B name(String name) {
        this.name = name;
        return self();
    }

    /**
     * Sets {@link PoolConfig#maxSize()}.
     *
     * @param maxSize the most live connections
     * @return this builder
     */
    public B maxSize(int maxSize) {
        this.maxSize = maxSize;
        return self();
    }

    /**
     * Sets {@link PoolConfig#minIdle()}.
     *
     * @param minIdle the connections the cleanup keeps ready
     * @return this builder
     */
    public B minIdle(int minIdle) {
        this.minIdle = minIdle;
        return self();
    }

    /**
     * Sets {@link PoolConfig#maxIdleTime()}.
     *
     * @param maxIdleTime the idle time after which the cleanup closes a connection, or zero for never
     * @return this builder
     */
    public B maxIdleTime(Duration maxIdleTime) {
        this.maxIdleTime = maxIdleTime;
        return self();
    }

    /**
     * Sets {@link PoolConfig#maxLifetime()}.
     *
     * @param maxLifetime the age after which a connection is retired, or zero for never
     * @return this builder
     */
    public B maxLifetime(Duration maxLifetime) {
        this.maxLifetime = maxLifetime;
        return self();
    }

    /**
     * Sets {@link PoolConfig#connectionTimeout()}.
     *
     * @param connectionTimeout how long one creation may take
     * @return this builder
     */
    public B connectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
        return self();
    }

    /**
     * Sets {@link PoolConfig#acquireTimeout()}.
     *
     * @param acquireTimeout how long {@code getConnection()} waits in all
     * @return this builder
     */
    public B acquireTimeout(Duration acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
        return self();
    }

    /**
     * Sets {@link PoolConfig#validationTimeout()}.
     *
     * @param validationTimeout how long one validation may take
     * @return this builder
     */
    public B validationTimeout(Duration validationTimeout) {
        this.validationTimeout = validationTimeout;
        return self();
    }

    /**
     * Sets {@link PoolConfig#validationBypassWindow()}.
     *
     * @param validationBypassWindow how recently used a connection must be to skip validation on borrow
     * @return this builder
     */
    public B validationBypassWindow(Duration validationBypassWindow) {
        this.validationBypassWindow = validationBypassWindow;
        return self();
    }

    /**
     * Sets {@link PoolConfig#leakDetectionThreshold()}.
     *
     * @param leakDetectionThreshold how long a borrower may hold a connection before a leak warning, or zero for off
     * @return this builder
     */
    public B leakDetectionThreshold(Duration leakDetectionThreshold) {
        this.leakDetectionThreshold = leakDetectionThreshold;
        return self();
    }

    /**
     * Sets {@link PoolConfig#cleanup()}.
     *
     * @param cleanup when and whether the pool cleans up on its own thread
     * @return this builder
     */
    public B cleanup(CleanupConfig cleanup) {
        this.cleanup = cleanup;
        return self();
    }

    /**
     * Sets how discarded connections are closed; the default calls {@code close()} on {@code AutoCloseable} ones.
     *
     * @param closer closes a connection the pool no longer keeps
     * @return this builder
     */
    public B closer(ConnectionCloser<? super T> closer) {
        this.closer = Objects.requireNonNull(closer, "closer");
        this.closerSet = true;
        return self();
    }

    /**
     * Sets a check run on every returned connection; the default keeps every returned connection.
     *
     * @param resetter resets a returned connection or says it must be closed
     * @return this builder
     */
    public B resetOnReturn(ConnectionResetter<? super T> resetter) {
        this.resetter = Objects.requireNonNull(resetter, "resetter");
        return self();
    }

    /**
     * Sets up to how many waiting callers the pool serves strictly first come, first served; the default is
     * {@value #DEFAULT_STRICT_FIFO_UP_TO}.
     *
     * <p>While at most this many callers wait, every returned connection goes to the oldest waiter, and a caller that
     * returns a connection and borrows again queues behind those already waiting. While more wait, as when many more
     * threads than connections run short borrows, a caller served from the queue gets a turn of about a millisecond in
     * which it takes back the connection it returns: without turns, every borrow would park one thread and wake
     * another, and the pool would do little but switch threads (measured: a tenth of the throughput or less with
     * CPU-bound borrows of a microsecond). Turns bend the order by about a millisecond at a time; nobody else overtakes
     * the queue, and the oldest waiter takes a connection kept idle in a turn for a caller that does not come back.
     *
     * <p>{@code Integer.MAX_VALUE} serves strictly in order however many wait (choose it when borrows are long, such as
     * database queries, where a hand-over costs little); {@code 0} uses turns whenever anyone waits.
     *
     * @param waiters the most waiting callers that are served strictly in order, zero or more
     * @return this builder
     */
    public B strictFifoUpTo(int waiters) {
        this.strictFifoUpTo = waiters;
        return self();
    }

    /**
     * Sets the source of time, for tests that move time without sleeping; the default is {@link Ticker#system()}.
     *
     * @param ticker the pool's clock
     * @return this builder
     */
    public B ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        return self();
    }

    /**
     * Sets the receiver of acquire, creation and usage timings, for metrics; the default ignores them.
     *
     * @param listener the timing listener
     * @return this builder
     */
    public B listener(PoolListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return self();
    }

    /**
     * Checks the settings and returns them as a configuration.
     *
     * @return the validated configuration
     * @throws InvalidSettingException naming the first bad setting
     */
    public PoolConfig toConfig() {
        if (strictFifoUpTo < 0) {
            throw new InvalidSettingException(
                    "strictFifoUpTo", strictFifoUpTo, "strictFifoUpTo must be zero or more, but was " + strictFifoUpTo);
        }
        String poolName = name != null ? name : "pool-" + POOL_NUMBER.incrementAndGet();
        return new PoolConfig(
                poolName,
                maxSize,
                minIdle,
                maxIdleTime,
                maxLifetime,
                connectionTimeout,
                acquireTimeout,
                validationTimeout,
                validationBypassWindow,
                leakDetectionThreshold,
                cleanup);
    }

    private static void closeIfAutoCloseable(Object connection) throws Exception {
        if (connection instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }
}
