package io.github.connectionpool.jdbc;

import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.ConnectionResetter;
import io.github.connectionpool.ConnectionValidator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens, checks and resets JDBC connections, for a pool of {@link Connection}s.
 *
 * <ul>
 *   <li>Creating: {@link DriverManager#getConnection(String, java.util.Properties)}, which blocks: the pool runs
 *       creators on its own workers and bounds them by its connection timeout.
 *   <li>Validating: {@link Connection#isValid(int)} with the validation timeout, rounded up to whole seconds as JDBC
 *       wants it.
 *   <li>Resetting on return: a closed connection is dropped; an open transaction (auto-commit off) is rolled back and
 *       auto-commit turned on again; read-only is turned off; warnings are cleared. The next borrower gets a clean
 *       connection.
 * </ul>
 *
 * <pre>{@code
 * JdbcConnector jdbc = new JdbcConnector(Duration.ofSeconds(5));
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

    /**
     * Creates a connector.
     *
     * @param validationTimeout the longest a validation may take; rounded up to whole seconds
     * @throws IllegalArgumentException when the timeout is not positive
     */
    public JdbcConnector(Duration validationTimeout) {
        if (validationTimeout == null || validationTimeout.isNegative() || validationTimeout.isZero()) {
            throw new IllegalArgumentException("validationTimeout must be positive, but was " + validationTimeout);
        }
        long seconds = (validationTimeout.toMillis() + 999) / 1000;
        this.validationTimeoutSeconds = (int) Math.min(Integer.MAX_VALUE, Math.max(1, seconds));
    }

    /**
     * Opens a connection; blocking.
     *
     * @param params the URL and driver properties
     * @return a completed stage with the connection, or a failed one with the driver's {@link SQLException}
     */
    @Override
    public CompletionStage<Connection> createConnection(JdbcParams params) {
        try {
            return CompletableFuture.completedFuture(DriverManager.getConnection(params.url(), params.toProperties()));
        } catch (SQLException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
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
