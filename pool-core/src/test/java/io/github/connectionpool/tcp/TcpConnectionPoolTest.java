package io.github.connectionpool.tcp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.PoolClosedException;
import io.github.connectionpool.PoolConfig;
import io.github.connectionpool.PoolListener;
import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCP pool against real sockets, served by an in-process {@link TestServer} whose behaviour each test switches: a
 * server that closes, refuses, never answers or talks unasked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpConnectionPoolTest {

    private static final Duration AWAIT = Duration.ofSeconds(5);
    /** Off, so that no background run checks or closes a socket behind a test's back. */
    private static final CleanupConfig NO_CLEANUP = CleanupConfig.disabled();

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Round trips and reuse

    @Test
    void newTcpEchoesARoundTripAndReusesTheSameSocketAcrossBorrows() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(TcpConnectionPool.newTcp(1, null, null, NO_CLEANUP, server.address()));

        Socket first;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            first = lease.get();
            assertRoundTrip(first, "ping-1");
        }
        for (int i = 2; i <= 5; i++) {
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                assertThat(lease.get()).isSameAs(first);
                assertRoundTrip(lease.get(), "ping-" + i);
            }
        }

        assertThat(server.accepted()).isEqualTo(1);
        assertThat(first.isClosed()).isFalse();
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.created()).isEqualTo(1);
            assertThat(s.destroyed()).isZero();
            assertThat(s.validationFailures()).isZero();
            assertThat(s.idle()).isEqualTo(1);
            assertThat(s.active()).isZero();
        });
    }

    @Test
    void newTcpAppliesTheSeedDefaultsAndTheSocketDefaults() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(TcpConnectionPool.newTcp(null, null, null, NO_CLEANUP, server.address()));

        assertThat(pool.maxSize()).isEqualTo(10);
        assertThat(pool.config().maxIdleTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(pool.config().connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(pool.config().validationBypassWindow()).isZero();
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            Socket socket = lease.get();
            assertThat(socket.getTcpNoDelay()).isTrue();
            assertThat(socket.getKeepAlive()).isTrue();
            assertThat(socket.getSoTimeout()).isZero();
        }
    }

    @Test
    void builderSocketOptionsAreAppliedToNewSockets() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(TcpConnectionPool.builder("127.0.0.1", server.port())
                .tcpNoDelay(false)
                .keepAlive(false)
                .readTimeout(Duration.ofMillis(250))
                .cleanup(NO_CLEANUP)
                .build());

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            Socket socket = lease.get();
            assertThat(socket.getTcpNoDelay()).isFalse();
            assertThat(socket.getKeepAlive()).isFalse();
            assertThat(socket.getSoTimeout()).isEqualTo(250);
            assertRoundTrip(socket, "options");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Address parsing

    @Test
    void hostAndPortAreParsedAndNameTheDefaultPool() {
        TcpConnectionPool pool = closing(
                TcpConnectionPool.builder("127.0.0.1:6379").cleanup(NO_CLEANUP).build());

        assertThat(pool.address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(pool.address().getPort()).isEqualTo(6379);
        assertThat(pool.name()).isEqualTo("tcp-127.0.0.1:6379");
        assertThat(pool.stats().total())
                .as("no connection before one is needed")
                .isZero();
    }

    @Test
    void newTcpNamesThePoolAfterItsTarget() {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(TcpConnectionPool.newTcp(1, null, null, NO_CLEANUP, server.address()));

        assertThat(pool.name()).isEqualTo("tcp-127.0.0.1:" + server.port());
    }

    @Test
    void aBracketedIpv6HostIsParsedWithoutItsBrackets() {
        TcpConnectionPool pool = closing(
                TcpConnectionPool.builder("[::1]:8080").cleanup(NO_CLEANUP).build());

        assertThat(pool.address().getHostString()).isEqualTo("::1");
        assertThat(pool.address().getPort()).isEqualTo(8080);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(
            strings = {
                "localhost",
                "localhost:",
                ":8080",
                "127.0.0.1:0",
                "127.0.0.1:70000",
                "127.0.0.1:-1",
                "127.0.0.1:abc",
                " :8080",
                "[]:8080",
                "",
                "   "
            })
    void malformedAddressesAreRejectedNamingTheAddress(String address) {
        for (Throwable thrown : List.of(
                catchThrowable(() -> TcpConnectionPool.builder(address)),
                catchThrowable(() -> TcpConnectionPool.newTcp(null, null, null, NO_CLEANUP, address)))) {
            assertThat(thrown)
                    .isInstanceOf(IllegalArgumentException.class)
                    .message()
                    .startsWith("address ")
                    .satisfies(message -> {
                        if (address != null && !address.isBlank()) {
                            assertThat(message).contains(address);
                        }
                    });
        }
    }

    @Test
    void hostAndPortBuilderRejectsAPortOutOfRangeAndABlankHost() {
        assertThatThrownBy(() -> TcpConnectionPool.builder("127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("port");
        assertThatThrownBy(() -> TcpConnectionPool.builder("127.0.0.1", 65536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("port");
        assertThatThrownBy(() -> TcpConnectionPool.builder(" ", 8080))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("host");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Dead peers and unread bytes

    @Test
    void aPeerThatClosedIsDetectedAndReplacedBeforeTheCallerSeesIt() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));
        Socket dead = borrowRoundTripAndReturn(pool, "before the cut");

        assertThat(server.cutAll()).isEqualTo(1);
        await().atMost(AWAIT).until(() -> server.open() == 0);

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(dead);
            assertRoundTrip(lease.get(), "after the cut");
        }
        assertThat(dead.isClosed()).as("the dead socket was closed by the pool").isTrue();
        assertThat(server.accepted()).isEqualTo(2);
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.validationFailures()).isGreaterThanOrEqualTo(1);
            assertThat(s.destroyed()).isGreaterThanOrEqualTo(1);
            assertThat(s.total()).isEqualTo(1);
        });
    }

    /**
     * A cleanup run validates the idle socket with the exact time; the borrow that follows reads the pool's coarse clock,
     * which may not have ticked since, so the validation's time lies ahead of the borrow's. With the TCP pool's zero
     * bypass window that must still mean "check", or a peer that closed right after the cleanup reaches the caller.
     */
    @Test
    void aPeerThatClosedRightAfterACleanupRunIsStillDetectedByTheNextBorrow() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));
        Socket dead = borrowRoundTripAndReturn(pool, "before the cleanup");
        pool.runCleanup(); // validates the idle socket: it is fine

        assertThat(server.cutAll()).isEqualTo(1);
        await().atMost(AWAIT).until(() -> server.open() == 0);

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(dead);
            assertRoundTrip(lease.get(), "after the cut");
        }
        assertThat(pool.stats().validationFailures()).isEqualTo(1);
    }

    @Test
    void aPeerThatResetTheConnectionIsDetectedAndReplaced() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));
        Socket dead = borrowRoundTripAndReturn(pool, "before the reset");

        assertThat(server.resetAll()).isEqualTo(1);
        await().atMost(AWAIT).until(() -> server.open() == 0);

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(dead);
            assertRoundTrip(lease.get(), "after the reset");
        }
        assertThat(dead.isClosed()).isTrue();
        assertThat(pool.stats().validationFailures()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }

    @Test
    void aSocketTheBorrowerShutDownIsClosedOnReturn() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));

        PooledConnection<Socket> lease = pool.getConnection();
        Socket socket = lease.get();
        socket.shutdownOutput();
        lease.close();

        assertThat(socket.isClosed()).isTrue();
        assertThat(pool.stats().destroyed()).isEqualTo(1);
        assertThat(pool.stats().total()).isZero();
        await().atMost(AWAIT).until(() -> server.open() == 0);
    }

    @Test
    void aSocketTheBorrowerClosedFreesItsSlotOnReturn() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));

        PooledConnection<Socket> lease = pool.getConnection();
        Socket socket = lease.get();
        socket.close(); // against the advice (invalidate() is the way), but it happens
        lease.close();

        assertThat(pool.stats().total()).isZero();
        try (PooledConnection<Socket> next = pool.getConnection()) {
            assertThat(next.get()).isNotSameAs(socket);
            assertRoundTrip(next.get(), "fresh");
        }
    }

    @Test
    void anAsyncBorrowAlsoReplacesAPeerThatClosed() throws Exception {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));
        Socket dead = borrowRoundTripAndReturn(pool, "before the cut");

        server.cutAll();
        await().atMost(AWAIT).until(() -> server.open() == 0);

        try (PooledConnection<Socket> lease = pool.getConnectionAsync().get(5, TimeUnit.SECONDS)) {
            assertThat(lease.get()).isNotSameAs(dead);
            assertRoundTrip(lease.get(), "after the cut");
        }
        assertThat(dead.isClosed()).isTrue();
        assertThat(pool.stats().validationFailures()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }

    @Test
    void sequentialAsyncBorrowsReuseOneHealthySocket() throws Exception {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 4));

        Socket first;
        try (PooledConnection<Socket> lease = pool.getConnectionAsync().get(5, TimeUnit.SECONDS)) {
            first = lease.get();
            assertRoundTrip(first, "async-0");
        }
        for (int i = 1; i <= 5; i++) {
            try (PooledConnection<Socket> lease = pool.getConnectionAsync().get(5, TimeUnit.SECONDS)) {
                assertRoundTrip(lease.get(), "async-" + i);
            }
        }

        assertThat(server.accepted())
                .as("one caller at a time needs one connection: %s", pool.stats())
                .isEqualTo(1);
        assertThat(pool.stats().created()).isEqualTo(1);
    }

    @Test
    void aSocketWhoseReplyWasLeftUnreadIsNeverHandedToTheNextCaller() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));

        Socket careless;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            careless = lease.get();
            write(careless, "request-never-read");
        } // the echo may arrive before this return (reset closes it) or after it (the next borrow's check closes it)
        // A reply still in flight cannot be seen by anyone: the promise is about bytes that arrived before the borrow.
        await().atMost(AWAIT)
                .until(() -> careless.isClosed() || careless.getInputStream().available() > 0);

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(careless);
            assertRoundTrip(lease.get(), "mine");
        }
        assertThat(careless.isClosed()).isTrue();
        assertThat(pool.stats().destroyed()).isEqualTo(1);
        assertThat(server.accepted()).isEqualTo(2);
    }

    @Test
    void aSocketReturnedWithUnreadBytesIsClosedOnReturn() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));

        PooledConnection<Socket> lease = pool.getConnection();
        Socket careless = lease.get();
        write(careless, "request-never-read");
        await().atMost(AWAIT).until(() -> careless.getInputStream().available() > 0);
        lease.close();

        assertThat(careless.isClosed()).as("closed on return, synchronously").isTrue();
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.destroyed()).isEqualTo(1);
            assertThat(s.validationFailures()).as("no borrow check was needed").isZero();
            assertThat(s.idle()).isZero();
            assertThat(s.total()).isZero();
        });
        await().atMost(AWAIT).until(() -> server.peerClosed() == 1);
        try (PooledConnection<Socket> next = pool.getConnection()) {
            assertRoundTrip(next.get(), "mine");
        }
    }

    @Test
    void bytesArrivingAfterReturnAreDiscardedByTheNextBorrow() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));
        Socket idle = borrowRoundTripAndReturn(pool, "clean");
        assertThat(pool.stats().idle()).isEqualTo(1);

        assertThat(server.sendToAll("late reply\n".getBytes(US_ASCII))).isEqualTo(1);
        await().atMost(AWAIT).until(() -> idle.getInputStream().available() > 0); // arrived while idle

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(idle);
            assertRoundTrip(lease.get(), "mine");
        }
        assertThat(idle.isClosed()).isTrue();
        assertThat(pool.stats().validationFailures()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isEqualTo(1);
    }

    @Test
    void aBannerSentOnAcceptAndLeftUnreadIsNeverHandedToTheNextCaller() throws IOException {
        TestServer server = server(TestServer.Mode.SEND_ON_ACCEPT);
        TcpConnectionPool pool = closing(pool(server, 1));

        Socket greeted;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            greeted = lease.get();
        } // returned without reading the banner, which may not even have arrived yet
        await().atMost(AWAIT).until(() -> server.accepted() == 1); // served with a banner: the mode is read at accept
        server.mode(TestServer.Mode.ECHO); // the replacement gets no banner: any byte but our echo is stale
        await().atMost(AWAIT)
                .until(() -> greeted.isClosed() || greeted.getInputStream().available() > 0);

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(greeted);
            assertRoundTrip(lease.get(), "mine");
        }
        assertThat(greeted.isClosed()).isTrue();
        assertThat(pool.stats().destroyed()).isEqualTo(1);
        assertThat(server.accepted()).isEqualTo(2);
    }

    @Test
    void aZeroTimeoutBorrowTakesAnIdleSocketAtHandAfterItsPeek() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));
        Socket first;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            first = lease.get();
            assertRoundTrip(first, "warm-up");
        }

        // Every TCP borrow peeks at its socket; with no time to wait, a peek already answered still counts.
        try (PooledConnection<Socket> lease = pool.getConnection(Duration.ZERO)) {
            assertThat(lease.get()).isSameAs(first);
            assertRoundTrip(lease.get(), "at once");
        }
        assertThat(pool.stats().timeouts()).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Unreachable, refusing and silent servers

    @Test
    void aRefusedConnectFailsFastWithConnectExceptionAndThePoolServesAgainAfterTheServerHeals() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        server.refuse();
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .maxSize(1)
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(NO_CLEANUP)
                .build());

        long start = System.nanoTime();
        Throwable thrown = catchThrowable(pool::getConnection);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(thrown)
                .isInstanceOf(ConnectionCreationException.class)
                .hasMessageContaining(pool.name())
                .cause()
                .isInstanceOf(ConnectException.class);
        assertThat(elapsed).as("well under the acquire timeout").isLessThan(Duration.ofSeconds(2));
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.creationFailures()).isEqualTo(1);
            assertThat(s.total()).as("the failed creation freed its slot").isZero();
            assertThat(s.pending()).isZero();
        });
        assertThat(pool.lastCreationError()).isInstanceOf(ConnectException.class);

        server.heal();

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertRoundTrip(lease.get(), "healed");
        }
        assertThat(server.accepted()).isEqualTo(1);
        assertThat(pool.stats().created()).isEqualTo(1);
    }

    @Test
    void aServerThatNeverAnswersTimesTheReadOutAndTheInvalidatedSocketIsReplaced() throws IOException {
        TestServer server = server(TestServer.Mode.BLACKHOLE);
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .maxSize(1)
                .readTimeout(Duration.ofMillis(200))
                .cleanup(NO_CLEANUP)
                .build());

        PooledConnection<Socket> lease = pool.getConnection();
        Socket silent = lease.get();
        write(silent, "anyone there?");
        long start = System.nanoTime();
        assertThatThrownBy(() -> silent.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(waited).isBetween(Duration.ofMillis(150), Duration.ofSeconds(2));

        lease.invalidate();
        assertThat(silent.isClosed()).isTrue();
        assertThat(pool.stats().destroyed()).isEqualTo(1);
        assertThat(pool.stats().total()).isZero();

        server.mode(TestServer.Mode.ECHO);
        try (PooledConnection<Socket> next = pool.getConnection()) {
            assertThat(next.get()).isNotSameAs(silent);
            assertRoundTrip(next.get(), "answered");
        }
    }

    @Test
    void aConnectThatCannotCompleteIsBoundedByTheConnectionTimeout() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        server.mode(TestServer.Mode.STALL); // listening, accept queue full: the SYN is dropped
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .maxSize(1)
                .connectionTimeout(Duration.ofMillis(300))
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(NO_CLEANUP)
                .build());

        long start = System.nanoTime();
        Throwable thrown = catchThrowable(pool::getConnection);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).isBetween(Duration.ofMillis(250), Duration.ofMillis(1500));
        assertCreationTimedOut(thrown);
        assertThat(pool.stats().creationFailures()).isEqualTo(1);
        // The connect itself ends a little after the pool's timeout (its own backstop), and frees the slot then.
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().total() == 0);

        server.heal();
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertRoundTrip(lease.get(), "after the stall");
        }
    }

    @Test
    void aConnectToANonRoutableAddressIsBoundedByTheConnectionTimeout() {
        TcpConnectionPool pool = closing(TcpConnectionPool.builder("10.255.255.1:9")
                .maxSize(1)
                .connectionTimeout(Duration.ofMillis(300))
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(NO_CLEANUP)
                .build());

        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> pool.getConnection().invalidate());
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).isLessThan(Duration.ofMillis(1500));
        Assumptions.assumeTrue(thrown != null, "this network completes connects to 10.255.255.1 (a proxy?)");
        Assumptions.assumeFalse(
                thrown instanceof ConnectionCreationException && !(thrown.getCause() instanceof SocketTimeoutException),
                () -> "this network rejects 10.255.255.1 at once: " + thrown.getCause());
        assertCreationTimedOut(thrown);
    }

    @Test
    void aSubMillisecondReadTimeoutIsRoundedUpToOneMillisecondAndStillTimesTheReadOut() throws IOException {
        TestServer server = server(TestServer.Mode.BLACKHOLE);
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .readTimeout(Duration.ofNanos(500_000))
                .cleanup(NO_CLEANUP)
                .build());

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            Socket silent = lease.get();
            assertThat(silent.getSoTimeout()).as("1 ms, not 0 (no limit)").isEqualTo(1);
            write(silent, "anyone there?");
            assertTimeoutPreemptively(
                    Duration.ofSeconds(5),
                    () -> assertThatThrownBy(() -> silent.getInputStream().read())
                            .isInstanceOf(SocketTimeoutException.class));
            lease.invalidate();
        }
    }

    @Test
    void readTimeoutsAreRoundedUpToWholeMillisecondsAndCappedAtWhatASocketHolds() {
        assertThat(TcpConnectionPool.Builder.readTimeoutMillis(Duration.ZERO)).isZero();
        assertThat(TcpConnectionPool.Builder.readTimeoutMillis(Duration.ofNanos(1)))
                .isEqualTo(1);
        assertThat(TcpConnectionPool.Builder.readTimeoutMillis(Duration.ofMillis(1)))
                .isEqualTo(1);
        assertThat(TcpConnectionPool.Builder.readTimeoutMillis(Duration.ofNanos(1_000_001)))
                .isEqualTo(2);
        assertThat(TcpConnectionPool.Builder.readTimeoutMillis(Duration.ofDays(365L * 300)))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(TcpConnectionPool.Builder.readTimeoutMillis(ChronoUnit.FOREVER.getDuration()))
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void hugeConnectionAndReadTimeoutsBuildAWorkingPoolInsteadOfOverflowing() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        Duration forever = ChronoUnit.FOREVER.getDuration();
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .connectionTimeout(forever)
                .readTimeout(forever)
                .acquireTimeout(Duration.ofDays(365L * 300))
                .maxIdleTime(forever)
                .maxLifetime(forever)
                .validationTimeout(forever)
                .leakDetectionThreshold(forever)
                .cleanup(NO_CLEANUP.withInterval(forever))
                .build());

        assertThat(pool.config().connectionTimeout()).isEqualTo(PoolConfig.MAX_DURATION);
        assertThat(TcpConnector.creationLimitNanos(forever)).isEqualTo(Long.MAX_VALUE);
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get().getSoTimeout()).isEqualTo(Integer.MAX_VALUE);
            assertRoundTrip(lease.get(), "forever");
        }
    }

    @Test
    void theCreatorItselfEndsAConnectThatCannotCompleteWithoutBeingInterrupted() {
        TestServer server = server(TestServer.Mode.ECHO);
        server.mode(TestServer.Mode.STALL);
        TcpConnector connector = new TcpConnector(Duration.ofMillis(300), 0, true, true, null, true);

        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> connector
                .createConnection(InetSocketAddress.createUnresolved("127.0.0.1", server.port()))
                .toCompletableFuture()
                .join());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isBetween(Duration.ofMillis(300), Duration.ofMillis(450 + 500));
        assertThat(thrown).hasCauseInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void aCreationEndsByItselfAtTheConnectionTimeoutPlusHalfOfItAtMostOneSecondMore() {
        assertThat(TcpConnector.creationLimitNanos(Duration.ofMillis(300)))
                .isEqualTo(Duration.ofMillis(450).toNanos());
        assertThat(TcpConnector.creationLimitNanos(Duration.ofSeconds(10)))
                .isEqualTo(Duration.ofSeconds(11).toNanos());
        assertThat(TcpConnector.creationLimitNanos(Duration.ofNanos(1))).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Capacity and closing

    @Test
    void theServerNeverSeesMoreThanMaxSizeConnectionsUnderLoad() throws Exception {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .maxSize(4)
                .readTimeout(Duration.ofSeconds(10))
                .cleanup(NO_CLEANUP)
                .build());
        int threads = 16;
        int roundTrips = 500;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        toClose.add(executor::shutdownNow);
        CountDownLatch go = new CountDownLatch(1);
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(executor.submit(() -> {
                go.await();
                for (int i = 0; i < roundTrips; i++) {
                    try (PooledConnection<Socket> lease = pool.getConnection()) {
                        String message = "t" + thread + "-r" + i + ";";
                        write(lease.get(), message);
                        String reply = new String(lease.get().getInputStream().readNBytes(message.length()), US_ASCII);
                        if (!reply.equals(message)) {
                            failures.add(new AssertionError("sent " + message + " but read " + reply));
                        }
                    } catch (IOException | RuntimeException e) {
                        failures.add(e);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> future : done) {
            future.get(50, TimeUnit.SECONDS);
        }

        assertThat(failures).isEmpty();
        assertThat(server.maxOpen()).isBetween(1, 4);
        await().atMost(AWAIT)
                .untilAsserted(
                        () -> { // a creation may still be under way when the borrowers finish
                            PoolStats stats = pool.stats();
                            assertThat(stats.created())
                                    .isEqualTo(server.accepted())
                                    .isLessThanOrEqualTo(4);
                            assertThat(stats.idle()).isEqualTo(server.open());
                        });
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.destroyed()).isZero();
            assertThat(s.validationFailures()).isZero();
            assertThat(s.active()).isZero();
        });
    }

    @Test
    void twoWaitingBorrowersNeverOpenMoreThanTwoConnections() throws Exception {
        TestServer server = server(TestServer.Mode.ECHO);
        CountDownLatch firstCreated = new CountDownLatch(1);
        CountDownLatch letItGo = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        PoolListener holdTheFirstHandOff = new PoolListener() {
            @Override
            public void connectionCreated(long creationNanos) {
                if (first.compareAndSet(true, false)) { // made, not yet handed to its waiter
                    firstCreated.countDown();
                    awaitQuietly(letItGo);
                }
            }
        };
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .maxSize(3)
                .listener(holdTheFirstHandOff)
                .acquireTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(10))
                .cleanup(NO_CLEANUP)
                .build());
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread a = borrower(pool, "a", failures);
        a.start();
        assertThat(firstCreated.await(5, TimeUnit.SECONDS)).isTrue();
        await().atMost(AWAIT).until(() -> waitingOrDone(a));
        PoolStats whileAWaits = pool.stats();
        Thread b = borrower(pool, "b", failures);
        b.start();
        await().atMost(AWAIT).until(() -> waitingOrDone(b)); // were extra connections made, b may be served already
        PoolStats whileBothWait = pool.stats();
        letItGo.countDown();
        a.join(5_000);
        b.join(5_000);

        assertThat(failures).isEmpty();
        assertThat(whileAWaits.total())
                .as("one connection made for a, nothing else: %s", whileAWaits)
                .isEqualTo(1);
        assertThat(whileBothWait.total())
                .as("one connection made for a, one being made for b: %s", whileBothWait)
                .isEqualTo(2);
    }

    private static boolean waitingOrDone(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.TIMED_WAITING || state == Thread.State.TERMINATED;
    }

    @Test
    void closingThePoolClosesIdleSocketsAtOnceAndALentSocketWhenItComesBack() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 4));
        List<PooledConnection<Socket>> leases = new ArrayList<>();
        List<Socket> idleSockets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leases.add(pool.getConnection());
        }
        PooledConnection<Socket> keptOut = leases.remove(3);
        assertRoundTrip(keptOut.get(), "kept out"); // the server has accepted it once it answered
        for (PooledConnection<Socket> lease : leases) {
            assertRoundTrip(lease.get(), "idle soon");
            idleSockets.add(lease.get());
            lease.close();
        }
        assertThat(server.open()).isEqualTo(4);

        pool.close();

        assertThat(idleSockets)
                .allSatisfy(socket -> assertThat(socket.isClosed()).isTrue());
        await().atMost(AWAIT).until(() -> server.peerClosed() == 3 && server.open() == 1);
        Socket lent = keptOut.get();
        assertRoundTrip(lent, "still mine while I hold it");
        assertThatThrownBy(pool::getConnection).isInstanceOf(PoolClosedException.class);

        keptOut.close();

        assertThat(lent.isClosed()).isTrue();
        await().atMost(AWAIT).until(() -> server.peerClosed() == 4 && server.open() == 0);
        assertThat(pool.stats().destroyed()).isEqualTo(4);
    }

    @Test
    void invalidateClosesTheSocketAndTheServerSeesEndOfStream() throws IOException {
        TestServer server = server(TestServer.Mode.ECHO);
        TcpConnectionPool pool = closing(pool(server, 1));

        PooledConnection<Socket> lease = pool.getConnection();
        Socket socket = lease.get();
        assertRoundTrip(socket, "last words");
        lease.invalidate();

        assertThat(socket.isClosed()).as("closed before invalidate() returned").isTrue();
        await().atMost(AWAIT).until(() -> server.peerClosed() == 1 && server.open() == 0);
        assertThat(pool.stats()).satisfies(s -> {
            assertThat(s.destroyed()).isEqualTo(1);
            assertThat(s.total()).isZero();
        });
        try (PooledConnection<Socket> next = pool.getConnection()) {
            assertThat(next.get()).isNotSameAs(socket);
            assertRoundTrip(next.get(), "a new one");
        }
        assertThat(server.accepted()).isEqualTo(2);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    private TestServer server(TestServer.Mode mode) {
        return closing(TestServer.start(mode));
    }

    private static TcpConnectionPool pool(TestServer server, int maxSize) {
        return TcpConnectionPool.builder(server.address())
                .maxSize(maxSize)
                .acquireTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(10)) // a broken round trip fails rather than hangs
                .cleanup(NO_CLEANUP)
                .build();
    }

    private static Thread borrower(TcpConnectionPool pool, String name, Queue<Throwable> failures) {
        Thread thread = new Thread(
                () -> {
                    try (PooledConnection<Socket> lease = pool.getConnection()) {
                        assertRoundTrip(lease.get(), name);
                    } catch (IOException | RuntimeException | AssertionError e) {
                        failures.add(e);
                    }
                },
                "borrower-" + name);
        thread.setDaemon(true);
        return thread;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <C extends AutoCloseable> C closing(C closeable) {
        toClose.add(closeable);
        return closeable;
    }

    private static Socket borrowRoundTripAndReturn(TcpConnectionPool pool, String message) throws IOException {
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertRoundTrip(lease.get(), message);
            return lease.get();
        }
    }

    private static void write(Socket socket, String message) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(message.getBytes(US_ASCII));
        out.flush();
    }

    /** Writes a message and reads exactly as many bytes back: they must be this message's echo, nothing older. */
    private static void assertRoundTrip(Socket socket, String message) throws IOException {
        write(socket, message);
        InputStream in = socket.getInputStream();
        String reply = new String(in.readNBytes(message.length()), US_ASCII);
        assertThat(reply).isEqualTo(message);
    }

    /** A creation timeout is the pool's, whatever the socket's own connect timeout: never a SocketTimeoutException. */
    private static void assertCreationTimedOut(Throwable thrown) {
        assertThat(thrown)
                .isInstanceOf(PoolTimeoutException.class)
                .hasMessageContaining("longer than the connection timeout");
    }
}
