package io.github.connectionpool.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A server on {@code 127.0.0.1} for the TLS tests: a TLS echo server presenting a test certificate, a TLS server that
 * goes silent after the handshake, or a plain TCP server that reads whatever comes and never answers (so a TLS
 * handshake with it never completes, and neither does a database driver's connect).
 *
 * <p>Counters: {@link #accepted()}, {@link #handshakes()} completed on the server's side, {@link #echoed()} bytes,
 * {@link #open()} connections
 * not yet closed on the server's side, {@link #peerClosed()} connections whose client closed them (the server read
 * end-of-stream or an error). Each connection has a daemon handler thread; {@link #close()} closes everything and
 * waits for them.
 */
public final class TlsTestServer implements AutoCloseable {

    /** What the server does with a connection. */
    private enum Behaviour {
        ECHO,
        HANDSHAKE_THEN_SILENT,
        SILENT_PLAIN
    }

    private final ServerSocket listener;
    private final Behaviour behaviour;
    private final boolean tls;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> handlers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peerClosed = new AtomicInteger();
    private final AtomicInteger echoed = new AtomicInteger();
    private volatile boolean closed;

    private TlsTestServer(ServerSocket listener, Behaviour behaviour) {
        this.listener = listener;
        this.behaviour = behaviour;
        this.tls = behaviour != Behaviour.SILENT_PLAIN;
        this.acceptor = new Thread(this::acceptLoop, "tls-test-server-" + listener.getLocalPort() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a TLS echo server that presents these certificates, with the given protocols enabled.
     *
     * @param certificates the server's key and certificate
     * @param protocols for example {@code "TLSv1.3"}
     * @return the running server
     */
    public static TlsTestServer echo(TestCertificates certificates, String... protocols) {
        return tls(Behaviour.ECHO, certificates, protocols);
    }

    /**
     * Starts a TLS server that completes the handshake and then neither reads nor writes: not even a close_notify
     * answers the client's.
     *
     * @param certificates the server's key and certificate
     * @return the running server
     */
    public static TlsTestServer handshakeThenSilent(TestCertificates certificates) {
        return tls(Behaviour.HANDSHAKE_THEN_SILENT, certificates);
    }

    private static TlsTestServer tls(Behaviour behaviour, TestCertificates certificates, String... protocols) {
        try {
            SSLContext context = certificates.serverContext();
            SSLServerSocket listener = (SSLServerSocket)
                    context.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            if (protocols.length > 0) {
                listener.setEnabledProtocols(protocols);
            }
            return new TlsTestServer(listener, behaviour);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a plain TCP server that accepts, reads and never writes: a TLS client waits for its handshake forever. */
    public static TlsTestServer silent() {
        try {
            return new TlsTestServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), Behaviour.SILENT_PLAIN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port. */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code "127.0.0.1:<port>"}, the form the TCP pool takes. */
    public String address() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
    }

    /** The address as a socket address. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    /** Connections accepted in all. */
    public int accepted() {
        return accepted.get();
    }

    /** TLS handshakes completed on the server's side; the session tickets of TLS 1.3 are sent by then. */
    public int handshakes() {
        return handshakes.get();
    }

    /** Connections accepted and not yet closed on the server's side. */
    public int open() {
        return open.get();
    }

    /** Bytes echoed in all (written and flushed, so on their way to the client). */
    public int echoed() {
        return echoed.get();
    }

    /** Connections the client closed (the server read end-of-stream or got an error). */
    public int peerClosed() {
        return peerClosed.get();
    }

    /**
     * Closes every open connection now; for TLS, with a close_notify alert first, as a server going away does.
     *
     * @return how many were closed
     */
    public int cutAll() {
        int cut = 0;
        for (Socket connection : connections) {
            if (connections.remove(connection)) {
                closeQuietly(connection);
                open.decrementAndGet();
                cut++;
            }
        }
        return cut;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        cutAll();
        try {
            acceptor.join(5_000);
            for (Thread handler : handlers) {
                handler.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket connection;
            try {
                connection = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            open.incrementAndGet();
            connections.add(connection);
            Thread handler =
                    new Thread(() -> serve(connection), "tls-test-server-" + port() + "-conn-" + connection.getPort());
            handler.setDaemon(true);
            handlers.add(handler);
            handler.start();
        }
    }

    private void serve(Socket connection) {
        try {
            if (tls) {
                ((SSLSocket) connection).startHandshake();
                handshakes.incrementAndGet();
            }
            if (behaviour == Behaviour.HANDSHAKE_THEN_SILENT) {
                return; // the connection stays open, unread, until cutAll() or close()
            }
            InputStream in = connection.getInputStream();
            OutputStream out = connection.getOutputStream();
            byte[] buffer = new byte[8192];
            for (int read; (read = in.read(buffer)) >= 0; ) {
                if (tls) {
                    out.write(buffer, 0, read);
                    out.flush();
                    echoed.addAndGet(read);
                }
            }
            clientClosed(connection);
        } catch (IOException e) {
            clientClosed(connection); // an error on a connection the server did not cut: the client went away
        } finally {
            handlers.remove(Thread.currentThread());
        }
    }

    private void clientClosed(Socket connection) {
        if (connections.remove(connection)) { // not cut by the server meanwhile
            peerClosed.incrementAndGet();
            open.decrementAndGet();
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
