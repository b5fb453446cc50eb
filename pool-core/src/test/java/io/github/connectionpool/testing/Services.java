package io.github.connectionpool.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The real servers some tests need (PostgreSQL, Redis on this machine). In CI ({@code CI=true}) an unreachable server
 * fails the test; elsewhere the test is skipped with a message saying what to start.
 */
public final class Services {

    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String POSTGRES_USER = "postgres";

    private Services() {}

    public static void requirePostgres() {
        require("PostgreSQL", 5432);
    }

    public static void requireRedis() {
        require("Redis", 6379);
    }

    private static void require(String name, int port) {
        if (reachable(port)) {
            return;
        }
        String message = name + " is not reachable on 127.0.0.1:" + port;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(message + " (CI=true: the server must be running; .ci/run starts it)");
        }
        Assumptions.abort(message + ": skipping; start it to run this test");
    }

    private static boolean reachable(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
