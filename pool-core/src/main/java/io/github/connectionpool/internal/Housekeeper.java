package io.github.connectionpool.internal;

import io.github.connectionpool.CleanupConfig;
import java.lang.ref.WeakReference;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's threads: one scheduler thread for timers (cleanup runs, leak sweeps, creation and acquire timeouts) and
 * a cached set of worker threads for creations and for work an asynchronous borrow must not do on its caller's thread.
 *
 * <p>All threads are daemons, named after the pool, and end with {@link #shutdown()}. Periodic tasks hold their pool
 * only weakly: a pool that is dropped without {@code close()} is collected, and its next periodic run then stops the
 * threads instead of keeping them, and the pool, alive forever.
 */
final class Housekeeper {

    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);

    private final String poolName;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor worker;
    private final AtomicReference<ScheduledFuture<?>> cleanupRun = new AtomicReference<>();
    private final AtomicReference<ScheduledFuture<?>> leakSweep = new AtomicReference<>();
    private final AtomicBoolean collected = new AtomicBoolean();

    Housekeeper(String poolName) {
        this.poolName = poolName;
        this.scheduler = new ScheduledThreadPoolExecutor(1, threads(poolName + "-housekeeper"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker = new ThreadPoolExecutor(
                0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads(poolName + "-worker"));
    }

    /**
     * Runs a one-off task after a delay, on the scheduler thread: keep it short, or hand it to a worker.
     *
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return scheduler.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }

    /**
     * Runs a task on a worker thread.
     *
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    void execute(Runnable task) {
        worker.execute(task);
    }

    /**
     * Runs a task on a worker thread, whose cancellation with interruption reaches only this task.
     *
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    Future<?> submit(Runnable task) {
        return worker.submit(task);
    }

    /** Runs a task on a worker thread; after {@link #shutdown()}, on the calling thread. */
    void executeOrRun(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Starts (or restarts) the periodic cleanup; a disabled configuration only stops it. */
    <E> void startCleanup(CleanupConfig config, E owner, Consumer<E> run) {
        long period = config.interval().toNanos();
        ScheduledFuture<?> next = null;
        if (config.enabled()) {
            try {
                next = every(period, period, owner, run, "cleanup");
            } catch (RejectedExecutionException e) { // shut down: the pool closed meanwhile
                return;
            }
        }
        cancel(cleanupRun.getAndSet(next));
    }

    void stopCleanup() {
        cancel(cleanupRun.getAndSet(null));
    }

    boolean cleanupRunning() {
        return cleanupRun.get() != null;
    }

    /**
     * Moves a coarse clock forward every period, on the scheduler thread itself (a tick is one volatile write). The
     * clock is held weakly, like the pool's other periodic tasks.
     */
    void startTicking(CoarseClock clock) {
        WeakReference<CoarseClock> held = new WeakReference<>(clock);
        scheduler.scheduleAtFixedRate(
                () -> {
                    CoarseClock target = held.get();
                    if (target == null) {
                        poolCollected();
                        return;
                    }
                    target.tick();
                },
                clock.period(),
                clock.period(),
                TimeUnit.NANOSECONDS);
    }

    /** Starts the periodic leak sweep. */
    <E> void startLeakSweep(long periodNanos, E owner, Consumer<E> sweep) {
        cancel(leakSweep.getAndSet(every(periodNanos, periodNanos, owner, sweep, "leak detection")));
    }

    /** Stops every task and lets the threads end; a running creation is interrupted. */
    void shutdown() {
        stopCleanup();
        cancel(leakSweep.getAndSet(null));
        scheduler.shutdownNow();
        worker.shutdownNow();
    }

    /** A periodic task found its pool collected (dropped without close()): say so once and stop the threads. */
    private void poolCollected() {
        if (collected.compareAndSet(false, true)) {
            log.warn("{}: pool was garbage collected without close(); stopping its threads", poolName);
        }
        shutdown();
    }

    private <E> ScheduledFuture<?> every(long delay, long period, E owner, Consumer<E> run, String what) {
        return scheduler.scheduleWithFixedDelay(new WeakTask<>(owner, run, what), delay, period, TimeUnit.NANOSECONDS);
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * A periodic task that holds its pool weakly, survives its own failures, and stops the threads once the pool is
     * gone. It runs on a worker, so that a long run (validations, closes) never holds up the scheduler's timers, and
     * never overlaps itself: a tick that finds the last run still going is skipped.
     */
    private final class WeakTask<E> implements Runnable {
        private final WeakReference<E> owner;
        private final Consumer<E> run;
        private final String what;
        private final AtomicBoolean running = new AtomicBoolean();

        WeakTask(E owner, Consumer<E> run, String what) {
            this.owner = new WeakReference<>(owner);
            this.run = run;
            this.what = what;
        }

        @Override
        public void run() {
            E target = owner.get();
            if (target == null) {
                poolCollected();
                return;
            }
            if (!running.compareAndSet(false, true)) {
                return;
            }
            try {
                worker.execute(() -> runOnce(target));
            } catch (RejectedExecutionException e) { // shut down meanwhile
                running.set(false);
            }
        }

        private void runOnce(E target) {
            try {
                run.accept(target);
            } catch (RuntimeException | Error e) {
                // A failed run must not end the schedule: it is logged, and the next tick runs again.
                log.error("{}: {} run failed; it runs again at the next interval", poolName, what, e);
            } finally {
                running.set(false);
            }
        }
    }
}
