package io.github.connectionpool.internal;

import io.github.connectionpool.PooledConnection;

/**
 * Makes the borrower's handle for a lent slot. The public API supplies it, so that the handle's constructor need not be
 * public.
 *
 * @param <T> the connection type
 */
@FunctionalInterface
public interface LeaseFactory<T> {

    /**
     * Makes a handle.
     *
     * @param slot the lent slot
     * @param stamp the stamp the slot was lent under
     * @return the borrower's handle
     */
    PooledConnection<T> lease(Slot<T> slot, long stamp);
}
