package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures a {@link TcpConnectionPool} from the {@code pool.*} properties, closed with the context, and a
 * {@code @Scheduled} task that runs its cleanup.
 *
 * <p>Off with {@code pool.enabled=false}; backs off entirely (pool and cleanup task) when the application defines its
 * own {@code TcpConnectionPool}. The cleanup task does not enable scheduling for the application: when the application
 * has not enabled it, {@link PoolCleanupScheduler} runs the one task on a scheduler of its own, built from Boot's
 * {@code spring.task.scheduling.*} settings; when it has, the application's scheduling runs it.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "pool.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PoolProperties.class)
public final class ConnectionPoolAutoConfiguration {

    /** The pool and its cleanup, only when the application has no {@code TcpConnectionPool} of its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(TcpConnectionPool.class)
    static class PoolConfiguration {

        @Bean(destroyMethod = "close")
        TcpConnectionPool connectionPool(PoolProperties properties, ObjectProvider<PoolListener> listeners) {
            List<PoolListener> all = listeners.orderedStream().toList();
            return PoolPropertiesMapper.build(properties, CompositePoolListener.of(all));
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnBooleanProperty(name = "pool.cleanup.enabled", matchIfMissing = true)
        static class CleanupConfiguration {

            @Bean
            PoolCleanupTask poolCleanupTask(TcpConnectionPool connectionPool) {
                return new PoolCleanupTask(connectionPool);
            }

            @Bean
            PoolCleanupScheduler poolCleanupScheduler(
                    PoolCleanupTask poolCleanupTask,
                    ConfigurableListableBeanFactory beanFactory,
                    ObjectProvider<ThreadPoolTaskSchedulerBuilder> schedulerBuilder) {
                return new PoolCleanupScheduler(
                        poolCleanupTask,
                        beanFactory,
                        schedulerBuilder.getIfAvailable(
                                () -> new ThreadPoolTaskSchedulerBuilder().threadNamePrefix("pool-cleanup-")));
            }
        }
    }
}
