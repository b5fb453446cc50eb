package io.github.connectionpool.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.connectionpool.benchmarks.BenchmarkSuite.Plan;
import io.github.connectionpool.benchmarks.BenchmarkSuite.Section;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark once, in-process, with one 100 ms iteration, so the module can never rot: a benchmark that no
 * longer runs, a pool that no longer opens, a result the report script can no longer read fails the build. It judges
 * no number.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BenchmarkSmokeTest {

    private static final Path OUT = Path.of("target", "smoke-results");

    private static BenchmarkSuite suite;
    private static List<RunResult> results;

    @BeforeAll
    static void runEveryBenchmarkOnce() throws Exception {
        suite = new BenchmarkSuite(
                Plan.SMOKE, 1, OUT, EnumSet.allOf(Section.class), PoolUnderTest.NAMES, VerboseMode.NORMAL);
        results = suite.run();
    }

    @Test
    void everyPoolCompletesEveryCycleWithItsThroughputAndBytesPerCycle() {
        for (String pool : PoolUnderTest.NAMES) { // the work-only baseline too
            for (String method : List.of("bareCycle", "heldCycle", "heldShortCycle")) {
                for (int threads : List.of(1, 4)) {
                    RunResult result = find("CycleBenchmark." + method, pool, threads, "thrpt");
                    assertThat(result.getPrimaryResult().getScore())
                            .as("%s %s %d threads", pool, method, threads)
                            .isPositive();
                    assertThat(result.getSecondaryResults()).containsKeys("gc.alloc.rate.norm", "starvedThreads");
                }
            }
        }
    }

    @Test
    void theHeldCycleIsSampledForItsWaitPercentiles() {
        for (String pool : PoolUnderTest.NAMES) {
            Result<?> sampled =
                    find("CycleBenchmark.heldCycle", pool, 4, "sample").getPrimaryResult();
            assertThat(sampled.getStatistics().getN()).as(pool).isPositive();
            assertThat(sampled.getStatistics().getPercentile(99.9)).as(pool).isPositive();
        }
    }

    @Test
    void virtualThreadsRunEveryPoolOnJava21AndAreSkippedBefore() {
        if (Runtime.version().feature() < 21) {
            assertThat(suite.skipped()).containsKey("virtual");
            return;
        }
        for (String pool : PoolUnderTest.NAMES) {
            long cells = results.stream()
                    .filter(r -> r.getParams().getBenchmark().endsWith("VirtualThreadBenchmark.cycles"))
                    .filter(r -> pool.equals(r.getParams().getParam("pool")))
                    .filter(r -> r.getSecondaryResults().get("cycles").getScore() > 0)
                    .count();
            assertThat(cells).as(pool).isEqualTo(4); // 1,000 and 10,000 threads, held and yielding
        }
    }

    @Test
    void postgresRunsBothPoolsWhenTheServerIsThere() {
        if (PostgresBenchmark.unreachableBecause() != null) {
            assertThat(suite.skipped()).containsKey("postgres");
            return;
        }
        for (String pool : List.of("connectionpool", "hikaricp")) {
            assertThat(find("PostgresBenchmark.selectOne", pool, 32, "thrpt")
                            .getPrimaryResult()
                            .getScore())
                    .as(pool)
                    .isPositive();
        }
    }

    @Test
    void redisRunsBothPoolsWhenTheServerIsThere() {
        String why = RedisBenchmark.unreachableBecause();
        if (why != null) {
            assertThat(suite.skipped()).containsKey("redis");
            // As the other modules' tests do: in CI the server must be there (.ci/run starts it), elsewhere skip.
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("Redis is not reachable (CI=true: the server must be running): " + why);
            }
            Assumptions.abort("Redis is not reachable, skipping: " + why);
        }
        for (String pool : RedisBenchmark.POOLS) {
            assertThat(find("RedisBenchmark.ping", pool, 32, "thrpt")
                            .getPrimaryResult()
                            .getScore())
                    .as(pool)
                    .isPositive();
        }
    }

    @Test
    void noPoolFailedACellAndTheJsonIsWritten() throws IOException {
        assertThat(suite.incomplete()).isEmpty();
        assertThat(Files.readString(OUT.resolve("round-1.json"), StandardCharsets.UTF_8))
                .contains("\"benchmark\" : \"io.github.connectionpool.benchmarks.CycleBenchmark.bareCycle\"");
        assertThat(Files.readString(OUT.resolve("environment.json"), StandardCharsets.UTF_8))
                .contains("\"mode\": \"smoke\"", "\"stormpot\": \"3.2\"");
    }

    @Test
    void theReportScriptTurnsTheJsonIntoTablesAndAChart() throws Exception {
        Path script = Path.of("..", "scripts", "bench-report.py");
        assumeTrue(pythonIsThere(), "python3 is not installed");
        Path markdown = OUT.resolve("report.md");
        Path chart = OUT.resolve("chart.svg");
        List<String> command = new ArrayList<>(List.of(
                "python3",
                script.toString(),
                OUT.toString(),
                "--markdown",
                markdown.toString(),
                "--svg",
                chart.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        String report = Files.readString(markdown, StandardCharsets.UTF_8);
        assertThat(report)
                .contains("### Throughput", "| bare | 1 |", "| held short | 4 |", "vs HikariCP", "| work only |")
                .contains("### Share of the work-only limit", "### Allocation", "### Waits")
                .doesNotContain("vs work only");
        if (!suite.skipped().containsKey("redis")) {
            assertThat(report).contains("### Redis `PING`", "this pool / commons-pool2");
        }
        if (!suite.skipped().containsKey("postgres")) {
            assertThat(report).contains("### PostgreSQL `SELECT 1`", "this pool / HikariCP");
        }
        assertThat(Files.readString(chart, StandardCharsets.UTF_8))
                .startsWith("<svg")
                .contains("this pool");
    }

    private static boolean pythonIsThere() {
        try {
            return new ProcessBuilder("python3", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static RunResult find(String benchmark, String pool, int threads, String mode) {
        return results.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + benchmark))
                .filter(r -> pool.equals(r.getParams().getParam("pool")))
                .filter(r -> r.getParams().getThreads() == threads)
                .filter(r -> r.getParams().getMode().shortLabel().equals(mode))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no result for " + benchmark + " pool=" + pool + " threads=" + threads + " mode=" + mode));
    }
}
