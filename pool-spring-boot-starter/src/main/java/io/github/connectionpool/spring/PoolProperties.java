package io.github.connectionpool.spring;

import io.github.connectionpool.PoolBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code pool.*} settings of the auto-configured {@link io.github.connectionpool.tcp.TcpConnectionPool}s: the
 * top-level pool's, which are also the defaults of every pool under {@code pool.instances}.
 *
 * <p>Durations take Spring Boot's syntax ({@code 500ms}, {@code 30s}, {@code 5m}, or ISO-8601 {@code PT30S}); a plain
 * number is read as milliseconds. A zero duration switches off {@code max-idle-time}, {@code max-lifetime},
 * {@code leak-detection-threshold} and {@code read-timeout}.
 */
@ConfigurationProperties("pool")
public class PoolProperties {

    /** Whether to auto-configure the TCP connection pools, their meters and their health (the whole starter). */
    private boolean enabled = true;

    /**
     * Name of the top-level pool, used in log lines, thread names, exception messages, the "pool" tag of its meters and
     * its health entry.
     */
    private String name = "tcp";

    /** Host the pool connects to. */
    private String host = "localhost";

    /**
     * Port the pool connects to, from 1 to 65535. Required unless a TcpConnectionDetails bean supplies the address, or
     * only pool.instances (or pools of the application's own) are wanted.
     */
    private Integer port;

    /** Maximum number of live connections, counting those being created. */
    private int maxSize = 10;

    /** Number of idle connections the cleanup keeps ready, creating them when needed. */
    private int minIdle = 0;

    /** How long a connection may stay idle before the cleanup closes it; 0 keeps idle connections. */
    private Duration maxIdleTime = Duration.ofMinutes(5);

    /** How long a connection may live in total before it is retired (with a small jitter); 0 for no limit. */
    private Duration maxLifetime = Duration.ofMinutes(30);

    /** Maximum time to open one connection. */
    private Duration connectionTimeout = Duration.ofSeconds(10);

    /** Maximum time a caller waits for a connection; 0 takes a connection only if one is at hand. */
    private Duration acquireTimeout = Duration.ofSeconds(30);

    /** Maximum time one validation may take; also the longest the health check waits. */
    private Duration validationTimeout = Duration.ofSeconds(5);

    /**
     * A connection used or checked less than this long ago is lent without checking it again; 0 checks every borrow
     * (a cheap non-blocking peek for TCP).
     */
    private Duration validationBypassWindow = Duration.ZERO;

    /** How long a connection may be held before a possible leak is logged with the borrower's stack; 0 for off. */
    private Duration leakDetectionThreshold = Duration.ZERO;

    /**
     * Up to how many waiting callers every returned connection goes to the oldest waiter, strictly first come, first
     * served. With more waiting, a caller served from the queue may take back the connection it returns for about a
     * millisecond (a turn), which keeps a pool with many more threads than connections from switching threads on every
     * borrow.
     */
    private int strictFifoUpTo = PoolBuilder.DEFAULT_STRICT_FIFO_UP_TO;

    /**
     * How long a read on a borrowed socket may block (SO_TIMEOUT) before it fails with a SocketTimeoutException; 0 for
     * no limit. Finite by default, as Boot's own clients are, so that a server that stops answering costs a caller 30
     * seconds rather than a thread for good; set 0 for protocols that wait on purpose (blocking pops, subscriptions).
     */
    private Duration readTimeout = Duration.ofSeconds(30);

    /** Whether new sockets send small writes at once (TCP_NODELAY), as request-response protocols want. */
    private boolean tcpNoDelay = true;

    /** Whether the operating system probes idle connections (SO_KEEPALIVE), so that a vanished peer is found. */
    private boolean keepAlive = true;

    /** TLS for the pool's connections. */
    private final Ssl ssl = new Ssl();

    /** The cleanup run on Spring's task scheduler. */
    private final Cleanup cleanup = new Cleanup();

    /**
     * More pools, by name: each is a TcpConnectionPool bean named "<name>ConnectionPool", injectable with
     * {@code @Qualifier("<name>")}, whose pool name is the key. Each takes every per-pool property above (not enabled,
     * name or instances); what it leaves out is taken from pool.*, then from the default.
     */
    private Map<String, PoolInstanceProperties> instances = new LinkedHashMap<>();

    public Duration getReadTimeout() {
        return readTimeout;
    }

    public void setReadTimeout(Duration readTimeout) {
        this.readTimeout = readTimeout;
    }

    public boolean isTcpNoDelay() {
        return tcpNoDelay;
    }

    public void setTcpNoDelay(boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
    }

    public boolean isKeepAlive() {
        return keepAlive;
    }

    public void setKeepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
    }

    public Map<String, PoolInstanceProperties> getInstances() {
        return instances;
    }

    public void setInstances(Map<String, PoolInstanceProperties> instances) {
        this.instances = instances;
    }

    public int getStrictFifoUpTo() {
        return strictFifoUpTo;
    }

    public void setStrictFifoUpTo(int strictFifoUpTo) {
        this.strictFifoUpTo = strictFifoUpTo;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public Integer getPort() {
        return port;
    }

    public void setPort(Integer port) {
        this.port = port;
    }

    public int getMaxSize() {
        return maxSize;
    }

    public void setMaxSize(int maxSize) {
        this.maxSize = maxSize;
    }

    public int getMinIdle() {
        return minIdle;
    }

    public void setMinIdle(int minIdle) {
        this.minIdle = minIdle;
    }

    public Duration getMaxIdleTime() {
        return maxIdleTime;
    }

    public void setMaxIdleTime(Duration maxIdleTime) {
        this.maxIdleTime = maxIdleTime;
    }

    public Duration getMaxLifetime() {
        return maxLifetime;
    }

    public void setMaxLifetime(Duration maxLifetime) {
        this.maxLifetime = maxLifetime;
    }

    public Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    public Duration getAcquireTimeout() {
        return acquireTimeout;
    }

    public void setAcquireTimeout(Duration acquireTimeout) {
        this.acquireTimeout = acquireTimeout;
    }

    public Duration getValidationTimeout() {
        return validationTimeout;
    }

    public void setValidationTimeout(Duration validationTimeout) {
        this.validationTimeout = validationTimeout;
    }

    public Duration getValidationBypassWindow() {
        return validationBypassWindow;
    }

    public void setValidationBypassWindow(Duration validationBypassWindow) {
        this.validationBypassWindow = validationBypassWindow;
    }

    public Duration getLeakDetectionThreshold() {
        return leakDetectionThreshold;
    }

    public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
        this.leakDetectionThreshold = leakDetectionThreshold;
    }

    public Ssl getSsl() {
        return ssl;
    }

    public Cleanup getCleanup() {
        return cleanup;
    }

    /** The {@code pool.ssl.*} settings. */
    public static class Ssl {

        /**
         * Whether the pool's connections use TLS. On by itself when a bundle is set (unless set to false); true without
         * a bundle uses the JDK's default SSLContext, which trusts the JDK's CAs (javax.net.ssl.trustStore if set).
         */
        private Boolean enabled;

        /**
         * Name of the Spring Boot SSL bundle (spring.ssl.bundle.jks.<name> or spring.ssl.bundle.pem.<name>) whose trust
         * material, key material, protocol and options the pool's TLS connections use. Setting it turns TLS on; a blank
         * name is none.
         */
        private String bundle;

        /**
         * Whether a TLS connection checks that the server's certificate names the host connected to, as HTTPS does.
         * Turning it off accepts any certificate the trust material trusts, whatever host it was issued for.
         */
        private boolean verifyHostname = true;

        public Boolean getEnabled() {
            return enabled;
        }

        public void setEnabled(Boolean enabled) {
            this.enabled = enabled;
        }

        public String getBundle() {
            return bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }

        public boolean isVerifyHostname() {
            return verifyHostname;
        }

        public void setVerifyHostname(boolean verifyHostname) {
            this.verifyHostname = verifyHostname;
        }
    }

    /** The {@code pool.cleanup.*} settings. */
    public static class Cleanup {

        /** Whether a scheduled task runs the pool's cleanup (closing idle and expired connections, refilling min-idle). */
        private boolean enabled = true;

        /** Time between the end of one cleanup run and the start of the next. */
        private Duration interval = Duration.ofSeconds(30);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }
    }
}
