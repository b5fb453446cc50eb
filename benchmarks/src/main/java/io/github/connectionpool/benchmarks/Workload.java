package io.github.connectionpool.benchmarks;

import org.openjdk.jmh.infra.Blackhole;

/** What a borrower does with the connection between borrowing and returning it. */
public enum Workload {
    /** Nothing: borrow, return. Measures the pool's own cost. */
    BARE,
    /** A little CPU work while holding the connection ({@value #HELD_WORK_TOKENS} JMH CPU tokens, about a microsecond). */
    HELD,
    /**
     * The held work, then {@link Thread#yield()} while still holding the connection. A virtual thread leaves its
     * carrier there, as it would on I/O, so thousands of virtual threads really queue for 16 connections.
     */
    YIELDING;

    /** The CPU work of a held cycle, in {@link Blackhole#consumeCPU(long)} tokens. */
    public static final long HELD_WORK_TOKENS = 200;

    /**
     * Uses a borrowed connection.
     *
     * @param connection the borrowed connection
     * @param blackhole where the connection goes so the JIT cannot drop the borrow; {@code null} on threads that have
     *     none (virtual threads), where the borrow's own side effects keep it alive
     */
    public void use(Object connection, Blackhole blackhole) {
        if (blackhole != null) {
            blackhole.consume(connection);
        }
        if (this != BARE) {
            Blackhole.consumeCPU(HELD_WORK_TOKENS);
        }
        if (this == YIELDING) {
            Thread.yield();
        }
    }
}
