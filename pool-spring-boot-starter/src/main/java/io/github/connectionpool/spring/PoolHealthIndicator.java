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
 * Reports whether a pool can serve: UP with {@code pool}, {@code active}, {@code idle}, {@code pending} and
 * {@code max} details, DOWN with the error when the target cannot be reached.
 *
 * <p>A pool whose connections are all lent out is busy, not broken: it is UP without a check. Otherwise the check is
 * {@link ConnectionPool#probe(Duration)}: the pool takes an idle connection (checking it as a borrow does) or opens
 * one, and puts it back at once, waiting at most the given timeout ({@code validation-timeout}). The pool does not
 * report that borrow, so health checks show neither in the timeout count nor in the acquire and usage timers. When no
 * connection comes in time, the pool is busy (UP) if connections are lent out, and DOWN if none is: then the
 * connections it tried to open did not come in time, and the last creation error, if any, says why.
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
            return pool.probe(timeout) ? details(Health.up(), pool.stats()).build() : noConnectionInTime();
        } catch (PoolClosedException e) {
            return closed();
        } catch (ConnectionCreationException e) {
            return down(e.getCause() != null ? e.getCause() : e);
        } catch (PoolTimeoutException e) { // the creation made for the check timed out, or this thread was interrupted
            return down(e);
        }
    }

    private Health noConnectionInTime() {
        PoolStats now = pool.stats();
        if (now.active() > 0) {
            return details(Health.up(), now).build(); // busy: the lent connections stayed lent
        }
        Throwable last = pool.lastCreationError();
        return last != null
                ? down(last)
                : details(Health.down(), now)
                        .withDetail(
                                "error",
                                "no connection within " + timeout.toMillis() + " ms, and none lent out: connecting"
                                        + " takes longer than the check waits")
                        .build();
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
