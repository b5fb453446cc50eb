package io.github.connectionpool.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The plain socket a TCP pool lends: a {@link Socket} over a {@link SocketChannel} that stays in non-blocking mode for
 * its whole life, so that the pool's check is one read that cannot block, and a read with a timeout is a read and, when
 * nothing is there yet, a wait for the socket to become readable.
 *
 * <p>Why not the channel's own socket ({@link SocketChannel#socket()}): that one works only while the channel is in
 * blocking mode, so each check had to switch the channel to non-blocking and back, and the JDK switches it the same
 * way for every read that has a timeout: two system calls each way (measured with {@code strace}: 4 {@code fcntl}
 * calls per read with a timeout, 4 more per check, on Java 17 and 25). With Redis {@code PING}s through the pool those
 * 8 calls per operation took more time than the rest of the pool: see docs/experiment-oversubscribed-and-redis.md.
 * {@code java.net.Socket}'s own implementation keeps its descriptor non-blocking in the same way, but offers no read
 * that cannot block, which the check needs.
 *
 * <p>Behaves as a connected {@code Socket}: reads block until a byte arrives, the end of the stream, the read timeout
 * ({@link SocketTimeoutException}, the socket stays usable) or a close from another thread; writes block until every
 * byte is sent; closing either stream closes the socket. A thread interrupted while it waits has its socket closed
 * and gets a {@link SocketException} (its interrupt status stays set), as with a socket read by a virtual thread:
 * waiting on an interrupted thread would otherwise return at once, again and again. {@link #getChannel()} is
 * {@code null}: the channel is non-blocking, and code written for a socket's channel expects a blocking one.
 *
 * <p>The waits use a {@link Selector} per direction, opened on the first read (or write) that has to wait and closed
 * with the socket: on Linux each holds two descriptors (an epoll instance and an eventfd), so a socket that has waited
 * to read holds three descriptors instead of one, five once a write has had to wait too. One thread reads and another
 * writes at the same time, as with any socket; reads are serialized by a lock, writes by another. A virtual thread
 * that waits parks on Java 25 and later; on Java 21 to 24 the JDK's selector holds the virtual thread's carrier while
 * it waits (the JDK adds a carrier meanwhile, up to its limit of 256), so there a virtual thread waiting on a pooled
 * socket costs a platform thread, as a platform thread would.
 *
 * <p>I/O errors reach the caller as {@link SocketException}s, as from {@code java.net.Socket}; a read that times out
 * as a {@link SocketTimeoutException}.
 *
 * <p>Every other method passes through to the channel's own socket (options, addresses, shutdown).
 */
class ChannelSocket extends Socket {

    /** Nothing to do with a selected key: the wait only needs to end. */
    private static final Consumer<SelectionKey> NO_ACTION = key -> {};

    private final SocketChannel channel;
    private final Socket socket;
    private final InputStream socketIn; // the channel socket's stream, used only for available()
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final InputStream input = new Input();
    private final OutputStream output = new Output();

    private final ByteBuffer probe = ByteBuffer.allocateDirect(1); // the check's one byte (see nothingWaiting)

    private volatile int timeoutMillis;
    // Opened by the first wait in their direction, under that direction's lock; closed by close(). Volatile, as is
    // closing: close() sets closing and then reads them, a wait publishes one and then reads closing, so one of the two
    // sees the other and no selector outlives the socket.
    private volatile Selector readable;
    private volatile Selector writable;
    private volatile boolean closing;

    /**
     * Takes a connected channel, and switches it to non-blocking mode for good.
     *
     * @param channel the connected channel, in blocking mode, which this socket now owns
     * @param timeoutMillis the read timeout, 0 for none
     * @throws IOException when the channel cannot be switched
     */
    ChannelSocket(SocketChannel channel, int timeoutMillis) throws IOException {
        this.channel = channel;
        this.socket = channel.socket();
        this.socketIn = socket.getInputStream();
        this.timeoutMillis = timeoutMillis;
        channel.configureBlocking(false);
    }

    /**
     * Reads what is waiting without waiting for more: the number of bytes read, 0 when none are there, -1 at the end
     * of the stream.
     *
     * @param into where the bytes go
     * @return bytes read, 0 or -1
     * @throws IOException when the socket fails, or a reader holds it (a caller still reading a returned socket)
     */
    final int readNow(ByteBuffer into) throws IOException {
        if (!readLock.tryLock()) {
            throw new SocketException("a read is under way");
        }
        try {
            return channel.read(into);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The pool's check: whether a read finds nothing waiting (so not the end of the stream either); never waits. Called
     * by the one thread that holds the idle socket, which owns {@link #probe} meanwhile.
     *
     * @throws IOException when the socket fails, or a caller still reads it: either way it is not one to lend
     */
    final boolean nothingWaiting() throws IOException {
        probe.clear();
        return readNow(probe) == 0; // -1: the peer closed; 1: unread bytes
    }

    /** The read timeout, 0 for none, as {@link #setSoTimeout(int)} last set it. */
    final int readTimeoutMillis() {
        return timeoutMillis;
    }

    /** How many bytes can be read without waiting, as the system counts them (not the end of the stream). */
    final int unreadBytes() throws IOException {
        return socketIn.available();
    }

    /**
     * Reads at least one byte, waiting at most {@code millis}.
     *
     * @param millis how long to wait for the first byte, 0 for as long as it takes
     * @return bytes read, or -1 at the end of the stream
     * @throws SocketTimeoutException when nothing arrived in time; the socket can still be used
     * @throws IOException when the socket fails or is closed
     */
    final int receive(byte[] bytes, int offset, int length, int millis) throws IOException {
        if (length == 0) {
            return 0;
        }
        ByteBuffer into = ByteBuffer.wrap(bytes, offset, length);
        readLock.lock();
        try {
            long deadline = millis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis) : 0;
            for (; ; ) {
                int read = channel.read(into);
                if (read != 0) {
                    return read;
                }
                long waitMillis = 0;
                if (millis > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("Read timed out");
                    }
                    waitMillis = TransportSocket.millisAtLeastOne(left);
                }
                await(SelectionKey.OP_READ, waitMillis);
            }
        } catch (IOException e) {
            throw asSocketException(e);
        } finally {
            readLock.unlock();
        }
    }

    private void send(byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer from = ByteBuffer.wrap(bytes, offset, length);
        writeLock.lock();
        try {
            while (from.hasRemaining()) {
                if (channel.write(from) == 0) {
                    await(SelectionKey.OP_WRITE, 0);
                }
            }
        } catch (IOException e) {
            throw asSocketException(e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Waits until the channel is ready for {@code operation}, at most {@code millis} (0: no limit); may end early. */
    private void await(int operation, long millis) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            closeQuietly();
            throw new SocketException("Closed by interrupt");
        }
        try {
            selector(operation).select(NO_ACTION, millis);
        } catch (ClosedSelectorException e) { // close() ran in another thread between the last read and this wait
            SocketException closed = new SocketException("Socket closed");
            closed.initCause(e);
            throw closed;
        }
    }

    private Selector selector(int operation) throws IOException {
        Selector selector = operation == SelectionKey.OP_READ ? readable : writable;
        if (selector != null) {
            return selector;
        }
        selector = channel.provider().openSelector();
        try {
            channel.register(selector, operation);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        if (operation == SelectionKey.OP_READ) {
            readable = selector;
        } else {
            writable = selector;
        }
        if (closing) { // close() may have read the field before it was set, and missed this selector
            selector.close();
            throw new SocketException("Socket closed");
        }
        return selector;
    }

    /** As {@code java.net.Socket} reports them: I/O errors as {@link SocketException}s, timeouts as they are. */
    private IOException asSocketException(IOException e) {
        if (e instanceof SocketException || e instanceof SocketTimeoutException) {
            return e;
        }
        String message = !(e instanceof ClosedChannelException)
                ? e.getMessage()
                : isClosed()
                        ? "Socket closed"
                        : isOutputShutdown() ? "Socket output is shutdown" : "Socket input is shutdown";
        SocketException socketException = new SocketException(message);
        socketException.initCause(e);
        return socketException;
    }

    /** The socket's bytes, read with its timeout. */
    private final class Input extends InputStream {

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            return receive(bytes, offset, length, timeoutMillis);
        }

        @Override
        public int available() throws IOException {
            if (isClosed()) {
                throw new SocketException("Socket closed");
            }
            return unreadBytes();
        }

        @Override
        public void close() throws IOException {
            ChannelSocket.this.close();
        }
    }

    /** Writes every byte before it returns. */
    private final class Output extends OutputStream {

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            send(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            ChannelSocket.this.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The socket's own methods.

    @Override
    public InputStream getInputStream() throws IOException {
        ensureUsable();
        if (isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureUsable();
        if (isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return output;
    }

    private void ensureUsable() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isConnected()) {
            throw new SocketException("Socket is not connected");
        }
    }

    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        this.timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return timeoutMillis;
    }

    /**
     * Closes the selectors, which ends a wait under way in another thread, and then the channel. In that order: the
     * JDK defers the close of a channel still registered with a selector, and turns a positive {@code SO_LINGER} off
     * for it.
     */
    @Override
    public void close() throws IOException {
        closing = true;
        closeQuietly(readable);
        closeQuietly(writable);
        channel.close();
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // the caller reports why it closed
        }
    }

    private static void closeQuietly(Selector selector) {
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // the socket is closed; a selector that fails to close has nothing left to wait for
            }
        }
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        socket.connect(endpoint);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        socket.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        socket.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
        return socket.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return socket.getLocalAddress();
    }

    @Override
    public int getPort() {
        return socket.getPort();
    }

    @Override
    public int getLocalPort() {
        return socket.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return socket.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return socket.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        socket.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return socket.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        socket.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return socket.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        socket.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        socket.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return socket.getOOBInline();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        socket.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return socket.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        socket.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return socket.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        socket.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return socket.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        socket.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return socket.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        socket.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return socket.getReuseAddress();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        socket.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        socket.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return socket.supportedOptions();
    }

    @Override
    public void shutdownInput() throws IOException {
        socket.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return socket.isConnected();
    }

    @Override
    public boolean isBound() {
        return socket.isBound();
    }

    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    public boolean isInputShutdown() {
        return socket.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return socket.isOutputShutdown();
    }

    @Override
    public String toString() {
        return socket.toString();
    }
}
