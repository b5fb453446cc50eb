package io.github.connectionpool;

import java.util.concurrent.CompletionStage;

/**
 * Makes new connections for a pool.
 *
 * <p>The pool calls {@link #createConnection(Object)} on one of its own worker threads, never on a caller's thread and
 * never while holding a lock, so a creator may block (a blocking {@code connect}, a JDBC login) or return an
 * incomplete stage and finish asynchronously. Either way the pool bounds the creation by its
 * {@link PoolConfig#connectionTimeout() connection timeout}: a creation that takes longer is abandoned, and a
 * connection that arrives after that is closed.
 *
 * <pre>{@code
 * ConnectionCreator<Socket, InetSocketAddress> creator =
 *         address -> CompletableFuture.completedFuture(new Socket(address.getHostString(), address.getPort()));
 * }</pre>
 *
 * @param <T> the connection type
 * @param <P> the connection parameters, for example an address
 */
@FunctionalInterface
public interface ConnectionCreator<T, P> {

    /**
     * Creates one connection.
     *
     * <p>A stage that completes exceptionally, an exception thrown from this method, and a stage that completes with
     * {@code null} all count as a creation failure; the caller waiting for the connection receives a
     * {@link ConnectionCreationException} whose cause is the error.
     *
     * @param params the pool's connection parameters
     * @return a stage that completes with the new connection
     */
    CompletionStage<T> createConnection(P params);
}
