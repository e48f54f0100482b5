#!/usr/bin/env python3
"""make bench: run every benchmark under bench/ and print their tables.

Each bench/NAME.py is run as `python3 bench/NAME.py --build BUILD`; it
prints its own table and exits non-zero when a target is missed.  The
closing line says which benchmarks met their targets.
"""
import argparse
import glob
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("only", nargs="*", help="names of benchmarks to run")
    a = ap.parse_args()
    results = []
    for path in sorted(glob.glob(os.path.join(TOP, "bench", "*.py"))):
        name = os.path.basename(path)[:-3]
        if a.only and name not in a.only:
            continue
        print(f"== {name}", flush=True)
        rc = subprocess.run([sys.executable, path, "--build", os.path.abspath(a.build)],
                            cwd=TOP).returncode
        results.append((name, rc))
    if not results:
        print("no benchmarks yet")
        return 0
    print("benchmarks: " + ", ".join(f"{n} {'met' if rc == 0 else 'MISSED'}"
                                     for n, rc in results))
    return 0 if all(rc == 0 for _, rc in results) else 1


if __name__ == "__main__":
    sys.exit(main())
