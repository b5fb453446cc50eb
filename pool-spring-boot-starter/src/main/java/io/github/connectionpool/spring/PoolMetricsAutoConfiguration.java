package io.github.connectionpool.spring;

import io.github.connectionpool.tcp.TcpConnectionPool;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configures the pool's Micrometer meters when Micrometer is on the classpath. Spring Boot binds the
 * {@link PoolMetrics} binder to every meter registry once all beans exist, so the meters read the live pool whatever
 * the order of creation.
 *
 * <p>The {@link PoolTimers} bean is a {@link io.github.connectionpool.PoolListener}: the auto-configured pool is built
 * with it, which is how the timers see each borrow, creation and return. A pool the application defines itself gets
 * the gauges and counters; it records timings when built with {@code .listener(poolTimers)}.
 */
@AutoConfiguration(after = ConnectionPoolAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(TcpConnectionPool.class)
public final class PoolMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PoolTimers poolTimers() {
        return new PoolTimers();
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(TcpConnectionPool.class)
    PoolMetrics poolMetrics(TcpConnectionPool connectionPool, PoolTimers poolTimers) {
        return new PoolMetrics(connectionPool, poolTimers);
    }
}
