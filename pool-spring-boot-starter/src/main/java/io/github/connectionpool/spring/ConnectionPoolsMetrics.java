package io.github.connectionpool.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ListableBeanFactory;

/**
 * Binds the meters of every {@link io.github.connectionpool.ConnectionPool} bean of the context (see
 * {@link PoolMetrics}), with the timers {@link PoolTimersRegistry} holds for it, if any.
 */
public class ConnectionPoolsMetrics implements MeterBinder {

    private final ListableBeanFactory beanFactory;
    private final PoolTimersRegistry timers;

    /**
     * Creates the binder.
     *
     * @param beanFactory where the pools are
     * @param timers the timers of the pools that record them
     */
    public ConnectionPoolsMetrics(ListableBeanFactory beanFactory, PoolTimersRegistry timers) {
        this.beanFactory = beanFactory;
        this.timers = timers;
    }

    /**
     * Binds every pool's meters.
     *
     * @param registry the registry
     * @throws DuplicatePoolNameException when two pools have the same name
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        ConnectionPools.byName(beanFactory)
                .forEach((name, pool) -> new PoolMetrics(pool, timers.find(name)).bindTo(registry));
    }
}
