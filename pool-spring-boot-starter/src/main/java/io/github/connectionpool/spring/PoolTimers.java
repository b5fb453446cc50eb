package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The pool's timers: a {@link PoolListener} handed to the pool when it is built, recording into the timers that
 * {@link PoolMetrics} registers once Micrometer binds it.
 *
 * <p>The pool must get its listener before it exists, while a binder only binds later; timings reported before the
 * binding are not recorded (a pool reports few of them before the application has started).
 */
public class PoolTimers implements PoolListener {

    private final List<Bound> registries = new CopyOnWriteArrayList<>();

    /**
     * Registers the three timers in {@code registry}, tagged {@code pool=<poolName>}; later timings go to them.
     *
     * @param registry the registry
     * @param poolName the value of the {@code pool} tag
     */
    public void bindTo(MeterRegistry registry, String poolName) {
        registries.add(new Bound(
                timer(registry, poolName, "pool.connections.acquire", "Time callers waited for a connection"),
                timer(registry, poolName, "pool.connections.creation", "Time taken to open a connection"),
                timer(registry, poolName, "pool.connections.usage", "Time a connection was held by a caller")));
    }

    private static Timer timer(MeterRegistry registry, String poolName, String name, String description) {
        return Timer.builder(name)
                .description(description)
                .tag("pool", poolName)
                .register(registry);
    }

    @Override
    public void connectionAcquired(long waitNanos) {
        for (Bound bound : registries) {
            bound.acquire.record(waitNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void connectionCreated(long creationNanos) {
        for (Bound bound : registries) {
            bound.creation.record(creationNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void connectionReturned(long usageNanos) {
        for (Bound bound : registries) {
            bound.usage.record(usageNanos, TimeUnit.NANOSECONDS);
        }
    }

    private record Bound(Timer acquire, Timer creation, Timer usage) {}
}
