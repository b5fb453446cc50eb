package io.github.connectionpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.ConnectionPool;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.jdbc.JdbcConnectionPool;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.FaultProxy;
import io.github.connectionpool.testing.Resp;
import io.github.connectionpool.testing.Services;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool between a caller and a server that restarts, refuses connections, or stops answering: the real PostgreSQL
 * (through {@link JdbcConnectionPool}) and the real Redis (through {@link TcpConnectionPool}), each behind a
 * {@link FaultProxy}. No pool is ever rebuilt: each test ends with a fresh round trip through the same pool.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FaultInjectionTest {

    private static final int MAX_SIZE = 4;
    private static final int CALLERS = 8;
    private static final Duration CLEANUP = Duration.ofMillis(300);
    /** Scheduling slack on top of a configured timeout, for a busy two-core machine. */
    private static final Duration MARGIN = Duration.ofMillis(1000);

    private FaultProxy proxy;

    @AfterEach
    void closeProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Pools and round trips

    private TcpConnectionPool redisPool(int minIdle, Duration readTimeout) {
        return redisPool(MAX_SIZE, minIdle, readTimeout);
    }

    private TcpConnectionPool redisPool(int maxSize, int minIdle, Duration readTimeout) {
        proxy = FaultProxy.to("127.0.0.1", 6379);
        return TcpConnectionPool.builder("127.0.0.1", proxy.port())
                .name("redis-faults")
                .maxSize(maxSize)
                .minIdle(minIdle)
                .readTimeout(readTimeout)
                .connectionTimeout(Duration.ofSeconds(5))
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(new CleanupConfig(CLEANUP, true))
                .build();
    }

    private JdbcConnectionPool postgresPool(int minIdle, int socketTimeoutSeconds) {
        return postgresPool(MAX_SIZE, minIdle, socketTimeoutSeconds);
    }

    private JdbcConnectionPool postgresPool(int maxSize, int minIdle, int socketTimeoutSeconds) {
        proxy = FaultProxy.to("127.0.0.1", 5432);
        return JdbcConnectionPool.builder("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test")
                .property("user", Services.POSTGRES_USER)
                .property("connectTimeout", "2") // seconds: the TCP connect
                .property("socketTimeout", String.valueOf(socketTimeoutSeconds)) // seconds: every read, login too
                // The default sslmode=prefer logs in twice when the first (SSL) attempt fails, so a blackholed login
                // would cost two socket timeouts; one attempt keeps the bound at one.
                .property("sslmode", "disable")
                .name("postgres-faults")
                .maxSize(maxSize)
                .minIdle(minIdle)
                .validationBypassWindow(Duration.ZERO)
                .validationTimeout(Duration.ofSeconds(1))
                .connectionTimeout(Duration.ofSeconds(5))
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(new CleanupConfig(CLEANUP, true))
                .build();
    }

    /**
     * One PING through the pool: true when it worked; false after an I/O error, having invalidated the connection as
     * a well-behaved caller does.
     */
    private static boolean ping(TcpConnectionPool pool) {
        return ping(pool, new Lending()) == Trip.WORKED;
    }

    /** One PING, telling {@code lending} of the lease. */
    private static Trip ping(TcpConnectionPool pool, Lending lending) {
        PooledConnection<Socket> lease = pool.getConnection();
        Socket socket = lease.get();
        boolean catchable = lending.borrowed(socket);
        try {
            assertThat(Resp.call(socket, "PING")).isEqualTo("PONG");
            return Trip.WORKED;
        } catch (IOException e) {
            lease.invalidate();
            return catchable ? Trip.FAILED : Trip.FAILED_UNCATCHABLE;
        } finally {
            lending.returning(socket);
            lease.close();
        }
    }

    /** One {@code select 1} through the pool; false after an SQL error, having invalidated the connection. */
    private static boolean select1(JdbcConnectionPool pool) {
        return select1(pool, new Lending()) == Trip.WORKED;
    }

    /** One {@code select 1}, telling {@code lending} of the lease. */
    private static Trip select1(JdbcConnectionPool pool, Lending lending) {
        PooledConnection<Connection> lease = pool.getConnection();
        Connection connection = lease.get();
        boolean catchable = lending.borrowed(connection);
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select 1")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getInt(1)).isEqualTo(1);
            return Trip.WORKED;
        } catch (SQLException e) {
            lease.invalidate();
            return catchable ? Trip.FAILED : Trip.FAILED_UNCATCHABLE;
        } finally {
            lending.returning(connection);
            lease.close();
        }
    }

    /** How a round trip ended. */
    private enum Trip {
        WORKED,
        /** Failed on a connection the pool had every chance to check after the cut: a check was missed. */
        FAILED,
        /** Failed on a connection no check after the cut could have caught (see {@link Lending#borrowed}). */
        FAILED_UNCATCHABLE
    }

    /**
     * What the cut test knows of the connections the pool lent, to tell a dead connection the pool must have caught
     * from one that only a race with the cut let through.
     */
    private static final class Lending {

        final AtomicBoolean cutDone = new AtomicBoolean();
        /** Per connection: whether its last return began once the cut was complete. */
        private final Map<Object, Boolean> returnedAfterCut = new ConcurrentHashMap<>();

        /**
         * Notes a lease; answers whether the pool must have caught the connection had the cut killed it. It need not
         * on a connection's first lease (a new connection goes to its borrower unchecked, as in every pool, and its
         * login may have ended just before the cut reached it), nor when the connection was returned before the cut
         * was complete: the check that follows a return may pass a moment before the cut reaches the connection.
         * Once returned after the cut, a dead connection is checked (the bypass window is zero) and must be caught.
         */
        boolean borrowed(Object connection) {
            Boolean afterCut = returnedAfterCut.put(connection, Boolean.FALSE);
            return afterCut != null && afterCut;
        }

        void returning(Object connection) {
            returnedAfterCut.put(connection, cutDone.get());
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Restart: every connection cut at once

    @Test
    void redisAfterEveryConnectionIsCutNoCallerGetsADeadConnectionTwice() throws Exception {
        Services.requireRedis();
        try (TcpConnectionPool pool = redisPool(MAX_SIZE, Duration.ofSeconds(5))) {
            cutWhileCallersRun(pool, lending -> ping(pool, lending));
            assertThat(ping(pool)).isTrue();
        }
    }

    @Test
    void postgresAfterEveryConnectionIsCutNoCallerGetsADeadConnectionTwice() throws Exception {
        Services.requirePostgres();
        try (JdbcConnectionPool pool = postgresPool(MAX_SIZE, 5)) {
            cutWhileCallersRun(pool, lending -> select1(pool, lending));
            assertThat(select1(pool)).isTrue();
        }
    }

    @Test
    void redisPoolIsWholeAgainWithinOneCleanupIntervalAfterACut() {
        Services.requireRedis();
        try (TcpConnectionPool pool = redisPool(MAX_SIZE, Duration.ofSeconds(5))) {
            refillsWithinOneCleanupInterval(pool);
            assertThat(ping(pool)).isTrue();
        }
    }

    @Test
    void postgresPoolIsWholeAgainWithinOneCleanupIntervalAfterACut() {
        Services.requirePostgres();
        try (JdbcConnectionPool pool = postgresPool(MAX_SIZE, 5)) {
            refillsWithinOneCleanupInterval(pool);
            assertThat(select1(pool)).isTrue();
        }
    }

    /**
     * Eight callers loop round trips through a pool of four; all four connections are cut while they run. A caller
     * that sees an error invalidates its connection; none may see a second error, since every dead connection must
     * be caught by the pool's check (or the caller's invalidate) before anyone else gets it.
     *
     * <p>Every connection returned once the cut is complete is checked before it is lent again, so none of them may
     * reach a caller dead. Checks that raced with the cut, and new connections (lent unchecked), may let a dead one
     * through: {@link Lending} tells those apart, and they count only towards the bound on errors per caller.
     */
    private void cutWhileCallersRun(ConnectionPool<?, ?> pool, Function<Lending, Trip> roundTrip) throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().idle() == MAX_SIZE);
        AtomicIntegerArray before = new AtomicIntegerArray(CALLERS);
        AtomicIntegerArray after = new AtomicIntegerArray(CALLERS);
        AtomicIntegerArray errors = new AtomicIntegerArray(CALLERS);
        AtomicIntegerArray missedChecks = new AtomicIntegerArray(CALLERS);
        Lending lending = new Lending();
        AtomicBoolean cut = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CyclicBarrier start = new CyclicBarrier(CALLERS);
        ExecutorService threads = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> callers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                callers.add(threads.submit(() -> {
                    start.await();
                    while (!stop.get()) {
                        boolean wasCut = cut.get();
                        Trip trip;
                        try {
                            trip = roundTrip.apply(lending);
                        } catch (ConnectionCreationException e) {
                            // The cut can also kill a connection being created (its login): the oldest waiter then
                            // hears of it, by design. That is not a dead connection lent twice; try again.
                            assertThat(wasCut || cut.get())
                                    .as("a creation failed before the cut")
                                    .isTrue();
                            continue;
                        }
                        if (trip != Trip.WORKED) {
                            errors.incrementAndGet(caller);
                            if (trip == Trip.FAILED) {
                                missedChecks.incrementAndGet(caller);
                            }
                        } else if (wasCut) {
                            after.incrementAndGet(caller);
                        } else {
                            before.incrementAndGet(caller);
                        }
                    }
                    return null;
                }));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> allAtLeast(before, 5));
            cut.set(true);
            proxy.cutAll();
            lending.cutDone.set(true);
            await().atMost(Duration.ofSeconds(30)).until(() -> allAtLeast(after, 20));
            stop.set(true);
            for (Future<?> caller : callers) {
                caller.get(20, TimeUnit.SECONDS); // a PoolException or a failed assertion would show here
            }
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
        int totalErrors = 0;
        for (int c = 0; c < CALLERS; c++) {
            // No connection returned after the cut reaches a caller dead. Races with the cut may let one through, or
            // (rarely) two, to the same caller.
            assertThat(missedChecks.get(c))
                    .as("dead connections lent to caller %d after a return that followed the cut", c)
                    .isZero();
            assertThat(errors.get(c)).as("errors seen by caller %d", c).isLessThanOrEqualTo(2);
            totalErrors += errors.get(c);
        }
        assertThat(totalErrors).as("errors: about one per cut connection").isLessThanOrEqualTo(2 * MAX_SIZE);
        // A connection returned while others waited may still be validated on a worker (it counts as active until
        // then): the callers are gone, so it goes back to the idle ones.
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().active() == 0);
        PoolStats stats = pool.stats();
        assertThat(stats.pending()).isZero();
        assertThat(stats.total()).isLessThanOrEqualTo(MAX_SIZE);
        assertThat(stats.created()).isGreaterThan(MAX_SIZE); // the cut ones were replaced
        await().atMost(CLEANUP.plus(MARGIN))
                .until(() -> pool.stats().idle() == MAX_SIZE && proxy.openNow() == MAX_SIZE);
    }

    /**
     * The deterministic core of the test above: a connection returned while a caller waits goes straight to that
     * caller. If the server went away meanwhile, the waiter must still get a checked connection (the TCP pool promises
     * that every borrow peeks at its socket; its bypass window is zero), not the dead one.
     */
    @Test
    void redisAConnectionHandedStraightToAWaitingCallerIsCheckedLikeAnyOtherBorrow() throws Exception {
        Services.requireRedis();
        proxy = FaultProxy.to("127.0.0.1", 6379);
        try (TcpConnectionPool pool = TcpConnectionPool.builder("127.0.0.1", proxy.port())
                .name("redis-handoff")
                .maxSize(1)
                .readTimeout(Duration.ofSeconds(5))
                .acquireTimeout(Duration.ofSeconds(10))
                .build()) {
            PooledConnection<Socket> held = pool.getConnection();
            assertThat(Resp.call(held.get(), "PING")).isEqualTo("PONG");
            ExecutorService waiter = Executors.newSingleThreadExecutor();
            try {
                Future<Object> reply = waiter.submit(() -> {
                    try (PooledConnection<Socket> lease = pool.getConnection()) {
                        return Resp.call(lease.get(), "PING");
                    } catch (IOException e) {
                        return e;
                    }
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().pending() == 1);
                proxy.cutAll();
                Socket socket = held.get();
                await().atMost(Duration.ofSeconds(5)).until(() -> endOfStream(socket)); // the FIN has arrived
                held.close(); // straight to the waiter

                assertThat(reply.get(10, TimeUnit.SECONDS))
                        .as("what the waiting caller's PING got")
                        .isEqualTo("PONG");
                assertThat(pool.stats().validationFailures()).isEqualTo(1);
            } finally {
                waiter.shutdownNow();
            }
        }
    }

    /** Whether a read finds the end of the stream (the peer has closed); waits 1 ms at most; no byte may be waiting. */
    private static boolean endOfStream(Socket socket) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(1);
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException nothingYet) {
            return false;
        } finally {
            socket.setSoTimeout(timeout);
        }
    }

    private static boolean allAtLeast(AtomicIntegerArray counts, int minimum) {
        for (int i = 0; i < counts.length(); i++) {
            if (counts.get(i) < minimum) {
                return false;
            }
        }
        return true;
    }

    /** With minIdle = maxSize and nobody borrowing, the cleanup finds the dead connections and replaces them. */
    private void refillsWithinOneCleanupInterval(ConnectionPool<?, ?> pool) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> pool.stats().idle() == MAX_SIZE && proxy.openNow() == MAX_SIZE);
        long createdBefore = pool.stats().created();
        proxy.cutAll();
        assertThat(proxy.openNow()).isZero();
        // The next cleanup run, at most one interval away, closes the four and starts four creations.
        await().atMost(CLEANUP.plus(MARGIN))
                .until(() -> pool.stats().created() == createdBefore + MAX_SIZE
                        && pool.stats().idle() == MAX_SIZE
                        && proxy.openNow() == MAX_SIZE);
        PoolStats stats = pool.stats();
        assertThat(stats.destroyed()).isEqualTo(MAX_SIZE);
        assertThat(stats.validationFailures()).isEqualTo(MAX_SIZE);
        assertThat(stats.total()).isEqualTo(MAX_SIZE);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Refused: the server is down, connects fail at once

    @Test
    void redisWhileConnectsAreRefusedCallersFailFastAndNobodyPilesUp() throws Exception {
        Services.requireRedis();
        try (TcpConnectionPool pool = redisPool(0, Duration.ofSeconds(5))) {
            assertThat(ping(pool)).isTrue();
            failsFastWhileRefused(pool, ConnectException.class);
            // Healed: the same pool works again, once the creation back-off (at most 5 s) lets it try.
            await().atMost(Duration.ofSeconds(6)).ignoreExceptions().until(() -> ping(pool));
        }
    }

    @Test
    void postgresWhileConnectsAreRefusedCallersFailFastAndNobodyPilesUp() throws Exception {
        Services.requirePostgres();
        try (JdbcConnectionPool pool = postgresPool(0, 5)) {
            assertThat(select1(pool)).isTrue();
            failsFastWhileRefused(pool, SQLException.class);
            await().atMost(Duration.ofSeconds(6)).ignoreExceptions().until(() -> select1(pool));
        }
    }

    private void failsFastWhileRefused(ConnectionPool<?, ?> pool, Class<? extends Exception> driverError)
            throws Exception {
        Duration acquireTimeout = pool.config().acquireTimeout();
        // Quiet first: no creation still under way (it could connect between the cut and the refusal).
        await().atMost(Duration.ofSeconds(5))
                .until(() -> pool.stats().creating() == 0
                        && proxy.openNow() == pool.stats().total());
        proxy.cutAll();
        proxy.refuse();

        long start = System.nanoTime();
        Throwable failure = catchThrowable(pool::getConnection);
        long elapsed = millisSince(start);
        assertThat(failure).isInstanceOf(ConnectionCreationException.class).hasCauseInstanceOf(driverError);
        assertThat(elapsed)
                .as("ms to fail; acquireTimeout is %s", acquireTimeout)
                .isLessThan(1000);
        assertThat(pool.stats().creationFailures()).isGreaterThanOrEqualTo(1);
        assertThat(pool.lastCreationError()).isInstanceOf(driverError);

        // No pile-up: twenty callers at once all fail within a small bound, none waits for the acquire timeout.
        int callers = 20;
        CyclicBarrier together = new CyclicBarrier(callers);
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                results.add(threads.submit(() -> {
                    together.await();
                    long begin = System.nanoTime();
                    assertThatThrownBy(pool::getConnection)
                            .isInstanceOf(ConnectionCreationException.class)
                            .hasCauseInstanceOf(driverError);
                    return millisSince(begin);
                }));
            }
            for (Future<Long> result : results) {
                assertThat(result.get(acquireTimeout.toMillis(), TimeUnit.MILLISECONDS))
                        .as("ms for one of %d concurrent callers to fail", callers)
                        .isLessThan(2000);
            }
        } finally {
            threads.shutdownNow();
        }
        PoolStats stats = pool.stats();
        // Not one attempt per caller: after two failures in a row creation backs off and callers fail at once.
        assertThat(stats.creationFailures()).isBetween(1L, (long) callers);
        assertThat(stats.timeouts()).isZero();
        assertThat(stats.pending()).isZero();
        assertThat(stats.active()).isZero();
        assertThat(stats.total()).isZero();

        proxy.heal();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Blackhole: connects succeed (to the proxy), nothing comes back

    @Test
    void redisABlackholedServerCostsACallerAtMostTheReadTimeout() throws IOException {
        Services.requireRedis();
        Duration readTimeout = Duration.ofMillis(500);
        try (TcpConnectionPool pool = redisPool(1, 0, readTimeout)) { // one slot: exactly the sockets we made
            assertThat(ping(pool)).isTrue();
            proxy.blackhole();
            for (int attempt = 0; attempt < 2; attempt++) { // first the pooled socket, then a brand-new one
                long start = System.nanoTime();
                PooledConnection<Socket> lease = pool.getConnection();
                assertThat(millisSince(start))
                        .as("ms to borrow: connects to the proxy succeed")
                        .isLessThan(1000);
                assertThatThrownBy(() -> Resp.call(lease.get(), "PING")).isInstanceOf(SocketTimeoutException.class);
                lease.invalidate();
                assertThat(millisSince(start))
                        .as("ms for a round trip into the blackhole")
                        .isBetween(
                                readTimeout.toMillis() - 50,
                                readTimeout.plus(MARGIN).toMillis());
            }
            assertThat(pool.stats().destroyed()).isEqualTo(2);
            proxy.heal();
            assertThat(ping(pool)).isTrue();
            assertThat(pool.stats().total()).isEqualTo(1);
        }
    }

    @Test
    void postgresABlackholedServerCostsACallerAtMostTheDriversTimeouts() throws SQLException {
        Services.requirePostgres();
        int socketTimeoutSeconds = 1;
        Duration socketTimeout = Duration.ofSeconds(socketTimeoutSeconds);
        try (JdbcConnectionPool pool = postgresPool(1, 0, socketTimeoutSeconds)) { // one slot, as above
            // A query on a connection already lent: the driver's socketTimeout.
            try (PooledConnection<Connection> lease = pool.getConnection();
                    Statement statement = lease.get().createStatement()) {
                proxy.blackhole();
                long start = System.nanoTime();
                assertThatThrownBy(() -> statement.executeQuery("select 1")).isInstanceOf(SQLException.class);
                lease.invalidate();
                assertThat(millisSince(start))
                        .as("ms for a query into the blackhole")
                        .isBetween(
                                socketTimeout.toMillis() - 50,
                                socketTimeout.plus(MARGIN).toMillis());
            }

            // A new connection: the TCP connect succeeds, the login stalls until the socketTimeout.
            long start = System.nanoTime();
            assertThatThrownBy(pool::getConnection)
                    .isInstanceOf(ConnectionCreationException.class)
                    .hasCauseInstanceOf(SQLException.class);
            assertThat(millisSince(start))
                    .as("ms to fail creating a connection into the blackhole")
                    .isBetween(
                            socketTimeout.toMillis() - 50,
                            socketTimeout.plus(MARGIN).toMillis());

            // An idle connection: its validation gives up after validationTimeout, then creation as above.
            proxy.heal();
            assertThat(select1(pool)).isTrue();
            proxy.blackhole();
            Duration validationTimeout = pool.config().validationTimeout();
            start = System.nanoTime();
            assertThatThrownBy(pool::getConnection).isInstanceOf(ConnectionCreationException.class);
            assertThat(millisSince(start))
                    .as("ms to fail validating and then creating")
                    .isBetween(
                            validationTimeout.plus(socketTimeout).toMillis() - 100,
                            validationTimeout.plus(socketTimeout).plus(MARGIN).toMillis());
            assertThat(pool.stats().validationFailures()).isEqualTo(1);

            proxy.heal();
            assertThat(select1(pool)).isTrue();
            assertThat(pool.stats().active()).isZero();
            assertThat(pool.stats().pending()).isZero();
        }
    }

    @Test
    void redisRoundTripsStillWorkUnderLatencyAndSpeedUpAfterHeal() {
        Services.requireRedis();
        try (TcpConnectionPool pool = redisPool(1, 0, Duration.ofSeconds(5))) {
            assertThat(ping(pool)).isTrue();
            proxy.latency(Duration.ofMillis(100));
            long start = System.nanoTime();
            assertThat(ping(pool)).isTrue();
            assertThat(millisSince(start)).isGreaterThanOrEqualTo(200); // a chunk each way
            proxy.heal();
            assertThat(ping(pool)).isTrue();
            assertThat(pool.stats().created()).isEqualTo(1); // slow is not broken: nothing replaced
        }
    }
}
