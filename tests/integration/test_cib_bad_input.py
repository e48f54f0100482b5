"""Bad CIB input: each gets a clear message naming the file and line and
the right exit status, never a crash (run against the ASan build)."""
import os

import pytest

from conftest import run_herd

NOINPUT, DATAERR, CONFIG = 66, 65, 78

GOOD = """<cib validate-with="pacemaker-3.0" have-quorum="true">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>
      <primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints>%s</constraints>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
"""


def write(tmp_path, text, name="cib.xml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def check(proc, code, path, line=None):
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    assert path in proc.stderr
    if line is not None:
        assert f"{path}:{line}:" in proc.stderr, proc.stderr
    assert "AddressSanitizer" not in proc.stderr


def test_good_cib_runs(tmp_path):
    # fencing is on by default and there is no fence device: Pacemaker
    # would start nothing, so turn fencing off
    off = ('<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" '
           'value="false"/></cluster_property_set></crm_config>')
    p = write(tmp_path, GOOD.replace("<crm_config/>", off) % "")
    proc = run_herd("simulate", "-x", p, "-S")
    assert proc.returncode == 0, proc.stderr
    assert "Start      rsc1" in proc.stdout or "Start rsc1" in " ".join(proc.stdout.split())


def test_missing_file(tmp_path):
    p = str(tmp_path / "nope.xml")
    proc = run_herd("simulate", "-x", p)
    check(proc, NOINPUT, p)


def test_not_xml(tmp_path):
    p = write(tmp_path, "this is not xml\n")
    proc = run_herd("simulate", "-x", p)
    check(proc, DATAERR, p, 1)


def test_truncated(tmp_path):
    text = GOOD % ""
    p = write(tmp_path, text[: len(text) // 2])
    proc = run_herd("simulate", "-x", p)
    check(proc, DATAERR, p)
    assert "not valid XML" in proc.stderr


def test_unknown_element(tmp_path):
    p = write(tmp_path, GOOD.replace("<crm_config/>", "<crm_config/>\n    <bogus/>") % "")
    proc = run_herd("simulate", "-x", p)
    check(proc, DATAERR, p, 4)
    assert "bogus" in proc.stderr


def test_dangling_reference(tmp_path):
    p = write(tmp_path, GOOD % '\n<rsc_location id="l1" rsc="ghost" node="node1" score="5"/>')
    proc = run_herd("simulate", "-x", p)
    check(proc, CONFIG, p, 9)
    assert "ghost" in proc.stderr


def test_duplicate_id(tmp_path):
    p = write(tmp_path, GOOD.replace(
        '<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>',
        '<primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>\n'
        '      <primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>') % "")
    proc = run_herd("simulate", "-x", p)
    check(proc, DATAERR, p, 7)
    assert "duplicate id" in proc.stderr


def test_non_numeric_score(tmp_path):
    p = write(tmp_path, GOOD % '\n<rsc_location id="l1" rsc="rsc1" node="node1" score="lots"/>')
    proc = run_herd("simulate", "-x", p)
    check(proc, DATAERR, p, 9)
    assert "lots" in proc.stderr


def test_unparsable_rule(tmp_path):
    p = write(tmp_path, GOOD % (
        '\n<rsc_location id="l1" rsc="rsc1">\n'
        '  <rule id="r1" score="10"><expression id="e1" attribute="a" operation="frob" value="1"/>'
        '</rule>\n</rsc_location>'))
    proc = run_herd("simulate", "-x", p)
    check(proc, CONFIG, p, 10)
    assert "operation" in proc.stderr


def test_empty_file(tmp_path):
    p = write(tmp_path, "")
    proc = run_herd("simulate", "-x", p)
    check(proc, DATAERR, p)
