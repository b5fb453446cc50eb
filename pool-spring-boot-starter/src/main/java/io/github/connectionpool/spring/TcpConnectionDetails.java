package io.github.connectionpool.spring;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * The address of the server the top-level auto-configured {@link io.github.connectionpool.tcp.TcpConnectionPool}
 * connects to. A bean of this type (from a test, a platform, or Boot's service connections) takes the place of
 * {@code pool.host} and {@code pool.port}, which are then not needed; without one, the starter supplies one read from
 * those properties.
 */
public interface TcpConnectionDetails extends ConnectionDetails {

    /**
     * The host to connect to.
     *
     * @return the host name or address
     */
    String host();

    /**
     * The port to connect to.
     *
     * @return the port, from 1 to 65535
     */
    int port();
}
