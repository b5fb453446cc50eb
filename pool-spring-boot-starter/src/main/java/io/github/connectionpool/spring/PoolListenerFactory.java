package io.github.connectionpool.spring;

import io.github.connectionpool.PoolListener;

/** Gives each auto-configured pool a listener of its own, such as the timers the meters record into. */
@FunctionalInterface
interface PoolListenerFactory {

    /** The listener for the pool of that name, made when the pool is built. */
    PoolListener listenerFor(String poolName);
}
