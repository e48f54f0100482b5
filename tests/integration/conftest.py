"""Shared fixtures for herd's integration tests.

HERD is the herd binary under test (the sanitizer build when run by
`make check`); HERD_FAST the plain build, for long corpus runs.  SHARED is
../shared when it exists: tests that need it skip with a note otherwise.
"""
import os
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERD = os.environ.get("HERD", os.path.join(TOP, "build", "herd"))
HERD_FAST = os.environ.get("HERD_FAST", os.path.join(TOP, "build", "herd"))
SHARED = os.path.join(os.path.dirname(TOP), "shared")


def run_herd(*args, binary=None, **kw):
    """Run herd with args; return the CompletedProcess (text mode)."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    return subprocess.run([binary or HERD, *args], **kw)


@pytest.fixture
def herd():
    return run_herd


@pytest.fixture
def shared():
    if not os.path.isdir(SHARED):
        pytest.skip("../shared is not here: corpus and tools tests skipped")
    return SHARED
