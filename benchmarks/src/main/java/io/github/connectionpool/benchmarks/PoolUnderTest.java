package io.github.connectionpool.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PooledConnection;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.openjdk.jmh.infra.Blackhole;
import stormpot.Allocator;
import stormpot.BasePoolable;
import stormpot.Expiration;
import stormpot.Pool;
import stormpot.Slot;
import stormpot.Timeout;

/**
 * One of the pools being compared, holding {@link StubConnection}s, full and idle once opened.
 *
 * <p>Equal footing: the same pool size, the same stub, every pool full before the first borrow, the same borrow timeout,
 * and no check on borrow beyond what the pool cannot switch off. This pool and HikariCP both validate a connection
 * only when it has not been used for 500 ms (their default bypass window), which never happens in a cycle measured in
 * microseconds; Stormpot runs with {@code Expiration.never()}; commons-pool2 with {@code testOnBorrow=false}, no
 * evictor and no JMX.
 */
public abstract class PoolUnderTest implements AutoCloseable {

    /** The names the benchmarks' {@code pool} parameter takes, in the order the report lists them. */
    public static final List<String> NAMES =
            List.of("connectionpool", "stormpot", "hikaricp", "commons-pool2", WorkOnly.NAME);

    /**
     * The longest borrow wait, from the system property {@code bench.borrowTimeoutMs} (default 10 s, set by
     * {@link BenchmarkSuite}): a pool that keeps a thread waiting longer fails the cell, it did not complete it.
     */
    static Duration timeout() {
        return Duration.ofMillis(Long.getLong("bench.borrowTimeoutMs", 10_000));
    }

    /**
     * Opens a pool and waits until it holds {@code size} idle connections.
     *
     * @param name one of {@link #NAMES}
     * @param size the pool size
     * @return the open pool
     * @throws Exception when the pool cannot be opened or filled
     */
    public static PoolUnderTest open(String name, int size) throws Exception {
        switch (name) {
            case "connectionpool":
                return new ThisPool(size);
            case "stormpot":
                return new StormpotPool(size);
            case "hikaricp":
                return new HikariPool(size);
            case "commons-pool2":
                return new CommonsPool(size);
            case WorkOnly.NAME:
                return new WorkOnly();
            default:
                throw new IllegalArgumentException("pool must be one of " + NAMES + ", but was '" + name + "'");
        }
    }

    /**
     * Borrows a connection, uses it as the workload says, returns it. Safe to call from many threads.
     *
     * @param workload what to do while holding the connection
     * @param blackhole the calling JMH thread's blackhole, or {@code null}
     * @throws Exception when the pool fails to lend a connection
     */
    public abstract void cycle(Workload workload, Blackhole blackhole) throws Exception;

    /** Closes the pool and its connections. */
    @Override
    public abstract void close();

    static void awaitFull(String pool, int size, IntSupplier idle) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (idle.getAsInt() < size) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(pool + " did not fill to " + size + " idle connections in 30 s");
            }
            Thread.sleep(1); // setup only, never measured
        }
    }

    /** This project's pool, from its builder. */
    static final class ThisPool extends PoolUnderTest {

        private static final CompletableFuture<Boolean> VALID = CompletableFuture.completedFuture(Boolean.TRUE);

        private final ConnectionPool<StubConnection, String> pool;

        ThisPool(int size) throws InterruptedException {
            pool = ConnectionPool.<StubConnection, String>builder(
                            "stub",
                            params -> CompletableFuture.completedFuture(new StubConnection()),
                            connection -> VALID)
                    .name("bench")
                    .maxSize(size)
                    .minIdle(size)
                    .acquireTimeout(timeout())
                    .build();
            awaitFull("connectionpool", size, () -> pool.stats().idle());
        }

        @Override
        public void cycle(Workload workload, Blackhole blackhole) {
            try (PooledConnection<StubConnection> lease = pool.getConnection()) {
                workload.use(lease.get(), blackhole);
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /** Stormpot: the connection wrapped in its {@code Poolable}, claimed and released. */
    static final class StormpotPool extends PoolUnderTest {

        private final Pool<StubPoolable> pool;
        private final Timeout timeout = new Timeout(timeout());

        StormpotPool(int size) throws InterruptedException {
            pool = Pool.from(new StubAllocator())
                    .setSize(size)
                    .setExpiration(Expiration.never())
                    .build();
            List<StubPoolable> all = new ArrayList<>(size);
            for (int i = 0; i < size; i++) { // claiming them all waits for every allocation
                StubPoolable claimed = pool.claim(timeout);
                if (claimed == null) {
                    throw new IllegalStateException("stormpot did not fill to " + size + " connections in " + timeout);
                }
                all.add(claimed);
            }
            all.forEach(StubPoolable::release);
        }

        @Override
        public void cycle(Workload workload, Blackhole blackhole) throws InterruptedException {
            StubPoolable claimed = pool.claim(timeout);
            if (claimed == null) {
                throw new IllegalStateException(
                        "stormpot: no connection within " + timeout.getTimeout() + " " + timeout.getUnit());
            }
            try {
                workload.use(claimed.connection, blackhole);
            } finally {
                claimed.release();
            }
        }

        @Override
        public void close() {
            try {
                pool.shutdown().await(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static final class StubPoolable extends BasePoolable {

        final StubConnection connection = new StubConnection();

        StubPoolable(Slot slot) {
            super(slot);
        }
    }

    static final class StubAllocator implements Allocator<StubPoolable> {

        @Override
        public StubPoolable allocate(Slot slot) {
            return new StubPoolable(slot);
        }

        @Override
        public void deallocate(StubPoolable poolable) {
            poolable.connection.close();
        }
    }

    /** HikariCP over a data source of stub connections, as in HikariCP's own benchmark. */
    static final class HikariPool extends PoolUnderTest {

        private final HikariDataSource dataSource;

        HikariPool(int size) throws InterruptedException {
            HikariConfig config = new HikariConfig();
            config.setPoolName("hikari-bench");
            config.setDataSource(new StubDataSource());
            config.setMaximumPoolSize(size);
            config.setMinimumIdle(size);
            config.setConnectionTimeout(timeout().toMillis());
            config.setAutoCommit(true);
            dataSource = new HikariDataSource(config);
            awaitFull("hikaricp", size, () -> dataSource.getHikariPoolMXBean().getIdleConnections());
        }

        @Override
        public void cycle(Workload workload, Blackhole blackhole) throws Exception {
            try (Connection connection = dataSource.getConnection()) {
                workload.use(connection, blackhole);
            }
        }

        @Override
        public void close() {
            dataSource.close();
        }
    }

    /** Apache commons-pool2's {@code GenericObjectPool} of the stub connections. */
    static final class CommonsPool extends PoolUnderTest {

        private final GenericObjectPool<StubConnection> pool;

        CommonsPool(int size) throws Exception {
            GenericObjectPoolConfig<StubConnection> config = new GenericObjectPoolConfig<>();
            config.setMaxTotal(size);
            config.setMaxIdle(size);
            config.setMinIdle(size);
            config.setMaxWait(timeout());
            config.setTestOnBorrow(false);
            config.setTestOnReturn(false);
            config.setJmxEnabled(false);
            pool = new GenericObjectPool<>(new StubFactory(), config);
            pool.preparePool();
        }

        @Override
        public void cycle(Workload workload, Blackhole blackhole) throws Exception {
            StubConnection connection = pool.borrowObject();
            try {
                workload.use(connection, blackhole);
            } finally {
                pool.returnObject(connection);
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    static final class StubFactory extends BasePooledObjectFactory<StubConnection> {

        @Override
        public StubConnection create() {
            return new StubConnection();
        }

        @Override
        public PooledObject<StubConnection> wrap(StubConnection connection) {
            return new DefaultPooledObject<>(connection);
        }

        @Override
        public void destroyObject(PooledObject<StubConnection> pooled) {
            pooled.getObject().close();
        }
    }

    /**
     * No pool: every thread uses one shared connection without borrowing it. Its held cycles are the limit a pool can
     * reach with the same work on the same cores; a pool's share of it is what the pool costs.
     */
    static final class WorkOnly extends PoolUnderTest {

        /** Its name among {@link #NAMES}. */
        static final String NAME = "work-only";

        private final StubConnection connection = new StubConnection();

        @Override
        public void cycle(Workload workload, Blackhole blackhole) {
            workload.use(connection, blackhole);
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
