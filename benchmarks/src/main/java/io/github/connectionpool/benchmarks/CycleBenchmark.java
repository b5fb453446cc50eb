package io.github.connectionpool.benchmarks;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.Control;

/**
 * The borrow/return cycle of every pool, on platform threads, against a pool of {@value #POOL_SIZE}.
 *
 * <p>{@link BenchmarkSuite} runs it with 1, 4, 16 and 64 threads in throughput mode (with the GC profiler for the
 * bytes allocated per cycle), the held cycles also with 256, and the held cycle again with 64 and 256 threads in
 * sample-time mode for the waits. The annotations here are only the defaults for a run straight from JMH's command
 * line.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(16)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class CycleBenchmark {

    /** The pool size of every run. */
    public static final int POOL_SIZE = 16;

    /** Which pool: one of {@link PoolUnderTest#NAMES}. */
    @Param({"connectionpool", "stormpot", "hikaricp", "commons-pool2", "work-only"})
    public String pool;

    private PoolUnderTest underTest;

    /**
     * Opens the pool, full.
     *
     * @throws Exception when it cannot be opened
     */
    @Setup(Level.Trial)
    public void open() throws Exception {
        underTest = PoolUnderTest.open(pool, POOL_SIZE);
    }

    /**
     * Closes the pool.
     *
     * @throws Exception when it fails to close
     */
    @TearDown(Level.Trial)
    public void close() throws Exception {
        underTest.close();
    }

    /**
     * Borrow, return.
     *
     * @param blackhole JMH's sink
     * @param progress this thread's count of cycles
     * @param control tells whether the iteration is being measured
     * @throws Exception when the pool fails to lend
     */
    @Benchmark
    public void bareCycle(Blackhole blackhole, ThreadProgress progress, Control control) throws Exception {
        underTest.cycle(Workload.BARE, blackhole);
        progress.count(control);
    }

    /**
     * Borrow, a little CPU work, return: with more threads than connections, threads queue.
     *
     * @param blackhole JMH's sink
     * @param progress this thread's count of cycles
     * @param control tells whether the iteration is being measured
     * @throws Exception when the pool fails to lend
     */
    @Benchmark
    public void heldCycle(Blackhole blackhole, ThreadProgress progress, Control control) throws Exception {
        underTest.cycle(Workload.HELD, blackhole);
        progress.count(control);
    }

    /**
     * Borrow, a quarter of the held cycle's CPU work, return: the pool's own cost and its queueing weigh more.
     *
     * @param blackhole JMH's sink
     * @param progress this thread's count of cycles
     * @param control tells whether the iteration is being measured
     * @throws Exception when the pool fails to lend
     */
    @Benchmark
    public void heldShortCycle(Blackhole blackhole, ThreadProgress progress, Control control) throws Exception {
        underTest.cycle(Workload.HELD_SHORT, blackhole);
        progress.count(control);
    }

    /**
     * How many threads starved in a measured iteration: completed at most one cycle while the others were served. JMH
     * sums the counter over the threads, so any non-zero {@code starvedThreads} in the results is a starved thread.
     *
     * <p>"At most one", not "none": a thread blocked in a borrow for the whole iteration still completes that borrow
     * after the iteration's end, before JMH lets the threads go, and that late cycle is counted.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class ThreadProgress {

        private long cycles;

        /** 1 when this thread completed at most one cycle in the measured iteration, else 0. */
        public long starvedThreads;

        /** Starts the iteration's count. */
        @Setup(Level.Iteration)
        public void reset() {
            cycles = 0;
            starvedThreads = 0;
        }

        void count(Control control) {
            if (control.startMeasurement && !control.stopMeasurement) {
                cycles++;
            }
        }

        /** Ends the iteration's count. */
        @TearDown(Level.Iteration)
        public void conclude() {
            starvedThreads = cycles <= 1 ? 1 : 0;
        }
    }
}
