#!/usr/bin/env python3
"""Count corpus cases whose "Executing Cluster Transition:" section matches.

  sched-exec-conformance.py [--herd build/herd] [--corpus DIR] [--only RE]
                            [--failing] [--passing-out FILE] [--require FILE]

For every case of the scheduler corpus (xml/NAME.xml, summary/NAME.summary)
runs `herd simulate -x NAME.xml -S` and compares:
  decisions  the Transition Summary (blanks squeezed, as sched-conformance)
  exec-set   the executing section's lines as a set (order aside)
  exec       the executing section byte for byte, in order
--passing-out writes the cases matching on decisions AND exec-set (the list
tests/scheduler/exec-passing.txt holds); --require fails (exit 1) when a
listed case no longer matches on exec-set.
"""
import argparse
import concurrent.futures as cf
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.join(os.path.dirname(TOP), "shared", "scheduler-corpus")


def section(text, title):
    lines = text.splitlines()
    try:
        start = lines.index(title) + 1
    except ValueError:
        return None
    body = []
    for line in lines[start:]:
        if line and not line.startswith(" "):
            break
        if line.strip():
            body.append(line)
    return body


def squeeze(lines):
    return None if lines is None else [" ".join(l.split()) for l in lines]


def normalise(text):
    # the same normalisation as sched-conformance (role names, ocf::)
    text = text.replace("ocf::", "ocf:")
    return text


def run_case(herd, corpus, name):
    with open(os.path.join(corpus, "summary", name + ".summary")) as f:
        expected = f.read()
    try:
        got = subprocess.run([herd, "simulate", "-x", os.path.join(corpus, "xml", name + ".xml"),
                              "-S"], capture_output=True, text=True, timeout=120).stdout
    except subprocess.TimeoutExpired:
        got = ""
    got = normalise(got)
    want_dec = squeeze(section(expected, "Transition Summary:")) or []
    dec = squeeze(section(got, "Transition Summary:")) == want_dec
    we = section(expected, "Executing Cluster Transition:")
    ge = section(got, "Executing Cluster Transition:")
    exec_set = we is not None and ge is not None and sorted(we) == sorted(ge)
    exact = we is not None and we == ge
    return name, dec, exec_set, exact


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default=os.path.join(TOP, "build", "herd"))
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--only")
    ap.add_argument("--failing", action="store_true")
    ap.add_argument("--passing-out")
    ap.add_argument("--require")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    names = sorted(n[:-4] for n in os.listdir(os.path.join(args.corpus, "xml"))
                   if n.endswith(".xml"))
    if args.only:
        names = [n for n in names if re.search(args.only, n)]
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        res = sorted(pool.map(lambda n: run_case(args.herd, args.corpus, n), names))
    if args.failing:
        for name, dec, es, ex in res:
            if dec and not ex:
                print(f"differs  {name}" + ("" if es else "  (set)"))
    good = [r[0] for r in res if r[1] and r[2]]
    if args.passing_out:
        with open(args.passing_out, "w") as f:
            f.write("".join(n + "\n" for n in good))
    rc = 0
    if args.require:
        with open(args.require) as f:
            required = {l.split("#")[0].strip() for l in f} - {""}
        for n in sorted(required - set(good)):
            if n in names:
                print(f"REGRESSED {n}")
                rc = 1
    n = len(res)
    dec = sum(r[1] for r in res)
    print(f"cases {n}  decisions {dec}  exec-set {sum(r[2] for r in res)}  "
          f"exec {sum(r[3] for r in res)}  decisions+exec-set {len(good)}  "
          f"decisions+exec {sum(1 for r in res if r[1] and r[3])}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
