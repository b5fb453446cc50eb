package io.github.connectionpool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The clock turns are measured with (see {@code PoolEngine}): real time ({@link System#nanoTime()}), moved forward by
 * the callers that queue or wake in the queue and, every so often, by a caller in its turn, so that returning callers
 * read a volatile instead of calling the system clock. It only moves forward.
 *
 * <p>It is written thousands of times a second while callers queue and read on every return in a turn, so it is kept
 * off the cache lines of the pool's other fields: the padding classes around the value are for that.
 */
final class TurnClock extends TurnClockValue {

    @SuppressWarnings("unused") // padding: keeps the value alone on its cache line
    private long q1, q2, q3, q4, q5, q6, q7;

    TurnClock() {
        now = System.nanoTime();
    }

    /** The time last set. */
    long now() {
        return now;
    }

    /** Moves the clock forward to {@code time}, or leaves it where it is when it is already later. */
    void advance(long time) {
        long current;
        while (time - (current = now) > 0) {
            if (NOW.compareAndSet(this, current, time)) {
                return;
            }
        }
    }
}

/** The padding before the value. */
abstract class TurnClockPadding {
    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7;
}

/** The value. */
abstract class TurnClockValue extends TurnClockPadding {
    static final VarHandle NOW;

    static {
        try {
            NOW = MethodHandles.lookup().findVarHandle(TurnClockValue.class, "now", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile long now;
}
