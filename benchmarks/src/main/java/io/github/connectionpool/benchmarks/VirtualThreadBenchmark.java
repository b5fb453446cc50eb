package io.github.connectionpool.benchmarks;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Thousands of virtual threads against a pool of {@value CycleBenchmark#POOL_SIZE} (Java 21+ only; the virtual thread
 * API is reached by reflection because the module compiles for Java 17).
 *
 * <p>One invocation starts {@code virtualThreads} virtual threads, each doing {@value #CYCLES_PER_THREAD} cycles, and
 * waits for all of them. The primary score is invocations per second; the {@code cycles} counter is the cycles per
 * second, the number to compare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class VirtualThreadBenchmark {

    /** The cycles each virtual thread does per invocation. */
    public static final int CYCLES_PER_THREAD = 10;

    /** Which pool: one of {@link PoolUnderTest#NAMES}. */
    @Param({"connectionpool", "stormpot", "hikaricp", "commons-pool2", "work-only"})
    public String pool;

    /** How many virtual threads borrow at once. */
    @Param({"1000", "10000"})
    public int virtualThreads;

    /** {@code held} or {@code yielding}: see {@link Workload}. */
    @Param({"held", "yielding"})
    public String workload;

    private PoolUnderTest underTest;
    private Workload work;
    private ThreadFactory factory;

    /**
     * Opens the pool, full.
     *
     * @throws Exception when it cannot be opened, or virtual threads are not there (before Java 21)
     */
    @Setup(Level.Trial)
    public void open() throws Exception {
        factory = virtualThreadFactory();
        work = Workload.valueOf(workload.toUpperCase(Locale.ROOT));
        underTest = PoolUnderTest.open(pool, CycleBenchmark.POOL_SIZE);
    }

    /** Closes the pool. */
    @TearDown(Level.Trial)
    public void close() {
        underTest.close();
    }

    /**
     * Starts the virtual threads and waits until all have done their cycles.
     *
     * @param counted the cycles done, for the {@code cycles} counter
     * @throws Exception the first failure of a virtual thread
     */
    @Benchmark
    public void cycles(CyclesDone counted) throws Exception {
        CountDownLatch done = new CountDownLatch(virtualThreads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < virtualThreads; i++) {
            factory.newThread(() -> {
                        try {
                            for (int c = 0; c < CYCLES_PER_THREAD; c++) {
                                underTest.cycle(work, null);
                            }
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        } finally {
                            done.countDown();
                        }
                    })
                    .start();
        }
        done.await();
        if (failure.get() != null) {
            throw new IllegalStateException(pool + " failed under virtual threads", failure.get());
        }
        counted.cycles += (long) virtualThreads * CYCLES_PER_THREAD;
    }

    /** The cycles done, as a rate: JMH reports {@code cycles} in operations per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class CyclesDone {

        /** Cycles done in this iteration. */
        public long cycles;

        /** Starts the iteration's count. */
        @Setup(Level.Iteration)
        public void reset() {
            cycles = 0;
        }
    }

    /**
     * {@code Thread.ofVirtual().factory()}, by reflection.
     *
     * @return a factory of unstarted virtual threads
     * @throws UnsupportedOperationException before Java 21
     */
    static ThreadFactory virtualThreadFactory() {
        if (Runtime.version().feature() < 21) {
            throw new UnsupportedOperationException("virtual threads need Java 21+, this is Java "
                    + Runtime.version().feature());
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("virtual threads are not available", e);
        }
    }
}
