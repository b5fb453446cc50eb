package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PoolTimeoutException;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether the pool can serve: UP with {@code active}, {@code idle}, {@code pending} and {@code max} details,
 * DOWN with the error when the target cannot be reached.
 *
 * <p>A pool whose connections are all lent out is busy, not broken: it is UP without a probe. Otherwise the check
 * borrows a connection (the pool validates it, or opens one) and gives it back at once, waiting at most
 * {@code pool.validation-timeout}. When that fails and the pool has no live connection, it is DOWN with the creation
 * error.
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
        try {
            pool.getConnection(timeout).close(); // borrowing validates an idle connection or opens one
            return details(Health.up(), pool.stats()).build();
        } catch (ConnectionCreationException e) {
            return down(e.getCause() != null ? e.getCause() : e);
        } catch (PoolTimeoutException e) {
            PoolStats now = pool.stats();
            if (now.active() > 0) {
                return details(Health.up(), now).build(); // busy: every connection is lent out
            }
            Throwable last = pool.lastCreationError();
            return down(last != null ? last : e);
        } catch (PoolClosedException e) {
            return closed();
        }
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
