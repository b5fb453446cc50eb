package io.github.connectionpool.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.testing.Services;
import io.github.connectionpool.testing.TlsTestServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The connection timeout handed to the JDBC driver: a creation against a server that accepts and never answers ends by
 * itself. The blackhole is an in-process server, so those tests need only the PostgreSQL driver; the tests that the
 * handed-over timeouts leave queries alone run against the local PostgreSQL (skipped without it, unless CI=true).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdbcConnectionTimeoutTest {

    private static final Map<String, String> USER = Map.of("user", Services.POSTGRES_USER);

    @Test
    void aPostgresConnectToAServerThatNeverAnswersEndsByItselfAndClosesItsSocket() {
        try (TlsTestServer blackhole = TlsTestServer.silent()) {
            JdbcConnector connector = new JdbcConnector(Duration.ofSeconds(5), Duration.ofMillis(500));
            JdbcParams params = new JdbcParams("jdbc:postgresql://" + blackhole.address() + "/test", USER);

            long start = System.nanoTime();
            CompletableFuture<Connection> created =
                    connector.createConnection(params).toCompletableFuture();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // Nobody interrupts this thread: the driver ends the connect, at the timeout plus half of it.
            assertThat(took).isBetween(Duration.ofMillis(500), Duration.ofMillis(750 + 750));
            assertThat(catchThrowable(created::join))
                    .isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(SQLException.class);
            // The driver's own connect thread gave up too (its socket timeout, whole seconds): its socket is closed.
            await().atMost(Duration.ofSeconds(3)).until(() -> blackhole.peerClosed() == 1);
        }
    }

    @Test
    void aPoolAgainstAServerThatNeverAnswersTimesTheCallerOutAndLeavesNoConnectBehind() {
        try (TlsTestServer blackhole = TlsTestServer.silent();
                JdbcConnectionPool pool = JdbcConnectionPool.builder(
                                "jdbc:postgresql://" + blackhole.address() + "/test")
                        .property("user", Services.POSTGRES_USER)
                        .maxSize(1)
                        .connectionTimeout(Duration.ofMillis(400))
                        .acquireTimeout(Duration.ofSeconds(10))
                        .cleanup(CleanupConfig.disabled())
                        .build()) {
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(pool::getConnection);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            assertThat(thrown).isInstanceOf(PoolTimeoutException.class);
            assertThat(waited).isBetween(Duration.ofMillis(350), Duration.ofMillis(1500));
            await().atMost(Duration.ofSeconds(3)).until(() -> blackhole.peerClosed() == 1);
            assertThat(pool.stats().total()).isZero();
        }
    }

    @Test
    void postgresGetsLoginConnectAndSocketTimeoutsUnlessTheUserSetThem() {
        Properties none = new Properties();
        assertThat(DriverTimeouts.apply("jdbc:postgresql://h/db", none, TimeUnit.MILLISECONDS.toNanos(1500)))
                .isTrue();
        assertThat(none)
                .containsEntry("loginTimeout", "1.500")
                .containsEntry("connectTimeout", "2")
                .containsEntry("socketTimeout", "2");

        Properties own = new Properties();
        own.setProperty("LOGINTIMEOUT", "30");
        assertThat(DriverTimeouts.apply(
                        "jdbc:postgresql://h/db?sslmode=disable&socketTimeout=60", own, TimeUnit.SECONDS.toNanos(1)))
                .as("the user's socketTimeout stays: nothing to undo")
                .isFalse();
        assertThat(own).containsOnlyKeys("LOGINTIMEOUT", "connectTimeout").containsEntry("connectTimeout", "1");
    }

    @Test
    void mariadbGetsItsConnectTimeoutInMillisecondsAndOtherDriversNothing() {
        Properties mariadb = new Properties();
        assertThat(DriverTimeouts.apply("jdbc:mariadb://h/db", mariadb, TimeUnit.MILLISECONDS.toNanos(450)))
                .isFalse();
        assertThat(mariadb).containsOnly(Map.entry("connectTimeout", "450"));

        Properties other = new Properties();
        DriverTimeouts.apply("jdbc:h2:mem:x", other, TimeUnit.SECONDS.toNanos(1));
        assertThat(other).isEmpty();
    }

    @Test
    void aHugeConnectionTimeoutIsCappedAtWhatTheDriversHold() {
        long limit = DriverTimeouts.creationLimitNanos(ChronoUnit.FOREVER.getDuration());
        assertThat(limit).isEqualTo(Long.MAX_VALUE);

        Properties postgres = new Properties();
        DriverTimeouts.apply("jdbc:postgresql://h/db", postgres, limit);
        assertThat(postgres)
                .containsEntry("connectTimeout", "2147483")
                .containsEntry("socketTimeout", "2147483")
                .containsEntry("loginTimeout", "2147483.000");
        Properties mariadb = new Properties();
        DriverTimeouts.apply("jdbc:mariadb://h/db", mariadb, limit);
        assertThat(mariadb).containsEntry("connectTimeout", String.valueOf(Integer.MAX_VALUE));
    }

    @Test
    void theConnectOnlySocketTimeoutDoesNotLimitQueriesLongerThanTheConnectionTimeout() throws SQLException {
        Services.requirePostgres();
        try (JdbcConnectionPool pool = JdbcConnectionPool.builder(Services.POSTGRES_URL)
                        .property("user", Services.POSTGRES_USER)
                        .maxSize(1)
                        .connectionTimeout(Duration.ofMillis(500)) // socketTimeout 1 s during the connect
                        .cleanup(CleanupConfig.disabled())
                        .build();
                PooledConnection<Connection> lease = pool.getConnection();
                Statement statement = lease.get().createStatement()) {
            assertThat(lease.get().getNetworkTimeout()).isZero();
            statement.execute("select pg_sleep(1.5)");
        }
    }

    @Test
    void aSocketTimeoutTheUserSetIsKept() throws SQLException {
        Services.requirePostgres();
        try (JdbcConnectionPool pool = JdbcConnectionPool.builder(Services.POSTGRES_URL)
                        .property("user", Services.POSTGRES_USER)
                        .property("socketTimeout", "7")
                        .maxSize(1)
                        .cleanup(CleanupConfig.disabled())
                        .build();
                PooledConnection<Connection> lease = pool.getConnection()) {
            assertThat(lease.get().getNetworkTimeout()).isEqualTo(7_000);
        }
    }
}
