package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.jdbc.JdbcConnectionPool;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Meters and health for every {@code ConnectionPool} bean: the starter's pools and the application's, of any type. */
@Timeout(30)
class AllPoolsObservabilityTests {

    private TestServer top;
    private TestServer orders;
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() {
        top = TestServer.start();
        orders = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class,
                        ConnectionPoolAutoConfiguration.class,
                        PoolInstancesAutoConfiguration.class,
                        PoolMetricsAutoConfiguration.class,
                        PoolHealthContributorAutoConfiguration.class))
                .withPropertyValues(
                        "pool.host=127.0.0.1",
                        "pool.port=" + top.port(),
                        "pool.instances.orders.port=" + orders.port());
    }

    @AfterEach
    void stop() {
        top.close();
        orders.close();
    }

    @Test
    void everyPoolGetsGaugesAndCountersTaggedWithItsName() {
        runner.withUserConfiguration(ApplicationPools.class).run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            for (String pool : new String[] {"tcp", "orders", "generic", "jdbc"}) {
                assertThat(registry.find("pool.connections.max")
                                .tag("pool", pool)
                                .gauge())
                        .as(pool)
                        .isNotNull();
                assertThat(registry.find("pool.connections.timeout")
                                .tag("pool", pool)
                                .functionCounter())
                        .as(pool)
                        .isNotNull();
            }
            assertThat(registry.get("pool.connections.max")
                            .tag("pool", "generic")
                            .gauge()
                            .value())
                    .isEqualTo(3);
        });
    }

    @Test
    void eachAutoConfiguredPoolRecordsItsOwnTimersUnderItsOwnTag() {
        runner.run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            TcpConnectionPool ordersPool = context.getBean("ordersConnectionPool", TcpConnectionPool.class);
            try (PooledConnection<Socket> lease = ordersPool.getConnection()) {
                TestServer.roundTrip(lease.get(), "timed");
            }
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(registry.get("pool.connections.acquire")
                                    .tag("pool", "orders")
                                    .timer()
                                    .count())
                            .isEqualTo(1));
            assertThat(registry.get("pool.connections.usage")
                            .tag("pool", "orders")
                            .timer()
                            .count())
                    .isEqualTo(1);
            assertThat(registry.get("pool.connections.acquire")
                            .tag("pool", "tcp")
                            .timer()
                            .count())
                    .isZero();
            assertThat(registry.get("pool.connections.usage")
                            .tag("pool", "tcp")
                            .timer()
                            .count())
                    .isZero();
        });
    }

    @Test
    void severalPoolsMakeACompositePoolHealthKeyedByPoolName() {
        runner.withUserConfiguration(ApplicationPools.class).run(context -> {
            HealthContributor contributor = context.getBean("poolHealthContributor", HealthContributor.class);
            assertThat(contributor).isInstanceOf(CompositeHealthContributor.class);
            CompositeHealthContributor composite = (CompositeHealthContributor) contributor;
            for (String pool : new String[] {"tcp", "orders", "generic", "jdbc"}) {
                assertThat(composite.getContributor(pool)).as(pool).isInstanceOf(PoolHealthIndicator.class);
            }
            assertThat(((HealthIndicator) composite.getContributor("orders"))
                            .health()
                            .getStatus())
                    .isEqualTo(Status.UP);
            assertThat(((HealthIndicator) composite.getContributor("generic"))
                            .health()
                            .getDetails())
                    .containsEntry("pool", "generic");
        });
    }

    @Test
    void onePoolOfTheApplicationsOwnGetsThePlainIndicator() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class,
                        PoolInstancesAutoConfiguration.class,
                        PoolHealthContributorAutoConfiguration.class))
                .withUserConfiguration(GenericPoolOnly.class)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(TcpConnectionPool.class);
                    assertThat(context.getBean("poolHealthContributor")).isInstanceOf(PoolHealthIndicator.class);
                    assertThat(context.getBean(PoolHealthIndicator.class)
                                    .health()
                                    .getDetails())
                            .containsEntry("pool", "generic");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class GenericPoolOnly {

        @Bean(destroyMethod = "close")
        ConnectionPool<Object, String> genericPool() {
            return ConnectionPool.<Object, String>builder(
                            "params",
                            params -> CompletableFuture.completedFuture(new Object()),
                            connection -> CompletableFuture.completedFuture(true))
                    .name("generic")
                    .maxSize(3)
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ApplicationPools extends GenericPoolOnly {

        @Bean(destroyMethod = "close")
        JdbcConnectionPool jdbcPool() {
            return JdbcConnectionPool.builder("jdbc:nothing:here").name("jdbc").build();
        }
    }
}
