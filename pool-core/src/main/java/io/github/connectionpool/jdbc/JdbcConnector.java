package io.github.connectionpool.jdbc;

import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.ConnectionResetter;
import io.github.connectionpool.ConnectionValidator;
import io.github.connectionpool.InvalidSettingException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens, checks and resets JDBC connections, for a pool of {@link Connection}s.
 *
 * <ul>
 *   <li>Creating: {@link DriverManager#getConnection(String, java.util.Properties)}, which blocks: the pool runs
 *       creators on its own workers and ends the caller's wait at its connection timeout. Given that timeout
 *       ({@link #JdbcConnector(Duration, Duration)}), the connector also hands it to the driver, so that the creation
 *       itself ends soon after: for PostgreSQL and MariaDB in their own timeout properties, unless the user set them;
 *       other drivers must be given theirs (see {@link JdbcConnectionPool}).
 *   <li>Validating: {@link Connection#isValid(int)} with the validation timeout, rounded up to whole seconds as JDBC
 *       wants it.
 *   <li>Resetting on return: a closed connection is dropped; an open transaction (auto-commit off) is rolled back and
 *       auto-commit turned on again; read-only is turned off; warnings are cleared. The next borrower gets a clean
 *       connection.
 * </ul>
 *
 * <pre>{@code
 * JdbcConnector jdbc = new JdbcConnector(Duration.ofSeconds(5), Duration.ofSeconds(10));
 * ConnectionPool<Connection, JdbcParams> pool = ConnectionPool.builder(params, jdbc, jdbc)
 *         .resetOnReturn(jdbc)
 *         .build();
 * }</pre>
 */
public final class JdbcConnector
        implements ConnectionCreator<Connection, JdbcParams>,
                ConnectionValidator<Connection>,
                ConnectionResetter<Connection> {

    private static final CompletableFuture<Boolean> VALID = CompletableFuture.completedFuture(Boolean.TRUE);
    private static final CompletableFuture<Boolean> INVALID = CompletableFuture.completedFuture(Boolean.FALSE);

    private final int validationTimeoutSeconds;
    private final long creationLimitNanos; // 0: nothing handed to the driver

    /**
     * Creates a connector that leaves the driver's connect timeouts as they are.
     *
     * @param validationTimeout the longest a validation may take; rounded up to whole seconds
     * @throws InvalidSettingException for {@code "validationTimeout"} when it is not positive
     */
    public JdbcConnector(Duration validationTimeout) {
        this.validationTimeoutSeconds = validationTimeoutSeconds(validationTimeout);
        this.creationLimitNanos = 0;
    }

    /**
     * Creates a connector that hands the connection timeout to the driver, so that a connect ends by itself soon after
     * it: see {@link JdbcConnectionPool} for the drivers and properties.
     *
     * @param validationTimeout the longest a validation may take; rounded up to whole seconds
     * @param connectionTimeout the pool's connection timeout
     * @throws InvalidSettingException naming {@code "validationTimeout"} or {@code "connectionTimeout"} when it is not
     *     positive
     */
    public JdbcConnector(Duration validationTimeout, Duration connectionTimeout) {
        this.validationTimeoutSeconds = validationTimeoutSeconds(validationTimeout);
        requirePositive("connectionTimeout", connectionTimeout);
        this.creationLimitNanos = DriverTimeouts.creationLimitNanos(connectionTimeout);
    }

    private static int validationTimeoutSeconds(Duration validationTimeout) {
        requirePositive("validationTimeout", validationTimeout);
        long seconds = validationTimeout.getSeconds() + (validationTimeout.getNano() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, seconds); // 0 would mean "no timeout" to JDBC: positive, so never
    }

    private static void requirePositive(String setting, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidSettingException(setting, value, setting + " must be positive, but was " + value);
        }
    }

    /**
     * Opens a connection; blocking. With a connection timeout, the driver's timeout properties are added first (see
     * {@link JdbcConnectionPool}).
     *
     * @param params the URL and driver properties
     * @return a completed stage with the connection, or a failed one with the driver's {@link SQLException}
     */
    @Override
    public CompletionStage<Connection> createConnection(JdbcParams params) {
        try {
            Properties properties = params.toProperties();
            boolean connectOnlySocketTimeout =
                    creationLimitNanos > 0 && DriverTimeouts.apply(params.url(), properties, creationLimitNanos);
            Connection connection = DriverManager.getConnection(params.url(), properties);
            if (connectOnlySocketTimeout) {
                noNetworkTimeout(connection);
            }
            return CompletableFuture.completedFuture(connection);
        } catch (SQLException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Takes back the socket timeout that bounded the connect: the user set none, so queries may take their time. */
    private static void noNetworkTimeout(Connection connection) throws SQLException {
        try {
            connection.setNetworkTimeout(Runnable::run, 0);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * Asks the driver whether the connection still works, waiting at most the validation timeout.
     *
     * @param connection the connection
     * @return a completed stage: true when the driver says so
     */
    @Override
    public CompletionStage<Boolean> isValid(Connection connection) {
        try {
            return connection.isValid(validationTimeoutSeconds) ? VALID : INVALID;
        } catch (SQLException | RuntimeException e) {
            return INVALID;
        }
    }

    /**
     * Cleans a returned connection for its next borrower.
     *
     * @param connection the returned connection
     * @return false when the connection is closed
     * @throws SQLException when rolling back or resetting fails; the pool then closes the connection
     */
    @Override
    public boolean reset(Connection connection) throws SQLException {
        if (connection.isClosed()) {
            return false;
        }
        if (!connection.getAutoCommit()) {
            connection.rollback();
            connection.setAutoCommit(true);
        }
        if (connection.isReadOnly()) {
            connection.setReadOnly(false);
        }
        connection.clearWarnings();
        return true;
    }
}
