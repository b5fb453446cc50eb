package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link PoolTimers} of each pool, by pool name: every auto-configured pool is built with its own, and
 * {@link ConnectionPoolsMetrics} registers them under the pool's tag. A pool the application builds itself records its
 * timers when built with {@code .listener(registry.forPool(name))}, {@code name} being the pool's name.
 */
public class PoolTimersRegistry implements PoolListenerFactory {

    private final Map<String, PoolTimers> timers = new ConcurrentHashMap<>();

    /**
     * The timers of the pool of that name, made at the first call.
     *
     * @param poolName the pool's name
     * @return its timers, a {@link PoolListener} to build the pool with
     */
    public PoolTimers forPool(String poolName) {
        return timers.computeIfAbsent(poolName, name -> new PoolTimers());
    }

    /**
     * The timers of the pool of that name, if any pool was built with them.
     *
     * @param poolName the pool's name
     * @return its timers, or {@code null}
     */
    public PoolTimers find(String poolName) {
        return timers.get(poolName);
    }

    /**
     * The timers of the pool of that name, as the listener an auto-configured pool is built with.
     *
     * @param poolName the pool's name
     * @return {@link #forPool(String)}
     */
    @Override
    public PoolListener listenerFor(String poolName) {
        return forPool(poolName);
    }
}
