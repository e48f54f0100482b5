"""`herd simulate -O FILE` (the revised CIB) and `-F OPSPEC` (fail an
action of the simulated transition), against Debian's crm_simulate.

- Save-output differential: for corpus cases whose decisions and executing
  section herd already matches, `herd -S -O H` and `crm_simulate -S -O C`
  each write a revised CIB; then both simulators are run (-S) on both
  files.  What each simulator decides and executes on herd's file must be
  what it decides and executes on crm_simulate's own file.  The cases
  where that holds are kept in tests/scheduler/save-output-passing.txt; a
  spread of them is checked on every run.
- Op-fail: for the same kind of cases, the first start, promote or
  recurring monitor crm_simulate executes is failed (-F ...=1) in both;
  what ran (with the failure and what it injected) and the revised status
  must be the same, but for the stamps and Pacemaker's action numbers
  ("Pretending action N failed").  Cases kept in
  tests/scheduler/op-fail-passing.txt.
- Small CIBs of our own: the saved CIB converges (nothing left to do),
  -F and -O with --output-as json/xml, -O with -R saves the input, bad
  paths and specs give clear errors.

Regenerate the lists (after a scheduler improvement) with
  python3 tests/integration/test_simulate_save_fail.py --write
which records what matches now; a case leaving a list is a regression.
"""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import HERD, HERD_FAST, SHARED, TOP  # noqa: E402

CORPUS = os.path.join(SHARED, "scheduler-corpus", "xml")
LISTS = os.path.join(TOP, "tests", "scheduler")
PASSING = os.path.join(LISTS, "passing.txt")
EXEC_PASSING = os.path.join(LISTS, "exec-passing.txt")
SAVE_LIST = os.path.join(LISTS, "save-output-passing.txt")
FAIL_LIST = os.path.join(LISTS, "op-fail-passing.txt")
CRM_SIMULATE = shutil.which("crm_simulate")
SAMPLE = 30          # listed cases checked on each run (an even spread)
USAGE, CANTCREATE = 64, 73


def read_list(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


def spread(cases, n):
    if len(cases) <= n:
        return cases
    step = len(cases) / n
    return [cases[int(i * step)] for i in range(n)]


def run(cmd, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def decided(text):
    """The Transition Summary and Executing Cluster Transition lines."""
    out, keep = [], False
    for ln in text.splitlines():
        if ln.startswith("Transition Summary:"):
            keep = True
        elif ln.startswith("Revised Cluster Status:"):
            keep = False
        if keep and ln.strip():
            out.append(" ".join(ln.split()))
    return out


def after_failure(text):
    """What -F changes: the executing section (a sorted list: the order of
    independent actions aside, as tests/scheduler/exec-passing.txt) and
    the revised status, blanks squeezed, stamps and Pacemaker's action
    numbers ("Pretending action N failed") made neutral."""
    text = re.sub(r"=\d{9,} into", "=STAMP into", text)
    text = re.sub(r"Pretending action \d+", "Pretending action N", text)
    lines = [" ".join(ln.split()) for ln in text.splitlines()]
    try:
        i = lines.index("Executing Cluster Transition:")
        j = lines.index("Revised Cluster Status:")
    except ValueError:
        return None
    return sorted(ln for ln in lines[i:j] if ln), [ln for ln in lines[j:] if ln]


def save_output_case(case, herd=HERD_FAST):
    """None when both simulators see herd's revised CIB as they see
    crm_simulate's, else a description of the first difference."""
    src = os.path.join(CORPUS, case + ".xml")
    with tempfile.TemporaryDirectory(prefix="herd-save-") as d:
        mine, theirs = os.path.join(d, "herd.xml"), os.path.join(d, "crm.xml")
        p = run([herd, "simulate", "-x", src, "-S", "-O", mine])
        if p.returncode:
            return f"herd -O exit {p.returncode}: {p.stderr[:200]}"
        run([CRM_SIMULATE, "-x", src, "-S", "-O", theirs])
        for name, sim in (("crm_simulate", [CRM_SIMULATE]), ("herd", [herd, "simulate"])):
            a = decided(run(sim + ["-x", theirs, "-S"]).stdout)
            b = decided(run(sim + ["-x", mine, "-S"]).stdout)
            if a != b:
                diff = [ln for ln in b if ln not in a][:3] + ["vs"] + \
                       [ln for ln in a if ln not in b][:3]
                return f"{name} on herd's file: {diff}"
    return None


FAILABLE = re.compile(r"^  \* Resource action: (\S+)\s+(start|promote|monitor=(\d+)) on (\S+)$")


def fail_spec(xml_path):
    """The first start, promote or recurring monitor crm_simulate executes,
    as an OPSPEC failing it with rc 1 (None when there is none)."""
    out = run([CRM_SIMULATE, "-x", xml_path, "-S"]).stdout
    for ln in out.splitlines():
        m = FAILABLE.match(ln)
        if m:
            task = "monitor" if m.group(3) else m.group(2)
            return f"{m.group(1)}_{task}_{m.group(3) or 0}@{m.group(4)}=1"
    return None


def op_fail_case(case, herd=HERD_FAST):
    src = os.path.join(CORPUS, case + ".xml")
    spec = fail_spec(src)
    if not spec:
        return "no action to fail"
    theirs = after_failure(run([CRM_SIMULATE, "-x", src, "-S", "-F", spec]).stdout)
    p = run([herd, "simulate", "-x", src, "-S", "-F", spec])
    if p.returncode:
        return f"herd -F exit {p.returncode}: {p.stderr[:200]}"
    mine = after_failure(p.stdout)
    if mine != theirs:
        for a, b, what in ((theirs[0], mine[0], "executing"), (theirs[1], mine[1], "revised")):
            if a != b:
                return (f"-F {spec}: {what}: herd {[x for x in b if x not in a][:3]} "
                        f"crm {[x for x in a if x not in b][:3]}")
    return None


def candidates():
    exec_ok = set(read_list(EXEC_PASSING))
    return [c for c in read_list(PASSING) if c in exec_ok]


def check_listed(list_path, fn):
    if not CRM_SIMULATE:
        pytest.skip("crm_simulate is not installed: the oracle tests are skipped")
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared is not here: corpus tests skipped")
    cases = spread(read_list(list_path), SAMPLE)
    assert cases, f"{list_path} is empty"
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        results = dict(zip(cases, ex.map(fn, cases)))
    bad = {c: r for c, r in results.items() if r}
    assert not bad, f"{len(bad)} of {len(cases)} listed cases differ: {bad}"


def test_save_output_rereads_as_crm_simulates_own():
    check_listed(SAVE_LIST, save_output_case)


def test_op_fail_matches_crm_simulate():
    check_listed(FAIL_LIST, op_fail_case)


def test_lists_are_a_good_spread():
    # the differential covers most of what herd executes as Pacemaker does
    n = len(candidates())
    if not n:
        pytest.skip("no exec list")
    assert len(read_list(SAVE_LIST)) >= 0.9 * n
    assert len(read_list(FAIL_LIST)) >= 100


# ---- small CIBs of our own --------------------------------------------------

SMALL_CIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "save-fail.xml")


@pytest.fixture
def small(tmp_path):
    p = tmp_path / "cib.xml"
    shutil.copy(SMALL_CIB, p)
    return p


def test_saved_cib_converges(small, tmp_path):
    out = tmp_path / "out.xml"
    p = run([HERD, "simulate", "-x", str(small), "-S", "-O", str(out)])
    assert p.returncode == 0, p.stderr
    root = ET.parse(out).getroot()
    # one status change per resource action, none to the configuration
    actions = len(re.findall(r"^  \* Resource action:", p.stdout, re.M))
    assert actions > 0
    assert int(root.get("num_updates")) == 5 + actions
    assert root.get("epoch") == "3"
    ops = {op.get("id"): op for op in root.iter("lrm_rsc_op")}
    assert ops["d1_monitor_10000"].get("rc-code") == "0"
    assert ops["d1_monitor_10000"].get("interval") == "10000"
    probes = [op for op in root.iter("lrm_rsc_op") if op.get("operation") == "monitor"
              and op.get("interval") == "0"]
    assert probes and all(op.get("rc-code") == "7" for op in probes)
    assert all(op.get("transition-key").split(":")[2] == "7" for op in probes)
    for op in root.iter("lrm_rsc_op"):
        assert op.get("call-id") and op.get("transition-magic").endswith(op.get("transition-key"))
    # herd on its own output: nothing left to do
    again = run([HERD, "simulate", "-x", str(out), "-S"])
    assert again.returncode == 0, again.stderr
    assert decided(again.stdout) == ["Transition Summary:", "Executing Cluster Transition:"]


def test_op_fail_stops_the_transition(small, tmp_path):
    out = tmp_path / "out.xml"
    start = re.search(r"Resource action: d1\s+start on (\S+)",
                      run([HERD, "simulate", "-x", str(small), "-S"]).stdout)
    node = start.group(1)
    p = run([HERD, "simulate", "-x", str(small), "-F", f"d1_start_0@{node}=1", "-O", str(out)])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    i = next(k for k, ln in enumerate(lines) if re.search(r"d1\s+start on", ln))
    assert re.match(r"Pretending action \d+ failed with rc=1$", lines[i + 1])
    assert "fail-count-d1#start_0=value++ into /node_state" in lines[i + 2]
    # the group's next member never starts; d1 shows failed
    executed = p.stdout.split("Executing Cluster Transition:")[1].split("Revised")[0]
    assert not re.search(r"d2\s+start on", executed), executed
    revised = p.stdout.split("Revised Cluster Status:")[1]
    assert re.search(rf"d1\s.*FAILED {node}", revised)
    root = ET.parse(out).getroot()
    ns = next(s for s in root.iter("node_state") if s.get("uname") == node)
    attrs = {nv.get("name"): nv.get("value") for nv in ns.iter("nvpair")}
    assert attrs["fail-count-d1#start_0"] == "1"
    fail = next(op for op in ns.iter("lrm_rsc_op") if op.get("id") == "d1_last_failure_0")
    assert fail.get("rc-code") == "1" and fail.get("exit-reason") == "User-injected result"
    # scheduling the revised CIB recovers d1
    again = run([HERD, "simulate", "-x", str(out), "-R"])
    assert re.search(r"Recover\s+d1|Move\s+d1", again.stdout), again.stdout


def test_op_fail_and_save_as_json_and_xml(small, tmp_path):
    out = tmp_path / "out.xml"
    p = run([HERD, "simulate", "-x", str(small), "-F", "d2_start_0@n1=5", "-F",
             "d2_start_0@n2=5", "-O", str(out), "--output-as", "json"])
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)["simulate"]
    failed = [a for a in data["transition"] if a.get("failed")]
    assert len(failed) == 1 and failed[0]["rc"] == 5 and failed[0]["resource"] == "d2"
    assert "revised-status" in data and out.exists()
    assert {"name", "id", "online", "unclean"} <= set(data["nodes"][0])
    p = run([HERD, "simulate", "-x", str(small), "-S", "-F", "d2_start_0@n1=5", "-F",
             "d2_start_0@n2=5", "--output-as", "xml"])
    assert p.returncode == 0, p.stderr
    ET.fromstring(p.stdout)


def test_save_output_without_simulate_saves_the_input(small, tmp_path):
    out = tmp_path / "out.xml"
    p = run([HERD, "simulate", "-x", str(small), "-R", "-d", "n2", "-O", str(out)])
    assert p.returncode == 0, p.stderr
    root = ET.parse(out).getroot()
    assert not list(root.iter("lrm_rsc_op"))
    n2 = next(s for s in root.iter("node_state") if s.get("uname") == "n2")
    assert n2.get("crmd") == "offline"


def test_save_output_errors(small, tmp_path):
    p = run([HERD, "simulate", "-x", str(small), "-S", "-O", str(tmp_path / "no" / "x.xml")])
    assert p.returncode == CANTCREATE and "no/x.xml" in p.stderr
    p = run([HERD, "simulate", "-x", str(small), "-F", "d2_start@n1=1"])
    assert p.returncode == USAGE and "d2_start@n1=1" in p.stderr


def test_op_fail_matching_nothing_changes_nothing(small):
    plain = run([HERD, "simulate", "-x", str(small), "-S"])
    p = run([HERD, "simulate", "-x", str(small), "-F", "d9_start_0@n1=1"])
    assert p.returncode == 0 and p.stdout == plain.stdout


def write_lists():
    cases = candidates()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        saved = dict(zip(cases, ex.map(save_output_case, cases)))
        failed = dict(zip(cases, ex.map(op_fail_case, cases)))
    for path, res in ((SAVE_LIST, saved), (FAIL_LIST, failed)):
        ok = [c for c in cases if not res[c]]
        with open(path, "w") as f:
            f.write("".join(c + "\n" for c in ok))
        print(f"{os.path.basename(path)}: {len(ok)}/{len(cases)}")
        for c in cases:
            if res[c]:
                print(f"  {c}: {res[c]}")


if __name__ == "__main__":
    if "--write" in sys.argv:
        write_lists()
