package io.github.connectionpool;

/**
 * Makes a returned connection fit for its next borrower, or says it cannot be.
 *
 * <p>The pool calls {@link #reset(Object)} on the returning thread, inside {@link PooledConnection#close()}, before the
 * connection becomes available again, for example to roll back an open transaction or to check that no unread bytes
 * are left on a socket. Keep it short: it runs on the return path.
 *
 * @param <T> the connection type
 */
@FunctionalInterface
public interface ConnectionResetter<T> {

    /**
     * Resets one connection.
     *
     * @param connection the connection being returned
     * @return {@code true} to keep the connection in the pool, {@code false} to close it and free its slot
     * @throws Exception when the reset fails; the connection is then closed and its slot freed
     */
    boolean reset(T connection) throws Exception;
}
