package io.github.connectionpool.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plain socket the TCP pool lends, as a caller uses it: against a server socket each test holds the other end of,
 * so that it can stay silent, send, read slowly or close.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelSocketTest {

    private static final Duration AWAIT = Duration.ofSeconds(5);

    private ServerSocket server;
    private Socket peer; // the server's end of the connection under test
    private ChannelSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeEach
    void connect() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        socket = open(0);
        peer = server.accept();
    }

    @AfterEach
    void close() throws IOException {
        threads.shutdownNow();
        socket.close();
        peer.close();
        server.close();
    }

    private ChannelSocket open(int timeoutMillis) throws IOException {
        SocketChannel channel =
                SocketChannel.open(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
        return new ChannelSocket(channel, timeoutMillis);
    }

    @Test
    void readsWhatThePeerSendsAndSendsWhatItWrites() throws IOException {
        peer.getOutputStream().write("hello".getBytes());
        assertThat(socket.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes());

        socket.getOutputStream().write("world".getBytes());
        assertThat(peer.getInputStream().readNBytes(5)).isEqualTo("world".getBytes());
    }

    @Test
    void theCheckReadsNothingFromAnIdleSocketAByteWhenOneWaitsAndTheEndOnceThePeerCloses() throws Exception {
        assertThat(socket.readNow(ByteBuffer.allocate(1))).isZero();

        peer.getOutputStream().write(7);
        await().atMost(AWAIT).until(() -> socket.unreadBytes() == 1);
        assertThat(socket.readNow(ByteBuffer.allocate(1))).isEqualTo(1);

        peer.close();
        await().atMost(AWAIT).until(() -> socket.readNow(ByteBuffer.allocate(1)) == -1);
        assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }

    @Test
    void aReadTimesOutAfterTheReadTimeoutAndTheSocketStaysUsable() throws IOException {
        socket.setSoTimeout(50);
        long started = System.nanoTime();

        assertThatThrownBy(() -> socket.getInputStream().read())
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessage("Read timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(50));

        peer.getOutputStream().write(42);
        assertThat(socket.getInputStream().read()).isEqualTo(42);
        assertThat(socket.isClosed()).isFalse();
    }

    @Test
    void theReadTimeoutGivenAtCreationApplies() throws IOException {
        try (ChannelSocket timed = open(5_000)) {
            server.accept().close();
            assertThat(timed.getSoTimeout()).isEqualTo(5_000);
            // The peer closed: the end of the stream, not a timeout.
            assertThat(timed.getInputStream().read()).isEqualTo(-1);
        }
        try (ChannelSocket timed = open(30);
                Socket silent = server.accept()) {
            assertThatThrownBy(() -> timed.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            assertThat(silent.isClosed()).isFalse();
        }
    }

    @Test
    void aWriteLargerThanTheBuffersWaitsForThePeerToReadAndLosesNothing() throws Exception {
        byte[] data = new byte[8 * 1024 * 1024];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Future<?> writing = threads.submit(() -> {
            socket.getOutputStream().write(data);
            return null;
        });

        byte[] received = peer.getInputStream().readNBytes(data.length);
        writing.get(10, TimeUnit.SECONDS);
        assertThat(Arrays.equals(received, data)).as("every byte, in order").isTrue();
    }

    @Test
    void closingFromAnotherThreadEndsAWaitingWrite() throws Exception {
        byte[] data = new byte[64 * 1024 * 1024]; // more than the two sides' buffers: the peer reads nothing
        Future<?> writing = threads.submit(() -> {
            socket.getOutputStream().write(data);
            return null;
        });
        await().atMost(AWAIT).until(() -> threadsWaiting() > 0);

        socket.close();
        assertThatThrownBy(() -> writing.get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(SocketException.class)
                .cause()
                .hasMessage("Socket closed");
    }

    @Test
    void aConnectionResetByThePeerIsASocketException() throws Exception {
        peer.setSoLinger(true, 0);
        peer.close(); // a reset, not a FIN
        byte[] chunk = new byte[64 * 1024];

        assertThatThrownBy(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        socket.getOutputStream().write(chunk);
                    }
                })
                .isInstanceOf(SocketException.class);
    }

    @Test
    void oneThreadWritesWhileAnotherWaitsToRead() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread reader = reader(socket, failure);
        await().atMost(AWAIT).until(() -> waiting(reader));

        socket.getOutputStream().write(1); // not held up by the waiting read
        assertThat(peer.getInputStream().read()).isEqualTo(1);

        peer.getOutputStream().write(2);
        assertThat(failure.get(5, TimeUnit.SECONDS)).as("what the reader threw").isNull();
    }

    @Test
    void closingFromAnotherThreadEndsAWaitingRead() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread reader = reader(socket, failure);
        await().atMost(AWAIT).until(() -> waiting(reader));

        socket.close();
        assertThat(failure.get(5, TimeUnit.SECONDS))
                .isInstanceOf(SocketException.class)
                .hasMessage("Socket closed");
        assertThat(socket.isClosed()).isTrue();
        assertThat(peer.getInputStream().read()).as("the peer sees the close").isEqualTo(-1);
    }

    @Test
    void anInterruptedReaderGetsItsSocketClosedAndKeepsItsInterruptStatus() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
        Thread reader = reader(socket, failure, stillInterrupted);
        await().atMost(AWAIT).until(() -> waiting(reader));

        reader.interrupt();
        assertThat(failure.get(5, TimeUnit.SECONDS))
                .isInstanceOf(SocketException.class)
                .hasMessage("Closed by interrupt");
        assertThat(stillInterrupted.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(socket.isClosed()).isTrue();
    }

    @Test
    void closingEitherStreamClosesTheSocketAndAClosedSocketSaysSo() throws IOException {
        socket.getInputStream().close();
        assertThat(socket.isClosed()).isTrue();
        assertThatThrownBy(socket::getInputStream).isInstanceOf(SocketException.class);
        assertThatThrownBy(socket::getOutputStream).isInstanceOf(SocketException.class);
        assertThatThrownBy(() -> socket.setSoTimeout(1)).isInstanceOf(SocketException.class);

        try (ChannelSocket other = open(0);
                Socket otherPeer = server.accept()) {
            other.getOutputStream().close();
            assertThat(other.isClosed()).isTrue();
            assertThat(otherPeer.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void itBehavesAsAConnectedSocketWithNoChannelToBypassIt() throws IOException {
        assertThat(socket.getChannel())
                .as("a non-blocking channel would surprise code written for sockets")
                .isNull();
        assertThat(socket.isConnected()).isTrue();
        assertThat(socket.getPort()).isEqualTo(server.getLocalPort());
        socket.setTcpNoDelay(true);
        assertThat(socket.getTcpNoDelay()).isTrue();
        assertThatThrownBy(() -> socket.setSoTimeout(-1)).isInstanceOf(IllegalArgumentException.class);

        socket.shutdownOutput();
        assertThat(peer.getInputStream().read()).isEqualTo(-1);
        assertThatThrownBy(socket::getOutputStream).isInstanceOf(SocketException.class);
        socket.shutdownInput();
        assertThatThrownBy(socket::getInputStream).isInstanceOf(SocketException.class);
    }

    /**
     * A socket that waited (and so opened its selectors) gives back every file descriptor when closed: the selectors
     * close with it, also when the wait was under way in another thread. Counts the descriptors selectors hold (epoll
     * instances, eventfds, pipes), which no other test running in this JVM opens.
     */
    @Test
    void closedSocketsLeaveNoFileDescriptorBehind() throws Exception {
        Path descriptors = Path.of("/proc/self/fd");
        Assumptions.assumeTrue(Files.isDirectory(descriptors), "counts open descriptors through /proc/self/fd");
        for (int warm = 0; warm < 3; warm++) { // the JDK opens some descriptors of its own once
            waitedAndClosed(4);
        }
        long before = count(descriptors);

        waitedAndClosed(20);

        await().atMost(AWAIT).until(() -> count(descriptors) <= before);
    }

    private void waitedAndClosed(int sockets) throws Exception {
        for (int i = 0; i < sockets; i++) {
            ChannelSocket waited = open(5);
            try (Socket accepted = server.accept()) {
                assertThatThrownBy(() -> waited.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                waited.setSoTimeout(0);
                Thread reader = reader(waited, new CompletableFuture<>());
                await().atMost(AWAIT).until(() -> waiting(reader));
                waited.close();
                reader.join(5_000);
                assertThat(reader.isAlive()).isFalse();
                assertThat(accepted.getInputStream().read())
                        .as("the peer sees the close")
                        .isEqualTo(-1);
            }
        }
    }

    private static long count(Path descriptors) throws IOException {
        try (Stream<Path> open = Files.list(descriptors)) {
            return open.map(ChannelSocketTest::target)
                    .filter(target ->
                            target.contains("eventpoll") || target.contains("eventfd") || target.contains("pipe"))
                    .count();
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException closedMeanwhile) {
            return "";
        }
    }

    /** Starts a thread that reads one byte from {@code socket} and completes {@code failure} with what it threw. */
    private static Thread reader(Socket socket, CompletableFuture<Throwable> failure) {
        return reader(socket, failure, new CompletableFuture<>());
    }

    /** As {@link #reader(Socket, CompletableFuture)}, and completes {@code interrupted} with its interrupt status. */
    private static Thread reader(
            Socket socket, CompletableFuture<Throwable> failure, CompletableFuture<Boolean> interrupted) {
        Thread reader = new Thread(() -> {
            try {
                socket.getInputStream().read();
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
            interrupted.complete(Thread.currentThread().isInterrupted());
        });
        reader.start();
        return reader;
    }

    /** Whether the thread is inside the socket's wait for readiness (not merely about to read or write). */
    private static boolean waiting(Thread thread) {
        return Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(ChannelSocket.class.getName())
                        && frame.getMethodName().equals("await"));
    }

    /** How many threads are inside a socket's wait for readiness. */
    private static long threadsWaiting() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(ChannelSocketTest::waiting)
                .count();
    }
}
