"""catalog_commit: Iceberg REST catalog commits/s and load-table latency with 8 concurrent writers (issue 6: >= 500
commits/s and p99 load-table <= 5 ms on this machine), floe's `floe catalog` against Project Nessie 0.99 in the same
run, both driven by the same C++ client program (bench/catalog/catalog_bench.cpp: floe's RestCatalogClient, one per
writer thread, each writer appending a new 4-row Parquet file per commit to its own table with iceberg::AppendFiles,
then a phase of LoadTable calls).

Three catalogs, one after the other, each fresh:
  floe-local  `floe catalog`, store and warehouse on local disk (how floe runs by default);
  floe-s3     `floe catalog --warehouse s3://bench-lake/floe` on the moto S3 server below (like for like with Nessie);
  nessie      Nessie 0.99 (nessie_peer.py: in-memory version store), warehouse s3://bench-lake/wh on the same moto.
Nessie 0.99 refuses file:// warehouses, so it cannot run on local disk: the comparison with the peer is floe-s3 vs
nessie, where both pay moto (a Python S3 server) for every metadata file, manifest and data file. moto runs without
authentication here (no signature checking), which is cheaper for both alike. Nessie's version store is in memory
(no durability at all); floe's store is SQLite with synchronous=FULL (every acknowledged commit fsynced).

Each catalog gets a warm-up round first (namespace warmup, fewer commits; not measured), so Nessie's JVM has compiled
its hot paths (it runs with the default tiered JIT, not the fast-start flags the interop tests use).

The headline compares commits/s of floe-s3 with Nessie (target: floe at least as fast). The issue's absolute targets
are checked on floe-local and reported in "extra" with every other figure (latency percentiles in ms). Load latency
is given twice: "load_ms" is RestCatalogClient::LoadTable (request, response and the client parsing the metadata into
its structs: what a floe component waits for), "raw_load_ms" the same GET read whole but not parsed (the catalog's
own latency, what the server is responsible for). The client runs on the same machine as the catalog, so its CPU
(Parquet, Avro manifests, metadata JSON parsing) competes with the catalog's.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "tests" / "interop"))
from nessie_peer import REGION, MotoS3, NessieServer  # noqa: E402

NAME = "catalog_commit"
TARGET = 1.0  # floe-s3 commits/s over Nessie's
TARGET_COMMITS_PER_S = 500
TARGET_LOAD_P99_MS = 5.0
WRITERS = 8
COMMITS = 100  # per writer and run
LOADS = 200  # per writer and run
WARMUP_COMMITS = 20
WARMUP_LOADS = 50
BUCKET = "bench-lake"


def build_dir(ctx):
    return Path(os.environ.get("FLOE_BUILD_DIR") or ctx.build)


def measure(ctx, url, env, namespace="bench", commits=COMMITS, loads=LOADS):
    exe = build_dir(ctx) / "floe_bench_catalog"
    if not exe.exists():
        raise RuntimeError(f"{exe} is missing: build the target floe_bench_catalog")
    args = [str(exe), "--catalog", url, "--writers", str(WRITERS), "--commits", str(commits), "--loads", str(loads),
            "--namespace", namespace]
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()[-1500:]}")
    r = json.loads(p.stdout)
    if r["errors"]:
        raise RuntimeError(f"{url}: {r['errors']} failed operations, first: {r['first_error']}")
    return r


class FloeCatalog:
    """`floe catalog` on a free port with its data directory in `data_dir` (and the warehouse given, if any)."""

    def __init__(self, ctx, data_dir, env, warehouse=None):
        exe = build_dir(ctx) / "floe"
        if not exe.exists():
            raise RuntimeError(f"{exe} is missing: build the target floe")
        args = [str(exe), "catalog", "--catalog-listen", "127.0.0.1:0", "--data-dir", data_dir, "--log-level", "warn"]
        if warehouse:
            args += ["--warehouse", warehouse]
        self.stderr = open(os.path.join(data_dir + ".stderr"), "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.stderr, text=True, env=env)
        self.url = None
        deadline = time.time() + 30
        for line in self.proc.stdout:
            if line.startswith("listening catalog "):
                self.url = f"http://{line.split()[2]}/iceberg"
            if line.strip() == "ready" or time.time() > deadline:
                break
        if not self.url:
            self.stop()
            raise RuntimeError(f"floe catalog did not start: {Path(self.stderr.name).read_text()[-1500:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()


def bench_floe(ctx, tmp, env, warehouse=None):
    name = "floe-s3" if warehouse else "floe-local"
    data_dir = os.path.join(tmp, name)
    os.makedirs(data_dir)
    server = FloeCatalog(ctx, data_dir, env, warehouse)
    try:
        measure(ctx, server.url, env, "warmup", WARMUP_COMMITS, WARMUP_LOADS)
        return measure(ctx, server.url, env)
    finally:
        server.stop()


def bench_nessie(ctx, tmp, s3):
    # Nessie with the JVM's defaults (tiered JIT) and a heap of 1 GiB: the server as it would run, not tuned to start.
    server = NessieServer(s3.endpoint, s3.key_id, s3.secret, BUCKET, tmp, jvm_options=["-Xmx1g"])
    try:
        measure(ctx, server.url, server.env, "warmup", WARMUP_COMMITS, WARMUP_LOADS)
        return measure(ctx, server.url, server.env)
    finally:
        server.stop()


def figures(r):
    keys = ["commits_per_s", "commits", "commit_seconds", "append_ms", "commit_ms", "commit_load_ms", "loads_per_s",
            "load_ms", "raw_loads_per_s", "raw_load_ms", "load_bytes"]
    return {k: r[k] for k in keys}


def run(ctx):
    tmp = tempfile.mkdtemp(prefix="floe-bench-catalog-")
    s3 = MotoS3(tmp)
    try:
        s3.create_bucket(BUCKET)
        plain = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        local = bench_floe(ctx, tmp, plain)
        # floe's catalog and the bench client both reach moto through the usual AWS variables (path style, as for
        # any custom endpoint); Nessie's clients get the endpoint from its /v1/config instead.
        s3_env = dict(plain, AWS_ACCESS_KEY_ID=s3.key_id, AWS_SECRET_ACCESS_KEY=s3.secret, AWS_REGION=REGION,
                      AWS_ENDPOINT_URL_S3=s3.endpoint)
        on_s3 = bench_floe(ctx, tmp, s3_env, f"s3://{BUCKET}/floe")
        nessie = bench_nessie(ctx, tmp, s3)
    finally:
        s3.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "floe": on_s3["commits_per_s"],
        "peer": nessie["commits_per_s"],
        "peer_name": "Project Nessie 0.99.0 (in-memory store), warehouse on the same moto S3 as floe's",
        "unit": f"commits/s ({WRITERS} writers, each appending one new data file per commit, warehouse on moto S3)",
        "higher_is_better": True,
        "target": TARGET,
        "extra": {
            "writers": WRITERS, "commits_per_writer": COMMITS, "loads_per_writer": LOADS,
            "issue_targets": {"commits_per_s": f">= {TARGET_COMMITS_PER_S} (floe-local)",
                              "load_p99_ms": f"<= {TARGET_LOAD_P99_MS} (floe-local)"},
            "floe_local_meets_commits_target": local["commits_per_s"] >= TARGET_COMMITS_PER_S,
            "floe_local_meets_load_p99_target": {"raw (catalog)": local["raw_load_ms"]["p99"] <= TARGET_LOAD_P99_MS,
                                                 "client LoadTable": local["load_ms"]["p99"] <= TARGET_LOAD_P99_MS},
            "machine_load_average": os.getloadavg()[0], "cpus": os.cpu_count(),
            "floe_local": figures(local), "floe_s3": figures(on_s3), "nessie_s3": figures(nessie),
            "asymmetry": "Nessie 0.99 refuses file:// warehouses, so only floe runs on local disk; floe's store fsyncs "
                         "every commit (SQLite synchronous=FULL), Nessie's in-memory store keeps nothing; Nessie keeps "
                         "no snapshot history, so its LoadTable response stays ~3 KB while floe's carries every "
                         "snapshot (load_bytes) and the client parses all of it",
        },
    }
