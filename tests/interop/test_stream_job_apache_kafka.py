"""`floe job run` against Apache Kafka 4.x (KRaft, from Maven Central), not floe's broker: the job reads the topic
through librdkafka, writes 10-second windows to Iceberg through `floe catalog`, sends malformed events to the
dead-letter topic on that Kafka, and commits its consumer group's offsets there after each Iceberg commit (for lag
monitoring, as Flink's Kafka source does). Windows are compared with `floe produce --truth`."""
import csv
import datetime
import json
import subprocess
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from floe_process import REPO, FloeServer, floe_bin, run_floe

sys.path.insert(0, str(REPO / "bench"))
import kafka_peer  # noqa: E402

START_MS = 1732480000000

JOB = """
SET 'execution.checkpointing.interval' = '500 ms';
CREATE TABLE telemetry (
  sensor_id STRING, ts BIGINT, temperature DOUBLE, humidity DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'telemetry', 'properties.bootstrap.servers' = '{bootstrap}',
        'properties.group.id' = 'floe-job', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json',
        'scan.watermark.idle-timeout' = '2 s');
CREATE TABLE sensor_10s (
  window_start TIMESTAMP(3), window_end TIMESTAMP(3), sensor_id STRING, readings BIGINT,
  avg_temperature DOUBLE, min_temperature DOUBLE, max_temperature DOUBLE
) WITH ('connector' = 'iceberg', 'catalog-database' = 'telemetry', 'catalog-table' = 'sensor_10s');
INSERT INTO sensor_10s
SELECT window_start, window_end, sensor_id, COUNT(*), AVG(temperature), MIN(temperature), MAX(temperature)
FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, sensor_id;
"""


def ms(text):
    d = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return round(d.timestamp() * 1000)


def test_job_reads_apache_kafka_through_librdkafka(tmp_path):
    with kafka_peer.kafka_broker() as kafka, \
            FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0"], ["catalog"],
                       data_dir=str(tmp_path / "catalog")) as cat:
        bootstrap = kafka.bootstrap
        admin = AdminClient({"bootstrap.servers": bootstrap})  # kept: the futures need the live handle
        admin.create_topics([NewTopic("telemetry", num_partitions=3, replication_factor=1)])["telemetry"].result(30)
        truth_path = tmp_path / "truth.csv"
        p = run_floe(["produce", "--bootstrap", bootstrap, "--topic", "telemetry", "--sensors", "5", "--count", "2000",
                      "--rate", "0", "--seed", "9", "--start-ms", str(START_MS), "--truth", str(truth_path)],
                     timeout=120)
        assert p.returncode == 0, p.stderr
        bad = Producer({"bootstrap.servers": bootstrap})
        bad.produce("telemetry", key=b"s-00001", value=b'{"sensor_id": "s-00001", "ts": [1]}', partition=0)
        bad.flush(10)
        with open(truth_path) as f:
            truth = {(int(r["window_start_ms"]), r["sensor_id"]): r for r in csv.DictReader(f)}
        closed = {k for k in truth if k[0] + 10000 - 1 <= max(w for w, _ in truth) - 5000}

        job_file = tmp_path / "job.sql"
        job_file.write_text(JOB.format(bootstrap=bootstrap))
        catalog_url = cat.url("catalog", "/iceberg")
        job = subprocess.Popen([floe_bin(), "job", "run", str(job_file), "--catalog", catalog_url, "--data-dir",
                                str(tmp_path / "job")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            rows, deadline = {}, time.time() + 90
            while time.time() < deadline and not closed <= set(rows):
                time.sleep(0.5)
                res = run_floe(["table", "scan", "--catalog", catalog_url, "telemetry.sensor_10s", "--format", "json"])
                if res.returncode == 0:
                    rows = {}
                    for line in res.stdout.splitlines():
                        r = json.loads(line)
                        key = (ms(r["window_start"]), r["sensor_id"])
                        assert key not in rows, f"window {key} written twice"
                        rows[key] = r
            assert closed <= set(rows), f"{len(closed - set(rows))} closed windows missing"
            for key, r in rows.items():
                t = truth[key]
                assert r["readings"] == int(t["count"]), (key, r, t)
                assert r["min_temperature"] == float(t["min_temperature"]), (key, r, t)
                assert r["max_temperature"] == float(t["max_temperature"]), (key, r, t)
                want_avg = float(t["sum_temperature"]) / int(t["count"])
                assert abs(r["avg_temperature"] - want_avg) <= 1e-9 * abs(want_avg), (key, r, t)

            # The malformed event is on Apache Kafka's dead-letter topic, with the error and the raw event.
            c = Consumer({"bootstrap.servers": bootstrap, "group.id": "dlq-reader", "auto.offset.reset": "earliest"})
            c.subscribe(["telemetry-dead-letter"])
            dead, deadline = [], time.time() + 30
            while not dead and time.time() < deadline:
                m = c.poll(1.0)
                if m is not None and not m.error():
                    dead.append(json.loads(m.value()))
            c.close()
            assert len(dead) == 1 and "ts" in dead[0]["error"] and dead[0]["raw"].startswith('{"sensor_id"'), dead

            # The group's committed offsets reach the end of each partition once the job has caught up.
            ends = {}
            probe = Consumer({"bootstrap.servers": bootstrap, "group.id": "floe-job", "enable.auto.commit": False})
            for part in range(3):
                ends[part] = probe.get_watermark_offsets(TopicPartition("telemetry", part), timeout=10)[1]
            committed, deadline = {}, time.time() + 30
            while time.time() < deadline:
                committed = {tp.partition: tp.offset for tp in
                             probe.committed([TopicPartition("telemetry", p) for p in range(3)], timeout=10)}
                if committed == ends:
                    break
                time.sleep(0.5)
            probe.close()
            assert committed == ends
        finally:
            job.terminate()
            out, err = job.communicate(timeout=30)
        assert job.returncode == 0, err[-3000:]
