"""The transition graph: for every case listed in
tests/scheduler/exec-passing.txt, herd's "Executing Cluster Transition:"
section must hold the same actions as crm_simulate's (order aside), and
-G / -D must write a well-formed graph consistent with the execution."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from conftest import HERD, HERD_FAST, TOP

TOOL = os.path.join(TOP, "scripts", "sched-exec-conformance.py")
PASSING = os.path.join(TOP, "tests", "scheduler", "exec-passing.txt")


def test_exec_section_no_regression(shared):
    corpus = os.path.join(shared, "scheduler-corpus")
    proc = subprocess.run([sys.executable, TOOL, "--herd", HERD_FAST, "--corpus", corpus,
                           "--require", PASSING], capture_output=True, text=True, timeout=900)
    print(proc.stdout[-3000:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def _exec_lines(text):
    lines = text.splitlines()
    i = lines.index("Executing Cluster Transition:")
    out = []
    for line in lines[i + 1:]:
        if line and not line.startswith(" "):
            break
        if line.strip():
            out.append(line)
    return out


def test_graph_files_match_execution(shared, tmp_path):
    """-G writes transition-graph XML whose synapses are exactly the actions
    executed, each input naming an action of the graph; -D a dot graph."""
    xml = os.path.join(shared, "scheduler-corpus", "xml", "bug-1572-1.xml")
    g, d = tmp_path / "g.xml", tmp_path / "g.dot"
    proc = subprocess.run([HERD, "simulate", "-x", xml, "-S", "-G", str(g), "-D", str(d)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    root = ET.parse(g).getroot()
    assert root.tag == "transition_graph"
    ids = set()
    keys = []
    for syn in root.findall("synapse"):
        act = list(syn.find("action_set"))[0]
        assert act.tag in ("rsc_op", "pseudo_event", "crm_event")
        ids.add(act.get("id"))
        keys.append(act.get("operation_key"))
        if act.tag == "rsc_op":
            assert act.find("primitive") is not None
            assert act.get("on_node")
    for syn in root.findall("synapse"):
        for trig in syn.find("inputs").findall("trigger"):
            assert list(trig)[0].get("id") in ids
    executed = _exec_lines(proc.stdout)
    assert len(executed) == len(keys)
    assert any("notify" in k for k in keys)
    dot = d.read_text()
    assert dot.startswith(" digraph \"g\" {") and dot.rstrip().endswith("}")
    assert "->" in dot


def test_fenced_node_stops_are_pseudo(shared):
    """Resources on a node being fenced are stopped by the fencing: their
    stops are pseudo actions that come after it, and their starts elsewhere
    after those."""
    corpus = os.path.join(shared, "scheduler-corpus")
    proc = subprocess.run([HERD, "simulate", "-x", os.path.join(corpus, "xml", "rec-node-4.xml"),
                           "-S"], capture_output=True, text=True, timeout=120)
    got = _exec_lines(proc.stdout)
    fence = got.index("  * Fencing node1 (reboot)")
    for rsc in ("rsc1", "rsc2"):
        stop = got.index(f"  * Pseudo action:   {rsc}_stop_0")
        start = got.index(f"  * Resource action: {rsc:<15} start on node2")
        assert fence < stop < start
    assert not any("stop on node1" in l for l in got)


def test_executing_section_bad_graph_file(shared, tmp_path):
    xml = os.path.join(shared, "scheduler-corpus", "xml", "594.xml")
    proc = subprocess.run([HERD, "simulate", "-x", xml, "-S", "-G",
                           str(tmp_path / "no" / "such" / "dir" / "g.xml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 73
    assert "cannot write" in proc.stderr


def test_graph_xml_well_formed_for_corpus(shared, tmp_path):
    """Every passing case's -G output is well-formed transition-graph XML
    holding exactly the executed actions (odd parameter names included)."""
    corpus = os.path.join(shared, "scheduler-corpus")
    names = [l.strip() for l in open(PASSING) if l.strip() and not l.startswith("#")]
    g = tmp_path / "g.xml"
    for name in names:
        proc = subprocess.run([HERD_FAST, "simulate", "-x",
                               os.path.join(corpus, "xml", name + ".xml"), "-S", "-G", str(g)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, name
        root = ET.parse(g).getroot()
        assert len(root.findall("synapse")) == len(_exec_lines(proc.stdout)), name


def test_json_transition(shared):
    """--output-as json carries the executed transition: the same actions,
    in the same order, each input naming an action fired before it."""
    import json
    xml = os.path.join(shared, "scheduler-corpus", "xml", "bug-1572-1.xml")
    text = subprocess.run([HERD, "simulate", "-x", xml, "-S"], capture_output=True,
                          text=True, timeout=120).stdout
    proc = subprocess.run([HERD, "simulate", "-x", xml, "-S", "--output-as", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    tr = json.loads(proc.stdout)["simulate"]["transition"]
    lines = _exec_lines(text)
    assert len(tr) == len(lines)
    seen = set()
    for a, line in zip(tr, lines):
        assert all(i in seen for i in a["inputs"])
        seen.add(a["id"])
        if a["kind"] == "pseudo":
            assert line.endswith(a["key"])
        elif a["kind"] == "resource":
            assert a["resource"] in line and a["node"] in line
