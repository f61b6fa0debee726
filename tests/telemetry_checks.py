"""Checks shared by the tests of the telemetry producers (`floe produce`, ingestion/producer.py): read a topic back,
where murmur2 puts each key, and the ground-truth CSV recomputed independently from the records' JSON."""
import json
import socket
import time
from decimal import Decimal

from floe_process import run_floe

TRUTH_HEADER = "window_start_ms,sensor_id,count,sum_temperature,min_temperature,max_temperature"


def free_port() -> int:
    """A TCP port nothing listens on right now (for "unreachable broker" tests and restarts on a fixed port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_topic(bootstrap, topic, partitions=3, timeout=60):
    """Every record of the topic up to the current end of each partition, as (partition, offset, key, value) with
    key and value as bytes, sorted by partition and offset."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"check-{topic}", "enable.auto.commit": False,
                         "enable.partition.eof": True})
    rows, at_end = [], set()
    try:
        consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
        deadline = time.time() + timeout
        while len(at_end) < partitions:
            assert time.time() < deadline, f"did not reach the end of {topic}'s partitions {partitions} within " \
                                           f"{timeout} s (at the end: {sorted(at_end)})"
            for m in consumer.consume(1000, 0.5):
                if m.error():
                    assert m.error().code() == -191, f"reading {topic}: {m.error()}"  # _PARTITION_EOF
                    at_end.add(m.partition())
                    continue
                rows.append((m.partition(), m.offset(), m.key(), m.value()))
    finally:
        consumer.close()
    return sorted(rows)


def murmur2_partitions(keys, partitions=3):
    """{key: partition} as `floe partition` (tested against the Java client's partitioner) gives them."""
    res = run_floe(["partition", "--partitions", str(partitions)], input="\n".join(keys) + "\n")
    assert res.returncode == 0, res.stderr
    return {k: int(p) for k, p in (line.split("\t") for line in res.stdout.splitlines())}


def truth_from_values(values, window_ms=10000):
    """The truth CSV recomputed from JSON event values with exact decimals (independent of both producers' code)."""
    agg = {}
    for v in values:
        e = json.loads(v, parse_float=Decimal)
        centi = int(e["temperature"] * 100)
        key = (e["ts"] // window_ms * window_ms, int(e["sensor_id"][2:]))
        a = agg.setdefault(key, [0, 0, centi, centi])
        a[0] += 1
        a[1] += centi
        a[2], a[3] = min(a[2], centi), max(a[3], centi)

    def fixed(c):
        return f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"

    rows = [TRUTH_HEADER]
    for (start, sensor), (n, total, low, high) in sorted(agg.items()):
        rows.append(f"{start},s-{sensor:05d},{n},{fixed(total)},{fixed(low)},{fixed(high)}")
    return "\n".join(rows) + "\n"
