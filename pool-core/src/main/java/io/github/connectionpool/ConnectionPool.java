package io.github.connectionpool;

import io.github.connectionpool.internal.PoolEngine;
import io.github.connectionpool.internal.PoolParts;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A pool of connections of any type {@code T}, made from parameters {@code P}.
 *
 * <pre>{@code
 * ConnectionPool<Db, DbParams> pool = ConnectionPool.builder(params, Db::connectAsync, Db::pingAsync)
 *         .maxSize(20)
 *         .minIdle(2)
 *         .acquireTimeout(Duration.ofSeconds(5))
 *         .build();
 * try (PooledConnection<Db> lease = pool.getConnection()) {
 *     lease.get().query("select 1");
 * }
 * pool.close();
 * }</pre>
 *
 * <p><b>Guarantees.</b> Never more than {@code maxSize} live connections, counting those being created. Callers that
 * wait are served first come, first served, whether they wait in {@link #getConnection()} or through
 * {@link #getConnectionAsync()}; a caller that does not come from the queue never overtakes it. The one exception is
 * bounded: a thread just served from the queue may return and borrow its connection again for 1 ms (its turn) before
 * the next waiter gets it, so that a pool with more busy threads than connections does not switch threads on every
 * borrow. A caller that gives up (timeout, interruption, a cancelled future) never takes a
 * connection or a slot with it, and neither does a creator that fails or never completes. No lock is held while a
 * connection is created, validated or closed, and the pool never uses {@code synchronized}, so it serves virtual
 * threads without pinning them.
 *
 * <p><b>Threads.</b> The pool owns a scheduler thread (cleanup runs, timeouts) and worker threads (creations), all
 * daemons named after the pool, all ended by {@link #close()}.
 *
 * @param <T> the connection type
 * @param <P> the connection parameters
 */
public class ConnectionPool<T, P> implements AutoCloseable {

    private final PoolConfig config;
    private final PoolEngine<T, P> engine;
    /** The acquire timeout in nanoseconds: converting the {@code Duration} on each borrow cost ~7% of a bare cycle. */
    private final long acquireTimeoutNanos;

    /**
     * Creates a pool the way the original crate does, argument for argument; {@code null} takes the default. Every
     * other setting takes its default too: use {@link #builder(Object, ConnectionCreator, ConnectionValidator)} for
     * them.
     *
     * @param maxSize the most live connections (default 10)
     * @param maxIdleTime how long a connection may stay idle (default 5 minutes)
     * @param connectionTimeout how long one creation may take (default 10 seconds)
     * @param cleanupConfig when the cleanup runs (default every 30 seconds)
     * @param params the connection parameters handed to the creator
     * @param creator makes connections
     * @param validator checks connections
     * @throws IllegalArgumentException naming the first bad setting
     */
    public ConnectionPool(
            Integer maxSize,
            Duration maxIdleTime,
            Duration connectionTimeout,
            CleanupConfig cleanupConfig,
            P params,
            ConnectionCreator<T, P> creator,
            ConnectionValidator<T> validator) {
        this(builder(params, creator, validator).seedSettings(maxSize, maxIdleTime, connectionTimeout, cleanupConfig));
    }

    /**
     * Creates a pool from a builder; for subclasses such as the TCP pool.
     *
     * @param builder the settings and parts of the pool
     * @throws IllegalArgumentException naming the first bad setting
     */
    protected ConnectionPool(PoolBuilder<T, P, ?> builder) {
        Objects.requireNonNull(builder.creator, "creator");
        Objects.requireNonNull(builder.validator, "validator");
        this.config = builder.toConfig();
        this.acquireTimeoutNanos = PoolEngine.nanos(config.acquireTimeout());
        this.engine = new PoolEngine<>(
                config,
                new PoolParts<>(
                        builder.params,
                        builder.creator,
                        builder.validator,
                        builder.closer,
                        builder.resetter,
                        builder.ticker,
                        builder.listener,
                        builder.strictFifoUpTo,
                        PooledConnection::new,
                        builder.executors,
                        builder.realTime));
    }

    /**
     * Starts a builder with every setting at its default.
     *
     * @param params the connection parameters handed to the creator
     * @param creator makes connections
     * @param validator checks connections
     * @param <T> the connection type
     * @param <P> the connection parameters
     * @return a new builder
     */
    public static <T, P> Builder<T, P> builder(
            P params, ConnectionCreator<T, P> creator, ConnectionValidator<T> validator) {
        return new Builder<>(params, creator, validator);
    }

    /**
     * Borrows a connection, waiting at most the {@link PoolConfig#acquireTimeout() acquire timeout}.
     *
     * <p>Takes an idle connection if one is at hand and nobody is waiting before this caller; otherwise waits in line
     * while the pool creates a connection (if it has room) or until one is returned. Blocks the calling thread. An
     * interrupt ends the wait with a {@link PoolTimeoutException} whose cause is the {@link InterruptedException}, and
     * the interrupt status is set again.
     *
     * @return the borrowed connection; close it to give it back
     * @throws PoolTimeoutException when no connection came within the acquire timeout or the connection timeout
     * @throws ConnectionCreationException when the creation made for this caller failed
     * @throws PoolClosedException when the pool is closed, or closes while the caller waits
     */
    public PooledConnection<T> getConnection() {
        return engine.acquire(acquireTimeoutNanos);
    }

    /**
     * Borrows a connection, waiting at most {@code timeout}; otherwise like {@link #getConnection()}.
     *
     * @param timeout the longest wait; zero takes a connection only if one is at hand
     * @return the borrowed connection; close it to give it back
     * @throws IllegalArgumentException when the timeout is negative
     * @throws PoolException as {@link #getConnection()}
     */
    public PooledConnection<T> getConnection(Duration timeout) {
        return engine.acquire(timeoutNanos(timeout));
    }

    /**
     * Borrows a connection without blocking the calling thread, waiting at most the acquire timeout.
     *
     * <p>The future completes with the connection, or exceptionally with a {@link PoolException}. Cancelling it gives
     * up the wait; a connection is never lost to a cancelled or timed-out future. When the caller has to wait, the
     * future is completed on one of the pool's worker threads (never inside another caller's {@code close()}), so
     * callbacks that are not {@code Async} run there: keep them short or use the {@code Async} variants.
     *
     * @return a future of the borrowed connection
     */
    public CompletableFuture<PooledConnection<T>> getConnectionAsync() {
        return engine.acquireAsync(acquireTimeoutNanos);
    }

    /**
     * Borrows a connection without blocking the calling thread, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait
     * @return a future of the borrowed connection
     * @throws IllegalArgumentException when the timeout is negative
     */
    public CompletableFuture<PooledConnection<T>> getConnectionAsync(Duration timeout) {
        return engine.acquireAsync(timeoutNanos(timeout));
    }

    /**
     * Checks that the pool can lend a connection, as a health check does: takes an idle connection (checked as any
     * borrow checks it, so that a dead one is found and replaced) or waits for one, at most {@code timeout}, and puts it
     * back at once. Unlike {@link #getConnection(Duration)}, the check is not reported: the {@link PoolListener} does not
     * time it and {@link PoolStats#timeouts()} does not count it, so that health checks do not show in the pool's
     * metrics. Blocks the calling thread; waits in line with the borrowers, first come, first served (and counts in
     * {@link PoolStats#pending()} while it waits, like any caller in line).
     *
     * <pre>{@code
     * boolean up = pool.probe(Duration.ofSeconds(1)); // false: every connection stayed lent out (busy, not down)
     * }</pre>
     *
     * @param timeout the longest wait
     * @return true when a connection could be had; false when none came within {@code timeout}
     * @throws ConnectionCreationException when the creation made for the check failed, creation is backing off, or no
     *     connection exists and none can be made (every slot held by a creator's call that outlived its timeout)
     * @throws PoolTimeoutException when the calling thread was interrupted (or the creation made for it timed out)
     * @throws PoolClosedException when the pool is closed
     * @throws IllegalArgumentException when the timeout is negative
     */
    public boolean probe(Duration timeout) {
        return engine.probe(timeoutNanos(timeout));
    }

    /** Stops the pool's own cleanup thread; {@link #runCleanup()} still works. Does not block. */
    public void stopCleanupTask() {
        engine.stopCleanup();
    }

    /**
     * Restarts the pool's own cleanup with a new configuration: runs every {@code config.interval()} from now on, or
     * none when {@code config.enabled()} is false. Does nothing once the pool is closed.
     *
     * @param config the new cleanup configuration
     */
    public void restartCleanupTask(CleanupConfig config) {
        engine.restartCleanup(Objects.requireNonNull(config, "config"));
    }

    /**
     * Runs one cleanup pass on the calling thread, for an external scheduler (the Spring Boot starter uses this):
     * closes connections idle longer than {@code maxIdleTime} (keeping {@code minIdle}) or past their lifetime,
     * validates the other idle ones that were not checked within the bypass window, starts creations up to
     * {@code minIdle}, and reports connections held past the leak detection threshold. Borrowers are never blocked by
     * it. Does nothing once the pool is closed.
     */
    public void runCleanup() {
        engine.runCleanup();
    }

    /**
     * Whether the pool's own cleanup thread is scheduled.
     *
     * @return true while the pool runs its cleanup by itself
     */
    public boolean isCleanupRunning() {
        return engine.cleanupRunning();
    }

    /**
     * A snapshot of the pool's connections, waiters and counters; cheap enough for a metrics gauge.
     *
     * @return the snapshot
     */
    public PoolStats stats() {
        return engine.stats();
    }

    /**
     * The last error a creation ended with: the creator's own error, or a {@link PoolTimeoutException} for a creation
     * that took too long. Health checks report it.
     *
     * @return the last creation error, or {@code null} when no creation has failed
     */
    public Throwable lastCreationError() {
        return engine.lastCreationError();
    }

    /**
     * The pool's settings.
     *
     * @return the configuration the pool was built with
     */
    public PoolConfig config() {
        return config;
    }

    /**
     * The pool's name, as in its log lines, thread names and exception messages.
     *
     * @return the name
     */
    public String name() {
        return config.name();
    }

    /**
     * The most live connections the pool allows.
     *
     * @return {@link PoolConfig#maxSize()}
     */
    public int maxSize() {
        return config.maxSize();
    }

    /**
     * Whether the pool is closed.
     *
     * @return true once {@link #close()} has been called
     */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Closes the pool: every waiting caller fails with {@link PoolClosedException}, idle connections are closed,
     * creations are abandoned and the pool's threads end. Blocks while the pool's own threads finish a check or a close
     * in progress (at most twice the validation timeout), so that when it returns every connection not lent out is
     * closed and no validator or closer runs on a pool thread any more. Connections still lent out are closed when they
     * are returned; a creation still running closes its connection when it ends. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name() + ", " + stats().summary() + "]";
    }

    private static long timeoutNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero or positive, but was " + timeout);
        }
        return PoolEngine.nanos(timeout);
    }

    /**
     * Builds a {@link ConnectionPool}; see {@link PoolBuilder} for the settings.
     *
     * @param <T> the connection type
     * @param <P> the connection parameters
     */
    public static final class Builder<T, P> extends PoolBuilder<T, P, Builder<T, P>> {

        Builder(P params, ConnectionCreator<T, P> creator, ConnectionValidator<T> validator) {
            super(params, creator, validator);
        }

        @Override
        protected Builder<T, P> self() {
            return this;
        }

        /**
         * Checks the settings and starts the pool.
         *
         * @return the new pool
         * @throws IllegalArgumentException naming the first bad setting
         */
        public ConnectionPool<T, P> build() {
            return new ConnectionPool<>(this);
        }
    }
}
