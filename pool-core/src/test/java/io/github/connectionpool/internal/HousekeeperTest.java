package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.testing.SteppedExecutors;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The pool's periodic tasks: its own cleanup can be restarted, and reads as stopped once the pool shut down. */
class HousekeeperTest {

    private final SteppedExecutors steps = new SteppedExecutors();
    private final AtomicInteger runs = new AtomicInteger();

    @Test
    void theCleanupRunsEveryIntervalUntilStopped() {
        Housekeeper housekeeper = new Housekeeper("hk", steps);
        housekeeper.startCleanup(new CleanupConfig(Duration.ofSeconds(1), true), runs, AtomicInteger::incrementAndGet);

        steps.advance(Duration.ofMillis(3_500));
        assertThat(runs).hasValue(3);
        assertThat(housekeeper.cleanupRunning()).isTrue();

        housekeeper.stopCleanup();
        steps.advance(Duration.ofSeconds(10));
        assertThat(runs).hasValue(3);
        assertThat(housekeeper.cleanupRunning()).isFalse();
    }

    @Test
    void anIntervalOfForeverDoesNotOverflow() {
        Housekeeper housekeeper = new Housekeeper("hk", steps);

        housekeeper.startCleanup(new CleanupConfig(ChronoUnit.FOREVER.getDuration(), true), runs, r -> {});

        assertThat(housekeeper.cleanupRunning()).isTrue();
        steps.advance(Duration.ofDays(365));
        assertThat(runs).hasValue(0);
    }

    @Test
    void aCleanupStartedAfterTheShutdownDoesNotRun() {
        Housekeeper housekeeper = new Housekeeper("hk", steps);
        housekeeper.shutdown();

        housekeeper.startCleanup(new CleanupConfig(Duration.ofSeconds(1), true), runs, AtomicInteger::incrementAndGet);

        assertThat(housekeeper.cleanupRunning()).isFalse();
    }

    @Test
    void aShutdownWhileARestartIsBeingScheduledLeavesTheCleanupStopped() {
        AtomicReference<Housekeeper> housekeeper = new AtomicReference<>();
        // The restart schedules its task; before it records it, the pool closes (as another thread's close() would).
        PoolExecutors closingMeanwhile = new DelegatingExecutors(steps) {
            @Override
            public Future<?> scheduleRepeatedly(Runnable task, long periodNanos) {
                Future<?> scheduled = super.scheduleRepeatedly(task, periodNanos);
                housekeeper.get().shutdown();
                return scheduled;
            }
        };
        housekeeper.set(new Housekeeper("hk", closingMeanwhile));

        housekeeper.get().startCleanup(new CleanupConfig(Duration.ofSeconds(1), true), runs, r -> {});

        assertThat(housekeeper.get().cleanupRunning()).isFalse();
    }

    /** Executors that pass everything to others, for a test to change one step. */
    private static class DelegatingExecutors implements PoolExecutors {
        private final PoolExecutors delegate;

        DelegatingExecutors(PoolExecutors delegate) {
            this.delegate = delegate;
        }

        @Override
        public Future<?> schedule(Runnable task, long delayNanos) {
            return delegate.schedule(task, delayNanos);
        }

        @Override
        public Future<?> scheduleRepeatedly(Runnable task, long periodNanos) {
            return delegate.scheduleRepeatedly(task, periodNanos);
        }

        @Override
        public void execute(Runnable task) {
            delegate.execute(task);
        }

        @Override
        public Future<?> submit(Runnable task) {
            return delegate.submit(task);
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }
    }
}
