package io.github.connectionpool.internal;

import io.github.connectionpool.PoolListener;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shields the pool from a {@link PoolListener} that throws: the pool calls listeners after a state change, where an
 * exception would strand a slot. The first failure is logged at WARN, later ones at DEBUG.
 */
final class GuardedListener implements PoolListener {

    private static final Logger log = LoggerFactory.getLogger(GuardedListener.class);

    private final String poolName;
    private final PoolListener delegate;
    private final AtomicBoolean warned = new AtomicBoolean();

    private GuardedListener(String poolName, PoolListener delegate) {
        this.poolName = poolName;
        this.delegate = delegate;
    }

    /** Guards a listener; the default no-op listener needs no guard and stays as it is, for the hot path. */
    static PoolListener guard(String poolName, PoolListener listener) {
        return listener == PoolListener.none() ? listener : new GuardedListener(poolName, listener);
    }

    @Override
    public void connectionAcquired(long waitNanos) {
        try {
            delegate.connectionAcquired(waitNanos);
        } catch (Throwable e) { // user code: must not leave the pool half-way through a hand-over
            failed(e);
        }
    }

    @Override
    public void connectionCreated(long creationNanos) {
        try {
            delegate.connectionCreated(creationNanos);
        } catch (Throwable e) { // user code
            failed(e);
        }
    }

    @Override
    public void connectionReturned(long usageNanos) {
        try {
            delegate.connectionReturned(usageNanos);
        } catch (Throwable e) { // user code
            failed(e);
        }
    }

    private void failed(Throwable e) {
        if (warned.compareAndSet(false, true)) {
            log.warn(
                    "{}: the pool listener threw; the pool ignores it (later failures are logged at DEBUG)",
                    poolName,
                    e);
        } else {
            log.debug("{}: the pool listener threw", poolName, e);
        }
    }
}
