package io.github.connectionpool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slot of a pool: a connection (or none) and the state that says who owns it.
 *
 * <p>The state lives in one {@code long} stamp: the low three bits are the {@linkplain #state(long) state}, the rest a
 * generation that grows each time the slot is lent. A lease remembers the stamp it was lent under, so a second
 * {@code close()} of the same lease, or one that comes after the slot was lent again, no longer matches and does
 * nothing.
 *
 * <p>Ownership: whoever moves the stamp out of {@link #IDLE} or {@link #EMPTY} with a successful CAS owns the slot and
 * may read and write its plain fields until it publishes them with the next stamp write. The other threads only read
 * the stamp (and, for leak detection, {@code leasedAt} and {@code borrower} of a lent slot, checked against the stamp
 * afterwards; and, as hints before a CAS, the turn fields of an idle slot).
 *
 * <p>Layout: the fields that change sit between two paddings, {@code EntryPadding} before them and the padding fields
 * of this class after them, so that no other slot's, nor any other object's, fields share their cache lines. Threads
 * that each keep to their own slot would otherwise still slow each other down: a CAS on one stamp invalidates the line
 * that a neighbour's fields sit on.
 *
 * @param <T> the connection type
 */
public final class Entry<T> extends EntryFields<T> {

    /** No connection; capacity for one more. */
    static final int EMPTY = 0;
    /** A connection is being created for this slot. */
    static final int CREATING = 1;
    /** A connection sits in the pool, ready to lend. */
    static final int IDLE = 2;
    /** The connection is lent to a borrower. */
    static final int LEASED = 3;
    /** One thread holds the connection for a moment: to validate it, hand it over or close it. */
    static final int RESERVED = 4;
    /**
     * The cleanup or {@code close()} holds an idle connection for a moment, to validate or close it: still in the pool,
     * not lent ({@link PoolEngine#stats()} counts it idle). Otherwise the same as {@link #RESERVED}.
     */
    static final int SWEPT = 5;

    private static final int STATE_BITS = 3;
    private static final long STATE_MASK = (1L << STATE_BITS) - 1;
    @SuppressWarnings("unused") // padding: keeps the fields above off the cache lines of whatever follows this slot
    private long q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15, q16;

    /** The pool the slot belongs to: a borrower's handle reaches the pool through it. */
    public final PoolEngine<T, ?> engine;
    /** The slot's number in the pool, for log lines. */
    public final int index;

    /**
     * Creates an empty slot.
     *
     * @param engine the pool
     * @param index the slot's number
     */
    Entry(PoolEngine<T, ?> engine, int index) {
        this.engine = engine;
        this.index = index;
    }

    /**
     * Reads the stamp.
     *
     * @return the current stamp
     */
    long stamp() {
        return (long) STAMP.getVolatile(this);
    }

    /**
     * Moves the stamp from one value to another, atomically.
     *
     * @param expected the stamp the caller saw
     * @param next the stamp to set
     * @return whether the stamp was {@code expected} and is now {@code next}
     */
    boolean compareAndSet(long expected, long next) {
        return STAMP.compareAndSet(this, expected, next);
    }

    /**
     * Sets the stamp; only the slot's owner may do this.
     *
     * @param next the stamp to set
     */
    void set(long next) {
        STAMP.setVolatile(this, next);
    }

    /**
     * The state part of a stamp.
     *
     * @param stamp a stamp
     * @return one of {@link #EMPTY}, {@link #CREATING}, {@link #IDLE}, {@link #LEASED}, {@link #RESERVED},
     *     {@link #SWEPT}
     */
    static int state(long stamp) {
        return (int) (stamp & STATE_MASK);
    }

    /**
     * The same generation in another state.
     *
     * @param stamp a stamp
     * @param state the new state
     * @return the stamp with its state replaced
     */
    static long with(long stamp, int state) {
        return (stamp & ~STATE_MASK) | state;
    }

    /**
     * The stamp of the next lease: the next generation, {@link #LEASED}.
     *
     * @param stamp the current stamp
     * @return a stamp no earlier lease of this slot carried
     */
    static long nextLease(long stamp) {
        return ((stamp & ~STATE_MASK) + (1L << STATE_BITS)) | LEASED;
    }

    /**
     * Tries to take this slot while it is idle, lending it at once.
     *
     * @return the lease stamp, or {@code -1} when the slot was not idle or another thread took it first
     */
    long tryLease() {
        long current = stamp();
        if (state(current) != IDLE) {
            return -1;
        }
        long leased = nextLease(current);
        return compareAndSet(current, leased) ? leased : -1;
    }

    /**
     * Whether the connection is in the given thread's turn at the given time. Exact for the slot's owner; a hint for
     * any other thread (which reads the stamp first and moves it with a CAS afterwards: ownership stays safe, the
     * turn may be stale).
     *
     * @param threadId a thread's id
     * @param now real time
     * @return whether the turn is that thread's and has not ended
     */
    boolean inTurnOf(long threadId, long now) {
        return turnHolder == threadId && now - turnEnds < 0;
    }

    /**
     * Whether the connection is in anyone's turn at the given time, under the same conditions as {@link #inTurnOf}.
     *
     * @param now real time
     * @return whether a turn is running
     */
    boolean inTurn(long now) {
        return turnHolder != 0 && now - turnEnds < 0;
    }

    /**
     * Tries to move this slot from one state to another, keeping the generation.
     *
     * @param from the state expected
     * @param to the state to set
     * @return whether this thread made the move
     */
    boolean tryMove(int from, int to) {
        long current = stamp();
        return state(current) == from && compareAndSet(current, with(current, to));
    }

    @Override
    public String toString() {
        return "Entry[" + index + ", state=" + state(stamp()) + "]";
    }
}

/** The padding before an entry's fields (see {@link Entry}): 132 bytes, as x86 processors fetch cache lines in pairs. */
abstract class EntryPadding {
    @SuppressWarnings("unused") // the int fills the gap after the object header, which a subclass field would take
    private int p00;

    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
}

/**
 * The fields of an entry that change, between its two paddings (see {@link Entry}).
 *
 * @param <T> the connection type
 */
abstract class EntryFields<T> extends EntryPadding {

    static final VarHandle STAMP;

    static {
        try {
            STAMP = MethodHandles.lookup().findVarHandle(EntryFields.class, "stamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STAMP
    private volatile long stamp;

    /** The connection; set while the slot is owned, {@code null} when {@link Entry#EMPTY}. */
    T connection;
    /** Ticker time of the creation. */
    long createdAt;
    /** How long the connection may live, jitter applied ({@code Long.MAX_VALUE} for forever). */
    long lifetime = Long.MAX_VALUE;
    /** Ticker time of the last return (or of the creation): the start of the idle time. */
    long lastUsed;
    /** Ticker time of the last return or validation: the start of the validation bypass window. */
    long lastChecked;
    /** Ticker time of the current lease. */
    long leasedAt;
    /** Where the current lease was borrowed, when leak detection is on; otherwise {@code null}. */
    Throwable borrower;
    /**
     * The id of the thread whose turn this connection is in, or 0: a caller served from the queue may borrow it again
     * while others wait, until {@link #turnEnds} (see {@code PoolEngine}). Written by the slot's owner (and,
     * harmlessly, cleared by a stale second close), published with the stamp like the other plain fields.
     */
    long turnHolder;
    /** Real time ({@link System#nanoTime()}) when the turn ends. */
    long turnEnds;
    /** How many times the turn's holder borrowed the connection again in this turn. */
    int turnUses;
    /** For how many more turns the first return of a turn is not kept (it was kept in vain lately). */
    int keepBackoff;
    /** The stamp of the lease that leak detection has reported, so that it reports each lease once. */
    volatile long leakReportedFor = -1;
}
