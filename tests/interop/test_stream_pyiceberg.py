"""pyiceberg, the real client, reads the tables the seed job of `floe up` writes (telemetry.sensor_10s and
telemetry.readings) through floe's Iceberg REST catalog: the schema floe created, the day partitioning, the
checkpoint summaries of the snapshots, and rows equal to the producer's truth and to the events sent."""
import csv
import datetime
import time

import pyarrow as pa
from pyiceberg.catalog.rest import RestCatalog

from floe_process import FloeServer, run_floe

START_MS = 1732480000000


def read_truth(path):
    with open(path) as f:
        return {(int(r["window_start_ms"]), r["sensor_id"]): (int(r["count"]), round(float(r["sum_temperature"]) * 100),
                                                              float(r["min_temperature"]), float(r["max_temperature"]))
                for r in csv.DictReader(f)}


def ms(value):
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return round(value.timestamp() * 1000)


def test_pyiceberg_reads_the_seed_jobs_tables(tmp_path):
    with FloeServer(["up", "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0", "--http-listen",
                     "127.0.0.1:0"], ["kafka", "catalog"], data_dir=str(tmp_path / "up")) as up:
        kafka = "%s:%d" % up.doors["kafka"]
        truth_path = tmp_path / "truth.csv"
        p = run_floe(["produce", "--bootstrap", kafka, "--topic", "telemetry", "--sensors", "4", "--count", "2000",
                      "--rate", "0", "--seed", "5", "--start-ms", str(START_MS), "--truth", str(truth_path)],
                     timeout=120)
        assert p.returncode == 0, p.stderr
        truth = read_truth(truth_path)
        closed = {k for k in truth if k[0] + 10000 - 1 <= max(w for w, _ in truth) - 5000}

        catalog = RestCatalog("floe", uri=up.url("catalog", "/iceberg"))
        windows = catalog.load_table("telemetry.sensor_10s")
        deadline = time.time() + 60
        got = []
        while time.time() < deadline:
            windows.refresh()
            got = windows.scan().to_arrow().to_pylist()
            if {(ms(r["window_start"]), r["sensor_id"]) for r in got} >= closed:
                break
            time.sleep(0.5)

        schema = windows.schema()
        assert [f.name for f in schema.fields] == ["window_start", "window_end", "sensor_id", "readings",
                                                   "avg_temperature", "min_temperature", "max_temperature",
                                                   "avg_humidity"]
        assert [str(f.field_type) for f in schema.fields] == ["timestamp", "timestamp", "string", "long", "double",
                                                              "double", "double", "double"]
        spec = windows.spec()
        assert [(f.name, str(f.transform)) for f in spec.fields] == [("window_start_day", "day")]
        summary = windows.current_snapshot().summary
        assert summary["floe.job-id"] == "seed" and summary["floe.pipeline"] == "sensor_10s"
        assert int(summary["floe.checkpoint-id"]) >= 1 and summary["floe.source-offsets"].startswith("telemetry:")

        keys = [(ms(r["window_start"]), r["sensor_id"]) for r in got]
        assert len(keys) == len(set(keys)), "a window row is in the table twice"
        assert set(keys) >= closed
        for r in got:
            key = (ms(r["window_start"]), r["sensor_id"])
            n, total, low, high = truth[key]
            assert ms(r["window_end"]) - key[0] == 10000
            assert (r["readings"], r["min_temperature"], r["max_temperature"]) == (n, low, high), (key, r)
            assert abs(r["avg_temperature"] - total / 100 / n) <= 1e-9 * abs(total / 100 / n), (key, r)

        readings = catalog.load_table("telemetry.readings")
        deadline = time.time() + 30
        table = pa.table({})
        while time.time() < deadline:
            readings.refresh()
            table = readings.scan().to_arrow()
            if table.num_rows >= 2000:
                break
            time.sleep(0.5)
        assert table.num_rows == 2000
        assert str(readings.schema().find_field("event_time").field_type) == "timestamptz"
        # event_time is the computed column TO_TIMESTAMP_LTZ(ts, 3): the same instant as ts.
        for r in table.slice(0, 50).to_pylist():
            assert ms(r["event_time"]) == r["ts"]
        assert up.stop() == 0
