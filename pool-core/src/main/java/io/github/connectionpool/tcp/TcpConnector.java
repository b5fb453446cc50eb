package io.github.connectionpool.tcp;

import io.github.connectionpool.ConnectionCreator;
import io.github.connectionpool.ConnectionResetter;
import io.github.connectionpool.ConnectionValidator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Opens, checks and resets the TCP pool's sockets.
 *
 * <p>Sockets are made from {@link SocketChannel}s, so that a check can peek without blocking: switched to
 * non-blocking for one read, a healthy idle socket reads nothing, one whose peer has closed reads end-of-stream, and
 * one with bytes left unread reads a byte. Only the first is lent. The address is resolved at every connect, so a DNS
 * change is picked up by new connections.
 */
final class TcpConnector
        implements ConnectionCreator<Socket, InetSocketAddress>,
                ConnectionValidator<Socket>,
                ConnectionResetter<Socket> {

    private static final CompletableFuture<Boolean> VALID = CompletableFuture.completedFuture(Boolean.TRUE);
    private static final CompletableFuture<Boolean> INVALID = CompletableFuture.completedFuture(Boolean.FALSE);

    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final boolean tcpNoDelay;
    private final boolean keepAlive;

    TcpConnector(int connectTimeoutMillis, int readTimeoutMillis, boolean tcpNoDelay, boolean keepAlive) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
        this.tcpNoDelay = tcpNoDelay;
        this.keepAlive = keepAlive;
    }

    /** Connects a new socket; blocking, which is fine: the pool calls creators on its own worker threads. */
    @Override
    public CompletionStage<Socket> createConnection(InetSocketAddress address) {
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
            socket.setSoTimeout(readTimeoutMillis);
            socket.connect(target, connectTimeoutMillis);
            return CompletableFuture.completedFuture(socket);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Boolean> isValid(Socket socket) {
        return isOpen(socket) && nothingToRead(socket) ? VALID : INVALID;
    }

    @Override
    public boolean reset(Socket socket) throws IOException {
        return isOpen(socket) && socket.getInputStream().available() == 0;
    }

    private static boolean isOpen(Socket socket) {
        return !socket.isClosed() && socket.isConnected() && !socket.isInputShutdown() && !socket.isOutputShutdown();
    }

    /** Peeks at the socket: true when the peer is still there and nothing is waiting to be read. */
    private static boolean nothingToRead(Socket socket) {
        SocketChannel channel = socket.getChannel();
        try {
            if (channel == null) { // not one of ours: the best a plain socket allows
                return socket.getInputStream().available() == 0;
            }
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.allocate(1)) == 0; // -1: the peer closed; 1: unread bytes
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to do for a socket that never connected
            }
        }
    }
}
