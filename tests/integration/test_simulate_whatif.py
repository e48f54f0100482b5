"""`herd simulate` what-if options against Debian's crm_simulate.

- Differential: corpus CIBs where herd already matches Pacemaker without
  events (tests/scheduler/passing.txt) are run with each synthetic event
  (node down / fail / up, a failed monitor, a successful probe, quorum
  lost, tickets) through both herd and crm_simulate; the transition
  summaries must be the same for every (case, event) pair listed in
  tests/scheduler/whatif-passing.txt.  The events are derived from each
  CIB (its nodes, its running resources, its tickets), never from names.
- Scores: `herd simulate -x F -s -Q` must print scores/NAME.scores exactly
  for every case in tests/scheduler/scores-passing.txt.
- Bad values: a malformed OPSPEC, an unknown node or resource, give a
  clear message and USAGE / NOSUCH, under the sanitizer build.

Regenerate the two lists (after a scheduler improvement) with
  python3 tests/integration/test_simulate_whatif.py --write
which records what matches now; a case leaving a list is a regression.
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import HERD, HERD_FAST, SHARED, TOP  # noqa: E402

CORPUS = os.path.join(SHARED, "scheduler-corpus")
PASSING = os.path.join(TOP, "tests", "scheduler", "passing.txt")
WHATIF_LIST = os.path.join(TOP, "tests", "scheduler", "whatif-passing.txt")
SCORES_LIST = os.path.join(TOP, "tests", "scheduler", "scores-passing.txt")
DISPLAY_LIST = os.path.join(TOP, "tests", "scheduler", "whatif-display-passing.txt")
CRM_SIMULATE = shutil.which("crm_simulate")
USAGE, NOSUCH = 64, 105
SAMPLE = 60          # corpus cases used by the differential test


def read_list(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


def summary(text):
    """The Transition Summary lines, whitespace-normalized."""
    lines = text.splitlines()
    try:
        i = lines.index("Transition Summary:") + 1
    except ValueError:
        return None
    out = []
    for ln in lines[i:]:
        if not ln.strip():
            break
        if ln.startswith("  * "):
            out.append(" ".join(ln.split()))
    return out


def events_for(xml_path):
    """The synthetic events to try on one CIB: (label, [options])."""
    root = ET.parse(xml_path).getroot()
    nodes = [n.get("uname") for n in root.iter("node") if n.get("uname")
             and n.get("type") not in ("remote", "ping")]
    states = {s.get("uname"): s for s in root.iter("node_state")}
    online = [n for n in nodes if n in states and states[n].get("crmd") == "online"
              and states[n].get("in_ccm") in ("true", "1", "yes")]
    offline = [n for n in nodes if n not in online]
    ev = []
    if online:
        ev.append(("node-down", ["-d", online[0]]))
        ev.append(("node-fail", ["-f", online[-1]]))
    if offline:
        ev.append(("node-up", ["-u", offline[0]]))
    prims = {p.get("id") for p in root.iter("primitive")}
    # a running primitive: its last op a successful start on an online node
    for n in online:
        for lr in states[n].iter("lrm_resource"):
            rid = lr.get("id")
            base = rid.split(":")[0]
            ops = sorted(lr.iter("lrm_rsc_op"), key=lambda o: int(o.get("call-id", "0")))
            if base in prims and ops and ops[-1].get("operation") == "start" \
                    and ops[-1].get("rc-code") == "0":
                ev.append(("monitor-fail", ["-i", f"{rid}_monitor_10000@{n}=7"]))
                break
        else:
            continue
        break
    # a resource never probed on some online node: a probe finding it active
    for n in online:
        seen = {lr.get("id") for lr in states[n].iter("lrm_resource")}
        missing = sorted(p for p in prims if p not in seen)
        top = {p.get("id") for p in root.find("configuration/resources") if p.tag == "primitive"} \
            if root.find("configuration/resources") is not None else set()
        missing = [p for p in missing if p in top]
        if missing:
            ev.append(("probe-active", ["-i", f"{missing[0]}_monitor_0@{n}=0"]))
            break
    ev.append(("no-quorum", ["-q", "0", "-w", "1"]))
    ev.append(("quorum-alone", ["-q", "0"]))
    tickets = sorted({t.get("ticket") for t in root.iter("rsc_ticket") if t.get("ticket")})
    if tickets:
        ev.append(("ticket-revoke", ["-r", tickets[0]]))
        ev.append(("ticket-grant", ["-g", tickets[0]]))
        ev.append(("ticket-standby", ["-b", tickets[0]]))
    return ev


def run_pair(name, label, opts, herd_bin):
    xml = os.path.join(CORPUS, "xml", name + ".xml")
    h = subprocess.run([herd_bin, "simulate", "-x", xml, "-R", *opts],
                       capture_output=True, text=True, timeout=120)
    c = subprocess.run([CRM_SIMULATE, "-x", xml, "-R", *opts],
                       capture_output=True, text=True, timeout=120)
    hs, cs = summary(h.stdout), summary(c.stdout)
    ok = h.returncode == 0 and c.returncode == 0 and hs is not None and hs == cs
    return f"{name} {label}", ok, (h, c, hs, cs)


def all_pairs():
    cases = read_list(PASSING)[:SAMPLE]
    pairs = []
    for name in cases:
        xml = os.path.join(CORPUS, "xml", name + ".xml")
        if not os.path.exists(xml):
            continue
        for label, opts in events_for(xml):
            pairs.append((name, label, opts))
    return pairs


def pairs_for(keys):
    """The (case, label, options) of listed "CASE LABEL" keys."""
    by_case = {}
    for key in keys:
        name, label = key.split(" ", 1)
        by_case.setdefault(name, set()).add(label)
    pairs = []
    for name in sorted(by_case):
        xml = os.path.join(CORPUS, "xml", name + ".xml")
        if not os.path.exists(xml):
            continue
        for label, opts in events_for(xml):
            if label in by_case[name]:
                pairs.append((name, label, opts))
    return pairs


def run_pairs(pairs, herd_bin):
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        return list(ex.map(lambda p: run_pair(*p, herd_bin), pairs))


def scores_match(name, herd_bin):
    xml = os.path.join(CORPUS, "xml", name + ".xml")
    want_path = os.path.join(CORPUS, "scores", name + ".scores")
    if not os.path.exists(want_path):
        return False, None, None
    with open(want_path) as f:
        want = f.read()
    p = subprocess.run([herd_bin, "simulate", "-x", xml, "-s", "-Q"],
                       capture_output=True, text=True, timeout=120)
    return p.returncode == 0 and p.stdout == want, p.stdout, want


def need_corpus():
    if not os.path.isdir(CORPUS):
        pytest.skip("../shared/scheduler-corpus is not here: what-if corpus tests skipped")


def need_crm_simulate():
    if not CRM_SIMULATE:
        pytest.skip("crm_simulate (pacemaker-cli-utils) is not installed: differential skipped")


# ---- differential --------------------------------------------------------

def test_whatif_differential_no_regression():
    need_corpus()
    need_crm_simulate()
    required = set(read_list(WHATIF_LIST))
    assert required, "tests/scheduler/whatif-passing.txt is empty"
    pairs = pairs_for(required)
    results = run_pairs(pairs, HERD_FAST)
    bad = []
    for key, ok, (h, c, hs, cs) in results:
        if not ok:
            bad.append(f"{key}: herd rc={h.returncode} {hs}\n   crm_simulate {cs}\n"
                       f"   {h.stderr[-300:]}")
    found = {r[0] for r in results}
    missing = sorted(required - found)
    assert not missing, f"required pairs no longer generated: {missing[:10]}"
    assert not bad, "REGRESSED what-if cases:\n" + "\n".join(bad[:20])


def test_whatif_events_really_change_the_outcome():
    """The list must hold pairs where the event made a difference, or the
    differential would prove nothing."""
    need_corpus()
    need_crm_simulate()
    required = read_list(WHATIF_LIST)
    changed = 0
    for key in required[:40]:
        name, label = key.split(" ", 1)
        xml = os.path.join(CORPUS, "xml", name + ".xml")
        ev = dict(events_for(xml))
        base = summary(run_herd_fast(xml, []))
        after = summary(run_herd_fast(xml, ev[label]))
        changed += base != after
    assert changed >= 10, f"only {changed} of the listed events changed a summary"


def run_herd_fast(xml, opts):
    return subprocess.run([HERD_FAST, "simulate", "-x", xml, "-R", *opts],
                          capture_output=True, text=True, timeout=120).stdout


def test_whatif_under_sanitizers():
    """A few events through the ASan/UBSan build: same summaries, no leaks."""
    need_corpus()
    need_crm_simulate()
    required = read_list(WHATIF_LIST)
    labels_done = set()
    pairs = []
    for key in required:
        name, label = key.split(" ", 1)
        if label in labels_done:
            continue
        labels_done.add(label)
        ev = dict(events_for(os.path.join(CORPUS, "xml", name + ".xml")))
        pairs.append((name, label, ev[label]))
    for key, ok, (h, c, hs, cs) in run_pairs(pairs, HERD):
        assert ok, f"{key}: herd rc={h.returncode} {hs} != {cs}\n{h.stderr[-2000:]}"


# ---- scores --------------------------------------------------------------

def test_scores_no_regression():
    need_corpus()
    required = read_list(SCORES_LIST)
    assert required, "tests/scheduler/scores-passing.txt is empty"
    bad = []
    for name in required:
        ok, got, want = scores_match(name, HERD_FAST)
        if not ok:
            bad.append(name)
    assert not bad, f"scores REGRESSED for {bad[:20]}"


def test_scores_format_under_sanitizers():
    need_corpus()
    required = read_list(SCORES_LIST)
    for name in required[:3]:
        ok, got, want = scores_match(name, HERD)
        assert ok, f"{name}:\n{got}\n!=\n{want}"


# ---- -A / -c / -U sections against crm_simulate ---------------------------

def section(text, start):
    """From the line `start` to the next blank line."""
    lines = text.splitlines()
    try:
        i = lines.index(start)
    except ValueError:
        return None
    out = []
    for ln in lines[i:]:
        if not ln.strip():
            break
        out.append(ln)
    return out


def display_match(name, kind, herd_bin):
    xml = os.path.join(CORPUS, "xml", name + ".xml")
    if kind == "-U":
        h = subprocess.run([herd_bin, "simulate", "-x", xml, "-U", "-Q"], capture_output=True,
                           text=True, timeout=120)
        c = subprocess.run([CRM_SIMULATE, "-x", xml, "-U", "-Q"], capture_output=True,
                           text=True, timeout=120)
        return h.returncode == 0 and h.stdout == c.stdout and "capacity" in h.stdout
    h = subprocess.run([herd_bin, "simulate", "-x", xml, "-A", "-c"], capture_output=True,
                       text=True, timeout=120)
    c = subprocess.run([CRM_SIMULATE, "-x", xml, "-A", "-c"], capture_output=True, text=True,
                       timeout=120)
    return h.returncode == 0 and all(
        section(h.stdout, t) == section(c.stdout, t) and section(h.stdout, t)
        for t in ("  * Node Attributes:", "  * Migration Summary:"))


def display_keys():
    keys = []
    for fn in sorted(os.listdir(os.path.join(CORPUS, "xml"))):
        name = fn[:-4]
        with open(os.path.join(CORPUS, "xml", fn)) as f:
            text = f.read()
        if "fail-count-" in text or "<transient_attributes" in text:
            keys.append(f"{name} -A")
        if "<utilization" in text:
            keys.append(f"{name} -U")
    return keys


def test_attrs_failcounts_utilization_no_regression():
    need_corpus()
    need_crm_simulate()
    required = read_list(DISPLAY_LIST)
    assert required, "tests/scheduler/whatif-display-passing.txt is empty"
    bad = [k for k in required if not display_match(*k.split(" ", 1), HERD_FAST)]
    assert not bad, f"-A/-c/-U REGRESSED for {bad[:20]}"


# ---- saved input reflects the events --------------------------------------

def test_save_input_has_the_events(tmp_path):
    cib = tmp_path / "cib.xml"
    cib.write_text(SMALL_CIB)
    out = tmp_path / "in.xml"
    p = subprocess.run([HERD, "simulate", "-x", str(cib), "-R", "-d", "n2",
                        "-i", "d1_monitor_10000@n1=7", "-g", "T", "-q", "1", "-w", "1",
                        "-I", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    root = ET.parse(out).getroot()
    assert root.get("have-quorum") == "1"
    st = {s.get("uname"): s for s in root.iter("node_state")}
    assert st["n2"].get("crmd") == "offline" and st["n2"].get("join") == "down"
    assert st["n2"].find("lrm") is None
    ops = [o for o in st["n1"].iter("lrm_rsc_op") if o.get("id") == "d1_last_failure_0"]
    assert len(ops) == 1 and ops[0].get("rc-code") == "7" and ops[0].get("interval") == "10000"
    fc = [nv for nv in st["n1"].iter("nvpair") if nv.get("name") == "fail-count-d1#monitor_10000"]
    assert fc and fc[0].get("value") == "1"
    assert any(t.get("id") == "T" and t.get("granted") == "true" for t in root.iter("ticket_state"))
    assert any(nv.get("name") == "have-watchdog" for nv in root.iter("nvpair"))
    assert "Performing Requested Modifications:" in p.stdout
    assert "Taking node n2 offline" in p.stdout
    # d1 failed on n1: it is recovered there
    assert re.search(r"Recover\s+d1\s+\(\s*n1\s*\)", p.stdout), p.stdout


def test_json_output_has_decisions(tmp_path):
    import json
    cib = tmp_path / "cib.xml"
    cib.write_text(SMALL_CIB)
    p = subprocess.run([HERD, "simulate", "-x", str(cib), "-S", "-d", "n1", "-s", "-A", "-c",
                        "--output-as", "json"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    data = doc["simulate"]
    # node down drops n1's history: d1 starts on n2 (as crm_simulate says)
    moves = [d for d in data["decisions"] if d.get("resource") == "d1"]
    assert moves and moves[0]["action"] == "start" and moves[0]["to"] == "n2"
    assert moves[0]["blocked"] is False
    cur = {r["id"]: r for r in data["current-status"]["resources"]}
    assert cur["d1"]["nodes"] == ["n1"]
    rev = {r["id"]: r for r in data["revised-status"]["resources"]}
    assert rev["d1"]["nodes"] == ["n2"]
    assert data["modifications"] == ["Taking node n1 offline"]
    assert any(s["resource"] == "d1" and s["node"] == "n2" for s in data["scores"])
    assert data["node_attributes"] == {"n1": {}, "n2": {}}
    assert data["failcounts"] == []
    x = subprocess.run([HERD, "simulate", "-x", str(cib), "-R", "-d", "n1", "--output-as", "xml"],
                       capture_output=True, text=True)
    assert x.returncode == 0, x.stderr
    assert ET.fromstring(x.stdout).find(".//decisions") is not None


# ---- bad values -----------------------------------------------------------

@pytest.mark.parametrize("spec", ["garbage", "d1_monitor@n1=7", "d1_monitor_10000@n1",
                                  "d1_monitor_10000@n1=x", "_10000@n1=7", "d1_monitor_10000@=7"])
def test_malformed_opspec_is_usage(tmp_path, spec):
    cib = tmp_path / "cib.xml"
    cib.write_text(SMALL_CIB)
    p = subprocess.run([HERD, "simulate", "-x", str(cib), "-R", "-i", spec],
                       capture_output=True, text=True)
    assert p.returncode == USAGE, p.stderr
    assert spec in p.stderr and "RESOURCE_TASK_INTERVAL@NODE=RC" in p.stderr or \
        "OCF exit code" in p.stderr or "no node" in p.stderr, p.stderr


@pytest.mark.parametrize("opts,what", [
    (["-i", "d1_monitor_10000@nosuch=7"], "nosuch"),
    (["-i", "nosuch_monitor_10000@n1=7"], "nosuch"),
    (["-d", "nosuch"], "nosuch"),
    (["-f", "nosuch"], "nosuch"),
])
def test_unknown_names_are_nosuch(tmp_path, opts, what):
    cib = tmp_path / "cib.xml"
    cib.write_text(SMALL_CIB)
    p = subprocess.run([HERD, "simulate", "-x", str(cib), "-R", *opts],
                       capture_output=True, text=True)
    assert p.returncode == NOSUCH, p.stderr
    assert f"'{what}'" in p.stderr


def test_node_up_adds_an_unknown_node(tmp_path):
    cib = tmp_path / "cib.xml"
    cib.write_text(SMALL_CIB)
    p = subprocess.run([HERD, "simulate", "-x", str(cib), "-R", "-u", "n9"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "Bringing node n9 online" in p.stdout


def test_bad_quorum_value_and_bad_op_fail(tmp_path):
    cib = tmp_path / "cib.xml"
    cib.write_text(SMALL_CIB)
    p = subprocess.run([HERD, "simulate", "-x", str(cib), "-R", "-q", "maybe"],
                       capture_output=True, text=True)
    assert p.returncode == USAGE and "maybe" in p.stderr
    for spec in ("d1_stop@n1=1", "d1_stop_0@n1", "d1_stop_0@n1=x"):
        p = subprocess.run([HERD, "simulate", "-x", str(cib), "-S", "-F", spec],
                           capture_output=True, text=True)
        assert p.returncode == USAGE and spec in p.stderr, p.stderr


SMALL_CIB = """<cib epoch="1" num_updates="1" admin_epoch="0" validate-with="pacemaker-3.0"
  have-quorum="1" dc-uuid="1">
  <configuration>
    <crm_config><cluster_property_set id="o">
      <nvpair id="o-st" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
    <resources>
      <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
        <operations><op id="d1-mon" name="monitor" interval="10s"/></operations>
      </primitive>
    </resources>
    <constraints>
      <rsc_ticket id="tk" rsc="d1" ticket="T" loss-policy="stop"/>
    </constraints>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="d1" class="ocf" provider="heartbeat" type="Dummy">
          <lrm_rsc_op id="d1_last_0" operation_key="d1_start_0" operation="start"
            transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" call-id="3" rc-code="0"
            op-status="0" interval="0" last-rc-change="1" exec-time="1" queue-time="0"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
    <tickets><ticket_state id="T" granted="true"/></tickets>
  </status>
</cib>
"""


def main():
    if "--write" not in sys.argv:
        print(__doc__)
        return 1
    pairs = all_pairs()
    base = {}
    results = run_pairs(pairs, HERD_FAST)
    good = [key for key, ok, _ in results if ok]
    with open(WHATIF_LIST, "w") as f:
        f.write("# (case, event) pairs where herd's summary equals crm_simulate's;\n"
                "# written by tests/integration/test_simulate_whatif.py --write\n")
        f.write("".join(g + "\n" for g in sorted(good)))
    print(f"what-if: {len(good)} of {len(results)} pairs match")
    names = [os.path.basename(p)[:-4] for p in sorted(os.listdir(os.path.join(CORPUS, "xml")))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        sres = list(ex.map(lambda n: (n, scores_match(n, HERD_FAST)[0]), names))
    sgood = [n for n, ok in sres if ok]
    with open(SCORES_LIST, "w") as f:
        f.write("# cases whose `herd simulate -s -Q` equals scores/NAME.scores;\n"
                "# written by tests/integration/test_simulate_whatif.py --write\n")
        f.write("".join(n + "\n" for n in sgood))
    print(f"scores: {len(sgood)} of {len(names)} cases match")
    keys = display_keys()
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        dres = list(ex.map(lambda k: (k, display_match(*k.split(" ", 1), HERD_FAST)), keys))
    dgood = [k for k, ok in dres if ok]
    with open(DISPLAY_LIST, "w") as f:
        f.write("# cases whose -A -c sections (\"-A\") or -U -Q output (\"-U\") equal\n"
                "# crm_simulate's; written by test_simulate_whatif.py --write\n")
        f.write("".join(k + "\n" for k in dgood))
    print(f"display: {len(dgood)} of {len(keys)} match")
    del base
    return 0


if __name__ == "__main__":
    sys.exit(main())
