#!/usr/bin/env python3
"""Run every herd test and print one closing line: `N passed, N failed`.

  run-tests.py [--build build] [--test-build build-asan] [-k EXPR]

1. C unit tests (cmocka, TAP) from the sanitizer build, via `meson test`;
   each TAP case counts.
2. Integration tests (pytest, tests/integration), with HERD pointing at
   the sanitizer build's herd and HERD_FAST at the plain build's (the
   scheduler corpus runs on the plain build).
3. Fuzz targets (libFuzzer, from the fuzzing build), each run for
   FUZZ_SECONDS (default 20) from the seeds in tests/fuzz/seeds/NAME;
   each target counts as one test, passed when no crash was found.
Exits non-zero if anything failed or if no test ran at all.
"""
import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def unit_tests(build):
    """Run meson's tests; return (passed, failed) counted per TAP case."""
    proc = subprocess.run(["meson", "test", "-C", build, "--print-errorlogs",
                           "--no-rebuild"], cwd=TOP)
    log = os.path.join(build, "meson-logs", "testlog.txt")
    passed = failed = 0
    try:
        with open(log) as f:
            for line in f:
                if re.match(r"^ok \d+", line):
                    passed += 1
                elif re.match(r"^not ok \d+", line):
                    failed += 1
    except OSError:
        pass
    if proc.returncode != 0 and failed == 0:
        failed = 1  # a test binary crashed before reporting
    return passed, failed


def integration_tests(build, test_build, expr):
    env = dict(os.environ)
    env["HERD"] = os.path.abspath(os.path.join(test_build, "herd"))
    env["HERD_FAST"] = os.path.abspath(os.path.join(build, "herd"))
    env["HERD_BUILD"] = os.path.abspath(build)
    env["HERD_TEST_BUILD"] = os.path.abspath(test_build)
    env["PYTHONPATH"] = os.path.abspath(os.path.join(build, "python"))
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    junit = os.path.join(test_build, "pytest-junit.xml")
    if os.path.exists(junit):
        os.unlink(junit)  # never count a previous run's results
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "--junitxml", junit,
           os.path.join(TOP, "tests", "integration")]
    if expr:
        cmd += ["-k", expr]
    proc = subprocess.run(cmd, cwd=TOP, env=env)
    passed = failed = skipped = 0
    try:
        root = ET.parse(junit).getroot()
        suites = [root] if root.tag == "testsuite" else list(root)
        for s in suites:
            total = int(s.get("tests", 0))
            f = int(s.get("failures", 0)) + int(s.get("errors", 0))
            sk = int(s.get("skipped", 0))
            passed += total - f - sk
            failed += f
            skipped += sk
    except (OSError, ET.ParseError):
        pass
    if proc.returncode not in (0, 5) and failed == 0:
        failed = 1
    return passed, failed, skipped


def fuzz_tests(fuzz_build):
    """Run each fuzz target for a bounded time; return (passed, failed)."""
    import glob
    import shutil
    import tempfile
    seconds = os.environ.get("FUZZ_SECONDS", "20")
    passed = failed = 0
    targets = sorted(glob.glob(os.path.join(fuzz_build, "tests", "fuzz", "fuzz_*")))
    for target in targets:
        if not os.access(target, os.X_OK) or target.endswith((".p", ".o")):
            continue
        name = os.path.basename(target)[len("fuzz_"):]
        with tempfile.TemporaryDirectory() as work:
            corpus = os.path.join(work, "corpus")
            seeds = os.path.join(TOP, "tests", "fuzz", "seeds", name)
            if os.path.isdir(seeds):
                shutil.copytree(seeds, corpus)
            else:
                os.mkdir(corpus)
            env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1")
            proc = subprocess.run([os.path.abspath(target), f"-max_total_time={seconds}",
                                   "-max_len=65536", "-rss_limit_mb=2048", "-print_final_stats=0",
                                   f"-artifact_prefix={work}/", corpus],
                                  cwd=work, env=env, capture_output=True, text=True)
            if proc.returncode == 0:
                passed += 1
                print(f"fuzz {name}: no crash in {seconds}s")
            else:
                failed += 1
                print(f"fuzz {name}: FAILED (exit {proc.returncode})")
                print(proc.stderr[-4000:])
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--test-build", default="build-asan")
    ap.add_argument("--fuzz-build")
    ap.add_argument("-k", dest="expr")
    a = ap.parse_args()
    up, uf = unit_tests(a.test_build)
    ip, if_, isk = integration_tests(a.build, a.test_build, a.expr)
    fp, ff = fuzz_tests(a.fuzz_build) if a.fuzz_build and not a.expr else (0, 0)
    passed, failed = up + ip + fp, uf + if_ + ff
    print(f"unit: {up} passed, {uf} failed; integration: {ip} passed, {if_} failed, "
          f"{isk} skipped; fuzz: {fp} passed, {ff} failed")
    print(f"{passed} passed, {failed} failed, {isk} skipped")
    if failed or passed == 0:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
