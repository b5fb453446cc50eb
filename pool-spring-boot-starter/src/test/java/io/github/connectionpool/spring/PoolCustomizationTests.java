package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** Transport properties, builder customizers and connection details. */
@Timeout(30)
class PoolCustomizationTests {

    private TestServer server;
    private TestServer other;
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() {
        server = TestServer.start();
        other = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class))
                .withPropertyValues("pool.host=127.0.0.1");
    }

    @AfterEach
    void stop() {
        server.close();
        other.close();
    }

    @Test
    void socketsHaveAFiniteReadTimeoutNoDelayAndKeepAliveByDefault() {
        runner.withPropertyValues("pool.port=" + server.port()).run(context -> {
            try (PooledConnection<Socket> lease =
                    context.getBean(TcpConnectionPool.class).getConnection()) {
                assertThat(lease.get().getSoTimeout()).isEqualTo(30_000);
                assertThat(lease.get().getTcpNoDelay()).isTrue();
                assertThat(lease.get().getKeepAlive()).isTrue();
            }
        });
    }

    @Test
    void transportPropertiesReachTheSocketsOfEachPool() {
        runner.withPropertyValues(
                        "pool.port=" + server.port(),
                        "pool.read-timeout=1500ms",
                        "pool.tcp-no-delay=false",
                        "pool.keep-alive=no",
                        "pool.instances.orders.port=" + other.port(),
                        "pool.instances.orders.read-timeout=0",
                        "pool.instances.orders.keep-alive=on")
                .run(context -> {
                    try (PooledConnection<Socket> lease = context.getBean("connectionPool", TcpConnectionPool.class)
                            .getConnection()) {
                        assertThat(lease.get().getSoTimeout()).isEqualTo(1500);
                        assertThat(lease.get().getTcpNoDelay()).isFalse();
                        assertThat(lease.get().getKeepAlive()).isFalse();
                    }
                    try (PooledConnection<Socket> lease = context.getBean(
                                    "ordersConnectionPool", TcpConnectionPool.class)
                            .getConnection()) {
                        assertThat(lease.get().getSoTimeout()).as("0: no limit").isZero();
                        assertThat(lease.get().getTcpNoDelay())
                                .as("from pool.tcp-no-delay")
                                .isFalse();
                        assertThat(lease.get().getKeepAlive()).as("its own").isTrue();
                    }
                });
    }

    @Test
    void customizersRunInOrderAfterThePropertiesOnEveryPool() {
        runner.withPropertyValues(
                        "pool.port=" + server.port(), "pool.max-size=7", "pool.instances.orders.port=" + other.port())
                .withUserConfiguration(Customizers.class)
                .run(context -> {
                    assertThat(context.getBean(Customizers.class).calls)
                            .containsExactly("first:tcp", "second:tcp", "first:orders", "second:orders");
                    assertThat(context.getBean("connectionPool", TcpConnectionPool.class)
                                    .maxSize())
                            .as("the later customizer wins over the earlier and the properties")
                            .isEqualTo(4);
                    assertThat(context.getBean("ordersConnectionPool", TcpConnectionPool.class)
                                    .maxSize())
                            .isEqualTo(4);
                });
    }

    @Test
    void connectionDetailsSupplyTheTopLevelAddressWithoutPoolPort() {
        runner.withBean(TcpConnectionDetails.class, () -> new FixedDetails("127.0.0.1", server.port()))
                .run(context -> {
                    TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
                    assertThat(pool.address().getPort()).isEqualTo(server.port());
                    try (PooledConnection<Socket> lease = pool.getConnection()) {
                        assertThat(TestServer.roundTrip(lease.get(), "details")).isEqualTo("details");
                    }
                });
    }

    @Test
    void connectionDetailsWinOverPoolHostAndPort() {
        runner.withPropertyValues("pool.host=example.invalid", "pool.port=" + other.port())
                .withBean(TcpConnectionDetails.class, () -> new FixedDetails("127.0.0.1", server.port()))
                .run(context -> {
                    TcpConnectionPool pool = context.getBean(TcpConnectionPool.class);
                    assertThat(pool.address().getHostString()).isEqualTo("127.0.0.1");
                    assertThat(pool.address().getPort()).isEqualTo(server.port());
                });
    }

    @Test
    void withoutConnectionDetailsTheStarterSuppliesOnesFromTheProperties() {
        runner.withPropertyValues("pool.port=" + server.port()).run(context -> {
            TcpConnectionDetails details = context.getBean(TcpConnectionDetails.class);
            assertThat(details.host()).isEqualTo("127.0.0.1");
            assertThat(details.port()).isEqualTo(server.port());
        });
    }

    @Test
    void badConnectionDetailsFailStartUpNamingThem() {
        runner.withBean(TcpConnectionDetails.class, () -> new FixedDetails("127.0.0.1", 70000))
                .run(context -> {
                    List<String> messages = new ArrayList<>();
                    for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
                        messages.add(String.valueOf(t.getMessage()));
                    }
                    assertThat(messages)
                            .anySatisfy(message -> assertThat(message)
                                    .contains(FixedDetails.class.getName() + ".port()")
                                    .contains("70000"));
                });
    }

    record FixedDetails(String host, int port) implements TcpConnectionDetails {}

    @Configuration(proxyBeanMethods = false)
    static class Customizers {

        final List<String> calls = new CopyOnWriteArrayList<>();

        @Bean
        @Order(2)
        TcpConnectionPoolBuilderCustomizer second() {
            return (name, builder) -> {
                calls.add("second:" + name);
                builder.maxSize(4);
            };
        }

        @Bean
        @Order(1)
        TcpConnectionPoolBuilderCustomizer first() {
            return (name, builder) -> {
                calls.add("first:" + name);
                builder.maxSize(3);
            };
        }
    }
}
