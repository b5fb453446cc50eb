package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What close() waits for: the connections the pool's own threads are working on, and no longer than it is told. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PoolWorkTest {

    private final PoolWork work = new PoolWork();

    @Test
    void withNoWorkInProgressThereIsNothingToWaitFor() {
        assertThat(work.awaitNone(System.nanoTime())).isTrue();
    }

    @Test
    void closeWaitsUntilTheLastWorkIsDone() throws Exception {
        work.started();
        work.started();
        CountDownLatch waiting = new CountDownLatch(1);
        Thread finisher = new Thread(() -> {
            try {
                waiting.await();
            } catch (InterruptedException e) {
                return;
            }
            work.done();
            work.done();
        });
        finisher.start();

        waiting.countDown();
        boolean none = work.awaitNone(System.nanoTime() + TimeUnit.SECONDS.toNanos(20));

        assertThat(none).isTrue();
        assertThat(work.inProgress()).isZero();
        finisher.join();
    }

    @Test
    void closeStopsWaitingAtItsDeadline() {
        work.started();

        long start = System.nanoTime();
        boolean none = work.awaitNone(start + TimeUnit.MILLISECONDS.toNanos(50));

        assertThat(none).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(work.inProgress()).isEqualTo(1);
    }
}
