"""Stream jobs end to end: `floe up` running the seed job, `floe job run` against a separate `floe broker` and
`floe catalog`, each checked row for row against the ground truth of `floe produce --truth`; late and malformed events
going to their side topics; and exactly-once across SIGKILLs of the job (and of the whole `floe up`) at random
moments."""
import csv
import datetime
import json
import os
import random
import signal
import subprocess
import time

import pytest

from floe_process import FloeServer, floe_bin, run_floe

SENSOR_10S = ["window_start", "window_end", "sensor_id", "readings", "avg_temperature", "min_temperature",
              "max_temperature", "avg_humidity"]


def to_ms(text):
    """Milliseconds since the epoch of a timestamp as `floe table scan --format json` prints it (UTC)."""
    t = text.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return round(d.timestamp() * 1000)


def produce(bootstrap, tmp_path, count, sensors=5, seed=1, name="truth.csv", *extra):
    truth = os.path.join(tmp_path, name)
    res = run_floe(["produce", "--bootstrap", bootstrap, "--topic", "telemetry", "--sensors", str(sensors),
                    "--count", str(count), "--rate", "0", "--seed", str(seed), "--truth", truth, *extra], timeout=180)
    assert res.returncode == 0, res.stderr
    return read_truth(truth)


def read_truth(path):
    """{(window_start_ms, sensor_id): (count, sum_centi, min, max)}"""
    out = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            out[(int(row["window_start_ms"]), row["sensor_id"])] = (
                int(row["count"]), round(float(row["sum_temperature"]) * 100), float(row["min_temperature"]),
                float(row["max_temperature"]))
    return out


def scan(catalog_url, table, where=None):
    args = ["table", "scan", "--catalog", catalog_url, table, "--format", "json"]
    if where:
        args += ["--where", where]
    res = run_floe(args, timeout=120)
    if res.returncode != 0:
        return None, res.stderr
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip()], ""


def window_rows(catalog_url):
    rows, err = scan(catalog_url, "telemetry.sensor_10s")
    if rows is None:
        return None
    out = {}
    for r in rows:
        key = (to_ms(r["window_start"]), r["sensor_id"])
        assert key not in out, f"duplicate window row {key}: {r} and {out[key]}"
        out[key] = r
    return out


def closed_windows(truth, max_event_ms, delay_ms=5000, size_ms=10000):
    """The truth windows a watermark of max event time - delay has closed (end - 1 <= watermark)."""
    return {k: v for k, v in truth.items() if k[0] + size_ms - 1 <= max_event_ms - delay_ms}


def assert_windows_match(got, truth, expect_all):
    for key, r in got.items():
        assert key in truth, f"window row {key} has no events in the truth file: {r}"
        count, sum_centi, mn, mx = truth[key]
        assert r["readings"] == count, (key, r, truth[key])
        assert to_ms(r["window_end"]) == key[0] + 10000, r
        assert r["min_temperature"] == pytest.approx(mn, abs=1e-9), (key, r)
        assert r["max_temperature"] == pytest.approx(mx, abs=1e-9), (key, r)
        assert r["avg_temperature"] == pytest.approx(sum_centi / 100 / count, rel=1e-9), (key, r)
    missing = sorted(set(expect_all) - set(got))
    assert not missing, f"{len(missing)} closed windows missing, first {missing[:3]}"


def wait_for(fn, timeout, what):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last {last!r}")


@pytest.fixture
def up(tmp_path):
    server = FloeServer(["up", "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0",
                         "--http-listen", "127.0.0.1:0"], ["kafka", "catalog"], data_dir=str(tmp_path / "up"))
    yield server
    server.stop()


def test_floe_up_runs_the_seed_job_and_windows_match_the_truth(up, tmp_path):
    assert [line.split()[0] for line in up.lines] == ["listening"] * 3 + ["ready"], up.lines
    kafka = "%s:%d" % up.doors["kafka"]
    catalog = up.url("catalog", "/iceberg")
    start = 1_700_000_000_000
    truth = produce(kafka, tmp_path, 3000, 5, 11, "truth.csv", "--start-ms", str(start))
    last_event = start + (3000 // 5 - 1) * 1000
    expected = closed_windows(truth, last_event)
    assert len(expected) > 250
    got = wait_for(lambda: (w := window_rows(catalog)) is not None and len(w) >= len(expected) and w, 60,
                   "the closed windows in telemetry.sensor_10s")
    assert_windows_match(got, truth, expected)
    readings = wait_for(lambda: (r := scan(catalog, "telemetry.readings")[0]) is not None and len(r) == 3000 and r,
                        30, "3000 rows in telemetry.readings")
    assert sorted((r["sensor_id"], r["ts"]) for r in readings) == sorted(set((r["sensor_id"], r["ts"]) for r in readings))
    # Status on the command line.
    st = run_floe(["job", "status", "seed", "--data-dir", up.data_dir, "--format", "json"])
    assert st.returncode == 0, st.stderr
    job = json.loads(st.stdout)[0]
    assert job["job"] == "seed" and job["alive"] is True
    by_name = {p["pipeline"]: p for p in job["pipelines"]}
    assert set(by_name) == {"readings", "sensor_10s"}
    assert by_name["readings"]["events_in"] == 3000
    assert by_name["sensor_10s"]["bad_events"] == 0


JOB_SQL = """
SET 'execution.checkpointing.interval' = '{interval}';
CREATE TABLE src (
  sensor_id STRING, ts BIGINT, temperature DOUBLE, humidity DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'telemetry', 'properties.bootstrap.servers' = 'unused:1',
        'properties.group.id' = 'e2e', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json',
        'scan.watermark.idle-timeout' = '2 s');
CREATE TABLE sensor_10s (
  window_start TIMESTAMP(3), window_end TIMESTAMP(3), sensor_id STRING, readings BIGINT,
  avg_temperature DOUBLE, min_temperature DOUBLE, max_temperature DOUBLE, avg_humidity DOUBLE
) WITH ('connector' = 'iceberg', 'catalog-database' = 'telemetry', 'catalog-table' = 'sensor_10s');
INSERT INTO sensor_10s
SELECT window_start, window_end, sensor_id, COUNT(*), AVG(temperature), MIN(temperature), MAX(temperature),
       AVG(humidity)
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, sensor_id;
"""


@pytest.fixture
def cluster(tmp_path):
    broker = FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"], data_dir=str(tmp_path / "broker"))
    catalog = FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0"], ["catalog"],
                         data_dir=str(tmp_path / "catalog"))
    yield "%s:%d" % broker.doors["kafka"], catalog.url("catalog", "/iceberg")
    broker.stop()
    catalog.stop()


def start_job(tmp_path, bootstrap, catalog, sql, name="windows"):
    path = tmp_path / f"{name}.sql"
    path.write_text(sql)
    out = open(tmp_path / f"{name}.out", "a")
    err = open(tmp_path / f"{name}.err", "a")
    return subprocess.Popen([floe_bin(), "job", "run", str(path), "--bootstrap", bootstrap, "--catalog", catalog,
                             "--data-dir", str(tmp_path / "jobdata")], stdout=out, stderr=err)


def test_job_run_survives_repeated_sigkill_with_exactly_once_windows(cluster, tmp_path):
    bootstrap, catalog = cluster
    start = 1_700_000_000_000
    sql = JOB_SQL.format(interval="200 ms")
    rng = random.Random(7)
    job = start_job(tmp_path, bootstrap, catalog, sql)
    # Produce in slices while the job is killed at random moments; every slice's events are acknowledged first.
    # A slice of 1000 events from 5 sensors spans a little over 200 s of event time (sensors drop out now and then):
    # slices start 300 s apart.
    truth_total = {}
    sent = 0
    for i in range(6):
        time.sleep(rng.uniform(0.3, 1.5))
        job.send_signal(signal.SIGKILL)
        job.wait()
        part = produce(bootstrap, tmp_path, 1000, 5, 100 + i, f"truth{i}.csv", "--start-ms",
                       str(start + i * 300 * 1000))
        for k, v in part.items():
            assert k not in truth_total  # slices cover disjoint event-time ranges
            truth_total[k] = v
        sent += 1000
        job = start_job(tmp_path, bootstrap, catalog, sql)
    last_event = max(k[0] for k in truth_total)  # a lower bound of the largest event time (sensors drop out)
    expected = closed_windows(truth_total, last_event)
    got = wait_for(lambda: (w := window_rows(catalog)) is not None and len(w) >= len(expected) and w, 90,
                   "every closed window after the kills")
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=30) == 0
    assert_windows_match(got, truth_total, expected)


def test_job_sends_malformed_events_to_the_dead_letter_topic_and_keeps_running(cluster, tmp_path):
    bootstrap, catalog = cluster
    job = start_job(tmp_path, bootstrap, catalog, JOB_SQL.format(interval="500 ms"))
    try:
        from confluent_kafka import Consumer, Producer
        p = Producer({"bootstrap.servers": bootstrap})
        p.produce("telemetry", key=b"s-1", value=b'{"sensor_id": "s-1", "ts": "not a number"}')
        p.produce("telemetry", key=b"s-1", value=b'{not json')
        p.flush(10)
        start = 1_700_000_000_000
        truth = produce(bootstrap, tmp_path, 500, 5, 3, "truth.csv", "--start-ms", str(start))
        expected = closed_windows(truth, start + (500 // 5 - 1) * 1000)
        got = wait_for(lambda: (w := window_rows(catalog)) is not None and len(w) >= len(expected) and w, 60,
                       "windows after the bad events")
        assert_windows_match(got, truth, expected)
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "dlq-check", "auto.offset.reset": "earliest"})
        c.subscribe(["telemetry-dead-letter"])
        errors = []
        deadline = time.time() + 30
        while len(errors) < 2 and time.time() < deadline:
            m = c.poll(1.0)
            if m is not None and not m.error():
                errors.append(json.loads(m.value()))
        c.close()
        assert len(errors) == 2, errors
        assert {e["offset"] for e in errors} == {0, 1}
        assert "ts" in errors[0]["error"] and errors[0]["raw"].startswith('{"sensor_id"')
        assert "JSON" in errors[1]["error"] or "json" in errors[1]["error"]
    finally:
        job.send_signal(signal.SIGTERM)
        assert job.wait(timeout=30) == 0


def test_job_file_errors_point_at_line_and_column(cluster, tmp_path):
    bootstrap, catalog = cluster
    bad = JOB_SQL.format(interval="1 s").replace("MIN(temperature)", "MIN(temprature)")
    path = tmp_path / "bad.sql"
    path.write_text(bad)
    res = run_floe(["job", "run", str(path), "--bootstrap", bootstrap, "--catalog", catalog, "--data-dir",
                    str(tmp_path / "d")])
    assert res.returncode == 2
    assert "bad.sql: line" in res.stderr and "temprature" in res.stderr, res.stderr


def test_floe_up_survives_repeated_sigkill_with_exactly_once_windows_and_readings(tmp_path):
    """The whole `floe up` (broker, catalog and job in one process) is SIGKILLed at random moments while it
    processes; after the last restart every closed window and every raw reading is in Iceberg exactly once."""
    data = str(tmp_path / "up")
    start = 1_700_000_000_000
    rng = random.Random(11)
    truth_total = {}
    slices = 5
    for i in range(slices):
        up = FloeServer(["up", "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0", "--http-listen",
                         "127.0.0.1:0"], ["kafka", "catalog"], data_dir=data)
        kafka = "%s:%d" % up.doors["kafka"]
        part = produce(kafka, tmp_path, 1000, 5, 200 + i, f"truth{i}.csv", "--start-ms", str(start + i * 300 * 1000))
        for k, v in part.items():
            assert k not in truth_total
            truth_total[k] = v
        time.sleep(rng.uniform(0.05, 1.2))
        up.stop(signal.SIGKILL)
    up = FloeServer(["up", "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0", "--http-listen",
                     "127.0.0.1:0"], ["kafka", "catalog"], data_dir=data)
    try:
        catalog = up.url("catalog", "/iceberg")
        last_event = max(k[0] for k in truth_total)  # a lower bound of the largest event time (sensors drop out)
        expected = closed_windows(truth_total, last_event)
        got = wait_for(lambda: (w := window_rows(catalog)) is not None and len(w) >= len(expected) and w, 90,
                       "every closed window after the kills")
        assert_windows_match(got, truth_total, expected)
        readings = wait_for(lambda: (r := scan(catalog, "telemetry.readings")[0]) is not None and
                            len(r) >= slices * 1000 and r, 60, "every reading")
        keys = [(r["sensor_id"], r["ts"]) for r in readings]
        assert len(keys) == len(set(keys)) == slices * 1000
    finally:
        assert up.stop() == 0
