package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Auto-configures a {@link TcpConnectionPool} from the {@code pool.*} properties, closed with the context, and a
 * scheduled task that runs its cleanup on Spring's task scheduler.
 *
 * <p>Off with {@code pool.enabled=false}; backs off entirely (pool and cleanup task) when the application defines its
 * own {@code TcpConnectionPool}. Runs before {@link TaskSchedulingAutoConfiguration} so that Boot's scheduler (tuned
 * with {@code spring.task.scheduling.*}) is the one that runs the cleanup.
 */
@AutoConfiguration(before = TaskSchedulingAutoConfiguration.class)
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
        @EnableScheduling
        static class CleanupConfiguration {

            @Bean
            PoolCleanupTask poolCleanupTask(TcpConnectionPool connectionPool) {
                return new PoolCleanupTask(connectionPool);
            }
        }
    }
}
