#!/usr/bin/env bash
# One command for the whole pool comparison (issue 5): builds benchmarks/target/benchmarks.jar, runs the suite, writes
# JMH JSON and turns it into the README's tables and chart.
#
#   scripts/bench.sh quick   # ~10 min on 2 cores: 1 round, 1 fork per cell, 1 s warm-up + 2 x 1 s measured
#   scripts/bench.sh full    # ~3 h 30 min: 5 rounds (5 forks per cell, pools interleaved), 2 x 2 s warm-up + 5 x 2 s
#   scripts/bench.sh smoke   # seconds: in-process, one 100 ms iteration per cell; checks that everything runs
#   scripts/bench.sh quick --sections matrix,latency     # any BenchmarkSuite option may follow the mode
#   scripts/bench.sh quick --pools connectionpool,work-only --sections matrix
# (a full round timed at 40 min on Java 25 without the Redis section, which adds ~2; quick estimated from it)
#
# Sections (--sections, default all): matrix (bare, held and held-short cycles at 1/4/16/64 threads, the held ones at
# 256 too), latency (held cycle, sample time, 64 and 256 threads), virtual, postgres (32 and 128 threads), redis
# (PING, 32 and 128 threads). Pools (--pools, default all): connectionpool, stormpot, hikaricp, commons-pool2 and
# work-only (no pool: the limit a pool can reach with the same work).
#
# Results: benchmarks/results/<mode>/round-N.json (JMH JSON), environment.json, report.md, chart.svg.
# Java: $JAVA_HOME (or java on the PATH). The virtual-thread section needs Java 21+, e.g.
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 scripts/bench.sh full
# PostgreSQL section: -Dbench.pg.url=... via BENCH_JAVA_OPTS (default jdbc:postgresql://127.0.0.1:5432/test, user
# postgres); skipped when the server does not answer.
# Redis section: -Dbench.redis.host=... -Dbench.redis.port=... via BENCH_JAVA_OPTS (default 127.0.0.1:6379); skipped
# when the server does not answer a PING.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-quick}"
shift || true
case "$mode" in quick | full | smoke) ;; *) echo "usage: $0 quick|full|smoke [suite options]" >&2; exit 2 ;; esac

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
out="benchmarks/results/$mode"

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    # The build runs with the default JDK: the jar is Java 17 bytecode and runs on any newer JVM.
    mvn -B -q -ntp -pl benchmarks -am package -DskipTests -Djacoco.skip=true
fi
rm -rf "$out"
# shellcheck disable=SC2086
"$java_bin" ${BENCH_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar \
    io.github.connectionpool.benchmarks.BenchmarkSuite "$mode" --out "$out" "$@"
python3 scripts/bench-report.py "$out" --markdown "$out/report.md" --svg "$out/chart.svg"
echo "tables: $out/report.md   chart: $out/chart.svg   JSON: $out/round-*.json"
