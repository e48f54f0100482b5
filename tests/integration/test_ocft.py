"""`herd agent ocft make|test`: resource-agents' ocft configs, parsed and
run against real agents (ocf:heartbeat:Dummy, IPaddr2 in a network
namespace) and against deliberately broken test agents (tests/ocft/agents).

Expected line numbers are looked up in the config files themselves, never
written down here."""
import json
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import HERD, TOP, run_herd

OCFT = os.path.join(TOP, "tests", "ocft")
AGENTS = os.path.join(OCFT, "agents")
SHIPPED = "/usr/share/resource-agents/ocft/configs"
SANITIZER = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def case_lines(path):
    """Line numbers of the CASE lines of a config, in order."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return [i for i, line in enumerate(f, 1) if re.match(r"\s*CASE\s", line)]


def line_of(path, text, after=0):
    """The first line (after line `after`) whose stripped text is `text`."""
    with open(path) as f:
        for i, line in enumerate(f, 1):
            if i > after and line.strip() == text:
                return i
    raise AssertionError(f"{text!r} not in {path}")


def ocft(*args, **kw):
    r = run_herd("agent", "ocft", *args, **kw)
    for s in SANITIZER:
        assert s not in r.stderr, r.stderr
    return r


def ocft_json(*args, **kw):
    r = ocft(*args, "--output-as", "json", **kw)
    doc = json.loads(r.stdout)
    assert doc["status"]["code"] == r.returncode
    return r, doc[doc["request"]]["configs"]


def by_index(report):
    return {c["index"]: c for c in report["cases"]}


# ---- parsing --------------------------------------------------------------

def test_every_shipped_config_parses():
    if not os.path.isdir(SHIPPED):
        pytest.skip(f"{SHIPPED} is missing (Debian's resource-agents not installed)")
    names = sorted(os.listdir(SHIPPED))
    assert len(names) >= 20
    r, configs = ocft_json("make", *[os.path.join(SHIPPED, n) for n in names])
    assert r.returncode == 0, r.stdout
    assert len(configs) == len(names)
    for name, cfg in zip(names, configs):
        path = os.path.join(SHIPPED, name)
        assert "error" not in cfg, cfg
        # one parsed case per CASE line, at that line
        assert [c["line"] for c in cfg["cases"]] == case_lines(path), name
        for case in cfg["cases"]:
            for st in case["statements"]:
                assert st["line"] > 0
                assert st["keyword"] in ("Env", "Unenv", "Bash", "BashAtExit", "AgentRun")


def test_names_resolve_to_shipped_configs():
    if not os.path.isfile(os.path.join(SHIPPED, "IPaddr2")):
        pytest.skip(f"{SHIPPED}/IPaddr2 is missing")
    for name in ("IPaddr2", "ocf:heartbeat:IPaddr2"):
        r = ocft("make", name)
        assert r.returncode == 0, r.stderr
        assert os.path.join(SHIPPED, "IPaddr2") in r.stdout
        assert "case 0:" in r.stdout
    r = ocft("make", "-d", OCFT, "Dummy")
    assert r.returncode == 0
    assert os.path.join(OCFT, "Dummy") in r.stdout


def test_make_lists_cases_with_lines():
    path = os.path.join(OCFT, "Dummy")
    r = ocft("make", path)
    assert r.returncode == 0, r.stderr
    lines = case_lines(path)
    assert f"{len(lines)} cases" in r.stdout
    assert f"case 1: normal start (line {lines[1]}," in r.stdout
    r, cfgs = ocft_json("make", path)
    case = cfgs[0]["cases"][1]
    # Include prepare expanded: Env from required_args, AgentRun stop from
    # default_status, both marked with the Include's line.
    env = case["statements"][0]
    assert env["keyword"] == "Env"
    assert env["line"] == line_of(path, "Env OCF_RESKEY_state=$OCFT_state")
    assert env["included_at"] == line_of(path, "Include prepare", after=lines[1])
    assert case["statements"][2]["expected_name"] == "OCF_SUCCESS"


GOOD = """CONFIG
\tAgent Dummy
\tHangTimeout 10
CASE-BLOCK prepare
\tEnv OCF_RESKEY_state=$PWD/s
CASE "one"
\tInclude prepare
\tAgentRun start OCF_SUCCESS
"""

# (line inserted before line N of GOOD, what the message must say)
BROKEN = [
    (2, "\tFrobnicate yes\n", "unknown CONFIG option 'Frobnicate'"),
    (4, "\tHangTimeout soon\n", "HangTimeout needs a number"),
    (8, "\tAgentRun start OCF_PERHAPS\n", "'OCF_PERHAPS' is not an exit code"),
    (8, "\tAgentRun start 0 1\n", "not also '1'"),
    (8, "\tRunAgent\n", "needs an argument"),
    (8, "\tInclude nowhere\n", "no CASE-BLOCK named 'nowhere'"),
    (8, "\tEnv \"A=1\n", None),  # Env text is shell: accepted as written
    (7, "CASE \"unclosed\n", "missing closing '\"'"),
    (7, "CASE\n", "CASE needs a description"),
    (8, "\tSleep 5\n", "unknown statement 'Sleep'"),
    (1, "Env A=1\n", "outside any section"),
    (4, "VARIABLE\n\t__OCFT__x=1\n", "reserved"),
]


@pytest.mark.parametrize("before,bad,message", BROKEN)
def test_malformed_configs_name_file_and_line(tmp_path, before, bad, message):
    lines = GOOD.splitlines(keepends=True)
    lines.insert(before - 1, bad)
    path = tmp_path / "Dummy"
    path.write_text("".join(lines))
    r = ocft("make", str(path))
    if message is None:
        assert r.returncode == 0, r.stderr
        return
    assert r.returncode == 78, (r.returncode, r.stderr)
    bad_line = before + bad.count("\n") - 1
    assert r.stderr.startswith(f"herd: {path}:{bad_line}: "), r.stderr
    assert message in r.stderr
    # test refuses it the same way, before running anything
    r = ocft("test", str(path))
    assert r.returncode == 78
    assert f"{path}:{bad_line}: " in r.stderr
    # structured output carries the error
    r, cfgs = ocft_json("make", str(path))
    assert r.returncode == 78
    assert message in cfgs[0]["error"]


def test_binary_and_empty_configs(tmp_path):
    nul = tmp_path / "nul"
    nul.write_bytes(b"CONFIG\n\tAgent Du\0mmy\n")
    r = ocft("make", str(nul))
    assert r.returncode == 78
    assert f"{nul}:2: " in r.stderr
    junk = tmp_path / "junk"
    junk.write_bytes(bytes(range(256)) * 4)
    r = ocft("make", str(junk))
    assert r.returncode in (0, 78)
    empty = tmp_path / "empty"
    empty.write_text("")
    r = ocft("make", str(empty))
    assert r.returncode == 0
    assert "0 cases" in r.stdout


def test_missing_config_and_usage(tmp_path):
    r = ocft("make", str(tmp_path / "nothing-here"))
    assert r.returncode == 66
    assert "nothing-here" in r.stderr
    r = ocft("test", "-d", str(tmp_path), "NoSuchAgent")
    assert r.returncode == 66
    assert "NoSuchAgent" in r.stderr
    assert ocft("make").returncode == 64
    assert ocft("test").returncode == 64
    assert ocft("test", "--shell-timeout", "soon", "x").returncode == 64
    assert ocft("frobnicate").returncode == 64
    assert ocft("--help").returncode == 0


# ---- running against ocf:heartbeat:Dummy ----------------------------------

@pytest.mark.parametrize("config", ["Dummy", "seed/Dummy"])
def test_own_dummy_configs_pass(config):
    path = os.path.join(OCFT, config)
    r, cfgs = ocft_json("test", path)
    report = cfgs[0]
    assert r.returncode == 0, json.dumps(report, indent=1)
    assert report["agent"] == "Dummy"
    assert [c["line"] for c in report["cases"]] == case_lines(path)
    assert all(c["result"] == "pass" for c in report["cases"]), report
    assert report["passed"] == len(case_lines(path))
    assert report["setup"]["result"] == "pass"
    # text output: one PASS line per case
    r = ocft("test", path)
    assert r.returncode == 0
    assert r.stdout.count(": PASS") == len(case_lines(path))


def test_failures_name_line_expected_and_actual():
    path = os.path.join(OCFT, "failing", "Dummy")
    r, cfgs = ocft_json("test", path)
    assert r.returncode == 1
    cases = by_index(cfgs[0])
    wrong = cases[0]
    assert wrong["result"] == "fail"
    assert wrong["failed_line"] == line_of(path, "AgentRun monitor OCF_SUCCESS")
    assert (wrong["expected"], wrong["expected_name"]) == (0, "OCF_SUCCESS")
    assert (wrong["actual"], wrong["actual_name"]) == (7, "OCF_NOT_RUNNING")
    bash = cases[1]
    assert bash["result"] == "fail"
    assert bash["failed_line"] == line_of(path, "Bash false")
    assert "'false' failed with exit code 1" in bash["message"]
    # BashAtExit ran after the failure, the statement after it did not
    assert cases[2]["result"] == "pass"
    start = cases[3]
    assert start["result"] == "fail" and start["actual"] == 1
    assert "cannot touch" in start["output"]
    r = ocft("test", path)
    assert r.returncode == 1
    n = line_of(path, "AgentRun monitor OCF_SUCCESS")
    assert (f"FAIL at line {n}: AgentRun monitor: expected OCF_SUCCESS (0), "
            f"got OCF_NOT_RUNNING (7)") in r.stdout
    assert "1 passed, 3 failed" in r.stdout


def test_case_selection():
    path = os.path.join(OCFT, "Dummy")
    r, cfgs = ocft_json("test", path, "-c", "1", "--case", "double stop")
    assert r.returncode == 0
    assert [c["name"] for c in cfgs[0]["cases"]] == ["normal start", "double stop"]


# ---- broken agents ---------------------------------------------------------

def leftover(pattern):
    r = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return r.stdout.split()


def test_hanging_agent_is_killed_with_its_group():
    path = os.path.join(OCFT, "hang")
    t0 = time.monotonic()
    r, cfgs = ocft_json("test", path)
    elapsed = time.monotonic() - t0
    assert r.returncode == 1
    hung, after = cfgs[0]["cases"]
    assert hung["result"] == "fail"
    assert "hung" in hung["message"] and "HangTimeout" in hung["message"]
    assert hung["failed_line"] == line_of(path, "AgentRun start OCF_SUCCESS")
    assert after["result"] == "pass"
    # the agent ignored SIGTERM and had a child: both are gone
    assert leftover("sleep 3599.5") == []
    assert leftover("sleep 3599.25") == []
    assert elapsed < 60


def test_every_exit_code_and_signals():
    path = os.path.join(OCFT, "rcs")
    r, cfgs = ocft_json("test", path)
    assert r.returncode == 1
    cases = by_index(cfgs[0])
    assert cases[0]["result"] == "pass"       # 0-9, 190, 191 as expected
    assert cases[1]["result"] == "pass"       # monitor: any code
    other = cases[2]
    assert other["result"] == "fail" and other["actual"] == 6
    assert other["exit_reason"] == "the rcs agent was told to fail"
    sig = cases[3]
    assert sig["result"] == "fail" and "signal 9" in sig["message"]


def test_flooding_agent_output_is_bounded():
    r, cfgs = ocft_json("test", os.path.join(OCFT, "flood"))
    assert r.returncode == 1
    case = cfgs[0]["cases"][0]
    assert case["actual"] == 1
    assert len(case["output"]) < 70 * 1024
    assert "more bytes of output dropped" in case["output"]
    assert len(r.stdout) < 200 * 1024


@pytest.mark.parametrize("config,why", [("notexec", "Permission denied"),
                                        ("missing", "No such file or directory")])
def test_agent_that_cannot_run(config, why):
    r, cfgs = ocft_json("test", os.path.join(OCFT, config))
    assert r.returncode == 1
    case = cfgs[0]["cases"][0]
    assert case["result"] == "fail"
    assert case["message"].startswith("cannot run ") and why in case["message"]
    assert "actual" not in case  # a failed exec is no agent result


# ---- environment, timeouts, setup, remote, packages -----------------------

def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            env[k] = v
    return env


def test_agent_environment_is_ocf_and_clean(tmp_path):
    out1, out2 = tmp_path / "env1", tmp_path / "env2"
    cfg = write(tmp_path, "envdump", f"""CONFIG
\tAgentRoot {AGENTS}
\tHangTimeout 7
CASE "defaults"
\tEnv OCF_RESKEY_out={out1}
\tEnv OCF_RESKEY_ip="10.0.0.1 # not a comment inside quotes"
\tAgentRun monitor OCF_SUCCESS
CASE "overrides"
\tEnv OCF_RESKEY_out={out2}
\tEnv OCF_RESKEY_CRM_meta_timeout=15000 OCF_RESOURCE_INSTANCE=mine
\tAgentRun start
""")
    env = dict(os.environ, HERD_OCFT_LEAK_CHECK="leaked")
    r, cfgs = ocft_json("test", cfg, env=env)
    assert r.returncode == 0, cfgs
    e = read_env(out1)
    root = subprocess.run([HERD, "build-options", "--output-as", "json"],
                          capture_output=True, text=True)
    opts = {o["name"]: o["value"]
            for o in json.loads(root.stdout)["build-options"]["options"]}
    assert e["OCF_ROOT"] == next(v for k, v in opts.items() if "ocf" in k.lower()
                                 and "root" in k.lower())
    assert e["OCF_RA_VERSION_MAJOR"] == "1"
    assert e["OCF_RESOURCE_INSTANCE"] == "ocft"
    assert e["OCF_RESOURCE_TYPE"] == "envdump"
    assert e["OCF_RESKEY_CRM_meta_timeout"] == "7000"
    assert e["OCF_RESKEY_ip"] == "10.0.0.1 # not a comment inside quotes"
    assert "HA_RSCTMP" in e
    assert e["CWD"] == "/"
    assert "HERD_OCFT_LEAK_CHECK" not in e
    assert "ASAN_OPTIONS" not in e
    e = read_env(out2)
    assert e["OCF_RESKEY_CRM_meta_timeout"] == "15000"
    assert e["OCF_RESOURCE_INSTANCE"] == "mine"
    assert "OCF_RESKEY_ip" not in e  # each case starts afresh


def test_shell_step_timeout_kills_the_shell(tmp_path):
    cfg = write(tmp_path, "Dummy", """CONFIG
\tHangTimeout 5
CASE "slow bash"
\tBash sleep 59.75
CASE "next"
\tBash true
""")
    r, cfgs = ocft_json("test", "--shell-timeout", "1s", cfg)
    assert r.returncode == 1
    slow, nxt = cfgs[0]["cases"]
    assert slow["result"] == "fail" and "did not finish within 1 s" in slow["message"]
    assert nxt["result"] == "pass"
    assert leftover("sleep 59.75") == []


def test_failed_setup_skips_cases_but_cleans_up(tmp_path):
    mark = tmp_path / "cleaned"
    cfg = write(tmp_path, "Dummy", f"""CONFIG
\tHangTimeout 5
SETUP-AGENT
\techo preparing
\tfalse
CLEANUP-AGENT
\ttouch {mark}
CASE "never runs"
\tBash true
""")
    r, cfgs = ocft_json("test", cfg)
    assert r.returncode == 1
    rep = cfgs[0]
    assert rep["setup"]["result"] == "fail"
    assert "preparing" in rep["setup"]["output"]
    assert rep["cases"][0]["result"] == "skip"
    assert mark.exists()


def test_remote_statements_skip_their_case(tmp_path):
    cfg = write(tmp_path, "Dummy", """CASE-BLOCK b
\tAgentRun stop
CASE "remote"
\tInclude@node2 b
CASE "local"
\tBash true
""")
    r, cfgs = ocft_json("test", cfg)
    assert r.returncode == 0
    remote, local = cfgs[0]["cases"]
    assert remote["result"] == "skip" and "node2" in remote["message"]
    assert local["result"] == "pass"


def test_missing_package_skips_the_config(tmp_path):
    if not shutil.which("dpkg-query"):
        pytest.skip("no dpkg-query on this machine")
    cfg = write(tmp_path, "Dummy", """CONFIG
\tInstallPackage herd-no-such-package-for-ocft
CASE "x"
\tBash true
""")
    r, cfgs = ocft_json("test", cfg)
    assert r.returncode == 5
    assert cfgs[0]["cases"][0]["result"] == "skip"
    assert "herd-no-such-package-for-ocft" in cfgs[0]["message"]


# ---- IPaddr2 in a network namespace ----------------------------------------

def ip(*args, ns=None, check=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + ["ip", *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def test_ipaddr2_config_passes_in_a_network_namespace():
    """Debian's ocft passes its IPaddr2 config in such a namespace (its
    'Attachment to loopback interface' case needs lo up); herd must too."""
    config = os.path.join(SHIPPED, "IPaddr2")
    if not os.path.isfile(config):
        pytest.skip(f"{config} is missing")
    if os.geteuid() != 0:
        pytest.skip("IPaddr2 in a network namespace needs root")
    if not shutil.which("ip"):
        pytest.skip("no ip command")
    ns = f"herd-ocft-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", ns], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"ip netns is unavailable here: {made.stderr.strip()}")
    host_before = ip("-o", "addr", "show").stdout
    try:
        # eth0 is one end of a veth pair made inside the namespace (no
        # 'dummy' link type here); both ends stay inside it.
        ip("link", "add", "herdv0", "type", "veth", "peer", "name", "herdv1", ns=ns)
        ip("link", "set", "herdv0", "name", "eth0", ns=ns)
        for dev in ("lo", "eth0", "herdv1"):
            ip("link", "set", dev, "up", ns=ns)
        ip("addr", "add", "10.213.44.1/24", "dev", "eth0", ns=ns)
        r = subprocess.run(["ip", "netns", "exec", ns, HERD, "agent", "ocft", "test",
                            "--output-as", "json", "IPaddr2"],
                           capture_output=True, text=True, timeout=600)
        for s in SANITIZER:
            assert s not in r.stderr, r.stderr
        rep = json.loads(r.stdout)["agent-ocft-test"]["configs"][0]
        failed = [c for c in rep["cases"] if c["result"] != "pass"]
        assert r.returncode == 0 and not failed, json.dumps(failed, indent=1)
        assert len(rep["cases"]) == len(case_lines(config))
        assert rep["setup"]["result"] == "pass" and rep["cleanup"]["result"] == "pass"
        # the config cleaned up after itself inside the namespace
        inside = ip("-o", "addr", "show", ns=ns).stdout
        assert "192.168.144." not in inside
        assert "127.0.0.3" not in inside
        assert "10.213.44.1/24" in inside
    finally:
        subprocess.run(["ip", "netns", "delete", ns], capture_output=True)
    assert ns not in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                    text=True).stdout
    # nothing left the namespace
    host_after = ip("-o", "addr", "show").stdout
    assert host_after == host_before
    assert "192.168.144." not in host_after


def test_interrupt_stops_the_agent_and_still_cleans_up(tmp_path):
    mark, cleaned = tmp_path / "atexit", tmp_path / "cleaned"
    cfg = write(tmp_path, "hang", f"""CONFIG
\tAgentRoot {AGENTS}
\tHangTimeout 300
CLEANUP-AGENT
\ttouch {cleaned}
CASE "hangs until interrupted"
\tBashAtExit touch {mark}
\tAgentRun start OCF_SUCCESS
CASE "not reached"
\tBash true
""")
    proc = subprocess.Popen([HERD, "agent", "ocft", "test", "--output-as", "json", cfg],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not leftover("sleep 3599.5") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftover("sleep 3599.5"), "the hanging agent never started"
    proc.send_signal(2)
    out, err = proc.communicate(timeout=60)
    for s in SANITIZER:
        assert s not in err, err
    assert proc.returncode == 1
    hung, rest = json.loads(out)["agent-ocft-test"]["configs"][0]["cases"]
    assert hung["result"] == "fail" and "interrupted" in hung["message"]
    assert rest["result"] == "skip"
    assert mark.exists() and cleaned.exists()
    assert leftover("sleep 3599.5") == [] and leftover("sleep 3599.25") == []


def test_mutated_configs_never_crash_the_parser(tmp_path):
    """Random damage to real configs (fixed seed): every result is a parse
    or a clean error naming file:line, never a crash or sanitizer report."""
    import random
    rnd = random.Random(5)
    sources = [os.path.join(OCFT, n) for n in ("Dummy", "rcs", "seed/Dummy")]
    if os.path.isdir(SHIPPED):
        sources += [os.path.join(SHIPPED, n) for n in sorted(os.listdir(SHIPPED))]
    pieces = [b"CASE", b"CASE-BLOCK", b"Include", b"Include@", b"\"", b"#", b"\n",
              b"\t", b"AgentRun", b"Env", b"@", b"CONFIG", b"HangTimeout", b"\0", b"\xff"]
    paths = []
    for i in range(120):
        with open(rnd.choice(sources), "rb") as f:
            data = bytearray(f.read())
        for _ in range(rnd.randint(1, 6)):
            pos = rnd.randint(0, len(data))
            if rnd.random() < 0.5:
                data[pos:pos] = rnd.choice(pieces)
            else:
                del data[pos:pos + rnd.randint(1, 40)]
        p = tmp_path / f"m{i}"
        p.write_bytes(bytes(data))
        paths.append(str(p))
    for chunk in range(0, len(paths), 40):
        part = paths[chunk:chunk + 40]
        r, cfgs = ocft_json("make", *part)
        assert r.returncode in (0, 78), r.stderr
        assert len(cfgs) == len(part)
        for path, cfg in zip(part, cfgs):
            if "error" in cfg:
                assert re.match(re.escape(path) + r":\d+: \S", cfg["error"]), cfg["error"]
