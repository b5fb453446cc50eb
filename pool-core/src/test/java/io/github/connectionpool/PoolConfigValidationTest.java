package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.connectionpool.testing.PoolThreads;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The defaults, the seed-style constructor's nulls, and the argument checks outside the settings. Every invalid setting
 * of every builder is refused by {@link InvalidSettingExceptionTest}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PoolConfigValidationTest {

    private static final Duration NEGATIVE = Duration.ofMillis(-1);

    private final TestCreator creator = new TestCreator();
    private final ConnectionValidator<TestConnection> validator = c -> CompletableFuture.completedFuture(c.isHealthy());

    private ConnectionPool.Builder<TestConnection, String> builder() {
        return ConnectionPool.builder("params", creator, validator)
                .cleanup(CleanupConfig.disabled())
                .name("validation-test");
    }

    @Test
    void defaultsAreValidAndZeroSwitchesOffTheOptionalDurations() {
        try (ConnectionPool<TestConnection, String> pool = builder()
                .maxIdleTime(Duration.ZERO)
                .maxLifetime(Duration.ZERO)
                .leakDetectionThreshold(Duration.ZERO)
                .validationBypassWindow(Duration.ZERO)
                .acquireTimeout(Duration.ZERO)
                .maxSize(PoolConfig.MAX_SIZE_LIMIT)
                .minIdle(0)
                .build()) {
            assertThat(pool.config().maxIdleTime()).isZero();
            assertThat(pool.config().maxSize()).isEqualTo(PoolConfig.MAX_SIZE_LIMIT);
        }
    }

    @Test
    void seedConstructorRejectsANullCreatorNamingIt() {
        assertThatNullPointerException()
                .isThrownBy(() ->
                        new ConnectionPool<TestConnection, String>(null, null, null, null, "params", null, validator))
                .withMessageContaining("creator");
    }

    @Test
    void seedConstructorRejectsANullValidatorNamingIt() {
        assertThatNullPointerException()
                .isThrownBy(() -> new ConnectionPool<>(null, null, null, null, "params", creator, null))
                .withMessageContaining("validator");
    }

    @Test
    void builderRejectsANullCreatorNamingIt() {
        assertThatNullPointerException()
                .isThrownBy(() -> ConnectionPool.<TestConnection, String>builder("params", null, validator))
                .withMessageContaining("creator");
    }

    @Test
    void builderRejectsANullValidatorNamingIt() {
        assertThatNullPointerException()
                .isThrownBy(() -> ConnectionPool.builder("params", creator, null))
                .withMessageContaining("validator");
    }

    @Test
    void aDisabledCleanupConfigMayHaveAZeroIntervalWhichTheSeedStyleConstructorAccepts() {
        CleanupConfig off = new CleanupConfig(Duration.ZERO, false);
        try (ConnectionPool<TestConnection, String> pool =
                new ConnectionPool<>(1, null, null, off, "params", creator, validator)) {
            assertThat(pool.isCleanupRunning()).isFalse();
            pool.runCleanup(); // still runs on demand
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> pool.restartCleanupTask(new CleanupConfig(Duration.ZERO, true)))
                    .withMessageStartingWith("cleanup.interval must be positive");
        }
    }

    @Test
    void getConnectionRejectsANegativeTimeoutNamingIt() {
        try (ConnectionPool<TestConnection, String> pool = builder().build()) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> pool.getConnection(Duration.ofMillis(-1)))
                    .withMessageStartingWith("timeout must be");
            assertThat(pool.stats().total()).isZero();
            assertThat(pool.stats().pending()).isZero();
        }
    }

    @Test
    void getConnectionAsyncRejectsANegativeTimeoutNamingIt() {
        try (ConnectionPool<TestConnection, String> pool = builder().build()) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> pool.getConnectionAsync(Duration.ofMillis(-1)))
                    .withMessageStartingWith("timeout must be");
            assertThat(pool.stats().pending()).isZero();
        }
    }

    @Test
    void seedConstructorWithAllNullsTakesTheDocumentedDefaults() {
        try (ConnectionPool<TestConnection, String> pool =
                new ConnectionPool<>(null, null, null, null, "params", creator, validator)) {
            PoolConfig config = pool.config();
            assertThat(config.maxSize()).isEqualTo(10);
            assertThat(pool.maxSize()).isEqualTo(10);
            assertThat(config.minIdle()).isZero();
            assertThat(config.maxIdleTime()).isEqualTo(Duration.ofMinutes(5));
            assertThat(config.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
            assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(config.validationTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(config.validationBypassWindow()).isEqualTo(Duration.ofMillis(500));
            assertThat(config.leakDetectionThreshold()).isZero();
            assertThat(config.cleanup()).isEqualTo(new CleanupConfig(Duration.ofSeconds(30), true));
            assertThat(pool.name()).isNotBlank().isEqualTo(config.name());
            assertThat(pool.isCleanupRunning()).isTrue();
            assertThat(pool.stats().maxSize()).isEqualTo(10);
        }
    }

    @Test
    void seedConstructorKeepsTheValuesItIsGiven() {
        CleanupConfig everyMinute = new CleanupConfig(Duration.ofMinutes(1), false);
        try (ConnectionPool<TestConnection, String> pool = new ConnectionPool<>(
                3, Duration.ofSeconds(7), Duration.ofSeconds(2), everyMinute, "params", creator, validator)) {
            assertThat(pool.config().maxSize()).isEqualTo(3);
            assertThat(pool.config().maxIdleTime()).isEqualTo(Duration.ofSeconds(7));
            assertThat(pool.config().connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(pool.config().cleanup()).isEqualTo(everyMinute);
            assertThat(pool.isCleanupRunning()).isFalse();
        }
    }

    @Test
    void cleanupConfigDefaultsRunEveryThirtySecondsEnabled() {
        CleanupConfig defaults = CleanupConfig.defaults();

        assertThat(defaults.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.enabled()).isTrue();
    }

    @Test
    void aRejectedConfigStartsNoThread() {
        String name = "rejected-" + System.nanoTime();

        assertThatThrownBy(() -> ConnectionPool.builder("params", creator, validator)
                        .name(name)
                        .cleanup(CleanupConfig.defaults())
                        .maxSize(5)
                        .minIdle(6)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("minIdle must be");

        assertThat(PoolThreads.alive(name + "-")).isEmpty();
        assertThat(creator.attempts()).isZero();
    }

    @Test
    void anAcceptedConfigStartsItsHousekeeperThread() { // shows that the check above can see a pool's thread
        String name = "accepted-" + System.nanoTime();
        try (ConnectionPool<TestConnection, String> pool = ConnectionPool.builder("params", creator, validator)
                .name(name)
                .cleanup(CleanupConfig.defaults())
                .build()) {
            assertThat(pool.name()).isEqualTo(name);
            assertThat(PoolThreads.alive(name + "-housekeeper")).isNotEmpty();
        }
    }
}
