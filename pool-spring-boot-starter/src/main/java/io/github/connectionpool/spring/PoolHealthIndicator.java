package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolStats;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether a pool can serve: UP with {@code pool}, {@code active}, {@code idle}, {@code pending} and
 * {@code max} details, DOWN with the error when the target cannot be reached.
 *
 * <p>A pool whose connections are all lent out is busy, not broken: it is UP without a probe. Otherwise the check
 * borrows a connection (the pool validates it, or opens one) and gives it back at once, waiting at most the given
 * timeout ({@code validation-timeout}); see {@link HealthProbe} for how that borrow stays out of the pool's timeout
 * count and timers. When no connection comes in time and the pool has no live connection, it is DOWN with the last
 * creation error.
 */
public class PoolHealthIndicator implements HealthIndicator {

    private final ConnectionPool<?, ?> pool;
    private final Duration timeout;

    /**
     * Creates the indicator.
     *
     * @param pool the pool to check
     * @param timeout the longest the check may wait for a connection
     */
    public PoolHealthIndicator(ConnectionPool<?, ?> pool, Duration timeout) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public Health health() {
        if (pool.isClosed()) {
            return closed();
        }
        PoolStats before = pool.stats();
        if (before.idle() == 0 && before.active() > 0 && before.active() >= before.maxSize()) {
            return details(Health.up(), before).build();
        }
        HealthProbe probe = HealthProbe.run(pool, timeout);
        return switch (probe.outcome()) {
            case SERVED -> details(Health.up(), pool.stats()).build();
            case TIMED_OUT -> timedOut(probe.failure());
            case FAILED -> failed(probe.failure());
        };
    }

    private Health timedOut(Throwable timeout) {
        PoolStats now = pool.stats();
        if (now.active() > 0) {
            return details(Health.up(), now).build(); // busy: every connection is lent out
        }
        Throwable last = pool.lastCreationError();
        return down(last != null ? last : timeout);
    }

    private Health failed(Throwable failure) {
        if (failure instanceof PoolClosedException) {
            return closed();
        }
        if (failure instanceof ConnectionCreationException && failure.getCause() != null) {
            return down(failure.getCause());
        }
        return down(failure);
    }

    private Health closed() {
        return details(Health.down(), pool.stats())
                .withDetail("error", "pool closed")
                .build();
    }

    private Health down(Throwable error) {
        return details(Health.down(), pool.stats()).withException(error).build();
    }

    private Health.Builder details(Health.Builder builder, PoolStats stats) {
        return builder.withDetail("pool", pool.name())
                .withDetail("active", stats.active())
                .withDetail("idle", stats.idle())
                .withDetail("pending", stats.pending())
                .withDetail("max", stats.maxSize());
    }
}
