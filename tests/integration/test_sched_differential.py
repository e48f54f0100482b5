"""Differential test: random CIBs from ../shared/tools/gen-cib, several
seeds and shapes, scheduled by herd and by Debian's crm_simulate (an
oracle installed for tests only); the transition summaries must agree."""
import os
import shutil
import subprocess

import pytest

from conftest import HERD_FAST

SHAPES = [
    # (nodes, resources, extra gen-cib arguments)
    (3, 30, ["--groups", "2", "--clones", "2", "--failed", "0.2", "--running", "0.9"]),
    (4, 80, ["--failed", "0.1"]),
    (6, 120, ["--groups", "6", "--clones", "4", "--probed"]),
    (8, 100, ["--groups", "5", "--clones", "3", "--running", "0.8", "--stickiness", "0"]),
    (16, 100, []),
    (16, 400, ["--probed"]),
]
SEEDS = [4, 5, 11]


def summary(text):
    lines = text.splitlines()
    try:
        i = lines.index("Transition Summary:") + 1
    except ValueError:
        return None
    out = []
    for line in lines[i:]:
        if line and not line.startswith(" "):
            break
        s = " ".join(line.split())
        if s:
            out.append(s)
    return out


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("nodes,resources,extra", SHAPES)
def test_same_summary_as_crm_simulate(shared, tmp_path, seed, nodes, resources, extra):
    peer = shutil.which("crm_simulate")
    if not peer:
        pytest.skip("crm_simulate (the oracle) is not installed")
    gen = os.path.join(shared, "tools", "gen-cib")
    cib = tmp_path / "cib.xml"
    with open(cib, "w") as f:
        subprocess.run(["python3", gen, "--nodes", str(nodes), "--resources", str(resources),
                        "--seed", str(seed), *extra], stdout=f, check=True)
    want = subprocess.run([peer, "-x", str(cib), "-R"], capture_output=True, text=True,
                          timeout=300)
    got = subprocess.run([HERD_FAST, "simulate", "-x", str(cib), "-R"], capture_output=True,
                         text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    assert summary(got.stdout) == summary(want.stdout)
