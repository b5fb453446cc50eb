package io.github.connectionpool.sample.examples;

import io.github.connectionpool.ConnectionCreationException;
import io.github.connectionpool.PooledConnection;
import io.github.connectionpool.tcp.TcpConnectionPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Redis through the TCP pool: {@code PING}, {@code SET}, {@code GET} spoken in RESP, Redis's wire protocol, over
 * pooled sockets. Needs a Redis on {@code 127.0.0.1:6379} (or {@code -Dredis.address=host:port}); says so and ends
 * when there is none.
 *
 * <p>Run: {@code mvn -q -pl sample-app -am test-compile exec:java
 * -Dexec.mainClass=io.github.connectionpool.sample.examples.RedisExample}
 */
public final class RedisExample {

    private RedisExample() {}

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws IOException when Redis answers something unexpected
     */
    public static void main(String[] args) throws IOException {
        String address = System.getProperty("redis.address", "127.0.0.1:6379");
        try (TcpConnectionPool pool = TcpConnectionPool.builder(address)
                .name("redis")
                .maxSize(4)
                .connectionTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .build()) {
            try (PooledConnection<Socket> conn = pool.getConnection()) {
                System.out.println("PING -> " + command(conn.get(), "PING"));
                System.out.println("SET greeting hello -> " + command(conn.get(), "SET", "greeting", "hello"));
            } catch (ConnectionCreationException e) {
                System.out.println("No Redis at " + address + " (" + e.getCause() + "): nothing to show");
                return;
            }
            try (PooledConnection<Socket> conn = pool.getConnection()) { // the same socket, back from the pool
                System.out.println("GET greeting -> " + command(conn.get(), "GET", "greeting"));
            }
            System.out.println("pool stats: " + pool.stats());
        } finally {
            System.out.println("done");
        }
    }

    /** Sends one command as a RESP array of bulk strings and reads a simple-string or bulk-string reply. */
    static String command(Socket socket, String... words) throws IOException {
        StringBuilder request = new StringBuilder("*").append(words.length).append("\r\n");
        for (String word : words) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(word).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+':
                return line;
            case '$':
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return "(nil)";
                }
                String value = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                readLine(in); // the CRLF after the value
                return value;
            default:
                throw new IOException("unexpected reply from Redis: " + (char) type + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\r') {
            if (b < 0) {
                throw new IOException("Redis closed the connection");
            }
            line.write(b);
        }
        in.read(); // '\n'
        return line.toString(StandardCharsets.UTF_8);
    }
}
