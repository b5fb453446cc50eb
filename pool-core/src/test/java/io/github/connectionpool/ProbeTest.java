package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.testing.Callers;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import io.github.connectionpool.testing.TestCreator.Mode;
import io.github.connectionpool.testing.Uninterruptibly;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ConnectionPool#probe(Duration)}: what a health check needs (can the pool lend a connection now?) without
 * showing in the pool's metrics: no listener call for the probe's borrow, no timeout counted for it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProbeTest {

    private final TestCreator creator = new TestCreator();
    private final AtomicInteger acquired = new AtomicInteger();
    private final AtomicInteger returned = new AtomicInteger();
    private volatile boolean valid = true;
    private final ConnectionPool<TestConnection, String> pool = ConnectionPool.builder(
                    "params", creator, c -> CompletableFuture.completedFuture(valid && c.isHealthy()))
            .name("probe")
            .maxSize(1)
            .validationBypassWindow(Duration.ZERO) // every borrow checks, as the TCP pool's do
            .connectionTimeout(Duration.ofMillis(200))
            .cleanup(CleanupConfig.disabled())
            .listener(new PoolListener() {
                @Override
                public void connectionAcquired(long waitNanos) {
                    acquired.incrementAndGet();
                }

                @Override
                public void connectionReturned(long usageNanos) {
                    returned.incrementAndGet();
                }
            })
            .build();

    @AfterEach
    void closePool() {
        pool.close();
    }

    private void assertNotReported() {
        assertThat(acquired).as("borrows timed").hasValue(0);
        assertThat(returned).as("returns timed").hasValue(0);
        assertThat(pool.stats().timeouts()).as("timeouts counted").isZero();
    }

    @Test
    void aProbeOfAnEmptyPoolCreatesAConnectionAndLeavesItIdle() {
        assertThat(pool.probe(Duration.ofSeconds(5))).isTrue();

        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().created()).isEqualTo(1);
        assertNotReported();
    }

    @Test
    void aProbeChecksAnIdleConnectionAndPutsItBack() {
        pool.probe(Duration.ofSeconds(5));

        assertThat(pool.probe(Duration.ofSeconds(5))).isTrue();

        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(creator.made()).hasSize(1);
        assertNotReported();
    }

    @Test
    void aProbeReplacesADeadIdleConnection() {
        pool.probe(Duration.ofSeconds(5));
        creator.made().get(0).breakIt();

        assertThat(pool.probe(Duration.ofSeconds(5))).isTrue();

        assertThat(creator.made()).hasSize(2);
        assertThat(creator.made().get(0).isClosed()).isTrue();
        assertNotReported();
    }

    @Test
    void aProbeOfABusyPoolSaysSoWithoutCountingATimeout() {
        PooledConnection<TestConnection> held = pool.getConnection();
        acquired.set(0);

        assertThat(pool.probe(Duration.ofMillis(50)))
                .as("every connection lent out: busy, not down")
                .isFalse();

        assertNotReported();
        assertThat(pool.stats().pending()).isZero();
        held.close();
    }

    @Test
    void aProbeWaitingInLineIsServedByAReturnAndPutsTheConnectionBack() throws Exception {
        PooledConnection<TestConnection> held = pool.getConnection();
        acquired.set(0);
        CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(() -> pool.probe(Duration.ofSeconds(10)));
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().pending() == 1);

        held.close();
        returned.set(0);

        assertThat(probe.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertNotReported();
    }

    @Test
    void aProbeFailsWithTheCreationErrorWhenConnectionsCannotBeMade() {
        creator.mode(Mode.THROW);

        assertThatThrownBy(() -> pool.probe(Duration.ofSeconds(5))).isInstanceOf(ConnectionCreationException.class);

        assertNotReported();
    }

    @Test
    void aCreationTimeoutMetByAProbeIsNotCountedAsATimeout() {
        creator.mode(Mode.NEVER_COMPLETE);

        assertThatThrownBy(() -> pool.probe(Duration.ofSeconds(5)))
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("connection timeout");

        assertNotReported();
        assertThat(pool.stats().creationFailures())
                .as("the creation itself failed")
                .isEqualTo(1);
    }

    @Test
    void aProbeOfAClosedPoolFailsAndANegativeTimeoutIsRefused() {
        assertThatThrownBy(() -> pool.probe(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        pool.close();
        assertThatThrownBy(() -> pool.probe(Duration.ofSeconds(1))).isInstanceOf(PoolClosedException.class);
    }

    @Test
    void aProbeThatTakesAConnectionItselfAsTheOldestWaiterPutsItBack() throws Exception {
        Callers callers = new Callers();
        try (ConnectionPool<TestConnection, String> busy = ConnectionPool.builder(
                        "params", creator, c -> CompletableFuture.completedFuture(true))
                .name("probe-oldest")
                .maxSize(1)
                .cleanup(CleanupConfig.disabled())
                .build()) {
            PooledConnection<TestConnection> held = busy.getConnection();
            // Served first, with a turn (three wait behind it): its return stays idle in its turn, and it never comes
            // back; the probe, now the oldest waiter, takes that connection itself.
            Thread first = callers.start(
                    "first", () -> busy.getConnection(Duration.ofSeconds(10)).close());
            Callers.awaitQueued(busy, first, 1);
            CompletableFuture<Boolean> probe = new CompletableFuture<>();
            Thread prober = callers.start("prober", () -> probe.complete(busy.probe(Duration.ofSeconds(10))));
            Callers.awaitQueued(busy, prober, 2);
            Thread second = callers.start(
                    "second", () -> busy.getConnection(Duration.ofSeconds(10)).close());
            Callers.awaitQueued(busy, second, 3);
            Thread third = callers.start(
                    "third", () -> busy.getConnection(Duration.ofSeconds(10)).close());
            Callers.awaitQueued(busy, third, 4);

            held.close();

            assertThat(probe.get(10, TimeUnit.SECONDS)).isTrue();
            callers.awaitAll(); // the two behind the probe were served: it put the connection back
            assertThat(busy.stats().idle()).isEqualTo(1);
            assertThat(busy.stats().active()).isZero();
            assertThat(busy.stats().timeouts()).isZero();
        } finally {
            callers.stop();
        }
    }

    @Test
    void aProbeSaysDownNotBusyWhenEverySlotIsHeldByACreatorCallThatOutlivedItsTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ConnectionPool<TestConnection, String> stuck = ConnectionPool.<TestConnection, String>builder(
                        "params",
                        params -> {
                            Uninterruptibly.await(release); // a blocking connect that ignores interrupts
                            return CompletableFuture.completedFuture(new TestConnection(1));
                        },
                        c -> CompletableFuture.completedFuture(true))
                .name("probe-stuck")
                .maxSize(1)
                .connectionTimeout(Duration.ofMillis(100))
                .cleanup(CleanupConfig.disabled())
                .build()) {
            assertThatThrownBy(() -> stuck.getConnection(Duration.ofSeconds(5)))
                    .isInstanceOf(PoolTimeoutException.class);

            assertThatThrownBy(() -> stuck.probe(Duration.ofMillis(300)))
                    .isInstanceOf(ConnectionCreationException.class)
                    .hasMessageContaining("none can be made")
                    .hasCauseInstanceOf(PoolTimeoutException.class);
        } finally {
            release.countDown();
        }
    }
}
