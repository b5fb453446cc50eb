package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.tcp.TcpConnectionPool;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Auto-configures the top-level {@link TcpConnectionPool} from the {@code pool.*} properties (bean
 * {@code connectionPool}), what every auto-configured pool needs (the {@link TcpPoolFactory} and the
 * {@link PoolCleanupScheduler}), and the check that pool names are unique. The pools of {@code pool.instances} come
 * from {@link PoolInstancesAutoConfiguration}.
 *
 * <p>Off with {@code pool.enabled=false} (read as Boot's binder reads booleans; see {@link OnPoolEnabledCondition}).
 * The top-level pool is made unless the application defines a {@code TcpConnectionPool} of its own, or neither
 * {@code pool.port} nor a {@link TcpConnectionDetails} is there while {@code pool.instances} are, or the application
 * defines any {@code ConnectionPool} of its own; otherwise a missing {@code pool.port} fails start-up naming it. With
 * instances it is {@code @Primary}.
 */
@AutoConfiguration
@Conditional(OnPoolEnabledCondition.class)
@EnableConfigurationProperties(PoolProperties.class)
public final class ConnectionPoolAutoConfiguration {

    @Bean(TcpPoolFactory.BEAN_NAME)
    TcpPoolFactory tcpConnectionPoolFactory(
            PoolProperties properties,
            ObjectProvider<TcpConnectionDetails> connectionDetails,
            ObjectProvider<PoolListenerFactory> listenerFactory,
            ObjectProvider<PoolListener> listeners,
            ObjectProvider<TcpConnectionPoolBuilderCustomizer> customizers,
            ObjectProvider<SslBundles> sslBundles,
            PoolCleanupScheduler poolCleanupScheduler) {
        return new TcpPoolFactory(
                properties,
                connectionDetails,
                listenerFactory,
                listeners,
                customizers,
                sslBundles,
                poolCleanupScheduler);
    }

    @Bean
    PoolCleanupScheduler poolCleanupScheduler(
            ConfigurableListableBeanFactory beanFactory,
            ObjectProvider<ThreadPoolTaskSchedulerBuilder> schedulerBuilder) {
        return new PoolCleanupScheduler(
                beanFactory,
                schedulerBuilder.getIfAvailable(
                        () -> new ThreadPoolTaskSchedulerBuilder().threadNamePrefix("pool-cleanup-")));
    }

    @Bean
    PoolNamesCheck poolNamesCheck(ListableBeanFactory beanFactory) {
        return new PoolNamesCheck(beanFactory);
    }

    /** The top-level pool, by the rules above. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(TcpConnectionPool.class)
    @Conditional(TopLevelPoolCondition.class)
    static class TopLevelPoolConfiguration {

        @Bean
        @ConditionalOnMissingBean(TcpConnectionDetails.class)
        PropertiesTcpConnectionDetails tcpConnectionDetails(PoolProperties properties) {
            return new PropertiesTcpConnectionDetails(properties);
        }

        // One of these two makes the bean "connectionPool": @Primary only beside the pools of pool.instances.

        @Bean(destroyMethod = "close")
        @Conditional(OnPoolInstancesCondition.None.class)
        TcpConnectionPool connectionPool(TcpPoolFactory factory) {
            return factory.topLevel();
        }

        @Bean(name = "connectionPool", destroyMethod = "close")
        @Primary
        @Conditional(OnPoolInstancesCondition.class)
        TcpConnectionPool primaryConnectionPool(TcpPoolFactory factory) {
            return factory.topLevel();
        }
    }

    /**
     * The top-level pool is wanted when its address is given, or when nothing else would make the application a pool
     * (then a missing {@code pool.port} fails start-up naming it).
     */
    static final class TopLevelPoolCondition extends AnyNestedCondition {

        TopLevelPoolCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty("pool.port")
        static class PortSet {}

        @ConditionalOnBean(TcpConnectionDetails.class)
        static class ConnectionDetailsDefined {}

        @Conditional(NoOtherPool.class)
        static class NoOtherPoolWanted {}
    }

    /** Neither {@code pool.instances} nor a {@code ConnectionPool} of the application's own. */
    static final class NoOtherPool extends NoneNestedConditions {

        NoOtherPool() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @Conditional(OnPoolInstancesCondition.class)
        static class InstancesDefined {}

        @ConditionalOnBean(ConnectionPool.class)
        static class ApplicationPoolDefined {}
    }
}
