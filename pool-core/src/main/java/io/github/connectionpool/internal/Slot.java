package io.github.connectionpool.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One slot of a pool: a connection (or none) and the state that says who owns it. Every change of state is one of the
 * named transitions below; no other code builds a stamp.
 *
 * <p>The state lives in one {@code long} stamp: the low three bits are the {@linkplain #state(long) state}, the rest a
 * generation that grows each time the slot is lent. A lease remembers the stamp it was lent under, so a second
 * {@code close()} of the same lease, or one that comes after the slot was lent again, no longer matches and does
 * nothing.
 *
 * <pre>
 *   EMPTY --tryStartCreating--> CREATING --created--> RESERVED
 *   IDLE --tryLease--> LEASED --returnIdle--> IDLE             (the uncontended borrow and return)
 *   IDLE --tryTake/tryRetake--> RESERVED --lend--> LEASED --tryEndLease--> RESERVED
 *   IDLE --trySweep--> SWEPT (the cleanup, close(), or a discard off the caller's path)
 *   RESERVED or SWEPT --publishIdle--> IDLE,  --free--> EMPTY,  RESERVED --sweep--> SWEPT
 * </pre>
 *
 * <p>Ownership: whoever moves the stamp out of {@link #IDLE} or {@link #EMPTY} with a successful CAS owns the slot, and
 * may read and write its plain fields until it publishes them with the next stamp write. A {@link #LEASED} slot is
 * owned by its borrower's handle: only the handle's {@code close()}, {@code invalidate()} or {@code detach()} moves it
 * (a second call after the first finds another stamp and does nothing; two threads ending the same lease at the same
 * instant are the caller's race, as with a {@code java.sql.Connection}), so the return is a plain store
 * ({@link #returnIdle}). The other threads only read the stamp (and, for leak detection, {@code leasedAt} and
 * {@code borrower} of a lent slot, checked against the stamp afterwards; and, as hints before a CAS, the turn fields of
 * an idle slot).
 *
 * <p>Layout: the fields that change sit between two paddings, {@code SlotPadding} before them and the padding fields
 * of this class after them, so that no other slot's, nor any other object's, fields share their cache lines. Threads
 * that each keep to their own slot would otherwise still slow each other down: a CAS on one stamp invalidates the line
 * that a neighbour's fields sit on (measured: +27% on the bare cycle with 4 threads).
 *
 * @param <T> the connection type
 */
public final class Slot<T> extends SlotFields<T> {

    /** No connection; capacity for one more. */
    static final int EMPTY = 0;
    /** A connection is being created for this slot (or a creator's call the pool gave up on still runs). */
    static final int CREATING = 1;
    /** A connection sits in the pool, ready to lend. */
    static final int IDLE = 2;
    /** The connection is lent to a borrower. */
    static final int LEASED = 3;
    /** One thread holds the connection for a moment: to check it for a borrower, hand it over or close it. */
    static final int RESERVED = 4;
    /**
     * The pool holds an idle connection for a moment, to check or close it (the cleanup, {@code close()}, or a
     * discard off a borrower's path): not lent, so {@code stats()} counts it idle. Otherwise the same as
     * {@link #RESERVED}.
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

    Slot(PoolEngine<T, ?> engine, int index) {
        this.engine = engine;
        this.index = index;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading

    /** The current stamp. */
    long stamp() {
        return (long) STAMP.getVolatile(this);
    }

    /** The state part of a stamp: {@link #EMPTY}, {@link #CREATING}, {@link #IDLE}, ... */
    static int state(long stamp) {
        return (int) (stamp & STATE_MASK);
    }

    /** The current state. */
    int state() {
        return state(stamp());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Taking a slot: each returns whether this thread now owns it

    /**
     * Lends an idle slot at once: the uncontended borrow.
     *
     * @return the lease's stamp, or {@code -1} when the slot was not idle or another thread took it first
     */
    long tryLease() {
        long current = stamp();
        if (state(current) != IDLE) {
            return -1;
        }
        long leased = nextLease(current);
        return STAMP.compareAndSet(this, current, leased) ? leased : -1;
    }

    /**
     * Takes a slot seen idle with {@code idleStamp}: lent at once ({@code lend}), or reserved to be checked or lent
     * later (leak detection must write the borrower before the stamp says {@link #LEASED}).
     */
    boolean tryTake(long idleStamp, boolean lend) {
        return STAMP.compareAndSet(this, idleStamp, lend ? nextLease(idleStamp) : with(idleStamp, RESERVED));
    }

    /** Takes back a slot this thread published idle with {@code idleStamp}, unless another thread took it since. */
    boolean tryRetake(long idleStamp) {
        return STAMP.compareAndSet(this, idleStamp, with(idleStamp, RESERVED));
    }

    /** Takes an idle slot for the cleanup, {@code close()} or a discard: still in the pool, not lent. */
    boolean trySweep() {
        long current = stamp();
        return state(current) == IDLE && trySweep(current);
    }

    /** Takes a slot seen idle with {@code idleStamp} for the cleanup, unless it was lent (or taken) since. */
    boolean trySweep(long idleStamp) {
        return STAMP.compareAndSet(this, idleStamp, with(idleStamp, SWEPT));
    }

    /** Takes an empty slot for a creation. */
    boolean tryStartCreating() {
        long current = stamp();
        return state(current) == EMPTY && STAMP.compareAndSet(this, current, with(current, CREATING));
    }

    /** Ends the lease with {@code leaseStamp}, keeping the slot for this thread; false when it has ended already. */
    boolean tryEndLease(long leaseStamp) {
        return STAMP.compareAndSet(this, leaseStamp, with(leaseStamp, RESERVED));
    }

    /**
     * Ends the lease with {@code leaseStamp}, which the calling handle's owner holds, by making the slot idle: the
     * uncontended return, and the return into a turn.
     *
     * <p>A release store, not a CAS: nobody else moves a lent slot (see the class comment), and the fence a CAS brings
     * cost about a third of an uncontended cycle. What that costs: the returner's following read of the waiter queue
     * may pass this store, so a caller queueing in that instant may look at the slots before this store shows and miss
     * the connection, while the returner misses the caller. {@link ReturnBackstop} finds such a connection; so does
     * the oldest waiter's next look, and {@code close()}'s last sweep.
     *
     * @return the idle stamp (for {@link #tryRetake})
     */
    long returnIdle(long leaseStamp) {
        long idle = with(leaseStamp, IDLE);
        STAMP.setRelease(this, idle);
        return idle;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Moves of the owner: plain volatile writes, as nobody else may move an owned slot

    /**
     * Lends an owned slot: its plain fields are written before the stamp says {@link #LEASED}, for leak detection.
     *
     * @return the lease's stamp
     */
    long lend(long now, Throwable borrowedBy) {
        leasedAt = now;
        borrower = borrowedBy;
        long leased = nextLease(stamp());
        STAMP.setVolatile(this, leased);
        return leased;
    }

    /**
     * Completes a lend that {@link #tryTake} made at once ({@code lend}), or lends a reserved slot.
     *
     * @param stamp the stamp the caller took the slot with
     * @return the lease's stamp
     */
    long lendTaken(long stamp, long now, Throwable borrowedBy) {
        leasedAt = now;
        if (state(stamp) == LEASED) {
            return stamp;
        }
        return lend(now, borrowedBy);
    }

    /** Makes an owned slot idle, ready to lend. @return the idle stamp, for {@link #tryRetake} */
    long publishIdle() {
        long idle = with(stamp(), IDLE);
        STAMP.setVolatile(this, idle);
        return idle;
    }

    /** Marks an owned connection as the pool's own for a moment (see {@link #SWEPT}). */
    void sweep() {
        STAMP.setVolatile(this, with(stamp(), SWEPT));
    }

    /** Marks a new connection as owned by the thread that settles its creation. */
    void created() {
        STAMP.setVolatile(this, with(stamp(), RESERVED));
    }

    /** Empties an owned slot, once its connection is closed or detached: capacity for another. */
    void free() {
        connection = null;
        borrower = null;
        turnHolder = 0;
        STAMP.setVolatile(this, with(stamp(), EMPTY));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Turns (see TurnPolicy)

    /**
     * Whether the connection is in the given thread's turn at the given time. Exact for the slot's owner; a hint for
     * any other thread (which reads the stamp first and moves it with a CAS afterwards: ownership stays safe, the
     * turn may be stale).
     */
    boolean inTurnOf(long threadId, long now) {
        return turnHolder == threadId && now - turnEnds < 0;
    }

    /** Whether the connection is in anyone's turn at the given time, under the same conditions as {@link #inTurnOf}. */
    boolean inTurn(long now) {
        return turnHolder != 0 && now - turnEnds < 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Stamps

    private static long with(long stamp, int state) {
        return (stamp & ~STATE_MASK) | state;
    }

    private static long nextLease(long stamp) {
        return ((stamp & ~STATE_MASK) + (1L << STATE_BITS)) | LEASED;
    }

    @Override
    public String toString() {
        return "Slot[" + index + ", state=" + state() + "]";
    }
}

/** The padding before a slot's fields (see {@link Slot}): 132 bytes, as x86 processors fetch cache lines in pairs. */
abstract class SlotPadding {
    @SuppressWarnings("unused") // the int fills the gap after the object header, which a subclass field would take
    private int p00;

    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15, p16;
}

/**
 * The fields of a slot that change, between its two paddings (see {@link Slot}).
 *
 * @param <T> the connection type
 */
abstract class SlotFields<T> extends SlotPadding {

    static final VarHandle STAMP;

    static {
        try {
            STAMP = MethodHandles.lookup().findVarHandle(SlotFields.class, "stamp", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STAMP
    private volatile long stamp;

    /** The connection; set while the slot is owned, {@code null} when {@link Slot#EMPTY}. */
    T connection;
    /** Ticker time of the creation. */
    long createdAt;
    /** How long the connection may live, jitter applied ({@code Long.MAX_VALUE} for forever). */
    long lifetime = Long.MAX_VALUE;
    /** Ticker time of the last return (or of the creation): the start of the idle time, and of a bypass window. */
    long lastUsed;
    /** Ticker time of the last validation (or of the creation): the start of a validation bypass window. */
    long lastChecked;
    /** Ticker time of the current lease. */
    long leasedAt;
    /** Where the current lease was borrowed, when leak detection is on; otherwise {@code null}. */
    Throwable borrower;
    /**
     * The id of the thread whose turn this connection is in, or 0 (see {@link TurnPolicy}). Written by the slot's
     * owner, published with the stamp like the other plain fields.
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
