package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Auto-configures the {@code pool} health contributor when Spring Boot's health support (Actuator) is on the
 * classpath, for every {@link ConnectionPool} bean (the starter's and the application's own, of any type): with one
 * pool, a {@link PoolHealthIndicator}; with several, a composite whose entries are keyed by pool name. Off with
 * {@code management.health.pool.enabled=false}.
 */
@AutoConfiguration(after = {ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class})
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@Conditional(OnPoolEnabledCondition.class)
@ConditionalOnBean(ConnectionPool.class)
public final class PoolHealthContributorAutoConfiguration {

    // The health module's own condition sits on the method: the class-level @ConditionalOnClass is checked first, so
    // without the module nothing needs its condition class (on the class, Spring would look it up and fail).
    @Bean
    @ConditionalOnEnabledHealthIndicator("pool")
    @ConditionalOnMissingBean(name = {"poolHealthIndicator", "poolHealthContributor"})
    HealthContributor poolHealthContributor(ListableBeanFactory beanFactory) {
        Map<String, ConnectionPool<?, ?>> pools = ConnectionPools.byName(beanFactory);
        if (pools.size() == 1) {
            return indicator(pools.values().iterator().next());
        }
        return CompositeHealthContributor.fromMap(pools, PoolHealthContributorAutoConfiguration::indicator);
    }

    private static PoolHealthIndicator indicator(ConnectionPool<?, ?> pool) {
        return new PoolHealthIndicator(pool, pool.config().validationTimeout());
    }
}
