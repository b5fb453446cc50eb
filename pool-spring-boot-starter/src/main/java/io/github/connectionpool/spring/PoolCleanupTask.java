package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import java.time.Duration;
import java.util.Objects;
import org.springframework.scheduling.config.FixedDelayTask;

/**
 * One pool's cleanup, which a Spring task scheduler runs every {@code cleanup.interval} in place of the pool's own
 * cleanup thread (see {@link PoolCleanupScheduler}). A run that reaches a closed pool does nothing.
 */
final class PoolCleanupTask implements Runnable {

    /** The longest delay a scheduler takes: a longer interval (a typo such as {@code 9999999d}) is cut to it. */
    static final Duration LONGEST_INTERVAL = Duration.ofNanos(Long.MAX_VALUE);

    private final ConnectionPool<?, ?> pool;
    private final Duration interval;

    PoolCleanupTask(ConnectionPool<?, ?> pool, Duration interval) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.interval = saturated(Objects.requireNonNull(interval, "interval"));
    }

    /** Cuts an interval to what schedulers can count in nanoseconds, so that none overflows on a huge value. */
    static Duration saturated(Duration interval) {
        return interval == null ? null : interval.compareTo(LONGEST_INTERVAL) > 0 ? LONGEST_INTERVAL : interval;
    }

    String poolName() {
        return pool.name();
    }

    Duration interval() {
        return interval;
    }

    /** The task for a Spring scheduler: the first run one interval after start, then one interval after each run. */
    FixedDelayTask fixedDelayTask() {
        return new FixedDelayTask(this, interval, interval);
    }

    /** One cleanup pass; see {@link ConnectionPool#runCleanup()}. */
    @Override
    public void run() {
        pool.runCleanup();
    }

    /** How Actuator's {@code scheduledtasks} endpoint names the task: the method it runs and the pool's name. */
    @Override
    public String toString() {
        return PoolCleanupTask.class.getName() + ".runCleanup(" + pool.name() + ")";
    }
}
