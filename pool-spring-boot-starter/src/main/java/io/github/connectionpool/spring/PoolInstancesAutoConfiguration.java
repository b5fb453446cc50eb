package io.github.connectionpool.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/**
 * Auto-configures a {@link io.github.connectionpool.tcp.TcpConnectionPool} for each pool under
 * {@code pool.instances} (see {@link PoolInstancesRegistrar}). It comes after {@link ConnectionPoolAutoConfiguration},
 * so that the top-level pool's conditions see only the application's own pools, not these.
 */
@AutoConfiguration(after = ConnectionPoolAutoConfiguration.class)
@Conditional(OnPoolEnabledCondition.class)
@Import(PoolInstancesRegistrar.class)
public final class PoolInstancesAutoConfiguration {}
