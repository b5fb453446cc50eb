package io.github.connectionpool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.github.connectionpool.testing.LogCapture;
import io.github.connectionpool.testing.TestConnection;
import io.github.connectionpool.testing.TestCreator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PooledConnectionTest {

    private final TestCreator creator = new TestCreator();
    private ConnectionPool<TestConnection, String> pool;

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    private ConnectionPool.Builder<TestConnection, String> builder(int maxSize) {
        return ConnectionPool.builder("params", creator, c -> CompletableFuture.completedFuture(c.isHealthy()))
                .name("lease-test")
                .maxSize(maxSize)
                .acquireTimeout(Duration.ofSeconds(5))
                .cleanup(CleanupConfig.disabled());
    }

    private ConnectionPool<TestConnection, String> pool(int maxSize) {
        pool = builder(maxSize).build();
        return pool;
    }

    @Test
    void closeReturnsTheConnectionToThePoolForReuse() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();
        assertThat(pool.stats().active()).isEqualTo(1);

        lease.close();

        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().active()).isZero();
        assertThat(connection.isClosed()).isFalse();
        try (PooledConnection<TestConnection> again = pool.getConnection()) {
            assertThat(again.get()).isSameAs(connection);
        }
        assertThat(creator.attempts()).isEqualTo(1);
    }

    @Test
    void closingTwiceIsANoOpAndKeepsTheStatsExact() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        lease.close();
        assertThatCode(lease::close).doesNotThrowAnyException();

        PoolStats stats = pool.stats();
        assertThat(stats.idle()).isEqualTo(1);
        assertThat(stats.active()).isZero();
        assertThat(stats.total()).isEqualTo(1);
        assertThat(stats.destroyed()).isZero();
        assertThat(connection.isClosed()).isFalse();
        try (PooledConnection<TestConnection> again = pool.getConnection(Duration.ZERO)) {
            assertThat(again.get()).isSameAs(connection);
            assertThat(pool.stats().idle()).as("no phantom second idle entry").isZero();
        }
    }

    @Test
    void aStaleCloseAfterTheSlotWasLentAgainDoesNotReturnTheNewBorrowersLease() {
        pool(1);
        PooledConnection<TestConnection> a = pool.getConnection();
        TestConnection connection = a.get();
        a.close();
        PooledConnection<TestConnection> b = pool.getConnection();
        assertThat(b.get()).as("B got the same slot").isSameAs(connection);

        a.close(); // stale: A's lease ended long ago

        assertThat(b.get()).isSameAs(connection);
        assertThat(connection.isClosed()).isFalse();
        PoolStats stats = pool.stats();
        assertThat(stats.active()).isEqualTo(1);
        assertThat(stats.idle()).isZero();
        assertThatThrownBy(() -> pool.getConnection(Duration.ZERO))
                .as("the only slot is still B's")
                .isInstanceOf(PoolTimeoutException.class);
        b.close();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void getAfterCloseThrowsIllegalStateException() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        lease.close();

        assertThatIllegalStateException().isThrownBy(lease::get);
    }

    @Test
    void invalidateClosesTheConnectionSynchronouslyAndFreesTheSlot() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        lease.invalidate();

        assertThat(connection.isClosed()).isTrue();
        PoolStats stats = pool.stats();
        assertThat(stats.total()).isZero();
        assertThat(stats.active()).isZero();
        assertThat(stats.idle()).isZero();
        assertThat(stats.destroyed()).isEqualTo(1);
        assertThatIllegalStateException().isThrownBy(lease::get);
    }

    @Test
    void invalidateIsIdempotent() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        lease.invalidate();
        lease.invalidate();

        assertThat(connection.closeCount()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isEqualTo(1);
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void invalidateAfterCloseIsANoOp() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();
        lease.close();

        lease.invalidate();

        assertThat(connection.isClosed()).isFalse();
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isZero();
    }

    @Test
    void invalidateAfterTheSlotWasLentAgainLeavesTheNewLeaseAlone() {
        pool(1);
        PooledConnection<TestConnection> a = pool.getConnection();
        a.close();
        PooledConnection<TestConnection> b = pool.getConnection();

        a.invalidate();

        assertThat(b.get().isClosed()).isFalse();
        assertThat(pool.stats().active()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isZero();
        b.close();
    }

    @Test
    void detachHandsTheConnectionOverAndFreesTheSlotWithoutClosingIt() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection first = lease.get();

        TestConnection detached = lease.detach();

        assertThat(detached).isSameAs(first);
        PoolStats stats = pool.stats();
        assertThat(stats.total()).isZero();
        assertThat(stats.active()).isZero();
        assertThat(stats.destroyed()).isZero();
        try (PooledConnection<TestConnection> next = pool.getConnection(Duration.ofSeconds(5))) {
            assertThat(next.get()).as("a new connection fills the freed slot").isNotSameAs(first);
            assertThat(pool.stats().total()).isEqualTo(1);
        }
        assertThatIllegalStateException().isThrownBy(lease::get);

        pool.close();

        assertThat(detached.isClosed())
                .as("the pool never closes a detached connection")
                .isFalse();
        assertThat(pool.stats().destroyed()).as("only the second connection").isEqualTo(1);
    }

    @Test
    void detachAfterCloseThrowsIllegalStateException() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        lease.close();

        assertThatIllegalStateException().isThrownBy(lease::detach);
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void detachAfterInvalidateThrowsIllegalStateException() {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        lease.invalidate();

        assertThatIllegalStateException().isThrownBy(lease::detach);
    }

    @Test
    void aLeaseCanBeClosedFromAnotherThreadThanTheBorrower() throws Exception {
        pool(1);
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        Thread closer = new Thread(lease::close, "other-thread");
        closer.start();
        closer.join(TimeUnit.SECONDS.toMillis(5));

        assertThat(closer.isAlive()).isFalse();
        assertThat(pool.stats().idle()).isEqualTo(1);
        assertThat(pool.stats().active()).isZero();
        try (PooledConnection<TestConnection> again = pool.getConnection(Duration.ZERO)) {
            assertThat(again.get()).isSameAs(connection);
        }
    }

    @Test
    void aResetterThatAnswersFalseClosesTheConnectionAndFreesTheSlot() {
        AtomicInteger resets = new AtomicInteger();
        pool = builder(1)
                .resetOnReturn(c -> {
                    resets.incrementAndGet();
                    return false;
                })
                .build();
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        lease.close();

        assertThat(resets).hasValue(1);
        assertThat(connection.isClosed()).isTrue();
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().destroyed()).isEqualTo(1);
        try (PooledConnection<TestConnection> next = pool.getConnection()) {
            assertThat(next.get()).isNotSameAs(connection);
        }
    }

    @Test
    void aResetterThatThrowsClosesTheConnectionAndFreesTheSlot() {
        pool = builder(1)
                .resetOnReturn(c -> {
                    throw new IllegalStateException("reset failed on purpose");
                })
                .build();
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        assertThatCode(lease::close).doesNotThrowAnyException();

        assertThat(connection.isClosed()).isTrue();
        assertThat(pool.stats().total()).isZero();
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }

    @Test
    void aResetterThatAnswersTrueKeepsTheConnection() {
        pool = builder(1).resetOnReturn(c -> true).build();
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();

        lease.close();

        assertThat(connection.isClosed()).isFalse();
        assertThat(pool.stats().idle()).isEqualTo(1);
    }

    @Test
    void aConnectionBeingResetGoesToTheWaitingCallerOnlyOnceTheResetIsDone() throws Exception {
        HeldReset reset = new HeldReset();
        pool = builder(1).resetOnReturn(reset).build();
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();
        CompletableFuture<Void> returned = reset.returnHeld(lease);

        CompletableFuture<PooledConnection<TestConnection>> waiting = pool.getConnectionAsync();
        assertThat(pool.stats().active()).as("not to be had while it is reset").isEqualTo(1);
        assertThat(waiting).isNotDone();
        reset.finish();

        try (PooledConnection<TestConnection> next = waiting.get(10, TimeUnit.SECONDS)) {
            assertThat(next.get()).isSameAs(connection);
        }
        returned.get(10, TimeUnit.SECONDS);
        assertThat(reset.count).as("one reset per return").hasValue(2);
        lease.close();
        assertThat(reset.count)
                .as("a second close of a returned lease resets nothing")
                .hasValue(2);
    }

    @Test
    void anInvalidateOrASecondCloseFromAnotherThreadDuringTheResetDoesNothing() throws Exception {
        HeldReset reset = new HeldReset();
        pool = builder(1).resetOnReturn(reset).build();
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection connection = lease.get();
        CompletableFuture<Void> returned = reset.returnHeld(lease);

        lease.close(); // the same lease, from this thread, while the other thread's close() resets it
        lease.invalidate();
        reset.finish();
        returned.get(10, TimeUnit.SECONDS);

        assertThat(reset.count).as("one reset for the one return").hasValue(1);
        assertThat(connection.isClosed()).isFalse();
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.idle()).isEqualTo(1);
            assertThat(s.active()).isZero();
            assertThat(s.destroyed()).isZero();
        });
        try (PooledConnection<TestConnection> next = pool.getConnection(Duration.ZERO)) {
            assertThat(next.get()).isSameAs(connection);
            assertThatThrownBy(() -> pool.getConnection(Duration.ZERO))
                    .as("the only connection is lent once")
                    .isInstanceOf(PoolTimeoutException.class);
        }
    }

    @Test
    void noConnectionIsLentToAnotherCallerWhileItsReturningCallerResetsIt() throws Exception {
        int threads = 4;
        int cycles = 5_000;
        Map<TestConnection, Thread> holders = new ConcurrentHashMap<>();
        AtomicInteger violations = new AtomicInteger();
        pool = builder(2)
                .resetOnReturn(c -> {
                    Thread.yield(); // widen the window in which a second borrower could get it
                    if (!holders.remove(c, Thread.currentThread())) {
                        violations.incrementAndGet(); // somebody else was lent it meanwhile
                    }
                    return true;
                })
                .build();
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(callers.submit(() -> {
                    for (int i = 0; i < cycles; i++) {
                        try (PooledConnection<TestConnection> lease = pool.getConnection()) {
                            if (holders.putIfAbsent(lease.get(), Thread.currentThread()) != null) {
                                violations.incrementAndGet(); // lent while another caller still held it
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(violations).hasValue(0);
        assertThat(pool.stats().active()).isZero();
        assertThat(pool.stats().total()).isLessThanOrEqualTo(2);
    }

    @Test
    void aCloserThatThrowsStillFreesTheSlotAndIsLoggedAtWarn() {
        AtomicInteger closes = new AtomicInteger();
        pool = builder(1)
                .closer(c -> {
                    closes.incrementAndGet();
                    throw new java.io.IOException("close failed on purpose");
                })
                .build();
        PooledConnection<TestConnection> lease = pool.getConnection();
        TestConnection first = lease.get();

        try (LogCapture log = LogCapture.ofPool()) {
            assertThatCode(lease::invalidate).doesNotThrowAnyException();

            assertThat(closes).hasValue(1);
            assertThat(pool.stats().total()).isZero();
            assertThat(pool.stats().destroyed()).isEqualTo(1);
            assertThat(log.at(Level.WARN)).anySatisfy(e -> {
                assertThat(e.getFormattedMessage()).startsWith("lease-test: closing a connection failed");
                assertThat(e.getThrowableProxy().getMessage()).isEqualTo("close failed on purpose");
            });
        }
        try (PooledConnection<TestConnection> next = pool.getConnection(Duration.ofSeconds(5))) {
            assertThat(next.get()).as("the freed slot takes a new connection").isNotSameAs(first);
        }
    }

    /** A resetter whose first reset holds until {@link #finish()}; later ones pass at once. */
    private static final class HeldReset implements ConnectionResetter<TestConnection> {

        final AtomicInteger count = new AtomicInteger();
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch finish = new CountDownLatch(1);

        @Override
        public boolean reset(TestConnection connection) throws InterruptedException {
            if (count.incrementAndGet() > 1) {
                return true;
            }
            started.countDown();
            return finish.await(10, TimeUnit.SECONDS);
        }

        /** Closes the lease on another thread and returns once its reset has started (and holds). */
        CompletableFuture<Void> returnHeld(PooledConnection<TestConnection> lease) throws InterruptedException {
            CompletableFuture<Void> returned = CompletableFuture.runAsync(lease::close);
            assertThat(started.await(10, TimeUnit.SECONDS))
                    .as("a reset started")
                    .isTrue();
            return returned;
        }

        void finish() {
            finish.countDown();
        }
    }
}
