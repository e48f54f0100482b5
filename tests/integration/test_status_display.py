"""The cluster status display (src/cli/display.c): crm_simulate's
"Current cluster status:" section, byte for byte.

Every corpus case listed in tests/scheduler/status-passing.txt (written by
scripts/status-match.py --passing-out) must keep matching; small CIBs
written here are compared with Debian's crm_simulate when it is installed;
the structured output must carry the same content."""
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import HERD, HERD_FAST, TOP, run_herd

MEASURE = os.path.join(TOP, "scripts", "status-match.py")


def test_status_corpus_no_regression(shared):
    listed = os.path.join(TOP, "tests", "scheduler", "status-passing.txt")
    proc = subprocess.run([sys.executable, MEASURE, "--sim", f"{HERD_FAST} simulate",
                           "--corpus", os.path.join(shared, "scheduler-corpus"),
                           "--require", listed],
                          capture_output=True, text=True, timeout=900)
    print(proc.stdout[-3000:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


CIB = """<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0"
 have-quorum="1" dc-uuid="1">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
    </cluster_property_set></crm_config>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2">
        <instance_attributes id="n2"><nvpair id="n2s" name="standby" value="on"/></instance_attributes>
      </node>
      <node id="3" uname="node3"/>
    </nodes>
    <resources>
      <primitive id="A" class="ocf" provider="pacemaker" type="Dummy"/>
      <primitive id="B" class="ocf" provider="pacemaker" type="Dummy">
        <meta_attributes id="Bm"><nvpair id="Bt" name="target-role" value="Stopped"/></meta_attributes>
      </primitive>
      <group id="G">
        <meta_attributes id="Gm"><nvpair id="Gu" name="is-managed" value="false"/></meta_attributes>
        <primitive id="G1" class="ocf" provider="pacemaker" type="Dummy"/>
      </group>
      <clone id="C">
        <primitive id="C1" class="ocf" provider="pacemaker" type="Dummy"/>
      </clone>
      <clone id="P">
        <meta_attributes id="Pm"><nvpair id="Pp" name="promotable" value="true"/></meta_attributes>
        <primitive id="P1" class="ocf" provider="pacemaker" type="Stateful"/>
      </clone>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="1"><lrm_resources>
        <lrm_resource id="A" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="A_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"
           transition-key="1:1:0:x" on_node="node1"/>
        </lrm_resource>
        <lrm_resource id="C1" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="C1_last_0" operation="start" call-id="4" rc-code="0" op-status="0" interval="0"
           transition-key="2:1:0:x" on_node="node1"/>
        </lrm_resource>
        <lrm_resource id="P1" class="ocf" provider="pacemaker" type="Stateful">
          <lrm_rsc_op id="P1_last_0" operation="promote" call-id="5" rc-code="0" op-status="0" interval="0"
           transition-key="3:1:0:x" on_node="node1"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="2"><lrm_resources>
        <lrm_resource id="G1" class="ocf" provider="pacemaker" type="Dummy">
          <lrm_rsc_op id="G1_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"
           transition-key="4:1:0:x" on_node="node2"/>
        </lrm_resource>
      </lrm_resources></lrm>
    </node_state>
    <node_state id="3" uname="node3" in_ccm="false" crmd="offline" join="down" expected="down"/>
  </status>
</cib>
"""


def current_section(text):
    lines = text.splitlines()
    start = lines.index("Current cluster status:") + 1
    end = lines.index("Transition Summary:")
    return "\n".join(lines[start:end]).rstrip("\n")


@pytest.fixture
def cib_file(tmp_path):
    path = tmp_path / "cib.xml"
    path.write_text(CIB)
    return str(path)


def test_status_text(cib_file):
    proc = run_herd("simulate", "-x", cib_file, "-S")
    assert proc.returncode == 0, proc.stderr
    got = current_section(proc.stdout)
    assert "    * Node node2: standby (with active resources)\n" in got
    assert "    * Online: [ node1 ]\n" in got
    assert "    * OFFLINE: [ node3 ]\n" in got
    assert "    * A\t(ocf:pacemaker:Dummy):\t Started node1\n" in got
    assert "    * B\t(ocf:pacemaker:Dummy):\t Stopped (disabled)\n" in got
    assert "    * Resource Group: G (unmanaged):\n" in got
    assert "      * G1\t(ocf:pacemaker:Dummy):\t Started node2 (unmanaged)\n" in got
    assert "    * Clone Set: C [C1]:\n      * Started: [ node1 ]\n" in got
    assert "    * Clone Set: P [P1] (promotable):\n      * Promoted: [ node1 ]\n" in got


@pytest.mark.skipif(shutil.which("crm_simulate") is None, reason="crm_simulate not installed")
def test_status_matches_crm_simulate(cib_file):
    ours = run_herd("simulate", "-x", cib_file, "-S")
    theirs = subprocess.run(["crm_simulate", "-x", cib_file, "-S"], capture_output=True,
                            text=True, timeout=120)
    assert current_section(ours.stdout) == current_section(theirs.stdout)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_status_structured(cib_file, fmt):
    proc = run_herd("simulate", "-x", cib_file, "-S", "--output-as", fmt)
    assert proc.returncode == 0, proc.stderr
    if fmt == "json":
        data = json.loads(proc.stdout)["simulate"]
        cur = data["current-status"]
        nodes = {n["name"]: n for n in cur["nodes"]}
        assert nodes["node2"]["standby"] and nodes["node2"]["active_resources"] == 1
        assert not nodes["node3"]["online"]
        rscs = {r["id"]: r for r in cur["resources"]}
        assert rscs["A"]["role"] == "Started" and rscs["A"]["nodes"] == ["node1"]
        assert rscs["B"]["disabled"] and not rscs["B"]["active"]
        assert rscs["G"]["members"][0]["managed"] is False
        assert rscs["P"]["promotable"]
        assert any(i["role"] == "Promoted" for i in rscs["P"]["instances"])
        assert "revised-status" in data and isinstance(data["decisions"], list)
    else:
        root = ET.fromstring(proc.stdout)
        assert root.tag == "herd-result"
        res = root.find("current-status/resources")
        ids = [r.get("id") for r in res]
        assert ids[:2] == ["A", "B"]
        assert root.find("status").get("code") == "0"


def test_status_maintenance_banner(tmp_path):
    path = tmp_path / "maint.xml"
    path.write_text(CIB.replace(
        '<nvpair id="o1" name="stonith-enabled" value="false"/>',
        '<nvpair id="o1" name="stonith-enabled" value="false"/>'
        '<nvpair id="o2" name="maintenance-mode" value="true"/>'))
    proc = run_herd("simulate", "-x", str(path), "-S")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(
        "\n              *** Resource management is DISABLED ***\n"
        "  The cluster will not attempt to start, stop or recover services\n\n"
        "1 of 9 resource instances DISABLED and 0 BLOCKED from further action due to failure\n\n"
        "Current cluster status:\n")
    got = current_section(proc.stdout)
    assert "    * A\t(ocf:pacemaker:Dummy):\t Started node1 (unmanaged)\n" in got
    assert "    * Clone Set: C [C1] (unmanaged):\n" in got
    if shutil.which("crm_simulate"):
        theirs = subprocess.run(["crm_simulate", "-x", str(path), "-S"], capture_output=True,
                                text=True, timeout=120).stdout
        assert theirs.split("Current cluster status:")[0] == proc.stdout.split("Current cluster status:")[0]
        assert current_section(theirs) == got
