package io.github.connectionpool;

import java.util.concurrent.CompletionStage;

/**
 * Tells whether an idle connection can still be used.
 *
 * <p>The pool validates a connection before lending it when it has not been used or checked for longer than the
 * {@link PoolConfig#validationBypassWindow() validation bypass window}, and during cleanup. It calls
 * {@link #isValid(Object)} on the borrowing thread (or on its own worker thread for an asynchronous borrow, and on the
 * cleanup thread during cleanup), never while holding a lock, and waits for the stage at most the
 * {@link PoolConfig#validationTimeout() validation timeout}. The method itself should return promptly: put slow checks
 * into the returned stage.
 *
 * <pre>{@code
 * ConnectionValidator<Socket> validator = socket -> CompletableFuture.completedFuture(!socket.isClosed());
 * }</pre>
 *
 * @param <T> the connection type
 */
@FunctionalInterface
public interface ConnectionValidator<T> {

    /**
     * Checks one connection.
     *
     * @param connection the connection to check; it is not lent to anyone while it is checked
     * @return a stage that completes with {@code true} when the connection can be used; {@code false}, an exception,
     *     or no answer within the validation timeout all make the pool close the connection
     */
    CompletionStage<Boolean> isValid(T connection);
}
