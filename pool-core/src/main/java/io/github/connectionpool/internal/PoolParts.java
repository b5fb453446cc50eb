package io.github.connectionpool.internal;

import io.github.connectionpool.ConnectionCloser;
import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.ConnectionResetter;
import io.github.connectionpool.ConnectionValidator;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.Ticker;
import java.util.function.Function;

/**
 * What a pool is made of besides its settings: the user's parts, and the threads and clock the engine runs on.
 *
 * @param params the connection parameters
 * @param creator makes connections
 * @param validator checks connections
 * @param closer closes discarded connections
 * @param resetter checks returned connections, or {@code null}
 * @param ticker the pool's clock for ages and timings
 * @param listener receives timings
 * @param strictFifoUpTo up to how many waiting callers every return goes to the oldest (no turns)
 * @param leases makes borrowers' handles
 * @param executors makes the executors from the pool's name: the pool's own daemon threads by default, a stepped one
 *     in tests
 * @param realTime the clock of creation timings, stall rules and back-off: {@link Ticker#system()} but in tests
 * @param <T> the connection type
 * @param <P> the connection parameters
 */
public record PoolParts<T, P>(
        P params,
        ConnectionCreator<T, P> creator,
        ConnectionValidator<T> validator,
        ConnectionCloser<? super T> closer,
        ConnectionResetter<? super T> resetter,
        Ticker ticker,
        PoolListener listener,
        int strictFifoUpTo,
        LeaseFactory<T> leases,
        Function<String, PoolExecutors> executors,
        Ticker realTime) {

    /**
     * The pool's own daemon threads, named after the pool.
     *
     * @return a factory of {@link PoolExecutors} by pool name
     */
    public static Function<String, PoolExecutors> ownThreads() {
        return PoolThreads::new;
    }
}
