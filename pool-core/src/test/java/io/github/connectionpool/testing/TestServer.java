package io.github.connectionpool.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP server on {@code 127.0.0.1} that a test controls: what it does with connections can be switched at any time,
 * and it counts what it saw, so that a test can check from the outside what a pool did with its sockets.
 *
 * <pre>{@code
 * try (TestServer server = TestServer.start();
 *         TcpConnectionPool pool = TcpConnectionPool.builder(server.address()).build()) {
 *     ...
 *     server.cutAll();                       // the server closes every connection
 *     await().until(() -> server.open() == 0);
 * }
 * }</pre>
 *
 * <p><b>Modes.</b> The {@link Mode} current when a connection is accepted decides how that connection is served for
 * its whole life ({@link Mode#ECHO}, {@link Mode#SEND_ON_ACCEPT}, {@link Mode#BLACKHOLE}, {@link Mode#CLOSE_ALL});
 * switching the mode does not change how already open connections are served, except that switching to
 * {@code CLOSE_ALL} also closes every open connection at once. {@link Mode#REFUSE} and {@link Mode#STALL} change the
 * listening socket: new connects are refused, or hang until their own timeout. Leaving them binds the <em>same</em>
 * port again, so a pool configured with {@link #address()} reaches the server again without being rebuilt.
 *
 * <p><b>Counters.</b> {@link #accepted()} connections accepted in all; {@link #open()} those accepted and not yet closed
 * on the server's side; {@link #maxOpen()} the most that were open at the same time; {@link #peerClosed()} those whose
 * client closed them (the server read end-of-stream or a reset). Only connections whose mode reads ({@code ECHO},
 * {@code SEND_ON_ACCEPT}) can notice that the client closed them: a {@code BLACKHOLE} connection stays open on the
 * server's side until {@link #cutAll()} or {@link #close()}.
 *
 * <p>Each listening socket has an accept thread, each reading connection a handler thread; all are daemon threads
 * named {@code test-server-<port>-...}. {@link #close()} closes every socket and waits for the threads to end. All
 * methods are thread-safe.
 */
public final class TestServer implements AutoCloseable {

    /** How the server treats connections; see {@link TestServer}. */
    public enum Mode {
        /** Reads every byte and writes it back. */
        ECHO,
        /** Writes the {@link #banner(byte[]) banner} unasked as soon as it accepts, then echoes. */
        SEND_ON_ACCEPT,
        /** Accepts, then never reads and never writes: the client's requests go unanswered. */
        BLACKHOLE,
        /** Closes every open connection now, and every new one as soon as it is accepted. */
        CLOSE_ALL,
        /** Stops listening: connects are refused (nothing listens on the port) until another mode is set. */
        REFUSE,
        /**
         * Listens but never accepts, with the accept queue full: the kernel drops new connection requests, so a
         * connect hangs until the client's own timeout (as towards an unreachable host). Open connections stay open.
         */
        STALL
    }

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int BACKLOG = 64;

    private final ReentrantLock lock = new ReentrantLock(); // guards mode changes of the listening socket
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet(); // accept and handler threads, to join
    private final List<Socket> stallFillers = new ArrayList<>(); // guarded by lock
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger peerClosed = new AtomicInteger();
    private final int port;
    private volatile ServerSocket listener; // null while refusing
    private Thread acceptor; // guarded by lock; null while not accepting
    private volatile Mode mode;
    private volatile byte[] banner = "HELLO\n".getBytes(StandardCharsets.US_ASCII);
    private volatile boolean closed;

    private TestServer(Mode mode) throws IOException {
        this.mode = mode;
        ServerSocket first = bind(0, BACKLOG);
        this.port = first.getLocalPort();
        lock.lock();
        try {
            listen(first);
            if (mode == Mode.REFUSE || mode == Mode.STALL) {
                switchListener(mode);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts an echo server on {@code 127.0.0.1} and a free port.
     *
     * @return the running server
     */
    public static TestServer start() {
        return start(Mode.ECHO);
    }

    /**
     * Starts a server on {@code 127.0.0.1} and a free port, in the given mode.
     *
     * @param mode the first mode
     * @return the running server
     */
    public static TestServer start(Mode mode) {
        try {
            return new TestServer(Objects.requireNonNull(mode, "mode"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the test server", e);
        }
    }

    /** The port, the same for the server's whole life (also across {@link #refuse()} and {@link #heal()}). */
    public int port() {
        return port;
    }

    /** The address as {@code "127.0.0.1:<port>"}, the form the TCP pool takes. */
    public String address() {
        return LOOPBACK.getHostAddress() + ":" + port;
    }

    /** The address as a socket address. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(LOOPBACK, port);
    }

    /** The current mode. */
    public Mode mode() {
        return mode;
    }

    /**
     * Switches the mode; see {@link TestServer} for what it changes. Returns once the change is in place: after
     * {@code REFUSE} connects are refused, after {@code STALL} they hang, after any other mode the port accepts again.
     *
     * @param next the new mode
     */
    public void mode(Mode next) {
        Objects.requireNonNull(next, "next");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the test server is closed");
            }
            switchListener(next);
        } catch (IOException e) {
            throw new UncheckedIOException("could not switch the test server to " + next, e);
        } finally {
            lock.unlock();
        }
        if (next == Mode.CLOSE_ALL) {
            cutAll();
        }
    }

    /** Stops listening, so that connects are refused: {@code mode(Mode.REFUSE)}. Open connections stay open. */
    public void refuse() {
        mode(Mode.REFUSE);
    }

    /** Listens again on the same port, echoing: {@code mode(Mode.ECHO)}. */
    public void heal() {
        mode(Mode.ECHO);
    }

    /**
     * Closes every open connection now (a graceful close: the clients read end-of-stream), without changing the mode.
     *
     * @return how many connections were closed
     */
    public int cutAll() {
        int cut = 0;
        for (Connection connection : connections) {
            if (connection.close()) {
                cut++;
            }
        }
        return cut;
    }

    /**
     * Aborts every open connection now (linger zero: the clients get a reset, not end-of-stream), without changing the
     * mode.
     *
     * @return how many connections were aborted
     */
    public int resetAll() {
        int reset = 0;
        for (Connection connection : connections) {
            try {
                connection.socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed: close() below does nothing
            }
            if (connection.close()) {
                reset++;
            }
        }
        return reset;
    }

    /**
     * Sets the bytes {@link Mode#SEND_ON_ACCEPT} writes, for connections accepted from now on.
     *
     * @param banner the bytes, not empty
     */
    public void banner(byte[] banner) {
        if (banner.length == 0) {
            throw new IllegalArgumentException("banner must not be empty");
        }
        this.banner = banner.clone();
    }

    /** The bytes {@link Mode#SEND_ON_ACCEPT} writes. */
    public byte[] banner() {
        return banner.clone();
    }

    /**
     * Writes bytes unasked to every open connection now, whatever its mode, as a server pushing data or answering too
     * late would.
     *
     * @param bytes what to write
     * @return how many connections it was written to
     */
    public int sendToAll(byte[] bytes) {
        int sent = 0;
        for (Connection connection : connections) {
            if (connection.write(bytes)) {
                sent++;
            }
        }
        return sent;
    }

    /**
     * Writes {@code line} and a newline on a socket connected to an echoing server, and reads the echoed line back.
     *
     * @param socket a connection to an echo server
     * @param line what to send, without a newline
     * @return the line read back, without its newline
     * @throws IOException when the connection fails or ends before the newline comes back
     */
    public static String roundTrip(Socket socket, String line) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream echoed = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed after '" + echoed.toString(StandardCharsets.UTF_8) + "'");
            }
            echoed.write(b);
        }
        return echoed.toString(StandardCharsets.UTF_8);
    }

    /** Connections accepted since the start. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections accepted and not yet closed on the server's side. */
    public int open() {
        return open.get();
    }

    /** The most connections that were open at the same time. */
    public int maxOpen() {
        return maxOpen.get();
    }

    /** Connections the client closed, as seen by the server (end-of-stream or a reset while reading). */
    public int peerClosed() {
        return peerClosed.get();
    }

    /** Closes the listening socket and every connection, and waits for the server's threads to end. Idempotent. */
    @Override
    public void close() {
        List<Thread> toJoin;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeListener();
            closeStallFillers();
            toJoin = new ArrayList<>(threads);
            threads.clear();
        } finally {
            lock.unlock();
        }
        cutAll();
        for (Thread thread : toJoin) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "TestServer[" + address() + ", " + mode + ", accepted=" + accepted() + ", open=" + open() + ", maxOpen="
                + maxOpen() + ", peerClosed=" + peerClosed() + "]";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The listening socket (all under lock)

    private void switchListener(Mode next) throws IOException {
        boolean listening = mode != Mode.REFUSE && mode != Mode.STALL && listener != null;
        boolean wantListening = next != Mode.REFUSE && next != Mode.STALL;
        if (listening && wantListening) {
            mode = next; // same listening socket: only new connections see the new mode
            return;
        }
        mode = next;
        closeListener();
        closeStallFillers();
        if (next == Mode.REFUSE) {
            return;
        }
        if (next == Mode.STALL) {
            stall();
            return;
        }
        listen(bind(port, BACKLOG));
    }

    private static ServerSocket bind(int port, int backlog) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true); // rebinding the port while its old connections linger in TIME_WAIT
            socket.bind(new InetSocketAddress(LOOPBACK, port), backlog);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private void listen(ServerSocket socket) {
        listener = socket;
        acceptor = new Thread(() -> acceptLoop(socket), "test-server-" + port + "-accept");
        acceptor.setDaemon(true);
        threads.add(acceptor);
        acceptor.start();
    }

    /** Binds a listener with the smallest backlog and never accepts; fills its queue with our own connects. */
    private void stall() throws IOException {
        ServerSocket socket = bind(port, 1);
        listener = socket;
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(socketAddress(), 200);
                stallFillers.add(filler);
            } catch (SocketTimeoutException e) {
                filler.close();
                return; // the queue is full: connects now hang
            }
        }
        throw new IOException("the accept queue of the stalled listener did not fill up");
    }

    /**
     * Closes the listening socket and waits for its accept thread to leave {@code accept()}: only then has the kernel
     * let go of the port (the JDK defers the real close while a thread is blocked on the socket), so that connects are
     * refused and the port can be bound again.
     */
    private void closeListener() {
        ServerSocket socket = listener;
        listener = null;
        if (socket != null) {
            closeQuietly(socket);
        }
        Thread accepting = acceptor;
        acceptor = null;
        if (accepting != null) {
            try {
                accepting.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            threads.remove(accepting);
        }
    }

    private void closeStallFillers() {
        for (Socket filler : stallFillers) {
            closeQuietly(filler);
        }
        stallFillers.clear();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return; // the listener was closed: refuse, stall or close
            }
            serve(client);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connections

    private void serve(Socket client) {
        Mode served = mode;
        Connection connection = new Connection(client);
        accepted.incrementAndGet();
        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        connections.add(connection);
        if (closed || served == Mode.CLOSE_ALL) {
            connection.close();
            return;
        }
        if (served == Mode.BLACKHOLE) {
            return; // never read, never write: open until cut
        }
        byte[] greeting = served == Mode.SEND_ON_ACCEPT ? banner : null;
        Thread handler =
                new Thread(() -> echo(connection, greeting), "test-server-" + port + "-conn-" + accepted.get());
        handler.setDaemon(true);
        threads.removeIf(thread -> !thread.isAlive());
        threads.add(handler); // no lock here: closeListener() joins this thread while holding it
        handler.start();
    }

    private void echo(Connection connection, byte[] greeting) {
        try {
            InputStream in = connection.socket.getInputStream();
            if (greeting != null && !connection.write(greeting)) {
                return;
            }
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (!connection.write(buffer, n)) {
                    return;
                }
            }
            connection.peerClosed();
        } catch (IOException e) {
            if (!connection.isClosed()) { // not cut by us: the client reset the connection
                connection.peerClosed();
            }
        } finally {
            connection.close();
        }
    }

    /** One accepted connection; closed exactly once, by whoever comes first. */
    private final class Connection {
        final Socket socket;
        private final AtomicBoolean closing = new AtomicBoolean();
        private final ReentrantLock writeLock = new ReentrantLock(); // echo and sendToAll may write at once

        Connection(Socket socket) {
            this.socket = socket;
        }

        boolean write(byte[] bytes) {
            return write(bytes, bytes.length);
        }

        boolean write(byte[] bytes, int length) {
            writeLock.lock();
            try {
                OutputStream out = socket.getOutputStream();
                out.write(bytes, 0, length);
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            } finally {
                writeLock.unlock();
            }
        }

        void peerClosed() {
            if (!isClosed()) {
                peerClosed.incrementAndGet();
            }
        }

        boolean isClosed() {
            return closing.get();
        }

        boolean close() {
            if (!closing.compareAndSet(false, true)) {
                return false;
            }
            closeQuietly(socket);
            connections.remove(this);
            open.decrementAndGet();
            return true;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // a test server closing its own socket has nothing better to do
        }
    }
}
