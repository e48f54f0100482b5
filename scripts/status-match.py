#!/usr/bin/env python3
"""Measure how many corpus cases herd's status display matches byte for byte.

Runs `SIM -x xml/NAME.xml -S` for every case of the corpus and compares two
sections of its output with the corpus summary (crm_simulate's output):
  current  the lines between "Current cluster status:" and
           "Transition Summary:"
  revised  the lines after "Revised Cluster Status:"
Both sides get Pacemaker's own regression normalisation (ocf::, Master ...).

Usage: status-match.py [--sim 'build/herd simulate'] [--corpus DIR]
                       [--only REGEX] [--show NAME] [--passing-out FILE]
                       [--require FILE] [--failing]
"""
import argparse
import concurrent.futures as cf
import difflib
import os
import re
import shlex
import subprocess
import sys

NORMALISE = [
    (re.compile(r"ocf::"), "ocf:"),
    (re.compile(r"Masters:"), "Promoted:"),
    (re.compile(r"Slaves:"), "Unpromoted:"),
    (re.compile(r" Master( |\[|$)", re.M), r" Promoted\1"),
    (re.compile(r" Slave "), " Unpromoted "),
]


def normalise(text):
    out = []
    for line in text.splitlines():
        for pat, rep in NORMALISE:
            line = pat.sub(rep, line, count=1)
        out.append(line)
    return out


def sections(text):
    lines = normalise(text)
    cur = rev = None
    if "Current cluster status:" in lines:
        i = lines.index("Current cluster status:") + 1
        j = lines.index("Transition Summary:") if "Transition Summary:" in lines else len(lines)
        cur = "\n".join(lines[i:j]).rstrip("\n")
    if "Revised Cluster Status:" in lines:
        i = lines.index("Revised Cluster Status:") + 1
        rev = "\n".join(lines[i:]).rstrip("\n")
    return cur, rev


def run_case(sim, corpus, name):
    try:
        p = subprocess.run(shlex.split(sim) + ["-x", os.path.join(corpus, "xml", name + ".xml"), "-S"],
                           capture_output=True, text=True, timeout=60)
        out = p.stdout
    except subprocess.TimeoutExpired:
        out = ""
    with open(os.path.join(corpus, "summary", name + ".summary")) as f:
        want = f.read()
    return name, sections(want), sections(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", default="build/herd simulate")
    ap.add_argument("--corpus", default=os.environ.get("HERD_CORPUS", "/work/shared/scheduler-corpus"))
    ap.add_argument("--only")
    ap.add_argument("--show", action="append", default=[])
    ap.add_argument("--passing-out")
    ap.add_argument("--require")
    ap.add_argument("--failing", action="store_true")
    ap.add_argument("-j", type=int, default=os.cpu_count())
    a = ap.parse_args()
    names = sorted(f[:-4] for f in os.listdir(os.path.join(a.corpus, "xml")) if f.endswith(".xml"))
    if a.only:
        names = [n for n in names if re.search(a.only, n)]
    if a.show:
        names = [n for n in names if n in a.show]
    cur_ok, rev_ok, fail_cur, fail_rev = [], [], [], []
    with cf.ThreadPoolExecutor(a.j) as ex:
        for name, want, got in ex.map(lambda n: run_case(a.sim, a.corpus, n), names):
            if want[0] is not None and want[0] == got[0]:
                cur_ok.append(name)
            else:
                fail_cur.append(name)
            if want[1] is not None and want[1] == got[1]:
                rev_ok.append(name)
            else:
                fail_rev.append(name)
            if name in a.show:
                for title, w, g in (("current", want[0], got[0]), ("revised", want[1], got[1])):
                    if w != g:
                        print(f"--- {name} {title}")
                        sys.stdout.writelines(difflib.unified_diff(
                            (w or "").splitlines(True), (g or "").splitlines(True), "want", "got"))
                        print()
    if a.failing:
        print("current failing:", " ".join(sorted(fail_cur)))
        print("revised failing:", " ".join(sorted(fail_rev)))
    if a.passing_out:
        with open(a.passing_out, "w") as f:
            f.write("# cases whose \"Current cluster status:\" section matches crm_simulate's\n")
            f.write("# (written by scripts/status-match.py --passing-out)\n")
            f.writelines(n + "\n" for n in sorted(cur_ok))
    rc = 0
    if a.require:
        req = [l.strip() for l in open(a.require) if l.strip() and not l.startswith("#")]
        lost = [n for n in req if n not in cur_ok]
        if lost:
            print("required cases no longer matching:", " ".join(lost))
            rc = 1
    print(f"current {len(cur_ok)}/{len(names)}  revised {len(rev_ok)}/{len(names)}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
