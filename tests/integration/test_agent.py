"""`herd agent`: real agents (Debian's resource-agents, pacemaker's,
fence-agents), an LSB init script, an R1 agent, and deliberately broken
agents under tests/agents/, run through herd's executor."""
import json
import os
import re
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import TOP, run_herd

AGENTS = os.path.join(TOP, "tests", "agents")
OCF_ROOT = "/usr/lib/ocf"


def have(path):
    return os.path.exists(path)


needs_dummy = pytest.mark.skipif(not have(OCF_ROOT + "/resource.d/heartbeat/Dummy"),
                                 reason="resource-agents not installed")
needs_stateful = pytest.mark.skipif(not have(OCF_ROOT + "/resource.d/pacemaker/Stateful"),
                                    reason="pacemaker-resource-agents not installed")
needs_fence = pytest.mark.skipif(not have("/usr/sbin/fence_dummy"),
                                 reason="fence-agents not installed")


@pytest.fixture
def env(tmp_path):
    """herd's settings for the test agents, with a private HA_RSCTMP."""
    e = dict(os.environ)
    e.update(HERD_LSB_DIR=os.path.join(AGENTS, "init.d"),
             HERD_HEARTBEAT_DIR=os.path.join(AGENTS, "ha.d"),
             HERD_RSC_TMP_DIR=str(tmp_path / "rsctmp"))
    return e


@pytest.fixture
def tenv(env):
    """Like env, with OCF_ROOT at tests/agents/ocf (ocf:herdtest:*)."""
    env["HERD_OCF_ROOT"] = os.path.join(AGENTS, "ocf")
    return env


def agent(env, *args):
    return run_herd("agent", *args, env=env)


def run_json(env, *args):
    p = agent(env, "run", *args, "--output-as", "json")
    assert p.stdout, p.stderr
    return p, json.loads(p.stdout)["agent run"]


# ---- list / info ----------------------------------------------------------

def test_list_filters_by_class_and_provider(tenv):
    p = agent(tenv, "list", "ocf:herdtest")
    assert p.returncode == 0, p.stderr
    names = p.stdout.split()
    assert "ocf:herdtest:exitcode" in names and "ocf:herdtest:hang" in names
    assert "ocf:herdtest:notexec" not in names  # not executable: not an agent
    assert all(n.startswith("ocf:herdtest:") for n in names)
    assert names == sorted(names)
    lsb = agent(tenv, "list", "lsb").stdout.split()
    assert lsb == ["lsb:herd-lsb-broken", "lsb:herd-lsb-fixture"]
    assert agent(tenv, "list", "heartbeat").stdout.split() == ["heartbeat:herdhb"]


@needs_fence
def test_list_stonith(env):
    assert "stonith:fence_dummy" in agent(env, "list", "stonith").stdout.split()


def test_list_bad_class_is_usage_error(env):
    p = agent(env, "list", "nosuch")
    assert p.returncode == 64
    assert "not a class" in p.stderr


@needs_dummy
def test_info_dummy_text_json_xml(env):
    p = agent(env, "info", "ocf:heartbeat:Dummy")
    assert p.returncode == 0, p.stderr
    assert "state" in p.stdout and "Actions:" in p.stdout
    j = json.loads(agent(env, "info", "ocf:heartbeat:Dummy", "--output-as", "json").stdout)
    info = j["agent info"]
    params = {x["name"]: x for x in info["parameters"]}
    assert params["state"]["unique"] is True
    assert params["fake"]["default"] == "dummy"
    assert params["fake"]["unique"] is False
    actions = {a["name"]: a for a in info["actions"]}
    assert actions["start"]["timeout_ms"] == 20000
    assert actions["monitor"]["interval_ms"] == 10000
    x = ET.fromstring(agent(env, "info", "ocf:heartbeat:Dummy", "--output-as", "xml").stdout)
    assert x.tag == "herd-result"


@pytest.mark.skipif(not have(OCF_ROOT + "/resource.d/pacemaker/Dummy"),
                    reason="pacemaker-resource-agents not installed")
def test_info_reloadable(env):
    j = json.loads(agent(env, "info", "ocf:pacemaker:Dummy", "--output-as", "json").stdout)
    params = {x["name"]: x for x in j["agent info"]["parameters"]}
    raw = agent(env, "run", "ocf:pacemaker:Dummy", "meta-data").stdout
    for name, p in params.items():
        decl = raw[raw.index(f'<parameter name="{name}"'):]
        decl = decl[:decl.index(">")]
        assert p["reloadable"] == ('reloadable="1"' in decl or 'reloadable="true"' in decl)
    assert any(p["reloadable"] for p in params.values())


def test_info_broken_metadata_is_clear(tenv):
    p = agent(tenv, "info", "ocf:herdtest:badmeta")
    assert p.returncode == 65  # DATAERR
    assert "ocf:herdtest:badmeta:" in p.stderr and "not XML" in p.stderr
    assert "Traceback" not in p.stderr and "AddressSanitizer" not in p.stderr


def test_info_missing_agent(tenv):
    p = agent(tenv, "info", "ocf:herdtest:nosuch")
    assert p.returncode == 5  # NOT_INSTALLED
    assert "nosuch" in p.stderr


def test_info_lsb_from_header(tenv):
    j = json.loads(agent(tenv, "info", "lsb:herd-lsb-fixture", "--output-as", "json").stdout)
    assert j["agent info"]["shortdesc"] == "herd's LSB test service"
    assert "status" in [a["name"] for a in j["agent info"]["actions"]]


# ---- real agents: full cycles ----------------------------------------------

@needs_dummy
def test_dummy_start_monitor_stop(env, tmp_path):
    p, r = run_json(env, "ocf:heartbeat:Dummy", "monitor", "-r", "d1")
    assert r["rc"] == 7 and r["ok"] and r["failure"] == "none"  # probe: stopped is fine
    assert p.returncode == 7
    p, r = run_json(env, "ocf:heartbeat:Dummy", "start", "-r", "d1")
    assert (p.returncode, r["rc"], r["op_status_name"]) == (0, 0, "Done")
    assert (tmp_path / "rsctmp" / "Dummy-d1.state").exists()
    p, r = run_json(env, "ocf:heartbeat:Dummy", "monitor", "-r", "d1", "--interval", "10s")
    assert r["rc"] == 0 and r["ok"] and r["interval_ms"] == 10000
    p, r = run_json(env, "ocf:heartbeat:Dummy", "stop", "-r", "d1")
    assert r["rc"] == 0
    p, r = run_json(env, "ocf:heartbeat:Dummy", "monitor", "-r", "d1", "--interval", "10s")
    assert r["rc"] == 7 and not r["ok"] and r["failure"] == "soft"  # recurring: it stopped


@needs_dummy
def test_run_text_shows_rc_name_and_reason(tenv):
    p = agent(tenv, "run", "ocf:herdtest:exitcode", "start", "-p", "rc=5", "-p",
              "reason=no frobnicator here")
    assert p.returncode == 5
    assert "rc=5 (OCF_ERR_INSTALLED)" in p.stdout
    assert "exit reason: no frobnicator here" in p.stdout
    assert "ocf-exit-reason" not in p.stdout


@needs_stateful
def test_stateful_promote_demote(env):
    # Stateful calls crm_attribute for promotion scores: that is the daemon's
    # job (a later issue); the agent ignores its failure, so the cycle runs.
    rid = ["-r", "st1"]
    assert run_json(env, "ocf:pacemaker:Stateful", "start", *rid)[1]["rc"] == 0
    assert run_json(env, "ocf:pacemaker:Stateful", "monitor", *rid)[1]["rc"] == 0
    assert run_json(env, "ocf:pacemaker:Stateful", "promote", *rid)[1]["rc"] == 0
    p, r = run_json(env, "ocf:pacemaker:Stateful", "monitor", *rid, "--interval", "5s",
                    "--expect", "8")
    assert r["rc"] == 8 and r["ok"] and r["rc_name"] == "OCF_RUNNING_PROMOTED"
    assert run_json(env, "ocf:pacemaker:Stateful", "demote", *rid)[1]["rc"] == 0
    assert run_json(env, "ocf:pacemaker:Stateful", "monitor", *rid)[1]["rc"] == 0
    assert run_json(env, "ocf:pacemaker:Stateful", "stop", *rid)[1]["rc"] == 0
    assert run_json(env, "ocf:pacemaker:Stateful", "monitor", *rid)[1]["rc"] == 7


@needs_fence
def test_fence_dummy_actions(env, tmp_path):
    status = str(tmp_path / "fence.status")
    sp = ["-p", "status_file=" + status]
    assert run_json(env, "stonith:fence_dummy", "monitor", *sp)[1]["rc"] == 0
    p, r = run_json(env, "stonith:fence_dummy", "off", "--target", "node1", *sp)
    assert r["rc"] == 0, r
    p, r = run_json(env, "stonith:fence_dummy", "status", "--target", "node1", *sp)
    assert (r["raw_rc"], r["rc"]) == (2, 7)  # fence status 2: off
    assert run_json(env, "stonith:fence_dummy", "on", "--target", "node1", *sp)[1]["rc"] == 0
    p, r = run_json(env, "stonith:fence_dummy", "status", "--target", "node1", *sp)
    assert (r["raw_rc"], r["rc"]) == (0, 0)
    p, r = run_json(env, "stonith:fence_dummy", "reboot", "--target", "node1", *sp)
    assert r["rc"] == 0 and "Rebooted" in r["stdout"]
    # fence_dummy has no port/plug parameter: herd sends only nodename=
    assert "unknown option" not in r["stderr"]
    p, r = run_json(env, "stonith:fence_dummy", "meta-data")
    assert r["rc"] == 0 and "<resource-agent" in r["stdout"]


def test_lsb_cycle_and_status_codes(tenv):
    run_json(tenv, "lsb:herd-lsb-fixture", "stop")
    p, r = run_json(tenv, "lsb:herd-lsb-fixture", "monitor")
    assert (r["raw_rc"], r["rc"]) == (3, 7)
    assert run_json(tenv, "lsb:herd-lsb-fixture", "start")[1]["rc"] == 0
    pid = int(open("/tmp/herd-lsb-fixture.pid").read())
    os.kill(pid, 0)  # the daemon survives its start action
    p, r = run_json(tenv, "lsb:herd-lsb-fixture", "status")
    assert (r["raw_rc"], r["rc"]) == (0, 0)
    assert run_json(tenv, "lsb:herd-lsb-fixture", "stop")[1]["rc"] == 0
    with open("/tmp/herd-lsb-fixture.pid", "w") as f:  # dead, pid file left: LSB status 1
        f.write("4194000\n")
    p, r = run_json(tenv, "lsb:herd-lsb-fixture", "monitor", "--interval", "10s")
    assert (r["raw_rc"], r["rc"], r["failure"]) == (1, 1, "soft")
    assert run_json(tenv, "lsb:herd-lsb-fixture", "stop")[1]["rc"] == 0


def test_heartbeat_positional_and_status_from_stdout(tenv):
    a = ["heartbeat:herdhb"]
    assert run_json(tenv, *a, "stop", "-p", "1=web")[1]["rc"] == 0
    p, r = run_json(tenv, *a, "monitor", "-p", "1=web")
    assert r["rc"] == 7 and r["raw_rc"] == 0 and "stopped" in r["stdout"]
    assert run_json(tenv, *a, "start", "-p", "1=web")[1]["rc"] == 0
    assert os.path.exists("/tmp/herdhb-web.state")  # "web" came as $1
    p, r = run_json(tenv, *a, "status", "-p", "1=web")
    assert r["rc"] == 0 and "is running" in r["stdout"]
    assert run_json(tenv, *a, "stop", "-p", "1=web")[1]["rc"] == 0


# ---- broken agents ------------------------------------------------------------

def test_hang_is_killed_at_timeout_with_no_orphan(tenv, tmp_path):
    t0 = time.monotonic()
    p, r = run_json(tenv, "ocf:herdtest:hang", "start", "--timeout", "1s")
    elapsed = time.monotonic() - t0
    assert p.returncode == 124
    assert r["op_status_name"] == "Timed out" and r["failure"] == "soft"
    assert "timed out after 1000ms" in r["exit_reason"]
    assert "hanging in start" in r["stdout"]
    assert elapsed < 30
    pids = [int(x) for x in open(tmp_path / "rsctmp" / "hang.pids").read().split()]
    assert len(pids) == 2
    for pid in pids:  # the SIGTERM-ignoring child got SIGKILL too
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_flood_is_bounded(tenv):
    p, r = run_json(tenv, "ocf:herdtest:flood", "start")
    assert r["rc"] == 0 and r["output_truncated"] is True
    assert 0 < len(r["stdout"]) <= 65536 and set(r["stdout"]) == {"o"}
    assert len(r["stderr"]) <= 65536
    assert r["exit_reason"] == "flooded on purpose"


def test_not_executable_is_an_exec_failure(tenv):
    p, r = run_json(tenv, "ocf:herdtest:notexec", "start")
    assert r["op_status_name"] == "Error" and r["raw_rc"] == -1
    assert "exec failed: Permission denied" in r["exit_reason"]
    assert r["rc"] == 4 and r["failure"] == "hard"
    assert p.returncode == 1


def test_missing_agent_is_not_installed(tenv):
    p, r = run_json(tenv, "ocf:herdtest:nosuch", "monitor")
    assert r["op_status_name"] == "Not installed" and r["failure"] == "hard"
    assert "No such file" in r["exit_reason"]
    assert p.returncode == 5


def test_bad_agent_name(tenv):
    p = agent(tenv, "run", "ocf:onlyprovider", "start")
    assert p.returncode == 64
    assert "ocf:PROVIDER:TYPE" in p.stdout + p.stderr


# Per code: the failure kind of an unexpected start result (seeds: soft /
# hard / fatal), with OCF_ERR_GENERIC soft as the OCF guide says.
START_FAILURE = {0: "none", 1: "soft", 2: "hard", 3: "hard", 4: "hard", 5: "hard",
                 6: "fatal", 7: "soft", 8: "soft", 9: "soft", 190: "none",
                 191: "soft", 42: "soft"}


@pytest.mark.parametrize("code", sorted(START_FAILURE))
def test_every_ocf_code_is_classified(tenv, code):
    p, r = run_json(tenv, "ocf:herdtest:exitcode", "start", "-p", f"rc={code}")
    assert r["rc"] == code and r["raw_rc"] == code and r["op_status_name"] == "Done"
    assert r["failure"] == START_FAILURE[code]
    assert r["ok"] == (code in (0, 190))
    assert r["degraded"] == (code in (190, 191))
    # a probe: running, stopped and promoted are states, not failures
    p, r = run_json(tenv, "ocf:herdtest:exitcode", "monitor", "-p", f"rc={code}")
    assert (r["failure"] == "none") == (code in (0, 7, 8, 190, 191))
    # a recurring monitor: "not implemented" is no failure
    p, r = run_json(tenv, "ocf:herdtest:exitcode", "monitor", "-p", f"rc={code}",
                    "--interval", "10s")
    assert (r["failure"] == "none") == (code in (0, 3, 190))


def test_promoted_degraded_matches_promoted_expectation(tenv):
    p, r = run_json(tenv, "ocf:herdtest:exitcode", "monitor", "-p", "rc=191",
                    "--interval", "10s", "--expect", "8")
    assert r["ok"] and r["degraded"] and r["failure"] == "none"


def test_environment_is_built_from_scratch(tenv):
    e = dict(tenv, HERD_LEAK="should-not-pass", OCF_RESKEY_leak="x")
    p, r = run_json(e, "ocf:herdtest:envdump", "monitor", "-r", "web:2", "-p", "ip=10.0.0.1",
                    "-m", "target-role=Started", "-m", "clone-max=3", "-m", "notify_type=pre",
                    "--timeout", "7s", "--interval", "15s")
    out = r["stdout"].splitlines()
    env = dict(line[4:].split("=", 1) for line in out if line.startswith("ENV:"))
    env.pop("PWD", None)  # the shell's own
    assert env == {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "OCF_ROOT": os.path.join(AGENTS, "ocf"),
        "OCF_RA_VERSION_MAJOR": "1", "OCF_RA_VERSION_MINOR": "1",
        "OCF_RESOURCE_INSTANCE": "web:2", "OCF_RESOURCE_TYPE": "envdump",
        "OCF_RESOURCE_PROVIDER": "herdtest",
        "OCF_RESKEY_ip": "10.0.0.1",
        "OCF_RESKEY_CRM_meta_target_role": "Started",
        "OCF_RESKEY_CRM_meta_clone_max": "3",
        "OCF_RESKEY_CRM_meta_notify_type": "pre",
        "OCF_RESKEY_CRM_meta_timeout": "7000",
        "OCF_RESKEY_CRM_meta_interval": "15000",
        "HA_RSCTMP": tenv["HERD_RSC_TMP_DIR"],
    }
    kv = dict(line.split("=", 1) for line in out if "=" in line and not line.startswith("ENV:"))
    assert kv["ARGS"] == "monitor"
    assert kv["CWD"] == "/"
    assert kv["SID"] == kv["PID"] == kv["PGID"]  # own session and process group
    assert kv["STDIN"] == ""
    assert kv["SIGIGN"] == "0000000000000000" and kv["SIGBLK"] == "0000000000000000"
    fds = [line[3:].split(" ", 1) for line in out if line.startswith("FD:")]
    fdmap = {int(a): b for a, b in fds}
    assert fdmap[0] == "/dev/null"
    assert fdmap[1].startswith("pipe:") and fdmap[2].startswith("pipe:")
    # beyond 0-2 only the shell's own handle on the script it reads
    assert all(t.endswith("/envdump") for fd, t in fdmap.items() if fd > 2)


def test_parameters_never_pass_through_a_shell(tenv, tmp_path):
    evil = f"$(touch {tmp_path}/pwned); `touch {tmp_path}/pwned2`"
    p, r = run_json(tenv, "ocf:herdtest:envdump", "monitor", "-p", "x=" + evil)
    assert f"OCF_RESKEY_x={evil}" in r["stdout"]
    assert not os.path.exists(tmp_path / "pwned") and not os.path.exists(tmp_path / "pwned2")


# ---- herd agent test ------------------------------------------------------------

@needs_dummy
def test_agent_test_passes_on_dummy(env):
    p = agent(env, "test", "ocf:heartbeat:Dummy")
    assert p.returncode == 0, p.stdout
    assert "FAIL" not in p.stdout
    for rule in ("meta-data-valid", "required-actions", "stop-when-stopped", "start-idempotent",
                 "monitor-after-start", "monitor-after-stop", "stop-idempotent"):
        assert f"PASS {rule}:" in p.stdout


@needs_stateful
def test_agent_test_passes_on_stateful(env):
    p = agent(env, "test", "ocf:pacemaker:Stateful")
    assert p.returncode == 0, p.stdout
    assert "PASS monitor-after-promote:" in p.stdout and "PASS notify:" in p.stdout


@needs_fence
def test_agent_test_stonith(env):
    p = agent(env, "test", "stonith:fence_dummy")
    assert p.returncode == 0, p.stdout
    assert "PASS stonith-metadata:" in p.stdout and "PASS stonith-monitor:" in p.stdout


def test_agent_test_lsb_sequence(tenv):
    p = agent(tenv, "test", "lsb:herd-lsb-fixture")
    assert p.returncode == 0, p.stdout
    assert p.stdout.count("PASS lsb-") == 6
    p = agent(tenv, "test", "lsb:herd-lsb-broken")
    assert p.returncode == 1
    fails = [l for l in p.stdout.splitlines() if l.startswith("FAIL")]
    assert fails == ["FAIL lsb-status-stopped: status (stopped): expected rc 3 (LSB), "
                     "got rc 0 (LSB)"]


def test_agent_test_passes_on_working_quirky(tenv):
    p = agent(tenv, "test", "ocf:herdtest:quirky")
    assert p.returncode == 0, p.stdout


@pytest.mark.parametrize("rule", [
    "stop-when-stopped", "monitor-when-stopped", "start", "start-idempotent",
    "monitor-after-start", "monitor-after-stop", "unknown-action", "required-actions",
    "promote", "monitor-after-promote", "demote", "notify", "validate-all"])
def test_agent_test_names_the_broken_rule(tenv, rule):
    p = agent(tenv, "test", "ocf:herdtest:quirky", "-o", f"break={rule}")
    assert p.returncode == 1
    assert f"FAIL {rule}:" in p.stdout, p.stdout


def test_agent_test_broken_metadata(tenv):
    p = agent(tenv, "test", "ocf:herdtest:badmeta")
    assert p.returncode == 1
    assert "FAIL meta-data-valid:" in p.stdout
    assert re.search(r"ocf:herdtest:badmeta:\d+: invalid meta-data: not XML: .* line \d+", p.stdout)


def test_agent_test_unknown_parameter(tenv):
    p = agent(tenv, "test", "ocf:herdtest:quirky", "-o", "nosuch=1")
    assert p.returncode == 1
    assert "FAIL parameters-valid: unknown parameter 'nosuch'" in p.stdout


def test_run_usage_errors(tenv):
    assert agent(tenv, "run", "ocf:herdtest:exitcode").returncode == 64
    assert agent(tenv, "run", "ocf:herdtest:exitcode", "start", "-p", "novalue").returncode == 64
    assert agent(tenv, "run", "ocf:herdtest:exitcode", "start", "--timeout", "soon").returncode == 64
