#!/usr/bin/env python3
"""herdd's footprint and the cost of a committed CIB write.

  bench/herdd.py --build BUILD

Starts herdd (the plain build) on a temporary state directory with a CIB
of 1 and of 1,000 ocf:heartbeat:Dummy primitives (each with a monitor op),
and reports its resident memory once it has answered a query, then the
latency of `herd attribute set` round trips (each one validated, written
with fsync + rename + directory fsync before the reply).
Targets (issue 6): resident memory under 15 MB with 1 resource, under
100 MB with 1,000.  The scheduler and executor are not in herdd yet, so
these figures are the daemon's base; remeasure when they are.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def cib(n):
    prims = "".join(
        f'<primitive id="d{i}" class="ocf" provider="heartbeat" type="Dummy">'
        f'<operations><op id="d{i}-mon" name="monitor" interval="10s"/></operations>'
        f'</primitive>' for i in range(n))
    return ('<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/>'
            f'<nodes/><resources>{prims}</resources><constraints/></configuration>'
            '<status/></cib>')


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def run(build, n, writes):
    root = tempfile.mkdtemp(prefix="herdd-bench-")
    try:
        state = os.path.join(root, "state")
        os.makedirs(state)
        with open(os.path.join(state, "cib.xml"), "w") as f:
            f.write(cib(n))
        sock = os.path.join(root, "s.sock")
        notify = os.path.join(root, "n.sock")
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ns.bind(notify)
        ns.settimeout(60)
        env = dict(os.environ, HERD_SOCKET=sock, NOTIFY_SOCKET=notify)
        p = subprocess.Popen([os.path.join(build, "herdd"), "--state-dir", state, "--socket",
                              sock], env=env, stderr=subprocess.DEVNULL)
        ns.recv(100)
        herd = os.path.join(build, "herd")
        subprocess.run([herd, "cib", "query"], env=env, stdout=subprocess.DEVNULL, check=True)
        rss = rss_kb(p.pid)
        lat = []
        for i in range(writes):
            t = time.perf_counter()
            subprocess.run([herd, "attribute", "set", f"a{i % 10}", str(i)], env=env, check=True)
            lat.append((time.perf_counter() - t) * 1000)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        return rss, statistics.median(lat), max(lat)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    a = ap.parse_args()
    rows, ok = [], True
    for n, target_mb in ((1, 15), (1000, 100)):
        rss, med, mx = run(a.build, n, 30)
        met = rss / 1024 < target_mb
        ok &= met
        rows.append((n, rss / 1024, target_mb, med, mx, met))
    print(f"{'resources':>9}  {'RSS MB':>7}  {'target':>7}  {'write p50 ms':>12}  "
          f"{'write max ms':>12}  result")
    for n, mb, t, med, mx, met in rows:
        print(f"{n:>9}  {mb:7.1f}  {'<' + str(t):>7}  {med:12.1f}  {mx:12.1f}  "
              f"{'met' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
