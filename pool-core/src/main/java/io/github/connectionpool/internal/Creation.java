package io.github.connectionpool.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection being made for one slot: the creator's call on a worker thread, raced against the connection
 * timeout.
 *
 * <p><b>Settled and ended.</b> Exactly one outcome counts for the callers, whichever comes first: the connection, the
 * creator's error, the timeout, or the pool closing; that is when the creation is <em>settled</em>. It has
 * <em>ended</em> once the creator's call has returned and its stage has completed (or the call threw). The slot stays
 * taken until both: a creation the pool gave up on (timeout, close) may still be connecting, and counts against
 * {@code maxSize} until it ends; its connection, if one comes, is closed on arrival. So a creator that ignores
 * interruption never has more calls running than the pool has slots.
 *
 * @param <T> the connection type
 */
final class Creation<T> implements Runnable {

    private final Creations<T, ?> creations;
    final Slot<T> slot;
    /** When it started, on the pool's real-time clock (stall rules, timeouts). */
    final long startNanos;
    /** When it started, on the pool's ticker (the creation timer of the listener). */
    final long startTicks;
    /** Started in place of creations presumed stalled: never presumed stalled itself (see StallRule). */
    final boolean replacement;

    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Future<?> timer;
    private volatile Future<?> stallCheck;
    private volatile Future<?> task;

    Creation(Creations<T, ?> creations, Slot<T> slot, long startNanos, long startTicks, boolean replacement) {
        this.creations = creations;
        this.slot = slot;
        this.startNanos = startNanos;
        this.startTicks = startTicks;
        this.replacement = replacement;
    }

    /** The timer that ends the creation at the connection timeout; cancelled when it settles. */
    void timer(Future<?> timer) {
        this.timer = timer;
        if (settled.get()) {
            timer.cancel(false);
        }
    }

    /** The check that starts another creation once this one is presumed stalled; cancelled when it settles. */
    void stallCheck(Future<?> check) {
        this.stallCheck = check;
        if (settled.get()) {
            check.cancel(false);
        }
    }

    /** The worker's task running {@link #run()}, cancelled (interrupting the creator's call) on a timeout. */
    void task(Future<?> task) {
        this.task = task;
    }

    boolean isSettled() {
        return settled.get();
    }

    /** Calls the creator; runs on a worker thread. */
    @Override
    public void run() {
        CompletionStage<T> stage;
        try {
            stage = creations.callCreator();
        } catch (Throwable e) { // the creator is user code: whatever it throws is a creation failure
            failed(e);
            return;
        }
        if (stage == null) {
            failed(new NullPointerException("the creator returned null instead of a CompletionStage"));
            return;
        }
        stage.whenComplete((connection, error) -> {
            if (error != null) {
                failed(unwrap(error));
            } else if (connection == null) {
                failed(new NullPointerException("the creator completed with null instead of a connection"));
            } else {
                succeeded(connection);
            }
        });
    }

    private void succeeded(T connection) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (settle()) {
            creations.created(this, connection);
        } else {
            creations.endedLate(this, connection);
        }
    }

    private void failed(Throwable error) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (settle()) {
            creations.failed(this, error);
        } else {
            creations.endedLate(this, null);
        }
    }

    /** The connection timeout passed: the callers hear of it now; the creator is interrupted if still in its call. */
    void timedOut() {
        if (settle()) {
            Future<?> running = task;
            if (running != null) {
                running.cancel(true); // interrupts the creator only while this very task still runs it
            }
            creations.timedOut(this);
        }
    }

    /** The pool closed: settle without a connection; the slot is freed once the creation ends. */
    void abandon() {
        if (settle()) {
            Future<?> running = task;
            if (running != null) {
                running.cancel(true);
            }
            creations.abandoned(this);
        }
    }

    /** A creation that was never started (the pool closed first): it has nothing to end. */
    void neverStarted() {
        ended.set(true);
        if (settle()) {
            creations.abandoned(this);
        }
        creations.endedLate(this, null);
    }

    private boolean settle() {
        if (!settled.compareAndSet(false, true)) {
            return false;
        }
        Future<?> pending = timer;
        if (pending != null) {
            pending.cancel(false);
        }
        Future<?> check = stallCheck;
        if (check != null) {
            check.cancel(false);
        }
        return true;
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
