#!/usr/bin/env python3
"""Scheduler benchmark: herd simulate against crm_simulate on gen-cib CIBs.

Runs ../shared/tools/sched-bench as the scheduler issue asks:
  -R at 400, 1000 and 4000 probed resources on 16 nodes: herd at least 5x
     faster than crm_simulate at 4000, with at most half its peak memory;
  -S at 100 and 400 unprobed: herd at least 20x faster at 400;
  the same decisions at every size.
Skips (exit 0 with a note) when ../shared or crm_simulate is missing.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(os.path.dirname(TOP), "shared", "tools", "sched-bench")


def run(build, args):
    cmd = [sys.executable, BENCH, "--sim", f"{build}/herd simulate", *args]
    print("$ " + " ".join(cmd[1:]), flush=True)
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    print(out, end="", flush=True)
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)x\s+(\w+)", line)
        if m:
            rows[int(m.group(1))] = dict(sim_s=float(m.group(3)), sim_mib=float(m.group(4)),
                                         peer_s=float(m.group(5)), peer_mib=float(m.group(6)),
                                         ratio=float(m.group(7)), same=m.group(8) == "same")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    a = ap.parse_args()
    if not os.path.exists(BENCH) or not shutil.which("crm_simulate"):
        print("sched bench skipped: ../shared/tools/sched-bench or crm_simulate missing")
        return 0
    ok = True
    r = run(a.build, ["--sizes", "400,1000,4000", "--nodes", "16", "--probed", "--mode", "R",
                      "--runs", "3"])
    s = run(a.build, ["--sizes", "100,400", "--nodes", "16", "--unprobed", "--mode", "S",
                      "--runs", "1"])
    checks = []
    big = r.get(4000)
    checks.append(("-R 4000: >= 5x faster", big and big["ratio"] >= 5))
    checks.append(("-R 4000: <= half peak memory", big and big["sim_mib"] * 2 <= big["peer_mib"]))
    s400 = s.get(400)
    checks.append(("-S 400: >= 20x faster", s400 and s400["ratio"] >= 20))
    checks.append(("same decisions at every size",
                   all(row["same"] for row in list(r.values()) + list(s.values()))
                   and len(r) == 3 and len(s) == 2))
    for name, good in checks:
        print(f"  {'met   ' if good else 'MISSED'} {name}")
        ok = ok and bool(good)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
