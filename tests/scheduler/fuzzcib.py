#!/usr/bin/env python3
"""Random, valid Pacemaker-format CIBs for differential testing of herd's
scheduler against Debian's crm_simulate (the oracle).

  fuzzcib.py --seed N [-o FILE]

Unlike ../shared/tools/gen-cib (large, regular shapes for benchmarks), each
seed here gives a small cluster (2-6 nodes) that mixes many features:
node states (standby, offline, unclean, maintenance, attributes),
primitives, groups, clones (anonymous, unique, interleave, clone-max,
clone-node-max), promotable clones of Stateful with promotion scores,
location constraints (scores, rules on node attributes, #uname and dates),
colocation (scores, -INFINITY, roles), order constraints (kinds,
symmetrical=false), resource sets, stickiness, migration-threshold with
failure history (failed monitors, starts and stops, fail counts),
target-role, is-managed=false, maintenance, no-quorum-policy, fencing
with a fence device, utilization with placement-strategy, and
allow-migrate.  The status section is what Pacemaker itself would have
recorded: probes, starts, promotions, recurring monitors and failures.

The same seed always gives the same file (the cluster's "now" is pinned by
execution-date, so date rules and failure timeouts are deterministic).
"""
import argparse
import random
import sys
from xml.sax.saxutils import quoteattr as q

DIGEST = "f2317cad3d54cec5d7d7aa7d0bf35cf8"         # no parameters
DIGEST_RECURRING = "4811cef7f7f94e3a35a70be7916cb2fd"   # CRM_meta_timeout="20000" (the default)
NOW = 1700000000          # execution-date
UUID = "00000000-0000-0000-0000-000000000000"
SCORES = ["INFINITY", "-INFINITY", "100", "-100", "50", "200", "0", "1000", "-1000", "10"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.ids = {}
        self.call = 10
        self.out = []

    # ---- helpers -------------------------------------------------------------
    def uid(self, base):
        n = self.ids.get(base, 0)
        self.ids[base] = n + 1
        return base if n == 0 else f"{base}-{n}"

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def nv(self, owner, name, value):
        return f'<nvpair id={q(self.uid(owner + "-" + name))} name={q(name)} value={q(str(value))}/>'

    def meta(self, owner, pairs):
        if not pairs:
            return ""
        return (f'<meta_attributes id={q(self.uid(owner + "-meta"))}>'
                + "".join(self.nv(owner, k, v) for k, v in pairs) + "</meta_attributes>")

    def util(self, owner, pairs):
        if not pairs:
            return ""
        return (f'<utilization id={q(self.uid(owner + "-util"))}>'
                + "".join(self.nv(owner + "-u", k, v) for k, v in pairs) + "</utilization>")

    # ---- the model -------------------------------------------------------------
    def build(self):
        r = self.r
        nn = r.randint(2, 6)
        self.nodes = []
        for i in range(nn):
            st = "online"
            x = r.random()
            if x < 0.10:
                st = "standby"
            elif x < 0.17:
                st = "offline"
            elif x < 0.22:
                st = "unclean"
            elif x < 0.26:
                st = "maintenance"
            attrs = []
            if self.chance(0.6):
                attrs.append(("site", self.pick(["a", "b"])))
            if self.chance(0.3):
                attrs.append(("ram", self.pick([1, 2, 4, 8, 16])))
            self.nodes.append(dict(name=f"node{i + 1}", id=str(i + 1), state=st, attrs=attrs,
                                   util=[]))
        if all(n["state"] in ("offline", "unclean") for n in self.nodes):
            self.nodes[0]["state"] = "online"
        self.online = [n["name"] for n in self.nodes if n["state"] in ("online", "standby",
                                                                          "maintenance")]
        self.stonith = self.chance(0.35)
        self.quorum = self.chance(0.85)
        self.nqp = self.pick(["stop", "ignore", "freeze", "stop", "ignore"])
        if not self.stonith and self.nqp == "suicide":
            self.nqp = "stop"
        self.strategy = self.pick(["default"] * 4 + ["utilization", "balanced", "minimal"])
        self.stickiness = self.pick([0, 0, 100, 100, 50, "INFINITY", None])
        self.def_mt = self.pick([None, None, 1, 2, 3])
        self.symmetric = self.chance(0.85)
        self.cluster_maint = self.chance(0.03)
        self.stop_orphans = True
        if self.strategy != "default":
            for n in self.nodes:
                n["util"] = [("cpu", self.pick([1, 2, 4, 8]))]
                if self.chance(0.5):
                    n["util"].append(("mem", self.pick([2, 4, 8])))

        # resources: each "prim" is a primitive definition; tops are top-level ids
        self.prims = {}     # id -> dict(agent, meta, parent, util)
        self.tops = []      # (kind, id, extra)
        self.colocatable = []   # ids usable in constraints (top-level)
        nres = r.randint(2, 8)
        pi = 0
        for _ in range(nres):
            k = r.random()
            if k < 0.45:
                pi += 1
                pid = f"rsc{pi}"
                self.prims[pid] = self.prim_def(pid, None)
                self.tops.append(("primitive", pid, {}))
            elif k < 0.62:
                gid = f"grp{len(self.tops) + 1}"
                members = []
                for _ in range(r.randint(2, 3)):
                    pi += 1
                    pid = f"rsc{pi}"
                    self.prims[pid] = self.prim_def(pid, gid)
                    members.append(pid)
                self.tops.append(("group", gid, dict(members=members, meta=self.top_meta(gid))))
            elif k < 0.84:
                cid = f"clone{len(self.tops) + 1}"
                pi += 1
                pid = f"rsc{pi}"
                if self.chance(0.3):
                    # a clone of a group
                    gid = f"cgrp{pi}"
                    members = []
                    for j in range(2):
                        mid = f"rsc{pi}{'ab'[j]}"
                        self.prims[mid] = self.prim_def(mid, cid, clone=True)
                        members.append(mid)
                    inner = ("group", gid, members)
                else:
                    self.prims[pid] = self.prim_def(pid, cid, clone=True)
                    inner = ("primitive", pid, None)
                cm = self.clone_meta(False)
                self.tops.append(("clone", cid, dict(inner=inner, meta=cm)))
            else:
                cid = f"ms{len(self.tops) + 1}"
                pi += 1
                pid = f"rsc{pi}"
                self.prims[pid] = self.prim_def(pid, cid, clone=True, stateful=True)
                cm = self.clone_meta(True)
                self.tops.append(("clone", cid, dict(inner=("primitive", pid, None), meta=cm,
                                                     promotable=True)))
        if self.stonith:
            self.prims["fence1"] = dict(agent="stonith", meta=[], parent=None, util=[],
                                        stateful=False, migrate=False)
            self.tops.insert(0, ("primitive", "fence1", {}))

    def prim_def(self, pid, parent, clone=False, stateful=False):
        m = []
        if parent is None or (not clone and self.chance(0.3)):
            m = self.top_meta(pid, member=parent is not None)
        migrate = (not clone and not stateful and self.chance(0.2))
        if migrate:
            m.append(("allow-migrate", "true"))
        util = []
        if self.strategy != "default" and self.chance(0.7):
            util = [("cpu", self.pick([1, 1, 2, 3]))]
            if self.chance(0.4):
                util.append(("mem", self.pick([1, 2, 4])))
        return dict(agent="Stateful" if stateful else "Dummy", meta=m, parent=parent,
                    util=util, stateful=stateful, migrate=migrate, clone=clone)

    def top_meta(self, owner, member=False):
        m = []
        if self.chance(0.12):
            m.append(("target-role", self.pick(["Stopped", "Started", "Stopped"])))
        if self.chance(0.08):
            m.append(("is-managed", "false"))
        if self.chance(0.04):
            m.append(("maintenance", "true"))
        if self.chance(0.2):
            m.append(("resource-stickiness", self.pick([0, 10, 100, "INFINITY"])))
        if self.chance(0.2):
            m.append(("migration-threshold", self.pick([1, 2, 3, 0])))
        if self.chance(0.05):
            m.append(("failure-timeout", self.pick(["60s", "10min"])))
        return m

    def clone_meta(self, promotable):
        m = []
        if promotable:
            m.append(("promotable", "true"))
            if self.chance(0.3):
                m.append(("promoted-max", self.pick([1, 2])))
        if self.chance(0.4):
            m.append(("clone-max", self.pick([1, 2, 3, 4])))
        if self.chance(0.15) and not promotable:
            m.append(("globally-unique", "true"))
            m.append(("clone-node-max", self.pick([1, 2])))
        elif self.chance(0.1):
            m.append(("clone-node-max", 1))
        if self.chance(0.4):
            m.append(("interleave", "true"))
        if self.chance(0.15):
            m.append(("target-role", self.pick(["Stopped", "Started", "Unpromoted"] if promotable
                                               else ["Stopped", "Started"])))
        if self.chance(0.06):
            m.append(("is-managed", "false"))
        if self.chance(0.2):
            m.append(("resource-stickiness", self.pick([0, 1, 100])))
        if self.chance(0.15):
            m.append(("migration-threshold", self.pick([1, 2])))
        return m

    # ---- configuration XML -----------------------------------------------------
    def config_xml(self):
        w = self.out.append
        w("<crm_config><cluster_property_set id=\"cib-bootstrap-options\">")
        w(self.nv("opt", "stonith-enabled", "true" if self.stonith else "false"))
        w(self.nv("opt", "no-quorum-policy", self.nqp))
        if self.strategy != "default":
            w(self.nv("opt", "placement-strategy", self.strategy))
        if not self.symmetric:
            w(self.nv("opt", "symmetric-cluster", "false"))
        if self.cluster_maint:
            w(self.nv("opt", "maintenance-mode", "true"))
        w("</cluster_property_set></crm_config>")
        w("<nodes>")
        for n in self.nodes:
            attrs = list(n["attrs"])
            if n["state"] == "standby":
                attrs.append(("standby", "on"))
            if n["state"] == "maintenance":
                attrs.append(("maintenance", "true"))
            body = ""
            if attrs:
                body += (f'<instance_attributes id={q("nodes-" + n["id"])}>'
                         + "".join(self.nv("nodes-" + n["id"], k, v) for k, v in attrs)
                         + "</instance_attributes>")
            body += self.util("node-" + n["id"], n["util"])
            w(f'<node id={q(n["id"])} uname={q(n["name"])}>{body}</node>')
        w("</nodes><resources>")
        for kind, tid, extra in self.tops:
            if kind == "primitive":
                w(self.prim_xml(tid))
            elif kind == "group":
                w(f'<group id={q(tid)}>{self.meta(tid, extra["meta"])}'
                  + "".join(self.prim_xml(m) for m in extra["members"]) + "</group>")
            else:
                ik, iid, members = extra["inner"]
                inner = (self.prim_xml(iid) if ik == "primitive" else
                         f'<group id={q(iid)}>' + "".join(self.prim_xml(m) for m in members)
                         + "</group>")
                w(f'<clone id={q(tid)}>{self.meta(tid, extra["meta"])}{inner}</clone>')
        w("</resources><constraints>")
        self.constraints()
        w("</constraints>")
        rd = []
        if self.stickiness is not None:
            rd.append(("resource-stickiness", self.stickiness))
        if self.def_mt is not None:
            rd.append(("migration-threshold", self.def_mt))
        if rd:
            w(f"<rsc_defaults>{self.meta('rsc-options', rd)}</rsc_defaults>")

    def prim_xml(self, pid):
        p = self.prims[pid]
        if p["agent"] == "stonith":
            return (f'<primitive id={q(pid)} class="stonith" type="fence_dummy">'
                    f'<operations><op id="{pid}-mon" name="monitor" interval="60s"/></operations>'
                    "</primitive>")
        prov = "pacemaker" if p["stateful"] else "heartbeat"
        ops = f'<op id="{pid}-mon" name="monitor" interval="10s"/>'
        if p["stateful"]:
            ops = (f'<op id="{pid}-mon" name="monitor" interval="10s" role="Unpromoted"/>'
                   f'<op id="{pid}-monp" name="monitor" interval="11s" role="Promoted"/>')
        return (f'<primitive id={q(pid)} class="ocf" provider="{prov}" type={q(p["agent"])}>'
                f'{self.meta(pid, p["meta"])}{self.util(pid, p["util"])}'
                f'<operations>{ops}</operations></primitive>')

    def constrainable(self):
        """Resource ids a constraint may name: top-level ids, plus (rarely) a
        group member, as real configurations do."""
        ids = [t[1] for t in self.tops if t[1] != "fence1"]
        for kind, tid, extra in self.tops:
            if kind == "group" and self.chance(0.1):
                ids.append(self.pick(extra["members"]))
        return ids

    def promotable(self, rid):
        return any(t[1] == rid and t[2].get("promotable") for t in self.tops)

    def constraints(self):
        w = self.out.append
        ids = self.constrainable()
        if not ids:
            return
        names = [n["name"] for n in self.nodes]
        for _ in range(self.r.randint(0, 4)):
            rid = self.pick(ids)
            cid = self.uid(f"loc-{rid}")
            role = ""
            if self.promotable(rid) and self.chance(0.4):
                role = f' role="{self.pick(["Promoted", "Unpromoted"])}"'
            k = self.r.random()
            if k < 0.55:
                w(f'<rsc_location id={q(cid)} rsc={q(rid)} node={q(self.pick(names))} '
                  f'score={q(self.pick(SCORES))}{role}/>')
            else:
                exprs = []
                for _ in range(self.r.randint(1, 2)):
                    e = self.r.random()
                    eid = self.uid(cid + "-expr")
                    if e < 0.35:
                        exprs.append(f'<expression id={q(eid)} attribute="site" operation='
                                     f'{q(self.pick(["eq", "ne"]))} value={q(self.pick(["a", "b"]))}/>')
                    elif e < 0.55:
                        exprs.append(f'<expression id={q(eid)} attribute="#uname" operation='
                                     f'{q(self.pick(["eq", "ne"]))} value={q(self.pick(names))}/>')
                    elif e < 0.7:
                        exprs.append(f'<expression id={q(eid)} attribute="ram" operation='
                                     f'{q(self.pick(["gt", "lt", "gte", "defined", "not_defined"]))}'
                                     + ('' if False else f' value="4" type="number"') + '/>')
                    else:
                        op = self.pick(["gt", "lt", "in_range"])
                        d1, d2 = self.pick([("2020-01-01", "2030-01-01"), ("2024-01-01", "2025-01-01"),
                                            ("2023-01-01", "2023-12-31")])
                        if op == "gt":
                            exprs.append(f'<date_expression id={q(eid)} operation="gt" start="{d1}"/>')
                        elif op == "lt":
                            exprs.append(f'<date_expression id={q(eid)} operation="lt" end="{d2}"/>')
                        else:
                            exprs.append(f'<date_expression id={q(eid)} operation="in_range" '
                                         f'start="{d1}" end="{d2}"/>')
                bop = f' boolean-op="{self.pick(["and", "or"])}"' if len(exprs) > 1 else ""
                rrole = ""
                if role:
                    rrole = role
                    role = ""
                w(f'<rsc_location id={q(cid)} rsc={q(rid)}{role}><rule id={q(cid + "-rule")} '
                  f'score={q(self.pick(SCORES))}{bop}{rrole}>' + "".join(exprs)
                  + "</rule></rsc_location>")
        for _ in range(self.r.randint(0, 3)):
            if len(ids) < 2:
                break
            a, b = self.r.sample(ids, 2)
            roles = ""
            if self.promotable(b) and self.chance(0.6):
                roles += f' with-rsc-role="{self.pick(["Promoted", "Unpromoted", "Started"])}"'
            if self.promotable(a) and self.chance(0.5):
                roles += f' rsc-role="{self.pick(["Promoted", "Unpromoted"])}"'
            w(f'<rsc_colocation id={q(self.uid(f"col-{a}-{b}"))} rsc={q(a)} with-rsc={q(b)} '
              f'score={q(self.pick(["INFINITY", "-INFINITY", "100", "-100", "INFINITY", "500"]))}{roles}/>')
        for _ in range(self.r.randint(0, 3)):
            if len(ids) < 2:
                break
            a, b = self.r.sample(ids, 2)
            extra = ""
            if self.chance(0.3):
                extra += f' kind="{self.pick(["Mandatory", "Optional", "Serialize"])}"'
            elif self.chance(0.2):
                extra += f' score="{self.pick(["0", "INFINITY"])}"'
            if self.chance(0.25):
                extra += ' symmetrical="false"'
            if self.promotable(a) and self.chance(0.5):
                extra += f' first-action="{self.pick(["promote", "start", "demote"])}"'
            if self.promotable(b) and self.chance(0.3):
                extra += f' then-action="{self.pick(["promote", "start"])}"'
            w(f'<rsc_order id={q(self.uid(f"ord-{a}-{b}"))} first={q(a)} then={q(b)}{extra}/>')
        if len(ids) >= 3 and self.chance(0.25):
            k = self.r.randint(2, min(4, len(ids)))
            members = self.r.sample(ids, k)
            split = self.r.randint(1, k)
            sets = [members[:split], members[split:]]
            sets = [s for s in sets if s]
            cid = self.uid("set")
            body = ""
            for i, s in enumerate(sets):
                seq = "" if self.chance(0.6) else f' sequential="{self.pick(["true", "false"])}"'
                body += (f'<resource_set id={q(cid + f"-s{i}")}{seq}>'
                         + "".join(f'<resource_ref id={q(m)}/>' for m in s) + "</resource_set>")
            if self.chance(0.5):
                kind = self.pick(["", ' kind="Optional"'])
                w(f'<rsc_order id={q(cid)}{kind}>{body}</rsc_order>')
            else:
                w(f'<rsc_colocation id={q(cid)} score={q(self.pick(["INFINITY", "-INFINITY", "100"]))}>'
                  f'{body}</rsc_colocation>')

    # ---- status ------------------------------------------------------------------
    def op(self, rsc, node, name, interval, rc, opid=None, status=0, t=None):
        self.call += 1
        key = f"{rsc}_{name}_{interval}"
        if opid is None:
            opid = f"{rsc}_last_0" if interval == 0 else f"{rsc}_{name}_{interval}"
        expected = 7 if name == "monitor" and interval == 0 else 0
        t = t if t is not None else NOW - 3600 + self.call
        return (f'<lrm_rsc_op id={q(opid)} operation_key={q(key)} operation={q(name)} '
                f'crm-debug-origin="fuzzcib" crm_feature_set="3.16.1" '
                f'transition-key="{self.call}:1:{expected}:{UUID}" '
                f'transition-magic="{status}:{rc};{self.call}:1:{expected}:{UUID}" '
                f'exit-reason="" on_node={q(node)} call-id="{self.call}" rc-code="{rc}" '
                f'op-status="{status}" interval="{interval}" last-rc-change="{t}" '
                f'exec-time="10" queue-time="0" '
                f'op-digest="{DIGEST_RECURRING if interval else DIGEST}"/>')

    def history(self, rsc, node, state, stateful, fail_attrs):
        """lrm_rsc_op entries for one resource (instance) on one node.
        state: probe-stopped | started | promoted | stopped | mon-fail | start-fail
        | stop-fail | promoted-fail | migrated-away"""
        ops = []
        mon = 11000 if state.startswith("promoted") else 10000
        if state == "probe-stopped":
            ops.append(self.op(rsc, node, "monitor", 0, 7))
        elif state == "started":
            ops.append(self.op(rsc, node, "start", 0, 0))
            ops.append(self.op(rsc, node, "monitor", mon, 0))
        elif state == "promoted":
            ops.append(self.op(rsc, node, "promote", 0, 0))
            ops.append(self.op(rsc, node, "monitor", mon, 8))
        elif state == "stopped":
            ops.append(self.op(rsc, node, "stop", 0, 0))
        elif state in ("mon-fail", "promoted-fail"):
            base = "promote" if state == "promoted-fail" else "start"
            ops.append(self.op(rsc, node, base, 0, 0))
            rc = self.pick([1, 7, 1, 1]) if not stateful or state != "promoted-fail" else self.pick([1, 7, 0])
            st = self.pick([0, 4])
            ops.append(self.op(rsc, node, "monitor", mon, rc, status=st))
            self.call -= 1
            ops.append(self.op(rsc, node, "monitor", mon, rc, opid=f"{rsc}_last_failure_0", status=st))
            n = self.pick([1, 1, 2, 3])
            fail_attrs.append((f"fail-count-{rsc}#monitor_{mon}", n))
            fail_attrs.append((f"last-failure-{rsc}#monitor_{mon}", NOW - 600))
        elif state == "start-fail":
            rc = self.pick([1, 5, 6, 2])
            ops.append(self.op(rsc, node, "start", 0, rc, status=self.pick([0, 4])))
            self.call -= 1
            ops.append(self.op(rsc, node, "start", 0, rc, opid=f"{rsc}_last_failure_0",
                               status=0))
            fail_attrs.append((f"fail-count-{rsc}#start_0", "INFINITY"))
            fail_attrs.append((f"last-failure-{rsc}#start_0", NOW - 600))
        elif state == "stop-fail":
            ops.append(self.op(rsc, node, "stop", 0, 1))
            self.call -= 1
            ops.append(self.op(rsc, node, "stop", 0, 1, opid=f"{rsc}_last_failure_0"))
            fail_attrs.append((f"fail-count-{rsc}#stop_0", "INFINITY"))
            fail_attrs.append((f"last-failure-{rsc}#stop_0", NOW - 600))
        return ops

    def pick_state(self, running_here, stateful=False, promoted=False, failable=True):
        if running_here:
            x = self.r.random()
            if failable and x < 0.12:
                return "promoted-fail" if promoted else "mon-fail"
            if failable and x < 0.15:
                return "stop-fail"
            return "promoted" if promoted else "started"
        x = self.r.random()
        if x < 0.06 and failable:
            return "start-fail"
        if x < 0.2:
            return "stopped"
        if x < 0.3:
            return None      # never probed here
        return "probe-stopped"

    def status_xml(self):
        r = self.r
        live = [n["name"] for n in self.nodes if n["state"] != "offline"]
        lrm = {n["name"]: [] for n in self.nodes}
        fails = {n["name"]: [] for n in self.nodes}
        master = {n["name"]: [] for n in self.nodes}

        def prim_history(rid, where, stateful=False, promoted_on=(), failable=True,
                         hist_name=None):
            for n in live:
                st = self.pick_state(n in where, stateful, n in promoted_on, failable)
                if st is None:
                    continue
                if n in where and self.chance(0.03):
                    continue     # running, but its history was lost (orphan-like)
                lrm[n].append((hist_name or rid, rid,
                               self.history(hist_name or rid, n, st, stateful, fails[n])))

        for kind, tid, extra in self.tops:
            if kind == "primitive":
                where = []
                if live and self.chance(0.65):
                    where = [self.pick(live)]
                    if self.chance(0.03) and len(live) > 1:
                        where = r.sample(live, 2)      # multiply active
                prim_history(tid, where, failable=tid != "fence1")
            elif kind == "group":
                node = self.pick(live) if live and self.chance(0.65) else None
                upto = r.randint(0, len(extra["members"])) if node else 0
                for i, m in enumerate(extra["members"]):
                    prim_history(m, [node] if node and i < upto + (1 if self.chance(0.8) else 0)
                                 else [])
            else:
                ik, iid, members = extra["inner"]
                meta = dict(extra["meta"])
                unique = meta.get("globally-unique") == "true"
                promotable = extra.get("promotable", False)
                cmax = int(meta.get("clone-max", len(self.nodes)))
                runners = [n for n in live if self.chance(0.75)]
                if unique:
                    nodes_for = [self.pick(live) if live else None for _ in range(cmax)]
                    for i in range(cmax):
                        nd = nodes_for[i] if self.chance(0.7) else None
                        for m in ([iid] if ik == "primitive" else members):
                            prim_history(m, [nd] if nd else [], hist_name=f"{m}:{i}")
                    continue
                runners = runners[:cmax] if self.chance(0.8) else runners
                promoted = []
                if promotable and runners:
                    pmax = int(meta.get("promoted-max", 1))
                    promoted = r.sample(runners, min(len(runners), r.choice([0, 1, 1, pmax])))
                    for n in live:
                        if self.chance(0.75):
                            master[n].append((f"master-{iid}", self.pick([5, 10, 100, 1000, 1, -1])))
                for m in ([iid] if ik == "primitive" else members):
                    prim_history(m, runners, promotable, promoted)

        w = self.out.append
        w("<status>")
        for n in self.nodes:
            name, nid, st = n["name"], n["id"], n["state"]
            if st == "offline":
                w(f'<node_state id={q(nid)} uname={q(name)} in_ccm="false" crmd="offline" '
                  f'crm-debug-origin="fuzzcib" join="down" expected="down"/>')
                continue
            if st == "unclean":
                ccm, crmd = self.pick([("false", "offline"), ("true", "offline")])
                head = (f'<node_state id={q(nid)} uname={q(name)} in_ccm="{ccm}" crmd="{crmd}" '
                        f'crm-debug-origin="fuzzcib" join="member" expected="member">')
            else:
                head = (f'<node_state id={q(nid)} uname={q(name)} in_ccm="true" crmd="online" '
                        f'crm-debug-origin="fuzzcib" join="member" expected="member">')
            w(head)
            ta = fails[name] + master[name]
            if ta:
                w(f'<transient_attributes id={q(nid)}><instance_attributes id={q("status-" + nid)}>'
                  + "".join(self.nv("status-" + nid, k, v) for k, v in ta)
                  + "</instance_attributes></transient_attributes>")
            w(f'<lrm id={q(nid)}><lrm_resources>')
            for hid, rid, ops in lrm[name]:
                p = self.prims[rid]
                if p["agent"] == "stonith":
                    attrs = 'class="stonith" type="fence_dummy"'
                else:
                    prov = "pacemaker" if p["stateful"] else "heartbeat"
                    attrs = f'class="ocf" provider="{prov}" type="{p["agent"]}"'
                w(f'<lrm_resource id={q(hid)} {attrs}>' + "".join(ops) + "</lrm_resource>")
            w("</lrm_resources></lrm></node_state>")
        w("</status>")

    def xml(self):
        self.build()
        dc = next(n["id"] for n in self.nodes if n["state"] in ("online", "standby", "maintenance"))
        self.out.append(f'<cib epoch="1" num_updates="0" admin_epoch="0" '
                        f'validate-with="pacemaker-3.7" crm_feature_set="3.16.1" '
                        f'have-quorum="{1 if self.quorum else 0}" dc-uuid="{dc}" '
                        f'execution-date="{NOW}"><configuration>')
        self.config_xml()
        self.out.append("</configuration>")
        self.status_xml()
        self.out.append("</cib>")
        return "\n".join(self.out) + "\n"


def generate(seed):
    """The CIB text for one seed."""
    return Gen(seed).xml()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    text = generate(a.seed)
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
