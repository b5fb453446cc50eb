package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Auto-configures the Micrometer meters of every {@link ConnectionPool} bean (the starter's and the application's own,
 * of any type), tagged {@code pool=<name>}, when Micrometer is on the classpath. Spring Boot binds
 * {@link ConnectionPoolsMetrics} to the meter registry once all beans exist, so the meters read the live pools
 * whatever the order of creation.
 *
 * <p>Every pool gets the gauges and counters. Each auto-configured pool also records its own timers: it is built with
 * a listener from {@link PoolTimersRegistry}. A pool the application defines itself records timers when built with
 * {@code .listener(poolTimersRegistry.forPool("<its name>"))}.
 */
@AutoConfiguration(after = {ConnectionPoolAutoConfiguration.class, PoolInstancesAutoConfiguration.class})
@ConditionalOnClass(MeterBinder.class)
@Conditional(OnPoolEnabledCondition.class)
@ConditionalOnBean(ConnectionPool.class)
public final class PoolMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PoolTimersRegistry poolTimersRegistry() {
        return new PoolTimersRegistry();
    }

    @Bean
    @ConditionalOnMissingBean
    ConnectionPoolsMetrics connectionPoolsMetrics(ListableBeanFactory beanFactory, PoolTimersRegistry timers) {
        return new ConnectionPoolsMetrics(beanFactory, timers);
    }
}
