package io.github.connectionpool.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.ConnectionPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * The threads a test starts as callers of a pool: started by name, what they throw kept, awaited at the end.
 *
 * <pre>{@code
 * Thread waiter = callers.start("w0", () -> pool.getConnection().close());
 * Callers.awaitQueued(pool, waiter, 1);
 * held.close();
 * callers.awaitAll(); // every caller ended, none threw
 * }</pre>
 */
public final class Callers {

    private final List<Thread> threads = new ArrayList<>();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

    /** Starts a platform thread named {@code name} that runs {@code body}; what it throws is kept for awaitAll. */
    public Thread start(String name, Runnable body) {
        Thread thread = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                },
                name);
        threads.add(thread);
        thread.start();
        return thread;
    }

    /** The threads started so far, in start order. */
    public List<Thread> threads() {
        return threads;
    }

    /** Waits (at most 20 s each) for every caller to end, and asserts that all did and none threw. */
    public void awaitAll() throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(thread.isAlive())
                    .as("%s did not finish; threads:%n%s", thread.getName(), threadDump())
                    .isFalse();
        }
        assertThat(failures).isEmpty();
    }

    /** Ends the test's callers: interrupts those still running and waits for them a little. */
    public void stop() throws InterruptedException {
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /** Waits until {@code thread} waits in the pool's queue, as the {@code queued}-th caller. */
    public static void awaitQueued(ConnectionPool<?, ?> pool, Thread thread, int queued) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pool.stats().pending() == queued
                        && (thread.getState() == Thread.State.WAITING
                                || thread.getState() == Thread.State.TIMED_WAITING));
    }

    /** Every live thread's stack, for a message when a thread does not end. */
    public static String threadDump() {
        StringBuilder dump = new StringBuilder();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
            dump.append(info);
        }
        return dump.toString();
    }
}
