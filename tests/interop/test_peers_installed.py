"""The setup installs every real peer at its pinned version. A missing peer fails here, never skips, so that the
interop tests of later layers cannot silently prove nothing."""
import json
import re
import shutil
import subprocess
from importlib import metadata

import pytest

from floe_process import REPO, java_classpath


def pinned_requirements():
    pins = {}
    for line in (REPO / "tests" / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.split("[")[0]] = version  # "moto[server]" is the distribution "moto" with extras
    return pins


@pytest.mark.parametrize("name,version", sorted(pinned_requirements().items()))
def test_python_peer_installed_at_pinned_version(name, version):
    assert metadata.version(name) == version


def test_python_peers_import_and_work():
    import confluent_kafka
    import duckdb
    import pyarrow as pa
    import pyiceberg.schema  # noqa: F401

    readings = pa.table({"sensor_id": ["s-1", "s-2", "s-1"], "temperature": [20.0, 22.0, 24.0]})
    rows = duckdb.sql("select sensor_id, avg(temperature) from readings group by 1 order by 1").fetchall()
    assert rows == [("s-1", 22.0), ("s-2", 22.0)]
    assert confluent_kafka.libversion()[0].startswith("2.")


def test_kcat_is_installed():
    assert shutil.which("kcat"), "kcat missing: scripts/setup-system.sh --with-tests installs it"
    out = subprocess.run(["kcat", "-V"], capture_output=True, text=True, timeout=30)
    assert re.search(r"kcat - Apache Kafka producer and consumer tool", out.stdout + out.stderr)


def test_java_kafka_client_jar_is_installed():
    cp = java_classpath("kafka-clients")
    jars = [p.name for p in (REPO / "tests" / "peers" / "kafka-clients" / "target" / "lib").glob("kafka-clients-*.jar")]
    assert jars == ["kafka-clients-4.4.0.jar"], (cp, jars)


def test_kafkajs_is_installed():
    pkg = REPO / "tests" / "peers" / "js" / "node_modules" / "kafkajs" / "package.json"
    assert json.loads(pkg.read_text())["version"] == "2.2.4"
    out = subprocess.run(["node", "-e", "const {Kafka}=require('kafkajs'); console.log(typeof Kafka)"],
                         cwd=REPO / "tests" / "peers" / "js", capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "function", out.stderr


def test_flink_peer_is_installed():
    """PyFlink in its own venv (its pins clash with the test venv's) and the Kafka SQL connector jar."""
    pins = dict(line.split("==") for line in (REPO / "tests" / "requirements-flink.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    python = REPO / ".venv-flink" / "bin" / "python"
    assert python.exists(), ".venv-flink missing: run scripts/setup-peers.sh"
    out = subprocess.run([str(python), "-c", "from pyflink.version import __version__; print(__version__)"],
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == pins["apache-flink"], out.stderr[-2000:]
    jars = [p.name for p in (REPO / "tests" / "peers" / "flink-sql-kafka" / "target" / "lib").glob("*.jar")]
    assert any(j.startswith("flink-sql-connector-kafka-") for j in jars), jars


def test_nessie_peers_are_installed():
    """Project Nessie's server (runner jar, Java 21+) and its Java API v2 client."""
    server = list((REPO / "tests" / "peers" / "nessie" / "target" / "lib").glob("nessie-quarkus-*-runner.jar"))
    assert server, "Nessie runner jar missing: run scripts/setup-peers.sh"
    client = list((REPO / "tests" / "peers" / "nessie-client" / "target" / "lib").glob("nessie-client-*.jar"))
    assert client, "Nessie client jars missing: run scripts/setup-peers.sh"
