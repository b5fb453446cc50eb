package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The coarse clock (see {@link CoarseClock}): a volatile read instead of a system-clock call on the borrow and return
 * paths, moved every eighth of the validation bypass window, between 10 ms and 1 s.
 */
class CoarseClockTest {

    @Test
    void itMovesOnlyWhenTicked() {
        CoarseClock clock = new CoarseClock(Duration.ofMillis(500).toNanos());
        long before = clock.now();
        long later = System.nanoTime();
        while (System.nanoTime() == later) {
            Thread.onSpinWait(); // the system clock moves on
        }

        assertThat(clock.now()).isEqualTo(before);
        clock.tick();
        assertThat(clock.now()).isGreaterThan(before);
    }

    @Test
    void itTicksEveryEighthOfTheBypassWindowBetween10MsAnd1s() {
        assertThat(new CoarseClock(Duration.ofMillis(800).toNanos()).period())
                .isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(new CoarseClock(Duration.ofMillis(8).toNanos()).period())
                .isEqualTo(Duration.ofMillis(10).toNanos());
        assertThat(new CoarseClock(Duration.ofMinutes(1).toNanos()).period())
                .isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(new CoarseClock(0).period())
                .as("no bypass window")
                .isEqualTo(Duration.ofSeconds(1).toNanos());
    }
}
