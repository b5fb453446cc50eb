package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import java.util.Objects;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Runs the pool's cleanup on a Spring task scheduler every {@code pool.cleanup.interval}, in place of the pool's own
 * cleanup thread: the application's scheduling runs this {@code @Scheduled} method when the application enables
 * scheduling ({@code @EnableScheduling}), the starter's own scheduler otherwise, without enabling
 * scheduling for the application's other beans.
 *
 * <p>Either stops the task before beans are destroyed, so no run starts once the context is closing; a run that would
 * still reach a closed pool does nothing.
 */
public class PoolCleanupTask {

    private final ConnectionPool<?, ?> pool;

    /**
     * Creates the task.
     *
     * @param pool the pool to clean
     */
    public PoolCleanupTask(ConnectionPool<?, ?> pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /** One cleanup pass; see {@link ConnectionPool#runCleanup()}. */
    @Scheduled(initialDelayString = "${pool.cleanup.interval:30s}", fixedDelayString = "${pool.cleanup.interval:30s}")
    public void runCleanup() {
        pool.runCleanup();
    }
}
