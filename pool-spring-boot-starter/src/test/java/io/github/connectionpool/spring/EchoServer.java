package io.github.connectionpool.spring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP echo server on a free loopback port, for tests: every byte a client sends comes back. */
final class EchoServer implements AutoCloseable {

    private final ServerSocket server;
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    EchoServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "echo-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Closes every client connection, as a server restart would; the server keeps accepting. */
    void dropClients() throws IOException {
        for (Socket client : clients) {
            client.close();
        }
    }

    /** A port on which nothing listens. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Writes {@code message} and a newline on {@code socket} and reads the echoed line back. */
    static String roundTrip(Socket socket, String message) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((message + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed after '" + line + "'");
            }
            line.append((char) b);
        }
        return line.toString();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                clients.add(client);
                Thread echo = new Thread(() -> echo(client), "echo-client");
                echo.setDaemon(true);
                echo.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void echo(Socket client) {
        try (client) {
            byte[] buffer = new byte[1024];
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the client or the test closed the connection
        } finally {
            clients.remove(client);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropClients();
    }
}
