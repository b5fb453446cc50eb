package io.github.connectionpool.internal;

import io.github.connectionpool.ConnectionValidator;
import io.github.connectionpool.Ticker;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether an idle connection may be lent: not past its lifetime and, unless it was used or checked within the
 * validation bypass window, valid by the user's validator, within the validation timeout and the borrower's deadline.
 * It only decides; the caller closes what is {@link CheckOutcome#INVALID} and puts back what could not be checked.
 *
 * @param <T> the connection type
 */
final class LendingCheck<T> {

    private static final Logger log = LoggerFactory.getLogger(LendingCheck.class);

    private final String name;
    private final ConnectionValidator<T> validator;
    private final Ticker ticker;
    private final PoolCounters counters;
    private final long bypassNanos;
    private final long validationTimeoutNanos;

    LendingCheck(
            String name,
            ConnectionValidator<T> validator,
            Ticker ticker,
            PoolCounters counters,
            long bypassNanos,
            long validationTimeoutNanos) {
        this.name = name;
        this.validator = validator;
        this.ticker = ticker;
        this.counters = counters;
        this.bypassNanos = bypassNanos;
        this.validationTimeoutNanos = validationTimeoutNanos;
    }

    /** Whether an idle connection may be lent without any check: young enough and used or checked lately. */
    boolean isFresh(Slot<T> slot, long now) {
        return now - slot.createdAt < slot.lifetime && recentlyChecked(slot, now);
    }

    /** Whether a connection must be checked before the next borrower gets it. */
    boolean needsCheck(Slot<T> slot, long now) {
        return !isFresh(slot, now);
    }

    /** Whether the connection has reached its (jittered) lifetime. */
    boolean expired(Slot<T> slot, long now) {
        return now - slot.createdAt >= slot.lifetime;
    }

    /**
     * Whether the connection was used or checked within the bypass window. A return writes only {@code lastUsed} (one
     * store less on the return path), so both times count.
     *
     * <p>Never with a zero window: {@code now} may come from the {@link CoarseClock}, which lags the ticker that a
     * creation or a validation writes its time with, so such a time can lie ahead of {@code now}, and a negative age
     * is below a zero window. With a window, that lag only lengthens it a little, as the coarse clock allows.
     */
    boolean recentlyChecked(Slot<T> slot, long now) {
        return bypassNanos > 0 && (now - slot.lastUsed < bypassNanos || now - slot.lastChecked < bypassNanos);
    }

    /**
     * Checks an owned idle connection for a borrower.
     *
     * @param now ticker time
     * @param deadline the real time ({@link System#nanoTime()}) by which the borrower gives up, {@code Long.MAX_VALUE}
     *     for a check on the pool's own thread, bounded by the validation timeout alone
     */
    CheckOutcome check(Slot<T> slot, long now, long deadline) {
        if (expired(slot, now)) {
            return CheckOutcome.EXPIRED;
        }
        if (recentlyChecked(slot, now)) {
            return CheckOutcome.FRESH;
        }
        long budget = deadline == Long.MAX_VALUE
                ? validationTimeoutNanos
                : Math.min(validationTimeoutNanos, deadline - System.nanoTime());
        // Even with no time left, an answer already there counts (a zero wait), so a zero timeout still borrows.
        CheckOutcome outcome = validate(slot, Math.max(0, budget), budget < validationTimeoutNanos);
        if (outcome == CheckOutcome.VALID) {
            slot.lastChecked = ticker.nanoTime();
        }
        return outcome;
    }

    /** Validates an owned connection for the cleanup: bounded by the validation timeout alone. */
    CheckOutcome validate(Slot<T> slot) {
        CheckOutcome outcome = validate(slot, validationTimeoutNanos, false);
        if (outcome == CheckOutcome.VALID) {
            slot.lastChecked = ticker.nanoTime();
        }
        return outcome;
    }

    /**
     * Runs the validator, waiting at most {@code timeoutNanos}.
     *
     * @param callerBound whether the wait is cut short by a borrower's deadline: running out of time then says nothing
     *     about the connection, which is put back rather than closed
     */
    private CheckOutcome validate(Slot<T> slot, long timeoutNanos, boolean callerBound) {
        try {
            CompletionStage<Boolean> answer = validator.isValid(slot.connection);
            if (answer != null
                    && Boolean.TRUE.equals(answer.toCompletableFuture().get(timeoutNanos, TimeUnit.NANOSECONDS))) {
                return CheckOutcome.VALID;
            }
            log.warn("{}: connection {} failed validation", name, slot.index);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CheckOutcome.INTERRUPTED;
        } catch (TimeoutException e) {
            if (callerBound) {
                return CheckOutcome.NO_TIME;
            }
            log.warn(
                    "{}: validating connection {} took longer than {} ms",
                    name,
                    slot.index,
                    TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        } catch (ExecutionException e) {
            log.warn("{}: validating connection {} failed", name, slot.index, e.getCause());
        } catch (Throwable e) { // user code: whatever it throws must not leave the slot taken
            log.warn("{}: validating connection {} failed", name, slot.index, e);
        }
        counters.validationFailures.incrementAndGet();
        return CheckOutcome.INVALID;
    }
}
