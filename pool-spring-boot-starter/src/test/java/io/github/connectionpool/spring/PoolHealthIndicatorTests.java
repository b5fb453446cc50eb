package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@Timeout(30)
class PoolHealthIndicatorTests {

    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolHealthContributorAutoConfiguration.class))
                .withPropertyValues("pool.host=127.0.0.1", "pool.port=" + server.port());
    }

    @Test
    void actuatorOnTheClasspathGivesAHealthIndicatorNamedPool() {
        runner().run(context -> {
            assertThat(context).hasSingleBean(PoolHealthIndicator.class);
            assertThat(context).getBean("poolHealthContributor").isInstanceOf(HealthIndicator.class);
            assertThat(context.getBean(PoolHealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
        });
    }

    @Test
    void managementHealthPoolEnabledFalseRemovesTheIndicator() {
        runner().withPropertyValues("management.health.pool.enabled=false")
                .run(context -> assertThat(context)
                        .hasSingleBean(TcpConnectionPool.class)
                        .doesNotHaveBean(PoolHealthIndicator.class));
    }

    @Test
    void managementHealthDefaultsEnabledFalseRemovesTheIndicator() {
        runner().withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(PoolHealthIndicator.class));
    }

    @Test
    void withoutActuatorThereIsNoIndicatorButStillAPool() {
        runner().withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context)
                        .hasSingleBean(TcpConnectionPool.class)
                        .doesNotHaveBean(PoolHealthIndicator.class));
        // Without Boot's whole health module, its annotations included.
        runner().withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(TcpConnectionPool.class)
                        .doesNotHaveBean(PoolHealthIndicator.class));
    }

    @Test
    void upWithDetailsAgainstALiveServer() {
        try (TcpConnectionPool pool = pool(server.port(), 3)) {
            Health health = new PoolHealthIndicator(pool, Duration.ofSeconds(2)).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("pool", "health")
                    .containsEntry("active", 0)
                    .containsEntry("idle", 1)
                    .containsEntry("pending", 0)
                    .containsEntry("max", 3);
            assertThat(pool.stats().active()).as("the probe was given back").isZero();
        }
    }

    @Test
    void downWithTheErrorAgainstADeadServer() {
        try (TestServer refusing = TestServer.start(TestServer.Mode.REFUSE);
                TcpConnectionPool pool = pool(refusing.port(), 3)) {
            Health health = new PoolHealthIndicator(pool, Duration.ofSeconds(2)).health();

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("active", 0).containsEntry("max", 3);
            assertThat((String) health.getDetails().get("error"))
                    .startsWith(ConnectException.class.getName())
                    .contains("refused");
        }
    }

    @Test
    void upWhenEveryConnectionIsLentOutAndAnswersAtOnce() {
        try (TcpConnectionPool pool = pool(server.port(), 1);
                PooledConnection<Socket> busy = pool.getConnection()) {
            long start = System.nanoTime();
            Health health = new PoolHealthIndicator(pool, Duration.ofSeconds(10)).health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("active", 1).containsEntry("idle", 0);
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(busy.get().isClosed()).isFalse();
        }
    }

    @Test
    void upWhenTheLentConnectionsStayLentAndNoOtherComesWithinTheValidationTimeout() {
        try (TcpConnectionPool pool = stallable(2);
                PooledConnection<Socket> lent = pool.getConnection()) {
            server.mode(TestServer.Mode.STALL); // a slot is free, but a new connection cannot be had
            long start = System.nanoTime();
            Health health = new PoolHealthIndicator(pool, Duration.ofMillis(300)).health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(health.getStatus()).as("busy, not down").isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("active", 1);
            assertThat(took)
                    .as("the check waits at most the validation timeout")
                    .isLessThan(Duration.ofSeconds(2));
            assertThat(lent.get().isClosed()).isFalse();
            assertThat(pool.stats().timeouts()).isZero();
        }
    }

    @Test
    void downWithinTheValidationTimeoutWhenConnectingTakesLongerAndNothingIsLent() {
        server.mode(TestServer.Mode.STALL);
        try (TcpConnectionPool pool = stallable(2)) {
            long start = System.nanoTime();
            Health health = new PoolHealthIndicator(pool, Duration.ofMillis(300)).health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) health.getDetails().get("error")).contains("no connection within 300 ms");
            assertThat(took)
                    .as("the check waits at most the validation timeout")
                    .isLessThan(Duration.ofSeconds(2));
            assertThat(pool.stats().timeouts()).isZero();
        }
    }

    @Test
    void downWithTheCreationErrorOnceTheConnectTimesOut() {
        server.mode(TestServer.Mode.STALL);
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("health")
                .connectionTimeout(Duration.ofMillis(200))
                .build()) {
            Health health = new PoolHealthIndicator(pool, Duration.ofSeconds(5)).health();

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsKey("error");
            assertThat(pool.stats().timeouts()).isZero();
        }
    }

    @Test
    void anInterruptedCheckIsDownAndKeepsTheInterrupt() {
        try (TcpConnectionPool pool = pool(server.port(), 1)) {
            Thread.currentThread().interrupt();
            Health health = new PoolHealthIndicator(pool, Duration.ofSeconds(1)).health();

            assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        }
    }

    @Test
    void downWhenThePoolIsClosed() {
        TcpConnectionPool pool = pool(server.port(), 1);
        pool.close();

        Health health = new PoolHealthIndicator(pool, Duration.ofSeconds(1)).health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails()).containsEntry("error", "pool closed");
    }

    @Test
    void theChecksOwnWaitDoesNotCountAsATimeout() {
        CompletableFuture<Object> never = new CompletableFuture<>();
        try (ConnectionPool<Object, String> hanging = ConnectionPool.<Object, String>builder(
                        "params", params -> never, connection -> CompletableFuture.completedFuture(true))
                .name("hanging")
                .maxSize(1)
                .build()) {
            Health health = new PoolHealthIndicator(hanging, Duration.ofMillis(200)).health();

            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(hanging.stats().timeouts())
                    .as("timeouts counted for the health check's own wait")
                    .isZero();
        }
    }

    @Test
    void theChecksOwnBorrowsAreNeitherTimedNorCountedAsTimeouts() {
        PoolTimers timers = new PoolTimers();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("timed")
                .maxSize(2)
                .connectionTimeout(Duration.ofSeconds(2))
                .listener(timers)
                .build()) {
            new PoolMetrics(pool, timers).bindTo(registry);
            PoolHealthIndicator indicator = new PoolHealthIndicator(pool, Duration.ofMillis(300));
            assertThat(indicator.health().getStatus()).as("opens a connection").isEqualTo(Status.UP);
            assertThat(indicator.health().getStatus()).as("checks the idle one").isEqualTo(Status.UP);
            try (PooledConnection<Socket> lent = pool.getConnection()) {
                server.mode(TestServer.Mode.STALL);
                assertThat(indicator.health().getStatus()).as("busy").isEqualTo(Status.UP);
                assertThat(lent.get().isClosed()).isFalse();
            }

            assertThat(registry.get("pool.connections.acquire").timer().count())
                    .as("acquisitions timed: the one real borrow, not the checks'")
                    .isEqualTo(1);
            assertThat(registry.get("pool.connections.usage").timer().count()).isEqualTo(1);
            assertThat(registry.get("pool.connections.timeout")
                            .functionCounter()
                            .count())
                    .as("timeouts counted")
                    .isZero();
        }
    }

    @Test
    void anAutoConfiguredPoolsHealthChecksDoNotShowInItsMeters() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        ConnectionPoolAutoConfiguration.class,
                        PoolMetricsAutoConfiguration.class,
                        PoolHealthContributorAutoConfiguration.class))
                .withPropertyValues(
                        "pool.host=127.0.0.1",
                        "pool.port=" + server.port(),
                        "pool.max-size=1",
                        "pool.validation-timeout=300ms")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    PoolHealthIndicator indicator = context.getBean(PoolHealthIndicator.class);
                    for (int i = 0; i < 3; i++) {
                        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
                    }
                    try (PooledConnection<Socket> lent =
                            context.getBean(TcpConnectionPool.class).getConnection()) {
                        assertThat(indicator.health().getStatus()).as("busy").isEqualTo(Status.UP);
                        assertThat(lent.get().isClosed()).isFalse();
                    }

                    assertThat(registry.get("pool.connections.acquire").timer().count())
                            .isEqualTo(1);
                    assertThat(registry.get("pool.connections.timeout")
                                    .functionCounter()
                                    .count())
                            .isZero();
                });
    }

    /** A pool whose connects to a stalled server give up soon, so that closing it does not wait long. */
    private TcpConnectionPool stallable(int maxSize) {
        return TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("health")
                .maxSize(maxSize)
                .connectionTimeout(Duration.ofSeconds(2))
                .build();
    }

    private static TcpConnectionPool pool(int port, int maxSize) {
        return TcpConnectionPool.builder("127.0.0.1", port)
                .name("health")
                .maxSize(maxSize)
                .build();
    }
}
