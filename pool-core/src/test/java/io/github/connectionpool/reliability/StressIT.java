package io.github.connectionpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.PoolException;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.FaultProxy;
import io.github.connectionpool.testing.TestServer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * Load and chaos together: many callers borrow from a pool of 16 real sockets to an in-process echo server behind a
 * {@link FaultProxy}, while a chaos thread cuts every connection, refuses connects for a moment, or adds latency, at
 * random. What must hold:
 *
 * <ul>
 *   <li>no deadlock: every caller finishes within the bound (else a thread dump is printed and the test fails);
 *   <li>no connection lent to two callers at once, no reply crossing over to another caller, never more than 16 held;
 *   <li>every borrow either succeeds or fails with a {@link PoolException} within its timeout (plus a margin);
 *   <li>nothing lost or doubled: at the end active 0, pending 0, {@code created - destroyed = total}, and the server,
 *       the proxy and the pool agree on the number of open connections.
 * </ul>
 *
 * <p>How long the load runs: {@code -Dstress.seconds=N}; by default 5 seconds, or 20 when {@code CI=true}, so that the
 * class stays well under two minutes.
 */
@Timeout(value = 110, unit = TimeUnit.SECONDS)
class StressIT {

    private static final int POOL_SIZE = 16;
    private static final Duration RUN =
            Duration.ofSeconds(Long.getLong("stress.seconds", "true".equalsIgnoreCase(System.getenv("CI")) ? 20 : 5));
    private static final Duration BORROW_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration MARGIN = Duration.ofMillis(1500);
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private TestServer server;
    private FaultProxy proxy;
    private TcpConnectionPool pool;

    // What the callers saw.
    private final LongAdder successes = new LongAdder();
    private final LongAdder ioErrors = new LongAdder();
    private final Map<String, LongAdder> poolFailures = new ConcurrentHashMap<>();
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final Set<Socket> lent = ConcurrentHashMap.newKeySet();
    private final AtomicInteger holding = new AtomicInteger();
    private final AtomicInteger maxHolding = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger maxServerOpen = new AtomicInteger();
    private final Map<String, LongAdder> faults = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        server = TestServer.start();
        proxy = FaultProxy.to("127.0.0.1", server.port());
        pool = TcpConnectionPool.builder("127.0.0.1", proxy.port())
                .name("stress")
                .maxSize(POOL_SIZE)
                .minIdle(4)
                .connectionTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(1))
                .acquireTimeout(BORROW_TIMEOUT)
                .cleanup(new CleanupConfig(Duration.ofMillis(200), true))
                .build();
    }

    @AfterEach
    void stop() {
        pool.close();
        proxy.close();
        server.close();
    }

    @Test
    void sixtyFourPlatformThreadsUnderChaosNeitherDeadlockNorLoseNorDoubleAConnection() throws Exception {
        int threads = 64;
        long deadline = System.nanoTime() + RUN.toNanos();
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            executor.execute(() -> {
                while (System.nanoTime() < deadline) {
                    roundTrip();
                }
            });
        }
        runWithChaos(executor, "64 platform threads");
    }

    @Test
    @EnabledForJreRange(min = JRE.JAVA_21)
    void tenThousandVirtualThreadsUnderChaosNeitherDeadlockNorLoseNorDoubleAConnection() throws Exception {
        int tasks = 10_000;
        long deadline = System.nanoTime() + RUN.toNanos();
        ExecutorService executor = newVirtualThreadPerTaskExecutor();
        for (int t = 0; t < tasks; t++) {
            executor.execute(() -> {
                for (int round = 0; round < 3 && System.nanoTime() < deadline; round++) {
                    roundTrip();
                }
            });
        }
        runWithChaos(executor, "10,000 virtual threads");
    }

    /** Java 21's executor, reached by reflection: the project compiles with {@code --release 17}. */
    private static ExecutorService newVirtualThreadPerTaskExecutor() throws ReflectiveOperationException {
        return (ExecutorService)
                Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    }

    /** One caller's borrow, echo and return; every outcome is counted, every broken promise recorded. */
    private void roundTrip() {
        long start = System.nanoTime();
        PooledConnection<Socket> lease;
        try {
            lease = pool.getConnection(BORROW_TIMEOUT);
        } catch (PoolException e) {
            poolFailures
                    .computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder())
                    .increment();
            checkBorrowTime(start, "failed borrow (" + e.getClass().getSimpleName() + ")");
            return;
        } catch (RuntimeException e) {
            violations.add("a borrow failed with something else than a PoolException: " + e);
            return;
        }
        checkBorrowTime(start, "borrow");
        Socket socket = lease.get();
        if (!lent.add(socket)) {
            violations.add("a socket lent to two callers at once: " + socket);
        }
        maxHolding.accumulateAndGet(holding.incrementAndGet(), Math::max);
        boolean healthy;
        try {
            long id = ids.incrementAndGet();
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeLong(id);
            out.flush();
            long echoed = new DataInputStream(socket.getInputStream()).readLong();
            if (echoed != id) {
                violations.add("a reply crossed over: sent " + id + ", got " + echoed);
            }
            healthy = true;
        } catch (IOException e) {
            healthy = false; // cut, or stalled past the read timeout
        } finally {
            holding.decrementAndGet();
            lent.remove(socket); // before giving it back: the next holder may get it at once
        }
        if (healthy) {
            successes.increment();
            lease.close();
        } else {
            ioErrors.increment();
            lease.invalidate();
        }
    }

    private void checkBorrowTime(long start, String what) {
        long elapsed = System.nanoTime() - start;
        if (elapsed > BORROW_TIMEOUT.plus(MARGIN).toNanos()) {
            violations.add(what + " took " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms, more than the timeout "
                    + BORROW_TIMEOUT.toMillis() + " ms + " + MARGIN.toMillis() + " ms");
        }
    }

    private void runWithChaos(ExecutorService callers, String who) throws Exception {
        CountDownLatch stopChaos = new CountDownLatch(1);
        Thread chaos = new Thread(() -> chaos(stopChaos), "stress-chaos");
        chaos.start();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(this::sample, 0, 5, TimeUnit.MILLISECONDS);
        boolean finished;
        try {
            callers.shutdown();
            finished = callers.awaitTermination(RUN.plus(DRAIN).toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                System.out.println(threadDump());
                callers.shutdownNow();
            }
        } finally {
            stopChaos.countDown();
            chaos.join(10_000);
            sampler.shutdownNow();
            proxy.heal();
        }
        String summary = who + ": " + successes.sum() + " round trips, " + ioErrors.sum() + " I/O errors, "
                + "pool failures " + poolFailures + ", faults " + faults + ", max held " + maxHolding.get()
                + ", max open at the server " + maxServerOpen.get() + ", " + pool.stats();
        System.out.println(summary);
        if (!finished) {
            fail("callers still running " + DRAIN.toSeconds() + " s after the end of the run (see the thread dump): "
                    + summary);
        }
        assertThat(chaos.isAlive()).isFalse();
        assertThat(violations).as(summary).isEmpty();
        assertThat(successes.sum()).as(summary).isPositive();
        assertThat(maxHolding.get()).as(summary).isLessThanOrEqualTo(POOL_SIZE);
        // The server may still hold a connection the pool has closed while its replacement is already open: at most
        // one such per slot.
        assertThat(maxServerOpen.get()).as(summary).isLessThanOrEqualTo(2 * POOL_SIZE);

        PoolStats stats = pool.stats();
        assertThat(stats.active()).as(summary).isZero();
        assertThat(stats.pending()).as(summary).isZero();
        assertThat(stats.total()).as(summary).isLessThanOrEqualTo(POOL_SIZE);
        // Quiet now: the pool, the proxy and the server agree, and every connection created is either open or closed.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            PoolStats now = pool.stats();
            return now.creating() == 0
                    && now.created() - now.destroyed() == now.total()
                    && proxy.openNow() == now.total()
                    && server.open() == now.total();
        });
        try (PooledConnection<Socket> lease = pool.getConnection()) { // healed: the same pool works
            DataOutputStream out = new DataOutputStream(lease.get().getOutputStream());
            out.writeLong(42);
            out.flush();
            assertThat(new DataInputStream(lease.get().getInputStream()).readLong())
                    .isEqualTo(42);
        }
    }

    private void sample() {
        maxServerOpen.accumulateAndGet(server.open(), Math::max);
        PoolStats stats = pool.stats();
        if (stats.total() > POOL_SIZE || stats.active() > POOL_SIZE) {
            violations.add("more live connections than maxSize: " + stats);
        }
    }

    /** Until told to stop: a pause, then a random fault (cut everything, refuse for a moment, or add latency). */
    private void chaos(CountDownLatch stop) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            while (!stop.await(random.nextInt(50, 200), TimeUnit.MILLISECONDS)) {
                switch (random.nextInt(3)) {
                    case 0 -> {
                        count("cut");
                        proxy.cutAll();
                    }
                    case 1 -> {
                        count("refuse");
                        proxy.refuse();
                        stop.await(random.nextInt(20, 150), TimeUnit.MILLISECONDS);
                        proxy.heal();
                    }
                    default -> {
                        count("latency");
                        proxy.latency(Duration.ofMillis(random.nextInt(1, 6)));
                        stop.await(random.nextInt(50, 300), TimeUnit.MILLISECONDS);
                        proxy.heal();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            violations.add("the chaos thread failed: " + e);
        } finally {
            proxy.heal();
        }
    }

    private void count(String fault) {
        faults.computeIfAbsent(fault, k -> new LongAdder()).increment();
    }

    private static String threadDump() {
        StringBuilder dump = new StringBuilder("Thread dump (platform threads):\n");
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            dump.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
            if (info.getLockName() != null) {
                dump.append(" on ").append(info.getLockName());
            }
            dump.append('\n');
            for (StackTraceElement frame : info.getStackTrace()) {
                dump.append("\tat ").append(frame).append('\n');
            }
        }
        return dump.toString();
    }
}
