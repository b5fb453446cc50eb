package io.github.connectionpool.tcp;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.InvalidSettingException;
import io.github.connectionpool.PoolBuilder;
import io.github.connectionpool.PoolConfig;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLContext;

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
 * <p>Every borrow checks its socket first, without blocking (one read, one system call): a socket whose peer has
 * closed it, or that still holds unread bytes, is closed and replaced before a caller sees it. A returned socket with
 * unread bytes is closed at once. A plain socket lent behaves as any connected {@link Socket} (blocking streams, the
 * read timeout, options, shutdown, close); its descriptor stays in non-blocking mode underneath, which is what makes
 * the check one read and a read with a timeout no dearer than {@code java.net.Socket}'s, so
 * {@link Socket#getChannel()} is {@code null}. The borrow check can be relaxed with
 * {@link PoolBuilder#validationBypassWindow(Duration)}, which here defaults to zero.
 *
 * <p>Over TLS, give the builder an {@link SSLContext}; borrowers get {@link javax.net.ssl.SSLSocket}s, already past
 * their handshake, and the same checks apply (see {@link Builder#ssl(SSLContext)}):
 *
 * <pre>{@code
 * TcpConnectionPool pool = TcpConnectionPool.builder("db.example.com:6380")
 *         .ssl(SSLContext.getDefault()) // the JDK's trusted CAs; the certificate must name db.example.com
 *         .readTimeout(Duration.ofSeconds(5))
 *         .build();
 * }</pre>
 */
public class TcpConnectionPool extends ConnectionPool<Socket, InetSocketAddress> {

    private final InetSocketAddress address;

    /**
     * Creates a TCP pool from a builder.
     *
     * @param builder the settings
     * @throws InvalidSettingException naming the first bad setting
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
     * @throws InvalidSettingException when the address or a setting is invalid, naming it
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
     * @throws InvalidSettingException when the address is not {@code host:port} with a port from 1 to 65535
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
     * @throws InvalidSettingException when the host is blank or the port out of range
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
            throw invalidAddress(address, "address must be host:port, but was '" + address + "'");
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw invalidAddress(address, "address must be host:port, but was '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw invalidAddress(
                    address, "address must be host:port, but the port of '" + address + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw invalidAddress(
                    address, "address must be host:port with a port between 1 and 65535, but was '" + address + "'");
        }
        if (host.isBlank()) {
            throw invalidAddress(address, "address must be host:port with a host, but was '" + address + "'");
        }
        return address(host, port);
    }

    private static InvalidSettingException invalidAddress(String address, String message) {
        return new InvalidSettingException("address", address, message);
    }

    private static InetSocketAddress address(String host, int port) {
        if (host == null || host.isBlank()) {
            throw new InvalidSettingException("host", host, "host must not be blank, but was '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidSettingException("port", port, "port must be between 1 and 65535, but was " + port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * Builds a {@link TcpConnectionPool}: the shared settings of {@link PoolBuilder} plus socket options and TLS.
     *
     * <p>Settings are checked by {@link #build()} (the socket settings by their setters), with an
     * {@link InvalidSettingException} whose {@link InvalidSettingException#setting() setting} is the method's name:
     * {@code "address"}, {@code "host"}, {@code "port"}, {@code "readTimeout"}, {@code "ssl"}, and those of
     * {@link PoolBuilder}.
     */
    public static final class Builder extends PoolBuilder<Socket, InetSocketAddress, Builder> {

        private final InetSocketAddress address;
        private boolean tcpNoDelay = true;
        private boolean keepAlive = true;
        private Duration readTimeout = Duration.ZERO;
        private SSLContext ssl;
        private boolean verifyHostname = true;

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
         * <p>The socket counts in whole milliseconds, and takes 0 as "no limit": so a timeout is rounded up to whole
         * milliseconds (500 microseconds become 1 ms, never 0), and one longer than {@code Integer.MAX_VALUE}
         * milliseconds (about 24.8 days, such as {@code ChronoUnit.FOREVER}) is taken as that.
         *
         * @param readTimeout the read timeout, zero for none
         * @return this builder
         * @throws InvalidSettingException for {@code "readTimeout"} when it is null or negative
         */
        public Builder readTimeout(Duration readTimeout) {
            if (readTimeout == null || readTimeout.isNegative()) {
                throw new InvalidSettingException(
                        "readTimeout", readTimeout, "readTimeout must be zero or positive, but was " + readTimeout);
            }
            this.readTimeout = readTimeout;
            return this;
        }

        /**
         * Makes the pool's connections TLS connections, set up by this context (its key and trust managers, protocols
         * and session cache); default: plain TCP.
         *
         * <p>The handshake runs when a connection is created, on the pool's worker, and completes within the
         * connection timeout (see {@link PoolBuilder#connectionTimeout(Duration)}) before the socket is lent: a server
         * that accepts and never answers costs a caller at most that timeout. Borrowers get an
         * {@link javax.net.ssl.SSLSocket}. The check before each borrow works as for plain sockets: a peer that closed,
         * or data left unread, gets the connection replaced; what TLS sends for itself, such as the session tickets of
         * TLS 1.3, does not.
         *
         * @param context the TLS context, for example {@code SSLContext.getDefault()} to trust the JDK's CAs
         * @return this builder
         * @throws InvalidSettingException for {@code "ssl"} when the context is null
         */
        public Builder ssl(SSLContext context) {
            if (context == null) {
                throw new InvalidSettingException(
                        "ssl", null, "ssl must be an SSLContext, but was null (leave it unset for plain TCP)");
            }
            this.ssl = context;
            return this;
        }

        /**
         * Sets whether a TLS connection checks that the server's certificate names the host connected to, as HTTPS
         * does (default true); without the check any certificate the context trusts is accepted. Unused without
         * {@link #ssl(SSLContext)}.
         *
         * @param verify whether to check the host name against the certificate
         * @return this builder
         */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /**
         * Checks the settings and starts the pool; no connection is opened until one is needed (or {@code minIdle}
         * asks for it).
         *
         * <p>A creation (connect, and TLS handshake) ends on its own within the connection timeout plus half of it, at
         * most one second more: the pool ends the caller's wait at the connection timeout, and the creation closes its
         * socket soon after, so a hung connect never holds a slot much longer.
         *
         * @return the new pool
         * @throws InvalidSettingException naming the first bad setting
         */
        public TcpConnectionPool build() {
            PoolConfig config = toConfig();
            TcpConnector connector = new TcpConnector(
                    config.connectionTimeout(),
                    readTimeoutMillis(readTimeout),
                    tcpNoDelay,
                    keepAlive,
                    ssl,
                    verifyHostname);
            parts(address, connector, connector);
            if (!hasResetter()) {
                resetOnReturn(connector);
            }
            if (!hasCloser()) {
                closer(connector);
            }
            return new TcpConnectionPool(this);
        }

        /** {@code SO_TIMEOUT} for a read timeout: 0 for none, else whole milliseconds rounded up (see the setter). */
        static int readTimeoutMillis(Duration readTimeout) {
            return readTimeout.isZero()
                    ? 0
                    : TransportSocket.millisAtLeastOne(TcpConnector.saturatedNanos(readTimeout));
        }
    }
}
