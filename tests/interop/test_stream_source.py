"""The stream job's librdkafka source (src/floe/stream/kafka_source.h) through floe_source_tool
(tests/tools/source_tool.cpp): every startup mode, explicit offsets, and group offsets committed as a simple
consumer, against a `floe broker` process; the same checks against Apache Kafka 4.4 when scripts/setup-peers.sh has
installed its jars (bench/kafka_peer.py). Group commits are checked with confluent-kafka's own view of the group, and
BrokerSource (the in-process source) must see the commits KafkaSource made once the broker is stopped.

Codecs are covered by test_stream_source_codecs.py. floe_source_tool is found in FLOE_BUILD_DIR (default build/)."""
import contextlib
import json
import os
import subprocess
import sys
import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from floe_process import REPO, FloeServer

sys.path.insert(0, str(REPO / "bench"))
import kafka_peer  # noqa: E402

PARTITIONS = 3
PER_PARTITION = 100


def tool():
    build = os.environ.get("FLOE_BUILD_DIR") or str(REPO / "build")
    path = os.path.join(build if os.path.isabs(build) else str(REPO / build), "floe_source_tool")
    assert os.access(path, os.X_OK), f"{path} missing: build the floe_source_tool target first"
    return path


def run_tool(args, timeout=120):
    return subprocess.run([tool()] + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)


def read_topic(args):
    res = run_tool(args)
    assert res.returncode == 0, f"floe_source_tool {args}: {res.stderr[-3000:]}"
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    records = [r for r in rows if "offset" in r]
    summary = {}
    for r in rows:
        if "offset" not in r:
            summary.update(r)
    return records, summary


def produce(bootstrap, topic, first, count, base_ts, codec):
    """Records seq first..first+count-1, round-robin over the partitions: value "v<seq>", timestamp base_ts + seq."""
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": codec, "linger.ms": 5})
    for seq in range(first, first + count):
        producer.produce(topic, key=f"k{seq}", value=f"v{seq}", partition=seq % PARTITIONS, timestamp=base_ts + seq)
    assert producer.flush(30) == 0


def committed(bootstrap, group, topic):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        parts = c.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=30)
        return {tp.partition: tp.offset for tp in parts}
    finally:
        c.close()


def seqs(records):
    return sorted(int(r["value"][1:]) for r in records)


def check_source(bootstrap, topic, codec):
    """The checks shared by floe and Apache Kafka, on records produced with `codec`. Leaves group "job" committed at
    the end offsets."""
    base_ts = int(time.time() * 1000) - 3_600_000
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])[topic].result(30)
    total = PARTITIONS * PER_PARTITION
    produce(bootstrap, topic, 0, total, base_ts, codec)
    ends = {str(p): PER_PARTITION for p in range(PARTITIONS)}

    # earliest-offset: everything, in offset order per partition, with keys and timestamps.
    records, summary = read_topic(["read-kafka", bootstrap, topic, "--startup", "earliest", "--max-records", "37"])
    assert summary["start_offsets"] == {str(p): 0 for p in range(PARTITIONS)}
    assert summary["end_offsets"] == ends
    assert seqs(records) == list(range(total))
    for p in range(PARTITIONS):
        mine = [r for r in records if r["partition"] == p]
        assert [r["offset"] for r in mine] == list(range(PER_PARTITION))
        for r in mine:
            seq = int(r["value"][1:])
            assert seq % PARTITIONS == p and r["key"] == f"k{seq}" and r["timestamp"] == base_ts + seq

    # latest-offset: nothing yet.
    records, summary = read_topic(["read-kafka", bootstrap, topic, "--startup", "latest"])
    assert records == [] and summary["start_offsets"] == ends

    # timestamp: the first record at or after the time in each partition.
    cut = 150
    records, summary = read_topic(["read-kafka", bootstrap, topic, "--startup", "timestamp", "--timestamp",
                                   base_ts + cut])
    assert seqs(records) == list(range(cut, total))
    assert summary["start_offsets"] == {str(p): (cut - p + PARTITIONS - 1) // PARTITIONS for p in range(PARTITIONS)}
    # A time after every record starts at the end.
    records, summary = read_topic(["read-kafka", bootstrap, topic, "--startup", "timestamp", "--timestamp",
                                   base_ts + 10 * total])
    assert records == [] and summary["start_offsets"] == ends

    # Explicit offsets: only the partitions listed.
    records, _ = read_topic(["read-kafka", bootstrap, topic, "--offsets", "1:95"])
    assert [(r["partition"], r["offset"]) for r in records] == [(1, o) for o in range(95, PER_PARTITION)]

    # group-offsets: nothing committed, so earliest; commit the end; then only new records.
    records, summary = read_topic(["read-kafka", bootstrap, topic, "--startup", "group-offsets", "--group", "job",
                                   "--commit"])
    assert len(records) == total
    assert summary["committed"] == ends
    assert committed(bootstrap, "job", topic) == {p: PER_PARTITION for p in range(PARTITIONS)}
    records, _ = read_topic(["read-kafka", bootstrap, topic, "--startup", "group-offsets", "--group", "job"])
    assert records == []
    produce(bootstrap, topic, total, 6, base_ts, codec)
    records, summary = read_topic(["read-kafka", bootstrap, topic, "--startup", "group-offsets", "--group", "job",
                                   "--commit"])
    assert seqs(records) == list(range(total, total + 6))
    assert committed(bootstrap, "job", topic) == {p: PER_PARTITION + 2 for p in range(PARTITIONS)}

    # group-offsets and --commit without a group are refused, naming the property.
    res = run_tool(["read-kafka", bootstrap, topic, "--startup", "group-offsets"])
    assert res.returncode == 1 and "properties.group.id" in res.stderr, res.stderr


def test_kafka_source_against_floe_broker():
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        bootstrap = "%s:%d" % s.doors["kafka"]
        check_source(bootstrap, "readings", "none")
        assert s.stop() == 0, s.stderr()[-2000:]
    # BrokerSource reads the group offsets KafkaSource committed, from the stopped broker's data dir.
    records, summary = read_topic(["read-dir", s.data_dir, "readings", "--startup", "group-offsets", "--group", "job"])
    assert records == []
    assert summary["start_offsets"] == {str(p): PER_PARTITION + 2 for p in range(PARTITIONS)}
    records, _ = read_topic(["read-dir", s.data_dir, "readings", "--offsets", "0:99,2:101"])
    assert [(r["partition"], r["offset"]) for r in records] == [(0, 99), (0, 100), (0, 101), (2, 101)]


def test_kafka_source_timestamp_startup_is_exact_in_compressed_batches_on_floe():
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        bootstrap = "%s:%d" % s.doors["kafka"]
        base_ts = int(time.time() * 1000) - 3_600_000
        admin = AdminClient({"bootstrap.servers": bootstrap})
        admin.create_topics([NewTopic("ts", num_partitions=PARTITIONS, replication_factor=1)])["ts"].result(30)
        produce(bootstrap, "ts", 0, 300, base_ts, "lz4")
        records, _ = read_topic(["read-kafka", bootstrap, "ts", "--startup", "timestamp", "--timestamp", base_ts + 150])
        assert s.stop() == 0
    assert seqs(records) == list(range(150, 300))


def test_kafka_source_of_a_topic_that_does_not_exist_waits_then_says_so():
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        bootstrap = "%s:%d" % s.doors["kafka"]
        res = run_tool(["read-kafka", bootstrap, "nowhere", "--timeout-ms", "1500"])
        assert res.returncode == 1 and "topic nowhere does not exist" in res.stderr, res.stderr
        assert s.stop() == 0


def test_kafka_source_against_apache_kafka():
    if not any(kafka_peer.KAFKA_LIB.glob("*.jar")):
        pytest.skip(f"Apache Kafka jars not installed in {kafka_peer.KAFKA_LIB} (scripts/setup-peers.sh)")
    with contextlib.ExitStack() as stack:
        k = stack.enter_context(kafka_peer.kafka_broker())
        check_source(k.bootstrap, "readings", "lz4")
