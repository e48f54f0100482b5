"""herdd keeps one node converged: a real daemon (the binary under test)
with real agents (ocf:heartbeat:Dummy, ocf:pacemaker:Stateful) on a
temporary state directory."""
import os
import random
import re
import shutil
import subprocess
import tempfile
import threading
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
    # the failure stays on show after the recovery (as crm_mon's), and
    # the recovery did not count as another one
    out = node.run("status", check=True).stdout
    assert "Failed Resource Actions:" in out and "a_monitor_1000 on node1" in out, out
    assert node.attrs().get("fail-count-a#monitor_1000") == "1"
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


def in_flight(logtext):
    """Operations herdd had started and not seen finish, per its log."""
    started = re.findall(r"initiating (\S+) on", logtext)
    done = set(re.findall(r"result of (\S+) on", logtext))
    return [op for op in started if op not in done and not op.endswith("_monitor_1000")]


def test_kill9_at_random_moments():
    """kill -9 of herdd at 20 moments drawn uniformly over the whole life of
    a transition (from the acknowledged change until well past the
    convergence it starts, measured on this machine first): while agents
    run, while results are written, in the middle of a CIB write.  A
    writer keeps changing node attributes all along.  After each restart:
    every acknowledged change is there, the node converges to what the
    CIB asks for, and no start ever ran on a running instance or
    alongside another start of it (the Count agent notes both)."""
    root = tempfile.mkdtemp(prefix="herd-conv-")
    h = Herdd(root, HERD)
    log = os.path.join(root, "starts.log")
    rnd = random.Random(int(os.environ.get("HERD_KILL_SEED", "6")))
    # bulk in the configuration, so that a CIB write takes a while
    pad = {"herd-test-padding": "x" * 65536}
    names = ["k%d" % i for i in range(6)]

    def roles(n):
        """A change to the configuration: the first n resources Started,
        the others Stopped (merged, as `herd cib modify` does, so that the
        writer's attributes stay)."""
        return ("<cib><configuration><resources>%s</resources></configuration></cib>" % "".join(
            '<primitive id="%s"><meta_attributes id="%s-meta"><nvpair id="%s-meta-target-role" '
            'name="target-role" value="%s"/></meta_attributes></primitive>'
            % (r, r, r, "Started" if i < n else "Stopped") for i, r in enumerate(names)))

    acked, stop = [], threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            name = "w%d" % i
            try:
                r = h.run("attribute", "set", name, str(i), timeout=120)
            except subprocess.TimeoutExpired:
                continue
            if r.returncode == 0:
                acked.append(name)
                i += 1
            else:
                time.sleep(0.05)   # herdd is down: it comes back soon

    seen = {"agents running": 0, "CIB write cut": 0, "journal record cut": 0}
    try:
        h.start()
        h.replace(cib("".join(dummy(r, state(h, r), agent="ocf:test:Count",
                                    params={"log": log, "delay": "0.3"},
                                    meta={"target-role": "Started"}) for r in names),
                      props=pad))
        wait_for(lambda: all(running(h, r) for r in names) and converged(h), timeout=180,
                 what="first convergence")
        # How long the transitions a change starts live here, now (the
        # machine may be loaded): the kills are drawn over that span.
        lives = []
        for n in (1, len(names), len(names) // 2):
            t0 = time.time()
            h.run("cib", "modify", "--xml-text", roles(n), check=True)
            wait_for(lambda: converged(h) and
                     all(running(h, r) == (i < n) for i, r in enumerate(names)),
                     timeout=180, step=0.02, what="calibration")
            lives.append(time.time() - t0)
        span = 1.2 * max(lives)
        t = threading.Thread(target=writer, daemon=True)
        t.start()
        expected = len(names)
        for rnd_i in range(20):
            expected = rnd.randint(1, len(names))
            before = len(h.logtext())
            # acknowledged when this returns
            h.run("cib", "modify", "--xml-text", roles(expected), check=True)
            time.sleep(rnd.uniform(0, span))
            h.kill9()
            if in_flight(h.logtext()[before:]):
                seen["agents running"] += 1
            before = len(h.logtext())
            if os.path.exists(os.path.join(h.state, ".cib.xml.tmp")):
                seen["CIB write cut"] += 1
            acked_now = list(acked)
            h.start()
            wait_for(lambda: converged(h), timeout=180,
                     what="converged after restart %d" % rnd_i)
            if "cut short by a crash" in h.logtext()[before:]:
                seen["journal record cut"] += 1
            want = set(names[:expected])
            for r in names:
                assert running(h, r) == (r in want), (rnd_i, r, h.logtext()[-6000:])
            live = h.status_xml()
            have = {nv.get("name") for nv in live.iter("nvpair")}
            lost = [a for a in acked_now if a not in have]
            assert not lost, "round %d: acknowledged changes lost: %s" % (rnd_i, lost)
            started = {nv.get("id")[:-len("-meta-target-role")] for nv in live.iter("nvpair")
                       if nv.get("name") == "target-role" and nv.get("value") == "Started"}
            assert started == want, (rnd_i, started)
        stop.set()
        t.join(timeout=180)
        with open(log) as f:
            text = f.read()
        assert "DOUBLE" not in text and "CONCURRENT" not in text, text
        assert len(acked) >= 20
        print("kill -9 over %.2f s: %s; %d attribute writes acknowledged"
              % (span, seen, len(acked)))
    finally:
        stop.set()
        h.kill9()
        if not os.environ.get("HERD_KEEP"):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print("kept", root)


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


def test_standby_and_unmanaged(node):
    """A node in standby stops what runs there; an unmanaged resource is
    left as it is (neither stopped by target-role nor by standby)."""
    node.replace(cib(dummy("a", state(node, "a")) + dummy("b", state(node, "b"))))
    wait_for(lambda: running(node, "a") and running(node, "b") and converged(node),
             what="started")
    node.run("cib", "modify", "--xml-text",
             '<primitive id="b"><meta_attributes id="b-meta">'
             '<nvpair id="b-meta-is-managed" name="is-managed" value="false"/>'
             '<nvpair id="b-meta-target-role" name="target-role" value="Stopped"/>'
             '</meta_attributes></primitive>', check=True)
    wait_for(lambda: converged(node), what="converged (b unmanaged)")
    assert running(node, "b")
    node.run("attribute", "set", "-N", "node1", "standby", "on", check=True)
    wait_for(lambda: not running(node, "a") and converged(node), what="a stopped by standby")
    assert running(node, "b")
    assert "standby" in node.run("status", check=True).stdout
    node.run("attribute", "delete", "-N", "node1", "standby", check=True)
    wait_for(lambda: running(node, "a") and converged(node), what="a back after standby")
    assert running(node, "b")


def test_shutdown_escalation_ends_a_stuck_shutdown():
    """SIGTERM with a stop that hangs: herdd gives up after the
    shutdown-escalation cluster option (here 2 s) and exits, saying so,
    rather than waiting for ever."""
    root = tempfile.mkdtemp(prefix="herd-conv-")
    h = Herdd(root, HERD)
    hang = os.path.join(root, "hang")
    try:
        h.start()
        h.replace(cib(dummy("a", state(h, "a"), agent="ocf:test:Hang", params={"hang": hang}),
                      props={"shutdown-escalation": "2s"}))
        wait_for(lambda: running(h, "a") and converged(h), what="started")
        open(hang, "w").close()
        assert h.stop(timeout=120) == 0
        log = h.logtext()
        assert "shutdown-escalation reached" in log, log[-3000:]
    finally:
        if os.path.exists(hang):
            os.unlink(hang)
        h.kill9()
        shutil.rmtree(root, ignore_errors=True)


def live_agents(ocf):
    """Pids of test agents (ocf:test:*) still alive (zombies left out)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read()
            with open("/proc/%s/stat" % pid) as f:
                st = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if (ocf + "/resource.d/test/").encode() in cmd and st != "Z":
            out.append(int(pid))
    return out


def test_agents_die_with_herdd():
    """kill -9 of herdd while an agent runs (a start that takes 60 s):
    the agent is killed with it (parent-death signal), so that the next
    herdd, which reprobes, never races an operation nobody waits for."""
    root = tempfile.mkdtemp(prefix="herd-conv-")
    h = Herdd(root, HERD)
    log = os.path.join(root, "starts.log")
    try:
        h.start()
        h.replace(cib(dummy("slow", state(h, "slow"), agent="ocf:test:Count",
                            params={"log": log, "delay": "60"})))
        wait_for(lambda: "initiating slow_start_0" in h.logtext(), what="start under way")
        wait_for(lambda: live_agents(h.ocf), what="the agent running")
        h.kill9()
        wait_for(lambda: not live_agents(h.ocf), timeout=30, what="the agent killed")

        assert not running(h, "slow")
    finally:
        h.kill9()
        shutil.rmtree(root, ignore_errors=True)
