package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.testing.Callers;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Callers that wait are served first come, first served, and nobody who arrives later overtakes them (docs/pitfalls.md, pitfall 15). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FairnessTest {

    private static final int WAITERS = 8;

    private final TestCreator creator = new TestCreator();
    private final ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                    "params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
            .name("fairness")
            .maxSize(1)
            .acquireTimeout(Duration.ofSeconds(30))
            .cleanup(CleanupConfig.disabled())
            .build();
    private final Callers callers = new Callers();
    /** Who held the single connection, in the order they held it: written while holding it, so exactly ordered. */
    private final List<String> leaseOrder = new CopyOnWriteArrayList<>();

    @AfterEach
    void closePoolAndThreads() throws InterruptedException {
        pool.close();
        callers.stop();
    }

    @Test
    void waitersAreServedInTheOrderTheyArrived() throws Exception {
        PooledConnection<TestConnection> held = pool.getConnection();
        for (int i = 0; i < WAITERS; i++) {
            startSyncWaiter("w" + i);
        }

        held.close();

        callers.awaitAll();
        assertThat(leaseOrder).containsExactlyElementsOf(names("w", WAITERS));
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().pending()).isZero();
        assertThat(creator.made()).hasSize(1);
    }

    @Test
    void aCallerServedFromTheQueueThatBorrowsAgainAtOnceQueuesBehindThoseAlreadyWaiting() throws Exception {
        for (int round = 0; round < 20; round++) {
            leaseOrder.clear();
            PooledConnection<TestConnection> held = pool.getConnection();
            Thread again = callers.start("again" + round, () -> {
                PooledConnection<TestConnection> first = pool.getConnection();
                leaseOrder.add("again-1"); // while holding the only connection
                first.close();
                PooledConnection<TestConnection> second = pool.getConnection(); // the other waits already
                leaseOrder.add("again-2");
                second.close();
            });
            Callers.awaitQueued(pool, again, 1);
            startSyncWaiter("other");

            held.close();

            callers.awaitAll();
            assertThat(leaseOrder).as("round %d", round).containsExactly("again-1", "other", "again-2");
        }
        assertThat(pool.stats().pending()).isZero();
    }

    @Test
    void syncAndAsyncWaitersShareOneQueueAndAreServedInArrivalOrder() throws Exception {
        PooledConnection<TestConnection> held = pool.getConnection();
        List<CompletableFuture<Void>> asyncDone = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            String name = "w" + i;
            if (i % 2 == 0) {
                startSyncWaiter(name);
            } else {
                asyncDone.add(pool.getConnectionAsync().thenAccept(lease -> {
                    leaseOrder.add(name);
                    lease.close();
                }));
                assertThat(pool.stats().pending()).isEqualTo(i + 1);
            }
        }

        held.close();

        callers.awaitAll();
        CompletableFuture.allOf(asyncDone.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        assertThat(leaseOrder).containsExactlyElementsOf(names("w", WAITERS));
        assertThat(pool.stats().pending()).isZero();
    }

    @Test
    void aWaiterThatGaveUpIsSkippedAndTheOthersKeepTheirOrder() throws Exception {
        PooledConnection<TestConnection> held = pool.getConnection();
        startSyncWaiter("w0");
        CompletableFuture<PooledConnection<TestConnection>> quitter = pool.getConnectionAsync();
        assertThat(pool.stats().pending()).isEqualTo(2);
        startSyncWaiter("w2");
        quitter.cancel(false);
        assertThat(pool.stats().pending()).isEqualTo(2);

        held.close();

        callers.awaitAll();
        assertThat(leaseOrder).containsExactly("w0", "w2");
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().pending()).isZero();
    }

    @Test
    void newcomersDoNotOvertakeQueuedWaitersWhileConnectionsAreReturned() throws Exception {
        PooledConnection<TestConnection> held = pool.getConnection();
        for (int i = 0; i < WAITERS; i++) {
            startSyncWaiter("w" + i);
        }
        // Newcomers arrive after every waiter, and keep trying without waiting while the connection goes round.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger newcomerAttempts = new AtomicInteger();
        AtomicInteger newcomerTimeouts = new AtomicInteger();
        CountDownLatch newcomersRunning = new CountDownLatch(4);
        for (int n = 0; n < 4; n++) {
            String name = "newcomer" + n;
            callers.start(name, () -> {
                newcomersRunning.countDown();
                while (!stop.get()) {
                    newcomerAttempts.incrementAndGet();
                    try {
                        PooledConnection<TestConnection> lease = pool.getConnection(Duration.ZERO);
                        leaseOrder.add(name);
                        lease.close();
                    } catch (PoolTimeoutException expected) {
                        newcomerTimeouts.incrementAndGet();
                    }
                    Thread.yield();
                }
            });
        }
        assertThat(newcomersRunning.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> newcomerTimeouts.get() >= 100);

        held.close();

        for (Thread waiter : callers.threads().subList(0, WAITERS)) {
            waiter.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(waiter.isAlive()).as("%s still waits", waiter.getName()).isFalse();
        }
        int attemptsDuringRelease = newcomerAttempts.get();
        stop.set(true);
        callers.awaitAll();
        assertThat(leaseOrder.subList(0, WAITERS))
                .as("lease order %s", leaseOrder)
                .containsExactlyElementsOf(names("w", WAITERS));
        assertThat(attemptsDuringRelease).isGreaterThan(100);
        assertThat(pool.stats().pending()).isZero();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void callersWhoseConnectionsFailTheirChecksWaitOnInTheOrderTheyArrived() throws Exception {
        Map<Integer, CompletableFuture<Boolean>> checks = new ConcurrentHashMap<>();
        try (ConnectionPool<TestConnection, String> checked = ConnectionPool.builder(
                        "params",
                        creator,
                        c -> checks.getOrDefault(c.id(), CompletableFuture.completedFuture(Boolean.TRUE)))
                .name("fairness-checks")
                .maxSize(2)
                // A returned connection is checked before the next borrower has it.
                .validationBypassWindow(Duration.ZERO)
                .validationTimeout(Duration.ofSeconds(30))
                .connectionTimeout(Duration.ofSeconds(30))
                .acquireTimeout(Duration.ofSeconds(30))
                .cleanup(CleanupConfig.disabled())
                .build()) {
            PooledConnection<TestConnection> first = checked.getConnection();
            PooledConnection<TestConnection> second = checked.getConnection();
            CompletableFuture<Boolean> firstCheck = new CompletableFuture<>();
            CompletableFuture<Boolean> secondCheck = new CompletableFuture<>();
            checks.put(first.get().id(), firstCheck);
            checks.put(second.get().id(), secondCheck);
            CountDownLatch finish = new CountDownLatch(1);
            for (String name : List.of("a", "b", "c")) {
                int queuedBefore = checked.stats().pending();
                Thread thread = callers.start(name, () -> {
                    PooledConnection<TestConnection> lease = checked.getConnection();
                    leaseOrder.add(name);
                    try {
                        finish.await(); // holds it, so that the next connection shows who is next in line
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    } finally {
                        lease.close();
                    }
                });
                Callers.awaitQueued(checked, thread, queuedBefore + 1);
            }
            creator.mode(TestCreator.Mode.NEVER_COMPLETE); // replacements come when the test says

            first.close(); // to a, which checks it on its own thread
            second.close(); // to b
            await().atMost(Duration.ofSeconds(10)).until(() -> checked.stats().pending() == 1);
            firstCheck.complete(false); // a's connection fails first: a waits again
            await().atMost(Duration.ofSeconds(10)).until(() -> checked.stats().pending() == 2);
            secondCheck.complete(false); // then b's
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> checked.stats().pending() == 3 && creator.attempts() == 4);

            creator.completeOneHanging();
            await().atMost(Duration.ofSeconds(10)).until(() -> leaseOrder.size() == 1);
            creator.completeOneHanging();
            await().atMost(Duration.ofSeconds(10)).until(() -> leaseOrder.size() == 2);
            finish.countDown();
            callers.awaitAll();

            assertThat(leaseOrder).containsExactly("a", "b", "c");
        }
    }

    /** Starts a waiter and returns once it is queued (so arrival order is the start order). */
    private void startSyncWaiter(String name) {
        int queuedBefore = pool.stats().pending();
        Thread thread = callers.start(name, () -> {
            PooledConnection<TestConnection> lease = pool.getConnection();
            leaseOrder.add(name); // while holding the only connection
            lease.close();
        });
        Callers.awaitQueued(pool, thread, queuedBefore + 1);
    }

    private static List<String> names(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.toList());
    }
}
