package io.github.connectionpool.sample.examples;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.jdbc.JdbcConnectionPool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seed's database example: a pool of any connection type, here a simulated database connection, made by a creator
 * that takes 100 ms and checked by a validator; then the same with a real PostgreSQL through {@link JdbcConnectionPool}
 * when one answers on {@code 127.0.0.1:5432}.
 *
 * <p>Run: {@code mvn -q -pl sample-app -am test-compile exec:java
 * -Dexec.mainClass=io.github.connectionpool.sample.examples.DatabaseExample}
 */
public final class DatabaseExample {

    private DatabaseExample() {}

    /** The connection type: a stand-in for a real database driver's connection. */
    public static final class DatabaseConnection implements AutoCloseable {
        private final int id;
        private volatile boolean connected = true;

        DatabaseConnection(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public boolean isConnected() {
            return connected;
        }

        public String query(String sql) {
            return "connection " + id + " ran: " + sql;
        }

        @Override
        public void close() {
            connected = false;
        }
    }

    /** The connection parameters. */
    public record DbParams(String host, int port, String database) {}

    public static void main(String[] args) throws Exception {
        AtomicInteger ids = new AtomicInteger();
        DbParams params = new DbParams("localhost", 5432, "myapp");

        try (ConnectionPool<DatabaseConnection, DbParams> pool = ConnectionPool.builder(
                        params, (DbParams p) -> connect(p, ids), DatabaseExample::isValid)
                .name("db")
                .maxSize(5)
                .acquireTimeout(Duration.ofSeconds(5))
                .build()) {
            try (PooledConnection<DatabaseConnection> conn = pool.getConnection()) {
                System.out.println(
                        "Connected to database with ID: " + conn.get().id());
                System.out.println(conn.get().query("select 1"));
            }
            try (PooledConnection<DatabaseConnection> conn = pool.getConnection()) {
                System.out.println("Reused connection with ID: " + conn.get().id());
            }
            System.out.println("pool stats: " + pool.stats());
        }
        realDatabase(System.getProperty("db.url", "jdbc:postgresql://127.0.0.1:5432/test"));
        System.out.println("done");
    }

    /**
     * The same with a real database: {@link JdbcConnectionPool} over the JDBC driver, when the server answers. Set
     * {@code -Ddb.url=...} and {@code -Ddb.user=...} for another server.
     */
    private static void realDatabase(String url) throws SQLException {
        try (JdbcConnectionPool pool = JdbcConnectionPool.builder(url)
                .property("user", System.getProperty("db.user", "postgres"))
                .name("postgres")
                .maxSize(5)
                .connectionTimeout(Duration.ofSeconds(3))
                .build()) {
            try (PooledConnection<Connection> conn = pool.getConnection();
                    Statement statement = conn.get().createStatement();
                    ResultSet result = statement.executeQuery("select current_database(), version()")) {
                result.next();
                System.out.println("Real database '" + result.getString(1) + "': " + result.getString(2));
            } catch (ConnectionCreationException e) {
                System.out.println("No database at " + url + " (" + e.getCause() + "): skipping the real part");
            }
        }
    }

    /** The creator: connecting takes 100 ms, off the caller's thread. */
    private static CompletionStage<DatabaseConnection> connect(DbParams params, AtomicInteger ids) {
        System.out.println("connecting to " + params.host() + ":" + params.port() + "/" + params.database());
        return CompletableFuture.supplyAsync(
                () -> new DatabaseConnection(ids.incrementAndGet()),
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS));
    }

    /** The validator. */
    private static CompletionStage<Boolean> isValid(DatabaseConnection connection) {
        return CompletableFuture.completedFuture(connection.isConnected());
    }
}
