package io.github.connectionpool.spring;

import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The health check's borrow: on a daemon thread of its own, borrows one connection (so the pool validates an idle one
 * or opens one) and gives it back; the check waits for it at most its timeout.
 *
 * <p>It keeps out of the pool's numbers as far as the pool's public API allows. With an idle connection at hand it
 * borrows synchronously: the pool then checks and lends that connection on this thread, and {@link PoolTimers} leave
 * out what is timed here while the probe borrows and returns. With none at hand it borrows asynchronously and, when
 * the check's time is up, cancels: a cancelled borrow is not a timeout in {@code PoolStats.timeouts()}, where a wait
 * that runs out or is interrupted would be. What stays counted needs the core to mark the borrow: the wait for a new
 * connection, which the pool times on its worker; a creation that times out while the probe is the oldest waiter; and
 * a synchronous borrow whose idle connection another caller took first and whose wait then ran out.
 */
final class HealthProbe extends Thread {

    /** How much longer than the check the borrow itself may wait, so that the check, not the pool, ends it. */
    private static final Duration GRACE = Duration.ofSeconds(1);

    /** What the probe found. */
    enum Outcome {
        /** A connection was borrowed and given back. */
        SERVED,
        /** No connection came within the check's time. */
        TIMED_OUT,
        /** The borrow failed: see {@link HealthProbe#failure()}. */
        FAILED
    }

    private final ConnectionPool<?, ?> pool;
    private final Duration wait;
    private final boolean idleAtHand;
    private final CompletableFuture<Throwable> done = new CompletableFuture<>(); // completed with null: served
    private volatile CompletableFuture<? extends PooledConnection<?>> asyncBorrow;
    // Read only on this thread, by the pool's listener calls made here.
    private boolean borrowing;
    private boolean returning;
    private Throwable failure;

    private HealthProbe(ConnectionPool<?, ?> pool, Duration wait) {
        super("pool-health-" + pool.name());
        setDaemon(true);
        this.pool = pool;
        this.wait = wait;
        this.idleAtHand = pool.stats().idle() > 0;
    }

    /**
     * Borrows and returns one connection, waiting at most {@code timeout}.
     *
     * @param pool the pool to probe
     * @param timeout the longest the caller waits
     * @return the probe, its {@link #outcome()} known
     */
    static HealthProbe run(ConnectionPool<?, ?> pool, Duration timeout) {
        HealthProbe probe = new HealthProbe(pool, timeout);
        probe.start();
        try {
            probe.failure = probe.done.get(TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            probe.giveUp(); // a connection it still gets, it gives back
            probe.failure = new TimeoutException(pool.name() + ": no connection within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            probe.giveUp();
            Thread.currentThread().interrupt();
            probe.failure = new TimeoutException(pool.name() + ": the health check was interrupted");
        } catch (ExecutionException e) {
            probe.failure = e.getCause(); // not reached: the probe completes with its failure as a value
        }
        return probe;
    }

    private void giveUp() {
        CompletableFuture<? extends PooledConnection<?>> borrow = asyncBorrow;
        if (borrow != null) {
            borrow.cancel(false); // uncounted; if it completed first, run() gives the connection back
        } else {
            interrupt();
        }
    }

    Outcome outcome() {
        if (failure == null) {
            return Outcome.SERVED;
        }
        return failure instanceof TimeoutException
                        || failure instanceof PoolTimeoutException
                        || failure instanceof CancellationException
                ? Outcome.TIMED_OUT
                : Outcome.FAILED;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        try {
            PooledConnection<?> lease = borrow();
            returning = true;
            try {
                lease.close();
            } finally {
                returning = false;
            }
            done.complete(null);
        } catch (RuntimeException | Error e) {
            done.complete(e);
        }
    }

    private PooledConnection<?> borrow() {
        borrowing = true;
        try {
            if (idleAtHand) {
                return pool.getConnection(wait.plus(GRACE));
            }
            CompletableFuture<? extends PooledConnection<?>> borrow = pool.getConnectionAsync(wait.plus(GRACE));
            asyncBorrow = borrow;
            if (done.isDone()) {
                borrow.cancel(false); // the check gave up before it could see the borrow
            }
            return borrow.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        } finally {
            borrowing = false;
        }
    }

    /** Whether the calling thread is a probe borrowing: the acquisition timed now is the probe's own. */
    static boolean borrowingOnThisThread() {
        return Thread.currentThread() instanceof HealthProbe probe && probe.borrowing;
    }

    /** Whether the calling thread is a probe giving its connection back: the usage timed now is the probe's own. */
    static boolean returningOnThisThread() {
        return Thread.currentThread() instanceof HealthProbe probe && probe.returning;
    }
}
