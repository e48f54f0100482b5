"""herdd keeps one node converged: a real daemon (the binary under test)
with real agents (ocf:heartbeat:Dummy, ocf:pacemaker:Stateful) on a
temporary state directory."""
import os
import random
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import HERD
from herdd_helpers import Herdd, cib, dummy, wait_for


@pytest.fixture
def node():
    root = tempfile.mkdtemp(prefix="herd-conv-")
    h = Herdd(root, HERD)
    h.start()
    yield h
    try:
        h.stop(timeout=60)
    finally:
        h.kill9()
        shutil.rmtree(root, ignore_errors=True)


def state(h, rid):
    return os.path.join(h.root, rid + ".state")


def running(h, rid):
    return os.path.exists(state(h, rid))


def converged(h):
    """The scheduler has nothing left to do on the live CIB."""
    if not h.idle():
        return False
    r = h.run("simulate", "-L")
    return r.returncode == 0 and "Resource action" not in r.stdout


def test_converges_from_empty(node):
    rs = "".join(dummy(r, state(node, r)) for r in ("a", "b"))
    grp = ('<group id="g">%s%s</group>' % (dummy("g1", state(node, "g1")),
                                           dummy("g2", state(node, "g2"))))
    node.replace(cib(rs + grp))
    wait_for(lambda: all(running(node, r) for r in ("a", "b", "g1", "g2")), what="all started")
    wait_for(lambda: converged(node), what="converged")
    # what crm_simulate reads of herd's live CIB: nothing to do
    if shutil.which("crm_simulate"):
        r = subprocess.run(["crm_simulate", "-x", os.path.join(node.state, "cib.xml"), "-S"],
                           capture_output=True, text=True)
        assert "Resource action" not in r.stdout, r.stdout
        assert "Started node1" in r.stdout
    ops = node.ops("a")
    assert ops["a_last_0"]["operation"] == "start" and ops["a_last_0"]["rc-code"] == "0"
    assert ops["a_monitor_1000"]["interval"] == "1000"
    log = node.logtext()
    assert "initiating a_monitor_0 on node1" in log   # probe first
    assert log.index("initiating g1_start_0") < log.index("initiating g2_start_0")


def test_monitor_failure_recovery_then_ban(node):
    node.replace(cib(dummy("a", state(node, "a"), meta={"migration-threshold": "2"})))
    wait_for(lambda: running(node, "a") and converged(node), what="started")
    os.unlink(state(node, "a"))
    wait_for(lambda: node.attrs().get("fail-count-a#monitor_1000") == "1", what="fail count 1")
    wait_for(lambda: running(node, "a"), what="recovered")
    assert "decision: Recover a on node1" in node.logtext()
    wait_for(lambda: converged(node), what="converged")
    os.unlink(state(node, "a"))
    wait_for(lambda: node.attrs().get("fail-count-a#monitor_1000") == "2", what="fail count 2")
    wait_for(lambda: converged(node), what="converged after the ban")
    assert not running(node, "a")
    assert node.ops("a")["a_last_0"]["operation"] == "stop"


def test_failure_timeout_expires(node):
    node.replace(cib(dummy("a", state(node, "a"),
                           meta={"migration-threshold": "1", "failure-timeout": "2s"})))
    wait_for(lambda: running(node, "a") and converged(node), what="started")
    os.unlink(state(node, "a"))
    wait_for(lambda: node.ops("a").get("a_last_0", {}).get("operation") == "stop",
             what="stopped after the failure")
    assert not running(node, "a")
    t0 = time.time()
    wait_for(lambda: running(node, "a"), timeout=20, what="started again after expiry")
    assert time.time() - t0 >= 0.5
    assert "fail-count-a#monitor_1000" not in node.attrs()
    assert "expired (failure-timeout)" in node.logtext()


def test_start_stop_via_target_role(node):
    node.replace(cib(dummy("a", state(node, "a"))))
    wait_for(lambda: running(node, "a") and converged(node), what="started")
    node.run("resource", "stop", "a", check=True)
    wait_for(lambda: not running(node, "a") and converged(node), what="stopped")
    node.run("resource", "start", "a", check=True)
    wait_for(lambda: running(node, "a") and converged(node), what="started again")


def test_ban_clear_cleanup(node):
    node.replace(cib(dummy("a", state(node, "a"))))
    wait_for(lambda: running(node, "a") and converged(node), what="started")
    node.run("resource", "ban", "a", check=True)
    wait_for(lambda: not running(node, "a") and converged(node), what="banned")
    q = node.run("cib", "query", "--section", "constraints", check=True).stdout
    assert "cli-ban-a-on-node1" in q
    node.run("resource", "clear", "a", check=True)
    wait_for(lambda: running(node, "a") and converged(node), what="cleared")
    assert "cli-ban-a" not in node.run("cib", "query", "--section", "constraints").stdout
    # a failure, then cleanup forgets it and reprobes
    os.unlink(state(node, "a"))
    wait_for(lambda: node.attrs().get("fail-count-a#monitor_1000") == "1", what="failure")
    wait_for(lambda: running(node, "a") and converged(node), what="recovered")
    r = node.run("resource", "failcount", "show", "a", check=True)
    assert "1" in r.stdout
    node.run("resource", "cleanup", "a", check=True)
    wait_for(lambda: "fail-count-a#monitor_1000" not in node.attrs(), what="fail count gone")
    wait_for(lambda: converged(node), what="reprobed")
    assert running(node, "a")


def test_move_with_lifetime(node):
    node.replace(cib(dummy("a", state(node, "a"))))
    wait_for(lambda: running(node, "a") and converged(node), what="started")
    node.run("resource", "move", "a", "--node", "node1", "--lifetime", "1h", check=True)
    q = node.run("cib", "query", "--section", "constraints", check=True).stdout
    assert "cli-prefer-a" in q and "date_expression" in q
    node.run("resource", "clear", "a", check=True)
    assert "cli-prefer-a" not in node.run("cib", "query", "--section", "constraints").stdout


def test_promotable_stateful_promoted(node):
    prim = ('<primitive id="st" class="ocf" provider="pacemaker" type="Stateful">'
            '<operations><op id="st-m1" name="monitor" interval="1s" role="Promoted" timeout="10s"/>'
            '<op id="st-m2" name="monitor" interval="2s" role="Unpromoted" timeout="10s"/>'
            '</operations></primitive>')
    clone = ('<clone id="st-clone"><meta_attributes id="stc-meta">'
             '<nvpair id="stc-p" name="promotable" value="true"/>'
             '<nvpair id="stc-m" name="clone-max" value="1"/></meta_attributes>%s</clone>' % prim)
    node.replace(cib(clone))
    wait_for(lambda: any(k.startswith("master-st") for k in node.attrs()), timeout=30,
             what="promotion score from crm_attribute")
    def promoted():
        for rid in ("st", "st:0"):
            o = node.ops(rid).get(rid + "_last_0")
            if o and o["operation"] == "promote" and o["rc-code"] == "0":
                return True
        return False
    wait_for(promoted, timeout=30, what="promoted")
    wait_for(lambda: converged(node), what="converged")


def test_hanging_stop_times_out(node):
    hang = os.path.join(node.root, "hang")
    node.replace(cib(dummy("h", state(node, "h"), agent="ocf:test:Hang",
                           params={"hang": hang})))
    wait_for(lambda: running(node, "h") and converged(node), what="started")
    open(hang, "w").close()
    t0 = time.time()
    node.run("resource", "stop", "h", check=True)
    # herdd keeps answering while the stop hangs
    time.sleep(0.5)
    t1 = time.time()
    node.run("cib", "query", "--section", "nodes", check=True)
    assert time.time() - t1 < 2
    wait_for(lambda: node.ops("h").get("h_last_failure_0", {}).get("op-status") == "2",
             timeout=20, what="stop timed out")
    assert time.time() - t0 < 15
    os.unlink(hang)


def test_sigterm_stops_resources_and_maintenance_keeps_them():
    root = tempfile.mkdtemp(prefix="herd-conv-")
    h = Herdd(root, HERD)
    try:
        h.start()
        h.replace(cib(dummy("a", state(h, "a"))))
        wait_for(lambda: running(h, "a") and converged(h), what="started")
        assert h.stop() == 0
        assert not running(h, "a")
        h.start()
        wait_for(lambda: running(h, "a") and converged(h), what="started again")
        h.run("cib", "modify", "--xml-text",
              '<cluster_property_set id="cib-bootstrap-options">'
              '<nvpair id="opt-mm" name="maintenance-mode" value="true"/>'
              '</cluster_property_set>', check=True)
        wait_for(lambda: converged(h), what="maintenance")
        assert h.stop() == 0
        assert running(h, "a")
    finally:
        h.kill9()
        shutil.rmtree(root, ignore_errors=True)


def test_kill9_during_transitions():
    root = tempfile.mkdtemp(prefix="herd-conv-")
    h = Herdd(root, HERD)
    log = os.path.join(root, "starts.log")
    rnd = random.Random(6)
    try:
        h.start()
        names = ["k%d" % i for i in range(8)]
        def conf(n, epoch):
            return cib("".join(dummy(r, state(h, r), agent="ocf:test:Count",
                                     params={"log": log}) for r in names[:n]), epoch=epoch)
        expected = 2
        h.replace(conf(expected, 10))
        for rnd_i in range(20):
            # a committed change, then kill -9 at a random moment
            expected = min(len(names), expected + 1) if rnd_i % 2 == 0 else max(1, expected - 1)
            h.replace(conf(expected, 11 + rnd_i))
            time.sleep(rnd.uniform(0, 0.25))
            h.kill9()
            h.start()
            wait_for(lambda: converged(h), timeout=60, what="converged after restart %d" % rnd_i)
            want = set(names[:expected])
            for r in names:
                assert running(h, r) == (r in want), (rnd_i, r, h.logtext()[-6000:].splitlines())
        with open(log) as f:
            text = f.read()
        assert "DOUBLE" not in text, text
    finally:
        h.kill9()
        shutil.rmtree(root, ignore_errors=True)


def test_status_output_formats_and_watch(node):
    import json
    node.replace(cib(dummy("a", state(node, "a"))))
    wait_for(lambda: running(node, "a") and converged(node), what="started")
    r = node.run("status", "--output-as", "json", check=True)
    data = json.loads(r.stdout)
    body = data.get("status") if isinstance(data.get("status"), dict) and "resources" in data["status"] else data
    text = json.dumps(data)
    assert '"a"' in text and "Started" in text and "node1" in text
    r = node.run("status", "--output-as", "xml", check=True)
    assert r.stdout.lstrip().startswith("<") and "node1" in r.stdout
    r = node.run("status", check=True)
    assert "Online: [ node1 ]" in r.stdout and "Started node1" in r.stdout
    # --watch shows the status again after a change
    import subprocess
    p = subprocess.Popen([node.herd, "status", "--watch", "-n", "2"], stdout=subprocess.PIPE,
                         text=True, env=node.env())
    time.sleep(0.5)
    node.run("resource", "stop", "a", check=True)
    out, _ = p.communicate(timeout=30)
    assert p.returncode == 0
    assert out.count("Cluster status:") == 2


def test_simulate_live_and_resource_list(node):
    node.replace(cib(dummy("a", state(node, "a"))))
    wait_for(lambda: running(node, "a") and converged(node), what="started")
    node.run("resource", "stop", "a", check=True)
    # the stop may already be running: -L shows the plan, never executes it
    r = node.run("simulate", "-L", check=True)
    assert "Current cluster status:" in r.stdout
    wait_for(lambda: not running(node, "a") and converged(node), what="stopped")
    r = node.run("resource", "list", check=True)
    assert "a\t(ocf:heartbeat:Dummy):" in r.stdout and "Stopped" in r.stdout
    assert node.run("resource", "start", "nosuch").returncode == 105
