"""`floe table` as a user drives it: create, append, scan, describe, alter, maintenance, and its errors.

Interop with other engines (pyiceberg, DuckDB, S3) is in tests/interop/test_iceberg_pyiceberg.py; this file checks the
command line itself: output formats, exit codes and that bad input changes nothing."""
import csv
import io
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from floe_process import run_floe

SCHEMA = "sensor_id string required, ts timestamptz required, temperature double, readings int"


def parquet(path, rows):
    """rows: (sensor_id, ts micros, temperature, readings)"""
    cols = list(zip(*rows)) if rows else [[], [], [], []]
    pq.write_table(pa.table({
        "sensor_id": pa.array(cols[0], pa.string()),
        "ts": pa.array(cols[1], pa.timestamp("us", tz="UTC")),
        "temperature": pa.array(cols[2], pa.float64()),
        "readings": pa.array(cols[3], pa.int32()),
    }), path)
    return str(path)


DAY = 86_400_000_000
T0 = 20_000 * DAY  # 2024-10-04


@pytest.fixture
def table(tmp_path):
    wh = str(tmp_path / "wh")
    res = run_floe(["table", "create", "--warehouse", wh, "telemetry.raw", "--schema", SCHEMA,
                    "--partition-by", "day(ts)"])
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"created telemetry.raw at {wh}/telemetry/raw/metadata/v1.metadata.json"
    return wh


def table_args(wh, *rest):
    return ["--warehouse", wh, "telemetry.raw", *rest]


def append(wh, tmp_path, name, rows):
    res = run_floe(["table", "append", *table_args(wh), parquet(tmp_path / name, rows)])
    assert res.returncode == 0, res.stderr
    return res


def scan_csv(wh, *extra):
    res = run_floe(["table", "scan", *table_args(wh, "--format", "csv", *extra)])
    assert res.returncode == 0, res.stderr
    return list(csv.reader(io.StringIO(res.stdout)))


def versions(wh):
    return sorted(os.listdir(os.path.join(wh, "telemetry", "raw", "metadata")))


def test_scan_formats_print_every_row(table, tmp_path):
    append(table, tmp_path, "a.parquet", [("s-1", T0 + 1_000_000, 21.5, 3), ("s-2", T0 + DAY, None, None),
                                          ("s,3", T0 - 1, -0.25, -7)])
    rows = scan_csv(table)
    assert rows[0] == ["sensor_id", "ts", "temperature", "readings"]
    assert sorted(rows[1:]) == sorted([["s-1", "2024-10-04T00:00:01Z", "21.5", "3"],
                                       ["s-2", "2024-10-05T00:00:00Z", "", ""],
                                       ["s,3", "2024-10-03T23:59:59.999999Z", "-0.25", "-7"]])
    res = run_floe(["table", "scan", *table_args(table, "--format", "json")])
    objs = sorted((json.loads(line) for line in res.stdout.splitlines()), key=lambda o: o["sensor_id"])
    assert [o["sensor_id"] for o in objs] == ["s,3", "s-1", "s-2"]
    assert objs[2] == {"sensor_id": "s-2", "ts": "2024-10-05T00:00:00Z", "temperature": None, "readings": None}
    assert objs[1]["temperature"] == 21.5 and objs[1]["readings"] == 3
    res = run_floe(["table", "scan", *table_args(table)])
    assert res.returncode == 0
    assert res.stdout.splitlines()[0].split("|")[0].strip() == "sensor_id"
    assert res.stdout.rstrip().endswith("(3 rows)")
    assert len(scan_csv(table, "--limit", "2")) == 3


def test_where_columns_and_time_travel(table, tmp_path):
    append(table, tmp_path, "a.parquet", [("s-1", T0, 10.0, 1), ("s-2", T0, 20.0, 2)])
    first = json.loads(run_floe(["table", "describe", *table_args(table, "--format", "json")]).stdout)
    first_id = first["metadata"]["current-snapshot-id"]
    append(table, tmp_path, "b.parquet", [("s-3", T0 + DAY, 30.0, 3)])
    rows = scan_csv(table, "--where", "temperature >= 20", "--columns", "sensor_id")
    assert rows[0] == ["sensor_id"] and sorted(rows[1:]) == [["s-2"], ["s-3"]]
    assert sorted(r[0] for r in scan_csv(table, "--snapshot-id", str(first_id))[1:]) == ["s-1", "s-2"]
    assert len(scan_csv(table, "--ref", "main")) == 4
    res = run_floe(["table", "scan", *table_args(table, "--as-of", "2001-01-01T00:00:00Z")])
    assert res.returncode == 1 and "no snapshot at 2001-01-01" in res.stderr, res.stderr


def test_describe_shows_schema_partitioning_and_snapshots(table, tmp_path):
    append(table, tmp_path, "a.parquet", [("s-1", T0, 10.0, 1)])
    out = run_floe(["table", "describe", *table_args(table)]).stdout
    assert "ts_day = day(ts)" in out
    assert "temperature" in out and "double" in out
    assert "1 files, 1 records" in out
    assert "append" in out and "(current)" in out


def test_alter_then_old_and_new_rows_read_together(table, tmp_path):
    append(table, tmp_path, "a.parquet", [("s-1", T0, 10.0, 1)])
    res = run_floe(["table", "alter", *table_args(table, "--add-column", "humidity double",
                                                  "--rename-column", "temperature=temp_c",
                                                  "--widen-column", "readings long")])
    assert res.returncode == 0, res.stderr
    path = tmp_path / "b.parquet"
    pq.write_table(pa.table({"sensor_id": ["s-2"], "ts": pa.array([T0], pa.timestamp("us", tz="UTC")),
                             "temp_c": [11.0], "readings": pa.array([2**40], pa.int64()), "humidity": [50.5]}), path)
    res = run_floe(["table", "append", *table_args(table), str(path)])
    assert res.returncode == 0, res.stderr
    rows = scan_csv(table, "--columns", "sensor_id,temp_c,readings,humidity")
    assert sorted(rows[1:]) == [["s-1", "10", "1", ""], ["s-2", "11", str(2**40), "50.5"]]


def test_compact_expire_and_orphans(table, tmp_path):
    for i in range(4):
        append(table, tmp_path, f"p{i}.parquet", [(f"s-{i}", T0, float(i), i)])
    before = sorted(scan_csv(table)[1:])
    res = run_floe(["table", "compact", *table_args(table, "--min-input-files", "2")])
    assert res.returncode == 0 and "4 files" in res.stdout and "-> 1 files" in res.stdout, res.stdout
    assert sorted(scan_csv(table)[1:]) == before
    res = run_floe(["table", "expire-snapshots", *table_args(table, "--older-than", "0s")])
    assert res.returncode == 0 and "expired 4 snapshots" in res.stdout and "deleted 4 data files" in res.stdout, \
        res.stdout
    stray = os.path.join(table, "telemetry", "raw", "data", "stray.parquet")
    open(stray, "w").write("x")
    res = run_floe(["table", "remove-orphans", *table_args(table, "--older-than", "0s", "--dry-run")])
    assert res.returncode == 0 and f"would delete {stray}" in res.stdout and os.path.exists(stray)
    res = run_floe(["table", "remove-orphans", *table_args(table, "--older-than", "0s")])
    assert res.returncode == 0 and not os.path.exists(stray)
    assert sorted(scan_csv(table)[1:]) == before


def test_usage_errors_name_what_is_wrong(table, tmp_path):
    cases = [
        (["table", "create", "--warehouse", table, "a.b", "--schema", "x lnog"], "unknown type 'lnog'"),
        (["table", "create", "--warehouse", table, "a.b", "--schema", "x int", "--partition-by", "day(x)"],
         "transform day cannot be applied to type int"),
        (["table", "create", "--warehouse", table, "a.b", "--schema", "x int", "--partition-by", "day(y)"],
         "unknown column 'y'"),
        (["table", "create", "--warehouse", table, "telemetry.raw", "--schema", "x int"], "already exists"),
        (["table", "scan", *table_args(table, "--where", "temperature >")], "filter: at 14"),
        (["table", "scan", *table_args(table, "--columns", "nope")], "unknown column 'nope'"),
        (["table", "scan", *table_args(table, "--format", "xml")], "--format"),
        (["table", "scan", "--warehouse", table, "telemetry.missing"], "telemetry.missing"),
        (["table", "scan", "nodots"], "--warehouse"),
        (["table", "alter", *table_args(table, "--drop-column", "ts")], "used by partition field 'ts_day'"),
    ]
    for args, want in cases:
        res = run_floe(args)
        assert res.returncode != 0, args
        assert want in res.stderr, (args, res.stderr)
    assert versions(table) == ["v1.metadata.json", "version-hint.text"]


def test_corrupt_metadata_is_named_and_nothing_is_committed(table, tmp_path):
    append(table, tmp_path, "a.parquet", [("s-1", T0, 10.0, 1)])
    meta = os.path.join(table, "telemetry", "raw", "metadata")
    with open(os.path.join(meta, "v2.metadata.json"), "r+") as f:
        text = f.read()
        f.seek(0)
        f.truncate()
        f.write(text[: len(text) // 2])
    before = versions(table)
    extra = parquet(tmp_path / "b.parquet", [("s", T0, 1.0, 1)])
    for cmd in (["scan"], ["describe"], ["compact", "--min-input-files", "2"], ["append", extra]):
        res = run_floe(["table", cmd[0], *table_args(table, *cmd[1:])])
        assert res.returncode != 0
        assert "v2.metadata.json" in res.stderr, res.stderr
    assert versions(table) == before


def test_a_missing_data_file_is_named(table, tmp_path):
    append(table, tmp_path, "a.parquet", [("s-1", T0, 10.0, 1)])
    data = os.path.join(table, "telemetry", "raw", "data", "ts_day=2024-10-04")
    victim = os.path.join(data, os.listdir(data)[0])
    os.remove(victim)
    res = run_floe(["table", "scan", *table_args(table)])
    assert res.returncode == 1 and victim in res.stderr, res.stderr


def test_a_metadata_file_addresses_a_table_read_only(table, tmp_path):
    append(table, tmp_path, "a.parquet", [("s-1", T0, 10.0, 1)])
    meta = os.path.join(table, "telemetry", "raw", "metadata", "v2.metadata.json")
    res = run_floe(["table", "scan", meta, "--format", "csv"])
    assert res.returncode == 0 and "s-1" in res.stdout, res.stderr
    res = run_floe(["table", "compact", meta])
    assert res.returncode != 0 and "read-only" in res.stderr


def test_tables_through_the_rest_catalog(tmp_path):
    """floe table --catalog URL: the same commands through floe's own Iceberg REST catalog (the REST client)."""
    from floe_process import FloeServer
    with FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0", "--warehouse", str(tmp_path / "wh")],
                    ["catalog"], wait_ready=False) as server:
        host, port = server.doors["catalog"]
        url = f"http://{host}:{port}/iceberg"
        res = run_floe(["table", "create", "--catalog", url, "telemetry.raw", "--schema", SCHEMA,
                        "--partition-by", "day(ts)"])
        assert res.returncode == 1 and "telemetry" in res.stderr, res.stderr  # no such namespace yet
        import urllib.request
        req = urllib.request.Request(f"{url}/v1/namespaces", data=json.dumps({"namespace": ["telemetry"]}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        assert urllib.request.urlopen(req).status == 200
        res = run_floe(["table", "create", "--catalog", url, "telemetry.raw", "--schema", SCHEMA,
                        "--partition-by", "day(ts)"])
        assert res.returncode == 0, res.stderr
        for i in range(3):
            res = run_floe(["table", "append", "--catalog", url, "telemetry.raw",
                            parquet(tmp_path / f"p{i}.parquet", [(f"s-{i}", T0 + i * DAY, float(i), i)])])
            assert res.returncode == 0, res.stderr
        res = run_floe(["table", "scan", "--catalog", url, "telemetry.raw", "--format", "csv"])
        assert res.returncode == 0, res.stderr
        assert sorted(res.stdout.splitlines()[1:]) == ["s-0,2024-10-04T00:00:00Z,0,0", "s-1,2024-10-05T00:00:00Z,1,1",
                                                       "s-2,2024-10-06T00:00:00Z,2,2"]
        res = run_floe(["table", "compact", "--catalog", url, "telemetry.raw", "--min-input-files", "2"])
        assert res.returncode == 0 and "nothing to compact" in res.stdout, res.stdout  # one file per day
        res = run_floe(["table", "expire-snapshots", "--catalog", url, "telemetry.raw", "--older-than", "0s"])
        assert res.returncode == 0 and "expired 2 snapshots" in res.stdout, res.stdout + res.stderr
        res = run_floe(["table", "describe", "--catalog", url, "telemetry.raw"])
        assert res.returncode == 0 and "3 files, 3 records" in res.stdout, res.stdout
        res = run_floe(["table", "scan", "--catalog", url, "telemetry.missing"])
        assert res.returncode == 1 and "NoSuchTableException" in res.stderr, res.stderr
        log = run_floe(["catalog", "log", "--data-dir", server.data_dir, "--limit", "3"])
        assert log.returncode == 0 and "telemetry.raw" in log.stdout, log.stdout + log.stderr
