"""herd's own CIB schema (data/cib.rng): a CIB that does not match it is
refused by `herd simulate` (DATAERR, file:line and what the schema
expected) and by herdd's write gate (CONFIG, the stored CIB unchanged);
validate-with="none" turns validation off, as in Pacemaker."""
import os

from conftest import run_herd
from test_daemon import EXIT, SAMPLE, daemon, file_bytes  # noqa: F401 (fixture)

DATAERR = 65

GOOD = """<cib validate-with="pacemaker-3.7" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes><node id="1" uname="node1"/></nodes>
    <resources>
      <primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">
        <operations><op id="rsc1-mon" name="monitor" interval="10s"/></operations>
      </primitive>
      <primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints>
      <rsc_order id="o1" first="rsc1" then="rsc2" kind="Mandatory"/>
    </constraints>
  </configuration>
  <status>
    <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>
"""


def write(tmp_path, text):
    p = tmp_path / "cib.xml"
    p.write_text(text)
    return str(p)


def refused(proc, path, line):
    assert proc.returncode == DATAERR, (proc.returncode, proc.stderr)
    assert f"{path}:{line}:" in proc.stderr, proc.stderr
    assert "schema" in proc.stderr, proc.stderr
    assert "AddressSanitizer" not in proc.stderr


def test_good_cib_passes(tmp_path):
    proc = run_herd("simulate", "-x", write(tmp_path, GOOD), "-R")
    assert proc.returncode == 0, proc.stderr


def test_misplaced_element(tmp_path):
    # an <op> belongs inside <operations>, not directly in the primitive
    text = GOOD.replace('type="Dummy">\n', 'type="Dummy">\n        <op id="x" name="start" interval="0"/>\n', 1)
    p = write(tmp_path, text)
    proc = run_herd("simulate", "-x", p, "-R")
    refused(proc, p, 7)
    assert "op" in proc.stderr and 'primitive id="rsc1"' in proc.stderr


def test_element_in_wrong_section(tmp_path):
    # a constraint inside <resources>
    text = GOOD.replace('<primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy"/>',
                        '<rsc_location id="l1" rsc="rsc1" node="node1" score="5"/>')
    p = write(tmp_path, text)
    refused(run_herd("simulate", "-x", p, "-R"), p, 9)


def test_attribute_value_of_wrong_type(tmp_path):
    p = write(tmp_path, GOOD.replace('kind="Mandatory"', 'kind="Sometimes"'))
    proc = run_herd("simulate", "-x", p, "-R")
    refused(proc, p, 12)
    assert 'kind="Sometimes"' in proc.stderr and "rsc_order" in proc.stderr


def test_version_attribute_must_be_a_count(tmp_path):
    p = write(tmp_path, GOOD.replace('epoch="1"', 'epoch="one"'))
    proc = run_herd("simulate", "-x", p, "-R")
    refused(proc, p, 1)
    assert "epoch" in proc.stderr


def test_validate_with_none_skips_the_schema(tmp_path):
    # Pacemaker does not validate such a CIB; herd's own checks still apply
    text = GOOD.replace('pacemaker-3.7', 'none').replace('kind="Mandatory"', 'kind="Sometimes"')
    proc = run_herd("simulate", "-x", write(tmp_path, text), "-R")
    assert "schema" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr


def test_daemon_refuses_schema_invalid_cib(daemon, tmp_path):  # noqa: F811
    daemon.start()
    f = tmp_path / "ok.xml"
    f.write_text(SAMPLE)
    assert daemon.run("cib", "replace", str(f)).returncode == 0
    before = file_bytes(daemon.cib_path)
    bad = SAMPLE.replace('type="Dummy"/>',
                         'type="Dummy"><nvpair id="n" name="a" value="b"/></primitive>')
    f = tmp_path / "bad.xml"
    f.write_text(bad)
    r = daemon.run("cib", "replace", str(f))
    assert r.returncode == EXIT["CONFIG"], r.stderr
    assert "schema" in r.stderr and "nvpair" in r.stderr
    assert file_bytes(daemon.cib_path) == before
    r = daemon.run("cib", "modify", "-X",
                   '<primitive id="d1"><bogus id="b"/></primitive>')
    assert r.returncode != 0
    assert file_bytes(daemon.cib_path) == before


def test_offline_validate_uses_the_schema(tmp_path):
    # `herd cib validate` makes herdd's checks without a daemon: the schema too
    whole = SAMPLE.replace("</cib>", "<status/></cib>")
    bad = whole.replace('type="Dummy"/>',
                         'type="Dummy"><nvpair id="n" name="a" value="b"/></primitive>')
    proc = run_herd("cib", "validate", write(tmp_path, bad))
    assert proc.returncode == EXIT["CONFIG"], proc.stderr
    assert "schema" in proc.stderr and "nvpair" in proc.stderr
    proc = run_herd("cib", "validate", write(tmp_path, whole))
    assert proc.returncode == 0, proc.stderr
