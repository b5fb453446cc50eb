package io.github.connectionpool.internal;

import io.github.connectionpool.PooledConnection;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A caller waiting for a connection, synchronous or asynchronous alike: whoever serves it completes its future.
 *
 * <p>The future is the single point of agreement between the server and the waiter: a hand-over counts only when
 * {@code future.complete(...)} succeeds; a waiter that timed out, was cancelled or interrupted has completed the
 * future itself first, so the hand-over fails and the connection goes to the next waiter instead of being lost.
 *
 * <p>A synchronous waiter parks its own thread rather than blocking in {@code future.get()}: as the oldest waiter it
 * wakes now and then to look for an idle connection it may take, such as one kept in vain in another caller's turn
 * (see {@link OldestWaiter}). Completing its future unparks it.
 *
 * @param <T> the connection type
 */
public final class Waiter<T> {

    /**
     * Completed with the lease (an asynchronous waiter's), with {@code null} (a synchronous waiter's, which finds its
     * connection in {@link #served}), or with the {@code PoolException} that ends the wait.
     */
    public final CompletableFuture<PooledConnection<T>> future;

    /**
     * An asynchronous waiter's lease from the moment a server hands it over until its future completes with it (on a
     * worker, see {@link Dispatcher}), or until whoever gave up the wait takes it back. Exactly one of the server, the
     * worker and the canceller takes a lease out of here (by compare-and-set), and that one completes or returns it.
     */
    final AtomicReference<PooledConnection<T>> handed = new AtomicReference<>();
    /** Ticker time when the caller started to borrow. */
    final long startNanos;
    /** Where the caller borrowed, when leak detection is on; otherwise {@code null}. */
    final Throwable borrower;
    /** Whether the caller borrowed asynchronously: its future's callbacks are the caller's own code. */
    final boolean async;
    /** The waiting thread of a synchronous waiter; {@code null} for an asynchronous one. */
    final Thread thread;
    /**
     * Whether this waiter, as the oldest, looks for idle connections itself (see {@link OldestWaiter}): a platform
     * thread does. An asynchronous waiter has no thread; a virtual thread could, but waking it every look costs a
     * timer and a trip through its scheduler each time, so turns are not used with virtual threads.
     */
    final boolean looks;
    /**
     * As the oldest waiter: a connection it saw idle in another caller's turn, and its stamp; it takes the connection
     * if it is still idle and untouched when it looks next. Read and written by the waiter's own thread.
     */
    Slot<T> turnCandidate;

    long turnCandidateStamp;

    /**
     * As the oldest waiter: how long it parks before it looks again (see {@link OldestWaiter}). Written by the
     * waiter's own thread; read also by a caller starting a turn, which wakes a waiter that backed off.
     */
    volatile long lookPause = OldestWaiter.LOOKS_EVERY_NANOS;

    /**
     * The slot handed to a synchronous waiter: written by the one server that polled the waiter from the queue, before
     * it completes the future; read by the waiter only after that completion succeeded (which orders the two), never
     * after the waiter completed its own future (a server that failed to complete it may have written it meanwhile).
     * The waiter makes its handle itself, where it may not need to be allocated.
     */
    Slot<T> served;

    /**
     * Whether this waiter checks the connection it is served with itself, on its own thread, as a borrower checks the
     * idle connection it takes: a synchronous borrow does (a health check's probe does not), so that a returned
     * connection whose check is due (a TCP peek, a JDBC validation) does not first go through a pool worker.
     */
    final boolean checksItself;

    /**
     * Whether {@link #served} still needs its check ({@link #checksItself}): written by the server before it completes
     * the future, read by the waiter after, as {@link #served}, through {@link #mustCheck}.
     */
    boolean checkDue;

    // Links of the intrusive queue, guarded by the queue's lock.
    /** The caller's place in arrival order, given when it first queued and kept when it is put back. */
    long arrival;

    Waiter<T> previous;
    Waiter<T> next;
    boolean queued;

    /**
     * Whether the pool reports this wait: its listener times it, and {@code stats().timeouts()} counts its timeout. A
     * probe's wait (a health check) is not reported.
     */
    final boolean reported;

    Waiter(long startNanos, Throwable borrower, boolean async) {
        this(startNanos, borrower, async, true);
    }

    Waiter(long startNanos, Throwable borrower, boolean async, boolean reported) {
        this.reported = reported;
        this.startNanos = startNanos;
        this.borrower = borrower;
        this.async = async;
        this.thread = async ? null : Thread.currentThread();
        this.looks = thread != null && !isVirtual(thread);
        this.checksItself = thread != null && reported;
        this.future = async ? new CancellableWait() : new CompletableFuture<>();
        if (thread != null) {
            // Whoever completes the future (a hand-over, a failed creation, close, a timeout) wakes the waiter.
            future.whenComplete((lease, failure) -> {
                if (Thread.currentThread() != thread) {
                    LockSupport.unpark(thread);
                }
            });
        }
    }

    /**
     * Whether the slot this waiter was lent still needs its check, which the waiter runs itself. Asks about that slot:
     * a server that polled this waiter but lost the race to the waiter serving itself ({@link OldestWaiter}) may have
     * written {@link #checkDue} meanwhile, for another slot, which this waiter never got.
     */
    boolean mustCheck(Slot<T> slot) {
        return checkDue && served == slot;
    }

    /**
     * An asynchronous waiter's future. Whoever completes it other than with the lease handed over (a caller that
     * cancels it or completes it, a timeout, {@code close()}) after a lease was handed over, but before the worker
     * completed the future with it, returns the lease on its own thread: so that after {@code cancel} the connection
     * is back in the pool (or with the next waiter), as after any other return, and never stays lent to nobody.
     * ({@code obtrudeValue} and {@code obtrudeException} are not covered: they overwrite a result regardless.)
     */
    private final class CancellableWait extends CompletableFuture<PooledConnection<T>> {

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                returnHanded(null);
            }
            return cancelled;
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            boolean completed = super.completeExceptionally(failure);
            if (completed) {
                returnHanded(null);
            }
            return completed;
        }

        @Override
        public boolean complete(PooledConnection<T> value) {
            boolean completed = super.complete(value);
            if (completed) {
                returnHanded(value); // the worker completing it with the handed lease keeps it
            }
            return completed;
        }

        private void returnHanded(PooledConnection<T> delivered) {
            PooledConnection<T> lease = handed.get();
            if (lease != null && lease != delivered && handed.compareAndSet(lease, null)) {
                lease.close();
            }
        }
    }

    /** Wakes a waiter that {@link #looks} to look at the pool again; does nothing for any other. */
    void wake() {
        if (looks) {
            LockSupport.unpark(thread);
        }
    }

    /** {@code Thread.isVirtual()} where it exists (Java 21+); the build targets Java 17, so it is looked up. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup()
                    .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null; // before Java 21: no virtual threads
        }
    }

    static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual() failed", e);
        }
    }
}
