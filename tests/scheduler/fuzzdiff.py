#!/usr/bin/env python3
"""Run fuzzcib.py seeds through the oracle (crm_simulate) and herd, and
compare the Transition Summary (and, with --full, the whole output).

  fuzzdiff.py --herd build/herd --seeds 1-500 [--keep DIR] [--passing-out F]
              [--require F] [-j 2]

Prints one line per disagreement and a closing count.  With --keep, each
disagreeing CIB is written to DIR/seed-N.xml.  With --require F, every
seed listed in F must agree (exit 1 otherwise).  Seeds the oracle rejects
(it must accept every CIB: a rejection is a generator bug) are counted
separately.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fuzzcib  # noqa: E402


def summary(text):
    lines = text.splitlines()
    if "Transition Summary:" not in lines:
        return None
    out = []
    for line in lines[lines.index("Transition Summary:") + 1:]:
        if line and not line.startswith(" "):
            break
        if line.strip():
            out.append(" ".join(line.split()))
    return out


def run(cmd, path, timeout=120):
    try:
        p = subprocess.run(cmd + ["-x", path, "-S"], capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -1, "", "timeout"


def compare(herd, path):
    """(verdict, want, got): verdict is 'same', 'differ', 'oracle-rejects'
    or 'herd-fails'."""
    orc, oout, oerr = run(["crm_simulate"], path)
    want = summary(oout)
    if want is None:
        return "oracle-rejects", oerr.strip().splitlines()[-1:] if oerr else [], None
    hrc, hout, herr = run(herd.split(), path)
    got = summary(hout)
    if hrc != 0 or got is None:
        return "herd-fails", want, (herr.strip().splitlines() or ["?"])[-1:]
    return ("same" if got == want else "differ"), want, got


def one(herd, seed, keep):
    text = fuzzcib.generate(seed)
    with tempfile.NamedTemporaryFile("w", suffix=".xml", prefix="fuzzdiff-", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        verdict, want, got = compare(herd, path)
    finally:
        os.unlink(path)
    if verdict != "same" and keep:
        os.makedirs(keep, exist_ok=True)
        with open(os.path.join(keep, f"seed-{seed}.xml"), "w") as f:
            f.write(text)
    return seed, verdict, want, got


def seeds_of(spec):
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def listed(path):
    with open(path) as f:
        return {int(l.split("#")[0]) for l in f if l.split("#")[0].strip()}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--herd", default="build/herd simulate")
    ap.add_argument("--seeds", default="1-200")
    ap.add_argument("--keep")
    ap.add_argument("--passing-out")
    ap.add_argument("--require")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("-q", action="store_true", help="no per-seed lines")
    a = ap.parse_args()
    seeds = seeds_of(a.seeds)
    counts = {}
    same = []
    bad = []
    with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        for seed, verdict, want, got in ex.map(lambda s: one(a.herd, s, a.keep), seeds):
            counts[verdict] = counts.get(verdict, 0) + 1
            if verdict == "same":
                same.append(seed)
                continue
            bad.append(seed)
            if a.q:
                continue
            if verdict == "differ":
                first = next((f"want {w!r} got {h!r}" for w, h in zip(want, got) if w != h),
                             f"{len(want)} lines wanted, {len(got)} got: "
                             f"{(want[len(got):] or got[len(want):])[:1]}")
                print(f"seed {seed}: {first}")
            else:
                print(f"seed {seed}: {verdict}: {want} {got}")
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), f"of {len(seeds)}")
    if a.passing_out:
        with open(a.passing_out, "w") as f:
            f.write("# fuzzcib.py seeds whose transition summary herd matches against crm_simulate\n")
            f.write("".join(f"{s}\n" for s in same))
    if a.require:
        lost = sorted(listed(a.require) & set(bad))
        if lost:
            print(f"LOST: {lost}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
