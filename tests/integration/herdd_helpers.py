"""A real herdd with real agents on a temporary state directory, for the
convergence tests (test_converge.py) and the benchmark."""
import json
import os
import signal
import socket
import struct
import subprocess
import time
import xml.etree.ElementTree as ET

OCF_ROOT = "/usr/lib/ocf"

HANG_AGENT = r"""#!/bin/sh
# Test agent: Dummy whose stop hangs when the file $OCF_RESKEY_hang exists.
: ${OCF_FUNCTIONS_DIR=${OCF_ROOT}/lib/heartbeat}
case "$1" in
stop)
    if [ -n "$OCF_RESKEY_hang" ] && [ -e "$OCF_RESKEY_hang" ]; then
        sleep 3600
    fi ;;
esac
exec "$OCF_ROOT/resource.d/heartbeat/Dummy" "$@"
"""

COUNT_AGENT = r"""#!/bin/sh
# Test agent: Dummy that notes every start in $OCF_RESKEY_log, a start of a
# running instance (state file present) as DOUBLE, and a start while an
# earlier start of the same instance is still alive as CONCURRENT.  With
# $OCF_RESKEY_delay, start and stop first sleep that long (agents in
# flight for a while).
case "$1" in
start)
    if [ -e "$OCF_RESKEY_state" ]; then
        echo "DOUBLE $OCF_RESOURCE_INSTANCE" >> "$OCF_RESKEY_log"
    fi
    m="$OCF_RESKEY_state.starting"
    p=$(cat "$m" 2>/dev/null)
    # alive, and not a zombie (killed, waiting to be reaped)
    if [ -n "$p" ] && [ -r "/proc/$p/stat" ] &&
       [ "$(sed 's/.*) //' "/proc/$p/stat" | cut -d' ' -f1)" != Z ]; then
        echo "CONCURRENT $OCF_RESOURCE_INSTANCE (pid $p)" >> "$OCF_RESKEY_log"
    fi
    echo $$ > "$m"
    echo "start $OCF_RESOURCE_INSTANCE" >> "$OCF_RESKEY_log"
    [ -n "$OCF_RESKEY_delay" ] && sleep "$OCF_RESKEY_delay" ;;
stop)
    [ -n "$OCF_RESKEY_delay" ] && sleep "$OCF_RESKEY_delay" ;;
esac
exec "$OCF_ROOT/resource.d/heartbeat/Dummy" "$@"
"""


def ipc(sock_path, obj, timeout=60):
    """One request to herdd over its socket (the framed protocol), without
    starting a process: the reply object."""
    payload = json.dumps(obj).encode()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        s.sendall(b"HERD" + struct.pack(">HHI", 1, 1, len(payload)) + payload)
        buf = b""
        while len(buf) < 12 or len(buf) < 12 + struct.unpack(">I", buf[8:12])[0]:
            chunk = s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("herdd closed the connection")
            buf += chunk
    finally:
        s.close()
    return json.loads(buf[12:12 + struct.unpack(">I", buf[8:12])[0]])


def make_ocf_root(root):
    """An OCF root with the system's agents and the test agents (ocf:test:*)."""
    ocf = os.path.join(root, "ocf")
    os.makedirs(os.path.join(ocf, "resource.d", "test"), exist_ok=True)
    os.symlink(os.path.join(OCF_ROOT, "lib"), os.path.join(ocf, "lib"))
    for prov in os.listdir(os.path.join(OCF_ROOT, "resource.d")):
        os.symlink(os.path.join(OCF_ROOT, "resource.d", prov),
                   os.path.join(ocf, "resource.d", prov))
    for name, text in (("Hang", HANG_AGENT), ("Count", COUNT_AGENT)):
        p = os.path.join(ocf, "resource.d", "test", name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o755)
    return ocf


def dummy(rid, state, interval="1s", meta=None, agent="ocf:heartbeat:Dummy", params=None):
    """A primitive's XML."""
    klass, prov, typ = agent.split(":")
    m = ""
    if meta:
        m = '<meta_attributes id="%s-meta">%s</meta_attributes>' % (rid, "".join(
            '<nvpair id="%s-meta-%s" name="%s" value="%s"/>' % (rid, k, k, v)
            for k, v in meta.items()))
    ps = {"state": state}
    ps.update(params or {})
    p = "".join('<nvpair id="%s-p-%s" name="%s" value="%s"/>' % (rid, k, k, v)
                for k, v in ps.items())
    return ('<primitive id="%s" class="%s" provider="%s" type="%s">'
            '<instance_attributes id="%s-ia">%s</instance_attributes>%s'
            '<operations><op id="%s-mon" name="monitor" interval="%s" timeout="10s"/>'
            '<op id="%s-stop" name="stop" interval="0" timeout="3s"/></operations>'
            '</primitive>' % (rid, klass, prov, typ, rid, p, m, rid, interval, rid))


def cib(resources, constraints="", props=None, epoch=10):
    ps = {"stonith-enabled": "false"}
    ps.update(props or {})
    nv = "".join('<nvpair id="opt-%s" name="%s" value="%s"/>' % (k, k, v)
                 for k, v in ps.items())
    return ('<cib admin_epoch="0" epoch="%d" num_updates="0"><configuration><crm_config>'
            '<cluster_property_set id="cib-bootstrap-options">%s</cluster_property_set>'
            '</crm_config><nodes/><resources>%s</resources><constraints>%s</constraints>'
            '</configuration></cib>' % (epoch, nv, resources, constraints))


class Herdd:
    """One herdd on its own state directory, socket and OCF root."""

    def __init__(self, root, herd, herdd=None):
        self.root = root
        self.herd = herd
        self.herdd = herdd or os.path.join(os.path.dirname(herd), "herdd")
        self.state = os.path.join(root, "state")
        self.sock = os.path.join(root, "herdd.sock")
        self.log = os.path.join(root, "herdd.log")
        self.tmp = os.path.join(root, "rsctmp")
        self.ocf = os.path.join(root, "ocf")
        if not os.path.isdir(self.ocf):
            make_ocf_root(root)
        self.proc = None

    def env(self):
        env = dict(os.environ)
        env["HERD_SOCKET"] = self.sock
        env["OCF_ROOT"] = self.ocf
        return env

    def start(self):
        logf = open(self.log, "a")
        self.proc = subprocess.Popen(
            [self.herdd, "--state-dir", self.state, "--socket", self.sock, "--node-name",
             "node1", "--rsc-tmp-dir", self.tmp, "--ocf-root", self.ocf, "-V"],
            stdout=logf, stderr=logf, env=self.env())
        logf.close()
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("herdd exited: %s" % self.logtext())
            if os.path.exists(self.sock) and self.run("cib", "query", "--section",
                                                      "nodes").returncode == 0:
                return
            time.sleep(0.05)
        raise AssertionError("herdd did not come up")

    def run(self, *args, check=False, timeout=60):
        r = subprocess.run([self.herd, *args], capture_output=True, text=True,
                           env=self.env(), timeout=timeout)
        if check:
            assert r.returncode == 0, "herd %s: %s%s" % (args, r.stdout, r.stderr)
        return r

    def replace(self, text):
        p = os.path.join(self.root, "new.xml")
        with open(p, "w") as f:
            f.write(text)
        return self.run("cib", "replace", p, check=True)

    def stop(self, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout)
            self.proc = None
            return rc
        return None

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def logtext(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def status_xml(self):
        """The live CIB, as herdd serves it (what it has written: staged
        results are flushed before a request is answered).  While a
        transition runs, cib.xml itself may lag behind by the records of
        cib.journal; it is whole again once herdd is idle."""
        r = ipc(self.sock, {"op": "cib_query"})
        assert r.get("rc") == 0, r
        return ET.fromstring(r["xml"])

    def file_xml(self):
        """cib.xml as it is on disk."""
        with open(os.path.join(self.state, "cib.xml")) as f:
            text = f.read()
        return ET.fromstring(text)

    def ops(self, rsc):
        """lrm_rsc_op elements of `rsc` on node1, by id."""
        root = self.status_xml()
        out = {}
        for lr in root.iter("lrm_resource"):
            if lr.get("id") == rsc:
                for op in lr.iter("lrm_rsc_op"):
                    out[op.get("id")] = op.attrib
        return out

    def attrs(self):
        root = self.status_xml()
        out = {}
        for ta in root.iter("transient_attributes"):
            for nv in ta.iter("nvpair"):
                out[nv.get("name")] = nv.get("value")
        return out

    def idle(self):
        """True when the last transition completed and nothing is pending."""
        lines = [l for l in self.logtext().splitlines() if "transition" in l or
                 "nothing to do" in l]
        return bool(lines) and "nothing to do" in lines[-1]


def wait_for(pred, timeout=30, what="condition", step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for %s" % what)
