package io.github.connectionpool;

/**
 * Closes a connection that the pool discards: expired, invalid, invalidated by its borrower, or left over when the
 * pool closes.
 *
 * <p>The default closer calls {@link AutoCloseable#close()} when the connection is {@code AutoCloseable} and does
 * nothing otherwise. The pool calls the closer outside any lock; an exception it throws is logged and the connection's
 * slot is freed all the same.
 *
 * @param <T> the connection type
 */
@FunctionalInterface
public interface ConnectionCloser<T> {

    /**
     * Closes one connection.
     *
     * @param connection the connection, no longer part of the pool
     * @throws Exception when closing fails; the pool logs it and goes on
     */
    void close(T connection) throws Exception;
}
