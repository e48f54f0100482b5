#!/usr/bin/env python3
"""Executor benchmark: 2,000 `monitor` actions of a trivial OCF agent (a
shell script that exits 0) through herd's executor, at concurrency 1 and
8, against the same number of bare fork+exec of that script from a tiny C
loop (bench/spawn_bare.c), in the same run.

Targets: herd's time per action within 1.25x of the bare spawn, and
memory flat as actions accumulate (resident size after the last tenth no
more than 1 MiB above that after the first tenth).  Each side runs three
times, interleaved; the best time of each counts (the least disturbed).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

N = 2000
TARGET_RATIO = 1.25
FLAT_KIB = 1024


def timed(cmd, env=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({p.returncode}): {p.stderr or p.stdout}")
    return dt, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-n", type=int, default=N)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    bare = os.path.join(a.build, "bench", "spawn_bare")
    herd = os.path.join(a.build, "bench", "exec_herd")
    for exe in (bare, herd):
        if not os.access(exe, os.X_OK):
            sys.exit(f"{exe} is missing: build with meson first")
    with tempfile.TemporaryDirectory() as tmp:
        adir = os.path.join(tmp, "ocf", "resource.d", "bench")
        os.makedirs(adir)
        script = os.path.join(adir, "trivial")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(script, 0o755)
        env = dict(os.environ, HERD_OCF_ROOT=os.path.join(tmp, "ocf"),
                   HERD_RSC_TMP_DIR=os.path.join(tmp, "rsctmp"))
        rows, ok = [], True
        for conc in (1, 8):
            best_bare = best_herd = float("inf")
            growth = 0
            for _ in range(a.runs):
                dt, _ = timed([bare, str(a.n), str(conc), script, "monitor"])
                best_bare = min(best_bare, dt)
                dt, out = timed([herd, str(a.n), str(conc), "ocf:bench:trivial", "monitor"], env)
                best_herd = min(best_herd, dt)
                rss = [int(l.split()[2]) for l in out.splitlines() if l.startswith("rss ")]
                if not out.strip().endswith(f"done {a.n} 0"):
                    sys.exit(f"herd: not every action succeeded: {out[-200:]}")
                growth = max(growth, rss[-1] - rss[0]) if rss else 0
                first, last = (rss[0], rss[-1]) if rss else (0, 0)
            ratio = best_herd / best_bare
            met = ratio <= TARGET_RATIO and growth <= FLAT_KIB
            ok &= met
            rows.append((conc, best_bare, best_herd, ratio, first, last, growth, met))
    print(f"executor: {a.n} monitor actions of a trivial OCF agent, best of {a.runs}")
    print(f"{'conc':>4} {'bare s':>8} {'bare us/op':>10} {'herd s':>8} {'herd us/op':>10} "
          f"{'ratio':>6} {'rss first/last KiB':>19} {'target':>7}")
    for conc, b, h, r, first, last, growth, met in rows:
        print(f"{conc:>4} {b:>8.3f} {b / a.n * 1e6:>10.0f} {h:>8.3f} {h / a.n * 1e6:>10.0f} "
              f"{r:>6.2f} {f'{first}/{last}':>19} {'met' if met else 'MISSED':>7}")
    print(f"targets: ratio <= {TARGET_RATIO}, rss growth <= {FLAT_KIB} KiB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
