#!/usr/bin/env python3
"""Benchmark runner: `make bench` runs every benchmark, `make bench BENCH=name` one.

A benchmark is bench/<name>/bench.py with NAME, and run(ctx) that runs floe and its real peer in the same run and
returns {"floe": X, "peer": Y, "unit": ..., "higher_is_better": bool, "target": T, "peer_name": ...}. The runner
prints `name: floe=X peer=Y ratio=Z target=T` (ratio is floe's advantage: floe/peer when higher is better,
peer/floe otherwise, so a ratio above the target is good) and writes the same as JSON to bench/results/<name>.json.
An optional "extra" dict (secondary figures: MB/s, percentiles, memory) is printed as JSON on the next line and kept
in the JSON record. bench/ is on sys.path, so a bench.py can import shared modules such as kafka_peer.
"""
import importlib.util
import json
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))
from floe_process import java_classpath  # noqa: E402


class Context:
    # FLOE_BUILD_DIR picks another build of floe (a branch under test beside the default release build).
    build = Path(os.environ.get("FLOE_BUILD_DIR") or REPO / "build")
    repo = REPO

    @staticmethod
    def here(file):
        return Path(file).resolve().parent

    @staticmethod
    def java_classpath(peer):
        return java_classpath(peer)


def load(path):
    spec = importlib.util.spec_from_file_location(f"bench_{path.parent.name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv):
    wanted = set(argv)
    benches = sorted((REPO / "bench").glob("*/bench.py"))
    mods = [load(p) for p in benches]
    if wanted:
        unknown = wanted - {m.NAME for m in mods}
        if unknown:
            print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(m.NAME for m in mods)}")
            return 2
        mods = [m for m in mods if m.NAME in wanted]
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    for m in mods:
        start = time.time()
        try:
            r = m.run(Context())
        except Exception as e:  # a benchmark that cannot run is reported, and the others still run
            print(f"{m.NAME}: ERROR {e}")
            failed += 1
            continue
        ratio = r["floe"] / r["peer"] if r["higher_is_better"] else r["peer"] / r["floe"]
        line = f"{m.NAME}: floe={r['floe']:.6g} peer={r['peer']:.6g} ratio={ratio:.2f} target={r['target']}"
        print(f"{line}  ({r['unit']}; peer: {r['peer_name']}; {'meets' if ratio >= r['target'] else 'BELOW'} target)")
        if r.get("extra"):
            print(f"  {m.NAME} extra: {json.dumps(r['extra'])}")
        record = dict(r, name=m.NAME, ratio=ratio, seconds=round(time.time() - start, 1),
                      time=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), host=platform.node())
        (out_dir / f"{m.NAME}.json").write_text(json.dumps(record, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
