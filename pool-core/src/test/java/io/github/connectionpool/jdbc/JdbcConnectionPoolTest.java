package io.github.connectionpool.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.testing.Services;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JDBC pool against the local PostgreSQL. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JdbcConnectionPoolTest {

    @BeforeEach
    void requirePostgres() {
        Services.requirePostgres();
    }

    private static JdbcConnectionPool pool(int maxSize) {
        return JdbcConnectionPool.builder(Services.POSTGRES_URL)
                .property("user", Services.POSTGRES_USER)
                .maxSize(maxSize)
                .build();
    }

    private static int queryInt(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getInt(1);
        }
    }

    @Test
    void selectOneThroughThePool() throws SQLException {
        try (JdbcConnectionPool pool = pool(2);
                PooledConnection<Connection> lease = pool.getConnection()) {
            assertThat(queryInt(lease.get(), "select 1")).isEqualTo(1);
        }
    }

    @Test
    void aConnectionReturnedInsideATransactionIsRolledBackAndResetForTheNextBorrower() throws SQLException {
        String table = "jdbc_reset_" + System.nanoTime();
        try (JdbcConnectionPool pool = pool(1)) {
            try (PooledConnection<Connection> lease = pool.getConnection();
                    Statement statement = lease.get().createStatement()) {
                statement.execute("create table " + table + " (id int)");
            }
            try (PooledConnection<Connection> lease = pool.getConnection();
                    Statement statement = lease.get().createStatement()) {
                lease.get().setAutoCommit(false);
                statement.execute("insert into " + table + " values (1)");
            } // returned dirty: no commit
            try (PooledConnection<Connection> lease = pool.getConnection()) {
                assertThat(lease.get().getAutoCommit()).isTrue();
                assertThat(queryInt(lease.get(), "select count(*) from " + table))
                        .isZero();
                try (Statement statement = lease.get().createStatement()) {
                    statement.execute("drop table " + table);
                }
            }
            assertThat(pool.stats().created()).isEqualTo(1);
        }
    }

    @Test
    void aConnectionKilledByTheServerIsReplacedBeforeTheNextBorrowerSeesIt() throws SQLException {
        try (JdbcConnectionPool pool = JdbcConnectionPool.builder(Services.POSTGRES_URL)
                .property("user", Services.POSTGRES_USER)
                .maxSize(1)
                .validationBypassWindow(Duration.ZERO)
                .build()) {
            int backend;
            try (PooledConnection<Connection> lease = pool.getConnection()) {
                backend = queryInt(lease.get(), "select pg_backend_pid()");
            }
            try (JdbcConnectionPool admin = pool(1);
                    PooledConnection<Connection> lease = admin.getConnection()) {
                queryInt(lease.get(), "select pg_terminate_backend(" + backend + ")::int");
            }
            try (PooledConnection<Connection> lease = pool.getConnection()) {
                assertThat(queryInt(lease.get(), "select pg_backend_pid()")).isNotEqualTo(backend);
            }
            assertThat(pool.stats().validationFailures()).isEqualTo(1);
        }
    }

    @Test
    void aWrongPasswordOrDatabaseSurfacesTheDriversError() {
        try (JdbcConnectionPool pool = JdbcConnectionPool.builder("jdbc:postgresql://127.0.0.1:5432/no_such_db")
                .property("user", Services.POSTGRES_USER)
                .build()) {
            assertThatThrownBy(pool::getConnection)
                    .isInstanceOf(ConnectionCreationException.class)
                    .hasCauseInstanceOf(SQLException.class)
                    .hasMessageContaining("jdbc");
        }
    }

    @Test
    void paramsRejectANonJdbcUrlAndHideThePassword() {
        assertThatThrownBy(() -> new JdbcParams("postgres://x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("url");
        assertThat(new JdbcParams("jdbc:x:y", Map.of("password", "secret")).toString())
                .doesNotContain("secret");
    }
}
