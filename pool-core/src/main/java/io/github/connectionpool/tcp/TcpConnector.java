package io.github.connectionpool.tcp;

import io.github.connectionpool.ConnectionCloser;
import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.ConnectionResetter;
import io.github.connectionpool.ConnectionValidator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Opens, checks and resets the TCP pool's sockets, plain or TLS.
 *
 * <p><b>Creating.</b> The address is resolved at every connect, so a DNS change is picked up by new connections. The
 * connect and the TLS handshake together end on their own within the connection timeout plus a backstop of half of it,
 * at most one second ({@link #creationLimitNanos(Duration)}): the pool's own timer ends the caller's wait at the
 * connection timeout, and the backstop keeps the socket's timeouts from racing it, so that the caller sees the pool's
 * {@code PoolTimeoutException}; the creation itself still ends soon after, closing its socket, so a hung connect or
 * handshake never holds a slot much longer than the timeout. The name lookup is left to the system's resolver, which
 * bounds it by its own timeouts.
 *
 * <p><b>Checking.</b> Plain sockets are {@link ChannelSocket}s, whose channel stays non-blocking, so that a check is one
 * read that cannot block: a healthy idle socket reads nothing, one whose peer has closed reads end-of-stream, and one
 * with bytes left unread reads a byte (the socket is then discarded, so the byte is not missed). Only the first is
 * lent. A TLS socket is layered over a {@link TransportSocket}, which does the same peek underneath
 * the TLS layer, and tells TLS's own messages (such as the session tickets a TLS 1.3 server sends after the handshake)
 * from application data: see {@link TransportSocket#quiet(SSLSocket)}.
 */
final class TcpConnector
        implements ConnectionCreator<Socket, InetSocketAddress>,
                ConnectionValidator<Socket>,
                ConnectionResetter<Socket>,
                ConnectionCloser<Socket> {

    private static final CompletableFuture<Boolean> VALID = CompletableFuture.completedFuture(Boolean.TRUE);
    private static final CompletableFuture<Boolean> INVALID = CompletableFuture.completedFuture(Boolean.FALSE);
    /** The longest backstop after the connection timeout (see the class comment). */
    private static final long MAX_BACKSTOP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long creationLimitNanos;
    private final int readTimeoutMillis;
    private final boolean tcpNoDelay;
    private final boolean keepAlive;
    private final SSLContext ssl; // null for plain TCP
    private final boolean verifyHostname;

    TcpConnector(
            Duration connectionTimeout,
            int readTimeoutMillis,
            boolean tcpNoDelay,
            boolean keepAlive,
            SSLContext ssl,
            boolean verifyHostname) {
        this.creationLimitNanos = creationLimitNanos(connectionTimeout);
        this.readTimeoutMillis = readTimeoutMillis;
        this.tcpNoDelay = tcpNoDelay;
        this.keepAlive = keepAlive;
        this.ssl = ssl;
        this.verifyHostname = verifyHostname;
    }

    /**
     * How long a creation may run before it ends itself: the connection timeout plus half of it, at most one second
     * more; saturating for very long timeouts.
     */
    static long creationLimitNanos(Duration connectionTimeout) {
        long timeout = saturatedNanos(connectionTimeout);
        long backstop = Math.min(timeout / 2, MAX_BACKSTOP_NANOS);
        return timeout > Long.MAX_VALUE - backstop ? Long.MAX_VALUE : timeout + backstop;
    }

    static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Connects a new socket, and for TLS completes the handshake; blocking, which is fine: the pool calls creators on
     * its own worker threads. Returns within {@link #creationLimitNanos(Duration)} (see the class comment).
     */
    @Override
    public CompletionStage<Socket> createConnection(InetSocketAddress address) {
        long started = System.nanoTime();
        SocketChannel channel = null;
        try {
            InetSocketAddress target = address.isUnresolved()
                    ? new InetSocketAddress(address.getHostString(), address.getPort())
                    : address;
            if (target.isUnresolved()) {
                throw new UnknownHostException(address.getHostString());
            }
            channel = SocketChannel.open();
            Socket socket = channel.socket();
            socket.setTcpNoDelay(tcpNoDelay);
            socket.setKeepAlive(keepAlive);
            socket.connect(target, TransportSocket.millisAtLeastOne(timeLeft(started)));
            if (ssl == null) {
                return CompletableFuture.completedFuture(new ChannelSocket(channel, readTimeoutMillis));
            }
            return CompletableFuture.completedFuture(handshake(channel, address, started));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Layers TLS over a connected channel and completes the handshake by the creation's deadline. */
    private SSLSocket handshake(SocketChannel channel, InetSocketAddress address, long started) throws IOException {
        TransportSocket transport = new TransportSocket(channel);
        // The host as given, not as resolved: it is the name sent in SNI and checked against the certificate.
        SSLSocket tls = (SSLSocket)
                ssl.getSocketFactory().createSocket(transport, address.getHostString(), address.getPort(), true);
        if (verifyHostname) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
        }
        String peer = address.getHostString() + ":" + address.getPort();
        timeLeft(started);
        transport.boundedBy(started + creationLimitNanos);
        try {
            tls.startHandshake();
        } catch (SocketTimeoutException e) {
            SocketTimeoutException timeout =
                    new SocketTimeoutException("TLS handshake with " + peer + " did not complete in time");
            timeout.initCause(e);
            throw timeout;
        } catch (SSLException e) {
            SSLHandshakeException failed = new SSLHandshakeException(
                    "TLS handshake with " + peer + " failed: " + e.getMessage() + hostnameHint(e));
            failed.initCause(e);
            throw failed;
        }
        transport.unbounded();
        tls.setSoTimeout(readTimeoutMillis);
        transport.carry(tls);
        return tls;
    }

    /** What to do when the certificate does not name the host; the JDK's message says only that it does not. */
    private static String hostnameHint(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t instanceof CertificateException ? t.getMessage() : null;
            if (message != null && (message.startsWith("No subject alternative") || message.startsWith("No name"))) {
                return " (the server's certificate does not name this host: connect by a name it holds, or turn the"
                        + " check off with verifyHostname(false))";
            }
        }
        return "";
    }

    /** The nanoseconds left before the creation's deadline; a {@link SocketTimeoutException} when none are. */
    private long timeLeft(long started) throws SocketTimeoutException {
        long left = creationLimitNanos - (System.nanoTime() - started);
        if (left <= 0) {
            throw new SocketTimeoutException("the connection timeout passed");
        }
        return left;
    }

    @Override
    public CompletionStage<Boolean> isValid(Socket socket) {
        return isOpen(socket) && nothingToRead(socket) ? VALID : INVALID;
    }

    /** On return: a plain socket is kept when nothing is left to read; a TLS socket gets the full check. */
    @Override
    public boolean reset(Socket socket) throws IOException {
        if (!isOpen(socket)) {
            return false;
        }
        TransportSocket transport = transportOf(socket);
        return transport != null
                ? transport.quiet((SSLSocket) socket)
                : socket.getInputStream().available() == 0;
    }

    private static boolean isOpen(Socket socket) {
        return !socket.isClosed() && socket.isConnected() && !socket.isInputShutdown() && !socket.isOutputShutdown();
    }

    /** Peeks at the socket: true when the peer is still there and nothing is waiting to be read. */
    private boolean nothingToRead(Socket socket) {
        try {
            TransportSocket transport = transportOf(socket);
            if (transport != null) {
                return transport.quiet((SSLSocket) socket);
            }
            if (!(socket instanceof ChannelSocket)) { // not one of ours: the best any socket allows
                return socket.getInputStream().available() == 0;
            }
            return ((ChannelSocket) socket).nothingWaiting();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The transport under a TLS socket made by a TCP pool; null for any other socket. */
    TransportSocket transportOf(Socket socket) {
        return TransportSocket.under(socket);
    }

    /**
     * Closes a discarded socket. A TLS socket first gets its read timeout taken off: the JDK's TLS close reads for the
     * peer's answer to its close_notify for up to the read timeout when no byte is waiting (measured: the whole 20 s
     * of a 20 s read timeout against a server that does not answer), and a pool must not wait on a peer it is leaving.
     * The close_notify alert itself is still sent.
     */
    @Override
    public void close(Socket socket) throws IOException {
        if (socket instanceof SSLSocket) {
            try {
                socket.setSoTimeout(0);
            } catch (IOException alreadyClosed) {
                // closing anyway
            }
        }
        socket.close();
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close(); // for TLS too: a handshake that failed owes the peer nothing more
            } catch (IOException ignored) {
                // nothing more to do for a socket that never became a connection
            }
        }
    }
}
