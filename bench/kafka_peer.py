"""Run a broker for a benchmark or a test: Apache Kafka 4.4.0 in KRaft mode (one combined broker+controller node,
from the Maven Central jars that scripts/setup-peers.sh puts in bench/peers/kafka-broker/target/lib), or floe's own
broker, each on free 127.0.0.1 ports with its state in a temp dir that is removed on exit.

    from kafka_peer import kafka_broker, floe_broker
    with kafka_broker() as k:      # k.bootstrap == "127.0.0.1:PORT", k.pid, k.rss_mb(), k.log_path
        ...
    with floe_broker() as f:       # the same attributes for `floe broker`
        ...

Importable from bench/ (bench/run.py puts bench/ on sys.path) and from tests (sys.path.insert(0, REPO / "bench")).
"""
import base64
import contextlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from floe_process import FloeServer  # noqa: E402

KAFKA_VERSION = "4.4.0"
KAFKA_LIB = REPO / "bench" / "peers" / "kafka-broker" / "target" / "lib"
KAFKA_HEAP = "-Xmx1g"
# The JVM settings of Kafka's own bin/kafka-server-start.sh and kafka-run-class.sh (heap 1 GiB, G1 tuned for pauses).
KAFKA_JVM_OPTS = [KAFKA_HEAP, "-Xms1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                  "-XX:+ExplicitGCInvokesConcurrent", "-XX:MaxInlineLevel=15", "-Djava.awt.headless=true"]

LOG4J2 = """status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
"""


def kafka_classpath() -> str:
    if not any(KAFKA_LIB.glob("kafka_2.13-*.jar")):
        raise RuntimeError(f"Kafka broker peer is not installed ({KAFKA_LIB} has no jars): run scripts/setup-peers.sh")
    return str(KAFKA_LIB / "*")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status_kb(pid: int, field: str) -> int:
    """A kB field of /proc/<pid>/status (VmRSS: resident now, VmHWM: the peak resident set)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


class Broker:
    """What the context managers yield: bootstrap "host:port", the server's pid and its resident memory."""

    def __init__(self, name, bootstrap, pid, log_path, tmp):
        self.name, self.bootstrap, self.pid, self.log_path, self.tmp = name, bootstrap, pid, log_path, tmp

    def rss_mb(self) -> float:
        return proc_status_kb(self.pid, "VmRSS") / 1024.0

    def peak_rss_mb(self) -> float:
        return proc_status_kb(self.pid, "VmHWM") / 1024.0

    def log_tail(self, n=4000) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""


def metadata_brokers(bootstrap: str, timeout: float = 2) -> int:
    """Sends one Metadata v1 request (all topics) and returns how many brokers the answer lists. Plain sockets, so
    the harness needs no client library, and v1 is a version both Kafka 4.x and floe serve."""
    host, port = bootstrap.rsplit(":", 1)
    client_id = b"floe-bench"
    body = struct.pack(">hhih", 3, 1, 7, len(client_id)) + client_id + struct.pack(">i", -1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(struct.pack(">i", len(body)) + body)

        def read(n):
            buf = b""
            while len(buf) < n:
                chunk = s.recv(n - len(buf))
                if not chunk:
                    raise ConnectionError("connection closed")
                buf += chunk
            return buf

        size = struct.unpack(">i", read(4))[0]
        resp = read(size)
    correlation, brokers = struct.unpack(">ii", resp[:8])
    if correlation != 7:
        raise ConnectionError(f"Metadata answer has correlation id {correlation}")
    return brokers


def wait_metadata(bootstrap: str, timeout: float = 60, proc=None) -> None:
    """Waits until a Metadata request to `bootstrap` lists at least one broker."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"broker exited with status {proc.returncode} before it was ready")
        try:
            if metadata_brokers(bootstrap) > 0:
                return
        except OSError as e:  # not listening or not ready yet
            last = e
        time.sleep(0.2)
    raise RuntimeError(f"no Metadata answer listing a broker from {bootstrap} in {timeout}s: {last}")


def kafka_properties(broker_port: int, controller_port: int, log_dir: str, **overrides) -> str:
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{broker_port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{broker_port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": log_dir,
        "num.partitions": "3",
        "auto.create.topics.enable": "true",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    props.update({k.replace("_", "."): str(v) for k, v in overrides.items()})
    return "".join(f"{k}={v}\n" for k, v in props.items())


@contextlib.contextmanager
def kafka_broker(timeout: float = 90, jvm_opts=None, **overrides):
    """Apache Kafka 4.4.0, KRaft, one node: formats storage, starts `kafka.Kafka`, waits for Metadata, yields a
    Broker, and kills the JVM and removes its state on exit. `overrides` are extra server.properties
    (underscores become dots: log_segment_bytes=...)."""
    cp = kafka_classpath()
    tmp = tempfile.mkdtemp(prefix="floe-bench-kafka-")
    proc = None
    try:
        broker_port, controller_port = free_port(), free_port()
        while controller_port == broker_port:
            controller_port = free_port()
        props_path = os.path.join(tmp, "server.properties")
        with open(props_path, "w") as f:
            f.write(kafka_properties(broker_port, controller_port, os.path.join(tmp, "kraft-logs"), **overrides))
        log_path = os.path.join(tmp, "server.log")
        log4j_path = os.path.join(tmp, "log4j2.properties")
        with open(log4j_path, "w") as f:
            f.write(LOG4J2.format(log=log_path))
        java = ["java", f"-Dlog4j2.configurationFile={log4j_path}", f"-Dkafka.logs.dir={tmp}"]
        cluster_id = "-"
        while cluster_id.startswith("-"):  # the tool would read a leading '-' as an option
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        fmt = subprocess.run(java + ["-Xmx256m", "-cp", cp, "kafka.tools.StorageTool", "format", "-t", cluster_id,
                                     "-c", props_path], capture_output=True, text=True, timeout=120)
        if fmt.returncode != 0:
            raise RuntimeError(f"kafka StorageTool format failed: {fmt.stdout[-2000:]} {fmt.stderr[-2000:]}")
        stdout = open(os.path.join(tmp, "stdout"), "w")
        proc = subprocess.Popen(java + list(jvm_opts or KAFKA_JVM_OPTS) + ["-cp", cp, "kafka.Kafka", props_path],
                                stdout=stdout, stderr=subprocess.STDOUT, cwd=tmp)
        bootstrap = f"127.0.0.1:{broker_port}"
        try:
            wait_metadata(bootstrap, timeout, proc)
        except RuntimeError as e:
            with open(log_path, errors="replace") if os.path.exists(log_path) else open(os.devnull) as f:
                tail = f.read()[-3000:]
            raise RuntimeError(f"Kafka {KAFKA_VERSION} did not start: {e}; log tail: {tail}") from None
        yield Broker(f"Apache Kafka {KAFKA_VERSION} (KRaft, {KAFKA_HEAP})", bootstrap, proc.pid, log_path, tmp)
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def floe_broker(timeout: float = 30, extra_args=()):
    """`floe broker --kafka-listen 127.0.0.1:0` on a temp data dir: yields a Broker, kills floe and removes its state
    on exit."""
    server = FloeServer(["broker", "--kafka-listen", "127.0.0.1:0", *extra_args], doors=["kafka"], timeout=timeout)
    try:
        host, port = server.doors["kafka"]
        bootstrap = f"{host}:{port}"
        wait_metadata(bootstrap, timeout, server.proc)
        yield Broker("floe broker", bootstrap, server.proc.pid, server.stderr_path, server.tmp)
    finally:
        server.__exit__(None, None, None)
        shutil.rmtree(server.tmp, ignore_errors=True)
