"""herd simulate: the four crm_simulate sections, JSON output, scores,
stdin input and option errors (run against the ASan build)."""
import json

from conftest import run_herd

CIB = """<cib validate-with="pacemaker-3.0" have-quorum="true" admin_epoch="0" epoch="1" num_updates="1">
  <configuration>
    <crm_config><cluster_property_set id="o">
      <nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="1" uname="node1"/><node id="2" uname="node2"/></nodes>
    <resources>
      <primitive id="web" class="ocf" provider="pacemaker" type="Dummy"/>
      <primitive id="db" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints>
      <rsc_location id="l1" rsc="db" node="node2" score="100"/>
      <rsc_colocation id="c1" rsc="web" with-rsc="db" score="INFINITY"/>
    </constraints>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
"""


def test_sections_and_decisions(tmp_path):
    p = tmp_path / "cib.xml"
    p.write_text(CIB)
    proc = run_herd("simulate", "-x", str(p), "-S")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for title in ("Current cluster status:", "Transition Summary:",
                  "Executing Cluster Transition:", "Revised Cluster Status:"):
        assert title + "\n" in out
    squeezed = [" ".join(l.split()) for l in out.splitlines()]
    # db goes to node2 (location), web follows it (colocation)
    assert "* Start db ( node2 )" in squeezed
    assert "* Start web ( node2 )" in squeezed
    # the summary follows configuration order, as crm_simulate's does
    assert squeezed.index("* Start web ( node2 )") < squeezed.index("* Start db ( node2 )")


def test_json_output(tmp_path):
    p = tmp_path / "cib.xml"
    p.write_text(CIB)
    proc = run_herd("simulate", "-x", str(p), "--output-as", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)["simulate"]
    starts = {d["resource"]: d["to"] for d in data["decisions"] if d["action"] == "start"}
    assert starts == {"db": "node2", "web": "node2"}
    assert [n["name"] for n in data["nodes"]] == ["node1", "node2"]


def test_scores_and_stdin(tmp_path):
    proc = run_herd("simulate", "-p", "-s", input=CIB)
    assert proc.returncode == 0, proc.stderr
    assert "db allocation score on node2: 100" in proc.stdout
    assert "web allocation score on node1: -INFINITY" in proc.stdout


def test_usage_errors():
    proc = run_herd("simulate")
    assert proc.returncode == 64
    proc = run_herd("simulate", "--no-such-option")
    assert proc.returncode == 64
