"""The scheduler corpus: every case listed in tests/scheduler/passing.txt
must keep matching Pacemaker's decisions (the transition summary)."""
import os
import subprocess
import sys

import pytest

from conftest import HERD_FAST, TOP


def test_corpus_no_regression(shared):
    tool = os.path.join(shared, "tools", "sched-conformance")
    passing = os.path.join(TOP, "tests", "scheduler", "passing.txt")
    proc = subprocess.run([sys.executable, tool, "--sim", f"{HERD_FAST} simulate",
                           "--require", passing],
                          capture_output=True, text=True, timeout=900)
    print(proc.stdout[-3000:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "REGRESSED" not in proc.stdout


def test_simulate_is_deterministic(shared):
    xml = os.path.join(shared, "scheduler-corpus", "xml", "594.xml")
    outs = {subprocess.run([HERD_FAST, "simulate", "-x", xml, "-S"], capture_output=True,
                           text=True).stdout for _ in range(3)}
    assert len(outs) == 1
