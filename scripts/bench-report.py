#!/usr/bin/env python3
"""Turns the JMH JSON of a benchmark run into the README's tables (Markdown) and chart (SVG).

usage: scripts/bench-report.py RESULTS_DIR [RESULTS_DIR...] [--markdown FILE] [--svg FILE]

RESULTS_DIR holds round-N.json (JMH's JSON, one file per round) and environment.json, as written by
BenchmarkSuite (scripts/bench.sh). Python 3 standard library only.

How numbers are summarised: a cell's score for one pool is JMH's score of that pool's fork in each round; the table
quotes the median over the rounds and the spread (min-max). A ratio is computed per round (both pools ran in the same
round, minutes apart) and quoted as the median and min-max of those ratios. With a single round (quick mode) the
samples are the measured iterations of the one fork, and a ratio's spread is the worst and best pairing of them.

The work-only pseudo-pool (no pool: every thread does the cycle's work on one shared connection) is the limit a pool
can reach with the same work on the same cores. It gets its own column but is no anchor: no "vs" ratio, no goal. A
pool's share of it ("efficiency") is computed like any ratio: per round, the pool's score over the work-only score
of the same cycle and threads, quoted as the median (min-max) of those per-round ratios.

Results of runs before the work-only pool, the short held cycle and the Redis section still read: a table or column
whose data is absent is left out.
"""
import argparse
import glob
import json
import math
import os
import statistics
import sys

WORK_ONLY = "work-only"
POOLS = ["connectionpool", "stormpot", "hikaricp", "commons-pool2", WORK_ONLY]
LABELS = {"connectionpool": "this pool", "stormpot": "Stormpot", "hikaricp": "HikariCP", "commons-pool2": "commons-pool2",
          WORK_ONLY: "work only"}
COLORS = {"connectionpool": "#d62728", "stormpot": "#1f77b4", "hikaricp": "#2ca02c", "commons-pool2": "#9467bd",
          WORK_ONLY: "#7f7f7f"}
# Row labels and order of the matrix's cycles (JMH method name without "Cycle").
CYCLES = {"bare": "bare", "held": "held", "heldShort": "held short"}
# This pool's throughput must be at least this multiple of each anchor's (issue 5).
GOALS = {"stormpot": 1.0, "hikaricp": 2.0, "commons-pool2": 10.0}
VIRTUAL_GOAL = ("hikaricp", 2.0)


def load(results_dirs):
    """Reads round-N.json of each folder; folders of one run split by section (--sections) merge round by round."""
    rounds, env = {}, {}
    for results_dir in results_dirs:
        for path in glob.glob(os.path.join(results_dir, "round-*.json")):
            with open(path, encoding="utf-8") as f:
                rounds.setdefault(int(os.path.basename(path)[6:-5]), []).extend(json.load(f))
        env_path = os.path.join(results_dir, "environment.json")
        if os.path.exists(env_path):
            with open(env_path, encoding="utf-8") as f:
                part = json.load(f)
            for key in ("skipped", "incomplete"):
                merged = env.get(key, {})
                values = list(merged.values()) if key == "incomplete" else None
                if key == "incomplete":
                    values += list(part.get(key, {}).values())
                    part[key] = {str(i + 1): v for i, v in enumerate(values)}
                else:
                    part[key] = {**merged, **part.get(key, {})}
            for key in ("loadAverageAtStart",):
                if key in env:
                    part[key] = env[key]
            env = {**env, **part}
    if not rounds:
        sys.exit(f"no round-*.json in {', '.join(results_dirs)}")
    return [rounds[n] for n in sorted(rounds)], env


def short(benchmark):
    return ".".join(benchmark.split(".")[-2:])


class Cells:
    """samples[(section, cell)][pool] -> list per round of (score, iteration scores)."""

    def __init__(self):
        self.data = {}
        self.order = []

    def add(self, key, pool, score, iterations):
        if key not in self.data:
            self.data[key] = {}
            self.order.append(key)
        self.data[key].setdefault(pool, []).append((score, iterations))

    def get(self, key, pool):
        return self.data.get(key, {}).get(pool)


def flatten(raw):
    return [x for fork in (raw or []) for x in fork]


def collect(rounds):
    thrpt, alloc, starved, latency, virtual, postgres, redis = (Cells() for _ in range(7))
    for records in rounds:
        for r in records:
            name, mode, pool = short(r["benchmark"]), r["mode"], r["params"].get("pool")
            threads, pm, sm = r["threads"], r["primaryMetric"], r.get("secondaryMetrics", {})
            if name.startswith("CycleBenchmark.") and mode == "thrpt":
                key = (name.split(".")[1].replace("Cycle", ""), threads)
                thrpt.add(key, pool, pm["score"], flatten(pm.get("rawData")))
                if "gc.alloc.rate.norm" in sm:
                    m = sm["gc.alloc.rate.norm"]
                    alloc.add(key, pool, m["score"], flatten(m.get("rawData")))
                if "starvedThreads" in sm:
                    starved.add(key, pool, sm["starvedThreads"]["score"], [])
            elif name.startswith("CycleBenchmark.") and mode == "sample":
                pct = pm.get("scorePercentiles", {})
                latency.add(("held", threads), pool, (pct.get("99.9"), pct.get("100.0"), pm["scoreUnit"],
                                                      sm.get("starvedThreads", {}).get("score")), [])
            elif name == "VirtualThreadBenchmark.cycles":
                m = sm.get("cycles", pm)
                key = (int(r["params"]["virtualThreads"]), r["params"]["workload"])
                virtual.add(key, pool, m["score"], flatten(m.get("rawData")))
            elif name == "PostgresBenchmark.selectOne":
                postgres.add(("select1", threads), pool, pm["score"], flatten(pm.get("rawData")))
            elif name == "RedisBenchmark.ping":
                redis.add(("ping", threads), pool, pm["score"], flatten(pm.get("rawData")))
    return thrpt, alloc, starved, latency, virtual, postgres, redis


def cycle_order(key):
    """Matrix rows: bare, then held, then held short (any other cycle after them), each by threads."""
    names = list(CYCLES)
    return (names.index(key[0]) if key[0] in names else len(names), key[0], key[1])


def cycle_label(name):
    return CYCLES.get(name, name)


def samples(runs):
    """The per-round scores, or the iterations of the single round."""
    if len(runs) > 1:
        return [s for s, _ in runs]
    score, iterations = runs[0]
    return iterations or [score]


def median_spread(runs):
    values = samples(runs)
    return statistics.median(values), min(values), max(values)


def ratio(ours, theirs):
    """(median, low, high) of ours/theirs, paired per round when there are several rounds."""
    if len(ours) > 1 and len(theirs) > 1:
        paired = [o / t for (o, _), (t, _) in zip(ours, theirs) if t > 0]
        if paired:
            return statistics.median(paired), min(paired), max(paired)
    o, t = samples(ours), samples(theirs)
    if min(t) <= 0:
        return None
    return statistics.median(o) / statistics.median(t), min(o) / max(t), max(o) / min(t)


def fmt(x):
    if x is None:
        return "–"
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_score(runs):
    if not runs:
        return "did not complete"
    m, lo, hi = median_spread(runs)
    return fmt(m) if lo == hi else f"{fmt(m)} ({fmt(lo)}–{fmt(hi)})"


def fmt_ratio(r, goal):
    if r is None:
        return "n/a (anchor did not complete)"
    m, lo, hi = r
    mark = "✅" if m >= goal else "❌"
    if lo == hi:
        return f"{m:.2f}× {mark}"
    mark = "✅" if m >= goal else "❌"
    return f"{m:.2f}× ({lo:.2f}–{hi:.2f}) {mark}"


def pools_in(cells):
    present = {p for key in cells.order for p in cells.data[key]}
    return [p for p in POOLS if p in present]


def load_average(env, key):
    value = env.get(key)
    return f"{value:.1f}" if isinstance(value, (int, float)) else "?"


def server_table(out, title, cells, theirs, unit):
    """A section against a real server: per thread count, this pool, the other pool, and their ratio."""
    out.append(f"### {title} ({unit}, pool of 16)")
    out.append("")
    out.append(f"| threads | this pool | {LABELS[theirs]} | this pool / {LABELS[theirs]} |")
    out.append("|---:|---:|---:|---:|")
    for key in sorted(cells.order, key=lambda k: k[1]):
        ours, other = cells.get(key, "connectionpool"), cells.get(key, theirs)
        r = ratio(ours, other) if ours and other else None
        rtext = "n/a" if r is None else f"{r[0]:.2f}× ({r[1]:.2f}–{r[2]:.2f})"
        out.append(f"| {key[1]} | {fmt_score(ours)} | {fmt_score(other)} | {rtext} |")
    out.append("")


def fmt_share(r):
    if r is None:
        return "–"
    m, lo, hi = r
    return f"{m:.0%}" if lo == hi else f"{m:.0%} ({lo:.0%}–{hi:.0%})"


def markdown(rounds, env):
    thrpt, alloc, starved, latency, virtual, postgres, redis = collect(rounds)
    versions = env.get("versions", {})
    out = []
    mode = env.get("mode", "?")
    out.append(f"Run: `{mode}` mode, {env.get('rounds', len(rounds))} round(s) of 1 fork per cell, "
               f"warm-up {env.get('warmup', '?')}, measurement {env.get('measurement', '?')}; "
               f"Java {env.get('javaVersion', '?')}, {env.get('cores', '?')} cores, load average "
               f"{load_average(env, 'loadAverageAtStart')} at start, {load_average(env, 'loadAverageAtEnd')} at end. Pool size {env.get('poolSize', 16)}. "
               f"Stormpot {versions.get('stormpot', '?')}, HikariCP {versions.get('hikaricp', '?')}, "
               f"commons-pool2 {versions.get('commons-pool2', '?')}, JMH {versions.get('jmh', '?')}.")
    out.append("")
    out.append("Scores are medians with their min–max in brackets; ratios are this pool's throughput over the "
               "anchor's (✅ meets the goal: ≥ 1.0× Stormpot, ≥ 2× HikariCP, ≥ 10× commons-pool2).")
    if any(WORK_ONLY in thrpt.data[key] for key in thrpt.order):
        out.append("*work only* is no pool: every thread does the cycle's work on one shared connection, the limit "
                   "a pool can reach with the same work on the same cores. It is no anchor (no ratio, no goal).")
    out.append("")

    if thrpt.order:
        pools = pools_in(thrpt)
        out.append("### Throughput (borrow/return cycles per ms, platform threads)")
        out.append("")
        anchors = [p for p in pools if p in GOALS]
        out.append("| cycle | threads | " + " | ".join(LABELS[p] for p in pools) + " | "
                   + " | ".join(f"vs {LABELS[a]}" for a in anchors) + " |")
        out.append("|---|---:|" + "---:|" * len(pools) + "---:|" * len(anchors))
        for key in sorted(thrpt.order, key=cycle_order):
            row = [cycle_label(key[0]), str(key[1])] + [fmt_score(thrpt.get(key, p)) for p in pools]
            ours = thrpt.get(key, "connectionpool")
            for a in anchors:
                theirs = thrpt.get(key, a)
                if not ours:
                    row.append("this pool did not complete ❌")
                else:
                    row.append(fmt_ratio(ratio(ours, theirs) if theirs else None, GOALS[a]))
            out.append("| " + " | ".join(row) + " |")
        out.append("")

        held = [key for key in sorted(thrpt.order, key=cycle_order) if key[0] != "bare" and thrpt.get(key, WORK_ONLY)]
        pooled = [p for p in pools if p != WORK_ONLY]
        if held and pooled:
            out.append("### Share of the work-only limit (held cycles)")
            out.append("")
            out.append("Each pool's throughput over the work-only throughput of the same cycle and threads: 100% "
                       "would be a pool that costs nothing. Median of the per-round ratios (min–max); with one round, "
                       "the ratio of the medians of the measured iterations, spread from their worst and best pairing.")
            out.append("")
            out.append("| cycle | threads | " + " | ".join(LABELS[p] for p in pooled) + " |")
            out.append("|---|---:|" + "---:|" * len(pooled))
            for key in held:
                limit = thrpt.get(key, WORK_ONLY)
                row = [cycle_label(key[0]), str(key[1])]
                for p in pooled:
                    runs = thrpt.get(key, p)
                    row.append(fmt_share(ratio(runs, limit)) if runs else "did not complete")
                out.append("| " + " | ".join(row) + " |")
            out.append("")

    if alloc.order:
        pools = pools_in(alloc)
        out.append("### Allocation (bytes per cycle, `-prof gc`) and starved threads")
        out.append("")
        out.append("Goal: 0 B per bare cycle. *starved* counts threads that completed at most one cycle in a measured "
                   "iteration while the others were served (summed over the threads).")
        out.append("")
        out.append("| cycle | threads | " + " | ".join(f"{LABELS[p]} B/op" for p in pools) + " | "
                   + " | ".join(f"{LABELS[p]} starved" for p in pools) + " |")
        out.append("|---|---:|" + "---:|" * (2 * len(pools)))
        for key in sorted(alloc.order, key=cycle_order):
            row = [cycle_label(key[0]), str(key[1])]
            for p in pools:
                runs = alloc.get(key, p)
                value = "–" if not runs else f"{median_spread(runs)[0]:.1f}"
                if runs and key[0] == "bare" and p == "connectionpool":
                    value += " ✅" if median_spread(runs)[0] < 0.5 else " ❌"
                row.append(value)
            for p in pools:
                runs = starved.get(key, p)
                row.append("–" if not runs else fmt(max(s for s, _ in runs)))
            out.append("| " + " | ".join(row) + " |")
        out.append("")

    if latency.order:
        pools = pools_in(latency)
        out.append("### Waits in the held cycle (sample-time mode, one cycle's time, µs)")
        out.append("")
        out.append("Goal: no starved thread, and this pool's p99.9 and max far below HikariCP's (✅: at most half).")
        out.append("")
        out.append("| threads | pool | p99.9 | max | starved |")
        out.append("|---:|---|---:|---:|---:|")
        for key in sorted(latency.order, key=lambda k: k[1]):
            hikari = latency.get(key, "hikaricp")
            for p in pools:
                runs = latency.get(key, p)
                if not runs:
                    out.append(f"| {key[1]} | {LABELS[p]} | did not complete | | |")
                    continue
                p999 = statistics.median([s[0] for s, _ in runs])
                worst = max(s[1] for s, _ in runs)
                starve = max((s[3] or 0) for s, _ in runs)
                marks = ["", ""]
                if p == "connectionpool" and hikari:
                    h999 = statistics.median([s[0] for s, _ in hikari])
                    hmax = max(s[1] for s, _ in hikari)
                    marks = [" ✅" if p999 <= h999 / 2 else " ❌", " ✅" if worst <= hmax / 2 else " ❌"]
                starve_mark = (" ✅" if starve == 0 else " ❌") if p == "connectionpool" else ""
                out.append(f"| {key[1]} | {LABELS[p]} | {fmt(p999)}{marks[0]} | {fmt(worst)}{marks[1]} | "
                           f"{fmt(starve)}{starve_mark} |")
        out.append("")

    if virtual.order:
        pools = pools_in(virtual)
        out.append("### Virtual threads (cycles per second, pool of 16)")
        out.append("")
        out.append("| virtual threads | cycle | " + " | ".join(LABELS[p] for p in pools) + " | vs HikariCP |")
        out.append("|---:|---|" + "---:|" * len(pools) + "---:|")
        for key in sorted(virtual.order):
            row = [f"{key[0]:,}", key[1]] + [fmt_score(virtual.get(key, p)) for p in pools]
            ours, theirs = virtual.get(key, "connectionpool"), virtual.get(key, VIRTUAL_GOAL[0])
            row.append(fmt_ratio(ratio(ours, theirs), VIRTUAL_GOAL[1]) if ours and theirs else "n/a")
            out.append("| " + " | ".join(row) + " |")
        out.append("")

    if postgres.order:
        server_table(out, "PostgreSQL `SELECT 1`", postgres, "hikaricp", "queries per ms")

    if redis.order:
        server_table(out, "Redis `PING` through the TCP pool", redis, "commons-pool2", "round trips per ms")

    notes = []
    for section, why in env.get("skipped", {}).items():
        notes.append(f"- {section} skipped: {why}")
    # The same cell fails once per section that runs it (throughput, then sample time): one line, with the count.
    seen = {}
    for _, line in sorted(env.get("incomplete", {}).items(), key=lambda kv: int(kv[0])):
        seen[line] = seen.get(line, 0) + 1
    for line, times in seen.items():
        notes.append(f"- did not complete: {line}" + (f" (in {times} sections)" if times > 1 else ""))
    if notes:
        out.append("Notes:")
        out.append("")
        out.extend(notes)
        out.append("")
    return "\n".join(out)


def svg(rounds, env):
    thrpt, _, _, _, virtual, postgres, redis = collect(rounds)
    groups = []  # (label, {pool: cycles per ms})
    for key in sorted(thrpt.order, key=cycle_order):
        groups.append((f"{cycle_label(key[0])} {key[1]}t",
                       {p: median_spread(r)[0] for p, r in thrpt.data[key].items()}))
    for key in sorted(virtual.order):
        label = f"{key[1]} {key[0] // 1000}k vt"
        groups.append((label, {p: median_spread(r)[0] / 1000.0 for p, r in virtual.data[key].items()}))
    for key in sorted(postgres.order, key=lambda k: k[1]):
        groups.append((f"pg {key[1]}t", {p: median_spread(r)[0] for p, r in postgres.data[key].items()}))
    for key in sorted(redis.order, key=lambda k: k[1]):
        groups.append((f"redis {key[1]}t", {p: median_spread(r)[0] for p, r in redis.data[key].items()}))
    if not groups:
        sys.exit("nothing to chart")
    pools = [p for p in POOLS if any(p in g for _, g in groups)]
    values = [v for _, g in groups for v in g.values() if v and v > 0]
    lo = 10 ** math.floor(math.log10(min(values)))
    hi = 10 ** math.ceil(math.log10(max(values)))
    bar, gap, left, top, height = 9, 14, 70, 50, 320
    width = max(900, left + len(groups) * (len(pools) * bar + gap) + 20)

    def y(v):
        return top + height - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * height

    title = (f"Borrow/return cycles per ms (log scale), pool of {env.get('poolSize', 16)}, "
             f"{env.get('mode', '?')} run, Java {env.get('javaVersion', '?')}, {env.get('cores', '?')} cores")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 90}" '
             f'font-family="sans-serif" font-size="11">',
             f'<rect width="100%" height="100%" fill="white"/>',
             f'<text x="{left}" y="20" font-size="13" font-weight="bold">{title}</text>']
    decade = lo
    while decade <= hi * 1.0001:
        yy = y(decade)
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - 10}" y2="{yy:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{fmt(decade)}</text>')
        decade *= 10
    x = left + gap / 2
    for label, g in groups:
        for i, p in enumerate(pools):
            v = g.get(p)
            bx = x + i * bar
            if v and v > 0:
                parts.append(f'<rect x="{bx:.1f}" y="{y(v):.1f}" width="{bar - 1}" height="{top + height - y(v):.1f}" '
                             f'fill="{COLORS[p]}"><title>{LABELS[p]} {label}: {fmt(v)}</title></rect>')
            elif p in pools:
                parts.append(f'<text x="{bx + bar / 2:.1f}" y="{top + height - 3}" text-anchor="middle" '
                             f'fill="{COLORS[p]}">×</text>')
        cx = x + len(pools) * bar / 2
        parts.append(f'<text x="{cx:.1f}" y="{top + height + 14}" text-anchor="end" '
                     f'transform="rotate(-40 {cx:.1f} {top + height + 14})">{label}</text>')
        x += len(pools) * bar + gap
    lx = left
    for p in pools:
        parts.append(f'<rect x="{lx}" y="30" width="10" height="10" fill="{COLORS[p]}"/>')
        parts.append(f'<text x="{lx + 14}" y="39">{LABELS[p]}</text>')
        lx += 110
    legend = "× = did not complete; t = platform threads, vt = virtual threads"
    if postgres.order:
        legend += ", pg = PostgreSQL SELECT 1"
    if redis.order:
        legend += ", redis = Redis PING"
    parts.append(f'<text x="{lx}" y="39" fill="#555">{legend}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", nargs="+", help="folders of one run (several when it ran by sections)")
    parser.add_argument("--markdown", help="write the tables here (default: print them)")
    parser.add_argument("--svg", help="write the chart here")
    args = parser.parse_args()
    rounds, env = load(args.results_dir)
    text = markdown(rounds, env)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text)
    if args.svg:
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg(rounds, env))


if __name__ == "__main__":
    main()
