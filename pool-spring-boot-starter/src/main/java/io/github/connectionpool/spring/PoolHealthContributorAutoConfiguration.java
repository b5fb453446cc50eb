package io.github.connectionpool.spring;

import io.github.connectionpool.tcp.TcpConnectionPool;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the {@code pool} health indicator when Spring Boot's health support (Actuator) is on the classpath;
 * off with {@code management.health.pool.enabled=false}.
 */
@AutoConfiguration(after = ConnectionPoolAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(TcpConnectionPool.class)
public final class PoolHealthContributorAutoConfiguration {

    // The health module's own condition sits on the method: the class-level @ConditionalOnClass is checked first, so
    // without the module nothing needs its condition class (on the class, Spring would look it up and fail).
    @Bean
    @ConditionalOnEnabledHealthIndicator("pool")
    @ConditionalOnMissingBean(name = "poolHealthIndicator")
    @ConditionalOnSingleCandidate(TcpConnectionPool.class)
    PoolHealthIndicator poolHealthIndicator(TcpConnectionPool connectionPool) {
        return new PoolHealthIndicator(connectionPool, connectionPool.config().validationTimeout());
    }
}
