package io.github.connectionpool.spring;

import static io.github.connectionpool.spring.BooleanSwitchesTests.rootCause;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.InvalidSettingException;
import io.github.connectionpool.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every per-pool property with a value the core refuses fails start-up naming the property the value came from: the
 * core's {@link InvalidSettingException#setting()} mapped to {@code pool.*} or {@code pool.instances.<name>.*}.
 */
@Timeout(30)
class InvalidPropertiesTests {

    private TestServer server;
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() {
        server = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class))
                .withPropertyValues("pool.host=127.0.0.1", "pool.port=" + server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "host                     | ' '  | host must not be blank",
                "port                     | 0    | port must be between 1 and 65535",
                "max-size                 | 0    | maxSize must be between 1 and",
                "min-idle                 | 11   | minIdle must be between 0 and maxSize (10)",
                "max-idle-time            | -1s  | maxIdleTime must be zero or positive",
                "max-lifetime             | -1s  | maxLifetime must be zero or positive",
                "connection-timeout       | 0s   | connectionTimeout must be positive",
                "acquire-timeout          | -1s  | acquireTimeout must be zero or positive",
                "validation-timeout       | 0s   | validationTimeout must be positive",
                "validation-bypass-window | -1s  | validationBypassWindow must be zero or positive",
                "leak-detection-threshold | -1s  | leakDetectionThreshold must be zero or positive",
                "strict-fifo-up-to        | -1   | strictFifoUpTo must be zero or more",
                "read-timeout             | -1s  | readTimeout must be zero or positive",
                "cleanup.interval         | -1s  | cleanup.interval",
            })
    void aRefusedTopLevelValueNamesItsProperty(String key, String value, String rule) {
        assertRefused(runner.withPropertyValues("pool." + key + "=" + value), "pool." + key, rule);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "host                     | ' '  | host must not be blank",
                "port                     | 0    | port must be between 1 and 65535",
                "max-size                 | 0    | maxSize must be between 1 and",
                "min-idle                 | 11   | minIdle must be between 0 and maxSize (10)",
                "max-idle-time            | -1s  | maxIdleTime must be zero or positive",
                "max-lifetime             | -1s  | maxLifetime must be zero or positive",
                "connection-timeout       | 0s   | connectionTimeout must be positive",
                "acquire-timeout          | -1s  | acquireTimeout must be zero or positive",
                "validation-timeout       | 0s   | validationTimeout must be positive",
                "validation-bypass-window | -1s  | validationBypassWindow must be zero or positive",
                "leak-detection-threshold | -1s  | leakDetectionThreshold must be zero or positive",
                "strict-fifo-up-to        | -1   | strictFifoUpTo must be zero or more",
                "read-timeout             | -1s  | readTimeout must be zero or positive",
                "cleanup.interval         | -1s  | cleanup.interval",
            })
    void aRefusedInstanceValueNamesTheInstancesProperty(String key, String value, String rule) {
        assertRefused(
                runner.withPropertyValues("pool.instances.orders." + key + "=" + value),
                "pool.instances.orders." + key,
                rule);
    }

    @Test
    void aValueRefusedOnlyBesideAnInstancesOwnIsReportedWhereItCameFrom() {
        // pool.min-idle=4 suits the top-level pool (max 10) but not the instance's max-size of 3: the value refused is
        // the inherited one, so the property to fix is pool.min-idle, not one the instance never set.
        assertRefused(
                runner.withPropertyValues("pool.min-idle=4", "pool.instances.orders.max-size=3"),
                "pool.min-idle",
                "minIdle must be between 0 and maxSize (3)");
    }

    @Test
    void aBlankTopLevelNameNamesPoolName() {
        assertRefused(runner.withPropertyValues("pool.name= "), "pool.name", "name must not be blank");
    }

    @Test
    void aCustomizerThatLeavesAnInvalidSettingIsNamedWithTheSetting() {
        runner.withBean(TcpConnectionPoolBuilderCustomizer.class, () -> (name, builder) -> builder.maxSize(-1))
                .run(context -> assertThat(rootCause(context.getStartupFailure(), IllegalStateException.class))
                        .hasMessageContaining(
                                "TcpConnectionPoolBuilderCustomizer left an invalid maxSize on pool 'tcp'")
                        .hasCauseInstanceOf(InvalidSettingException.class));
    }

    @Test
    void builderSettingNamesMapToPropertyKeys() {
        assertThat(PoolPropertiesMapper.propertyKey("maxSize")).isEqualTo("max-size");
        assertThat(PoolPropertiesMapper.propertyKey("validationBypassWindow")).isEqualTo("validation-bypass-window");
        assertThat(PoolPropertiesMapper.propertyKey("cleanup.interval")).isEqualTo("cleanup.interval");
        assertThat(PoolPropertiesMapper.propertyKey("port")).isEqualTo("port");
    }

    private static void assertRefused(ApplicationContextRunner runner, String property, String rule) {
        runner.run(context -> {
            assertThat(context).hasFailed();
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo(property);
            assertThat(invalid.getReason()).contains(rule);
        });
    }
}
