package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures a {@link TcpConnectionPool} from the {@code pool.*} properties, closed with the context, and its
 * cleanup on a Spring task scheduler.
 *
 * <p>Off with {@code pool.enabled=false} (read as Boot's binder reads booleans; see {@link OnPoolEnabledCondition});
 * backs off entirely (pool and cleanup) when the application defines its own {@code TcpConnectionPool}. The cleanup
 * does not enable scheduling for the application and starts no thread that keeps the JVM alive: see
 * {@link PoolCleanupScheduler}.
 */
@AutoConfiguration
@Conditional(OnPoolEnabledCondition.class)
@EnableConfigurationProperties(PoolProperties.class)
public final class ConnectionPoolAutoConfiguration {

    /** The pool and its cleanup, only when the application has no {@code TcpConnectionPool} of its own. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean(TcpConnectionPool.class)
    static class PoolConfiguration {

        @Bean(destroyMethod = "close")
        TcpConnectionPool connectionPool(
                PoolProperties properties,
                ObjectProvider<PoolListener> listeners,
                PoolCleanupScheduler poolCleanupScheduler) {
            List<PoolListener> all = listeners.orderedStream().toList();
            TcpConnectionPool pool = PoolPropertiesMapper.build(properties, CompositePoolListener.of(all));
            if (properties.getCleanup().isEnabled()) {
                poolCleanupScheduler.add(
                        new PoolCleanupTask(pool, properties.getCleanup().getInterval()));
            } else {
                poolCleanupScheduler.logNoCleanup(pool.name(), "pool.cleanup.enabled");
            }
            return pool;
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
    }
}
