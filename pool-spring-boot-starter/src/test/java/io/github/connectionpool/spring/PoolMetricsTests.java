package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

@Timeout(30)
class PoolMetricsTests {

    private static final List<String> GAUGES = List.of(
            "pool.connections.active",
            "pool.connections.idle",
            "pool.connections.pending",
            "pool.connections.total",
            "pool.connections.max",
            "pool.connections.min");
    private static final List<String> TIMERS =
            List.of("pool.connections.acquire", "pool.connections.creation", "pool.connections.usage");
    private static final List<String> COUNTERS = List.of(
            "pool.connections.timeout", "pool.connections.creation.failures", "pool.connections.validation.failures");

    private TestServer server;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void startServer() {
        server = TestServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void everyMeterExistsInABootContextTaggedWithThePoolName() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        ConnectionPoolAutoConfiguration.class,
                        PoolMetricsAutoConfiguration.class))
                .withPropertyValues("pool.host=127.0.0.1", "pool.port=" + server.port(), "pool.name=orders")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    for (String gauge : GAUGES) {
                        assertThat(registry.find(gauge).tag("pool", "orders").gauge())
                                .as(gauge)
                                .isNotNull();
                    }
                    for (String counter : COUNTERS) {
                        assertThat(registry.find(counter).tag("pool", "orders").functionCounter())
                                .as(counter)
                                .isNotNull();
                    }
                    for (String timer : TIMERS) {
                        assertThat(registry.find(timer).tag("pool", "orders").timer())
                                .as(timer)
                                .isNotNull();
                    }
                    // The pool was built before the registry bound the binder: its timers still record.
                    TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
                    try (PooledConnection<Socket> lease = pool.getConnection()) {
                        TestServer.roundTrip(lease.get(), "ping");
                    }
                    // A hand-over to a waiting caller is timed by the thread that hands over: await it.
                    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                        for (String timer : TIMERS) {
                            assertThat(registry.get(timer)
                                            .tag("pool", "orders")
                                            .timer()
                                            .count())
                                    .as(timer)
                                    .isEqualTo(1);
                        }
                    });
                    assertThat(registry.get("pool.connections.max").gauge().value())
                            .isEqualTo(10);
                });
    }

    @Test
    void noMicrometerMeansNoBinderButStillAPool() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(MeterBinder.class))
                .withPropertyValues("pool.port=" + server.port())
                .run(context -> assertThat(context)
                        .hasSingleBean(TcpConnectionPool.class)
                        .doesNotHaveBean(ConnectionPoolsMetrics.class)
                        .doesNotHaveBean(PoolTimersRegistry.class));
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolMetricsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer"))
                .withPropertyValues("pool.port=" + server.port())
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(TcpConnectionPool.class)
                        .doesNotHaveBean(ConnectionPoolsMetrics.class));
    }

    @Test
    void anApplicationPoolGetsGaugesAndCounters() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolMetricsAutoConfiguration.class))
                .withBean(
                        "ownPool",
                        TcpConnectionPool.class,
                        () -> TcpConnectionPool.builder("127.0.0.1", server.port())
                                .name("own")
                                .build(),
                        definition -> definition.setDestroyMethodName("close"))
                .run(context -> {
                    context.getBean(ConnectionPoolsMetrics.class).bindTo(registry);
                    assertThat(registry.get("pool.connections.max")
                                    .tag("pool", "own")
                                    .gauge()
                                    .value())
                            .isEqualTo(10);
                });
    }

    @Test
    void gaugesFollowTheLivePoolUnderLoadAndTimersCountEachBorrow() throws Exception {
        PoolTimers timers = new PoolTimers();
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("load")
                .maxSize(2)
                .minIdle(1)
                .listener(timers)
                .build()) {
            new PoolMetrics(pool, timers).bindTo(registry);

            PooledConnection<Socket> first = pool.getConnection();
            PooledConnection<Socket> second = pool.getConnection();
            CompletableFuture<PooledConnection<Socket>> waiter = pool.getConnectionAsync();
            await().atMost(Duration.ofSeconds(5)).until(() -> gauge("pool.connections.pending") == 1);
            assertThat(gauge("pool.connections.active")).isEqualTo(2);
            assertThat(gauge("pool.connections.idle")).isZero();
            assertThat(gauge("pool.connections.total")).isEqualTo(2);
            assertThat(gauge("pool.connections.max")).isEqualTo(2);
            assertThat(gauge("pool.connections.min")).isEqualTo(1);

            assertThatThrownBy(() -> pool.getConnection(Duration.ZERO)).isInstanceOf(PoolTimeoutException.class);
            assertThat(counter("pool.connections.timeout")).isEqualTo(1);

            first.close(); // handed to the waiter
            PooledConnection<Socket> third = waiter.get(5, TimeUnit.SECONDS);
            assertThat(gauge("pool.connections.pending")).isZero();
            assertThat(gauge("pool.connections.active")).isEqualTo(2);

            second.close();
            third.close();
            assertThat(gauge("pool.connections.active")).isZero();
            assertThat(gauge("pool.connections.idle")).isEqualTo(2);

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(timer("pool.connections.acquire").count()).isEqualTo(3);
                assertThat(timer("pool.connections.creation").count()).isEqualTo(2);
            });
            assertThat(timer("pool.connections.usage").count()).isEqualTo(3);
            assertThat(timer("pool.connections.creation").totalTime(TimeUnit.NANOSECONDS))
                    .isPositive();
        }
    }

    @Test
    void timingsReportedBeforeTheBinderIsBoundAreRecordedWhenItBinds() {
        PoolTimers timers = new PoolTimers();
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("early")
                .listener(timers)
                .build()) {
            pool.getConnection().close(); // before any registry exists
            // The hand-over to this caller is timed by the worker that created the connection: await it.
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().created() == 1);

            new PoolMetrics(pool, timers).bindTo(registry);

            assertThat(timer("pool.connections.creation").count()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(
                            () -> assertThat(timer("pool.connections.acquire").count())
                                    .isEqualTo(1));
            assertThat(timer("pool.connections.usage").count()).isEqualTo(1);
        }
    }

    @Test
    void timersRecordThePoolsOwnMeasurements() {
        AtomicLong now = new AtomicLong();
        PoolTimers timers = new PoolTimers();
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", server.port())
                .name("timed")
                .ticker(now::get)
                .listener(timers)
                .build()) {
            new PoolMetrics(pool, timers).bindTo(registry);
            PooledConnection<Socket> lease = pool.getConnection();
            now.addAndGet(Duration.ofMillis(250).toNanos());
            lease.close();

            assertThat(timer("pool.connections.usage").totalTime(TimeUnit.MILLISECONDS))
                    .isEqualTo(250.0);
            assertThat(timer("pool.connections.usage").max(TimeUnit.MILLISECONDS))
                    .isEqualTo(250.0);
        }
    }

    @Test
    void creationAndValidationFailuresAreCounted() throws Exception {
        PoolTimers timers = new PoolTimers();
        try (TestServer refusing = TestServer.start(TestServer.Mode.REFUSE);
                TcpConnectionPool dead = TcpConnectionPool.builder("127.0.0.1", refusing.port())
                        .name("dead")
                        .listener(timers)
                        .build();
                TcpConnectionPool live = TcpConnectionPool.builder("127.0.0.1", server.port())
                        .name("live")
                        .build()) {
            new PoolMetrics(dead, timers).bindTo(registry);
            new PoolMetrics(live, new PoolTimers()).bindTo(registry);

            assertThatThrownBy(() -> dead.getConnection(Duration.ofSeconds(5)))
                    .isInstanceOf(ConnectionCreationException.class);
            assertThat(registry.get("pool.connections.creation.failures")
                            .tag("pool", "dead")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);

            Socket first;
            try (PooledConnection<Socket> lease = live.getConnection()) {
                first = lease.get();
                TestServer.roundTrip(first, "accepted"); // the server holds its end now
            }
            server.cutAll(); // the server goes away under the idle connection
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                try (PooledConnection<Socket> lease = live.getConnection()) {
                    assertThat(lease.get()).isNotSameAs(first);
                }
            });
            assertThat(registry.get("pool.connections.validation.failures")
                            .tag("pool", "live")
                            .functionCounter()
                            .count())
                    .isEqualTo(1);
        }
    }

    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    private double counter(String name) {
        return registry.get(name).functionCounter().count();
    }

    private Timer timer(String name) {
        return registry.get(name).timer();
    }
}
