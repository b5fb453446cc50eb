#!/usr/bin/env bash
# A/B of this pool's engine: the benchmark jar of an older commit against the current tree's, in interleaved rounds
# (which jar goes first alternates), so that a change in the machine's load hits both alike. Measures what a change to
# the engine must not lose: the throughput matrix (bare, held and held-short cycles at 1/4/16/64 threads, the held ones
# at 256 too, as in the suite's matrix; with the bytes allocated per cycle), PostgreSQL SELECT 1 (32 threads) and Redis
# PING through the TCP pool (32 threads), this pool only.
# PostgreSQL and Redis at their defaults (127.0.0.1:5432 database test user postgres, 127.0.0.1:6379); a server that
# does not answer, or an old commit without the benchmark, leaves that cell out of the report.
#
#   scripts/ab.sh <old-commit> [rounds]      # default 5 rounds; about 6 minutes a round on 2 cores
#
# Results: benchmarks/results/ab/{old,new}-round-N-*.json and report.md (medians, new/old per cell and per round).
set -euo pipefail
cd "$(dirname "$0")/.."
old="${1:?usage: $0 <old-commit> [rounds]}"
rounds="${2:-5}"
out=benchmarks/results/ab
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rm -rf "$out" && mkdir -p "$out"

build() { # $1: source tree, $2: jar to write
    (cd "$1" && mvn -B -q -ntp -pl benchmarks -am package -DskipTests -Djacoco.skip=true -Dspotless.check.skip=true)
    cp "$1/benchmarks/target/benchmarks.jar" "$2"
}
tree=$(mktemp -d)
git worktree add -q --detach "$tree/old" "$old"
trap 'git worktree remove --force "$tree/old"; rm -rf "$tree"' EXIT
build "$tree/old" "$out/old.jar"
build . "$out/new.jar"
git -C "$tree/old" rev-parse --short HEAD > "$out/old.commit"
git rev-parse --short HEAD > "$out/new.commit"

run() { # $1: old|new, $2: round
    local jar="$out/$1.jar" prefix="$out/$1-round-$2"
    for threads in 1 4 16 64 256; do
        local cycles='CycleBenchmark\.(bare|held|heldShort)Cycle'
        [ "$threads" -eq 256 ] && cycles='CycleBenchmark\.(held|heldShort)Cycle'
        "$java_bin" -jar "$jar" "$cycles" -p pool=connectionpool -t "$threads" \
            -f 1 -wi 2 -w 1s -i 3 -r 2s -prof gc -rf json -rff "$prefix-t$threads.json" > "$prefix-t$threads.log" 2>&1
    done
    "$java_bin" -jar "$jar" 'PostgresBenchmark' -p pool=connectionpool -f 1 -wi 2 -w 1s -i 3 -r 2s \
        -rf json -rff "$prefix-postgres.json" > "$prefix-postgres.log" 2>&1 || true
    "$java_bin" -jar "$jar" 'RedisBenchmark' -p pool=connectionpool -f 1 -wi 2 -w 1s -i 3 -r 2s \
        -rf json -rff "$prefix-redis.json" > "$prefix-redis.log" 2>&1 || true
}
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then first=old; second=new; else first=new; second=old; fi
    echo "round $round: $first, then $second"
    run "$first" "$round"
    run "$second" "$round"
done
python3 scripts/ab-report.py "$out" > "$out/report.md"
cat "$out/report.md"
