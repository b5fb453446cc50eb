package io.github.connectionpool.internal;

import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Where the pool runs what must not run on a caller's thread: timers on one scheduler thread, everything else on
 * workers. {@link PoolThreads} is the real one; tests substitute one they step through by hand, so that races between
 * a worker and a caller (a hand-over and a cancel, a creation's outcome and its timeout) are ordered by the test.
 *
 * <p>After {@link #shutdown()} every method but {@link #executeOrRun} throws {@link RejectedExecutionException}.
 */
public interface PoolExecutors {

    /**
     * Runs a one-off task after a delay, on the scheduler thread: keep it short, or hand it to a worker.
     *
     * @param task the task
     * @param delayNanos the delay, saturated to what the scheduler can represent
     * @return the task's future, to cancel it
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    Future<?> schedule(Runnable task, long delayNanos);

    /**
     * Runs a task again and again on the scheduler thread, {@code periodNanos} after each run ends.
     *
     * @param task the task
     * @param periodNanos the pause between runs, and before the first
     * @return the schedule's future, to cancel it
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    Future<?> scheduleRepeatedly(Runnable task, long periodNanos);

    /**
     * Runs a task on a worker thread.
     *
     * @param task the task
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    void execute(Runnable task);

    /**
     * Runs a task on a worker thread, whose cancellation with interruption reaches only this task.
     *
     * @param task the task
     * @return the task's future
     * @throws RejectedExecutionException after {@link #shutdown()}
     */
    Future<?> submit(Runnable task);

    /**
     * Runs a task on a worker thread; after {@link #shutdown()}, on the calling thread.
     *
     * @param task the task
     */
    default void executeOrRun(Runnable task) {
        try {
            execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Stops every timer and lets the threads end; a running task is interrupted. */
    void shutdown();
}
