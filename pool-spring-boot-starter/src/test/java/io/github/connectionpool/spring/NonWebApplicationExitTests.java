package io.github.connectionpool.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.connectionpool.spring.job.EchoJobApplication;
import io.github.connectionpool.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real {@code @SpringBootApplication} with {@code spring.main.web-application-type=none} and a
 * {@code CommandLineRunner}, in a JVM of its own on the test classpath: it must exit by itself when the runner is done,
 * with the pool's cleanup running (the starter's scheduler uses daemon threads).
 */
class NonWebApplicationExitTests {

    private static final long EXIT_WITHIN_SECONDS = 60; // a cold JVM on a busy machine starts Boot in a few seconds

    @Test
    @Timeout(120)
    void aCommandLineApplicationExitsWhenItsRunnerIsDone() throws Exception {
        try (TestServer server = TestServer.start()) {
            Process job = new ProcessBuilder(List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx256m",
                            "-XX:TieredStopAtLevel=1",
                            "-cp",
                            System.getProperty("java.class.path"),
                            EchoJobApplication.class.getName(),
                            "--pool.host=127.0.0.1",
                            "--pool.port=" + server.port(),
                            "--pool.min-idle=1",
                            "--pool.cleanup.interval=50ms"))
                    .redirectErrorStream(true)
                    .start();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            Thread drain = new Thread(() -> copy(job.getInputStream(), output), "job-output");
            drain.setDaemon(true);
            drain.start();

            boolean exited = job.waitFor(EXIT_WITHIN_SECONDS, TimeUnit.SECONDS);
            if (!exited) {
                job.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            drain.join(TimeUnit.SECONDS.toMillis(10));
            String log = output.toString(StandardCharsets.UTF_8);

            assertThat(exited)
                    .as("the job's JVM ended by itself within %d s; its output:%n%s", EXIT_WITHIN_SECONDS, log)
                    .isTrue();
            assertThat(job.exitValue()).as(log).isZero();
            assertThat(log).contains("echo job done: hello");
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
