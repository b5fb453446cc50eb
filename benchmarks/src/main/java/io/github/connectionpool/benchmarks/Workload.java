package io.github.connectionpool.benchmarks;

import org.openjdk.jmh.infra.Blackhole;

/** What a borrower does with the connection between borrowing and returning it. */
public enum Workload {
    /** Nothing: borrow, return. Measures the pool's own cost. */
    BARE,
    /**
     * A little CPU work while holding the connection ({@value #HELD_WORK_TOKENS} JMH CPU tokens, about 0.4 µs on the
     * machine of the published runs).
     */
    HELD,
    /**
     * A quarter of the held work ({@value #SHORT_WORK_TOKENS} tokens, about 0.1 µs): the pool's own cost is a larger
     * share of each cycle, so what it loses to queueing shows more.
     */
    HELD_SHORT,
    /**
     * The held work, then {@link Thread#yield()} while still holding the connection. A virtual thread leaves its
     * carrier there, as it would on I/O, so thousands of virtual threads really queue for 16 connections.
     */
    YIELDING;

    /** The CPU work of a held cycle, in {@link Blackhole#consumeCPU(long)} tokens. */
    public static final long HELD_WORK_TOKENS = 200;

    /** The CPU work of a short held cycle, in {@link Blackhole#consumeCPU(long)} tokens. */
    public static final long SHORT_WORK_TOKENS = 50;

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
        if (this == HELD_SHORT) {
            Blackhole.consumeCPU(SHORT_WORK_TOKENS);
        } else if (this != BARE) {
            Blackhole.consumeCPU(HELD_WORK_TOKENS);
        }
        if (this == YIELDING) {
            Thread.yield();
        }
    }
}
