package io.github.connectionpool.sample.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

@Timeout(60)
@ResourceLock(Resources.SYSTEM_OUT)
class ExamplesTests {

    @Test
    void echoExampleEchoesEveryMessageAndFinishes() throws Throwable {
        String out = run(() -> EchoExample.main(new String[0]));

        assertThat(out)
                .contains("got 'Hello, World!'")
                .contains("echo: message 1\n")
                .contains("echo: message 20\n");
        assertThat(out).contains("done");
    }

    @Test
    void databaseExampleConnectsOnceAndReusesTheConnection() throws Throwable {
        String out = run(() -> DatabaseExample.main(new String[0]));

        assertThat(out)
                .contains("Connected to database with ID: 1")
                .contains("connection 1 ran: select 1")
                .contains("Reused connection with ID: 1")
                .contains("created=1")
                .contains("done");
    }

    @Test
    void databaseExampleAlsoQueriesTheLocalPostgresWhenItIsThere() throws Throwable {
        requireServer("PostgreSQL", 5432);
        String out = run(() -> DatabaseExample.main(new String[0]));

        assertThat(out).contains("Real database 'test': PostgreSQL");
    }

    @Test
    void redisExampleSpeaksRespThroughTheTcpPool() throws Throwable {
        requireServer("Redis", 6379);
        String out = run(() -> RedisExample.main(new String[0]));

        assertThat(out)
                .contains("PING -> PONG")
                .contains("SET greeting hello -> OK")
                .contains("GET greeting -> hello")
                .contains("created=1")
                .contains("done");
    }

    /** In CI the local servers must be there; elsewhere a missing one skips the test, saying so. */
    private static void requireServer(String name, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        } catch (IOException e) {
            String message = name + " is not reachable on 127.0.0.1:" + port;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(message + " (CI=true: the server must be running)");
            }
            Assumptions.abort(message + ": skipping");
        }
    }

    @Test
    void backgroundCleanupExampleShowsIdleConnectionsClosedWithoutACaller() throws Throwable {
        String out = run(() -> BackgroundCleanupExample.main(new String[0]));

        assertThat(out)
                .contains("5 connections returned")
                .contains("after the idle timeout, the cleanup closed them")
                .contains("cleanup running: false")
                .contains("cleanup restarted every 100 ms, running: true")
                .contains("the restarted cleanup closed the last one")
                .contains("done");
    }

    private static String run(Executable main) throws Throwable {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            main.execute();
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        original.print(out);
        return out;
    }
}
