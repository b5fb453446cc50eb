package io.github.connectionpool.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether the pool is closed: read by every part on every path, so it is one volatile read.
 *
 * <p>Once closed, nothing new starts: no creation, no hand-over (a connection on its way is closed instead), no
 * waiter joins for good. Work already running finishes and sees the flag at its next step.
 */
final class Lifecycle {

    private volatile boolean closed;
    private final AtomicBoolean closing = new AtomicBoolean();

    boolean isClosed() {
        return closed;
    }

    /** Starts closing; true for the one caller that closes, false for every later one. */
    boolean close() {
        if (!closing.compareAndSet(false, true)) {
            return false;
        }
        closed = true;
        return true;
    }
}
