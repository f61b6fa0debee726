#!/usr/bin/env python3
"""Runs every test stage `make test` asks for and ends with one summary line.

Stages: unit (ctest, Release build), unit-asan (ctest, Debug build with ASan+UBSan), interop (pytest against real
peers), e2e (pytest against the floe binary), e2e-asan (the same against the sanitizer build), fuzz (each libFuzzer
target in tests/fuzz for 60 s, one test per target). Each stage writes JUnit XML under build/test-results/ and the
summary counts from those files, so the numbers are the runners' own (scripts/fuzz.sh writes its own).
Usage: tests/run_all.py [--stage NAME ...]
"""
import argparse
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "build" / "test-results"
JOBS = str(os.cpu_count() or 2)


def stages():
    py = str(REPO / ".venv" / "bin" / "python")
    return {
        "unit": ["ctest", "--test-dir", "build", "-j", JOBS, "--output-on-failure", "--output-junit",
                 str(RESULTS / "unit.xml")],
        "unit-asan": ["ctest", "--test-dir", "build-asan", "-j", JOBS, "--output-on-failure", "--output-junit",
                      str(RESULTS / "unit-asan.xml")],
        "interop": [py, "-m", "pytest", "tests/interop", "-q", f"--junitxml={RESULTS / 'interop.xml'}"],
        "e2e": [py, "-m", "pytest", "tests/e2e", "-q", f"--junitxml={RESULTS / 'e2e.xml'}"],
        # The same end-to-end tests against the sanitizer build: memory errors in server paths fail the exit status.
        "e2e-asan": [py, "-m", "pytest", "tests/e2e", "-q", f"--junitxml={RESULTS / 'e2e-asan.xml'}"],
        # clang + libFuzzer + ASan/UBSan on the Kafka request and record batch decoders; a crash fails its target.
        "fuzz": ["scripts/fuzz.sh", "60", "--junit", str(RESULTS / "fuzz.xml")],
    }


def count(xml_path):
    """(tests, failures+errors, skipped) from a JUnit XML file."""
    if not xml_path.exists():
        return None
    root = ET.parse(xml_path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for s in suites:
        tests += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0) or s.get("disabled", 0) or 0)
    return tests, failed, skipped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stage", action="append", choices=list(stages()), help="run only these stages")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    summary, ok = [], True
    for name, cmd in stages().items():
        if args.stage and name not in args.stage:
            continue
        xml = RESULTS / f"{name}.xml"
        xml.unlink(missing_ok=True)
        print(f"\n=== {name}: {' '.join(cmd)}", flush=True)
        start = time.time()
        stage_env = dict(env, FLOE_BIN=str(REPO / "build-asan" / "floe")) if name == "e2e-asan" else env
        rc = subprocess.call(cmd, cwd=REPO, env=stage_env)
        secs = time.time() - start
        c = count(xml)
        if c is None:
            summary.append(f"{name} ERROR (rc={rc}, no results)")
            ok = False
            continue
        tests, failed, skipped = c
        passed = tests - failed - skipped
        stage_ok = rc == 0 and failed == 0 and skipped == 0 and tests > 0
        ok &= stage_ok
        extra = (f", {failed} failed" if failed else "") + (f", {skipped} skipped" if skipped else "")
        summary.append(f"{name} {passed}/{tests} passed{extra} ({secs:.0f}s)")
    print(f"\nfloe tests: {'; '.join(summary)} -> {'PASS' if ok else 'FAIL'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
