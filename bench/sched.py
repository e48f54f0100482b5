#!/usr/bin/env python3
"""Scheduler benchmark: herd simulate against crm_simulate (the oracle, for
benchmarks only) through ../shared/tools/sched-bench.

Targets (issue 4): at 4000 probed resources on 16 nodes herd's -R is at
least 5x faster with at most half the peak memory; -S at 400 resources is
at least 20x faster; the decisions are the same at every size (400, 1000,
4000 probed; 100, 400 unprobed).  Prints the tables and a verdict; exits 1
when a target is missed.  `--quick` runs the small sizes only.
"""
import argparse
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(os.path.dirname(TOP), "shared", "tools", "sched-bench")

ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x\s+(\S+)")


def run(sim, sizes, mode, probed, runs):
    cmd = [sys.executable, BENCH, "--sim", sim, "--sizes", sizes, "--mode", mode,
           "--runs", str(runs), "--probed" if probed else "--unprobed"]
    title = f"-{mode}, {'probed' if probed else 'unprobed'}, sizes {sizes}"
    print(f"\n# {title}", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    print(proc.stdout, end="", flush=True)
    rows = []
    for line in proc.stdout.splitlines():
        m = ROW.match(line)
        if m:
            size, _, st, smib, pt, pmib, ratio, same = m.groups()
            rows.append({"size": int(size), "sim_s": float(st), "sim_mib": float(smib),
                         "peer_s": float(pt), "peer_mib": float(pmib), "ratio": float(ratio),
                         "same": same == "same"})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    if not os.path.exists(BENCH):
        print("../shared/tools/sched-bench is not here: benchmark skipped")
        return 0
    sim = f"{os.path.join(a.build, 'herd')} simulate"
    failures = []
    probed = run(sim, "400,1000" if a.quick else "400,1000,4000", "R", True, a.runs)
    unprobed = run(sim, "100,400", "R", False, a.runs)
    sim_s = run(sim, "400", "S", True, a.runs)
    for r in probed + unprobed + sim_s:
        if r["peer_mib"] == 0:
            print(f"note: the peer timed out at {r['size']} (-S): decisions not compared")
            continue
        if not r["same"]:
            failures.append(f"decisions differ at {r['size']}")
    for r in probed:
        if r["size"] == 4000:
            if r["ratio"] < 5:
                failures.append(f"-R at 4000 only {r['ratio']:.1f}x faster (target 5x)")
            if r["sim_mib"] > r["peer_mib"] / 2:
                failures.append(f"-R at 4000 uses {r['sim_mib']:.0f} MiB, more than half of "
                                f"{r['peer_mib']:.0f} MiB")
    for r in sim_s:
        if r["size"] == 400 and r["ratio"] < 20:
            failures.append(f"-S at 400 only {r['ratio']:.1f}x faster (target 20x)")
    print()
    if failures:
        for f in failures:
            print("MISSED:", f)
        return 1
    print("all scheduler targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
