"""The CIB loader streams <status> (one node_state at a time) and falls
back to a whole DOM for anything unusual: both roads must give the same
model, and broken XML in the streamed part the usual error."""
import os
import re

from conftest import TOP, run_herd

CASE = os.path.join(TOP, "tests", "scheduler", "cases", "tie-group-lead-not-running.xml")


def read_case():
    with open(CASE) as f:
        return f.read()


def simulate(path, *extra):
    proc = run_herd("simulate", "-x", str(path), "-S", *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_status_before_configuration_gives_the_same_result(tmp_path):
    text = read_case()
    config = re.search(r"<configuration>.*</configuration>\n", text, re.S).group(0)
    status = re.search(r"<status>.*</status>\n", text, re.S).group(0)
    swapped = text.replace(config, "@@C@@").replace(status, config).replace("@@C@@", status)
    assert swapped.index("<status>") < swapped.index("<configuration>")
    p = tmp_path / "swapped.xml"
    p.write_text(swapped)
    assert simulate(p) == simulate(CASE)
    assert "Move" in simulate(p)


def test_stdin_and_file_agree():
    proc = run_herd("simulate", "-p", "-S", input=read_case())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == simulate(CASE)


def test_truncated_inside_status(tmp_path):
    text = read_case()
    cut = text.index("<lrm_rsc_op", text.index("<status>")) + 40
    p = tmp_path / "cut.xml"
    p.write_text(text[:cut])
    proc = run_herd("simulate", "-x", str(p))
    assert proc.returncode == 65, proc.stderr          # DATAERR
    assert f"{p}:" in proc.stderr and "not valid XML" in proc.stderr


def test_broken_after_status(tmp_path):
    text = read_case().replace("</cib>", "</cib><extra/>")
    p = tmp_path / "extra.xml"
    p.write_text(text)
    proc = run_herd("simulate", "-x", str(p))
    assert proc.returncode == 65, proc.stderr
    assert "not valid XML" in proc.stderr
