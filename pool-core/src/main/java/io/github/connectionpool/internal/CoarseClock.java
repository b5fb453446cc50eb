package io.github.connectionpool.internal;

import java.util.concurrent.TimeUnit;

/**
 * A clock for the borrow and return paths that costs a volatile read instead of a {@code System.nanoTime()} call
 * (about 25 ns each, twice per cycle: most of an uncontended cycle). The pool's scheduler moves it forward every
 * {@link #period()}; readings lag real time by at most one period.
 *
 * <p>Used only with the system ticker and only when nothing needs exact times on the hot path (no listener, no leak
 * detection). What it times there tolerates the lag: the validation bypass window (the period is an eighth of it), idle
 * time and lifetime (minutes). What it costs: a connection may be lent unchecked up to one period past its bypass
 * window, and the scheduler wakes once a period. A zero window is never lengthened: with it every borrow is checked,
 * whatever the clock reads ({@code LendingCheck#recentlyChecked}). The period follows the bypass window the user set;
 * 10 ms and 1 s bound it so that a tiny window does not keep the scheduler busy and a long one still moves idle times
 * along. The 25 ns were measured on the 2-core machine this was tuned on ({@code CoarseClockTest};
 * {@code ValidationTest} fails when the clock stops).
 */
final class CoarseClock {

    private static final long MIN_PERIOD = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_PERIOD = TimeUnit.SECONDS.toNanos(1);

    private final long period;
    private volatile long now = System.nanoTime();

    CoarseClock(long bypassNanos) {
        this.period = bypassNanos <= 0 ? MAX_PERIOD : Math.max(MIN_PERIOD, Math.min(MAX_PERIOD, bypassNanos / 8));
    }

    long now() {
        return now;
    }

    void tick() {
        now = System.nanoTime();
    }

    long period() {
        return period;
    }
}
