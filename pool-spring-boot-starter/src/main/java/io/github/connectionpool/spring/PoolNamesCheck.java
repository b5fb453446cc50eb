package io.github.connectionpool.spring;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Fails start-up, once every singleton exists, when two {@link io.github.connectionpool.ConnectionPool} beans have the
 * same pool name (see {@link ConnectionPools}), whether or not meters and health are on.
 */
final class PoolNamesCheck implements SmartInitializingSingleton {

    private final ListableBeanFactory beanFactory;

    PoolNamesCheck(ListableBeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void afterSingletonsInstantiated() {
        ConnectionPools.byName(beanFactory);
    }
}
