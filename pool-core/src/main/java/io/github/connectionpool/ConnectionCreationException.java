package io.github.connectionpool;

/**
 * The {@link ConnectionCreator} failed: it threw, its stage completed exceptionally, or it completed with {@code null}.
 * {@link #getCause()} is the creator's own error.
 */
public final class ConnectionCreationException extends PoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the pool
     * @param cause the creator's error
     */
    public ConnectionCreationException(String message, Throwable cause) {
        super(message, cause);
    }
}
