package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool's timers: a {@link PoolListener} handed to the pool when it is built, recording into the timers that
 * {@link PoolMetrics} registers once Micrometer binds it.
 *
 * <p>The pool must get its listener before it exists, while a binder only binds later (for instance, the creations
 * that {@code min-idle} starts at once): timings reported before the first binding are kept, up to
 * {@value #EARLY_LIMIT}, and recorded when the timers are registered.
 */
public class PoolTimers implements PoolListener {

    static final int EARLY_LIMIT = 1024;

    private final List<Bound> registries = new CopyOnWriteArrayList<>();
    private final Queue<Early> early = new ConcurrentLinkedQueue<>();
    private final AtomicInteger earlyCount = new AtomicInteger();
    /** Orders early timings against the first binding, so none is kept after the replay that should record it. */
    private final ReentrantLock binding = new ReentrantLock();

    /**
     * Registers the three timers in {@code registry}, tagged {@code pool=<poolName>}; later timings go to them.
     *
     * @param registry the registry
     * @param poolName the value of the {@code pool} tag
     */
    public void bindTo(MeterRegistry registry, String poolName) {
        Bound bound = new Bound(
                timer(registry, poolName, "pool.connections.acquire", "Time callers waited for a connection"),
                timer(registry, poolName, "pool.connections.creation", "Time taken to open a connection"),
                timer(registry, poolName, "pool.connections.usage", "Time a connection was held by a caller"));
        binding.lock();
        try {
            registries.add(bound);
            for (Early timing : early) {
                timing.kind.timer(bound).record(timing.nanos, TimeUnit.NANOSECONDS);
            }
        } finally {
            binding.unlock();
        }
    }

    private void record(Kind kind, long nanos) {
        if (registries.isEmpty()) { // only until the first binding; the lock is then never taken again
            binding.lock();
            try {
                if (registries.isEmpty()) {
                    if (earlyCount.incrementAndGet() <= EARLY_LIMIT) {
                        early.add(new Early(kind, nanos));
                    }
                    return;
                }
            } finally {
                binding.unlock();
            }
        }
        for (Bound bound : registries) {
            kind.timer(bound).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private static Timer timer(MeterRegistry registry, String poolName, String name, String description) {
        return Timer.builder(name)
                .description(description)
                .tag("pool", poolName)
                .register(registry);
    }

    @Override
    public void connectionAcquired(long waitNanos) {
        record(Kind.ACQUIRE, waitNanos);
    }

    @Override
    public void connectionCreated(long creationNanos) {
        record(Kind.CREATION, creationNanos);
    }

    @Override
    public void connectionReturned(long usageNanos) {
        record(Kind.USAGE, usageNanos);
    }

    private record Bound(Timer acquire, Timer creation, Timer usage) {}

    private record Early(Kind kind, long nanos) {}

    private enum Kind {
        ACQUIRE,
        CREATION,
        USAGE;

        Timer timer(Bound bound) {
            return switch (this) {
                case ACQUIRE -> bound.acquire;
                case CREATION -> bound.creation;
                case USAGE -> bound.usage;
            };
        }
    }
}
