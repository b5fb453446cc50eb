package io.github.connectionpool.spring;

import static io.github.connectionpool.spring.BooleanSwitchesTests.rootCause;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolConfig;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTask;

/** Several pools: {@code pool.instances.<name>.*}, the top-level pool's rules, names, cleanup and closing. */
@Timeout(30)
class PoolInstancesTests {

    private TestServer orders;
    private TestServer audit;
    private TestServer top;
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() {
        orders = TestServer.start();
        audit = TestServer.start();
        top = TestServer.start();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class,
                        PoolInstancesAutoConfiguration.class,
                        TaskSchedulingAutoConfiguration.class))
                .withPropertyValues(
                        "pool.host=127.0.0.1",
                        "pool.instances.orders.port=" + orders.port(),
                        "pool.instances.audit.port=" + audit.port());
    }

    @AfterEach
    void stop() {
        orders.close();
        audit.close();
        top.close();
    }

    @Test
    void anInstanceTakesItsOwnValueThenPoolsThenTheDefault() {
        runner.withPropertyValues(
                        "pool.max-size=7",
                        "pool.acquire-timeout=5s",
                        "pool.instances.orders.min-idle=1",
                        "pool.instances.audit.max-size=3",
                        "pool.instances.audit.cleanup.interval=45s")
                .run(context -> {
                    PoolConfig ordersConfig =
                            pool(context, "ordersConnectionPool").config();
                    assertThat(ordersConfig.maxSize()).as("from pool.max-size").isEqualTo(7);
                    assertThat(ordersConfig.minIdle()).as("its own").isEqualTo(1);
                    assertThat(ordersConfig.acquireTimeout()).as("from pool.*").isEqualTo(Duration.ofSeconds(5));
                    assertThat(ordersConfig.maxIdleTime()).as("the default").isEqualTo(Duration.ofMinutes(5));
                    PoolConfig auditConfig =
                            pool(context, "auditConnectionPool").config();
                    assertThat(auditConfig.maxSize()).as("its own").isEqualTo(3);
                    assertThat(auditConfig.minIdle()).as("the default").isZero();
                    assertThat(auditConfig.cleanup().interval()).isEqualTo(Duration.ofSeconds(45));
                    assertThat(pool(context, "auditConnectionPool").address().getPort())
                            .isEqualTo(audit.port());
                });
    }

    @Test
    void eachInstanceIsABeanNamedAfterItQualifiedByItsNameAndNamedSo() {
        runner.withUserConfiguration(NeedsQualifiedPools.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBeansOfType(TcpConnectionPool.class))
                    .as("no top-level pool without pool.port while instances are defined")
                    .containsOnlyKeys("ordersConnectionPool", "auditConnectionPool");
            NeedsQualifiedPools user = context.getBean(NeedsQualifiedPools.class);
            assertThat(user.orders.name()).isEqualTo("orders");
            assertThat(user.orders.address().getPort()).isEqualTo(orders.port());
            assertThat(user.audit.name()).isEqualTo("audit");
            assertThat(user.orders).isSameAs(context.getBean("ordersConnectionPool"));
        });
    }

    @Test
    void theTopLevelPoolIsPrimaryBesideInstances() {
        runner.withPropertyValues("pool.port=" + top.port(), "pool.name=main").run(context -> {
            assertThat(context.getBeansOfType(TcpConnectionPool.class))
                    .containsOnlyKeys("connectionPool", "ordersConnectionPool", "auditConnectionPool");
            assertThat(context.getBean(TcpConnectionPool.class).name()).isEqualTo("main");
            assertThat(context.getBeanFactory()
                            .getBeanDefinition("connectionPool")
                            .isPrimary())
                    .isTrue();
        });
    }

    @Test
    void theTopLevelPoolAloneIsNotPrimary() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class))
                .withUserConfiguration(OwnGenericPool.class)
                .withPropertyValues("pool.port=" + top.port())
                .run(context -> {
                    assertThat(context).hasSingleBean(TcpConnectionPool.class);
                    assertThat(context.getBeanFactory()
                                    .getBeanDefinition("connectionPool")
                                    .isPrimary())
                            .as("primary would shadow the application's own pool")
                            .isFalse();
                });
    }

    @Test
    void anApplicationPoolOfAnyTypeWithoutPoolPortMeansNoTopLevelPoolAndNoFailure() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class))
                .withUserConfiguration(OwnGenericPool.class)
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(TcpConnectionPool.class)
                        .hasSingleBean(ConnectionPool.class));
    }

    @Test
    void anApplicationTcpPoolReplacesTheTopLevelPoolButNotTheInstances() {
        runner.withPropertyValues("pool.port=" + top.port())
                .withUserConfiguration(OwnTcpPool.class)
                .run(context -> assertThat(context.getBeansOfType(TcpConnectionPool.class))
                        .containsOnlyKeys("ownPool", "ordersConnectionPool", "auditConnectionPool"));
    }

    @Test
    void eachPoolHasItsOwnCleanupAtItsOwnInterval() {
        runner.withPropertyValues(
                        "pool.port=" + top.port(),
                        "pool.cleanup.interval=20s",
                        "pool.instances.orders.cleanup.interval=45s",
                        "pool.instances.audit.cleanup.enabled=off")
                .run(context -> {
                    Map<String, Duration> intervals =
                            context.getBean(PoolCleanupScheduler.class).getScheduledTasks().stream()
                                    .collect(Collectors.toMap(
                                            ScheduledTask::toString,
                                            t -> ((FixedDelayTask) t.getTask()).getIntervalDuration()));
                    String task = PoolCleanupTask.class.getName() + ".runCleanup";
                    assertThat(intervals)
                            .containsOnly(
                                    Map.entry(task + "(tcp)", Duration.ofSeconds(20)),
                                    Map.entry(task + "(orders)", Duration.ofSeconds(45)));
                });
    }

    @Test
    void everyPoolIsClosedWithTheContext() {
        runner.withPropertyValues("pool.port=" + top.port()).run(context -> {
            List<TcpConnectionPool> pools =
                    List.copyOf(context.getBeansOfType(TcpConnectionPool.class).values());
            assertThat(pools).hasSize(3);
            context.close();
            assertThat(pools).allMatch(ConnectionPool::isClosed);
        });
    }

    @Test
    void twoPoolsWithTheSameNameFailStartUpNamingBothBeans() {
        runner.withPropertyValues("pool.port=" + top.port(), "pool.name=orders").run(context -> {
            DuplicatePoolNameException duplicate =
                    rootCause(context.getStartupFailure(), DuplicatePoolNameException.class);
            assertThat(duplicate)
                    .hasMessageContaining("'connectionPool'")
                    .hasMessageContaining("'ordersConnectionPool'");
            assertThat(duplicate.getPoolName()).isEqualTo("orders");
        });
    }

    @Test
    void anApplicationPoolWithAnInstancesNameFailsStartUpToo() {
        runner.withUserConfiguration(OwnGenericPool.class)
                .withPropertyValues("pool.instances.generic.port=" + top.port())
                .run(context -> assertThat(rootCause(context.getStartupFailure(), DuplicatePoolNameException.class))
                        .hasMessageContaining("'genericPool'")
                        .hasMessageContaining("'genericConnectionPool'"));
    }

    @Test
    void aBadInstanceValueFailsStartUpNamingTheInstancesProperty() {
        runner.withPropertyValues("pool.instances.orders.max-size=0").run(context -> {
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("pool.instances.orders.max-size");
            assertThat(invalid.getValue()).isEqualTo(0);
        });
    }

    @Test
    void aBadInheritedValueFailsStartUpNamingThePropertyItCameFrom() {
        runner.withPropertyValues("pool.read-timeout=-1s").run(context -> {
            InvalidConfigurationPropertyValueException invalid =
                    rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
            assertThat(invalid.getName()).isEqualTo("pool.read-timeout");
        });
    }

    @Test
    void anInstanceWithoutAPortAnywhereFailsStartUpNamingItsPort() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class))
                .withPropertyValues("pool.instances.orders.max-size=2")
                .run(context -> {
                    InvalidConfigurationPropertyValueException invalid =
                            rootCause(context.getStartupFailure(), InvalidConfigurationPropertyValueException.class);
                    assertThat(invalid.getName()).isEqualTo("pool.instances.orders.port");
                    assertThat(invalid.getReason()).contains("required");
                });
    }

    @Test
    void anInstanceWithoutAPortOfItsOwnTakesPoolPort() {
        runner.withPropertyValues("pool.port=" + top.port(), "pool.instances.replica.max-size=2")
                .run(context -> assertThat(
                                pool(context, "replicaConnectionPool").address().getPort())
                        .isEqualTo(top.port()));
    }

    private static TcpConnectionPool pool(ApplicationContext context, String beanName) {
        return context.getBean(beanName, TcpConnectionPool.class);
    }

    /** An application bean that injects two instances by qualifier. */
    static class NeedsQualifiedPools {

        final TcpConnectionPool orders;
        final TcpConnectionPool audit;

        NeedsQualifiedPools(
                @Qualifier("orders") TcpConnectionPool orders, @Qualifier("audit") TcpConnectionPool audit) {
            this.orders = orders;
            this.audit = audit;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnGenericPool {

        @Bean(destroyMethod = "close")
        ConnectionPool<Object, String> genericPool() {
            return ConnectionPool.<Object, String>builder(
                            "params",
                            params -> CompletableFuture.completedFuture(new Object()),
                            connection -> CompletableFuture.completedFuture(true))
                    .name("generic")
                    .build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTcpPool {

        @Bean(destroyMethod = "close")
        TcpConnectionPool ownPool() {
            return TcpConnectionPool.builder("127.0.0.1", 1).name("own").build();
        }
    }
}
