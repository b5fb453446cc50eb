package io.github.connectionpool.tcp;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolBuilder;
import io.github.connectionpool.PoolConfig;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;

/**
 * A pool of TCP connections to one address.
 *
 * <pre>{@code
 * try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1:6379").maxSize(8).build();
 *         PooledConnection<Socket> lease = pool.getConnection()) {
 *     lease.get().getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
 * }
 * }</pre>
 *
 * <p>Every borrow checks its socket first, without blocking (a peek costs a few system calls): a socket whose peer has
 * closed it, or that still holds unread bytes, is closed and replaced before a caller sees it. A returned socket with
 * unread bytes is closed at once. The borrow check can be relaxed with
 * {@link PoolBuilder#validationBypassWindow(Duration)}, which here defaults to zero.
 */
public class TcpConnectionPool extends ConnectionPool<Socket, InetSocketAddress> {

    private final InetSocketAddress address;

    /**
     * Creates a TCP pool from a builder.
     *
     * @param builder the settings
     * @throws IllegalArgumentException naming the first bad setting
     */
    protected TcpConnectionPool(Builder builder) {
        super(builder);
        this.address = builder.address;
    }

    /**
     * Creates a TCP pool the way the original crate does; {@code null} takes the default.
     *
     * @param maxSize the most live connections (default 10)
     * @param maxIdleTime how long a connection may stay idle (default 5 minutes)
     * @param connectionTimeout how long a connect may take (default 10 seconds)
     * @param cleanupConfig when the cleanup runs (default every 30 seconds)
     * @param address the target, {@code host:port} (an IPv6 host in brackets: {@code [::1]:8080})
     * @return the new pool
     * @throws IllegalArgumentException when the address or a setting is invalid, naming it
     */
    public static TcpConnectionPool newTcp(
            Integer maxSize,
            Duration maxIdleTime,
            Duration connectionTimeout,
            CleanupConfig cleanupConfig,
            String address) {
        return builder(address)
                .seedSettings(maxSize, maxIdleTime, connectionTimeout, cleanupConfig)
                .build();
    }

    /**
     * Starts a builder for a pool to {@code host:port}.
     *
     * @param address the target, {@code host:port} (an IPv6 host in brackets)
     * @return a new builder; the pool's name defaults to {@code tcp-host:port}
     * @throws IllegalArgumentException when the address is not {@code host:port} with a port from 1 to 65535
     */
    public static Builder builder(String address) {
        return new Builder(parseAddress(address));
    }

    /**
     * Starts a builder for a pool to {@code host} and {@code port}.
     *
     * @param host the host name or address
     * @param port the port, 1 to 65535
     * @return a new builder
     * @throws IllegalArgumentException when the host is blank or the port out of range
     */
    public static Builder builder(String host, int port) {
        return new Builder(address(host, port));
    }

    /**
     * The address the pool connects to, resolved again at every connect.
     *
     * @return the target address
     */
    public InetSocketAddress address() {
        return address;
    }

    static InetSocketAddress parseAddress(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address must be host:port, but was '" + address + "'");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("address must be host:port, but was '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "address must be host:port, but the port of '" + address + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(
                    "address must be host:port with a port between 1 and 65535, but was '" + address + "'");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("address must be host:port with a host, but was '" + address + "'");
        }
        return address(host, port);
    }

    private static InetSocketAddress address(String host, int port) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, but was '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, but was " + port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** Builds a {@link TcpConnectionPool}: the shared settings of {@link PoolBuilder} plus socket options. */
    public static final class Builder extends PoolBuilder<Socket, InetSocketAddress, Builder> {

        /** How much longer than the connection timeout a socket's own connect may take (see {@link #build()}). */
        private static final int CONNECT_BACKSTOP_MILLIS = 1_000;

        private final InetSocketAddress address;
        private boolean tcpNoDelay = true;
        private boolean keepAlive = true;
        private Duration readTimeout = Duration.ZERO;

        Builder(InetSocketAddress address) {
            this.address = address;
            String host = address.getHostString();
            name("tcp-" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort());
            validationBypassWindow(Duration.ZERO);
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * Sets {@code TCP_NODELAY} on new sockets (default true: requests go out at once).
         *
         * @param tcpNoDelay whether to disable Nagle's algorithm
         * @return this builder
         */
        public Builder tcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        /**
         * Sets {@code SO_KEEPALIVE} on new sockets (default true).
         *
         * @param keepAlive whether the OS probes idle connections
         * @return this builder
         */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Sets {@code SO_TIMEOUT}, how long a read on a borrowed socket may block (default zero: no limit).
         *
         * @param readTimeout the read timeout, zero for none
         * @return this builder
         */
        public Builder readTimeout(Duration readTimeout) {
            Objects.requireNonNull(readTimeout, "readTimeout");
            if (readTimeout.isNegative() || readTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("readTimeout must be zero or positive, but was " + readTimeout);
            }
            this.readTimeout = readTimeout;
            return this;
        }

        /**
         * Checks the settings and starts the pool; no connection is opened until one is needed (or {@code minIdle}
         * asks for it).
         *
         * @return the new pool
         * @throws IllegalArgumentException naming the first bad setting
         */
        public TcpConnectionPool build() {
            PoolConfig config = toConfig();
            // The pool's own timer ends a creation at connectionTimeout, with a PoolTimeoutException, and interrupts
            // the connect; the socket's timeout is a backstop, a little longer, so that the two never race.
            TcpConnector connector = new TcpConnector(
                    (int) Math.min(
                            Integer.MAX_VALUE,
                            Math.min(
                                            Long.MAX_VALUE - CONNECT_BACKSTOP_MILLIS,
                                            config.connectionTimeout().toMillis())
                                    + CONNECT_BACKSTOP_MILLIS),
                    (int) readTimeout.toMillis(),
                    tcpNoDelay,
                    keepAlive);
            parts(address, connector, connector);
            if (!hasResetter()) {
                resetOnReturn(connector);
            }
            return new TcpConnectionPool(this);
        }
    }
}
