package io.github.connectionpool.internal;

import io.github.connectionpool.ConnectionCloser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the connections the pool discards, with the user's closer, outside any lock; a closer that throws is logged
 * and the slot is freed all the same.
 *
 * @param <T> the connection type
 */
final class Closer<T> {

    private static final Logger log = LoggerFactory.getLogger(Closer.class);

    private final String name;
    private final ConnectionCloser<? super T> closer;
    private final PoolCounters counters;

    Closer(String name, ConnectionCloser<? super T> closer, PoolCounters counters) {
        this.name = name;
        this.closer = closer;
        this.counters = counters;
    }

    /**
     * Closes an owned slot's connection and then frees the slot, even when closing fails. The caller starts a creation
     * for the waiters if it may (see {@code Recycler}).
     */
    void discard(Slot<T> slot, String reason) {
        try {
            closeQuietly(slot.connection);
        } finally {
            counters.destroyed.incrementAndGet();
            log.debug("{}: closed connection {} because {}", name, slot.index, reason);
            slot.free();
        }
    }

    /** Closes a connection no slot holds (one whose creation was settled already), counting nothing. */
    void closeQuietly(T connection) {
        try {
            closer.close(connection);
        } catch (Throwable e) { // user code: whatever it throws must not leave the slot taken
            log.warn("{}: closing a connection failed", name, e);
        }
    }
}
