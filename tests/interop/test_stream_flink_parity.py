"""Apache Flink runs the stream engine's reference SQL job over a topic on `floe broker`, and its window rows agree
with the producer's ground truth: Flink's Kafka SQL source (the connector's shaded Kafka client, two source
subtasks reading three partitions) against floe's broker, end to end through Flink's window aggregation.

Issue 7 (parity): floe runs the same SQL text (`floe job run`, into an Iceberg table of `floe catalog`) and gives
the same window rows on the windows both engines close: Flink's bounded source ends with the final watermark and so
also closes the last, partial windows, which a running floe job keeps open (`windows_both_close`).
"""
import csv
import datetime
import json
import subprocess
import time
from collections import defaultdict

import pytest

from flink_peer import REPO, epoch_ms, plan_job, run_flink_sql, split_statements, windows_both_close
from floe_process import FloeServer, floe_bin, run_floe
from telemetry_checks import read_topic

START_MS = 1732480000000  # a fixed event-time origin, on a 10 s boundary: the same windows every run
WINDOW_MS = 10000
DELAY_MS = 5000  # the WATERMARK's delay in the job below
TOPIC = "telemetry"

SOURCE_DDL = """
CREATE TABLE telemetry (
  sensor_id STRING,
  ts BIGINT,
  temperature DOUBLE,
  humidity DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'telemetry',
  'properties.bootstrap.servers' = '{bootstrap}',
  'properties.group.id' = 'flink-parity',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'
)"""

QUERY = """
SELECT window_start, window_end, sensor_id, COUNT(*) AS readings, AVG(temperature) AS avg_temperature,
  MIN(temperature) AS min_temperature, MAX(temperature) AS max_temperature, AVG(humidity) AS avg_humidity
FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, sensor_id"""


SINK_DDL = """
CREATE TABLE sensor_10s (
  window_start TIMESTAMP(3), window_end TIMESTAMP(3), sensor_id STRING, readings BIGINT,
  avg_temperature DOUBLE, min_temperature DOUBLE, max_temperature DOUBLE, avg_humidity DOUBLE
) WITH ('connector' = 'iceberg', 'catalog-database' = 'telemetry', 'catalog-table' = 'sensor_10s')"""


def scan_ms(text):
    d = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return round(d.timestamp() * 1000)


def floe_window_rows(catalog_url):
    res = run_floe(["table", "scan", "--catalog", catalog_url, "telemetry.sensor_10s", "--format", "json"], timeout=60)
    if res.returncode != 0:
        return {}
    rows = {}
    for line in res.stdout.splitlines():
        r = json.loads(line)
        key = (scan_ms(r["window_start"]), r["sensor_id"])
        assert key not in rows, f"floe wrote window {key} twice"
        rows[key] = (r["readings"], r["avg_temperature"], r["min_temperature"], r["max_temperature"],
                     r["avg_humidity"], scan_ms(r["window_end"]))
    return rows


def pinned_flink_version():
    for line in (REPO / "tests" / "requirements-flink.txt").read_text().splitlines():
        if line.startswith("apache-flink=="):
            return line.split("==")[1].strip()
    raise AssertionError("tests/requirements-flink.txt pins no apache-flink")


def read_truth(path):
    """{(window_start_ms, sensor_id): (count, sum, min, max)} from `floe produce --truth`."""
    with open(path) as f:
        return {(int(r["window_start_ms"]), r["sensor_id"]): (int(r["count"]), float(r["sum_temperature"]),
                                                              float(r["min_temperature"]), float(r["max_temperature"]))
                for r in csv.DictReader(f)}


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b))


def test_flink_sql_tumble_job_over_floe_broker_matches_the_truth(tmp_path):
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"], data_dir=str(tmp_path / "data")) as b:
        bootstrap = "%s:%d" % b.doors["kafka"]
        truth_path = tmp_path / "truth.csv"
        p = run_floe(["produce", "--bootstrap", bootstrap, "--topic", TOPIC, "--sensors", "5", "--count", "3000",
                      "--rate", "0", "--seed", "7", "--start-ms", str(START_MS), "--truth", str(truth_path),
                      "--progress-interval", "0"], timeout=120)
        assert p.returncode == 0, p.stderr
        assert "acked 3000, failed 0" in p.stdout, p.stdout
        truth = read_truth(truth_path)

        # Humidity is not in the truth file: its per-window sums come from the topic itself, read by librdkafka.
        events = [json.loads(v) for _, _, _, v in read_topic(bootstrap, TOPIC)]
        assert len(events) == 3000
        humidity = defaultdict(lambda: [0, 0.0])
        for e in events:
            h = humidity[(e["ts"] // WINDOW_MS * WINDOW_MS, e["sensor_id"])]
            h[0] += 1
            h[1] += e["humidity"]
        max_event_ms = max(e["ts"] for e in events)

        # One job text for both engines. The idle timeout lets floe's watermark pass a partition that got no sensor
        # (Flink instead ends its bounded source with the final watermark).
        job_sql = ("SET 'table.exec.source.idle-timeout' = '2 s';\n" + SOURCE_DDL.format(bootstrap=bootstrap) +
                   ";\n" + SINK_DDL + ";\nINSERT INTO sensor_10s " + QUERY + ";\n")
        flink = run_flink_sql(bootstrap, job_sql, topic=TOPIC, parallelism=2, timeout=240,
                              work_dir=str(tmp_path / "flink"))
        print(f"Flink {flink.flink_version}: {len(flink.rows)} rows in {flink.seconds:.1f} s (startup "
              f"{flink.startup_seconds:.1f} s, job {flink.job_seconds:.1f} s)")

        # floe runs the same file with `floe job run`, into an Iceberg table of `floe catalog`.
        with FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0"], ["catalog"],
                        data_dir=str(tmp_path / "catalog")) as c:
            catalog_url = c.url("catalog", "/iceberg")
            job_file = tmp_path / "parity.sql"
            job_file.write_text(job_sql)
            job = subprocess.Popen([floe_bin(), "job", "run", str(job_file), "--bootstrap", bootstrap, "--catalog",
                                    catalog_url, "--data-dir", str(tmp_path / "job")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            both_keys = {(epoch_ms(r[0]), r[2]) for r in windows_both_close(flink.rows, max_event_ms, DELAY_MS)}
            floe_rows, deadline = {}, time.time() + 60
            while time.time() < deadline and not both_keys <= set(floe_rows):
                time.sleep(0.5)
                floe_rows = floe_window_rows(catalog_url)
            job.terminate()
            out, err = job.communicate(timeout=30)
            assert job.returncode == 0, err[-2000:]
            assert c.stop() == 0

        assert b.stop() == 0

    assert flink.flink_version == pinned_flink_version()
    assert flink.columns == ["window_start", "window_end", "sensor_id", "readings", "avg_temperature",
                             "min_temperature", "max_temperature", "avg_humidity"]
    got = {}
    for start, end, sensor, n, avg_t, min_t, max_t, avg_h in flink.rows:
        key = (epoch_ms(start), sensor)
        assert key not in got, f"Flink emitted window {key} twice"
        assert epoch_ms(end) - epoch_ms(start) == WINDOW_MS, (start, end)
        got[key] = (n, avg_t, min_t, max_t, avg_h)
    assert sorted(got) == sorted(truth), "Flink's windows are not the truth file's"
    for key, (n, total, low, high) in truth.items():
        g_n, g_avg, g_min, g_max, g_hum = got[key]
        assert (g_n, g_min, g_max) == (n, low, high), f"window {key}: Flink {got[key]}, truth {truth[key]}"
        assert close(g_avg, total / n), f"window {key}: Flink avg {g_avg}, truth {total} / {n}"
        h_n, h_sum = humidity[key]
        assert h_n == n and close(g_hum, h_sum / h_n), f"window {key}: Flink avg humidity {g_hum}, topic {h_sum}/{h_n}"

    # floe against Flink: every window both close, row for row; floe wrote no window that is not in the truth.
    both = {(epoch_ms(r[0]), r[2]) for r in windows_both_close(flink.rows, max_event_ms, DELAY_MS)}
    assert both == {k for k in truth if k[0] + WINDOW_MS + DELAY_MS <= max_event_ms}
    assert 0 < len(truth) - len(both) <= 10, "only the last one or two windows of each of the 5 sensors stay open"
    missing = sorted(both - set(floe_rows))
    assert not missing, f"floe did not write {len(missing)} windows Flink closed, first {missing[:3]}"
    assert set(floe_rows) <= set(truth), sorted(set(floe_rows) - set(truth))[:3]
    for key in both:
        f_n, f_avg, f_min, f_max, f_hum = got[key]
        n, avg_t, min_t, max_t, avg_h, end_ms = floe_rows[key]
        assert end_ms - key[0] == WINDOW_MS
        assert (n, min_t, max_t) == (f_n, f_min, f_max), f"window {key}: floe {floe_rows[key]}, Flink {got[key]}"
        assert close(avg_t, f_avg) and close(avg_h, f_hum), f"window {key}: floe {floe_rows[key]}, Flink {got[key]}"


def test_job_script_is_split_and_the_insert_becomes_the_collected_query():
    script = (SOURCE_DDL.format(bootstrap="h:1") + ";\n-- the sink is floe's table; Flink collects the query\n"
              "CREATE TABLE IF NOT EXISTS telemetry.`sensor_10s` (a STRING) WITH ('connector' = 'x;y');\n"
              "SET 'table.exec.mini-batch.enabled' = 'false';\n"
              "INSERT INTO telemetry.sensor_10s (ws, we, s, n, t, lo, hi, h) " + QUERY + ";\n-- done\n")
    assert len(split_statements(script)) == 4
    setup, query, columns = plan_job(script)
    assert len(setup) == 2 and setup[0].startswith("CREATE TABLE telemetry (") and setup[1].startswith("SET ")
    assert query == QUERY.strip()
    assert columns == ["ws", "we", "s", "n", "t", "lo", "hi", "h"]
    assert plan_job(SOURCE_DDL + ";" + QUERY)[1:] == (QUERY.strip(), None)
    with pytest.raises(ValueError, match="exactly one INSERT"):
        plan_job("INSERT INTO a SELECT 1; INSERT INTO b SELECT 2")
    with pytest.raises(ValueError, match="unterminated ' quote"):
        split_statements("SELECT 'x")
