package io.github.connectionpool.sample.examples;

import io.github.connectionpool.CleanupConfig;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.sample.EchoServer;
import io.github.connectionpool.sample.LineProtocol;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The seed's echo example: a TCP pool to an echo server (started here, in-process), used by several threads at once.
 *
 * <p>Run: {@code mvn -q -pl sample-app -am test-compile exec:java
 * -Dexec.mainClass=io.github.connectionpool.sample.examples.EchoExample}
 */
public final class EchoExample {

    private EchoExample() {}

    public static void main(String[] args) throws Exception {
        try (EchoServer server = EchoServer.start(0);
                TcpConnectionPool pool = TcpConnectionPool.newTcp(
                        5, // max connections
                        Duration.ofMinutes(5), // idle timeout
                        Duration.ofSeconds(10), // connection timeout
                        CleanupConfig.defaults(), // background cleanup every 30 s
                        "127.0.0.1:" + server.port())) {
            System.out.println("echo server on port " + server.port() + ", pool '" + pool.name() + "'");

            try (PooledConnection<Socket> conn = pool.getConnection()) {
                System.out.println(
                        "sent 'Hello, World!', got '" + LineProtocol.exchange(conn.get(), "Hello, World!") + "'");
            } // the connection goes back to the pool here

            ExecutorService workers = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 1; i <= 20; i++) {
                    String message = "message " + i;
                    answers.add(workers.submit(() -> send(pool, message)));
                }
                for (Future<String> answer : answers) {
                    System.out.println("echo: " + answer.get());
                }
            } finally {
                workers.shutdown();
            }
            System.out.println("pool stats: " + pool.stats());
        }
        System.out.println("done");
    }

    private static String send(TcpConnectionPool pool, String message) throws IOException {
        try (PooledConnection<Socket> conn = pool.getConnection()) {
            return LineProtocol.exchange(conn.get(), message);
        }
    }
}
