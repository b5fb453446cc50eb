package io.github.connectionpool.internal;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The callers waiting for a connection, oldest first.
 *
 * <p>A doubly linked list under a lock, so that a waiter that gives up leaves in constant time and the count of
 * waiters stays exact. The lock guards only the links: no user code and no I/O run under it. {@link #size()} is a
 * volatile read without the lock; the pool pairs "publish a connection, then read the size" with "add a waiter, then
 * look for connections" so that one of the two always sees the other.
 *
 * <p><b>Order.</b> The queue is kept in arrival order ({@link Waiter#arrival}): {@link #add} appends the newest caller,
 * and {@link #addAgain} puts a caller back at the place its first arrival gave it.
 *
 * @param <T> the connection type
 */
final class WaiterQueue<T> {

    private final ReentrantLock lock = new ReentrantLock();
    private volatile Waiter<T> head; // written under the lock; read without it by peek()
    private Waiter<T> tail;
    private volatile int size;
    /** Waiters that do not look for connections themselves (asynchronous ones, virtual threads): see ReturnBackstop. */
    private volatile int blind;
    /** The next caller's place in arrival order; guarded by the lock. */
    private long arrivals;

    int size() {
        return size;
    }

    /** How many waiters do not {@linkplain Waiter#looks look} for connections themselves. */
    int blind() {
        return blind;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(Waiter<T> waiter) {
        lock.lock();
        try {
            waiter.arrival = arrivals++;
            linkBefore(waiter, null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts a caller back that was served a connection that then failed its check, in the place it had: behind the
     * callers that arrived before it (others put back meanwhile), ahead of every caller that arrived after it (see
     * {@code SlowBorrow}). The walk from the head is short: a caller is served from the head, so only callers put back
     * after being served as well can have arrived before it.
     *
     * @param waiter the caller's new wait
     * @param first the wait it was served from
     */
    void addAgain(Waiter<T> waiter, Waiter<T> first) {
        lock.lock();
        try {
            waiter.arrival = first.arrival;
            Waiter<T> after = head;
            while (after != null && after.arrival < waiter.arrival) {
                after = after.next;
            }
            linkBefore(waiter, after);
        } finally {
            lock.unlock();
        }
    }

    /** Links {@code waiter} in ahead of {@code after}, or at the tail when that is {@code null}; under the lock. */
    private void linkBefore(Waiter<T> waiter, Waiter<T> after) {
        Waiter<T> before = after == null ? tail : after.previous;
        waiter.previous = before;
        waiter.next = after;
        if (before == null) {
            head = waiter;
        } else {
            before.next = waiter;
        }
        if (after == null) {
            tail = waiter;
        } else {
            after.previous = waiter;
        }
        waiter.queued = true;
        size = size + 1;
        if (!waiter.looks) {
            blind = blind + 1;
        }
    }

    /** The oldest waiter, read without the lock: it may leave the queue at any moment. */
    Waiter<T> peek() {
        return head;
    }

    /**
     * Takes the oldest waiter out, or returns {@code null} when there is none. The next one, now the oldest, is woken
     * to watch for idle connections (see {@link OldestWaiter}).
     */
    Waiter<T> poll() {
        return poll(false);
    }

    /**
     * As {@link #poll()}, but only a waiter that {@linkplain Waiter#checksItself checks its connection itself}: with an
     * asynchronous one (or a probe) oldest, returns {@code null} and leaves it there.
     */
    Waiter<T> pollOneThatChecks() {
        return poll(true);
    }

    private Waiter<T> poll(boolean onlyOneThatChecks) {
        if (size == 0) {
            return null;
        }
        Waiter<T> first;
        Waiter<T> nextOldest = null;
        lock.lock();
        try {
            first = head;
            if (first != null && onlyOneThatChecks && !first.checksItself) {
                first = null;
            }
            if (first != null) {
                unlink(first);
                nextOldest = head;
            }
        } finally {
            lock.unlock();
        }
        if (nextOldest != null) {
            nextOldest.wake(); // outside the lock: unparking is a system call
        }
        return first;
    }

    /** Takes a waiter out wherever it is; does nothing when it already left. Wakes a new oldest waiter, as poll. */
    void remove(Waiter<T> waiter) {
        Waiter<T> nextOldest = null;
        lock.lock();
        try {
            if (waiter.queued) {
                boolean wasOldest = waiter == head;
                unlink(waiter);
                nextOldest = wasOldest ? head : null;
            }
        } finally {
            lock.unlock();
        }
        if (nextOldest != null) {
            nextOldest.wake();
        }
    }

    private void unlink(Waiter<T> waiter) {
        Waiter<T> before = waiter.previous;
        Waiter<T> after = waiter.next;
        if (before == null) {
            head = after;
        } else {
            before.next = after;
        }
        if (after == null) {
            tail = before;
        } else {
            after.previous = before;
        }
        waiter.previous = null;
        waiter.next = null;
        waiter.queued = false;
        size = size - 1;
        if (!waiter.looks) {
            blind = blind - 1;
        }
    }
}
