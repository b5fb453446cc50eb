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
 * @param <T> the connection type
 */
final class WaiterQueue<T> {

    private final ReentrantLock lock = new ReentrantLock();
    private Waiter<T> head;
    private Waiter<T> tail;
    private volatile int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(Waiter<T> waiter) {
        lock.lock();
        try {
            waiter.previous = tail;
            waiter.next = null;
            if (tail == null) {
                head = waiter;
            } else {
                tail.next = waiter;
            }
            tail = waiter;
            waiter.queued = true;
            size = size + 1;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the oldest waiter out, or returns {@code null} when there is none. */
    Waiter<T> poll() {
        if (size == 0) {
            return null;
        }
        lock.lock();
        try {
            Waiter<T> first = head;
            if (first != null) {
                unlink(first);
            }
            return first;
        } finally {
            lock.unlock();
        }
    }

    /** Takes a waiter out wherever it is; does nothing when it already left. */
    void remove(Waiter<T> waiter) {
        lock.lock();
        try {
            if (waiter.queued) {
                unlink(waiter);
            }
        } finally {
            lock.unlock();
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
    }
}
