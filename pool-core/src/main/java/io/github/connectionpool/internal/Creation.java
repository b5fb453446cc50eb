package io.github.connectionpool.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection being made for one slot: the creator's call on a worker thread, raced against the connection
 * timeout.
 *
 * <p><b>Outcome.</b> Exactly one outcome counts for the callers, whichever comes first: the connection, the creator's
 * error, the timeout, or the pool closing; the creation is then <em>settled</em>. A connection that arrives after its
 * creation was settled is closed at once.
 *
 * <p><b>The slot.</b> A creation settled with a connection keeps its slot for that connection; one settled by a failure
 * frees it. One the pool gave up on (timeout, close) frees it as soon as no pool thread is inside the creator's call: at
 * once if the call has returned (a stage still pending is the creator's to finish: its connection, if one comes, is
 * closed on arrival) or was never made, else when the call returns. So a creator that blocks and ignores the interrupt
 * (a blocking connect, {@code DriverManager.getConnection}) never has more calls running than the pool has slots, and
 * a creator whose stage never completes never keeps a slot. The price: a call that never returns keeps its slot for
 * good ({@code stats().creating()} shows it).
 *
 * <p><b>Threads.</b> The timer (or {@code close()}) and the worker in the call race; each side records its step first
 * ({@link #gaveUp}, then {@link #call}) and then reads the other's, so at least one of them sees both and frees the slot,
 * and {@link #slotFreed} makes it once.
 *
 * @param <T> the connection type
 */
final class Creation<T> implements Runnable {

    private static final int NOT_CALLED = 0;
    private static final int IN_CALL = 1;
    private static final int CALLED = 2; // returned, threw, or will never be made

    private final Creations<T, ?> creations;
    final Slot<T> slot;
    /** When it started, on the pool's real-time clock (stall rules). */
    final long startNanos;
    /** When it started, on the pool's ticker (the creation timer of the listener). */
    final long startTicks;
    /** Started in place of creations presumed stalled: never presumed stalled itself (see StallRule). */
    final boolean replacement;

    private final AtomicInteger call = new AtomicInteger(NOT_CALLED);
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicBoolean slotFreed = new AtomicBoolean();
    /** Settled by a timeout or by close(): no connection will be taken from it. */
    private volatile boolean gaveUp;

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

    /** The worker's task running {@link #run()}, cancelled (interrupting the creator's call) when the pool gives up. */
    void task(Future<?> task) {
        this.task = task;
    }

    boolean isSettled() {
        return settled.get();
    }

    /** Whether the pool gave up on it (timeout, close) while the creator's call still runs: a slot serving nobody. */
    boolean heldInCall() {
        return gaveUp && !slotFreed.get();
    }

    /** Calls the creator; runs on a worker thread. */
    @Override
    public void run() {
        if (!call.compareAndSet(NOT_CALLED, IN_CALL)) {
            return; // given up on before the worker came to it: never called
        }
        CompletionStage<T> stage;
        try {
            stage = creations.callCreator();
        } catch (Throwable e) { // the creator is user code: whatever it throws is a creation failure
            callReturned();
            failed(e);
            return;
        }
        callReturned();
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

    private void callReturned() {
        call.set(CALLED);
        if (gaveUp) { // written before the timer read the call's state: see the class comment
            freeSlot(true);
        }
    }

    private void succeeded(T connection) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (settle()) {
            creations.created(this, connection);
        } else {
            creations.arrivedLate(connection);
        }
    }

    private void failed(Throwable error) {
        if (ended.compareAndSet(false, true) && settle()) {
            creations.failed(this, error);
        }
    }

    /** The connection timeout passed: the callers hear of it now; the creator is interrupted if still in its call. */
    void timedOut() {
        giveUp(true);
    }

    /** The pool closed: settle without a connection. */
    void abandon() {
        giveUp(false);
    }

    private void giveUp(boolean timedOut) {
        if (!settle()) {
            return;
        }
        gaveUp = true;
        Future<?> running = task;
        if (running != null) {
            running.cancel(true); // interrupts the creator only while this very task still runs it
        }
        // The slot is free before the callers hear of it (their stats then show no creation); the demand is looked at
        // once they have heard (see Creations.timedOut), so that the oldest of them is the one that fails.
        if (call.compareAndSet(NOT_CALLED, CALLED) || call.get() == CALLED) {
            freeSlot(false); // never called, or the call has returned: nothing of the pool's is in it
        }
        if (timedOut) {
            creations.timedOut(this);
        } else {
            creations.abandoned(this);
        }
    }

    /** @param offer whether to start creations for the callers waiting, if they need one */
    private void freeSlot(boolean offer) {
        if (slotFreed.compareAndSet(false, true)) {
            creations.slotFreed(this, offer);
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
