package io.github.connectionpool;

import io.github.connectionpool.internal.Slot;

/**
 * A borrowed connection. Give it back by closing it, best with try-with-resources:
 *
 * <pre>{@code
 * try (PooledConnection<Socket> lease = pool.getConnection()) {
 *     lease.get().getOutputStream().write(request);
 * } // back in the pool here
 * }</pre>
 *
 * <p>A lease ends exactly once, in one of three ways: {@link #close()} returns the connection to the pool,
 * {@link #invalidate()} has the pool close it, {@link #detach()} takes it out of the pool for good. Whatever comes
 * after the first of them does nothing ({@code close}, {@code invalidate}) or throws {@link IllegalStateException}
 * ({@code get}, {@code detach}), even when the same connection has since been lent to someone else. A lease may be
 * ended from any thread, by one thread at a time: like a {@code java.sql.Connection}, a lease is not meant to be
 * closed from two threads at the same instant, and the pool does not guard against that race (its uncontended return
 * is a plain store, which is much of what makes it cheap); closing it again afterwards is harmless.
 *
 * @param <T> the connection type
 */
public final class PooledConnection<T> implements AutoCloseable {

    private final Slot<T> entry;
    private final long stamp;

    PooledConnection(Slot<T> entry, long stamp) {
        this.entry = entry;
        this.stamp = stamp;
    }

    /**
     * The connection, for as long as the lease lasts. Do not keep it beyond the lease, nor close it yourself: use
     * {@link #invalidate()} for a connection that must not be reused.
     *
     * @return the connection
     * @throws IllegalStateException when the lease has ended
     */
    public T get() {
        return entry.engine.connection(entry, stamp);
    }

    /**
     * Ends the lease and has the pool close the connection and free its slot, for example after an I/O error left it
     * in an unknown state. Closing happens on the calling thread, before this method returns. Does nothing when the
     * lease has ended already.
     */
    public void invalidate() {
        entry.engine.invalidate(entry, stamp);
    }

    /**
     * Ends the lease and takes the connection out of the pool for good: the pool frees its slot and forgets it, and
     * closing it becomes the caller's job.
     *
     * @return the connection
     * @throws IllegalStateException when the lease has ended already
     */
    public T detach() {
        return entry.engine.detach(entry, stamp);
    }

    /**
     * Returns the connection to the pool: to the caller that has waited longest, or to the idle connections. When
     * this method returns, the connection is the pool's again; a check that the next borrower's settings call for (for
     * example a TCP pool's peek) runs later, on that borrower's thread (on a pool worker for an asynchronous borrower),
     * never on this one. Idempotent and never throws.
     */
    @Override
    public void close() {
        entry.engine.release(entry, stamp);
    }

    /** For tests: see {@code PoolEngine#releaseUnseen}. */
    void releaseUnseen() {
        entry.engine.releaseUnseen(entry, stamp);
    }

    @Override
    public String toString() {
        return "PooledConnection[" + entry + ", lease " + stamp + "]";
    }
}
