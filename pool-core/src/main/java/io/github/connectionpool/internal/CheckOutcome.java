package io.github.connectionpool.internal;

/** What the check before lending an idle connection found (see {@link LendingCheck}). */
enum CheckOutcome {
    /** Used or checked within the validation bypass window: lent without validation. */
    FRESH,
    /** Validated just now. */
    VALID,
    /** Past its lifetime: the caller has it closed. */
    EXPIRED,
    /** It failed validation: the caller has it closed. */
    INVALID,
    /** The validating thread was interrupted: the connection says nothing about itself, and is put back. */
    INTERRUPTED,
    /** The borrower's time ran out before the validation could end: the connection is put back. */
    NO_TIME;

    /** Whether the connection may be lent. */
    boolean lendable() {
        return this == FRESH || this == VALID;
    }

    /** Whether the connection must be closed. */
    boolean closes() {
        return this == EXPIRED || this == INVALID;
    }

    /** Why a connection with this outcome is closed, for the log. */
    String closeReason() {
        return this == EXPIRED ? "it reached its max lifetime" : "it failed validation";
    }
}
