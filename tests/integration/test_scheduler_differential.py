"""Differential test: random CIBs from ../shared/tools/gen-cib, herd's
decisions against Debian's crm_simulate (the oracle, installed for tests
only; the same version the corpus was made with).

Each shape (nodes, resources, groups, clones, probed, seed) is one case.
Shapes listed in tests/scheduler/differential-passing.txt must give the
same "Transition Summary:" as the oracle; the others are expected to
differ for now (xfail, with the first differing line as the reason); a
shape that matches passes, and belongs in the list so that it stays so.
Any disagreement found here belongs in tests/scheduler/cases/ as a
regression case once understood.
"""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import HERD_FAST, SHARED, TOP

REQUIRED = os.path.join(TOP, "tests", "scheduler", "differential-passing.txt")

# nodes, resources, groups, clones, probed, running, failed, seed
# [, resource-stickiness (gen-cib's default is 100)]
SHAPES = [
    (2, 6, 0, 0, True, 0.5, 0.0, 1),
    (3, 12, 0, 0, True, 0.5, 0.0, 2),
    (3, 12, 1, 1, True, 0.5, 0.0, 3),
    (4, 20, 2, 2, True, 0.5, 0.1, 4),
    (4, 40, 2, 2, True, 0.5, 0.05, 5),
    (5, 30, 3, 3, True, 0.7, 0.1, 6),
    (3, 10, 0, 0, False, 0.0, 0.0, 7),
    (3, 16, 2, 1, False, 0.3, 0.0, 8),
    (4, 24, 2, 2, False, 0.5, 0.1, 9),
    (6, 48, 4, 2, True, 0.6, 0.05, 10),
    (8, 80, 2, 3, True, 0.5, 0.1, 11),
    (12, 120, 3, 2, True, 0.6, 0.1, 12),      # node10+ : ties in name byte order
    (11, 60, 2, 1, False, 0.0, 0.0, 13),      # fresh cluster, nothing probed
    (3, 30, 3, 0, True, 0.9, 0.3, 14),        # many failures
    (5, 50, 5, 2, False, 0.5, 0.2, 15),
    (16, 160, 4, 4, True, 0.5, 0.05, 16),
    (6, 36, 3, 2, True, 0.8, 0.0, 17),        # stickiness against location ties
    (16, 100, 2, 20, False, 0.5, 0.01, 20),   # the -S bench shape at 100
    (16, 400, 10, 20, True, 0.5, 0.01, 18),   # the -R bench shape at 400
    (16, 1000, 25, 20, True, 0.5, 0.01, 19),  # the -R bench shape at 1000
    (8, 100, 5, 3, False, 0.8, 0.0, 5, 0),    # no stickiness: balancing moves
    (3, 30, 2, 2, False, 0.9, 0.2, 11, 0),
    (6, 120, 6, 4, True, 0.5, 0.01, 4, 1000),
]


def mode(shape):
    """-S (simulate the execution too) on small shapes; the oracle's -S is
    slow on larger ones (above all unprobed: it simulates every probe), so
    those compare -R (the same Transition Summary)."""
    n, r, probed = shape[0], shape[1], shape[4]
    return "-S" if n * r <= (300 if probed else 100) else "-R"


def shape_id(s):
    n, r, g, c, probed, run, fail, seed = s[:8]
    stick = f"-stick{s[8]}" if len(s) > 8 else ""
    return (f"n{n}-r{r}-g{g}-c{c}-{'probed' if probed else 'unprobed'}-run{run}-fail{fail}"
            f"-s{seed}{stick}")


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


def required():
    try:
        with open(REQUIRED) as f:
            return {l.split("#")[0].strip() for l in f} - {""}
    except OSError:
        return set()


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
def test_same_decisions_as_crm_simulate(shape, tmp_path):
    gen = os.path.join(SHARED, "tools", "gen-cib")
    if not os.path.exists(gen):
        pytest.skip("../shared/tools/gen-cib is not here: differential test skipped")
    if not shutil.which("crm_simulate"):
        pytest.skip("crm_simulate (pacemaker-cli-utils) is not installed: no oracle")
    n, r, g, c, probed, run, fail, seed = shape[:8]
    cib = tmp_path / "cib.xml"
    args = [sys.executable, gen, "--nodes", str(n), "--resources", str(r), "--groups", str(g),
            "--clones", str(c), "--running", str(run), "--failed", str(fail),
            "--seed", str(seed)] + (["--probed"] if probed else [])
    if len(shape) > 8:
        args += ["--stickiness", str(shape[8])]
    with open(cib, "w") as f:
        subprocess.run(args, stdout=f, check=True)
    oracle = subprocess.run(["crm_simulate", "-x", str(cib), mode(shape)], capture_output=True,
                            text=True, timeout=300)
    want = summary(oracle.stdout)
    assert want is not None, "the oracle printed no Transition Summary"
    got_p = subprocess.run([HERD_FAST, "simulate", "-x", str(cib), mode(shape)], capture_output=True,
                           text=True, timeout=300)
    got = summary(got_p.stdout)
    name = shape_id(shape)
    if name in required():
        assert got_p.returncode == 0, got_p.stderr
        assert got == want
        return
    if got == want:
        return  # matches; add it to REQUIRED so it stays matched
    first = next((f"want {w!r} got {h!r}" for w, h in zip(want, got or [])
                  if w != h), f"{len(want)} lines wanted, {len(got or [])} got")
    pytest.xfail(f"differs from crm_simulate: {first}")
