"""The herd command's foundation: exit codes, build options, the Python
package, usage errors and output formats."""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import HERD, TOP, run_herd

PYDIR = os.path.join(os.environ.get("HERD_BUILD", os.path.join(TOP, "build")), "python")
EXIT_DEF = os.path.join(TOP, "src", "common", "exitstatus.def")

# The seed's ExitStatus names with Pacemaker's values.
PACEMAKER_CODES = {
    "OK": 0, "ERROR": 1, "INVALID_PARAM": 2, "UNIMPLEMENT_FEATURE": 3,
    "INSUFFICIENT_PRIV": 4, "NOT_INSTALLED": 5, "NOT_CONFIGURED": 6,
    "NOT_RUNNING": 7, "PROMOTED": 8, "FAILED_PROMOTED": 9, "USAGE": 64,
    "DATAERR": 65, "NOINPUT": 66, "NOUSER": 67, "NOHOST": 68,
    "UNAVAILABLE": 69, "SOFTWARE": 70, "OSERR": 71, "OSFILE": 72,
    "CANTCREATE": 73, "IOERR": 74, "TEMPFAIL": 75, "PROTOCOL": 76,
    "NOPERM": 77, "CONFIG": 78, "FATAL": 100, "PANIC": 101,
    "DISCONNECT": 102, "OLD": 103, "DIGEST": 104, "NOSUCH": 105,
    "QUORUM": 106, "UNSAFE": 107, "EXISTS": 108, "MULTIPLE": 109,
    "EXPIRED": 110, "NOT_YET_IN_EFFECT": 111, "INDETERMINATE": 112,
    "UNSATISFIED": 113, "TIMEOUT": 124, "DEGRADED": 190,
    "DEGRADED_PROMOTED": 191, "NONE": 193, "MAX": 255,
}

SEED_BUILD_OPTIONS = ["BASH_PATH", "CIB_DIR", "CIB_SCHEMA_VERSION", "COROSYNC_CONFIG_FILE",
                      "DAEMON_DIR", "DAEMON_USER", "LOCAL_STATE_DIR", "LOG_DIR",
                      "OCF_RA_INSTALL_DIR", "OCF_ROOT_DIR", "REMOTE_ENABLED",
                      "RSC_TMP_DIR", "SBIN_DIR", "SCHEMA_DIR"]


def python(code):
    env = dict(os.environ, PYTHONPATH=PYDIR)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout


def test_done_when_python_line():
    out = python("from herd import BuildOptions, ExitStatus; "
                 "print(ExitStatus.NOT_RUNNING, BuildOptions.OCF_ROOT_DIR)")
    assert out == "7 /usr/lib/ocf\n"


def test_python_exit_status_matches_pacemaker():
    out = python("import json; from herd import ExitStatus; "
                 "print(json.dumps({e.name: int(e) for e in ExitStatus}))")
    assert json.loads(out) == PACEMAKER_CODES
    out = python("from herd import ExitStatus; import enum; "
                 "print(issubclass(ExitStatus, enum.IntEnum))")
    assert out.strip() == "True"


def test_python_submodules_importable_like_the_seed():
    out = python("from herd.buildoptions import BuildOptions as B; "
                 "from herd.exitstatus import ExitStatus as E; import herd; "
                 "print(B is herd.BuildOptions, E is herd.ExitStatus)")
    assert out.strip() == "True True"


def test_python_build_options_match_the_c_side():
    cli = json.loads(run_herd("build-options", "--output-as", "json").stdout)
    c_side = {o["name"]: o["value"] for o in cli["build-options"]["options"]}
    assert sorted(c_side) == sorted(SEED_BUILD_OPTIONS)
    out = python("import json; from herd import BuildOptions as B; "
                 f"print(json.dumps({{n: getattr(B, n) for n in {SEED_BUILD_OPTIONS!r}}}))")
    py_side = json.loads(out)
    for name, value in py_side.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        assert c_side[name] == value, name
    assert py_side["DAEMON_USER"] == "hacluster"
    assert py_side["OCF_RA_INSTALL_DIR"].startswith(py_side["OCF_ROOT_DIR"])


def test_c_exit_codes_match_pacemaker():
    out = run_herd("error", "--list", "--output-as", "json")
    assert out.returncode == 0
    codes = {c["name"]: c["code"] for c in json.loads(out.stdout)["error"]["codes"]}
    assert codes == PACEMAKER_CODES


def test_error_names_codes_and_rejects_unknown():
    p = run_herd("error", "7", "NOT_CONFIGURED", "300")
    assert p.returncode == PACEMAKER_CODES["USAGE"]
    assert p.stdout.splitlines() == ["7: NOT_RUNNING - Not running",
                                     "6: NOT_CONFIGURED - Not configured"]
    assert "300" in p.stderr


def test_error_accepts_crm_names_and_is_case_insensitive():
    p = run_herd("error", "crm_ex_timeout", "degraded")
    assert p.returncode == 0
    assert p.stdout.splitlines() == ["124: TIMEOUT - Timeout occurred",
                                     "190: DEGRADED - Service is active but might fail soon"]


@pytest.mark.parametrize("args", [["error"], ["error", "--no-such-option"], ["no-such-command"],
                                  [], ["build-options", "extra"],
                                  ["error", "1", "--output-as", "yaml"]])
def test_usage_errors_exit_with_usage(args):
    p = run_herd(*args)
    assert p.returncode == 64, (args, p.stdout, p.stderr)
    assert p.stderr.strip(), "a usage error must say what was wrong"


def test_help_and_version():
    p = run_herd("--help")
    assert p.returncode == 0 and "error" in p.stdout and "build-options" in p.stdout
    p = run_herd("error", "--help")
    assert p.returncode == 0 and "--output-as" in p.stdout
    p = run_herd("--version")
    assert p.returncode == 0 and p.stdout.startswith("herd ")


def test_xml_output_is_well_formed_and_escaped():
    p = run_herd("build-options", "--output-as", "xml")
    assert p.returncode == 0
    root = ET.fromstring(p.stdout)
    assert root.tag == "herd-result" and root.get("request") == "build-options"
    names = [o.get("name") for o in root.iter("option")]
    assert "OCF_ROOT_DIR" in names
    assert root.find("status").get("code") == "0"


def test_exit_def_is_the_single_source():
    # Every name in the C table is exactly the seed's set: nothing extra,
    # nothing missing.
    import re
    with open(EXIT_DEF) as f:
        names = re.findall(r"^HERD_EXIT\((\w+),", f.read(), re.M)
    assert sorted(names) == sorted(PACEMAKER_CODES)
