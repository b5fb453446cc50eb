package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.connectionpool.jdbc.JdbcConnectionPool;
import io.github.connectionpool.jdbc.JdbcConnector;
import io.github.connectionpool.jdbc.JdbcParams;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every invalid setting of every builder, of {@link CleanupConfig} and of the seed-style constructors is refused with
 * an {@link InvalidSettingException} whose {@code setting()} is the builder's name for it, whose {@code value()} is the
 * value given, and whose message starts with the name and shows the value.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InvalidSettingExceptionTest {

    private static final Duration NEGATIVE = Duration.ofMillis(-1);
    private static final TestCreator CREATOR = new TestCreator();
    private static final ConnectionValidator<TestConnection> VALIDATOR = c -> CompletableFuture.completedFuture(true);

    /** A setting of {@link PoolBuilder}, applied to any builder. */
    private record Setting(String description, String setting, Object value, Consumer<PoolBuilder<?, ?, ?>> apply) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static List<Setting> sharedSettings() {
        List<Setting> settings = new ArrayList<>();
        settings.add(new Setting("maxSize 0", "maxSize", 0, b -> b.maxSize(0)));
        settings.add(new Setting("maxSize negative", "maxSize", -3, b -> b.maxSize(-3)));
        int tooMany = PoolConfig.MAX_SIZE_LIMIT + 1;
        settings.add(new Setting("maxSize above the limit", "maxSize", tooMany, b -> b.maxSize(tooMany)));
        settings.add(new Setting("minIdle negative", "minIdle", -1, b -> b.minIdle(-1)));
        settings.add(new Setting(
                "minIdle above maxSize", "minIdle", 4, b -> b.maxSize(3).minIdle(4)));
        settings.add(new Setting("strictFifoUpTo negative", "strictFifoUpTo", -1, b -> b.strictFifoUpTo(-1)));
        settings.add(new Setting("name blank", "name", "  ", b -> b.name("  ")));
        settings.add(new Setting("cleanup null", "cleanup", null, b -> b.cleanup(null)));
        durationSetting(settings, "maxIdleTime", PoolBuilder::maxIdleTime, false);
        durationSetting(settings, "maxLifetime", PoolBuilder::maxLifetime, false);
        durationSetting(settings, "connectionTimeout", PoolBuilder::connectionTimeout, true);
        durationSetting(settings, "acquireTimeout", PoolBuilder::acquireTimeout, false);
        durationSetting(settings, "validationTimeout", PoolBuilder::validationTimeout, true);
        durationSetting(settings, "validationBypassWindow", PoolBuilder::validationBypassWindow, false);
        durationSetting(settings, "leakDetectionThreshold", PoolBuilder::leakDetectionThreshold, false);
        return settings;
    }

    private interface DurationSetter {
        void set(PoolBuilder<?, ?, ?> builder, Duration value);
    }

    private static void durationSetting(List<Setting> settings, String name, DurationSetter setter, boolean positive) {
        settings.add(new Setting(name + " negative", name, NEGATIVE, b -> setter.set(b, NEGATIVE)));
        settings.add(new Setting(name + " null", name, null, b -> setter.set(b, null)));
        if (positive) {
            settings.add(new Setting(name + " zero", name, Duration.ZERO, b -> setter.set(b, Duration.ZERO)));
        }
    }

    /** Each shared setting through each builder: the generic one, the TCP pool's and the JDBC pool's. */
    static Stream<Arguments> everyBuilderAndSetting() {
        return sharedSettings().stream()
                .flatMap(setting -> Stream.of(
                        Arguments.of("ConnectionPool.builder", setting, (ThrowingCallable) () -> {
                            ConnectionPool.Builder<TestConnection, String> builder =
                                    ConnectionPool.builder("params", CREATOR, VALIDATOR);
                            setting.apply().accept(builder);
                            builder.build().close();
                        }),
                        Arguments.of("TcpConnectionPool.builder", setting, (ThrowingCallable) () -> {
                            TcpConnectionPool.Builder builder = TcpConnectionPool.builder("127.0.0.1:9");
                            setting.apply().accept(builder);
                            builder.build().close();
                        }),
                        Arguments.of("JdbcConnectionPool.builder", setting, (ThrowingCallable) () -> {
                            JdbcConnectionPool.Builder builder = JdbcConnectionPool.builder("jdbc:x:y");
                            setting.apply().accept(builder);
                            builder.build().close();
                        }),
                        Arguments.of("toConfig", setting, (ThrowingCallable) () -> {
                            ConnectionPool.Builder<TestConnection, String> builder =
                                    ConnectionPool.builder("params", CREATOR, VALIDATOR);
                            setting.apply().accept(builder);
                            builder.toConfig();
                        })));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyBuilderAndSetting")
    void everyBuilderRefusesEachInvalidSharedSettingNamingIt(String builder, Setting setting, ThrowingCallable build) {
        assertRefused(build, setting.setting(), setting.value());
        assertThat(CREATOR.attempts()).as("nothing was started").isZero();
    }

    static Stream<Arguments> otherSettings() {
        return Stream.of(
                // CleanupConfig: its interval, named as a path from the builder's cleanup(...)
                refused("cleanup interval null", "cleanup.interval", null, () -> new CleanupConfig(null, false)),
                refused(
                        "cleanup interval negative",
                        "cleanup.interval",
                        NEGATIVE,
                        () -> new CleanupConfig(NEGATIVE, true)),
                refused(
                        "cleanup interval zero while enabled",
                        "cleanup.interval",
                        Duration.ZERO,
                        () -> new CleanupConfig(Duration.ZERO, true)),
                refused(
                        "cleanup withInterval null",
                        "cleanup.interval",
                        null,
                        () -> CleanupConfig.defaults().withInterval(null)),
                refused(
                        "cleanup withInterval negative",
                        "cleanup.interval",
                        NEGATIVE,
                        () -> CleanupConfig.disabled().withInterval(NEGATIVE)),
                // The seed-style constructors
                refused(
                        "seed constructor maxSize",
                        "maxSize",
                        0,
                        () -> new ConnectionPool<>(0, null, null, null, "params", CREATOR, VALIDATOR)),
                refused(
                        "seed constructor maxSize above the limit",
                        "maxSize",
                        PoolConfig.MAX_SIZE_LIMIT + 1,
                        () -> new ConnectionPool<>(
                                PoolConfig.MAX_SIZE_LIMIT + 1, null, null, null, "params", CREATOR, VALIDATOR)),
                refused(
                        "seed constructor connectionTimeout negative",
                        "connectionTimeout",
                        NEGATIVE,
                        () -> new ConnectionPool<>(null, null, NEGATIVE, null, "params", CREATOR, VALIDATOR)),
                refused(
                        "seed constructor maxIdleTime",
                        "maxIdleTime",
                        NEGATIVE,
                        () -> new ConnectionPool<>(null, NEGATIVE, null, null, "params", CREATOR, VALIDATOR)),
                refused(
                        "seed constructor connectionTimeout",
                        "connectionTimeout",
                        Duration.ZERO,
                        () -> new ConnectionPool<>(null, null, Duration.ZERO, null, "params", CREATOR, VALIDATOR)),
                refused(
                        "newTcp maxSize",
                        "maxSize",
                        -1,
                        () -> TcpConnectionPool.newTcp(-1, null, null, CleanupConfig.disabled(), "127.0.0.1:9")),
                refused(
                        "newTcp maxIdleTime",
                        "maxIdleTime",
                        NEGATIVE,
                        () -> TcpConnectionPool.newTcp(null, NEGATIVE, null, CleanupConfig.disabled(), "127.0.0.1:9")),
                refused(
                        "newTcp connectionTimeout",
                        "connectionTimeout",
                        NEGATIVE,
                        () -> TcpConnectionPool.newTcp(null, null, NEGATIVE, CleanupConfig.disabled(), "127.0.0.1:9")),
                refused(
                        "newTcp address",
                        "address",
                        "localhost",
                        () -> TcpConnectionPool.newTcp(null, null, null, null, "localhost")),
                // The TCP pool's own settings
                refused(
                        "address without a port",
                        "address",
                        "localhost:",
                        () -> TcpConnectionPool.builder("localhost:")),
                refused("address null", "address", null, () -> TcpConnectionPool.builder(null)),
                refused("address with port 0", "address", "h:0", () -> TcpConnectionPool.builder("h:0")),
                refused("host blank", "host", " ", () -> TcpConnectionPool.builder(" ", 80)),
                refused("host null", "host", null, () -> TcpConnectionPool.builder(null, 80)),
                refused("port 0", "port", 0, () -> TcpConnectionPool.builder("h", 0)),
                refused("port above 65535", "port", 65536, () -> TcpConnectionPool.builder("h", 65536)),
                refused(
                        "readTimeout negative",
                        "readTimeout",
                        NEGATIVE,
                        () -> TcpConnectionPool.builder("h", 1).readTimeout(NEGATIVE)),
                refused(
                        "readTimeout null",
                        "readTimeout",
                        null,
                        () -> TcpConnectionPool.builder("h", 1).readTimeout(null)),
                refused(
                        "ssl null",
                        "ssl",
                        null,
                        () -> TcpConnectionPool.builder("h", 1).ssl(null)),
                // The JDBC pool's own settings
                refused(
                        "url not JDBC",
                        "url",
                        "postgres://h/db",
                        () -> JdbcConnectionPool.builder("postgres://h/db").build()),
                refused("url null", "url", null, () -> new JdbcParams(null, Map.of())),
                refused(
                        "property name blank",
                        "property",
                        "",
                        () -> JdbcConnectionPool.builder("jdbc:x:y").property("", "v")),
                refused(
                        "property value null",
                        "property",
                        null,
                        () -> JdbcConnectionPool.builder("jdbc:x:y").property("user", null)),
                refused(
                        "JdbcConnector validationTimeout",
                        "validationTimeout",
                        Duration.ZERO,
                        () -> new JdbcConnector(Duration.ZERO)),
                refused(
                        "JdbcConnector connectionTimeout",
                        "connectionTimeout",
                        NEGATIVE,
                        () -> new JdbcConnector(Duration.ofSeconds(1), NEGATIVE)));
    }

    private static Arguments refused(String description, String setting, Object value, ThrowingCallable action) {
        return Arguments.of(description, setting, value, action);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("otherSettings")
    void everyOtherInvalidSettingIsRefusedNamingIt(
            String description, String setting, Object value, ThrowingCallable action) {
        assertRefused(action, setting, value);
    }

    @Test
    void itIsAnIllegalArgumentExceptionSoCodeCatchingThatStillWorks() {
        Throwable thrown = catchThrowable(() -> new CleanupConfig(NEGATIVE, true));

        assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
        assertThat(new InvalidSettingException("maxSize", 0, "maxSize must be positive", new RuntimeException("why")))
                .hasMessage("maxSize must be positive")
                .hasCauseInstanceOf(RuntimeException.class)
                .satisfies(e -> {
                    assertThat(e.setting()).isEqualTo("maxSize");
                    assertThat(e.value()).isEqualTo(0);
                });
    }

    private static void assertRefused(ThrowingCallable action, String setting, Object value) {
        Throwable thrown = catchThrowable(action);

        assertThat(thrown).isExactlyInstanceOf(InvalidSettingException.class);
        InvalidSettingException invalid = (InvalidSettingException) thrown;
        assertThat(invalid.setting()).isEqualTo(setting);
        assertThat(invalid.value()).isEqualTo(value);
        assertThat(invalid.getMessage()).startsWith(setting + " ").contains(String.valueOf(value));
    }
}
