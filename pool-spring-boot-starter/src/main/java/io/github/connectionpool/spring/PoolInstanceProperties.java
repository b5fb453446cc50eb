package io.github.connectionpool.spring;

import java.time.Duration;

/**
 * The settings of one pool under {@code pool.instances.<name>}: the per-pool properties of {@code pool.*}, each left
 * {@code null} when the instance does not set it, so that it is taken from {@code pool.*} (then from the default).
 *
 * @param host host the pool connects to
 * @param port port the pool connects to, from 1 to 65535
 * @param maxSize maximum number of live connections, counting those being created
 * @param minIdle number of idle connections the cleanup keeps ready
 * @param maxIdleTime how long a connection may stay idle before the cleanup closes it; 0 keeps idle connections
 * @param maxLifetime how long a connection may live in total before it is retired; 0 for no limit
 * @param connectionTimeout maximum time to open one connection
 * @param acquireTimeout maximum time a caller waits for a connection
 * @param validationTimeout maximum time one validation may take; also the longest the health check waits
 * @param validationBypassWindow a connection used or checked less than this long ago is lent without a check
 * @param leakDetectionThreshold how long a connection may be held before a possible leak is logged; 0 for off
 * @param strictFifoUpTo up to how many waiting callers every returned connection goes to the oldest waiter
 * @param readTimeout how long a read on a borrowed socket may block (SO_TIMEOUT); 0 for no limit
 * @param tcpNoDelay whether new sockets send small writes at once (TCP_NODELAY)
 * @param keepAlive whether the operating system probes idle connections (SO_KEEPALIVE)
 * @param ssl the instance's TLS settings
 * @param cleanup the instance's cleanup settings
 */
public record PoolInstanceProperties(
        String host,
        Integer port,
        Integer maxSize,
        Integer minIdle,
        Duration maxIdleTime,
        Duration maxLifetime,
        Duration connectionTimeout,
        Duration acquireTimeout,
        Duration validationTimeout,
        Duration validationBypassWindow,
        Duration leakDetectionThreshold,
        Integer strictFifoUpTo,
        Duration readTimeout,
        Boolean tcpNoDelay,
        Boolean keepAlive,
        Ssl ssl,
        Cleanup cleanup) {

    /**
     * The instance's {@code ssl.*} settings, each {@code null} when taken from {@code pool.ssl.*}.
     *
     * @param enabled whether the pool's connections use TLS; on by itself when the instance sets a bundle
     * @param bundle name of the Spring Boot SSL bundle the pool's TLS connections use; setting it turns TLS on
     * @param verifyHostname whether a TLS connection checks that the server's certificate names the host
     */
    public record Ssl(Boolean enabled, String bundle, Boolean verifyHostname) {}

    /**
     * The instance's {@code cleanup.*} settings, each {@code null} when taken from {@code pool.cleanup.*}.
     *
     * @param enabled whether a scheduled task runs the pool's cleanup
     * @param interval time between the end of one cleanup run and the start of the next
     */
    public record Cleanup(Boolean enabled, Duration interval) {}
}
