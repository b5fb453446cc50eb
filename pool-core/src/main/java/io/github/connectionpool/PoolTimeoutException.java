package io.github.connectionpool;

/**
 * No connection within the time allowed: the acquire timeout passed while waiting, the connection timeout passed while
 * creating, or the waiting thread was interrupted (then {@link #getCause()} is the {@link InterruptedException} and
 * the thread's interrupt status is set again).
 *
 * <p>The message carries the pool's stats and the last creation error, which is also the cause when there was one.
 */
public final class PoolTimeoutException extends PoolException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what happened, naming the pool
     * @param cause the last creation error or the interruption, or {@code null}
     */
    public PoolTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
