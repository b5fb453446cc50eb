package io.github.connectionpool.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;

/**
 * The TCP socket under a pooled TLS socket: the TLS layer reads the peer's bytes through this socket's own buffer, so
 * that the pool can look at what arrived on an idle connection without taking it away from the TLS layer.
 *
 * <p>Why: a plain socket is checked by reading one byte without blocking (see {@link TcpConnector}), which is harmless
 * because a socket with a byte to read is discarded anyway. On a TLS connection the bytes waiting are TLS records, and
 * a healthy idle connection may well have some: a TLS 1.3 server sends its session tickets (NewSessionTicket) after the
 * handshake, and may later send a KeyUpdate. Reading them off the raw socket would corrupt the TLS stream; counting
 * them as unread data would discard every fresh connection. So {@link #quiet(SSLSocket)} reads what is waiting into
 * this buffer without blocking, lets the TLS layer consume the complete records in it, and learns from the outcome what
 * they were: the TLS layer handles its own messages silently and returns only for application data or the end of the
 * stream.
 *
 * <p>Everything else is a {@link ChannelSocket}'s: the channel stays non-blocking, so the peek switches no mode, and
 * the TLS socket lent to callers behaves as any socket (options, addresses, shutdown, close, the read timeout the TLS
 * socket sets here). {@link #getChannel()} is {@code null}: writing to the raw channel would bypass TLS.
 *
 * <p>Not thread-safe, and need not be: the TLS layer reads while the connection is being created or is lent, the pool
 * peeks while it is idle, and the pool's hand-over orders the two.
 */
final class TransportSocket extends ChannelSocket {

    /** A TLS record header: content type, protocol version, length (two bytes, big-endian). */
    private static final int RECORD_HEADER = 5;
    /** More than this waiting on an idle connection is more than TLS's own messages: the peek stops there. */
    private static final int MAX_PEEK = 64 * 1024;

    /**
     * The transport under each TLS socket made by any TCP pool, for the checks. Weak keys: a socket closed and dropped,
     * or detached by a caller and dropped, leaves with its TLS socket. Guarded by {@link #UNDER_LOCK}, held only to
     * read or write the map. Shared by all pools, so that any pool's checks know any TLS socket (a builder may build
     * several pools, which then share their checks).
     */
    private static final Map<Socket, TransportSocket> UNDER = new WeakHashMap<>();

    private static final ReentrantLock UNDER_LOCK = new ReentrantLock();

    private final Input input = new Input();

    private byte[] buffer = new byte[1024];
    private int start; // buffered bytes are buffer[start, end)
    private int end;
    private boolean endOfStream; // a peek read the end of the stream, after the buffered bytes
    private int drainable = -1; // while draining: how many buffered bytes the TLS layer may still read
    private long deadline; // while handshaking: System.nanoTime() by which every read must end
    private boolean bounded;

    /**
     * Takes a connected channel, which this socket now owns (see {@link ChannelSocket}).
     *
     * @param channel the connected channel, in blocking mode
     * @throws IOException when the channel cannot be switched to non-blocking mode
     */
    TransportSocket(SocketChannel channel) throws IOException {
        super(channel, 0);
    }

    /** Records that this transport is under a TLS socket, for {@link #under(Socket)}. */
    void carry(SSLSocket tls) {
        UNDER_LOCK.lock();
        try {
            UNDER.put(tls, this);
        } finally {
            UNDER_LOCK.unlock();
        }
    }

    /** The transport under a TLS socket made by a TCP pool; null for any other socket. */
    static TransportSocket under(Socket socket) {
        if (!(socket instanceof SSLSocket)) {
            return null;
        }
        UNDER_LOCK.lock();
        try {
            return UNDER.get(socket);
        } finally {
            UNDER_LOCK.unlock();
        }
    }

    /**
     * Bounds every read until {@link #unbounded()} by one deadline, however many reads the handshake takes: each read
     * waits at most the time left.
     */
    void boundedBy(long deadlineNanos) {
        this.deadline = deadlineNanos;
        this.bounded = true;
    }

    void unbounded() {
        this.bounded = false;
    }

    /**
     * Whether the connection is idle and healthy: the peer has not closed it and has sent nothing for the application.
     * Never blocks; consumes only TLS's own messages (session tickets, key updates), which the TLS layer processes as
     * it would during a read. Application data found here is taken from the TLS layer (one byte) but the connection is
     * then not quiet, and the pool closes it: so the check never takes data from a connection that is lent.
     *
     * @param tls the TLS socket layered over this one
     * @return true when the connection can be lent
     * @throws IOException when the socket fails; the connection is then not fit to lend either
     */
    boolean quiet(SSLSocket tls) throws IOException {
        InputStream tlsIn = tls.getInputStream();
        if (tlsIn.available() > 0) {
            return false; // decrypted application data that nobody read
        }
        if (peek() == 0) {
            return !endOfStream;
        }
        int complete = completeRecords();
        if (complete == 0) {
            return false; // one record still arriving: it cannot be told from application data yet
        }
        drainable = complete;
        try {
            tlsIn.read(new byte[1]); // returns only with application data or at the end of the stream
            return false;
        } catch (WouldBlock e) {
            // The TLS layer consumed every complete record and asked for more: they were all its own messages.
            return start == end && !endOfStream;
        } finally {
            drainable = -1;
        }
    }

    /** Reads, without blocking, what the peer sent and nobody read into the buffer; returns how many bytes it holds. */
    private int peek() throws IOException {
        while (!endOfStream && end - start < MAX_PEEK) {
            makeRoom();
            int read = readNow(ByteBuffer.wrap(buffer, end, buffer.length - end));
            if (read < 0) {
                endOfStream = true;
            } else if (read == 0) {
                break;
            } else {
                end += read;
            }
        }
        return end - start;
    }

    private void makeRoom() {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
    }

    /** The length of the whole TLS records at the head of the buffer; a record still arriving is left out. */
    private int completeRecords() {
        int at = start;
        while (end - at >= RECORD_HEADER) {
            int length = ((buffer[at + 3] & 0xff) << 8) | (buffer[at + 4] & 0xff);
            if (end - at < RECORD_HEADER + length) {
                break;
            }
            at += RECORD_HEADER + length;
        }
        return at - start;
    }

    /** The bytes the TLS layer reads: first those a peek buffered, then the socket's. */
    private final class Input extends InputStream {

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int servable = drainable >= 0 ? Math.min(drainable, end - start) : end - start;
            if (servable > 0) {
                int read = Math.min(length, servable);
                System.arraycopy(buffer, start, bytes, offset, read);
                start += read;
                if (drainable >= 0) {
                    drainable -= read;
                }
                return read;
            }
            if (start == end && endOfStream) {
                return -1;
            }
            if (drainable >= 0) {
                throw new WouldBlock();
            }
            return readSocket(bytes, offset, length);
        }

        private int readSocket(byte[] bytes, int offset, int length) throws IOException {
            if (!bounded) {
                return receive(bytes, offset, length, readTimeoutMillis());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("the connection timeout passed");
            }
            return receive(bytes, offset, length, millisAtLeastOne(left));
        }

        @Override
        public int available() throws IOException {
            return end - start + unreadBytes();
        }
    }

    /** A whole number of milliseconds, rounded up, from 1 to {@code Integer.MAX_VALUE}: never 0, which means forever. */
    static int millisAtLeastOne(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        if (TimeUnit.MILLISECONDS.toNanos(millis) < nanos) {
            millis++;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, millis));
    }

    /** Thrown to the TLS layer while draining: no whole record left, and the check must not wait for one. */
    private static final class WouldBlock extends SocketTimeoutException {
        private static final long serialVersionUID = 1L;

        WouldBlock() {
            super("no more whole records buffered");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Everything else is the channel socket's.

    @Override
    public InputStream getInputStream() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        return input;
    }
}
