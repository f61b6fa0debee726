"""Durability under SIGKILL: the broker is killed at random moments while an idempotent producer (librdkafka via
confluent-kafka, acks=all) keeps producing through the restarts. Afterwards every acknowledged record is in the
log exactly once, in order per partition, and nothing appears twice."""
import random
import signal
import threading
import time

from confluent_kafka import Consumer, Producer, TopicPartition

from floe_process import FloeServer

TOPIC = "crash"


def start(data_dir, port):
    return FloeServer(["broker", "--kafka-listen", f"127.0.0.1:{port}"], ["kafka"], data_dir=data_dir)


def test_every_acknowledged_record_survives_repeated_sigkill(tmp_path):
    data = str(tmp_path / "data")
    broker = start(data, 0)
    port = broker.doors["kafka"][1]
    bootstrap = f"127.0.0.1:{port}"
    acked, errors = set(), []
    lock = threading.Lock()

    def on_delivery(err, msg):
        if err is None:
            with lock:
                acked.add(int(msg.value()))
        else:
            errors.append(str(err))

    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                         "linger.ms": 2, "message.timeout.ms": 60000, "retry.backoff.ms": 50,
                         "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 200})
    stop = threading.Event()
    sent = [0]

    def produce():
        i = 0
        while not stop.is_set():
            try:
                producer.produce(TOPIC, key=f"s-{i % 50:05d}", value=str(i), on_delivery=on_delivery)
                i += 1
            except BufferError:
                pass
            producer.poll(0 if i % 100 else 0.001)
        sent[0] = i

    t = threading.Thread(target=produce)
    t.start()
    rng = random.Random(42)
    kills = 0
    try:
        for _ in range(8):
            time.sleep(rng.uniform(0.3, 1.2))
            broker.proc.send_signal(signal.SIGKILL)
            broker.proc.wait()
            kills += 1
            broker = start(data, port)
        time.sleep(1.0)
    finally:
        stop.set()
        t.join()
    remaining = producer.flush(60)
    assert remaining == 0, f"{remaining} records never delivered; errors {errors[:5]}"
    assert kills == 8
    assert len(acked) > 1000, f"only {len(acked)} acked; errors {errors[:5]}; broker {broker.stderr()[-1500:]}"

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    parts = [TopicPartition(TOPIC, p, 0) for p in range(3)]
    consumer.assign(parts)
    seen, order = [], {}
    deadline = time.time() + 60
    while time.time() < deadline:
        msgs = consumer.consume(10000, timeout=1.0)
        if not msgs and len(seen) >= sent[0] - len(errors):
            break
        for m in msgs:
            assert m.error() is None, m.error()
            v = int(m.value())
            seen.append(v)
            order.setdefault(m.key().decode(), []).append(v)
    consumer.close()
    dupes = len(seen) - len(set(seen))
    assert dupes == 0, f"{dupes} records appear twice"
    missing = acked - set(seen)
    assert not missing, f"{len(missing)} acknowledged records lost, e.g. {sorted(missing)[:10]}"
    for key, values in order.items():
        assert values == sorted(values), f"key {key} out of order"
    print(f"sent {sent[0]}, acked {len(acked)}, consumed {len(seen)}, kills {kills}, delivery errors {len(errors)}")
    assert broker.stop() == 0
