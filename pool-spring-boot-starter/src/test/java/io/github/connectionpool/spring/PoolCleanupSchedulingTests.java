package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.config.FixedDelayTask;

/** Which scheduler runs the cleanup, on which threads, and what it says about it. */
@Timeout(30)
class PoolCleanupSchedulingTests {

    private TestServer server;
    private ApplicationContextRunner runner;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger starterLog = (Logger) LoggerFactory.getLogger("io.github.connectionpool.spring");

    @BeforeEach
    void start() {
        server = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, TaskSchedulingAutoConfiguration.class))
                .withPropertyValues("pool.host=127.0.0.1", "pool.port=" + server.port());
        log.start();
        starterLog.addAppender(log);
    }

    @AfterEach
    void stop() {
        starterLog.detachAppender(log);
        server.close();
    }

    @Test
    void noThreadTheStarterStartsKeepsTheJvmAlive() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        runner.withPropertyValues("pool.min-idle=1", "pool.cleanup.interval=20ms")
                .run(context -> {
                    TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
                    pool.getConnection().close();
                    // The cleanup scheduler's thread exists once the task is scheduled.
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> newThreads(before).stream()
                                    .anyMatch(t -> t.getName().startsWith("scheduling-")));
                    assertThat(newThreads(before))
                            .as("threads started with the context that would keep the JVM alive")
                            .filteredOn(t -> !t.isDaemon())
                            .isEmpty();
                });
    }

    @Test
    void aHugeIntervalIsCutToWhatASchedulerCanCount() {
        runner.withPropertyValues("pool.cleanup.interval=9999999d").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(PoolCleanupScheduler.class).getScheduledTasks())
                    .singleElement()
                    .satisfies(task -> assertThat(((FixedDelayTask) task.getTask()).getIntervalDuration())
                            .isEqualTo(Duration.ofNanos(Long.MAX_VALUE)));
        });
    }

    @Test
    void theStartUpLogSaysWhichSchedulerRunsTheCleanup() {
        runner.withPropertyValues("pool.name=orders", "pool.cleanup.interval=45s")
                .run(context -> assertThat(infoLines())
                        .contains("orders: Spring's task scheduler runs the cleanup every PT45S "
                                + "(the starter's own scheduler, daemon threads scheduling-*)"));
        log.list.clear();
        runner.withUserConfiguration(EnablesScheduling.class)
                .withPropertyValues("pool.name=orders")
                .run(context -> assertThat(infoLines())
                        .contains("orders: Spring's task scheduler runs the cleanup every PT30S "
                                + "(the application's scheduler)"));
    }

    @Test
    void theStartUpLogSaysWhenTheCleanupIsOff() {
        runner.withPropertyValues("pool.name=orders", "pool.cleanup.enabled=false")
                .run(context ->
                        assertThat(infoLines()).contains("orders: no cleanup runs (pool.cleanup.enabled=false)"));
    }

    @Test
    void aPoolBuiltAfterTheStartGetsItsCleanupScheduledAtOnce() {
        PoolCleanupScheduler scheduler = new PoolCleanupScheduler(
                new DefaultListableBeanFactory(), new ThreadPoolTaskSchedulerBuilder().threadNamePrefix("late-"));
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("late")
                .build()) {
            scheduler.start();
            assertThat(scheduler.isRunning()).as("no task, no scheduler").isFalse();

            scheduler.add(new PoolCleanupTask(pool, Duration.ofSeconds(30)));

            assertThat(scheduler.isRunning()).isTrue();
            assertThat(scheduler.getScheduledTasks())
                    .singleElement()
                    .hasToString(PoolCleanupTask.class.getName() + ".runCleanup(late)");
        } finally {
            scheduler.stop();
        }
        assertThat(scheduler.getScheduledTasks()).isEmpty();
    }

    private List<String> infoLines() {
        return log.list.stream()
                .filter(e -> e.getLevel() == Level.INFO)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private static List<Thread> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive())
                .toList();
    }

    @Configuration(proxyBeanMethods = false)
    @EnableScheduling
    static class EnablesScheduling {}
}
