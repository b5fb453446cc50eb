package io.github.connectionpool;

/**
 * A snapshot of a pool, from {@link ConnectionPool#stats()}.
 *
 * <p>Each number is never negative and {@code total = active + idle + creating} never exceeds {@code maxSize}. The
 * snapshot is exact when the pool is quiet; while it is busy each number is exact for some instant of the call.
 *
 * @param active connections lent out (including those being handed over, or checked or closed by a borrower)
 * @param idle connections in the pool, ready to lend (including those the cleanup is checking or closing)
 * @param pending callers waiting for a connection
 * @param total live connections: {@code active + idle} plus those being created (see {@link #creating()})
 * @param maxSize the most live connections the pool allows
 * @param created connections created since the pool was built
 * @param destroyed connections the pool closed since it was built
 * @param timeouts borrows that failed with {@link PoolTimeoutException} since the pool was built: timed out,
 *     interrupted, or failed by the timeout of the creation they waited for
 * @param creationFailures creations that failed or timed out since the pool was built
 * @param validationFailures validations that found a connection unusable since the pool was built
 */
public record PoolStats(
        int active,
        int idle,
        int pending,
        int total,
        int maxSize,
        long created,
        long destroyed,
        long timeouts,
        long creationFailures,
        long validationFailures) {

    /**
     * Connections being created: {@code total - active - idle}. A creation the pool gave up on (its connection timeout
     * passed, or the pool closed) still counts while the creator's call runs on a pool thread: a creator that blocks
     * and ignores interruption never has more calls running than {@code maxSize}, and a call that never returns keeps
     * one slot for good. A call that returned a stage the pool stopped waiting for counts no more.
     *
     * @return the number of creations in flight
     */
    public int creating() {
        return total - active - idle;
    }

    /**
     * A short form for log lines and exception messages.
     *
     * @return for example {@code active=3, idle=1, pending=0, total=4, max=10}
     */
    public String summary() {
        return "active=" + active + ", idle=" + idle + ", pending=" + pending + ", total=" + total + ", max=" + maxSize;
    }
}
