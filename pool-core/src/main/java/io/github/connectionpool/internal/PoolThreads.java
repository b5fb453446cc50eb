package io.github.connectionpool.internal;

import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool's own threads: one scheduler thread for timers (cleanup runs, leak sweeps, creation and acquire timeouts,
 * the coarse clock's tick) and a cached set of workers for creations, checks for waiters, discards, cleanup runs and
 * the completion of asynchronous borrows. All are daemons (a pool never keeps the JVM alive), named after the pool,
 * and started only when first needed.
 */
final class PoolThreads implements PoolExecutors {

    /**
     * The longest delay handed to the scheduler: it adds delays to {@code System.nanoTime()}, so anything longer would
     * overflow; this is still about 146 years.
     */
    private static final long LONGEST_DELAY_NANOS = Long.MAX_VALUE >> 1;

    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor workers;

    PoolThreads(String poolName) {
        this.scheduler = new ScheduledThreadPoolExecutor(1, daemons(poolName + "-housekeeper"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.workers = new ThreadPoolExecutor(
                0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), daemons(poolName + "-worker"));
    }

    @Override
    public Future<?> schedule(Runnable task, long delayNanos) {
        return scheduler.schedule(task, clamp(delayNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public Future<?> scheduleRepeatedly(Runnable task, long periodNanos) {
        long period = Math.max(1, clamp(periodNanos));
        return scheduler.scheduleWithFixedDelay(task, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void execute(Runnable task) {
        workers.execute(task);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return workers.submit(task);
    }

    @Override
    public void shutdown() {
        scheduler.shutdownNow();
        workers.shutdownNow();
    }

    private static long clamp(long nanos) {
        return Math.max(0, Math.min(nanos, LONGEST_DELAY_NANOS));
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
