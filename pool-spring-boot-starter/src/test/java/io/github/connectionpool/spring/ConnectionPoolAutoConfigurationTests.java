package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.jayway.jsonpath.JsonPath;
import io.github.connectionpool.PoolConfig;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.scheduling.annotation.ScheduledAnnotationBeanPostProcessor;
import org.springframework.scheduling.config.ScheduledTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;

@Timeout(30)
class ConnectionPoolAutoConfigurationTests {

    private TestServer server;
    private ApplicationContextRunner runner;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, TaskSchedulingAutoConfiguration.class))
                .withPropertyValues("pool.host=127.0.0.1", "pool.port=" + server.port());
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void poolPortAloneGivesAWorkingPoolWithTheDocumentedDefaults() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(TcpConnectionPool.class);
            assertThat(cleanupTasks(context)).singleElement().satisfies(this::isThePoolCleanup);
            TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
            PoolConfig config = pool.config();
            assertThat(config.name()).isEqualTo("tcp");
            assertThat(config.maxSize()).isEqualTo(10);
            assertThat(config.minIdle()).isZero();
            assertThat(config.maxIdleTime()).isEqualTo(Duration.ofMinutes(5));
            assertThat(config.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
            assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(config.validationTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(config.validationBypassWindow()).isZero();
            assertThat(config.leakDetectionThreshold()).isZero();
            assertThat(config.cleanup().interval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(pool.address().getPort()).isEqualTo(server.port());
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                assertThat(TestServer.roundTrip(lease.get(), "hello")).isEqualTo("hello");
            }
        });
    }

    @Test
    void theDefaultHostIsLocalhost() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ConnectionPoolAutoConfiguration.class))
                .withPropertyValues("pool.port=" + server.port())
                .run(context -> assertThat(context.getBean(TcpConnectionPool.class)
                                .address()
                                .getHostString())
                        .isEqualTo("localhost"));
    }

    @Test
    void relaxedNamesAndBootDurationsReachThePoolConfig() {
        runner.withPropertyValues(
                        "pool.name=orders",
                        "pool.maxSize=7",
                        "pool.min_idle=2",
                        "pool.max-idle-time=2m",
                        "pool.max-lifetime=1h",
                        "pool.connection-timeout=1500ms",
                        "pool.validation-timeout=PT2S",
                        "pool.validation-bypass-window=250",
                        "pool.leak-detection-threshold=10s",
                        "pool.cleanup.interval=45s")
                .withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of("POOL_ACQUIRETIMEOUT", "5s"))))
                .run(context -> {
                    PoolConfig config = context.getBean(TcpConnectionPool.class).config();
                    assertThat(config.name()).isEqualTo("orders");
                    assertThat(config.maxSize()).isEqualTo(7);
                    assertThat(config.minIdle()).isEqualTo(2);
                    assertThat(config.maxIdleTime()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(config.maxLifetime()).isEqualTo(Duration.ofHours(1));
                    assertThat(config.connectionTimeout()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
                    assertThat(config.validationTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.validationBypassWindow()).isEqualTo(Duration.ofMillis(250));
                    assertThat(config.leakDetectionThreshold()).isEqualTo(Duration.ofSeconds(10));
                    assertThat(config.cleanup().interval()).isEqualTo(Duration.ofSeconds(45));
                });
    }

    @Test
    void poolEnabledFalseConfiguresNothing() {
        runner.withPropertyValues("pool.enabled=false")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(TcpConnectionPool.class)
                        .doesNotHaveBean(PoolCleanupScheduler.class)
                        .doesNotHaveBean(PoolProperties.class));
    }

    @Test
    void poolEnabledFalseNeedsNoPort() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ConnectionPoolAutoConfiguration.class))
                .withPropertyValues("pool.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TcpConnectionPool.class));
    }

    @Test
    void anApplicationPoolMakesThePoolAndItsCleanupBackOff() {
        runner.withUserConfiguration(OwnPool.class).run(context -> {
            assertThat(context).hasSingleBean(TcpConnectionPool.class);
            assertThat(cleanupTasks(context)).isEmpty();
            assertThat(context.getBean(TcpConnectionPool.class).name()).isEqualTo("own");
        });
    }

    @Test
    void missingPortFailsStartUpNamingPoolPort() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ConnectionPoolAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                            .hasMessageContaining("pool.port");
                    InvalidConfigurationPropertyValueException invalid =
                            rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
                    assertThat(invalid.getName()).isEqualTo("pool.port");
                    assertThat(invalid.getReason()).contains("required");
                });
    }

    @Test
    void portOutOfRangeFailsStartUpNamingPoolPort() {
        runner.withPropertyValues("pool.port=70000").run(context -> {
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("pool.port");
            assertThat(invalid.getValue()).isEqualTo(70000);
            assertThat(invalid.getReason()).contains("between 1 and 65535");
        });
    }

    @Test
    void anInvalidSizeFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("pool.max-size=0").run(context -> {
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("pool.max-size");
            assertThat(invalid.getValue()).isEqualTo(0);
            assertThat(context.getStartupFailure())
                    .as("the failure ends in the exception that names the property, and nothing hides it")
                    .rootCause()
                    .isSameAs(invalid)
                    .hasMessageContaining("pool.max-size")
                    .hasMessageContaining("maxSize must be");
        });
    }

    @Test
    void aZeroCleanupIntervalFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("pool.cleanup.interval=0s").run(context -> {
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("pool.cleanup.interval");
        });
        runner.withPropertyValues("pool.cleanup.interval=0s", "pool.cleanup.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(cleanupTasks(context)).isEmpty();
                });
    }

    @Test
    void aNegativeStrictFifoUpToFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("pool.strict-fifo-up-to=-1").run(context -> {
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("pool.strict-fifo-up-to");
            assertThat(invalid.getValue()).isEqualTo(-1);
        });
    }

    @Test
    void aNegativeDurationFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("pool.cleanup.interval=-5s").run(context -> {
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("pool.cleanup.interval");
        });
    }

    @Test
    void aNonsenseValueFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("pool.max-idle-time=soon").run(context -> {
            BindException bind = rootCause(context.getStartupFailure(), BindException.class);
            assertThat(bind.getProperty().getName().toString()).isEqualTo("pool.max-idle-time");
            assertThat(bind.getMessage()).contains("pool.max-idle-time");
        });
    }

    @Test
    void theScheduledCleanupRunsOnSpringsSchedulerAndClosesIdleConnections() {
        Logger engineLog = (Logger) LoggerFactory.getLogger("io.github.connectionpool");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        engineLog.addAppender(appender);
        try {
            runner.withPropertyValues("pool.max-idle-time=100ms", "pool.cleanup.interval=50ms")
                    .run(context -> {
                        TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
                        assertThat(pool.isCleanupRunning())
                                .as("the pool's own cleanup thread")
                                .isFalse();
                        pool.getConnection().close();
                        assertThat(pool.stats().idle()).isEqualTo(1);

                        await().atMost(Duration.ofSeconds(10))
                                .untilAsserted(() ->
                                        assertThat(pool.stats().destroyed()).isEqualTo(1));
                        assertThat(pool.stats().idle()).isZero();
                        List<ILoggingEvent> closes = appender.list.stream()
                                .filter(e -> e.getFormattedMessage().contains("idle longer than maxIdleTime"))
                                .toList();
                        assertThat(closes)
                                .singleElement()
                                .satisfies(e -> assertThat(e.getThreadName()).startsWith("scheduling-"));
                    });
        } finally {
            engineLog.detachAppender(appender);
        }
    }

    @Test
    void cleanupEnabledFalseSchedulesNoCleanupAtAll() {
        runner.withPropertyValues("pool.cleanup.enabled=false").run(context -> {
            assertThat(context).hasSingleBean(TcpConnectionPool.class);
            assertThat(cleanupTasks(context)).isEmpty();
            assertThat(context.getBean(PoolCleanupScheduler.class).isRunning())
                    .as("no scheduler, no thread, for no task")
                    .isFalse();
            assertThat(context.getBean(TcpConnectionPool.class).isCleanupRunning())
                    .isFalse();
        });
    }

    @Test
    void closingTheContextClosesThePoolAndStopsTheCleanup() {
        runner.withPropertyValues("pool.cleanup.interval=20ms").run(context -> {
            TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
            PooledConnection<Socket> lease = pool.getConnection();
            Socket socket = lease.get();
            lease.close();
            PoolCleanupScheduler cleanup = context.getBean(PoolCleanupScheduler.class);
            assertThat(cleanup.isRunning()).isTrue();
            assertThat(cleanup.getScheduledTasks()).singleElement().satisfies(this::isThePoolCleanup);

            context.close();

            assertThat(pool.isClosed()).isTrue();
            assertThat(socket.isClosed()).as("idle socket closed with the pool").isTrue();
            assertThat(cleanup.isRunning())
                    .as("no cleanup can run after the context is closed")
                    .isFalse();
            assertThat(cleanup.getScheduledTasks()).isEmpty();
        });
    }

    @Test
    void theCleanupDoesNotRunTheApplicationsOwnScheduledMethods() {
        runner.withUserConfiguration(OwnScheduledMethod.class)
                .withPropertyValues("pool.max-idle-time=100ms", "pool.cleanup.interval=20ms")
                .run(context -> {
                    returnOneAndAwaitTheCleanupClosingIt(context.getBean(TcpConnectionPool.class));

                    assertThat(context.getBean(OwnScheduledMethod.class).runs)
                            .as("runs of a @Scheduled method of an application that did not enable scheduling, "
                                    + "while the cleanup ran every 20 ms")
                            .hasValue(0);
                    assertThat(context).doesNotHaveBean(ScheduledAnnotationBeanPostProcessor.class);
                    assertThat(context.getBeansOfType(ScheduledTaskHolder.class).values().stream()
                                    .flatMap(holder -> holder.getScheduledTasks().stream()))
                            .as("scheduled tasks, as Actuator's scheduledtasks endpoint lists them")
                            .singleElement()
                            .satisfies(this::isThePoolCleanup);
                });
    }

    @Test
    void anApplicationThatEnablesSchedulingRunsTheCleanupOnceOnItsOwnScheduler() {
        runner.withUserConfiguration(OwnScheduledMethod.class, EnablesScheduling.class)
                .withPropertyValues("pool.max-idle-time=100ms", "pool.cleanup.interval=20ms")
                .run(context -> {
                    returnOneAndAwaitTheCleanupClosingIt(context.getBean(TcpConnectionPool.class));

                    assertThat(context.getBean(PoolCleanupScheduler.class).isRunning())
                            .as("the starter's own cleanup scheduler")
                            .isFalse();
                    OwnScheduledMethod own = context.getBean(OwnScheduledMethod.class);
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(own.runs.get()).isPositive());
                    assertThat(context.getBeansOfType(ScheduledTaskHolder.class).values().stream()
                                    .flatMap(holder -> holder.getScheduledTasks().stream())
                                    .filter(this::runsThePoolCleanup))
                            .as("the cleanup, scheduled by the application's scheduling and by nothing else")
                            .hasSize(1);
                });
    }

    @Test
    void schedulingEnabledInAParentContextDoesNotRunTheChildsCleanupSoTheStarterDoes() {
        try (AnnotationConfigApplicationContext parent =
                new AnnotationConfigApplicationContext(EnablesScheduling.class)) {
            runner.withParent(parent)
                    .withPropertyValues("pool.max-idle-time=100ms", "pool.cleanup.interval=20ms")
                    .run(context -> {
                        assertThat(context.getBean(PoolCleanupScheduler.class).isRunning())
                                .as("the starter's own cleanup scheduler")
                                .isTrue();
                        returnOneAndAwaitTheCleanupClosingIt(context.getBean(TcpConnectionPool.class));
                    });
        }
    }

    /** Returns a connection and waits until the cleanup closed it, idle past max-idle-time: proof the cleanup runs. */
    private static void returnOneAndAwaitTheCleanupClosingIt(TcpConnectionPool pool) {
        pool.getConnection().close();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(pool.stats().destroyed()).isEqualTo(1));
    }

    /** The scheduled tasks of every holder in the context, as Actuator's scheduledtasks endpoint lists them. */
    private static List<ScheduledTask> cleanupTasks(ApplicationContext context) {
        return context.getBeansOfType(ScheduledTaskHolder.class).values().stream()
                .flatMap(holder -> holder.getScheduledTasks().stream())
                .toList();
    }

    private void isThePoolCleanup(ScheduledTask task) {
        assertThat(runsThePoolCleanup(task)).as(task.toString()).isTrue();
    }

    /** Whether the task runs the cleanup method, named as Actuator's scheduledtasks endpoint names a task's target. */
    private boolean runsThePoolCleanup(ScheduledTask task) {
        return task.toString().equals(PoolCleanupTask.class.getName() + ".runCleanup(tcp)");
    }

    @Test
    void generatedMetadataDescribesEveryContractProperty() throws IOException {
        String json;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("spring-configuration-metadata.json").isNotNull();
            json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> contract = List.of(
                "pool.enabled",
                "pool.name",
                "pool.host",
                "pool.port",
                "pool.max-size",
                "pool.min-idle",
                "pool.max-idle-time",
                "pool.max-lifetime",
                "pool.connection-timeout",
                "pool.acquire-timeout",
                "pool.validation-timeout",
                "pool.leak-detection-threshold",
                "pool.cleanup.enabled",
                "pool.cleanup.interval",
                "pool.read-timeout",
                "pool.tcp-no-delay",
                "pool.keep-alive",
                "pool.ssl.enabled",
                "pool.ssl.bundle",
                "pool.ssl.verify-hostname",
                "pool.instances",
                "pool.strict-fifo-up-to",
                "pool.validation-bypass-window",
                "management.health.pool.enabled");
        for (String property : contract) {
            List<String> descriptions =
                    JsonPath.read(json, "$.properties[?(@.name == '" + property + "')].description");
            assertThat(descriptions).as(property).singleElement().asString().isNotBlank();
        }
        List<Object> defaults = JsonPath.read(json, "$.properties[?(@.name == 'pool.max-idle-time')].defaultValue");
        assertThat(defaults).containsExactly("5m");
        assertThat(JsonPath.<List<Object>>read(
                        json, "$.properties[?(@.name == 'pool.strict-fifo-up-to')].defaultValue"))
                .containsExactly(2);
        assertThat(JsonPath.<List<Object>>read(json, "$.properties[?(@.name == 'pool.read-timeout')].defaultValue"))
                .containsExactly("30s");
        assertThat(JsonPath.<List<Object>>read(
                        json, "$.properties[?(@.name == 'pool.ssl.verify-hostname')].defaultValue"))
                .containsExactly(true);
        assertThat(JsonPath.<List<Object>>read(json, "$.properties[?(@.name == 'pool.instances')].type"))
                .singleElement()
                .asString()
                .contains(PoolInstanceProperties.class.getName());
    }

    @Test
    void conditionMetadataIsGeneratedForBootToReadBeforeLoadingClasses() throws IOException {
        Properties metadata = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-autoconfigure-metadata.properties")) {
            assertThat(in).as("spring-autoconfigure-metadata.properties").isNotNull();
            metadata.load(in);
        }
        assertThat(metadata.getProperty(PoolMetricsAutoConfiguration.class.getName() + ".ConditionalOnClass"))
                .isEqualTo("io.micrometer.core.instrument.binder.MeterBinder");
        assertThat(metadata.getProperty(PoolInstancesAutoConfiguration.class.getName() + ".AutoConfigureAfter"))
                .isEqualTo(ConnectionPoolAutoConfiguration.class.getName());
    }

    private static <T extends Throwable> T rootCause(Throwable failure, Class<T> type) {
        assertThat(failure).as("start-up failure").isNotNull();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the cause chain of " + failure, failure);
    }

    /** An application bean with a {@code @Scheduled} method, which runs only if the application enables scheduling. */
    static class OwnScheduledMethod {

        final AtomicInteger runs = new AtomicInteger();

        @Scheduled(fixedDelay = 5)
        void run() {
            runs.incrementAndGet();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class EnablesScheduling {}

    @Configuration(proxyBeanMethods = false)
    static class OwnPool {

        @Bean(destroyMethod = "close")
        TcpConnectionPool ownPool() {
            return TcpConnectionPool.builder("127.0.0.1", 1).name("own").build();
        }
    }
}
