package io.github.connectionpool.benchmarks;

import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code PING} on a real Redis through this project's {@link TcpConnectionPool} and through an Apache commons-pool2
 * {@link GenericObjectPool} of plain {@link Socket}s (what JedisPool is built on): same pool size
 * ({@value CycleBenchmark#POOL_SIZE}), 32 threads by default ({@link BenchmarkSuite} runs 32 and 128). One operation:
 * borrow, write the inline command {@code PING\r\n}, read the reply up to {@code +PONG\r\n}, return.
 *
 * <p>The server is {@code bench.redis.host} (default {@value #DEFAULT_HOST}) and {@code bench.redis.port} (default
 * {@value #DEFAULT_PORT}). Both pools are set up as their users get them: this pool with the TCP pool's defaults, which
 * peek at every socket before lending it (a few system calls) and check a returned one for unread bytes;
 * commons-pool2 with {@code testOnBorrow=false}, no evictor and no JMX, as JedisPool runs by default. Both kinds of
 * socket have {@code TCP_NODELAY} and {@code SO_KEEPALIVE} on (the TCP pool's defaults, which Jedis sets too) and a
 * read timeout of {@value #READ_TIMEOUT_MS} ms (Jedis's default), so a server that stops answering fails the cell
 * instead of hanging the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(32)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class RedisBenchmark {

    /** The default server host. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** The default server port. */
    public static final int DEFAULT_PORT = 6379;

    /** The read timeout of every socket, in milliseconds. */
    public static final int READ_TIMEOUT_MS = 2000;

    /** The pools this benchmark compares, in the order the report lists them. */
    public static final List<String> POOLS = List.of("connectionpool", "commons-pool2");

    private static final byte[] PING = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);

    /** {@code connectionpool} or {@code commons-pool2}. */
    @Param({"connectionpool", "commons-pool2"})
    public String pool;

    private TcpConnectionPool thisPool;
    private GenericObjectPool<Socket> commons;

    /** @return the server's host */
    static String host() {
        return System.getProperty("bench.redis.host", DEFAULT_HOST);
    }

    /** @return the server's port */
    static int port() {
        return Integer.getInteger("bench.redis.port", DEFAULT_PORT);
    }

    /**
     * Whether the server answers a {@code PING}, to skip the run when it does not.
     *
     * @return {@code null} when it does, else why not
     */
    public static String unreachableBecause() {
        String where = host() + ":" + port();
        try (Socket socket = connect()) {
            byte[] reply = new byte[PONG.length];
            roundTrip(socket, reply);
            return null;
        } catch (IOException | RuntimeException e) {
            return where + ": " + e;
        }
    }

    /**
     * Opens the pool, full.
     *
     * @throws Exception when it cannot be opened
     */
    @Setup(Level.Trial)
    public void open() throws Exception {
        int size = CycleBenchmark.POOL_SIZE;
        if (pool.equals("connectionpool")) {
            thisPool = TcpConnectionPool.builder(host(), port())
                    .name("bench-redis")
                    .maxSize(size)
                    .minIdle(size)
                    .acquireTimeout(PoolUnderTest.timeout())
                    .readTimeout(Duration.ofMillis(READ_TIMEOUT_MS))
                    .build();
            PoolUnderTest.awaitFull(pool, size, () -> thisPool.stats().idle());
        } else if (pool.equals("commons-pool2")) {
            GenericObjectPoolConfig<Socket> config = new GenericObjectPoolConfig<>();
            config.setMaxTotal(size);
            config.setMaxIdle(size);
            config.setMinIdle(size);
            config.setMaxWait(PoolUnderTest.timeout());
            config.setTestOnBorrow(false);
            config.setTestOnReturn(false);
            config.setTestWhileIdle(false);
            config.setJmxEnabled(false);
            commons = new GenericObjectPool<>(new SocketFactory(), config);
            commons.preparePool();
        } else {
            throw new IllegalArgumentException("pool must be one of " + POOLS + ", but was '" + pool + "'");
        }
    }

    /** Closes the pool and its sockets. */
    @TearDown(Level.Trial)
    public void close() {
        if (thisPool != null) {
            thisPool.close();
        }
        if (commons != null) {
            commons.close();
        }
    }

    /**
     * Borrow, {@code PING}, read {@code +PONG}, return.
     *
     * @param reply this thread's buffer for the reply (one per thread, so no cell allocates one per operation)
     * @return the reply's first byte, so the read cannot be dropped
     * @throws Exception when the pool fails to lend or the server answers something else
     */
    @Benchmark
    public byte ping(Reply reply) throws Exception {
        if (thisPool != null) {
            try (PooledConnection<Socket> lease = thisPool.getConnection()) {
                // A failed PING leaves the socket with unread bytes or closed: the pool's return check discards it.
                roundTrip(lease.get(), reply.bytes);
            }
            return reply.bytes[0];
        }
        Socket socket = commons.borrowObject();
        try {
            roundTrip(socket, reply.bytes);
        } catch (IOException | RuntimeException e) {
            commons.invalidateObject(socket); // its stream may be half read: never lend it again
            throw e;
        }
        commons.returnObject(socket);
        return reply.bytes[0];
    }

    /** One thread's reply buffer. */
    @State(Scope.Thread)
    public static class Reply {

        /** Holds {@code +PONG\r\n} once read. */
        final byte[] bytes = new byte[PONG.length];
    }

    private static void roundTrip(Socket socket, byte[] reply) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(PING);
        out.flush();
        InputStream in = socket.getInputStream();
        int read = in.readNBytes(reply, 0, reply.length);
        if (read < reply.length || !Arrays.equals(reply, PONG)) {
            throw new IOException("expected +PONG, the server answered '"
                    + new String(reply, 0, read, StandardCharsets.US_ASCII).trim() + "'");
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            // The TCP pool's defaults, which Jedis sets as well: an equal footing for the two kinds of socket.
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host(), port()), READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Plain sockets to the server for commons-pool2. */
    static final class SocketFactory extends BasePooledObjectFactory<Socket> {

        @Override
        public Socket create() throws IOException {
            return connect();
        }

        @Override
        public PooledObject<Socket> wrap(Socket socket) {
            return new DefaultPooledObject<>(socket);
        }

        @Override
        public void destroyObject(PooledObject<Socket> pooled) throws IOException {
            pooled.getObject().close();
        }
    }
}
