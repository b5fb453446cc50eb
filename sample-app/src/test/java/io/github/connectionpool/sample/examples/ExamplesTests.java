package io.github.connectionpool.sample.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
