"""Project Nessie's server as a peer, shared by the interop tests (test_catalog_rest_peer.py) and the catalog benchmark
(bench/catalog_commit): a real Iceberg REST catalog that we did not write.

The server is `org.projectnessie.nessie:nessie-quarkus:0.99.0`, the Quarkus runner jar from Maven Central
(tests/peers/nessie/pom.xml, installed by scripts/setup-peers.sh), started with its in-memory version store on free
ports, with a JVM of version 21 or newer (the jar's classes need it). Nessie's Iceberg REST warehouse must be an object
store (0.99.0 refuses file:// warehouses), so it lives in a bucket of an S3 server (moto's, in the tests and the
benchmark): Nessie writes table metadata there; clients write data files and manifests there with their own keys
(no remote request signing through Nessie).

MotoS3 is a plain moto S3 server for callers that do not need the signature-checking setup of test_s3_fileio.py's
`s3` fixture (the benchmark): any key is accepted.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
NESSIE_LIB = REPO / "tests" / "peers" / "nessie" / "target" / "lib"
REGION = "us-east-1"
# What the interop tests run Nessie with: a small heap and C1 only, to start fast; a benchmark passes its own.
FAST_START_JVM = ["-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def java_21():
    """A java binary of major version >= 21: $JAVA_HOME's, then the PATH's, then any under /usr/lib/jvm."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    if shutil.which("java"):
        candidates.append(shutil.which("java"))
    candidates += [str(p) for p in sorted(Path("/usr/lib/jvm").glob("*/bin/java"), reverse=True)]
    seen = []
    for java in candidates:
        if not os.access(java, os.X_OK):
            continue
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
        m = re.search(r'version "(\d+)', out)
        seen.append(f"{java}: {m.group(1) if m else out.strip()[:80]}")
        if m and int(m.group(1)) >= 21:
            return java
    raise RuntimeError("Nessie 0.99.0 needs Java 21 or newer; found only " + "; ".join(seen or ["no java"]))


def nessie_jar():
    jars = sorted(NESSIE_LIB.glob("nessie-quarkus-*-runner.jar"))
    if not jars:
        raise RuntimeError(f"Nessie is not installed ({NESSIE_LIB} has no runner jar): run scripts/setup-peers.sh")
    return str(jars[-1])


class NessieServer:
    """Nessie on free ports, its warehouse at s3://BUCKET/wh on the S3 server at `s3_endpoint` (path style), which
    Nessie reaches with `key_id`/`secret`. `env` is the environment for clients: the keys and region only (floe and
    pyiceberg get the endpoint from Nessie's /v1/config). `config` is that /v1/config."""

    def __init__(self, s3_endpoint, key_id, secret, bucket, log_dir, jvm_options=FAST_START_JVM, timeout=120):
        self.port, self.management_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}/iceberg"
        self.log_path = os.path.join(log_dir, "nessie.log")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION=REGION)
        options = {
            "quarkus.http.host": "127.0.0.1",
            "quarkus.http.port": self.port,
            "quarkus.management.host": "127.0.0.1",
            "quarkus.management.port": self.management_port,
            "nessie.version.store.type": "IN_MEMORY",
            "nessie.catalog.default-warehouse": "warehouse",
            "nessie.catalog.warehouses.warehouse.location": f"s3://{bucket}/wh",
            "nessie.catalog.service.s3.default-options.endpoint": s3_endpoint,
            "nessie.catalog.service.s3.default-options.path-style-access": "true",
            "nessie.catalog.service.s3.default-options.region": REGION,
            # Clients sign their own S3 requests with their own keys (no remote signing through Nessie).
            "nessie.catalog.service.s3.default-options.request-signing-enabled": "false",
            "nessie.catalog.service.s3.default-options.access-key": "urn:nessie-secret:quarkus:floe-s3",
        }
        env = dict(self.env, FLOE_S3_NAME=key_id, FLOE_S3_SECRET=secret)  # the secret floe-s3.name/.secret
        cmd = [java_21(), *jvm_options]
        cmd += [f"-D{k}={v}" for k, v in options.items()]
        # Quarkus reads the secret's two halves from the environment: floe-s3.name is FLOE_S3_NAME.
        cmd += ["-Dfloe-s3.name=${FLOE_S3_NAME}", "-Dfloe-s3.secret=${FLOE_S3_SECRET}"]
        cmd += ["-jar", nessie_jar()]
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/v1/config", timeout=5) as r:
                    self.config = json.load(r)
                break
            except (OSError, urllib.error.HTTPError) as e:
                if self.proc.poll() is not None or time.time() > deadline:
                    log = self.tail()
                    self.stop()
                    raise RuntimeError(f"Nessie did not serve {self.url}/v1/config ({e}):\n{log}")
                time.sleep(0.2)

    def tail(self, n=4000):
        self.log.flush()
        return Path(self.log_path).read_text(errors="replace")[-n:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()


class MotoS3:
    """moto's S3 server (`python -m moto.server`) on a free port, without authentication (any key signs)."""

    key_id = "bench"
    secret = "bench-secret"

    def __init__(self, log_dir, timeout=60):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(log_dir, "moto.log"), "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto server did not start on {self.endpoint}: see {self.log.name}")
                time.sleep(0.1)

    def create_bucket(self, name):
        import boto3
        boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=self.key_id,
                     aws_secret_access_key=self.secret).create_bucket(Bucket=name)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()
