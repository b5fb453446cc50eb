package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds a pool's meters, all tagged {@code pool=<name>}: gauges {@code pool.connections.active|idle|pending|total|max|min},
 * counters {@code pool.connections.timeout}, {@code pool.connections.creation.failures},
 * {@code pool.connections.validation.failures} (read from the live {@link ConnectionPool#stats()} at each scrape), and
 * the timers {@code pool.connections.acquire|creation|usage} of its {@link PoolTimers}, when it has them.
 */
public class PoolMetrics implements MeterBinder {

    private final ConnectionPool<?, ?> pool;
    private final PoolTimers timers;

    /**
     * Creates the binder.
     *
     * @param pool the pool to read
     * @param timers the listener the pool was built with, whose timers this binder registers; {@code null} for none
     */
    public PoolMetrics(ConnectionPool<?, ?> pool, PoolTimers timers) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.timers = timers;
    }

    /**
     * Creates the binder of a pool's gauges and counters, for a pool built without {@link PoolTimers}.
     *
     * @param pool the pool to read
     */
    public PoolMetrics(ConnectionPool<?, ?> pool) {
        this(pool, null);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of("pool", pool.name());
        gauge(registry, tags, "pool.connections.active", "Connections lent to callers", s -> s.active());
        gauge(registry, tags, "pool.connections.idle", "Connections idle in the pool", s -> s.idle());
        gauge(registry, tags, "pool.connections.pending", "Callers waiting for a connection", s -> s.pending());
        gauge(
                registry,
                tags,
                "pool.connections.total",
                "Live connections: active, idle and being created",
                s -> s.total());
        Gauge.builder("pool.connections.max", pool, p -> p.maxSize())
                .description("Maximum number of live connections")
                .baseUnit(BaseUnits.CONNECTIONS)
                .tags(tags)
                .register(registry);
        Gauge.builder("pool.connections.min", pool, p -> p.config().minIdle())
                .description("Number of idle connections the pool keeps ready")
                .baseUnit(BaseUnits.CONNECTIONS)
                .tags(tags)
                .register(registry);
        counter(
                registry,
                tags,
                "pool.connections.timeout",
                "Callers that got no connection in time",
                s -> s.timeouts());
        counter(
                registry,
                tags,
                "pool.connections.creation.failures",
                "Connection attempts that failed",
                s -> s.creationFailures());
        counter(
                registry,
                tags,
                "pool.connections.validation.failures",
                "Connections closed because they failed validation",
                s -> s.validationFailures());
        if (timers != null) {
            timers.bindTo(registry, pool.name());
        }
    }

    private void gauge(
            MeterRegistry registry, Tags tags, String name, String description, ToDoubleFunction<PoolStats> value) {
        Gauge.builder(name, pool, p -> value.applyAsDouble(p.stats()))
                .description(description)
                .baseUnit(BaseUnits.CONNECTIONS)
                .tags(tags)
                .register(registry);
    }

    private void counter(
            MeterRegistry registry, Tags tags, String name, String description, ToDoubleFunction<PoolStats> value) {
        FunctionCounter.builder(name, pool, p -> value.applyAsDouble(p.stats()))
                .description(description)
                .tags(tags)
                .register(registry);
    }
}
