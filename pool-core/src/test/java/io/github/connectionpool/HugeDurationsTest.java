package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.jdbc.JdbcConnectionPool;
import io.github.connectionpool.jdbc.JdbcConnector;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Durations too long for the pool's nanosecond arithmetic ({@code ChronoUnit.FOREVER}, 300 years) are taken as
 * {@link PoolConfig#MAX_DURATION}, about 292 years: a timeout, lifetime or interval that never comes. They never fail
 * with an {@link ArithmeticException}. (The TCP pool's own durations are in {@code TcpConnectionPoolTest}.)
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HugeDurationsTest {

    private final TestCreator creator = new TestCreator();
    private final ConnectionValidator<TestConnection> validator = c -> CompletableFuture.completedFuture(c.isHealthy());

    static Duration[] hugeDurations() {
        return new Duration[] {ChronoUnit.FOREVER.getDuration(), Duration.ofDays(365L * 300), PoolConfig.MAX_DURATION};
    }

    private ConnectionPool.Builder<TestConnection, String> everyDuration(Duration huge) {
        return ConnectionPool.builder("params", creator, validator)
                .name("huge-" + System.nanoTime())
                .maxIdleTime(huge)
                .maxLifetime(huge)
                .connectionTimeout(huge)
                .acquireTimeout(huge)
                .validationTimeout(huge)
                .validationBypassWindow(huge)
                .leakDetectionThreshold(huge)
                .cleanup(new CleanupConfig(huge, true));
    }

    @ParameterizedTest
    @MethodSource("hugeDurations")
    void everyDurationSettingTakesAHugeDurationAsTheLongestOne(Duration huge) {
        PoolConfig config = everyDuration(huge).toConfig();

        assertThat(config.maxIdleTime()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(config.maxLifetime()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(config.connectionTimeout()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(config.acquireTimeout()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(config.validationTimeout()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(config.validationBypassWindow()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(config.leakDetectionThreshold()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(config.cleanup().interval()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(PoolConfig.MAX_DURATION.toNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @MethodSource("hugeDurations")
    void aCleanupIntervalThatNeverComesIsTheLongestDuration(Duration huge) {
        assertThat(new CleanupConfig(huge, true).interval()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(CleanupConfig.disabled().withInterval(huge).interval()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(new CleanupConfig(huge, true)).isEqualTo(new CleanupConfig(PoolConfig.MAX_DURATION, true));
    }

    /** Also exercises the engine: it gets {@code MAX_DURATION} and must not overflow with it either. */
    @ParameterizedTest
    @MethodSource("hugeDurations")
    void aPoolWithEveryDurationHugeBuildsLendsAndRestartsItsCleanup(Duration huge) {
        try (ConnectionPool<TestConnection, String> pool = everyDuration(huge).build()) {
            try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                assertThat(lease.get().isHealthy()).isTrue();
            }
            try (PooledConnection<TestConnection> lease = pool.getConnection(huge)) {
                assertThat(lease.get()).isNotNull();
            }
            assertThat(pool.isCleanupRunning()).isTrue();
            pool.restartCleanupTask(new CleanupConfig(huge, true));
            assertThat(pool.isCleanupRunning()).isTrue();
            pool.runCleanup();
            assertThat(pool.stats().created()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("hugeDurations")
    void theSeedConstructorTakesHugeDurations(Duration huge) {
        try (ConnectionPool<TestConnection, String> pool =
                new ConnectionPool<>(1, huge, huge, new CleanupConfig(huge, true), "params", creator, validator)) {
            assertThat(pool.config().connectionTimeout()).isEqualTo(PoolConfig.MAX_DURATION);
            pool.getConnection().close();
        }
    }

    @ParameterizedTest
    @MethodSource("hugeDurations")
    void theJdbcPoolBuildsWithHugeTimeouts(Duration huge) {
        new JdbcConnector(huge, huge); // converts both for the driver
        try (JdbcConnectionPool pool = JdbcConnectionPool.builder("jdbc:x:y")
                .validationTimeout(huge)
                .connectionTimeout(huge)
                .cleanup(CleanupConfig.disabled().withInterval(huge))
                .build()) {
            assertThat(pool.config().validationTimeout()).isEqualTo(PoolConfig.MAX_DURATION);
        }
    }
}
