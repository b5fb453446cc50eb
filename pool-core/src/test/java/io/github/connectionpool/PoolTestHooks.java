package io.github.connectionpool;

import io.github.connectionpool.testing.SteppedExecutors;
import io.github.connectionpool.testing.TestConnection;
import java.util.concurrent.CompletableFuture;

/** Builds pools whose threads or real-time clock are the test's (the builder's package-private hooks). */
public final class PoolTestHooks {
    private PoolTestHooks() {}

    /** Makes the builder's pools run their worker tasks and timers on {@code executors}, and read its clock. */
    public static <T, P, B extends PoolBuilder<T, P, B>> B stepped(B builder, SteppedExecutors executors) {
        builder.executors = name -> executors;
        builder.realTime = executors.clock();
        return builder;
    }

    /**
     * A builder of pools that run on {@code executors}, with the given creator, a validator that accepts every
     * connection, and no cleanup of their own: the usual start of a test that steps through a race.
     */
    public static ConnectionPool.Builder<TestConnection, String> steppedBuilder(
            String name, ConnectionCreator<TestConnection, String> creator, SteppedExecutors executors) {
        return stepped(
                ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(true))
                        .name(name)
                        .cleanup(CleanupConfig.disabled()),
                executors);
    }

    /**
     * Stops the pool's real-time clock (creation times, stall rules, back-off) while its threads stay real: no
     * creation is ever presumed stalled, however slow the machine, so a test can count the creations its callers need.
     */
    public static <T, P, B extends PoolBuilder<T, P, B>> B frozenRealTime(B builder) {
        long frozen = System.nanoTime();
        builder.realTime = () -> frozen;
        return builder;
    }
}
