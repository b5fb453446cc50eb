package io.github.connectionpool.internal;

import java.util.concurrent.atomic.AtomicLong;

/** The pool's cumulative counts, as {@link io.github.connectionpool.PoolStats} reports them. Off the hot path. */
final class PoolCounters {
    final AtomicLong created = new AtomicLong();
    final AtomicLong destroyed = new AtomicLong();
    final AtomicLong timeouts = new AtomicLong();
    final AtomicLong creationFailures = new AtomicLong();
    final AtomicLong validationFailures = new AtomicLong();
}
