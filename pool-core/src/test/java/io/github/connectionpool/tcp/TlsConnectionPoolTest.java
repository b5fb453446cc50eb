package io.github.connectionpool.tcp;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.PoolTimeoutException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.testing.TestCertificates;
import io.github.connectionpool.testing.TlsTestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCP pool over TLS, against an in-process {@link TlsTestServer} whose certificate the test makes with the JDK's
 * {@code keytool} ({@link TestCertificates}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsConnectionPoolTest {

    private static final CleanupConfig NO_CLEANUP = CleanupConfig.disabled();
    private static final Duration AWAIT = Duration.ofSeconds(5);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Round trips and reuse

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void roundTripsGoOverTlsAndReuseTheSameSocketAcrossBorrows(String protocol) throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback(), protocol));
        TcpConnectionPool pool = closing(tlsPool(server).maxSize(1).build());

        Socket first;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            first = lease.get();
            assertThat(first).isInstanceOf(SSLSocket.class);
            assertThat(((SSLSocket) first).getSession().getProtocol()).isEqualTo(protocol);
            assertRoundTrip(first, "ping-1");
        }
        for (int i = 2; i <= 5; i++) {
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                assertThat(lease.get()).isSameAs(first);
                assertRoundTrip(lease.get(), "ping-" + i);
            }
        }

        assertThat(server.accepted()).isEqualTo(1);
        assertThat(server.handshakes()).isEqualTo(1);
        assertThat(pool.stats().created()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isZero();
        assertThat(pool.stats().validationFailures()).isZero();
    }

    @Test
    void aTlsSocketKeepsTheSocketOptionsAndTheReadTimeout() throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback()));
        TcpConnectionPool pool = closing(tlsPool(server)
                .readTimeout(Duration.ofMillis(1500))
                .tcpNoDelay(false)
                .keepAlive(false)
                .build());

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            Socket socket = lease.get();
            assertThat(socket.getSoTimeout()).isEqualTo(1500);
            assertThat(socket.getTcpNoDelay()).isFalse();
            assertThat(socket.getKeepAlive()).isFalse();
            assertThat(socket.getPort()).isEqualTo(server.port());
            assertThat(socket.getChannel())
                    .as("the raw channel would bypass TLS")
                    .isNull();
            assertRoundTrip(socket, "options");
        }
    }

    /**
     * A TLS 1.3 server sends its session tickets after the handshake: they sit unread on the raw socket of a connection
     * nobody read from yet, and must not make it look as if data was left unread.
     */
    @Test
    void aFreshTls13ConnectionIsNotDiscardedForTheSessionTicketsWaitingOnIt() throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback(), "TLSv1.3"));
        TcpConnectionPool pool = closing(tlsPool(server).maxSize(1).build());

        Socket first;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            first = lease.get();
            // The server has sent its tickets once its handshake is complete; nothing is read here.
            await().atMost(AWAIT).until(() -> server.handshakes() == 1);
        } // the check on return sees the tickets
        try (PooledConnection<Socket> lease = pool.getConnection()) { // and so may the check on borrow
            assertThat(lease.get()).isSameAs(first);
            assertRoundTrip(lease.get(), "after the tickets");
        }

        assertThat(pool.stats().created()).isEqualTo(1);
        assertThat(pool.stats().destroyed()).isZero();
        assertThat(pool.stats().validationFailures()).isZero();
    }

    @Test
    void theCheckLetsTlsConsumeTheTicketsWithoutTouchingTheStream() throws Exception {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback(), "TLSv1.3"));
        TcpConnector connector = connector(TestCertificates.loopback().clientContext(), Duration.ofSeconds(5), true);
        Socket socket = created(connector, loopback(server));
        closing(socket);
        TransportSocket transport = connector.transportOf(socket);
        await().atMost(AWAIT).until(() -> transport.getInputStream().available() > 0); // the tickets, unread

        assertThat(connector.isValid(socket).toCompletableFuture().join()).isTrue();
        assertThat(transport.getInputStream().available())
                .as("the tickets were consumed")
                .isZero();
        assertThat(connector.reset(socket)).isTrue();
        assertRoundTrip(socket, "the stream is intact");
        assertThat(connector.isValid(socket).toCompletableFuture().join()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Dead peers and unread data

    @Test
    void aServerThatCutItsConnectionsIsDetectedAndTheSocketReplacedBeforeTheCallerSeesIt() throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback()));
        TcpConnectionPool pool = closing(tlsPool(server).maxSize(1).build());
        Socket first = borrowRoundTripAndReturn(pool, "before");

        assertThat(server.cutAll()).isEqualTo(1);
        await().atMost(AWAIT).until(() -> server.open() == 0);

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(first);
            assertRoundTrip(lease.get(), "after");
        }
        assertThat(first.isClosed()).isTrue();
        assertThat(pool.stats().validationFailures()).isEqualTo(1);
        assertThat(pool.stats().created()).isEqualTo(2);
        assertThat(server.handshakes()).isEqualTo(2);
    }

    @Test
    void aTlsSocketTheServerClosedWhileLentIsClosedOnReturn() throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback()));
        TcpConnectionPool pool = closing(tlsPool(server).maxSize(1).build());

        Socket first;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            first = lease.get();
            assertRoundTrip(first, "before");
            server.cutAll();
            await().atMost(AWAIT).until(() -> server.open() == 0);
        }

        assertThat(first.isClosed()).isTrue();
        assertThat(pool.stats().total()).isZero();
        assertThat(borrowRoundTripAndReturn(pool, "after")).isNotSameAs(first);
    }

    @Test
    void aTlsSocketWhoseReplyWasLeftUnreadIsNeverHandedToTheNextCaller() throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback()));
        TcpConnectionPool pool = closing(tlsPool(server).maxSize(1).build());

        Socket first;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            first = lease.get();
            assertRoundTrip(first, "read");
            write(first, "left unread");
            await().atMost(AWAIT).until(() -> server.echoed() == "read".length() + "left unread".length());
        }

        try (PooledConnection<Socket> lease = pool.getConnection()) {
            assertThat(lease.get()).isNotSameAs(first);
            assertRoundTrip(lease.get(), "fresh");
        }
        assertThat(first.isClosed()).isTrue();
    }

    @Test
    void closingThePoolClosesIdleTlsSocketsAtOnceEvenWhenTheServerNeverAnswersTheClose() throws IOException {
        TlsTestServer server = closing(TlsTestServer.handshakeThenSilent(TestCertificates.loopback()));
        TcpConnectionPool pool = TcpConnectionPool.builder(server.address())
                .ssl(TestCertificates.loopback().clientContext())
                .readTimeout(Duration.ofSeconds(20)) // a TLS close that waited for the server's answer would take this
                .cleanup(NO_CLEANUP)
                .build();
        Socket socket;
        try (PooledConnection<Socket> lease = pool.getConnection()) {
            socket = lease.get();
            await().atMost(AWAIT).until(() -> server.handshakes() == 1);
        } // the check on return consumes the session tickets: nothing is left to read

        long start = System.nanoTime();
        pool.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofSeconds(2));
        assertThat(socket.isClosed()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Handshakes that cannot complete

    @Test
    void aServerThatNeverAnswersTheHandshakeCostsTheCallerAboutTheConnectionTimeout() {
        TlsTestServer server = closing(TlsTestServer.silent());
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .ssl(TestCertificates.loopback().clientContext())
                .maxSize(1)
                .connectionTimeout(Duration.ofMillis(400))
                .acquireTimeout(Duration.ofSeconds(10))
                .cleanup(NO_CLEANUP)
                .build());

        long start = System.nanoTime();
        Throwable thrown = catchThrowable(pool::getConnection);
        Duration waited = Duration.ofNanos(System.nanoTime() - start);

        assertThat(thrown).isInstanceOf(PoolTimeoutException.class);
        assertThat(waited).isBetween(Duration.ofMillis(350), Duration.ofMillis(1500));
        // The creation ended too: its socket is closed, so the server reads end-of-stream.
        await().atMost(Duration.ofSeconds(2)).until(() -> server.peerClosed() == 1);
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void theCreatorItselfEndsAHandshakeThatNeverCompletesAndClosesItsSocket() {
        TlsTestServer server = closing(TlsTestServer.silent());
        Duration connectionTimeout = Duration.ofMillis(300);
        TcpConnector connector = connector(TestCertificates.loopback().clientContext(), connectionTimeout, true);

        long start = System.nanoTime();
        CompletableFuture<Socket> created =
                connector.createConnection(loopback(server)).toCompletableFuture();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // On this thread, nobody interrupts the creator: it ends by itself, at the connection timeout plus half.
        assertThat(took).isBetween(connectionTimeout, Duration.ofMillis(450 + 500));
        assertThat(catchThrowable(created::join))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.port());
        await().atMost(AWAIT).until(() -> server.peerClosed() == 1);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Certificates

    @Test
    void aCertificateThatDoesNotNameTheHostFailsTheCreationSayingWhy() {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.otherHost()));
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .ssl(TestCertificates.otherHost().clientContext()) // trusted, but issued for other.example
                .maxSize(1)
                .cleanup(NO_CLEANUP)
                .build());

        Throwable thrown = catchThrowable(pool::getConnection);

        assertThat(thrown)
                .isInstanceOf(ConnectionCreationException.class)
                .hasMessageContaining("127.0.0.1")
                .hasMessageContaining("does not name this host")
                .hasMessageContaining("verifyHostname(false)");
        assertThat(thrown.getCause()).isInstanceOf(SSLHandshakeException.class);
        assertThat(pool.stats().total()).isZero();
    }

    @Test
    void aCertificateThatDoesNotNameTheHostIsAcceptedWithVerifyHostnameOff() throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.otherHost()));
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .ssl(TestCertificates.otherHost().clientContext())
                .verifyHostname(false)
                .cleanup(NO_CLEANUP)
                .build());

        borrowRoundTripAndReturn(pool, "unverified but trusted");
    }

    @Test
    void aCertificateTheContextDoesNotTrustFailsTheCreationEvenWithVerifyHostnameOff() {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.otherHost()));
        TcpConnectionPool pool = closing(TcpConnectionPool.builder(server.address())
                .ssl(TestCertificates.loopback().clientContext()) // trusts another certificate
                .verifyHostname(false)
                .cleanup(NO_CLEANUP)
                .build());

        assertThat(catchThrowable(pool::getConnection))
                .isInstanceOf(ConnectionCreationException.class)
                .hasMessageContaining("TLS handshake with 127.0.0.1:" + server.port() + " failed")
                .hasCauseInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theHostNamedByTheAddressIsCheckedNotTheAddressItResolvesTo() throws IOException {
        TlsTestServer server = closing(TlsTestServer.echo(TestCertificates.loopback()));
        TcpConnectionPool pool = closing(TcpConnectionPool.builder("localhost", server.port())
                .ssl(TestCertificates.loopback().clientContext())
                .cleanup(NO_CLEANUP)
                .build());

        Socket socket = borrowRoundTripAndReturn(pool, "by name");
        assertThat(((SSLSocket) socket).getSession().getPeerHost()).isEqualTo("localhost");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static TcpConnectionPool.Builder tlsPool(TlsTestServer server) {
        return TcpConnectionPool.builder(server.address())
                .ssl(TestCertificates.loopback().clientContext())
                .readTimeout(Duration.ofSeconds(10))
                .cleanup(NO_CLEANUP);
    }

    private static TcpConnector connector(SSLContext ssl, Duration connectionTimeout, boolean verifyHostname) {
        return new TcpConnector(connectionTimeout, 10_000, true, true, ssl, verifyHostname);
    }

    /** The address as the pool holds it: unresolved, by the name given ({@code 127.0.0.1}). */
    private static InetSocketAddress loopback(TlsTestServer server) {
        return InetSocketAddress.createUnresolved("127.0.0.1", server.port());
    }

    private static Socket created(TcpConnector connector, InetSocketAddress address) {
        return connector.createConnection(address).toCompletableFuture().join();
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

    private static void assertRoundTrip(Socket socket, String message) throws IOException {
        write(socket, message);
        InputStream in = socket.getInputStream();
        assertThat(new String(in.readNBytes(message.length()), US_ASCII)).isEqualTo(message);
    }
}
