package io.github.connectionpool.spring;

import io.github.connectionpool.tcp.TcpConnectionPool;

/**
 * Customizes the builder of every auto-configured {@link TcpConnectionPool} (the top-level pool and each of
 * {@code pool.instances}) after the {@code pool.*} properties are applied, just before the pool is built. Every bean of
 * this type is applied, in {@link org.springframework.core.annotation.Order @Order}. A customizer that sets a
 * {@code listener} replaces the one that records the pool's timers.
 */
@FunctionalInterface
public interface TcpConnectionPoolBuilderCustomizer {

    /**
     * Customizes one pool's builder.
     *
     * @param poolName the pool's name: {@code pool.name} for the top-level pool, the key for an instance
     * @param builder the builder, with the properties applied
     */
    void customize(String poolName, TcpConnectionPool.Builder builder);
}
