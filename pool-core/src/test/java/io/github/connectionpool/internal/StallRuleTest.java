package io.github.connectionpool.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The numbers of the stall rule (see {@link StallRule}); {@code CreationStallTest} runs it inside a pool. */
class StallRuleTest {

    private static final long MS = Duration.ofMillis(1).toNanos();

    private final StallRule rule = new StallRule(Duration.ofSeconds(10).toNanos());

    @Test
    void beforeAnySuccessNothingIsPresumedStalled() {
        assertThat(rule.stallAfterNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(rule.presumedStalled(0, false, Duration.ofDays(1).toNanos())).isFalse();
    }

    @Test
    void aCreationIsPresumedStalledAtFourTimesTheUsualTime() {
        rule.succeeded(0, 50 * MS);

        assertThat(rule.stallAfterNanos()).isEqualTo(200 * MS);
        assertThat(rule.presumedStalled(1_000 * MS, false, 1_199 * MS)).isFalse();
        assertThat(rule.presumedStalled(1_000 * MS, false, 1_200 * MS)).isTrue();
    }

    @Test
    void neverBefore100MsHoweverFastCreationsAre() {
        rule.succeeded(0, MS / 20);

        assertThat(rule.stallAfterNanos()).isEqualTo(StallRule.AT_LEAST_NANOS).isEqualTo(100 * MS);
        assertThat(rule.overtakenAfterNanos(MS)).isEqualTo(100 * MS);
    }

    @Test
    void neverLaterThanHalfTheConnectionTimeout() {
        rule.succeeded(0, Duration.ofSeconds(4).toNanos());

        assertThat(rule.stallAfterNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void theUsualTimeIsAMovingAverage() {
        rule.succeeded(0, 100 * MS);
        rule.succeeded(1, 200 * MS);

        assertThat(rule.stallAfterNanos()).isEqualTo(4 * 125 * MS);
    }

    @Test
    void aCreationOvertakenByALaterOneIsPresumedStalledAtTwiceTheLaterOnesTime() {
        long olderStart = 0;
        rule.succeeded(10 * MS, 150 * MS); // started after the older one, succeeded after 150 ms

        assertThat(rule.presumedStalled(olderStart, false, 299 * MS)).isFalse();
        assertThat(rule.presumedStalled(olderStart, false, 300 * MS)).isTrue();
        assertThat(rule.presumedStalled(20 * MS, false, 320 * MS))
                .as("started after the success: not overtaken")
                .isFalse();
    }

    @Test
    void aReplacementIsNeverPresumedStalled() {
        rule.succeeded(0, MS);

        assertThat(rule.presumedStalled(0, true, Duration.ofDays(1).toNanos())).isFalse();
    }

    @Test
    void hugeCreationTimesDoNotOverflow() {
        StallRule forever = new StallRule(Long.MAX_VALUE);
        forever.succeeded(0, Long.MAX_VALUE / 2);

        assertThat(forever.stallAfterNanos()).isEqualTo(Long.MAX_VALUE / 2);
        assertThat(forever.overtakenAfterNanos(Long.MAX_VALUE / 2)).isPositive();
    }
}
