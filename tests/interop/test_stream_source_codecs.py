"""floe's record batch decoder (src/floe/kafka/record_codec.h) against batches real producers wrote, in every codec:
confluent-kafka 2.16 (librdkafka) and the Apache Kafka Java client 4.4 produce to a `floe broker`, which stores their
batches as they came; then floe_source_tool (tests/tools/source_tool.cpp) opens the stopped broker's data dir and reads
the topic through BrokerSource, so every batch is decompressed and decoded by floe. The test also reads the segment
files itself to check that the batches really are compressed with the codec asked for, and which snappy framing each
client writes (librdkafka: one raw snappy block; Java: snappy-java's xerial framing). For librdkafka the topic is also
read through KafkaSource while the broker runs, and both sources must agree.

floe_source_tool is found in FLOE_BUILD_DIR (default build/)."""
import json
import os
import struct
import subprocess
import time
from pathlib import Path

import pytest
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from floe_process import REPO, FloeServer, java_classpath

CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
CODEC_IDS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
XERIAL_MAGIC = b"\x82SNAPPY\x00"
COUNT = 3000
PARTITIONS = 2


def tool():
    build = os.environ.get("FLOE_BUILD_DIR") or str(REPO / "build")
    path = os.path.join(build if os.path.isabs(build) else str(REPO / build), "floe_source_tool")
    assert os.access(path, os.X_OK), f"{path} missing: build the floe_source_tool target first"
    return path


def read_topic(args, timeout=120):
    """Runs floe_source_tool; returns (records, summary lines)."""
    res = subprocess.run([tool()] + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"floe_source_tool {args}: {res.stderr[-3000:]}"
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    return [r for r in rows if "offset" in r], [r for r in rows if "offset" not in r]


def stored_batches(data_dir, topic):
    """(partition directory, base offset, codec id, first bytes of the records field) of every batch the broker stored
    for `topic`, read from its segment files."""
    out = []
    for d in sorted((Path(data_dir) / "kafka").glob(f"{topic}-*")):
        for log in sorted(d.glob("*.log")):
            data = log.read_bytes()
            pos = 0
            while pos + 12 <= len(data):
                base, length = struct.unpack_from(">qi", data, pos)
                batch = data[pos:pos + 12 + length]
                (attributes,) = struct.unpack_from(">h", batch, 21)
                out.append((d.name, base, attributes & 7, batch[61:61 + 8]))
                pos += 12 + length
    return out


def record_value(i):
    # Compressible (so librdkafka does not fall back to sending the batch uncompressed) and varied.
    return None if i % 97 == 5 else f'{{"sensor":"s-{i % 40:03d}","seq":{i},"temp":{20 + (i * 7) % 150 / 10}}}'


def check_rows(rows, produced):
    """`produced`: seq -> (key, value, timestamp). Every record once, offsets 0.. in each partition, produce order."""
    assert len(rows) == len(produced), f"read {len(rows)} records, produced {len(produced)}"
    by_partition = {}
    for r in rows:
        by_partition.setdefault(r["partition"], []).append(r)
    seen = set()
    for p, recs in by_partition.items():
        assert [r["offset"] for r in recs] == list(range(len(recs))), f"partition {p} offsets"
        seqs = []
        for r in recs:
            seq = int(r["key"].split("/")[1])
            key, value, ts = produced[seq]
            where = f"partition {p} offset {r['offset']}"
            assert r["key"] == key, where
            assert r["value"] == value, where
            assert r["timestamp"] == ts, where
            seqs.append(seq)
            seen.add(seq)
        assert seqs == sorted(seqs), f"partition {p} is not in produce order"
    assert seen == set(produced)


@pytest.mark.parametrize("codec", CODECS)
def test_librdkafka_batches_in_every_codec(codec):
    topic = f"codec-{codec}"
    base_ts = int(time.time() * 1000) - 3_600_000
    produced = {}
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        bootstrap = "%s:%d" % s.doors["kafka"]
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])[topic].result(30)
        producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 20,
                             "batch.num.messages": 400, "enable.idempotence": True})
        for i in range(COUNT):
            key = f"k/{i}"
            producer.produce(topic, key=key, value=record_value(i), partition=i % PARTITIONS, timestamp=base_ts + i,
                             headers=[("seq", str(i).encode())] if i % 3 == 0 else None)
            produced[i] = (key, record_value(i), base_ts + i)
            if i % 500 == 0:
                producer.poll(0)
        assert producer.flush(30) == 0

        # KafkaSource (librdkafka decompresses) while the broker runs.
        live, summary = read_topic(["read-kafka", bootstrap, topic])
        check_rows(live, produced)
        assert summary[0]["end_offsets"] == {str(p): COUNT // PARTITIONS for p in range(PARTITIONS)}
        assert s.stop() == 0, s.stderr()[-2000:]

    batches = stored_batches(s.data_dir, topic)
    assert len(batches) >= 2 * PARTITIONS, f"expected several batches per partition, got {len(batches)}"
    codecs = {c for _, _, c, _ in batches}
    assert codecs == {CODEC_IDS[codec]}, f"librdkafka wrote codecs {codecs} for compression.type={codec}"
    if codec == "snappy":
        # What librdkafka writes: a raw snappy block, not snappy-java's framing.
        assert not any(head == XERIAL_MAGIC for _, _, _, head in batches)

    # BrokerSource: floe's own decoder on the stored batches.
    rows, summary = read_topic(["read-dir", s.data_dir, topic])
    check_rows(rows, produced)
    # Partitions interleave in no particular order; within each the two sources must agree record for record.
    by_position = lambda r: (r["partition"], r["offset"])  # noqa: E731
    assert sorted(rows, key=by_position) == sorted(live, key=by_position), "BrokerSource and KafkaSource disagree"


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_java_client_batches_in_every_codec(codec):
    topic = f"java-{codec}"
    count = 2000
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        bootstrap = "%s:%d" % s.doors["kafka"]
        src = REPO / "tests" / "peers" / "kafka-clients" / "ProduceConsume.java"
        res = subprocess.run(["java", "-Xmx256m", "-cp", java_classpath("kafka-clients"), str(src), bootstrap, topic,
                              str(count), codec], capture_output=True, text=True, timeout=180)
        assert res.returncode == 0, f"{res.stderr[-3000:]}\nbroker: {s.stderr()[-2000:]}"
        produced = [tuple(map(int, x.split(":"))) for x in res.stdout.splitlines()[0].split()[1:]]
        assert len(produced) == count
        assert s.stop() == 0, s.stderr()[-2000:]

    batches = stored_batches(s.data_dir, topic)
    assert {c for _, _, c, _ in batches} == {CODEC_IDS[codec]}
    if codec == "snappy":
        assert all(head == XERIAL_MAGIC for _, _, _, head in batches), "the Java client writes xerial framing"

    rows, _ = read_topic(["read-dir", s.data_dir, topic])
    assert len(rows) == count
    for r in rows:
        # ProduceConsume: key s-<i % 25>, value v<i>; the producer was acked (partition, offset) for record i.
        i = int(r["value"][1:])
        assert r["key"] == f"s-{i % 25:05d}"
        assert produced[i] == (r["partition"], r["offset"]), f"record {i}"

