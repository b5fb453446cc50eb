package io.github.connectionpool.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.ConnectionValidator;
import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.jdbc.JdbcConnectionPool;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.Services;
import io.github.connectionpool.testing.TestCertificates;
import io.github.connectionpool.testing.TestServer;
import io.github.connectionpool.testing.TlsTestServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The examples of README.md, compiled and run. Each region between {@code // snippet: NAME} and
 * {@code // end snippet} is the text of the README block marked {@code <!-- snippet: NAME -->};
 * {@link ReadmeSnippetsTest} fails when the two differ, so the README cannot rot.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReadmeExamplesTest {

    private TestServer echoServer;
    private final List<String> printed = new ArrayList<>();
    private int port;

    @BeforeEach
    void startEchoServer() {
        echoServer = TestServer.start();
        port = echoServer.port();
    }

    @AfterEach
    void stopEchoServer() {
        echoServer.close();
    }

    private void println(String line) {
        printed.add(line);
    }

    @Test
    void simpleTcpPool() throws IOException {
        // snippet: tcp
        try (TcpConnectionPool pool = TcpConnectionPool.newTcp(
                10, // max connections
                Duration.ofMinutes(5), // idle timeout
                Duration.ofSeconds(10), // connection timeout
                null, // default cleanup config
                "127.0.0.1:" + port)) { // target address

            try (PooledConnection<Socket> conn = pool.getConnection()) {
                Socket socket = conn.get();
                socket.getOutputStream().write("Hello, World!\n".getBytes(StandardCharsets.UTF_8));
                byte[] reply = socket.getInputStream().readNBytes(14);
                println(new String(reply, StandardCharsets.UTF_8).trim());
            } // the connection goes back to the pool here
        }
        // end snippet
        assertThat(printed).containsExactly("Hello, World!");
    }

    // snippet: database-types
    /** Your connection type. */
    record DatabaseConnection(int id, boolean isConnected) {}

    /** Your connection parameters. */
    record DbParams(String host, int port, String database) {}
    // end snippet

    @Test
    void customConnectionType() {
        // snippet: database
        ConnectionCreator<DatabaseConnection, DbParams> creator =
                params -> CompletableFuture.supplyAsync(() -> new DatabaseConnection(1, true)); // your connect logic
        ConnectionValidator<DatabaseConnection> validator =
                connection -> CompletableFuture.completedFuture(connection.isConnected());

        DbParams params = new DbParams("localhost", 5432, "myapp");
        try (ConnectionPool<DatabaseConnection, DbParams> pool = new ConnectionPool<>(
                5, // max connections
                null, // default idle timeout
                null, // default connection timeout
                null, // default cleanup config
                params, creator, validator)) {

            try (PooledConnection<DatabaseConnection> conn = pool.getConnection()) {
                println("Connected to database with ID: " + conn.get().id());
            }
        }
        // end snippet
        assertThat(printed).containsExactly("Connected to database with ID: 1");
    }

    @Test
    void builderWithEverySetting() {
        ConnectionCreator<DatabaseConnection, DbParams> creator =
                params -> CompletableFuture.completedFuture(new DatabaseConnection(1, true));
        ConnectionValidator<DatabaseConnection> validator =
                connection -> CompletableFuture.completedFuture(connection.isConnected());
        DbParams params = new DbParams("localhost", 5432, "myapp");
        // snippet: builder
        ConnectionPool<DatabaseConnection, DbParams> pool = ConnectionPool.builder(params, creator, validator)
                .name("orders-db") // in log lines, thread names, metrics
                .maxSize(20) // never more live connections, counting those being created
                .minIdle(2) // kept ready by the cleanup
                .maxIdleTime(Duration.ofMinutes(5)) // idle longer: closed by the cleanup
                .maxLifetime(Duration.ofMinutes(30)) // older: retired (minus up to 2.5% jitter)
                .connectionTimeout(Duration.ofSeconds(10)) // one creation
                .acquireTimeout(Duration.ofSeconds(30)) // getConnection() in all
                .validationTimeout(Duration.ofSeconds(5)) // one validation
                .validationBypassWindow(Duration.ofMillis(500)) // used this recently: lent without a check
                .leakDetectionThreshold(Duration.ofSeconds(60)) // held longer: WARN with the borrower's stack
                .cleanup(new CleanupConfig(Duration.ofSeconds(30), true))
                .closer(connection -> println("closing " + connection.id())) // default: close() if AutoCloseable
                .build();
        // end snippet
        try (pool) {
            assertThat(pool.config().maxSize()).isEqualTo(20);
            assertThat(pool.name()).isEqualTo("orders-db");
        }
    }

    @Test
    void jdbcConnections() throws Exception {
        Services.requirePostgres();
        // snippet: jdbc
        try (JdbcConnectionPool pool = JdbcConnectionPool.builder("jdbc:postgresql://127.0.0.1:5432/test")
                        .property("user", "postgres") // driver properties: user, password, options
                        .maxSize(8)
                        .build();
                PooledConnection<Connection> conn = pool.getConnection();
                Statement statement = conn.get().createStatement();
                ResultSet result = statement.executeQuery("select 1")) {
            result.next();
            println("select 1 = " + result.getInt(1));
        } // returned with any open transaction rolled back and auto-commit on
        // end snippet
        assertThat(printed).containsExactly("select 1 = 1");
    }

    @Test
    void cleanupConfiguration() {
        // snippet: cleanup
        CleanupConfig cleanupConfig = new CleanupConfig(
                Duration.ofSeconds(30), // cleanup every 30 seconds
                true); // enable background cleanup

        TcpConnectionPool pool = TcpConnectionPool.newTcp(
                10, Duration.ofSeconds(300), Duration.ofSeconds(10), cleanupConfig, "127.0.0.1:" + port);

        // Runtime control
        pool.stopCleanupTask(); // stop cleanup
        pool.restartCleanupTask(new CleanupConfig(Duration.ofSeconds(10), true)); // restart with a new config
        pool.runCleanup(); // or run one pass yourself, from your own scheduler
        // end snippet
        try (pool) {
            assertThat(pool.isCleanupRunning()).isTrue();
        }
    }

    @Test
    void accessPatterns() throws Exception {
        try (TcpConnectionPool pool =
                TcpConnectionPool.builder("127.0.0.1", port).build()) {
            // snippet: access
            // 1. try-with-resources: the connection goes back when the block ends
            try (PooledConnection<Socket> conn = pool.getConnection()) {
                conn.get().getOutputStream().write("data\n".getBytes(StandardCharsets.UTF_8));
                conn.get().getInputStream().readNBytes(5);
            }

            // 2. with your own timeout, and without blocking
            try (PooledConnection<Socket> conn = pool.getConnection(Duration.ofSeconds(2))) {
                println("local port " + conn.get().getLocalPort());
            }
            pool.getConnectionAsync()
                    .thenAccept(conn -> {
                        try (conn) {
                            println("async " + conn.get().isConnected());
                        }
                    })
                    .join();

            // 3. a connection left in an unknown state: have the pool close it instead of reusing it
            PooledConnection<Socket> broken = pool.getConnection();
            broken.invalidate();

            // 4. take a connection out of the pool for good: closing it is now yours to do
            try (Socket mine = pool.getConnection().detach()) {
                println("detached " + mine.isConnected());
            }

            // 5. look inside
            PoolStats stats = pool.stats();
            println("active=" + stats.active() + " idle=" + stats.idle() + " created=" + stats.created());
            // end snippet
        }
        assertThat(printed).contains("async true", "detached true");
    }

    @Test
    void tlsTcpPool() throws IOException {
        try (TlsTestServer server = TlsTestServer.echo(TestCertificates.loopback())) {
            SSLContext sslContext = TestCertificates.loopback().clientContext(); // trusts the test's certificate
            int port = server.port();
            // snippet: tls
            try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", port)
                            .ssl(sslContext) // for example SSLContext.getDefault(): the JDK's trusted CAs
                            .readTimeout(Duration.ofSeconds(5)) // no read on a borrowed socket waits longer
                            .build();
                    PooledConnection<Socket> conn = pool.getConnection()) {
                SSLSocket socket = (SSLSocket) conn.get(); // handshake done, certificate checked against the host
                socket.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
                String reply = new String(socket.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
                println(socket.getSession().getProtocol() + " " + reply.trim());
            }
            // end snippet
        }
        assertThat(printed).containsExactly("TLSv1.3 hello");
    }

    @Test
    void errorHandling() {
        TcpConnectionPool pool =
                TcpConnectionPool.builder("127.0.0.1", unusedPort()).build();
        try (pool) {
            // snippet: errors
            try (PooledConnection<Socket> conn = pool.getConnection()) {
                conn.get().getOutputStream().write(1);
            } catch (PoolTimeoutException e) {
                println("No connection in time: " + e.getMessage()); // carries the pool's stats
            } catch (PoolClosedException e) {
                println("Pool has been closed");
            } catch (ConnectionCreationException e) {
                println("Failed to create connection: " + e.getCause()); // the creator's own error
            } catch (IOException e) {
                println("I/O error: " + e);
            }
            // end snippet
        }
        assertThat(printed).singleElement().asString().startsWith("Failed to create connection: java.net.Connect");
    }

    private static int unusedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
