package io.github.connectionpool.internal;

import io.github.connectionpool.PooledConnection;
import java.util.concurrent.CompletableFuture;

/**
 * A caller waiting for a connection, synchronous or asynchronous alike: whoever serves it completes its future.
 *
 * <p>The future is the single point of agreement between the server and the waiter: a hand-over counts only when
 * {@code future.complete(lease)} succeeds; a waiter that timed out, was cancelled or interrupted has completed the
 * future itself first, so the hand-over fails and the connection goes to the next waiter instead of being lost.
 *
 * @param <T> the connection type
 */
public final class Waiter<T> {

    /** Completed with the lease, or with the {@code PoolException} that ends the wait. */
    public final CompletableFuture<PooledConnection<T>> future = new CompletableFuture<>();
    /** Ticker time when the caller started to borrow. */
    final long startNanos;
    /** Where the caller borrowed, when leak detection is on; otherwise {@code null}. */
    final Throwable borrower;
    /** Whether the caller borrowed asynchronously: its future's callbacks are the caller's own code. */
    final boolean async;

    // Links of the intrusive queue, guarded by the queue's lock.
    Waiter<T> previous;
    Waiter<T> next;
    boolean queued;

    Waiter(long startNanos, Throwable borrower, boolean async) {
        this.startNanos = startNanos;
        this.borrower = borrower;
        this.async = async;
    }
}
