package io.github.connectionpool.internal;

import io.github.connectionpool.CleanupConfig;
import java.lang.ref.WeakReference;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's periodic tasks: its own cleanup, the leak sweep and the coarse clock's tick, on {@link PoolExecutors}.
 *
 * <p>Periodic tasks hold their pool only weakly: a pool that is dropped without {@code close()} is collected, and its
 * next periodic run then stops the threads instead of keeping them, and the pool, alive forever. After
 * {@link #shutdown()} nothing is scheduled again and {@link #cleanupRunning()} reads false, whatever a concurrent
 * {@link #startCleanup} does.
 */
final class Housekeeper {

    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);

    private final String poolName;
    private final PoolExecutors executors;
    private final AtomicReference<Future<?>> cleanupRun = new AtomicReference<>();
    private final AtomicReference<Future<?>> leakSweep = new AtomicReference<>();
    private final AtomicBoolean collected = new AtomicBoolean();
    private volatile boolean stopped;

    Housekeeper(String poolName, PoolExecutors executors) {
        this.poolName = poolName;
        this.executors = executors;
    }

    /** Starts (or restarts) the periodic cleanup; a disabled configuration only stops it. */
    <E> void startCleanup(CleanupConfig config, E owner, Consumer<E> run) {
        Future<?> next = null;
        if (config.enabled() && !stopped) {
            try {
                next = executors.scheduleRepeatedly(
                        new WeakTask<>(owner, run, "cleanup"), PoolEngine.nanos(config.interval()));
            } catch (RejectedExecutionException e) { // shut down: the pool closed meanwhile
                return;
            }
        }
        cancel(cleanupRun.getAndSet(next));
        if (stopped) { // shut down while this was being scheduled: the shutdown may have missed it
            cancel(cleanupRun.getAndSet(null));
        }
    }

    void stopCleanup() {
        cancel(cleanupRun.getAndSet(null));
    }

    boolean cleanupRunning() {
        return !stopped && cleanupRun.get() != null;
    }

    /** Moves a coarse clock forward every period, on the scheduler thread itself (a tick is one volatile write). */
    void startTicking(CoarseClock clock) {
        WeakReference<CoarseClock> held = new WeakReference<>(clock);
        executors.scheduleRepeatedly(
                () -> {
                    CoarseClock target = held.get();
                    if (target == null) {
                        poolCollected();
                        return;
                    }
                    target.tick();
                },
                clock.period());
    }

    /** Starts the periodic leak sweep. */
    <E> void startLeakSweep(long periodNanos, E owner, Consumer<E> sweep) {
        cancel(leakSweep.getAndSet(
                executors.scheduleRepeatedly(new WeakTask<>(owner, sweep, "leak detection"), periodNanos)));
    }

    /** Stops every periodic task and the threads; a running creation is interrupted. */
    void shutdown() {
        stopped = true;
        stopCleanup();
        cancel(leakSweep.getAndSet(null));
        executors.shutdown();
    }

    /** A periodic task found its pool collected (dropped without close()): say so once and stop the threads. */
    private void poolCollected() {
        if (collected.compareAndSet(false, true)) {
            log.warn("{}: pool was garbage collected without close(); stopping its threads", poolName);
        }
        shutdown();
    }

    private static void cancel(Future<?> task) {
        if (task != null) {
            task.cancel(false);
        }
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
                executors.execute(() -> runOnce(target));
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
