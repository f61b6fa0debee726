"""Large fetches against `floe broker`: a partition's batches of 64 KiB or more are sent from the log files with
sendfile (src/floe/broker/handlers/fetch.cpp), in responses that also carry small partitions copied inline. Four
independent fetch parsers read a topic whose segments are 256 KiB, so that most fetches span segments: librdkafka
(confluent-kafka), kafka-python (pure Python), kafkajs (in a consumer group) and kcat. Each checks every record's value, the offsets (contiguous
from 0 in every partition) and the order; while kafka-python reads, records are still being appended."""
import hashlib
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from floe_process import REPO, bootstrap

PARTITIONS = 3
COUNT = 30_000          # ~7.5 MB of values: ~2.5 MB, ten segments, per partition
SEGMENT_BYTES = 256 * 1024
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def value_of(partition, seq):
    """~250 bytes that differ record to record (a wrong byte anywhere shows), naming where the record belongs."""
    head = f"{partition}:{seq:06d}:"
    filler = hashlib.sha256(head.encode()).hexdigest() * 4
    return (head + filler[:240 - len(head)]).encode()


def create_topic(s, topic):
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap(s)})
    fs = admin.create_topics([NewTopic(topic, PARTITIONS, 1, config={"segment.bytes": str(SEGMENT_BYTES)})])
    fs[topic].result(30)


def produce(s, topic, partition_seqs):
    """Produces value_of(p, seq) for each (p, seq) in order, to partition p; waits for every acknowledgement."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap(s), "acks": "all", "linger.ms": 5, "batch.size": 64 * 1024,
                         "enable.idempotence": True, "client.id": "floe-interop-large-fetch"})
    failures = []

    def report(err, _msg):
        if err is not None:
            failures.append(err)

    for p, seq in partition_seqs:
        while True:
            try:
                producer.produce(topic, value=value_of(p, seq), partition=p, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    assert producer.flush(60) == 0, f"records undelivered; broker: {s.stderr()[-2000:]}"
    assert not failures, f"delivery failed: {failures[:3]}; broker: {s.stderr()[-2000:]}"


def check(rows, source, counts):
    """rows: (partition, offset, value bytes) in the order a client handed them out."""
    last = {}
    seen = {p: 0 for p in range(PARTITIONS)}
    for p, offset, value in rows:
        assert offset == last.get(p, -1) + 1, f"{source}: partition {p} offset {offset} after {last.get(p)}"
        last[p] = offset
        assert value == value_of(p, offset), f"{source}: partition {p} offset {offset}: wrong bytes {value[:40]!r}"
        seen[p] += 1
    assert seen == counts, f"{source}: read {seen}, expected {counts}"


def read_with_librdkafka(s, topic):
    """Every record of `topic` as (partition, offset, value), read with confluent-kafka assigned to each partition from
    the beginning (no group membership, no commits)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap(s), "group.id": f"unused-{topic}", "enable.auto.commit": False,
                         "enable.partition.eof": False, "client.id": "floe-interop-large-fetch"})
    rows = []
    try:
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
        deadline = time.time() + 120
        while len(rows) < COUNT and time.time() < deadline:
            for m in consumer.consume(10000, 0.5):
                assert m.error() is None, f"consumer error {m.error()}; broker: {s.stderr()[-2000:]}"
                rows.append((m.partition(), m.offset(), m.value()))
    finally:
        consumer.close()
    return rows


def all_seqs(per_partition, start=0):
    return [(p, seq) for seq in range(start, start + per_partition) for p in range(PARTITIONS)]


def test_librdkafka_and_kcat_read_a_multi_segment_topic_from_the_start(broker):
    topic = "large-fetch"
    create_topic(broker, topic)
    per = COUNT // PARTITIONS
    produce(broker, topic, all_seqs(per))
    segments = {p: len(list(Path(broker.data_dir, "kafka", f"{topic}-{p}").glob("*.log"))) for p in range(PARTITIONS)}
    assert all(n >= 5 for n in segments.values()), f"expected many segments per partition: {segments}"

    check(read_with_librdkafka(broker, topic), "confluent-kafka", {p: per for p in range(PARTITIONS)})

    # kcat: one partition to the end, values only, the record separator a newline (no value contains one).
    res = subprocess.run(["kcat", "-b", bootstrap(broker), "-C", "-t", topic, "-p", "1", "-o", "beginning", "-e",
                          "-f", "%o %s\\n"], capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr.decode()
    lines = res.stdout.split(b"\n")[:-1]
    check([(1, int(o), v) for o, v in (line.split(b" ", 1) for line in lines)], "kcat", {0: 0, 1: per, 2: 0})


def test_kafkajs_group_consumer_reads_a_multi_segment_topic(broker):
    script = REPO / "tests" / "peers" / "js" / "consume_all.js"
    assert (REPO / "tests" / "peers" / "js" / "node_modules" / "kafkajs").is_dir(), \
        "kafkajs is not installed: run scripts/setup-peers.sh"
    topic = "large-fetch-kafkajs"
    create_topic(broker, topic)
    per = COUNT // PARTITIONS
    produce(broker, topic, all_seqs(per))
    res = subprocess.run(["node", str(script), bootstrap(broker), topic, str(COUNT)], capture_output=True,
                         timeout=180)
    assert res.returncode == 0, f"kafkajs: {res.stderr.decode()[-3000:]}\nbroker: {broker.stderr()[-2000:]}"
    rows = [(int(p), int(o), v.encode("latin1"))
            for p, o, v in (line.split(" ", 2) for line in res.stdout.decode("latin1").splitlines())]
    check(rows, "kafkajs", {p: per for p in range(PARTITIONS)})


def test_kafka_python_reads_large_fetches_while_records_are_appended(broker):
    from kafka import KafkaConsumer, TopicPartition

    topic = "large-fetch-live"
    create_topic(broker, topic)
    first = COUNT // PARTITIONS // 2
    produce(broker, topic, all_seqs(first))
    # The rest is appended while the consumer reads: fetches then mix sent-from-file partitions with small ones.
    more = threading.Thread(target=produce, args=(broker, topic, all_seqs(first, start=first)))
    more.start()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap(broker), group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest", client_id="floe-interop-large-fetch",
                             max_partition_fetch_bytes=1 << 20, fetch_max_bytes=50 << 20)
    rows = []
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(PARTITIONS)])
        consumer.seek_to_beginning()
        deadline = time.time() + 120
        while len(rows) < 2 * first * PARTITIONS and time.time() < deadline:
            for tp, batch in consumer.poll(timeout_ms=500, max_records=20000).items():
                rows.extend((r.partition, r.offset, r.value) for r in batch)
    finally:
        consumer.close()
        more.join(120)
    check(rows, "kafka-python", {p: 2 * first for p in range(PARTITIONS)})


def fetch_v4(topic, partitions, max_bytes, correlation_id=7):
    """A Fetch v4 request frame: every partition from offset 0, up to max_bytes each."""
    client = b"floe-interop-raw"
    body = struct.pack(">iiiib", -1, 100, 1, 64 << 20, 0)  # replica, max_wait_ms, min_bytes, max_bytes, isolation
    body += struct.pack(">ih", 1, len(topic)) + topic.encode() + struct.pack(">i", len(partitions))
    for p in partitions:
        body += struct.pack(">iqi", p, 0, max_bytes)
    msg = struct.pack(">hhih", 1, 4, correlation_id, len(client)) + client + body
    return struct.pack(">i", len(msg)) + msg


def test_a_client_that_disconnects_in_the_middle_of_a_large_fetch_leaves_the_broker_serving(broker):
    topic = "large-fetch-abandoned"
    create_topic(broker, topic)
    per = COUNT // PARTITIONS
    produce(broker, topic, all_seqs(per))
    for attempt in range(5):
        # Four pipelined fetches of the whole topic (~7.5 MB each, more than the kernel buffers between the two) and
        # a small receive window keep the broker in the middle of sending when the client resets the connection; the
        # broker's next send then fails (with SIGPIPE, which kills a process that does not ignore it).
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.connect(broker.doors["kafka"])
        c.sendall(b"".join(fetch_v4(topic, range(PARTITIONS), 16 << 20, correlation_id=attempt) for _ in range(4)))
        got = c.recv(4096)
        assert len(got) > 8, f"attempt {attempt}: no response bytes"
        size, correlation = struct.unpack(">ii", got[:8])
        assert correlation == attempt and size > 6 << 20, (size, correlation)
        # As a killed consumer's socket does: a FIN first (the broker's end is then in CLOSE_WAIT), then a reset for
        # the data that keeps coming, after which the broker's next send fails with EPIPE.
        c.shutdown(socket.SHUT_WR)
        time.sleep(0.2)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
        time.sleep(0.2)
        assert broker.proc.poll() is None, f"broker died (exit {broker.proc.returncode}): {broker.stderr()[-2000:]}"
    # And the topic still reads back whole.
    check(read_with_librdkafka(broker, topic), "confluent-kafka after abandoned fetches",
          {p: per for p in range(PARTITIONS)})
