"""Consumer groups (the classic protocol) of real clients against `floe broker`: confluent-kafka 2.16 (librdkafka) with
two members sharing a 3-partition topic and one leaving, committed offsets across a broker restart, the Java client
4.4 consumer with commitSync, and kafka-python 3.0.12's KafkaConsumer. Every record is checked to be consumed exactly
once (a record may come twice only if its commit failed)."""
import socket
import struct
import subprocess
import time

import pytest
from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from floe_process import REPO, FloeServer, bootstrap, java_classpath

PARTITIONS = 3


@pytest.fixture
def config(tmp_path):
    """The broker config the tests run with: no initial rebalance delay (floe's default too, set here explicitly)."""
    path = tmp_path / "floe.toml"
    path.write_text("[broker]\ngroup_initial_rebalance_delay_ms = 0\n")
    return str(path)


def start_broker(config, data_dir=None):
    return FloeServer(["broker", "--kafka-listen", "127.0.0.1:0", "--config", config], ["kafka"], data_dir=data_dir)


def stop_cleanly(s):
    assert s.stop() == 0, s.stderr()
    assert "dropped without an answer" not in s.stderr(), s.stderr()


@pytest.fixture
def broker(config):
    with start_broker(config) as s:
        yield s
        stop_cleanly(s)


def create_topic(s, topic, partitions=PARTITIONS):
    admin = AdminClient({"bootstrap.servers": bootstrap(s)})
    admin.create_topics([NewTopic(topic, partitions, 1)])[topic].result(timeout=30)


def produce(s, topic, values):
    """Produces str(v) for each v, keyed so that all partitions get records; returns {value: partition}."""
    where = {}

    def delivered(err, msg):
        assert err is None, err
        where[int(msg.value())] = msg.partition()

    p = Producer({"bootstrap.servers": bootstrap(s), "linger.ms": 5})
    for v in values:
        p.produce(topic, key=f"k-{v % 29}", value=str(v), on_delivery=delivered)
    assert p.flush(30) == 0
    assert len(where) == len(values)
    return where


def group_consumer(s, group, **extra):
    conf = {"bootstrap.servers": bootstrap(s), "group.id": group, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "session.timeout.ms": 10000, "heartbeat.interval.ms": 300,
            "topic.metadata.refresh.interval.ms": 5000}
    conf.update(extra)
    return Consumer(conf)


class Member:
    """A confluent-kafka group member that commits synchronously after each batch it consumes."""

    def __init__(self, name, consumer):
        self.name, self.c = name, consumer
        self.records = []        # (partition, offset, value)
        self.uncommitted = set()  # values whose commit failed: the group may deliver them again

    def poll(self, timeout=0.1, max_records=50):
        batch = self.c.consume(max_records, timeout)
        for m in batch:
            assert not m.error(), f"{self.name}: {m.error()}"
            self.records.append((m.partition(), m.offset(), int(m.value())))
        if not batch:
            return
        try:
            self.c.commit(asynchronous=False)
        except KafkaException:
            self.uncommitted.update(int(m.value()) for m in batch)

    def partitions(self):
        return sorted(tp.partition for tp in self.c.assignment())


def check_exactly_once(members, values):
    seen = {}
    for m in members:
        for _, _, v in m.records:
            seen[v] = seen.get(v, 0) + 1
    uncommitted = set().union(*(m.uncommitted for m in members))
    missing = sorted(set(values) - set(seen))
    assert not missing, f"never consumed: {missing[:20]}"
    dups = sorted(v for v, n in seen.items() if n > 1 and v not in uncommitted)
    assert not dups, f"consumed twice although committed: {dups[:20]}"
    assert set(seen) <= set(values), f"unexpected values: {sorted(set(seen) - set(values))[:20]}"


def test_confluent_two_members_share_partitions_then_one_leaves(broker):
    topic, group = "groups-two", "two-members"
    create_topic(broker, topic)
    a = Member("a", group_consumer(broker, group))
    b = Member("b", group_consumer(broker, group))
    a.c.subscribe([topic])
    b.c.subscribe([topic])
    deadline = time.time() + 60
    while time.time() < deadline and not (a.partitions() and b.partitions() and
                                          len(a.partitions()) + len(b.partitions()) == PARTITIONS):
        a.poll(0.05)
        b.poll(0.05)
    pa, pb = a.partitions(), b.partitions()
    assert pa and pb, f"both members get partitions: a {pa}, b {pb}\n{broker.stderr()[-3000:]}"
    assert sorted(pa + pb) == list(range(PARTITIONS)), f"a {pa} and b {pb} split the partitions"

    first = list(range(300))
    where = produce(broker, topic, first)
    deadline = time.time() + 60
    while time.time() < deadline and len(a.records) + len(b.records) < len(first):
        a.poll(0.05)
        b.poll(0.05)
    check_exactly_once([a, b], first)
    for m, parts in ((a, pa), (b, pb)):
        for p, _, v in m.records:
            assert p in parts and where[v] == p, f"{m.name} read {v} from partition {p}, assigned {parts}"

    # b leaves (close sends LeaveGroup); a takes over every partition and resumes from the committed offsets.
    second = list(range(300, 600))
    produce(broker, topic, second)
    start = len(b.records)
    deadline = time.time() + 30
    while time.time() < deadline and len(b.records) - start < 20:
        b.poll(0.05, max_records=5)
    assert len(b.records) - start >= 20
    assert not b.uncommitted
    b_next = {p: max(o for q, o, _ in b.records if q == p) + 1 for p in pb}
    a_start = len(a.records)
    b.c.close()
    left_at, took_over_at = time.time(), None
    deadline = time.time() + 60
    while time.time() < deadline:
        a.poll(0.05)
        if took_over_at is None and a.partitions() == list(range(PARTITIONS)):
            took_over_at = time.time()
        consumed = {v for m in (a, b) for _, _, v in m.records}
        if took_over_at and set(second) <= consumed:
            break
    assert took_over_at, f"a has {a.partitions()} after b left\n{broker.stderr()[-3000:]}"
    # LeaveGroup rebalances at once, not after b's 10 s session timeout.
    assert took_over_at - left_at < 8, f"a took over {took_over_at - left_at:.1f} s after b left"
    check_exactly_once([a, b], first + second)
    for p in pb:
        took = [o for q, o, _ in a.records[a_start:] if q == p]
        assert took and min(took) == b_next[p], f"partition {p}: b got to {b_next[p]}, a went on from {took[:1]}"
    a.c.close()


def test_committed_offsets_survive_a_broker_restart(config, tmp_path):
    data = str(tmp_path / "data")
    topic = "durable-groups"
    with start_broker(config, data) as s:
        create_topic(s, topic)
        where = produce(s, topic, list(range(90)))
        c = Member("c", group_consumer(s, "durable"))
        c.c.subscribe([topic])
        deadline = time.time() + 60
        while time.time() < deadline and len(c.records) < 60:
            c.poll(max_records=5)
        assert 60 <= len(c.records) < 90 and not c.uncommitted
        committed = {tp.partition: tp.offset for tp in c.c.committed(
            [TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)}
        c.c.close()
        # A simple consumer (assign, no group management) commits with generation -1.
        simple = group_consumer(s, "simple")
        simple.assign([TopicPartition(topic, p, 0) for p in range(PARTITIONS)])
        simple.commit(offsets=[TopicPartition(topic, 0, 7), TopicPartition(topic, 2, 11)], asynchronous=False)
        simple.close()
        stop_cleanly(s)
    assert sum(o for o in committed.values() if o > 0) == len(c.records)

    with start_broker(config, data) as s:
        check = group_consumer(s, "durable")
        after = {tp.partition: tp.offset for tp in check.committed(
            [TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)}
        check.close()
        assert after == committed, f"after the restart {after}, before {committed}"
        simple = group_consumer(s, "simple")
        got = simple.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
        simple.close()
        assert [(tp.partition, tp.offset) for tp in got] == [(0, 7), (1, -1001), (2, 11)]

        # The group resumes where it committed: it reads exactly the records it had not consumed.
        c2 = Member("c2", group_consumer(s, "durable"))
        c2.c.subscribe([topic])
        rest = sorted(set(range(90)) - {v for _, _, v in c.records})
        deadline = time.time() + 60
        while time.time() < deadline and len(c2.records) < len(rest):
            c2.poll()
        for _ in range(5):
            c2.poll()
        assert sorted(v for _, _, v in c2.records) == rest
        for p, _, v in c2.records:
            assert where[v] == p
        c2.c.close()
        stop_cleanly(s)


def run_group_consume(s, topic, group, count):
    src = REPO / "tests" / "peers" / "kafka-clients" / "GroupConsume.java"
    res = subprocess.run(["java", "-Xmx256m", "-cp", java_classpath("kafka-clients"), str(src), bootstrap(s), topic,
                          group, str(count), "60000"], capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, f"{res.stderr[-3000:]}\nbroker: {s.stderr()[-2000:]}"
    lines = res.stdout.splitlines()
    records = [tuple(int(x) for x in line.split()[1:]) for line in lines if line.startswith("record ")]
    assigned = next(line for line in lines if line.startswith("assigned"))
    committed_line = next(line for line in lines if line.startswith("committed"))
    committed = {int(p): int(o) for p, o in (x.split(":") for x in committed_line.split()[1:])}
    return records, assigned, committed


def end_offsets(where):
    ends = {p: 0 for p in range(PARTITIONS)}
    for p in where.values():
        ends[p] += 1
    return ends


def test_java_consumer_group_commit_sync(broker):
    topic, group = "java-groups", "java-group"
    create_topic(broker, topic)
    where = produce(broker, topic, list(range(500)))
    records, assigned, committed = run_group_consume(broker, topic, group, 500)
    assert assigned == "assigned 0,1,2", assigned
    assert sorted(v for _, _, v in records) == list(range(500))
    for p, o, v in records:
        assert where[v] == p
    assert committed == end_offsets(where), f"committed {committed}"

    # A second run of the group continues after the committed offsets: only the new records.
    where.update(produce(broker, topic, list(range(500, 560))))
    records, _, committed = run_group_consume(broker, topic, group, 60)
    assert sorted(v for _, _, v in records) == list(range(500, 560))
    assert committed == end_offsets(where)


def test_kafka_python_consumer_group(broker):
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KTopicPartition

    topic, group = "kafka-python-groups", "kafka-python-group"
    create_topic(broker, topic)
    where = produce(broker, topic, list(range(200)))

    def consume(n):
        consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap(broker), group_id=group,
                                 enable_auto_commit=False, auto_offset_reset="earliest",
                                 session_timeout_ms=10000, heartbeat_interval_ms=1000, consumer_timeout_ms=500)
        got = []
        deadline = time.time() + 60
        while time.time() < deadline and len(got) < n:
            for msg in consumer:
                got.append((msg.partition, msg.offset, int(msg.value)))
                consumer.commit()
        assignment = sorted(tp.partition for tp in consumer.assignment())
        committed = {p: consumer.committed(KTopicPartition(topic, p)) for p in range(PARTITIONS)}
        consumer.close()
        return got, assignment, committed

    got, assignment, committed = consume(200)
    assert assignment == [0, 1, 2]
    assert sorted(v for _, _, v in got) == list(range(200))
    for p, _, v in got:
        assert where[v] == p
    assert committed == end_offsets(where)

    where.update(produce(broker, topic, list(range(200, 230))))
    got, _, committed = consume(30)
    assert sorted(v for _, _, v in got) == list(range(200, 230))
    assert committed == end_offsets(where)


# --- raw JoinGroup frames, for what no well-behaved client does ---

def _string(x):
    b = x.encode()
    return struct.pack(">h", len(b)) + b


def join_group_v1(group, topic, session_ms=6000, rebalance_ms=5000):
    """A JoinGroup v1 request frame of a new member subscribing to `topic` (ConsumerProtocolSubscription v0)."""
    subscription = struct.pack(">hi", 0, 1) + _string(topic) + struct.pack(">i", -1)
    body = (_string(group) + struct.pack(">ii", session_ms, rebalance_ms) + _string("") + _string("consumer") +
            struct.pack(">i", 1) + _string("range") + struct.pack(">i", len(subscription)) + subscription)
    header = struct.pack(">hhih", 11, 1, 7, 3) + b"raw"
    return struct.pack(">i", len(header) + len(body)) + header + body


def read_frame(sock):
    data = b""
    while len(data) < 4 or len(data) < 4 + struct.unpack(">i", data[:4])[0]:
        chunk = sock.recv(65536)
        assert chunk, "connection closed"
        data += chunk
    return data


def test_members_that_vanish_while_waiting_in_join_group_harm_nothing(broker):
    topic, group = "vanishing", "vanishing-group"
    create_topic(broker, topic)
    a = Member("a", group_consumer(broker, group))
    a.c.subscribe([topic])
    deadline = time.time() + 30
    while time.time() < deadline and a.partitions() != list(range(PARTITIONS)):
        a.poll(0.05)
    assert a.partitions() == list(range(PARTITIONS))

    # A member joins and disconnects before the rebalance completes: its answer goes to a closed connection. It
    # never heartbeats, so after its 6 s session the group rebalances without it and `a` owns everything again.
    raw = socket.create_connection(broker.doors["kafka"], timeout=10)
    raw.sendall(join_group_v1(group, topic))
    time.sleep(0.2)
    raw.close()
    saw_split = False
    deadline = time.time() + 30
    while time.time() < deadline:
        a.poll(0.05)
        saw_split = saw_split or (a.partitions() and a.partitions() != list(range(PARTITIONS)))
        if saw_split and a.partitions() == list(range(PARTITIONS)):
            break
    assert saw_split and a.partitions() == list(range(PARTITIONS)), broker.stderr()[-3000:]
    produce(broker, topic, list(range(30)))
    deadline = time.time() + 30
    while time.time() < deadline and len(a.records) < 30:
        a.poll(0.05)
    check_exactly_once([a], list(range(30)))
    a.c.close()

    # A join still waiting when the broker stops (x never rejoins for y's rebalance): shutdown answers it and exits.
    x = socket.create_connection(broker.doors["kafka"], timeout=10)
    x.sendall(join_group_v1("stuck", topic, session_ms=30000, rebalance_ms=30000))
    # Correlation id 7, no error, generation 1: x alone makes up the group.
    assert struct.unpack(">iihi", read_frame(x)[:14])[1:] == (7, 0, 1)
    y = socket.create_connection(broker.doors["kafka"], timeout=10)
    y.sendall(join_group_v1("stuck", topic, session_ms=30000, rebalance_ms=30000))
    time.sleep(0.3)
    stop_cleanly(broker)
    x.close()
    y.close()
