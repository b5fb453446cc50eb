/**
 * A generic connection pool: borrow a connection of any type {@code T}, made from parameters {@code P} by a
 * {@link io.github.connectionpool.ConnectionCreator} and checked by a
 * {@link io.github.connectionpool.ConnectionValidator}, and give it back with try-with-resources.
 *
 * <p>Start with {@link io.github.connectionpool.ConnectionPool#builder(Object, ConnectionCreator,
 * ConnectionValidator)}; every setting is described on {@link io.github.connectionpool.PoolConfig}. Failures are the
 * sealed {@link io.github.connectionpool.PoolException} family. The package
 * {@code io.github.connectionpool.internal} is not API.
 */
package io.github.connectionpool;
