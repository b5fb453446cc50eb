#!/usr/bin/env python3
"""Summarises scripts/ab.sh: per cell, the median of each jar over the rounds, new/old per round and its median."""
import glob
import json
import os
import re
import statistics
import sys


def cells(folder, side):
    """{(cell, round): (score, alloc)} for one jar."""
    found = {}
    for path in glob.glob(os.path.join(folder, side + "-round-*.json")):
        round_no = int(re.search(r"round-(\d+)", path).group(1))
        try:
            results = json.load(open(path))
        except (ValueError, OSError):
            continue
        for result in results:
            name = result["benchmark"].rsplit(".", 1)[-1].replace("Cycle", "")
            benchmark = result["benchmark"].rsplit(".", 2)[-2]
            if benchmark == "PostgresBenchmark":
                name = "postgres"
            elif benchmark == "RedisBenchmark":
                name = "redis"
            cell = name + " " + str(result["threads"])
            alloc = result.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
            found[(cell, round_no)] = (result["primaryMetric"]["score"], alloc)
    return found


def main(folder):
    old, new = cells(folder, "old"), cells(folder, "new")
    names = sorted({cell for cell, _ in old} | {cell for cell, _ in new},
                   key=lambda c: (c.split()[0] != "bare", c.split()[0], int(c.split()[1])))
    commits = {side: open(os.path.join(folder, side + ".commit")).read().strip() for side in ("old", "new")}
    print(f"# A/B: {commits['old']} (old) against {commits['new']} (new)\n")
    print("Throughput per ms (PostgreSQL: queries per ms; Redis: PINGs per ms), median over the rounds; "
          "new/old computed per round.\n")
    print("| cell | old median | new median | new/old median (min-max) | B/op old | B/op new |")
    print("|---|---:|---:|---:|---:|---:|")
    one_sided = []  # e.g. a benchmark the old commit does not have, or a server that did not answer
    for cell in names:
        rounds = sorted({r for c, r in old if c == cell} & {r for c, r in new if c == cell})
        if not rounds:
            one_sided.append(cell)
            continue
        o = [old[(cell, r)][0] for r in rounds]
        n = [new[(cell, r)][0] for r in rounds]
        ratios = [new[(cell, r)][0] / old[(cell, r)][0] for r in rounds]
        ao = [old[(cell, r)][1] for r in rounds if old[(cell, r)][1] is not None]
        an = [new[(cell, r)][1] for r in rounds if new[(cell, r)][1] is not None]
        fmt = lambda v: f"{statistics.median(v):.1f}" if v else "-"
        print(f"| {cell} | {statistics.median(o):,.0f} | {statistics.median(n):,.0f} | "
              f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) | {fmt(ao)} | {fmt(an)} |")
    print(f"\nRounds: {len({r for _, r in new})}.")
    if one_sided:
        print(f"Left out, no round with both jars: {', '.join(one_sided)}.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/ab")
