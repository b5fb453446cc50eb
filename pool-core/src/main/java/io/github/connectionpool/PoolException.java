package io.github.connectionpool;

/**
 * Why a pool could not lend a connection. The family is sealed, so a {@code switch} over it needs no default:
 *
 * <ul>
 *   <li>{@link PoolTimeoutException}: no connection within the acquire timeout or the connection timeout;
 *   <li>{@link PoolClosedException}: the pool is closed;
 *   <li>{@link ConnectionCreationException}: the creator failed; {@link #getCause()} is its error.
 * </ul>
 *
 * <p>Each message names the pool and, where it helps, carries a {@link PoolStats#summary() stats summary}.
 */
public abstract sealed class PoolException extends RuntimeException
        permits PoolTimeoutException, PoolClosedException, ConnectionCreationException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what happened, naming the pool
     * @param cause the underlying error, or {@code null}
     */
    protected PoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
