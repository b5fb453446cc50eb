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
 * <p>Exactly one outcome counts, whichever comes first: the connection, the creator's error, the timeout, or the pool
 * closing. The slot is settled by that outcome alone, so a creator that fails, hangs, or never completes its stage
 * cannot hold the slot past the timeout; a connection that arrives after its creation was settled is closed at once.
 *
 * @param <T> the connection type
 */
final class Creation<T> implements Runnable {

    private final ConnectionFactory<T, ?> factory;
    final Entry<T> entry;
    final long startNanos;
    /** Started in place of creations presumed stalled: not presumed stalled itself (see ConnectionFactory). */
    final boolean replacement;

    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile Future<?> timer;
    private volatile Future<?> stallCheck;
    private volatile Future<?> task;

    Creation(ConnectionFactory<T, ?> factory, Entry<T> entry, long startNanos, boolean replacement) {
        this.factory = factory;
        this.entry = entry;
        this.startNanos = startNanos;
        this.replacement = replacement;
    }

    void timer(Future<?> timer) {
        this.timer = timer;
        if (settled.get()) {
            timer.cancel(false);
        }
    }

    /** The check that starts another creation once this one is presumed stalled; cancelled when this one settles. */
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

    /** Calls the creator; runs on a worker thread. */
    @Override
    public void run() {
        CompletionStage<T> stage;
        try {
            stage = factory.callCreator();
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

    void succeeded(T connection) {
        if (settle()) {
            factory.created(this, connection);
        } else {
            factory.discardLate(connection);
        }
    }

    void failed(Throwable error) {
        if (settle()) {
            factory.failed(this, error, false);
        }
    }

    /** The connection timeout passed: give up on the creator, interrupting it if it is still in its call. */
    void timedOut() {
        if (settle()) {
            Future<?> running = task;
            if (running != null) {
                running.cancel(true); // interrupts the creator only while this very task still runs it
            }
            factory.failed(this, null, true);
        }
    }

    /** The pool closed: settle without a connection. */
    void abandon() {
        if (settle()) {
            factory.abandoned(this);
        }
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
