/**
 * Spring Boot auto-configuration for the connection pool: a {@link io.github.connectionpool.tcp.TcpConnectionPool}
 * bound to {@code pool.*}, its cleanup on Spring's scheduler, Micrometer meters and a {@code pool} health indicator.
 */
package io.github.connectionpool.spring;
