package io.github.connectionpool.testing;

import io.github.connectionpool.Ticker;
import io.github.connectionpool.internal.PoolExecutors;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.PriorityQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool's threads replaced by a test's hand: worker tasks wait in a queue until the test runs them, and timers fire
 * when the test moves this executor's clock. The same clock is the pool's real-time clock (creation times, stall
 * rules, back-off), so a test steps through a race in the order it chooses, without sleeping.
 *
 * <pre>{@code
 * SteppedExecutors steps = new SteppedExecutors();
 * ConnectionPool<...> pool = PoolTestHooks.stepped(ConnectionPool.builder(...), steps).build();
 * CompletableFuture<PooledConnection<...>> borrow = pool.getConnectionAsync();
 * steps.runWorkers();                        // the creation runs, and the hand-over completes the future
 * steps.advance(Duration.ofSeconds(10));     // timers due by then fire (and the worker tasks they start run)
 * }</pre>
 */
public final class SteppedExecutors implements PoolExecutors {

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<FutureTask<?>> workers = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private long sequence;
    private volatile boolean shutdown;

    /** The clock of this executor's timers, to use as the pool's real-time clock. */
    public Ticker clock() {
        return now::get;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // PoolExecutors

    @Override
    public java.util.concurrent.Future<?> schedule(Runnable task, long delayNanos) {
        return addTimer(task, delayNanos, 0);
    }

    @Override
    public java.util.concurrent.Future<?> scheduleRepeatedly(Runnable task, long periodNanos) {
        return addTimer(task, periodNanos, Math.max(1, periodNanos));
    }

    @Override
    public void execute(Runnable task) {
        submit(task);
    }

    @Override
    public java.util.concurrent.Future<?> submit(Runnable task) {
        FutureTask<?> future = new FutureTask<>(task, null);
        lock.lock();
        try {
            rejectIfShutdown();
            workers.addLast(future);
        } finally {
            lock.unlock();
        }
        return future;
    }

    /**
     * Cancels the timers and refuses new work. Worker tasks already queued stay, for the test to run: real workers would
     * have started them already.
     */
    @Override
    public void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            timers.forEach(timer -> timer.task.cancel(false));
            timers.clear();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stepping

    /** Runs the oldest waiting worker task on the calling thread; false when none waits. */
    public boolean runNextWorker() {
        return run(pollWorker(true));
    }

    /** Runs the newest waiting worker task on the calling thread, overtaking the others; false when none waits. */
    public boolean runNewestWorker() {
        return run(pollWorker(false));
    }

    /** Runs worker tasks, oldest first, until none waits (tasks may queue more); returns how many ran. */
    public int runWorkers() {
        int ran = 0;
        while (runNextWorker()) {
            ran++;
        }
        return ran;
    }

    /** How many worker tasks wait to be run. */
    public int waitingWorkers() {
        lock.lock();
        try {
            return workers.size();
        } finally {
            lock.unlock();
        }
    }

    /** How many timers wait to fire (a repeating one counts once), cancelled ones included until they come due. */
    public int waitingTimers() {
        lock.lock();
        try {
            return timers.size();
        } finally {
            lock.unlock();
        }
    }

    /** Moves the clock forward, firing the timers due by then in order, each followed by the worker tasks it queued. */
    public void advance(Duration duration) {
        moveClock(duration, true);
    }

    /**
     * Moves the clock forward, firing the timers due by then in order, but leaves the worker tasks they queue (and any
     * queued before) waiting: the test then chooses which runs first.
     */
    public void elapse(Duration duration) {
        moveClock(duration, false);
    }

    private void moveClock(Duration duration, boolean runWorkers) {
        long until = now.get() + duration.toNanos();
        for (; ; ) {
            Timer due = pollTimerDueBy(until);
            if (due == null) {
                break;
            }
            now.set(Math.max(now.get(), due.at));
            due.task.runAndReset();
            if (due.period > 0 && !due.task.isCancelled()) {
                lock.lock();
                try {
                    timers.add(new Timer(due.task, due.at + due.period, due.period, sequence++));
                } finally {
                    lock.unlock();
                }
            }
            if (runWorkers) {
                runWorkers();
            }
        }
        now.set(until);
    }

    /** The time on this executor's clock. */
    public long nanoTime() {
        return now.get();
    }

    private boolean run(FutureTask<?> task) {
        if (task == null) {
            return false;
        }
        task.run();
        return true;
    }

    private FutureTask<?> pollWorker(boolean oldest) {
        lock.lock();
        try {
            return oldest ? workers.pollFirst() : workers.pollLast();
        } finally {
            lock.unlock();
        }
    }

    private Timer pollTimerDueBy(long until) {
        lock.lock();
        try {
            while (!timers.isEmpty() && timers.peek().task.isCancelled()) {
                timers.poll();
            }
            Timer next = timers.peek();
            return next != null && next.at - until <= 0 ? timers.poll() : null;
        } finally {
            lock.unlock();
        }
    }

    private java.util.concurrent.Future<?> addTimer(Runnable task, long delayNanos, long period) {
        RepeatableTask timer = new RepeatableTask(task);
        lock.lock();
        try {
            rejectIfShutdown();
            long delay = Math.max(0, Math.min(delayNanos, TimeUnit.DAYS.toNanos(365L * 100)));
            timers.add(new Timer(timer, now.get() + delay, period, sequence++));
        } finally {
            lock.unlock();
        }
        return timer;
    }

    private void rejectIfShutdown() {
        if (shutdown) {
            throw new RejectedExecutionException("the pool's executors are shut down");
        }
    }

    /** A timer task that can run more than once (a repeating timer), cancelled like any future. */
    private static final class RepeatableTask extends FutureTask<Void> {
        RepeatableTask(Runnable task) {
            super(task, null);
        }

        @Override
        public boolean runAndReset() {
            return super.runAndReset();
        }
    }

    private record Timer(RepeatableTask task, long at, long period, long sequence) implements Comparable<Timer> {
        @Override
        public int compareTo(Timer other) {
            int byTime = Long.compare(at - other.at, 0);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
