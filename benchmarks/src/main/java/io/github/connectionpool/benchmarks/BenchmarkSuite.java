package io.github.connectionpool.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the whole comparison in one JVM invocation and writes JMH JSON: {@code round-N.json} per round and
 * {@code environment.json} describing the run.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.connectionpool.benchmarks.BenchmarkSuite quick|full|smoke
 *      [--out DIR] [--rounds N] [--sections matrix,latency,virtual,postgres,redis]
 *      [--pools connectionpool,stormpot,...]
 * </pre>
 *
 * <p>A round runs every cell once, each in its own fork, with the pools interleaved (their order rotates from round to
 * round), so a change in the machine's load hits every pool alike. Several rounds give several forks per cell; the
 * report quotes the median and spread over them.
 */
public final class BenchmarkSuite {

    /** Platform thread counts of the matrix, every cycle (the smoke run uses 1 and 4 only). */
    public static final List<Integer> THREADS = List.of(1, 4, 16, 64);

    /**
     * Platform thread counts of the matrix for the held cycles only: 16 threads per connection, where most of a pool's
     * time goes to its queue. The bare cycle stays at {@link #THREADS}: its 64-thread cell already shows the queue
     * without work, and every cell more lengthens each round by five forks.
     */
    public static final List<Integer> HELD_ONLY_THREADS = List.of(256);

    /** The matrix's cycles at {@link #THREADS}. */
    static final String ALL_CYCLES = "bareCycle|heldCycle|heldShortCycle";

    /** The matrix's cycles at {@link #HELD_ONLY_THREADS}. */
    static final String HELD_CYCLES = "heldCycle|heldShortCycle";

    /** Threads of the wait-time runs (held cycle, sample-time mode; the smoke run uses 4). */
    public static final List<Integer> LATENCY_THREADS = List.of(64, 256);

    /** Virtual threads of the virtual-thread run. */
    public static final List<Integer> VIRTUAL_THREADS = List.of(1000, 10000);

    /** Threads of the PostgreSQL runs: twice and eight times the pool size (the smoke run uses 32 only). */
    public static final List<Integer> POSTGRES_THREADS = List.of(32, 128);

    /** Threads of the Redis runs: twice and eight times the pool size (the smoke run uses 32 only). */
    public static final List<Integer> REDIS_THREADS = List.of(32, 128);

    /** How long and how often: each mode's settings. */
    public enum Plan {
        /** For CI: in-process, one 100 ms iteration per cell; checks that everything runs, measures nothing. */
        SMOKE(1, 0, 0, TimeValue.milliseconds(100), 1, TimeValue.milliseconds(100), 2_000),
        /**
         * About 10 minutes on 2 cores (estimated from the timed full round below): one round, one 1 s warm-up and two
         * 1 s measured iterations per cell.
         */
        QUICK(1, 1, 1, TimeValue.seconds(1), 2, TimeValue.seconds(1), 10_000),
        /**
         * About 3 hours 30 minutes (a round timed at 40 minutes on Java 25 without the Redis section, which adds
         * about 2): five rounds (five forks per cell), two 2 s warm-ups and five 2 s iterations each.
         */
        FULL(5, 1, 2, TimeValue.seconds(2), 5, TimeValue.seconds(2), 10_000);

        final int rounds;
        final int forks;
        final int warmupIterations;
        final TimeValue warmupTime;
        final int measurementIterations;
        final TimeValue measurementTime;
        /** The longest borrow wait before a cell fails (smoke: short, so a starving anchor costs CI little). */
        final long borrowTimeoutMs;

        /**
         * The smoke run runs in-process, where a pool that starves a thread past the timeout leaves that thread
         * blocked into the next cell: it keeps to thread counts where no pool starves.
         */
        List<Integer> threads() {
            return this == SMOKE ? List.of(1, 4) : THREADS;
        }

        /** The held-only thread counts: none in the smoke run, for the same reason as {@link #threads()}. */
        List<Integer> heldOnlyThreads() {
            return this == SMOKE ? List.of() : HELD_ONLY_THREADS;
        }

        List<Integer> latencyThreads() {
            return this == SMOKE ? List.of(4) : LATENCY_THREADS;
        }

        /** The smoke run checks that the cells run; one thread count says as much as two. */
        List<Integer> postgresThreads() {
            return this == SMOKE ? POSTGRES_THREADS.subList(0, 1) : POSTGRES_THREADS;
        }

        List<Integer> redisThreads() {
            return this == SMOKE ? REDIS_THREADS.subList(0, 1) : REDIS_THREADS;
        }

        Plan(
                int rounds,
                int forks,
                int warmupIterations,
                TimeValue warmupTime,
                int measurementIterations,
                TimeValue measurementTime,
                long borrowTimeoutMs) {
            this.rounds = rounds;
            this.forks = forks;
            this.warmupIterations = warmupIterations;
            this.warmupTime = warmupTime;
            this.measurementIterations = measurementIterations;
            this.measurementTime = measurementTime;
            this.borrowTimeoutMs = borrowTimeoutMs;
        }
    }

    /** The parts of the comparison. */
    public enum Section {
        /**
         * Bare, held and short held cycles at 1/4/16/64 threads, the held ones at 256 too: throughput and bytes per
         * cycle.
         */
        MATRIX,
        /** Held cycle, 64 and 256 threads, sample time: the waits' p99.9 and max. */
        LATENCY,
        /** 1,000 and 10,000 virtual threads (Java 21+). */
        VIRTUAL,
        /** SELECT 1 on PostgreSQL, 32 and 128 threads, this pool and HikariCP. */
        POSTGRES,
        /** PING on Redis, 32 and 128 threads, this pool's TCP pool and commons-pool2. */
        REDIS
    }

    private final Plan plan;
    private final int rounds;
    private final Path out;
    private final Set<Section> sections;
    private final List<String> pools;
    private final VerboseMode verbosity;
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final List<String> incomplete = new ArrayList<>();

    /**
     * Sets up a run.
     *
     * @param plan the mode
     * @param rounds how many rounds (forks per cell); the plan's when not positive
     * @param out the folder of the JSON files
     * @param sections the parts to run
     * @param pools the pools to run, of {@link PoolUnderTest#NAMES}
     * @param verbosity JMH's console output
     */
    public BenchmarkSuite(
            Plan plan, int rounds, Path out, Set<Section> sections, List<String> pools, VerboseMode verbosity) {
        this.plan = plan;
        this.rounds = rounds > 0 ? rounds : plan.rounds;
        this.out = out;
        this.sections = sections.isEmpty() ? EnumSet.noneOf(Section.class) : EnumSet.copyOf(sections);
        this.pools = List.copyOf(pools);
        this.verbosity = verbosity;
        for (String pool : pools) {
            if (!PoolUnderTest.NAMES.contains(pool)) {
                throw new IllegalArgumentException("pools must be of " + PoolUnderTest.NAMES + ", but had " + pool);
            }
        }
    }

    /**
     * Runs the suite from the command line.
     *
     * @param args {@code quick|full|smoke [--out DIR] [--rounds N] [--sections ...] [--pools ...]}
     * @throws Exception when a benchmark fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("usage: BenchmarkSuite quick|full|smoke [--out DIR] [--rounds N]"
                    + " [--sections matrix,latency,virtual,postgres,redis] [--pools "
                    + String.join(",", PoolUnderTest.NAMES)
                    + "]");
            System.exit(2);
        }
        Plan plan = Plan.valueOf(args[0].toUpperCase(Locale.ROOT));
        Path out = Path.of("benchmarks", "results", plan.name().toLowerCase(Locale.ROOT));
        int rounds = 0;
        Set<Section> sections = EnumSet.allOf(Section.class);
        List<String> pools = PoolUnderTest.NAMES;
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--out":
                    out = Path.of(value);
                    break;
                case "--rounds":
                    rounds = Integer.parseInt(value);
                    break;
                case "--sections":
                    sections = Arrays.stream(value.split(","))
                            .map(s -> Section.valueOf(s.trim().toUpperCase(Locale.ROOT)))
                            .collect(Collectors.toCollection(() -> EnumSet.noneOf(Section.class)));
                    break;
                case "--pools":
                    pools = Arrays.stream(value.split(",")).map(String::trim).collect(Collectors.toList());
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new BenchmarkSuite(plan, rounds, out, sections, pools, VerboseMode.NORMAL).run();
    }

    /**
     * Runs every round and writes the JSON files.
     *
     * @return every result of every round
     * @throws RunnerException when a benchmark fails
     * @throws IOException when the results cannot be written
     */
    public List<RunResult> run() throws RunnerException, IOException {
        System.setProperty("bench.borrowTimeoutMs", String.valueOf(plan.borrowTimeoutMs)); // for forks 0
        Files.createDirectories(out);
        String started = Instant.now().toString();
        double loadAtStart = loadAverage();
        List<RunResult> all = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<String> order = rotated(pools, round - 1);
            List<RunResult> results = new ArrayList<>();
            if (sections.contains(Section.MATRIX)) {
                for (int threads : plan.threads()) {
                    results.addAll(
                            expect(round, matrix(order, threads, ALL_CYCLES), order, threads, methods(ALL_CYCLES)));
                }
                for (int threads : plan.heldOnlyThreads()) {
                    results.addAll(
                            expect(round, matrix(order, threads, HELD_CYCLES), order, threads, methods(HELD_CYCLES)));
                }
            }
            if (sections.contains(Section.LATENCY)) {
                for (int threads : plan.latencyThreads()) {
                    results.addAll(expect(round, latency(order, threads), order, threads, "heldCycle"));
                }
            }
            if (sections.contains(Section.VIRTUAL)) {
                Collection<RunResult> virtual = virtual(order);
                if (!skipped.containsKey("virtual")) {
                    int cells = VIRTUAL_THREADS.size() * 2; // two workloads
                    expect(round, virtual, order, 1, cells, "cycles");
                }
                results.addAll(virtual);
            }
            if (sections.contains(Section.POSTGRES)) {
                List<String> pgPools = poolsOf(order, "connectionpool", "hikaricp");
                for (int threads : plan.postgresThreads()) {
                    Collection<RunResult> postgres = postgres(pgPools, threads);
                    if (!skipped.containsKey("postgres")) {
                        expect(round, postgres, pgPools, threads, "selectOne");
                    }
                    results.addAll(postgres);
                }
            }
            if (sections.contains(Section.REDIS)) {
                List<String> redisPools = poolsOf(order, RedisBenchmark.POOLS.toArray(String[]::new));
                for (int threads : plan.redisThreads()) {
                    Collection<RunResult> redis = redis(redisPools, threads);
                    if (!skipped.containsKey("redis")) {
                        expect(round, redis, redisPools, threads, "ping");
                    }
                    results.addAll(redis);
                }
            }
            Path file = out.resolve("round-" + round + ".json");
            try (PrintStream json = new PrintStream(Files.newOutputStream(file), true, StandardCharsets.UTF_8)) {
                ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(results);
            }
            System.out.println("# round " + round + " of " + rounds + " written to " + file);
            all.addAll(results);
        }
        writeEnvironment(started, loadAtStart);
        return all;
    }

    private Collection<RunResult> expect(
            int round, Collection<RunResult> results, List<String> order, int threads, String... methods) {
        return expect(round, results, order, threads, 1, methods);
    }

    /** Notes every pool that did not complete a cell (JMH leaves failed cells out of its results). */
    private Collection<RunResult> expect(
            int round,
            Collection<RunResult> results,
            List<String> order,
            int threads,
            int cellsPerPool,
            String... methods) {
        for (String method : methods) {
            for (String pool : order) {
                long done = results.stream()
                        .filter(r -> r.getParams().getBenchmark().endsWith("." + method))
                        .filter(r -> pool.equals(r.getParams().getParam("pool")))
                        .count();
                if (done < cellsPerPool) {
                    incomplete.add("round " + round + ": " + method + " threads=" + threads + " pool=" + pool + " ("
                            + (cellsPerPool - done) + " of " + cellsPerPool + " cells failed)");
                }
            }
        }
        return results;
    }

    private static String[] methods(String alternatives) {
        return alternatives.split("\\|");
    }

    /** The pools of {@code order} a section runs, in the round's order. */
    private static List<String> poolsOf(List<String> order, String... names) {
        List<String> wanted = List.of(names);
        return order.stream().filter(wanted::contains).collect(Collectors.toList());
    }

    private Collection<RunResult> matrix(List<String> order, int threads, String methods) throws RunnerException {
        return new Runner(common(order)
                        .include(only(CycleBenchmark.class, methods))
                        .threads(threads)
                        .mode(Mode.Throughput)
                        .timeUnit(TimeUnit.MILLISECONDS)
                        .addProfiler(GCProfiler.class)
                        .build())
                .run();
    }

    private Collection<RunResult> latency(List<String> order, int threads) throws RunnerException {
        return new Runner(common(order)
                        .include(only(CycleBenchmark.class, "heldCycle"))
                        .threads(threads)
                        .mode(Mode.SampleTime)
                        .timeUnit(TimeUnit.MICROSECONDS)
                        .build())
                .run();
    }

    private Collection<RunResult> virtual(List<String> order) throws RunnerException {
        if (Runtime.version().feature() < 21) {
            skip(
                    Section.VIRTUAL,
                    "needs Java 21+, ran on Java " + Runtime.version().feature());
            return List.of();
        }
        return new Runner(common(order)
                        .include(only(VirtualThreadBenchmark.class, "cycles"))
                        .param(
                                "virtualThreads",
                                VIRTUAL_THREADS.stream().map(String::valueOf).toArray(String[]::new))
                        .threads(1)
                        .mode(Mode.Throughput)
                        .timeUnit(TimeUnit.SECONDS)
                        .build())
                .run();
    }

    private Collection<RunResult> postgres(List<String> pgPools, int threads) throws RunnerException {
        if (pgPools.isEmpty() || skipped.containsKey("postgres")) {
            return List.of();
        }
        String why = PostgresBenchmark.unreachableBecause();
        if (why != null) {
            skip(Section.POSTGRES, "PostgreSQL not reachable: " + why);
            return List.of();
        }
        return new Runner(common(pgPools)
                        .include(only(PostgresBenchmark.class, "selectOne"))
                        .threads(threads)
                        .mode(Mode.Throughput)
                        .timeUnit(TimeUnit.MILLISECONDS)
                        .build())
                .run();
    }

    private Collection<RunResult> redis(List<String> redisPools, int threads) throws RunnerException {
        if (redisPools.isEmpty() || skipped.containsKey("redis")) {
            return List.of();
        }
        String why = RedisBenchmark.unreachableBecause();
        if (why != null) {
            skip(Section.REDIS, "Redis not reachable: " + why);
            return List.of();
        }
        return new Runner(common(redisPools)
                        .include(only(RedisBenchmark.class, "ping"))
                        .threads(threads)
                        .mode(Mode.Throughput)
                        .timeUnit(TimeUnit.MILLISECONDS)
                        .build())
                .run();
    }

    private ChainedOptionsBuilder common(List<String> order) {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .param("pool", order.toArray(String[]::new))
                .forks(plan.forks)
                .warmupIterations(plan.warmupIterations)
                .warmupTime(plan.warmupTime)
                .measurementIterations(plan.measurementIterations)
                .measurementTime(plan.measurementTime)
                .syncIterations(true)
                .shouldFailOnError(false) // a pool that fails a cell did not complete it; the others go on
                .verbosity(verbosity);
        if (plan.forks > 0) {
            List<String> jvmArgs =
                    new ArrayList<>(List.of("-Xms1g", "-Xmx1g", "-Dbench.borrowTimeoutMs=" + plan.borrowTimeoutMs));
            for (String property : List.of("bench.pg.url", "bench.pg.user", "bench.redis.host", "bench.redis.port")) {
                if (System.getProperty(property) != null) {
                    jvmArgs.add("-D" + property + "=" + System.getProperty(property));
                }
            }
            options.jvmArgsAppend(jvmArgs.toArray(String[]::new));
        }
        return options;
    }

    private static String only(Class<?> benchmark, String methods) {
        return "^" + Pattern.quote(benchmark.getName()) + "\\.(" + methods + ")$";
    }

    private static List<String> rotated(List<String> pools, int by) {
        List<String> order = new ArrayList<>(pools);
        if (!order.isEmpty()) {
            java.util.Collections.rotate(order, -(by % order.size()));
        }
        return order;
    }

    private void skip(Section section, String why) {
        if (skipped.put(section.name().toLowerCase(Locale.ROOT), why) == null) {
            System.out.println("# skipping " + section.name().toLowerCase(Locale.ROOT) + ": " + why);
        }
    }

    /**
     * The cells some pool did not complete (it failed them, e.g. a borrow waited past the timeout).
     *
     * @return one line per pool and cell
     */
    public List<String> incomplete() {
        return List.copyOf(incomplete);
    }

    /**
     * The sections skipped, and why (Java too old for virtual threads, no PostgreSQL, no Redis).
     *
     * @return section name to reason
     */
    public Map<String, String> skipped() {
        return Map.copyOf(skipped);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void writeEnvironment(String started, double loadAtStart) throws IOException {
        Properties versions = new Properties();
        try (InputStream in = BenchmarkSuite.class.getResourceAsStream("/versions.properties")) {
            if (in != null) {
                versions.load(in);
            }
        }
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("mode", plan.name().toLowerCase(Locale.ROOT));
        env.put("rounds", rounds);
        env.put("forksPerRound", plan.forks);
        env.put("warmup", plan.warmupIterations + " x " + plan.warmupTime);
        env.put("measurement", plan.measurementIterations + " x " + plan.measurementTime);
        env.put("started", started);
        env.put("finished", Instant.now().toString());
        env.put("javaVersion", System.getProperty("java.version"));
        env.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("loadAverageAtStart", loadAtStart);
        env.put("loadAverageAtEnd", loadAverage());
        env.put("poolSize", CycleBenchmark.POOL_SIZE);
        env.put("heldWorkTokens", Workload.HELD_WORK_TOKENS);
        env.put("heldShortWorkTokens", Workload.SHORT_WORK_TOKENS);
        env.put("cyclesPerVirtualThread", VirtualThreadBenchmark.CYCLES_PER_THREAD);
        Map<String, Object> versionMap = new LinkedHashMap<>();
        versions.stringPropertyNames().stream().sorted().forEach(k -> versionMap.put(k, versions.getProperty(k)));
        env.put("versions", versionMap);
        env.put("pools", String.join(",", pools));
        env.put("skipped", new LinkedHashMap<String, Object>(skipped));
        Map<String, Object> failed = new LinkedHashMap<>();
        for (int i = 0; i < incomplete.size(); i++) {
            failed.put(String.valueOf(i + 1), incomplete.get(i));
        }
        env.put("incomplete", failed);
        Files.writeString(out.resolve("environment.json"), toJson(env, "") + "\n", StandardCharsets.UTF_8);
    }

    private static String toJson(Object value, String indent) {
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            if (map.isEmpty()) {
                return "{}";
            }
            String inner = indent + "  ";
            return map.entrySet().stream()
                    .map(e -> inner + quote(String.valueOf(e.getKey())) + ": " + toJson(e.getValue(), inner))
                    .collect(Collectors.joining(",\n", "{\n", "\n" + indent + "}"));
        }
        if (value instanceof Number) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? String.valueOf(value) : "null";
        }
        return quote(String.valueOf(value));
    }

    private static String quote(String s) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
