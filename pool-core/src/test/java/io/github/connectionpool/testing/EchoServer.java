package io.github.connectionpool.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process TCP server on {@code 127.0.0.1:<ephemeral port>} that writes back every byte it reads, one thread per
 * connection. It counts the connections it accepted and those open now, so that a test can compare the server's view
 * with the pool's.
 */
public final class EchoServer implements AutoCloseable {

    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();

    private EchoServer() throws IOException {
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 512);
        Thread acceptor = new Thread(this::acceptLoop, "echo-server-" + port() + "-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a server on an ephemeral port of 127.0.0.1. */
    public static EchoServer start() {
        try {
            return new EchoServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted since the start. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections open now, as the server sees them (the client may have closed its side a moment ago). */
    public int openNow() {
        return open.size();
    }

    /** The most connections that were open at once. */
    public int maxOpen() {
        return maxOpen.get();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            open.add(socket);
            maxOpen.accumulateAndGet(open.size(), Math::max);
            Thread echo = new Thread(() -> echo(socket), "echo-server-" + port() + "-" + accepted.get());
            echo.setDaemon(true);
            echo.start();
        }
    }

    private void echo(Socket socket) {
        byte[] buffer = new byte[8192];
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int n;
            while ((n = in.read(buffer)) != -1) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the peer reset or the server closed: the connection is over
        } finally {
            open.remove(socket);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
