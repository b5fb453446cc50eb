package io.github.connectionpool.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on {@code 127.0.0.1:<ephemeral port>} that forwards to a target and breaks the way networks and servers
 * break, on command:
 *
 * <ul>
 *   <li>{@link #cutAll()}: closes every proxied connection on both sides at once, as a server restart does;
 *   <li>{@link #refuse()}: closes the listening socket, so that connects are refused (the port is bound again, with
 *       {@code SO_REUSEADDR}, by {@link #heal()});
 *   <li>{@link #blackhole()}: keeps accepting connections but forwards no byte in either direction on any of them:
 *       reads on the other end stall, as behind a firewall that drops packets. Bytes read meanwhile are held and
 *       forwarded after {@link #heal()}, as TCP would retransmit them;
 *   <li>{@link #latency(Duration)}: delays every forwarded chunk by the given time;
 *   <li>{@link #heal()}: back to plain forwarding (listening again if refused).
 * </ul>
 *
 * <p>Each proxied connection has two pump threads (one per direction), named {@code fault-proxy-<port>-...}; the proxy
 * is for tests with tens of connections, not thousands. Counters: {@link #accepted()} connections accepted since the
 * start, {@link #openNow()} proxied connections still open.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.to("127.0.0.1", 6379)) {
 *     pool = TcpConnectionPool.builder("127.0.0.1", proxy.port()).build();
 *     proxy.cutAll(); // every pooled socket is now dead
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {

    private static final int CHUNK = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final InetSocketAddress target;
    private final int port;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger linkIds = new AtomicInteger();

    /** Guards the listener and the forwarding mode; pumps wait on {@link #changed} while blackholed or delayed. */
    private final ReentrantLock lock = new ReentrantLock();

    private final Condition changed = lock.newCondition();
    private ServerSocket listener; // null while refusing or closed
    private boolean blackholed;
    private long latencyNanos;
    private boolean closed;

    private FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        ServerSocket socket = bind(0);
        this.port = socket.getLocalPort();
        startListening(socket);
    }

    /**
     * Starts a proxy to {@code host:port}, listening on an ephemeral port of 127.0.0.1.
     *
     * @param host the target host
     * @param port the target port
     * @return the running proxy
     */
    public static FaultProxy to(String host, int port) {
        try {
            return new FaultProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a proxy to " + host + ":" + port, e);
        }
    }

    /** The port the proxy listens on (the same one after a refuse and heal). */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, for pools that take {@code host:port}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Connections accepted since the proxy started. */
    public int accepted() {
        return accepted.get();
    }

    /** Proxied connections open now (accepted and not yet closed on either side). */
    public int openNow() {
        return links.size();
    }

    /** Closes every proxied connection, both the client's and the target's side, before returning. */
    public void cutAll() {
        for (Link link : links) {
            link.close();
        }
    }

    /**
     * Stops accepting: the listening socket is closed before this returns, so that connects to {@link #port()} are
     * refused. Connections already open keep working, except those the kernel had queued but the proxy had not
     * accepted yet: closing the listening socket resets them, as a crashing server would.
     */
    public void refuse() {
        Thread stopping;
        lock.lock();
        try {
            closeQuietly(listener);
            listener = null;
            stopping = acceptor;
        } finally {
            lock.unlock();
        }
        // The JDK releases a listening socket only once the thread blocked in accept() has returned: wait for it, so
        // that no connect can still succeed once refuse() has returned.
        if (stopping != null) {
            try {
                stopping.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Keeps accepting but forwards nothing, on new and existing connections, until {@link #heal()}. */
    public void blackhole() {
        lock.lock();
        try {
            blackholed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Delays each forwarded chunk by {@code delay} until {@link #heal()}.
     *
     * @param delay the delay per chunk; zero for none
     */
    public void latency(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        lock.lock();
        try {
            latencyNanos = delay.toNanos();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Back to plain forwarding: no blackhole, no latency, listening again (on the same port) if refused. */
    public void heal() {
        lock.lock();
        try {
            blackholed = false;
            latencyNanos = 0;
            changed.signalAll();
            if (listener == null && !closed) {
                startListening(bind(port));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + " again", e);
        } finally {
            lock.unlock();
        }
    }

    /** Stops listening and closes every proxied connection. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closeQuietly(listener);
            listener = null;
            blackholed = false;
            latencyNanos = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        cutAll();
    }

    @Override
    public String toString() {
        return "FaultProxy[" + address() + " -> " + target + ", open=" + openNow() + ", accepted=" + accepted() + "]";
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port), 128);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The thread accepting on the current listener; guarded by the lock. */
    private Thread acceptor;

    /** Called with the lock held, or from the constructor. */
    private void startListening(ServerSocket socket) {
        listener = socket;
        Thread thread = new Thread(() -> acceptLoop(socket), "fault-proxy-" + port + "-acceptor");
        thread.setDaemon(true);
        acceptor = thread;
        thread.start();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return; // refused or closed: the socket is gone
            }
            accepted.incrementAndGet();
            Socket server = new Socket();
            try {
                server.setTcpNoDelay(true);
                client.setTcpNoDelay(true);
                server.connect(target, CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            Link link = new Link(client, server, linkIds.incrementAndGet());
            links.add(link);
            if (isClosed()) {
                link.close();
            } else {
                link.start();
            }
        }
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a chunk read now may be forwarded: not while blackholed, and not before the latency has passed.
     *
     * @return false when the link was closed meanwhile
     */
    private boolean mayForward(Link link) throws InterruptedException {
        long readAt = System.nanoTime();
        lock.lock();
        try {
            for (; ; ) {
                if (link.closed.get()) {
                    return false;
                }
                if (blackholed) {
                    changed.await(50, TimeUnit.MILLISECONDS); // re-checks link.closed now and then
                    continue;
                }
                long wait = readAt + latencyNanos - System.nanoTime();
                if (latencyNanos == 0 || wait <= 0) {
                    return true;
                }
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing a broken socket: nothing more to do
            }
        }
    }

    /** One proxied connection: the client's socket, the target's socket, and a pump per direction. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private final int id;
        final AtomicBoolean closed = new AtomicBoolean();

        Link(Socket client, Socket server, int id) {
            this.client = client;
            this.server = server;
            this.id = id;
        }

        void start() {
            pump(client, server, "up");
            pump(server, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread thread = new Thread(
                    () -> {
                        byte[] buffer = new byte[CHUNK];
                        try {
                            InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream();
                            int n;
                            while ((n = in.read(buffer)) != -1) {
                                if (!mayForward(this)) {
                                    return;
                                }
                                out.write(Arrays.copyOf(buffer, n));
                                out.flush();
                            }
                        } catch (IOException e) {
                            // a side was closed or reset: the link is over
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            close();
                        }
                    },
                    "fault-proxy-" + port + "-link-" + id + "-" + direction);
            thread.setDaemon(true);
            thread.start();
        }

        /** Closes both sides; the first call counts. */
        void close() {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(client);
                closeQuietly(server);
                links.remove(this);
            }
        }
    }
}
