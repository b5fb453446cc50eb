package io.github.connectionpool.sample.examples;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.sample.EchoServer;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's background cleanup example: idle connections are closed by the pool's own cleanup thread, without any
 * caller asking; the cleanup can be stopped and restarted at run time.
 *
 * <p>Run: {@code mvn -q -pl sample-app -am test-compile exec:java
 * -Dexec.mainClass=io.github.connectionpool.sample.examples.BackgroundCleanupExample}
 */
public final class BackgroundCleanupExample {

    private BackgroundCleanupExample() {}

    public static void main(String[] args) throws Exception {
        try (EchoServer server = EchoServer.start(0);
                TcpConnectionPool pool = TcpConnectionPool.newTcp(
                        10,
                        Duration.ofSeconds(1), // idle connections live one second
                        Duration.ofSeconds(5),
                        new CleanupConfig(Duration.ofMillis(200), true), // cleanup every 200 ms
                        "127.0.0.1:" + server.port())) {
            List<PooledConnection<Socket>> leases = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                leases.add(pool.getConnection());
            }
            leases.forEach(PooledConnection::close);
            System.out.println("5 connections returned: " + pool.stats());

            waitForIdle(pool, 0, Duration.ofSeconds(10));
            System.out.println("after the idle timeout, the cleanup closed them: " + pool.stats());

            pool.stopCleanupTask();
            System.out.println("cleanup running: " + pool.isCleanupRunning());
            pool.getConnection().close();
            pool.restartCleanupTask(new CleanupConfig(Duration.ofMillis(100), true));
            System.out.println("cleanup restarted every 100 ms, running: " + pool.isCleanupRunning());
            waitForIdle(pool, 0, Duration.ofSeconds(10));
            System.out.println("the restarted cleanup closed the last one: " + pool.stats());
        }
        System.out.println("done");
    }

    /** Polls the pool's stats, as a monitoring tool would, until the idle count drops to {@code idle}. */
    private static void waitForIdle(TcpConnectionPool pool, int idle, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (pool.stats().idle() > idle) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the cleanup did not run within " + atMost + ": " + pool.stats());
            }
            Thread.sleep(50);
        }
    }
}
