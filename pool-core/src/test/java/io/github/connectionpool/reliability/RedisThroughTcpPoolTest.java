package io.github.connectionpool.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.PoolStats;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import io.github.connectionpool.testing.Resp;
import io.github.connectionpool.testing.Services;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TCP pool speaking RESP to the local Redis: replies always reach the caller that sent the command. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisThroughTcpPoolTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 200;

    private final String prefix = "pool-test:" + UUID.randomUUID() + ":";

    @BeforeEach
    void requireRedis() {
        Services.requireRedis();
    }

    private static TcpConnectionPool pool(int maxSize) {
        return TcpConnectionPool.builder("127.0.0.1", 6379)
                .maxSize(maxSize)
                .readTimeout(Duration.ofSeconds(5))
                .acquireTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void pingSetAndGetOverAPooledSocket() throws IOException {
        try (TcpConnectionPool pool = pool(1)) {
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                assertThat(Resp.call(lease.get(), "PING")).isEqualTo("PONG");
                assertThat(Resp.call(lease.get(), "SET", prefix + "k", "v", "EX", "60"))
                        .isEqualTo("OK");
            }
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                assertThat(Resp.call(lease.get(), "GET", prefix + "k")).isEqualTo("v");
                assertThat(Resp.call(lease.get(), "GET", prefix + "missing")).isNull();
                assertThat(Resp.call(lease.get(), "DEL", prefix + "k")).isEqualTo(1L);
            }
            assertThat(pool.stats().created()).isEqualTo(1); // the same socket, twice
        }
    }

    @Test
    void eightThreadsOnFourSocketsAlwaysReadTheirOwnWritesAndNoCommandIsLostOrDoubled() throws Exception {
        String counter = prefix + "counter";
        Set<Socket> lent = ConcurrentHashMap.newKeySet();
        AtomicInteger sharedSockets = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try (TcpConnectionPool pool = pool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String key = prefix + "thread-" + t;
                done.add(threads.submit(() -> {
                    start.await();
                    for (int round = 0; round < ROUNDS; round++) {
                        String value = key + "=" + round;
                        try (PooledConnection<Socket> lease = pool.getConnection()) {
                            Socket socket = lease.get();
                            if (!lent.add(socket)) {
                                sharedSockets.incrementAndGet();
                            }
                            try {
                                assertThat(Resp.call(socket, "SET", key, value, "EX", "60"))
                                        .isEqualTo("OK");
                                assertThat(Resp.call(socket, "GET", key)).isEqualTo(value);
                                assertThat(Resp.call(socket, "INCR", counter)).isInstanceOf(Long.class);
                            } finally {
                                lent.remove(socket);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(50, TimeUnit.SECONDS); // rethrows a thread's failed assertion
            }
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                assertThat(Resp.call(lease.get(), "GET", counter)).isEqualTo(String.valueOf(THREADS * ROUNDS));
                List<String> keys = new ArrayList<>(List.of(counter));
                for (int t = 0; t < THREADS; t++) {
                    keys.add(prefix + "thread-" + t);
                }
                List<String> del = new ArrayList<>(List.of("DEL"));
                del.addAll(keys);
                assertThat(Resp.call(lease.get(), del.toArray(String[]::new))).isEqualTo((long) THREADS + 1);
            }
            PoolStats stats = pool.stats();
            assertThat(sharedSockets).hasValue(0);
            assertThat(stats.active()).isZero();
            assertThat(stats.pending()).isZero();
            assertThat(stats.total()).isBetween(1, 4);
            assertThat(stats.created()).isLessThanOrEqualTo(4); // every socket stayed healthy: none replaced
            assertThat(stats.destroyed()).isZero();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSocketReturnedWithAnUnreadReplyIsClosedSoTheNextCallerDoesNotReadSomeoneElsesAnswer() throws IOException {
        try (TcpConnectionPool pool = pool(1)) {
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                Resp.send(lease.get(), "ECHO", "not for you");
                assertThat(lease.get().getInputStream().read()).isEqualTo('$'); // the reply has arrived, unread
            }
            try (PooledConnection<Socket> lease = pool.getConnection()) {
                assertThat(Resp.call(lease.get(), "PING")).isEqualTo("PONG");
            }
            assertThat(pool.stats().created()).isEqualTo(2);
            assertThat(pool.stats().destroyed()).isEqualTo(1);
        }
    }
}
