#!/usr/bin/env python3
"""Captures the Kafka request frames real clients send, as the seed corpus of kafka_request_fuzz.

Runs `floe broker` behind a recording TCP proxy (the broker advertises the proxy, so every connection goes through
it), drives kcat, kafka-python, confluent-kafka, kafkajs and, when installed, the Java client against it, and writes
each distinct request frame body (header + request, without the 4-byte size) to
tests/fuzz/corpus/kafka_request/<phase>-<Api>-v<version>-<n>: at most MAX_PER_KIND per phase, API and version, none
larger than MAX_FRAME, the whole corpus under MAX_TOTAL. Clients send only the APIs the broker advertises in
ApiVersions, so the corpus has real frames of exactly the APIs the capturing broker served (the generated Fill()
seeds of fuzz_seeds.cpp cover every API and version regardless).

Usage (after `make build` and scripts/setup-peers.sh): .venv/bin/python tests/fuzz/capture_corpus.py
(FLOE_BIN=path/to/floe to capture against another build). Re-run it when a client or an API is added; the output
replaces the directory's contents.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from floe_process import FloeServer, java_classpath  # noqa: E402

OUT = REPO / "tests" / "fuzz" / "corpus" / "kafka_request"
MAX_PER_KIND = 2
MAX_FRAME = 12 * 1024
MAX_TOTAL = 190 * 1024
API_NAMES = {0: "Produce", 1: "Fetch", 2: "ListOffsets", 3: "Metadata", 8: "OffsetCommit", 9: "OffsetFetch",
             10: "FindCoordinator", 11: "JoinGroup", 12: "Heartbeat", 13: "LeaveGroup", 14: "SyncGroup",
             15: "DescribeGroups", 16: "ListGroups", 17: "SaslHandshake", 18: "ApiVersions", 19: "CreateTopics",
             20: "DeleteTopics", 22: "InitProducerId", 32: "DescribeConfigs", 36: "SaslAuthenticate"}


class RecordingProxy:
    """Forwards 127.0.0.1:<port> to the broker and records every client-to-broker frame with the current phase."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.target = None
        self.phase = "start"
        self.frames = []  # (phase, frame body)
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        buf = b""
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                upstream.sendall(data)
                buf += data
                while len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[:4], "big", signed=True):
                    size = int.from_bytes(buf[:4], "big", signed=True)
                    with self.lock:
                        self.frames.append((self.phase, buf[4:4 + size]))
                    buf = buf[4 + size:]
        except OSError:
            pass
        finally:
            for s in (client, upstream):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def run(cmd, timeout=60, **kw):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        return None


def drive_kcat(proxy, bs):
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"]:
        proxy.phase = f"kcat-{codec}"
        lines = "".join(f"s-{i % 5}:value-{i}\n" for i in range(20))
        run(["kcat", "-b", bs, "-P", "-t", f"cap-kcat-{codec}", "-K", ":", "-z", codec, "-H", "source=kcat",
             "-X", "topic.partitioner=murmur2_random"], input=lines)
        run(["kcat", "-b", bs, "-C", "-t", f"cap-kcat-{codec}", "-o", "beginning", "-e", "-q"])
    proxy.phase = "kcat-idempotent"
    run(["kcat", "-b", bs, "-P", "-t", "cap-kcat-idem", "-X", "enable.idempotence=true", "-K", ":"],
        input="".join(f"k{i}:v{i}\n" for i in range(10)))
    proxy.phase = "kcat-meta"
    run(["kcat", "-b", bs, "-L"])
    run(["kcat", "-b", bs, "-Q", "-t", "cap-kcat-none:0:-1"])
    run(["kcat", "-b", bs, "-C", "-t", "cap-kcat-none", "-o", "-2", "-e", "-q"])
    proxy.phase = "kcat-group"
    run(["kcat", "-b", bs, "-G", "cap-group", "cap-kcat-none", "-e", "-q"], timeout=8)


def drive_kafka_python(proxy, bs):
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

    for codec in ["none", "gzip", "zstd"]:
        proxy.phase = f"kafka-python-{codec}"
        p = KafkaProducer(bootstrap_servers=bs, acks="all", compression_type=None if codec == "none" else codec,
                          linger_ms=5)
        for i in range(20):
            p.send(f"cap-kp-{codec}", key=f"s-{i % 5}".encode(), value=f"value-{i}".encode(),
                   headers=[("source", b"kafka-python")])
        p.flush(timeout=20)
        p.close(timeout=5)
    proxy.phase = "kafka-python-consumer"
    c = KafkaConsumer(bootstrap_servers=bs, group_id=None, enable_auto_commit=False)
    tps = [TopicPartition("cap-kp-none", p) for p in range(3)]
    c.assign(tps)
    c.seek_to_beginning()
    deadline = time.time() + 5
    while time.time() < deadline:
        c.poll(timeout_ms=300)
    c.end_offsets(tps)
    c.close()
    proxy.phase = "kafka-python-group"
    try:
        c = KafkaConsumer("cap-kp-none", bootstrap_servers=bs, group_id="cap-kp-group", consumer_timeout_ms=4000,
                          request_timeout_ms=5000, auto_offset_reset="earliest")
        for _ in c:
            pass
        c.commit()
        c.close()
    except Exception as e:
        print(f"  kafka-python group consumer: {type(e).__name__}: {e}", file=sys.stderr)
    proxy.phase = "kafka-python-admin"
    try:
        admin = KafkaAdminClient(bootstrap_servers=bs, request_timeout_ms=5000)
        for call in (lambda: admin.create_topics([NewTopic("cap-kp-admin", 2, 1, topic_configs={"retention.ms": "1000"})]),
                     lambda: admin.delete_topics(["cap-kp-admin"]),
                     lambda: admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "cap-kp-none")]),
                     lambda: admin.list_groups(),
                     lambda: admin.describe_groups(["cap-kp-group"]),
                     lambda: admin.list_group_offsets("cap-kp-group")):
            try:
                call()
            except Exception as e:  # an API the broker does not serve: the client refuses, nothing is captured
                print(f"  kafka-python admin: {type(e).__name__}: {e}", file=sys.stderr)
        admin.close()
    except Exception as e:
        print(f"  kafka-python admin: {type(e).__name__}: {e}", file=sys.stderr)


def drive_confluent(proxy, bs):
    from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

    for codec in ["none", "snappy", "zstd"]:
        proxy.phase = f"confluent-{codec}"
        p = Producer({"bootstrap.servers": bs, "enable.idempotence": True, "acks": "all", "compression.type": codec,
                      "linger.ms": 5})
        for i in range(20):
            p.produce(f"cap-ck-{codec}", key=f"s-{i % 5}", value=f"value-{i}", headers=[("source", b"confluent")],
                      timestamp=1700000000000 + i)
        p.flush(20)
    proxy.phase = "confluent-consumer"
    c = Consumer({"bootstrap.servers": bs, "group.id": "cap-unused", "enable.auto.commit": False})
    c.assign([TopicPartition("cap-ck-none", p, OFFSET_BEGINNING) for p in range(3)])
    deadline = time.time() + 5
    while time.time() < deadline:
        c.poll(0.3)
    c.get_watermark_offsets(TopicPartition("cap-ck-none", 0), timeout=5)
    c.close()
    proxy.phase = "confluent-admin"
    admin = AdminClient({"bootstrap.servers": bs})
    for call in (lambda: admin.create_topics([NewTopic("cap-ck-admin", 2, 1, config={"retention.ms": "1000"})]),
                 lambda: admin.delete_topics(["cap-ck-admin"]),
                 lambda: admin.describe_configs([ConfigResource("topic", "cap-ck-none")]),
                 lambda: {"x": admin.list_consumer_groups()},
                 lambda: admin.describe_consumer_groups(["cap-group"])):
        try:
            futures = call()
            for f in (futures.values() if isinstance(futures, dict) else [futures]):
                f.result(timeout=5)
        except Exception as e:
            print(f"  confluent admin: {type(e).__name__}: {e}", file=sys.stderr)
    proxy.phase = "confluent-group"
    c = Consumer({"bootstrap.servers": bs, "group.id": "cap-ck-group", "auto.offset.reset": "earliest"})
    c.subscribe(["cap-ck-none"])
    deadline = time.time() + 5
    while time.time() < deadline:
        c.poll(0.3)
    c.close()


def drive_kafkajs(proxy, bs):
    proxy.phase = "kafkajs"
    res = run(["node", str(REPO / "tests" / "peers" / "js" / "produce_consume.js"), bs, "cap-kafkajs", "20",
               "1700000000000"], timeout=60)
    if res is None or res.returncode != 0:
        print(f"  kafkajs: {res.stderr[-500:] if res else 'timed out'}", file=sys.stderr)


def drive_java(proxy, bs):
    try:
        cp = java_classpath("kafka-clients")
    except RuntimeError as e:
        print(f"  java: skipped ({e})", file=sys.stderr)
        return
    proxy.phase = "java"
    src = REPO / "tests" / "peers" / "kafka-clients" / "ProduceConsume.java"
    res = run(["java", "-Xmx256m", "-cp", cp, str(src), bs, "cap-java", "20", "zstd"], timeout=120)
    if res is None or res.returncode != 0:
        print(f"  java: {res.stderr[-500:] if res else 'timed out'}", file=sys.stderr)


def select(frames):
    """At most MAX_PER_KIND distinct frames per (phase, api, version), spread over their sizes."""
    kinds = {}
    for phase, frame in frames:
        if len(frame) < 8 or len(frame) > MAX_FRAME:
            continue
        api, version = int.from_bytes(frame[0:2], "big", signed=True), int.from_bytes(frame[2:4], "big", signed=True)
        kinds.setdefault((phase, api, version), set()).add(frame)
    chosen = []
    for (phase, api, version), found in sorted(kinds.items()):
        by_size = sorted(found, key=lambda f: (len(f), f))
        picks = [by_size[round(i * (len(by_size) - 1) / max(1, MAX_PER_KIND - 1))] for i in range(MAX_PER_KIND)]
        for n, frame in enumerate(dict.fromkeys(picks)):
            chosen.append((f"{phase}-{API_NAMES.get(api, f'api{api}')}-v{version}-{n}", frame))
    chosen.sort(key=lambda c: len(c[1]))
    total, kept = 0, []
    for name, frame in chosen:
        if total + len(frame) > MAX_TOTAL:
            print(f"  dropping {name} ({len(frame)} bytes): corpus would exceed {MAX_TOTAL} bytes", file=sys.stderr)
            continue
        total += len(frame)
        kept.append((name, frame))
    return kept, total


def main():
    proxy = RecordingProxy()
    tmp = tempfile.mkdtemp(prefix="floe-capture-")
    config = Path(tmp) / "floe.toml"
    config.write_text(f'[broker]\nadvertised_listen = "127.0.0.1:{proxy.port}"\n')
    with FloeServer(["broker", "--config", str(config), "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        proxy.target = s.doors["kafka"]
        bs = f"127.0.0.1:{proxy.port}"
        for drive in (drive_kcat, drive_kafka_python, drive_confluent, drive_kafkajs, drive_java):
            print(f"capture: {drive.__name__}", file=sys.stderr)
            try:
                drive(proxy, bs)
            except Exception as e:
                print(f"  {drive.__name__} failed: {type(e).__name__}: {e}", file=sys.stderr)
        s.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    kept, total = select(proxy.frames)
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for name, frame in kept:
        (OUT / name).write_bytes(frame)
    apis = sorted({(int.from_bytes(f[0:2], "big"), int.from_bytes(f[2:4], "big")) for _, f in kept})
    print(f"capture: {len(proxy.frames)} frames seen, {len(kept)} written to {OUT} ({total} bytes); "
          f"api/versions: {', '.join(f'{API_NAMES.get(a, a)} v{v}' for a, v in apis)}")


if __name__ == "__main__":
    main()
