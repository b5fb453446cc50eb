package io.github.connectionpool.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.jdbc.JdbcConnectionPool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code SELECT 1} on a real PostgreSQL through this pool's JDBC support and through HikariCP: same pool size
 * ({@value CycleBenchmark#POOL_SIZE}), 32 threads by default ({@link BenchmarkSuite} runs 32 and 128). The server is named by the system property {@code bench.pg.url}
 * (default {@value #DEFAULT_URL}), user {@code bench.pg.user} (default {@code postgres}), no password (trust auth).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(32)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class PostgresBenchmark {

    /** The default server. */
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

    /** {@code connectionpool} or {@code hikaricp}. */
    @Param({"connectionpool", "hikaricp"})
    public String pool;

    private JdbcConnectionPool thisPool;
    private HikariDataSource hikari;

    /** @return the server's JDBC URL */
    static String url() {
        return System.getProperty("bench.pg.url", DEFAULT_URL);
    }

    /** @return the user to log in as */
    static String user() {
        return System.getProperty("bench.pg.user", "postgres");
    }

    /**
     * Whether the server answers, to skip the run when it does not.
     *
     * @return {@code null} when it does, else why not
     */
    public static String unreachableBecause() {
        Properties properties = new Properties();
        properties.setProperty("user", user());
        properties.setProperty("connectTimeout", "2");
        try (Connection connection = DriverManager.getConnection(url(), properties)) {
            return connection.isValid(2) ? null : "the connection to " + url() + " is not valid";
        } catch (SQLException e) {
            return url() + ": " + e.getMessage();
        }
    }

    /**
     * Opens the pool, full.
     *
     * @throws Exception when it cannot be opened
     */
    @Setup(Level.Trial)
    public void open() throws Exception {
        int size = CycleBenchmark.POOL_SIZE;
        if (pool.equals("connectionpool")) {
            thisPool = JdbcConnectionPool.builder(url())
                    .property("user", user())
                    .name("bench-pg")
                    .maxSize(size)
                    .minIdle(size)
                    .acquireTimeout(PoolUnderTest.timeout())
                    .build();
            PoolUnderTest.awaitFull(pool, size, () -> thisPool.stats().idle());
        } else if (pool.equals("hikaricp")) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("hikari-bench-pg");
            config.setJdbcUrl(url());
            config.setUsername(user());
            config.setMaximumPoolSize(size);
            config.setMinimumIdle(size);
            config.setConnectionTimeout(PoolUnderTest.timeout().toMillis());
            hikari = new HikariDataSource(config);
            PoolUnderTest.awaitFull(
                    pool, size, () -> hikari.getHikariPoolMXBean().getIdleConnections());
        } else {
            throw new IllegalArgumentException("pool must be connectionpool or hikaricp, but was '" + pool + "'");
        }
    }

    /** Closes the pool. */
    @TearDown(Level.Trial)
    public void close() {
        if (thisPool != null) {
            thisPool.close();
        }
        if (hikari != null) {
            hikari.close();
        }
    }

    /**
     * Borrow, {@code SELECT 1}, return.
     *
     * @return the query's answer
     * @throws SQLException when the query fails
     */
    @Benchmark
    public int selectOne() throws SQLException {
        if (thisPool != null) {
            try (PooledConnection<Connection> lease = thisPool.getConnection()) {
                return selectOne(lease.get());
            }
        }
        try (Connection connection = hikari.getConnection()) {
            return selectOne(connection);
        }
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT 1")) {
            result.next();
            return result.getInt(1);
        }
    }
}
