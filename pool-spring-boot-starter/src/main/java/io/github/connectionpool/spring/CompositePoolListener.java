package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;
import java.util.List;

/** Hands each timing to every {@link PoolListener} bean (usually just the meters' one). */
final class CompositePoolListener implements PoolListener {

    private final PoolListener[] listeners;

    private CompositePoolListener(List<PoolListener> listeners) {
        this.listeners = listeners.toArray(new PoolListener[0]);
    }

    static PoolListener of(List<PoolListener> listeners) {
        return switch (listeners.size()) {
            case 0 -> PoolListener.none();
            case 1 -> listeners.get(0);
            default -> new CompositePoolListener(listeners);
        };
    }

    @Override
    public void connectionAcquired(long waitNanos) {
        for (PoolListener listener : listeners) {
            listener.connectionAcquired(waitNanos);
        }
    }

    @Override
    public void connectionCreated(long creationNanos) {
        for (PoolListener listener : listeners) {
            listener.connectionCreated(creationNanos);
        }
    }

    @Override
    public void connectionReturned(long usageNanos) {
        for (PoolListener listener : listeners) {
            listener.connectionReturned(usageNanos);
        }
    }
}
