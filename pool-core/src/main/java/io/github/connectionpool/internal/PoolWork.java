package io.github.connectionpool.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the connections the pool itself is working on outside a caller's path: checks for waiters on a worker,
 * discards handed off a borrower's path, cleanup validations. {@code close()} waits until none is left, so that when it
 * returns every connection not lent out is closed and no closer or validator of the pool's runs any more.
 *
 * <p>The protocol: work registers with {@link #started()} before it reads whether the pool is closed (and does its
 * work on the spot if it is); {@code close()} marks the pool closed before it waits. So either {@code close()} sees the
 * work and waits for it, or the work sees the pool closed.
 */
final class PoolWork {

    private final AtomicInteger inProgress = new AtomicInteger();
    private volatile Thread awaiting;

    /** One more connection is being worked on; call {@link #done()} when it is handed on, put back or closed. */
    void started() {
        inProgress.incrementAndGet();
    }

    void done() {
        if (inProgress.decrementAndGet() == 0) {
            Thread waiting = awaiting;
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        }
    }

    int inProgress() {
        return inProgress.get();
    }

    /**
     * Waits until no work is in progress, at most until the deadline. One thread at a time ({@code close()}).
     *
     * @param deadline real time ({@link System#nanoTime()})
     * @return whether no work is left
     */
    boolean awaitNone(long deadline) {
        awaiting = Thread.currentThread();
        try {
            boolean interrupted = false;
            while (inProgress.get() > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, remaining);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return inProgress.get() == 0;
        } finally {
            awaiting = null;
        }
    }
}
