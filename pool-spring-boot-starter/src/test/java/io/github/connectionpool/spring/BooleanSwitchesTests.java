package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.scheduling.config.ScheduledTaskHolder;

/** {@code pool.enabled} and {@code pool.cleanup.enabled} read the way Boot's binder reads a boolean, everywhere. */
@Timeout(30)
class BooleanSwitchesTests {

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

    @ParameterizedTest
    @ValueSource(strings = {"true", "on", "yes", "1", "TRUE", "On"})
    void whatTheBinderReadsAsTrueRunsTheCleanup(String value) {
        runner.withPropertyValues("pool.cleanup.enabled=" + value).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PoolCleanupScheduler.class).getScheduledTasks())
                    .as("the cleanup scheduled with pool.cleanup.enabled=%s", value)
                    .singleElement()
                    .hasToString(PoolCleanupTask.class.getName() + ".runCleanup(tcp)");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "off", "no", "0", "FALSE"})
    void whatTheBinderReadsAsFalseTurnsTheCleanupOff(String value) {
        runner.withPropertyValues("pool.cleanup.enabled=" + value).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TcpConnectionPool.class);
            assertThat(context.getBeansOfType(ScheduledTaskHolder.class).values().stream()
                            .flatMap(holder -> holder.getScheduledTasks().stream()))
                    .isEmpty();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "on", "yes", "1", "TRUE"})
    void whatTheBinderReadsAsTrueTurnsTheStarterOn(String value) {
        runner.withPropertyValues("pool.enabled=" + value)
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TcpConnectionPool.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "off", "no", "0", "FALSE"})
    void whatTheBinderReadsAsFalseTurnsTheStarterOff(String value) {
        runner.withPropertyValues("pool.enabled=" + value)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TcpConnectionPool.class));
    }

    @Test
    void aPoolEnabledThatIsNotABooleanFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("pool.enabled=maybe").run(context -> {
            assertThat(context).hasFailed();
            BindException bind = rootCause(context.getStartupFailure(), BindException.class);
            assertThat(bind.getName().toString()).isEqualTo("pool.enabled");
            assertThat(bind.getProperty().getValue()).isEqualTo("maybe");
        });
    }

    @Test
    void aCleanupEnabledThatIsNotABooleanFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("pool.cleanup.enabled=sometimes").run(context -> {
            assertThat(context).hasFailed();
            BindException bind = rootCause(context.getStartupFailure(), BindException.class);
            assertThat(bind.getProperty().getName().toString()).isEqualTo("pool.cleanup.enabled");
            assertThat(bind.getProperty().getValue()).isEqualTo("sometimes");
        });
    }

    static <T extends Throwable> T rootCause(Throwable failure, Class<T> type) {
        assertThat(failure).as("start-up failure").isNotNull();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in the cause chain of " + failure, failure);
    }
}
