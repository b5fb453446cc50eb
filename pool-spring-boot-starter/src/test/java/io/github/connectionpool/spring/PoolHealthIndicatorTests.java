package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
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
    void upWhenBusyWithWaitersAfterWaitingAtMostTheValidationTimeout() {
        try (TcpConnectionPool pool = pool(server.port(), 2);
                PooledConnection<Socket> first = pool.getConnection()) {
            // One connection lent, one slot free but the check must not wait past its timeout either way.
            long start = System.nanoTime();
            Health health = new PoolHealthIndicator(pool, Duration.ofMillis(300)).health();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(took).isLessThan(Duration.ofSeconds(5));
            assertThat(first.get().isClosed()).isFalse();
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
    void theChecksOwnBorrowIsNotTimed() {
        PoolTimers timers = new PoolTimers();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("timed")
                .listener(timers)
                .build()) {
            new PoolMetrics(pool, timers).bindTo(registry);
            pool.getConnection().close(); // one real borrow, so that an idle connection is there
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(registry.get("pool.connections.acquire")
                                    .timer()
                                    .count())
                            .isEqualTo(1));

            for (int i = 0; i < 3; i++) {
                assertThat(new PoolHealthIndicator(pool, Duration.ofSeconds(2))
                                .health()
                                .getStatus())
                        .isEqualTo(Status.UP);
            }

            assertThat(registry.get("pool.connections.acquire").timer().count())
                    .as("acquisitions timed, the health checks' included")
                    .isEqualTo(1);
            assertThat(registry.get("pool.connections.usage").timer().count()).isEqualTo(1);
            assertThat(pool.stats().timeouts()).isZero();
        }
    }

    private static TcpConnectionPool pool(int port, int maxSize) {
        return TcpConnectionPool.builder("127.0.0.1", port)
                .name("health")
                .maxSize(maxSize)
                .build();
    }
}
