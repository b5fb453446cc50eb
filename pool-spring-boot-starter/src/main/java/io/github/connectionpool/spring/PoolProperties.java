package io.github.connectionpool.spring;

import io.github.connectionpool.PoolBuilder;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code pool.*} settings of the auto-configured {@link io.github.connectionpool.tcp.TcpConnectionPool}.
 *
 * <p>Durations take Spring Boot's syntax ({@code 500ms}, {@code 30s}, {@code 5m}, or ISO-8601 {@code PT30S}); a plain
 * number is read as milliseconds. A zero duration switches off {@code max-idle-time}, {@code max-lifetime} and
 * {@code leak-detection-threshold}.
 */
@ConfigurationProperties("pool")
public class PoolProperties {

    /** Whether to auto-configure the TCP connection pool. */
    private boolean enabled = true;

    /** Name of the pool, used in log lines, thread names, exception messages and the "pool" tag of its meters. */
    private String name = "tcp";

    /** Host the pool connects to. */
    private String host = "localhost";

    /** Port the pool connects to, from 1 to 65535. Required. */
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

    /** The cleanup run on Spring's task scheduler. */
    private final Cleanup cleanup = new Cleanup();

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

    public Cleanup getCleanup() {
        return cleanup;
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
