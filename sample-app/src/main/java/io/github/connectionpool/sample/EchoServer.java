package io.github.connectionpool.sample;

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

/**
 * A small TCP echo server on the loopback interface: every byte a client sends comes back. The sample app and the
 * examples start one so that they run on a machine with no server of its own.
 */
public final class EchoServer implements AutoCloseable {

    private final ServerSocket server;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();

    private EchoServer(ServerSocket server) {
        this.server = server;
        Thread acceptor = new Thread(this::acceptLoop, "echo-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a server.
     *
     * @param port the port to listen on, 0 for any free port
     * @return the running server
     */
    public static EchoServer start(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            return new EchoServer(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the echo server on port " + port, e);
        }
    }

    /** @return the port the server listens on */
    public int port() {
        return server.getLocalPort();
    }

    /** @return the number of open client connections */
    public int clients() {
        return clients.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                clients.add(client);
                Thread echo = new Thread(() -> echo(client), "echo-client-" + client.getPort());
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return; // the server was closed
            }
        }
    }

    private void echo(Socket client) {
        try (client) {
            byte[] buffer = new byte[4096];
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away or the server is closing
        } finally {
            clients.remove(client);
        }
    }

    /** Stops listening and closes every client connection. */
    @Override
    public void close() {
        try {
            server.close();
            for (Socket client : clients) {
                client.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
