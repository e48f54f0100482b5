#!/usr/bin/env python3
"""herdd converging a node with real agents (ocf:heartbeat:Dummy).

  bench/converge.py --build BUILD

Measures, with the plain build of herdd on a temporary state directory:
  * recovery: a failed monitor result (injected over the socket, as the
    executor would report it) -> the resource started again (its new start
    recorded in the CIB, durably: the change event herdd sends once it is
    written);
  * move: `herd resource move` -> the resource started on its target (with
    one node: a ban then a clear, i.e. stop then start, timed to the start);
  * converging 200 Dummy resources from an empty node (probes, starts,
    monitors) until the scheduler has nothing left to do;
  * herdd's resident memory with 1 and with 1,000 configured resources,
    once converged.
Targets (issue 6, half of Pacemaker 2.1.5 here): recovery <= 27.5 ms,
move <= 55 ms, RSS < 15 MB with 1 resource, < 100 MB with 1,000.
"""
import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
from herdd_helpers import Herdd, cib, dummy, ipc, wait_for  # noqa: E402


def cpu_s(pid):
    """CPU seconds herdd itself used (user + system, its agents not
    included): steadier than wall time on a loaded machine."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Events:
    """A subscriber connection: herdd sends one frame per committed (written)
    change, with its reason.  Waiting on it costs herdd nothing, unlike
    polling the CIB."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        payload = json.dumps({"op": "subscribe"}).encode()
        self.s.sendall(b"HERD" + struct.pack(">HHI", 1, 1, len(payload)) + payload)
        self.buf = b""
        self.next(30)  # the reply

    def next(self, timeout):
        self.s.settimeout(timeout)
        while len(self.buf) < 12 or len(self.buf) < 12 + struct.unpack(">I", self.buf[8:12])[0]:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("herdd closed the connection")
            self.buf += chunk
        n = 12 + struct.unpack(">I", self.buf[8:12])[0]
        frame, self.buf = self.buf[12:n], self.buf[n:]
        return json.loads(frame)

    def wait(self, pred, timeout=30):
        deadline = time.time() + timeout
        while True:
            ev = self.next(max(0.01, deadline - time.time()))
            if "event" in ev and pred(ev):
                return ev

    def close(self):
        self.s.close()


def started_event(rid):
    return lambda ev: ev.get("reason", "").startswith(rid + "_start_0 result rc=0")


def last_start_call(h, rid):
    op = h.ops(rid).get(rid + "_last_0")
    if op and op["operation"] == "start" and op["rc-code"] == "0":
        return int(op["call-id"])
    return None


def converged(h):
    if not h.idle():
        return False
    r = h.run("simulate", "-L")
    return r.returncode == 0 and "Resource action" not in r.stdout


@contextlib.contextmanager
def fresh(herd, stop_timeout=None):
    """A herdd on a new temporary state directory; stopped and removed after."""
    root = tempfile.mkdtemp(prefix="herd-bench-")
    h = Herdd(root, herd)
    h.start()
    try:
        yield h
    finally:
        if stop_timeout is None:
            h.stop()
        else:
            h.stop(timeout=stop_timeout)
        shutil.rmtree(root, ignore_errors=True)


def start_one_dummy(h):
    """Configure Dummy `a` (60 s monitor) and wait until it runs; its state file."""
    st = os.path.join(h.root, "a.state")
    h.replace(cib(dummy("a", st, interval="60s")))
    wait_for(lambda: last_start_call(h, "a") and converged(h), what="started")
    return st


def bench_recovery(herd, rounds=10):
    with fresh(herd) as h:
        start_one_dummy(h)
        times = []
        for i in range(rounds):
            ev = Events(h.sock)
            t0 = time.perf_counter()
            r = ipc(h.sock, {"op": "op_result", "node": "node1", "rsc": "a", "class": "ocf",
                             "provider": "heartbeat", "type": "Dummy", "operation": "monitor",
                             "interval": 60000, "rc": 7, "call_id": 10**7 + 1000 * i})
            assert r.get("rc") == 0, r
            ev.wait(started_event("a"))   # the new start's result, written
            times.append((time.perf_counter() - t0) * 1000)
            ev.close()
            wait_for(lambda: converged(h), what="converged")
        return statistics.median(times)


def bench_move(herd, rounds=10):
    with fresh(herd) as h:
        st = start_one_dummy(h)
        times = []
        for _ in range(rounds):
            # one node: move away (ban) then back (clear); time the way back
            h.run("resource", "ban", "a", check=True)
            wait_for(lambda: not os.path.exists(st) and converged(h), what="stopped")
            ev = Events(h.sock)
            t0 = time.perf_counter()
            h.run("resource", "move", "a", "--node", "node1", check=True)
            h.run("resource", "clear", "a", "--node", "node1", check=False)
            ev.wait(started_event("a"))   # the start's result, written
            times.append((time.perf_counter() - t0) * 1000)
            ev.close()
            h.run("resource", "clear", "a", check=True)
            wait_for(lambda: converged(h), what="converged")
        return statistics.median(times)


def bench_configured(herd, n):
    """RSS with n resources configured, converged while stopped (no agent runs:
    target-role Stopped, no start-up probes)."""
    with fresh(herd, stop_timeout=600) as h:
        rs = "".join(dummy("d%d" % i, os.path.join(h.root, "d%d.state" % i), interval="60s",
                           meta={"target-role": "Stopped"}) for i in range(n))
        h.replace(cib(rs, props={"enable-startup-probes": "false"}))
        time.sleep(1)
        wait_for(lambda: converged(h), timeout=120, step=0.1, what="converged")
        return rss_kb(h.proc.pid)


def bench_converge(herd, n):
    """Seconds from `herd cib replace` of n Dummy resources (probes, starts,
    60 s monitors) on an empty node until all run and the scheduler has
    nothing left to do, and herdd's RSS then.  The polling is kept cheap
    (it shares the machine with herdd): state files first, then the log."""
    with fresh(herd, stop_timeout=600) as h:
        rs = "".join(dummy("d%d" % i, os.path.join(h.root, "d%d.state" % i), interval="60s")
                     for i in range(n))
        t0 = time.perf_counter()
        h.replace(cib(rs))
        left = set(range(n))

        def all_started():
            for i in list(left):
                if os.path.exists(os.path.join(h.root, "d%d.state" % i)):
                    left.discard(i)
            return not left
        wait_for(all_started, timeout=1200, step=0.02, what="all started")
        wait_for(lambda: converged(h), timeout=1200, step=0.02, what="converged")
        elapsed = time.perf_counter() - t0
        return elapsed, rss_kb(h.proc.pid), cpu_s(h.proc.pid)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--quick", action="store_true",
                    help="skip converging 1,000 running resources")
    a = ap.parse_args()
    herd = os.path.abspath(os.path.join(a.build, "herd"))
    print("%-46s %12s %12s  %s" % ("converge", "measured", "target", "ok"), flush=True)
    rows = []

    def row(name, v, t, ok):
        rows.append(ok)
        print("%-46s %12s %12s  %s" % (name, v, t, "yes" if ok else "MISSED"), flush=True)

    rec = bench_recovery(herd)
    row("failed monitor -> running again (median)", "%.1f ms" % rec, "<= 27.5 ms", rec <= 27.5)
    mv = bench_move(herd)
    row("resource move -> started on target (median)", "%.1f ms" % mv, "<= 55 ms", mv <= 55)
    t200, rss200, cpu200 = bench_converge(herd, 200)
    row("converge 200 Dummy from empty", "%.2f s" % t200, "-", True)
    row("  herdd CPU for it", "%.2f s" % cpu200, "-", True)
    row("herdd RSS, 200 resources running", "%.1f MB" % (rss200 / 1024), "-", True)
    if not a.quick:
        # Growth: 5x the resources should cost about 5x (linear); a
        # commit path rewriting the whole CIB per result makes it ~25x.
        # The bounds leave room for a loaded machine.
        t1000, rss1000r, cpu1000 = bench_converge(herd, 1000)
        row("converge 1,000 Dummy from empty", "%.2f s" % t1000, "-", True)
        row("  herdd CPU for it", "%.2f s" % cpu1000, "-", True)
        ratio = t1000 / t200
        row("  1,000 / 200 wall time (linear: 5x)", "%.1fx" % ratio, "<= 10x", ratio <= 10)
        cratio = cpu1000 / max(cpu200, 0.01)
        row("  1,000 / 200 herdd CPU (linear: 5x)", "%.1fx" % cratio, "<= 10x", cratio <= 10)
        row("herdd RSS, 1,000 resources running", "%.1f MB" % (rss1000r / 1024), "< 100 MB",
            rss1000r < 100 * 1024)
    _, rss1, _ = bench_converge(herd, 1)
    row("herdd RSS, 1 resource running", "%.1f MB" % (rss1 / 1024), "< 15 MB", rss1 < 15 * 1024)
    rss1000 = bench_configured(herd, 1000)
    row("herdd RSS, 1,000 configured (stopped)", "%.1f MB" % (rss1000 / 1024), "< 100 MB",
        rss1000 < 100 * 1024)
    rows_ok = all(rows)
    return 0 if rows_ok else 1


if __name__ == "__main__":
    sys.exit(main())
