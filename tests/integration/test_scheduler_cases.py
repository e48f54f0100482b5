"""Regression cases in tests/scheduler/cases: each NAME.xml must give the
Transition Summary stored in NAME.summary (the oracle's, see the README
there)."""
import glob
import os
import subprocess

import pytest

from conftest import HERD_FAST, TOP

CASES = os.path.join(TOP, "tests", "scheduler", "cases")
XMLS = sorted(glob.glob(os.path.join(CASES, "*.xml")))


def normalised(text):
    lines = text.splitlines()
    assert "Transition Summary:" in lines, "no Transition Summary section"
    out = []
    for line in lines[lines.index("Transition Summary:") + 1:]:
        if line and not line.startswith(" "):
            break
        if line.strip():
            out.append(" ".join(line.split()))
    return out


def test_cases_present():
    assert XMLS, "no regression cases found in tests/scheduler/cases"
    for x in XMLS:
        assert os.path.exists(x[:-4] + ".summary"), f"{x} has no .summary"


@pytest.mark.parametrize("xml", XMLS, ids=lambda p: os.path.basename(p)[:-4])
def test_case_matches_oracle(xml):
    with open(xml[:-4] + ".summary") as f:
        want = normalised(f.read())
    proc = subprocess.run([HERD_FAST, "simulate", "-x", xml, "-S"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert normalised(proc.stdout) == want
