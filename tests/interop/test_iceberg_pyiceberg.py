"""floe's Iceberg tables (`floe table`) against pyiceberg and DuckDB, in both directions, on a local directory and on
S3 (moto's server, the fixture of test_s3_fileio.py).

floe writes, pyiceberg reads: `floe table create/append` builds a partitioned telemetry table from Parquet files
pyarrow wrote (nulls, NaN, negative and pre-1970 values, unicode); pyiceberg's StaticTable reads back the same rows,
schema (field ids, types, required flags), partition spec and snapshot summaries; pyiceberg's planner prunes exactly
the files that floe's partition tuples and column metrics rule out, and DuckDB reads the planned files with the same
values. pyiceberg writes, floe reads: a table pyiceberg's SqlCatalog (sqlite) wrote, appended to, deleted from and
evolved is scanned by `floe table scan` (csv and json, with --where filters and time travel) with pyiceberg's rows.
Schema evolution made by floe is read by pyiceberg. Maintenance (compact, expire-snapshots, remove-orphans) leaves a
table that pyiceberg still reads with the same rows and removes exactly the files nothing uses any more. Appends
racing from several processes all land once. Corrupt or missing files make floe fail naming the file, without a new
metadata version.

floe is found as FLOE_BIN, else FLOE_BUILD_DIR/floe, else build/floe.
"""
import csv
import datetime
import io
import json
import math
import os
import random
import struct
import subprocess
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.conversions import from_bytes
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import StaticTable
from pyiceberg.table.snapshots import Operation
from pyiceberg.transforms import BucketTransform, DayTransform, IdentityTransform
from pyiceberg.types import (BinaryType, DateType, DecimalType, DoubleType, FloatType, IntegerType, LongType,
                             NestedField, StringType, TimestamptzType)

from floe_process import REPO, floe_bin
from test_s3_fileio import REGION, s3  # noqa: F401  (the moto server fixture, module-scoped here too)

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def floe_path():
    if os.environ.get("FLOE_BIN"):
        return floe_bin()
    build = os.environ.get("FLOE_BUILD_DIR")
    if build:
        path = os.path.join(build if os.path.isabs(build) else str(REPO / build), "floe")
        assert os.access(path, os.X_OK), f"{path} missing: build first (target floe)"
        return path
    return floe_bin()


# ---------------------------------------------------------------------------------------------------------------------
# Warehouses: a local directory or an S3 prefix, seen through floe's environment and through an independent client
# (the file system, boto3), so that file listings do not depend on floe.


class LocalWarehouse:
    kind = "local"

    def __init__(self, root):
        self.root = str(root)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.pyiceberg = {}

    def table(self, name):
        ns, table = name.split(".")
        return f"{self.root}/{ns}/{table}"

    def list(self, prefix):
        base = Path(prefix)
        return sorted(str(p) for p in base.rglob("*") if p.is_file()) if base.exists() else []

    def read(self, path):
        return Path(path).read_bytes()

    def write(self, path, data):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)

    def delete(self, path):
        os.remove(path)

    def local(self, path, tmp_path):
        return path


class S3Warehouse:
    kind = "s3"

    def __init__(self, s3, bucket):
        self.s3, self.bucket = s3, bucket
        self.root = f"s3://{bucket}/wh"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(AWS_ACCESS_KEY_ID=s3.key_id, AWS_SECRET_ACCESS_KEY=s3.secret, AWS_REGION=REGION,
                        AWS_ENDPOINT_URL_S3=s3.endpoint)
        self.pyiceberg = {"s3.endpoint": s3.endpoint, "s3.access-key-id": s3.key_id,
                          "s3.secret-access-key": s3.secret, "s3.region": REGION}

    def table(self, name):
        ns, table = name.split(".")
        return f"{self.root}/{ns}/{table}"

    def _key(self, path):
        assert path.startswith(f"s3://{self.bucket}/"), path
        return path[len(f"s3://{self.bucket}/"):]

    def list(self, prefix):
        keys = []
        for page in self.s3.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                            Prefix=self._key(prefix)):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return sorted(f"s3://{self.bucket}/{k}" for k in keys)

    def read(self, path):
        return self.s3.client.get_object(Bucket=self.bucket, Key=self._key(path))["Body"].read()

    def write(self, path, data):
        self.s3.client.put_object(Bucket=self.bucket, Key=self._key(path), Body=data)

    def delete(self, path):
        self.s3.client.delete_object(Bucket=self.bucket, Key=self._key(path))

    def local(self, path, tmp_path):
        """A local copy of an object, for DuckDB (which has no S3 client here)."""
        out = tmp_path / "s3copy" / self._key(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(self.read(path))
        return str(out)


@pytest.fixture(params=["local", "s3"])
def warehouse(request, tmp_path):
    if request.param == "local":
        return LocalWarehouse(tmp_path / "warehouse")
    s3_server = request.getfixturevalue("s3")
    bucket = "floe-ice-" + os.urandom(5).hex()
    s3_server.client.create_bucket(Bucket=bucket)
    return S3Warehouse(s3_server, bucket)


@pytest.fixture
def local_warehouse(tmp_path):
    return LocalWarehouse(tmp_path / "warehouse")


def floe(wh, *args, check=True, timeout=120):
    p = subprocess.run([floe_path(), *args], capture_output=True, text=True, env=wh.env, timeout=timeout)
    if check:
        assert p.returncode == 0, f"floe {' '.join(args)} exited {p.returncode}: {p.stderr}"
    return p


def table_cmd(wh, verb, name, *args, check=True):
    return floe(wh, "table", verb, "--warehouse", wh.root, name, *args, check=check)


def metadata_versions(wh, name):
    files = wh.list(wh.table(name) + "/metadata/")
    return sorted(int(p.rsplit("/v", 1)[1].split(".")[0]) for p in files if p.rsplit("/", 1)[1].startswith("v")
                  and p.endswith(".metadata.json"))


def latest_metadata(wh, name):
    """The newest vN.metadata.json, which version-hint.text must name too."""
    versions = metadata_versions(wh, name)
    hint = wh.read(wh.table(name) + "/metadata/version-hint.text").decode().strip()
    assert hint == str(versions[-1]), (hint, versions)
    return f"{wh.table(name)}/metadata/v{versions[-1]}.metadata.json"


def static_table(wh, name):
    return StaticTable.from_metadata(latest_metadata(wh, name), properties=wh.pyiceberg)


# ---------------------------------------------------------------------------------------------------------------------
# Values: one normalized form for rows from pyarrow, pyiceberg, DuckDB and floe's text output, so that rows compare
# as multisets (NaN equal to NaN, instants as epoch microseconds, decimals as exact fractions).


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def micros(ts):
    d = ts - EPOCH
    return (d.days * 86400 + d.seconds) * 10**6 + d.microseconds


def norm(v):
    if v is None:
        return None
    if isinstance(v, float):
        return "NaN" if math.isnan(v) else v
    if isinstance(v, datetime.datetime):
        return ("ts", micros(v))
    if isinstance(v, datetime.date):
        return ("date", v.toordinal())
    if isinstance(v, Decimal):
        return ("dec", Fraction(v))
    if isinstance(v, (bytes, bytearray, memoryview)):
        return ("bin", bytes(v).hex())
    return v


def rowset(rows, columns):
    """Rows (dicts) as a sorted list of normalized tuples: equal exactly when the multisets of rows are."""
    return sorted((tuple(norm(r[c]) for c in columns) for r in rows), key=repr)


# ---------------------------------------------------------------------------------------------------------------------
# The telemetry table.

TELEMETRY_SCHEMA = ("sensor_id string required, ts timestamptz required, temperature double, humidity float, "
                    "reading_count int, battery decimal(5,2), day date, payload binary")
TELEMETRY_PARTITIONING = "day(ts), bucket(4, sensor_id)"
COLUMNS = ["sensor_id", "ts", "temperature", "humidity", "reading_count", "battery", "day", "payload"]
ARROW_SCHEMA = pa.schema([
    pa.field("sensor_id", pa.string(), nullable=False),
    pa.field("ts", pa.timestamp("us", tz="UTC"), nullable=False),
    pa.field("temperature", pa.float64()),
    pa.field("humidity", pa.float32()),
    pa.field("reading_count", pa.int32()),
    pa.field("battery", pa.decimal128(5, 2)),
    pa.field("day", pa.date32()),
    pa.field("payload", pa.binary()),
])
SENSORS = ["s-1", "s-2", "s-3", "s-4", "s-5", "käfer-Ω", "传感器-9", "🌡-x"]
DAYS = [datetime.date(1965, 6, 15), datetime.date(1969, 12, 31), datetime.date(2024, 2, 29),
        datetime.date(2026, 11, 25)]
NAN = float("nan")


def telemetry_rows(n, seed, temperatures=(-40.0, 50.0), days=DAYS, sensors=SENSORS):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        start = datetime.datetime.combine(rng.choice(days), datetime.time(), tzinfo=UTC)
        ts = start + datetime.timedelta(microseconds=rng.randrange(86400 * 10**6))
        if i % 40 == 0:
            ts = start  # the first microsecond of a day...
        elif i % 40 == 1:
            ts = start + datetime.timedelta(days=1, microseconds=-1)  # ...and the last
        rows.append({
            "sensor_id": rng.choice(sensors),
            "ts": ts,
            "temperature": None if i % 11 == 3 else NAN if i % 13 == 5 else round(rng.uniform(*temperatures), 3),
            "humidity": None if i % 9 == 2 else NAN if i % 17 == 4 else f32(rng.uniform(0, 100)),
            "reading_count": None if i % 7 == 6 else rng.choice([rng.randrange(-1000, 1000), -2**31, 2**31 - 1]),
            "battery": None if i % 8 == 1 else Decimal(rng.randrange(-99999, 100000)).scaleb(-2),
            "day": None if i % 10 == 9 else datetime.date(1970, 1, 1) + datetime.timedelta(
                days=rng.randrange(-40000, 40000)),
            "payload": None if i % 6 == 0 else rng.randbytes(rng.randrange(0, 12)),
        })
    return rows


def write_parquet(path, rows, schema=ARROW_SCHEMA):
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), str(path))
    return str(path)


def create_telemetry(wh, name, partition_by=TELEMETRY_PARTITIONING, *extra):
    out = table_cmd(wh, "create", name, "--schema", TELEMETRY_SCHEMA, "--partition-by", partition_by, *extra).stdout
    assert out == f"created {name} at {wh.table(name)}/metadata/v1.metadata.json\n"


def append(wh, name, tmp_path, *batches):
    """Appends one Parquet file per batch of rows in one `floe table append`."""
    files = []
    for rows in batches:
        files.append(write_parquet(tmp_path / f"in-{os.urandom(4).hex()}.parquet", rows))
    out = table_cmd(wh, "append", name, *files).stdout
    assert out.startswith(f"appended {sum(len(b) for b in batches)} rows in "), out
    return out


def partition_of(row):
    day = DayTransform().transform(TimestamptzType())(micros(row["ts"]))
    return day, BucketTransform(4).transform(StringType())(row["sensor_id"])


def duckdb_rows(paths):
    """Every row of the Parquet files, read by DuckDB (instants as epoch microseconds: no time zone involved)."""
    con = duckdb.connect()
    got = con.execute("SELECT sensor_id, epoch_us(ts), temperature, humidity, reading_count, battery, day, payload "
                      "FROM read_parquet(?)", [list(paths)]).fetchall() if paths else []
    return [dict(zip(COLUMNS, (s, EPOCH + datetime.timedelta(microseconds=t), *rest))) for s, t, *rest in got]


# ---------------------------------------------------------------------------------------------------------------------
# 1. floe writes, pyiceberg and DuckDB read.


def test_floe_writes_pyiceberg_reads_rows_schema_spec_and_snapshots(warehouse, tmp_path):
    wh, name = warehouse, "telemetry.readings"
    create_telemetry(wh, name)
    batches = [[telemetry_rows(150, 1), telemetry_rows(60, 2)], [telemetry_rows(120, 3)],
               [telemetry_rows(90, 4, temperatures=(100.0, 200.0))]]  # a heat wave: metrics can prune the rest
    for batch in batches:
        append(wh, name, tmp_path, *batch)
    every = [r for batch in batches for rows in batch for r in rows]

    table = static_table(wh, name)
    assert table.format_version == 2
    assert table.location() == wh.table(name)
    got = table.scan().to_arrow()
    assert rowset(got.to_pylist(), COLUMNS) == rowset(every, COLUMNS)
    assert got.schema.names == COLUMNS

    schema = table.schema()
    assert [(f.field_id, f.name, f.field_type, f.required) for f in schema.fields] == [
        (1, "sensor_id", StringType(), True), (2, "ts", TimestamptzType(), True),
        (3, "temperature", DoubleType(), False),
        (4, "humidity", FloatType(), False), (5, "reading_count", IntegerType(), False),
        (6, "battery", DecimalType(5, 2), False), (7, "day", DateType(), False), (8, "payload", BinaryType(), False)]
    assert table.spec() == PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(),
                                                        name="ts_day"),
                                         PartitionField(source_id=1, field_id=1001, transform=BucketTransform(4),
                                                        name="sensor_id_bucket"), spec_id=0)

    # One append snapshot per `floe table append`, chained, each adding one file per partition it touched.
    snapshots = table.metadata.snapshots
    assert len(snapshots) == len(batches)
    assert table.current_snapshot().snapshot_id == snapshots[-1].snapshot_id
    total_records = total_files = 0
    for i, (snapshot, batch) in enumerate(zip(snapshots, batches)):
        rows = [r for part in batch for r in part]
        partitions = {partition_of(r) for r in rows}
        total_records += len(rows)
        total_files += len(partitions)
        assert snapshot.sequence_number == i + 1
        assert snapshot.parent_snapshot_id == (snapshots[i - 1].snapshot_id if i else None)
        summary = snapshot.summary
        assert summary.operation == Operation.APPEND
        assert summary["added-records"] == str(len(rows))
        assert summary["added-data-files"] == str(len(partitions))
        assert summary["total-records"] == str(total_records)
        assert summary["total-data-files"] == str(total_files)
        assert summary["changed-partition-count"] == str(len(partitions))
        assert len(table.scan(snapshot_id=snapshot.snapshot_id).to_arrow()) == total_records

    # Reading the table by its location goes through version-hint.text, as Iceberg's Hadoop tables do.
    by_hint = StaticTable.from_metadata(wh.table(name), properties=wh.pyiceberg)
    assert by_hint.metadata_location == latest_metadata(wh, name)

    # floe reads its own table back the same.
    out = table_cmd(wh, "scan", name, "--format", "json").stdout
    assert rowset(json_view(parse_floe_json(line, TELEMETRY_TYPES) for line in out.splitlines()), COLUMNS) == \
        rowset(json_view(every), COLUMNS)


SPECIAL_FLOATS = pa.schema([pa.field("id", pa.int32(), nullable=False), pa.field("x", pa.float64()),
                            pa.field("y", pa.float32())])
INF = float("inf")
SPECIAL_ROWS = [{"id": 1, "x": NAN, "y": NAN}, {"id": 2, "x": INF, "y": -INF}, {"id": 3, "x": -INF, "y": INF},
                {"id": 4, "x": None, "y": None}, {"id": 5, "x": -0.0, "y": f32(0.1)}]
SPECIAL_TYPES = {"id": "int", "x": "double", "y": "float"}


@pytest.fixture
def special_floats(local_warehouse, tmp_path):
    wh, name = local_warehouse, "floats.t"
    table_cmd(wh, "create", name, "--schema", "id int required, x double, y float")
    pq.write_table(pa.Table.from_pylist(SPECIAL_ROWS, schema=SPECIAL_FLOATS), tmp_path / "f.parquet")
    table_cmd(wh, "append", name, str(tmp_path / "f.parquet"))
    assert rowset(static_table(wh, name).scan().to_arrow().to_pylist(), ["id", "x", "y"]) == \
        rowset(SPECIAL_ROWS, ["id", "x", "y"])
    return wh, name


def test_csv_scan_prints_nan_and_infinities(special_floats):
    wh, name = special_floats
    got = parse_floe_csv(table_cmd(wh, "scan", name, "--format", "csv").stdout, SPECIAL_TYPES)
    assert rowset(got, ["id", "x", "y"]) == rowset(SPECIAL_ROWS, ["id", "x", "y"])


def test_json_scan_keeps_nan_apart_from_null(special_floats):
    wh, name = special_floats
    lines = table_cmd(wh, "scan", name, "--format", "json").stdout.splitlines()

    def strict(constant):
        raise AssertionError(f"{constant} is not JSON")

    got = {}
    for line in lines:
        obj = json.loads(line, parse_constant=strict)
        got[obj["id"]] = (obj["x"], obj["y"])
    assert got[4] == (None, None)
    for i in (1, 2, 3):
        assert None not in got[i], (i, got[i])
        x, y = (float(v) for v in got[i])
        want = next(r for r in SPECIAL_ROWS if r["id"] == i)
        assert norm(x) == norm(want["x"]) and norm(y) == norm(want["y"]), (i, got[i])


def test_data_files_partitions_and_metrics_as_pyiceberg_and_duckdb_see_them(warehouse, tmp_path):
    """Every file pyiceberg plans holds only rows of its partition tuple; its record count, value, null and NaN counts
    and bounds are those of the rows DuckDB reads from it."""
    wh, name = warehouse, "telemetry.metrics"
    create_telemetry(wh, name)
    batches = [telemetry_rows(160, 11), telemetry_rows(100, 12)]
    for rows in batches:
        append(wh, name, tmp_path, rows)
    table = static_table(wh, name)
    tasks = list(table.scan().plan_files())
    assert len(tasks) == sum(len({partition_of(r) for r in rows}) for rows in batches)
    seen = []
    for task in tasks:
        f = task.file
        assert f.file_path.startswith(wh.table(name) + "/data/ts_day=")
        assert f.file_format.value == "PARQUET"
        rows = duckdb_rows([wh.local(f.file_path, tmp_path)])
        seen += rows
        assert f.record_count == len(rows)
        assert {partition_of(r) for r in rows} == {(f.partition[0], f.partition[1])}
        assert f.value_counts == {i: len(rows) for i in range(1, 9)}
        for field in table.schema().fields:
            values = [r[field.name] for r in rows]
            assert f.null_value_counts.get(field.field_id, 0) == sum(v is None for v in values), field.name
            present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
            if isinstance(field.field_type, (DoubleType, FloatType)):
                assert f.nan_value_counts.get(field.field_id, 0) == len(values) - len(present) - values.count(None)
            if field.field_id == 8:
                continue  # binary bounds may be truncated; checked by the pruning tests only
            if field.field_id == 6:
                continue  # test_negative_decimal_bounds_decode_as_negative
            if not present:
                assert field.field_id not in f.lower_bounds and field.field_id not in f.upper_bounds
                continue
            lo = from_bytes(field.field_type, f.lower_bounds[field.field_id])
            hi = from_bytes(field.field_type, f.upper_bounds[field.field_id])
            want = [micros(v) if isinstance(v, datetime.datetime) else v for v in present]
            if isinstance(field.field_type, DateType):
                want = [(v - datetime.date(1970, 1, 1)).days for v in present]
            assert (norm(lo), norm(hi)) == (norm(min(want)), norm(max(want))), field.name
    # DuckDB reads every row of the table from the files pyiceberg planned.
    assert rowset(seen, COLUMNS) == rowset([r for rows in batches for r in rows], COLUMNS)


DECIMALS = pa.schema([pa.field("p5", pa.decimal128(5, 2)), pa.field("p9", pa.decimal128(9, 2)),
                      pa.field("p18", pa.decimal128(18, 2))])


def test_negative_decimal_bounds_decode_as_negative(local_warehouse, tmp_path):
    wh, name = local_warehouse, "dec.t"
    table_cmd(wh, "create", name, "--schema", "p5 decimal(5,2), p9 decimal(9,2), p18 decimal(18,2)")
    values = [Decimal("-628.25"), Decimal("-1.00"), Decimal("3.50")]
    pq.write_table(pa.table([pa.array(values, t.type) for t in DECIMALS], schema=DECIMALS), tmp_path / "d.parquet")
    table_cmd(wh, "append", name, str(tmp_path / "d.parquet"))
    table = static_table(wh, name)
    for column in ("p5", "p9", "p18"):
        got = [r[column] for r in table.scan(row_filter=f"{column} < 0").to_arrow().to_pylist()]
        assert sorted(got) == values[:2], column
        out = table_cmd(wh, "scan", name, "--format", "csv", "--columns", column, "--where", f"{column} < 0").stdout
        assert out.splitlines() == [column, "-628.25", "-1.00"], column
    (task,) = table.scan().plan_files()
    for field in table.schema().fields:
        lo = from_bytes(field.field_type, task.file.lower_bounds[field.field_id])
        hi = from_bytes(field.field_type, task.file.upper_bounds[field.field_id])
        assert (lo, hi) == (values[0], values[-1]), field.name


def in_day(day):
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=UTC)
    return start, start + datetime.timedelta(days=1)


def lt_num(a, b):
    return a is not None and not math.isnan(a) and a < b


def gt_num(a, b):
    return a is not None and not math.isnan(a) and a > b


LEAP_DAY = in_day(datetime.date(2024, 2, 29))
FILTERS = [
    # (pyiceberg row filter, the same predicate on a python row)
    ("sensor_id == 's-3'", lambda r: r["sensor_id"] == "s-3"),
    ("sensor_id in ('传感器-9', '🌡-x')", lambda r: r["sensor_id"] in ("传感器-9", "🌡-x")),
    (f"ts >= '{LEAP_DAY[0].isoformat()}' and ts < '{LEAP_DAY[1].isoformat()}'",
     lambda r: LEAP_DAY[0] <= r["ts"] < LEAP_DAY[1]),
    ("ts < '1970-01-01T00:00:00+00:00'", lambda r: r["ts"] < EPOCH),
    ("temperature > 90", lambda r: gt_num(r["temperature"], 90)),
    ("temperature < -39 or reading_count == 2147483647",
     lambda r: lt_num(r["temperature"], -39) or r["reading_count"] == 2**31 - 1),
    ("temperature is nan", lambda r: r["temperature"] is not None and math.isnan(r["temperature"])),
    ("battery is null and sensor_id == 's-1'", lambda r: r["battery"] is None and r["sensor_id"] == "s-1"),
]


def might_hold(task, filter_index, rows):
    """Whether the file of `task` may hold matching rows judging by its partition and by the value ranges of its rows
    (DuckDB's reading, not floe's metrics): what an exact planner keeps for each FILTERS entry."""
    day, bucket = task.file.partition[0], task.file.partition[1]
    sensors = [r["sensor_id"] for r in rows]
    temps = [r["temperature"] for r in rows if r["temperature"] is not None and not math.isnan(r["temperature"])]
    counts = [r["reading_count"] for r in rows if r["reading_count"] is not None]

    def bucket_of(s):
        return BucketTransform(4).transform(StringType())(s)

    if filter_index == 0:
        return bucket == bucket_of("s-3") and min(sensors) <= "s-3" <= max(sensors)
    if filter_index == 1:
        return any(bucket == bucket_of(s) and min(sensors) <= s <= max(sensors) for s in ("传感器-9", "🌡-x"))
    if filter_index == 2:
        return day == (LEAP_DAY[0] - EPOCH).days
    if filter_index == 3:
        return day < 0
    if filter_index == 4:
        return bool(temps) and max(temps) > 90
    if filter_index == 5:
        return (bool(temps) and min(temps) < -39) or (bool(counts) and max(counts) >= 2**31 - 1)
    if filter_index == 6:
        return any(r["temperature"] is not None and math.isnan(r["temperature"]) for r in rows)
    if filter_index == 7:
        return bucket == bucket_of("s-1") and min(sensors) <= "s-1" <= max(sensors) and \
            any(r["battery"] is None for r in rows)
    raise AssertionError(filter_index)


@pytest.mark.parametrize("filter_index", range(len(FILTERS)), ids=[f for f, _ in FILTERS])
def test_pyiceberg_prunes_floe_files_by_partition_and_metrics(warehouse, tmp_path, filter_index):
    wh, name = warehouse, "telemetry.pruning"
    create_telemetry(wh, name)
    batches = [telemetry_rows(150, 21), telemetry_rows(100, 22, temperatures=(100.0, 200.0)),
               telemetry_rows(80, 23, sensors=["s-1", "s-2", "s-3"])]
    for rows in batches:
        append(wh, name, tmp_path, rows)
    every = [r for rows in batches for r in rows]
    row_filter, predicate = FILTERS[filter_index]
    expected = [r for r in every if predicate(r)]
    assert expected, "the filter must match something"

    table = static_table(wh, name)
    assert rowset(table.scan(row_filter=row_filter).to_arrow().to_pylist(), COLUMNS) == rowset(expected, COLUMNS)

    all_files = {t.file.file_path: t for t in table.scan().plan_files()}
    contents = {p: duckdb_rows([wh.local(p, tmp_path)]) for p in all_files}
    planned = sorted(t.file.file_path for t in table.scan(row_filter=row_filter).plan_files())
    want = sorted(p for p, t in all_files.items() if might_hold(t, filter_index, contents[p]))
    assert planned == want
    assert len(planned) < len(all_files), "the filter must prune something"
    # DuckDB finds exactly the matching rows in the planned files.
    in_planned = [r for p in planned for r in contents[p]]
    assert rowset([r for r in in_planned if predicate(r)], COLUMNS) == rowset(expected, COLUMNS)


# ---------------------------------------------------------------------------------------------------------------------
# floe's text output, parsed back into python values by the column types.

TELEMETRY_TYPES = {"sensor_id": "string", "ts": "timestamptz", "temperature": "double", "humidity": "float",
                   "reading_count": "int", "battery": "decimal", "day": "date", "payload": "binary"}


def from_text(text, kind):
    if kind == "string":
        return text
    if kind == "timestamptz":
        assert text.endswith("Z"), text
        return datetime.datetime.fromisoformat(text)
    if kind == "double":
        return float(text)
    if kind == "float":
        return f32(float(text))
    if kind in ("int", "long"):
        return int(text)
    if kind == "decimal":
        return Decimal(text)
    if kind == "date":
        return datetime.date.fromisoformat(text)
    if kind == "binary":
        return bytes.fromhex(text)
    raise AssertionError(kind)


def parse_floe_json(line, types):
    obj = json.loads(line, parse_float=Decimal)
    out = {}
    for k, v in obj.items():
        kind = types[k]
        if v is None or kind == "string":
            out[k] = v
        elif kind in ("double", "float"):
            out[k] = from_text(str(v), kind)
        elif kind == "decimal":
            out[k] = Decimal(v)
        elif kind in ("int", "long"):
            assert isinstance(v, int), (k, v)
            out[k] = v
        else:
            out[k] = from_text(v, kind)
    return out


def parse_floe_csv(text, types):
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return [{k: None if v == "" else from_text(v, types[k]) for k, v in zip(header, row)} for row in reader]


# ---------------------------------------------------------------------------------------------------------------------
# 2. pyiceberg writes, floe reads.

PY_SCHEMA = Schema(
    NestedField(1, "sensor_id", StringType(), required=True),
    NestedField(2, "ts", TimestamptzType(), required=True),
    NestedField(3, "temperature", DoubleType(), required=False),
    NestedField(4, "humidity", FloatType(), required=False),
    NestedField(5, "reading_count", IntegerType(), required=False),
    NestedField(6, "battery", DecimalType(5, 2), required=False),
    NestedField(7, "day", DateType(), required=False),
    NestedField(8, "payload", BinaryType(), required=False),
)
BY_SENSOR = PartitionSpec(PartitionField(source_id=1, field_id=1000, transform=IdentityTransform(), name="sensor_id"))
BY_DAY_AND_SENSOR = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="ts_day"),
    PartitionField(source_id=1, field_id=1001, transform=IdentityTransform(), name="sensor_id"))
PY_SENSORS = ["s-1", "s-2", "s-3", "käfer-Ω"]


def sql_catalog(tmp_path):
    warehouse = tmp_path / "pyiceberg-warehouse"
    warehouse.mkdir(exist_ok=True)
    cat = SqlCatalog("floe_interop", uri=f"sqlite:///{tmp_path}/catalog.db", warehouse=f"file://{warehouse}")
    cat.create_namespace_if_not_exists("lake")
    return cat


def arrow_of(rows, table):
    return pa.Table.from_pylist(rows, schema=table.schema().as_arrow())


def floe_scan_rows(metadata_location, fmt, *args, types=TELEMETRY_TYPES):
    p = subprocess.run([floe_path(), "table", "scan", metadata_location, "--format", fmt, *args],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    if fmt == "json":
        return [parse_floe_json(line, types) for line in p.stdout.splitlines()]
    return parse_floe_csv(p.stdout, types)


def json_view(rows):
    """floe's JSON prints NaN as null (test_json_scan_keeps_nan_apart_from_null): NaN and null compare equal here,
    and only here (CSV output and every pyiceberg comparison keep them apart)."""
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()} for r in rows]


def csv_view(rows):
    """What CSV can say: an empty string or binary value is an empty field, the same as null."""
    return [{k: None if v in ("", b"") else v for k, v in r.items()} for r in rows]


def pyiceberg_appends(tmp_path):
    """pyiceberg writes everything itself (its Parquet writer, with field ids): three appends to a table partitioned
    by sensor, a delete of one sensor's partition (whole files: a "delete" snapshot) and a delete of rows inside files
    (pyiceberg rewrites them: an "overwrite")."""
    cat = sql_catalog(tmp_path)
    table = cat.create_table("lake.readings", schema=PY_SCHEMA, partition_spec=BY_SENSOR)
    states, rows = [], []
    for seed, n in ((31, 120), (32, 80), (33, 100)):
        batch = telemetry_rows(n, seed, days=DAYS[1:3], sensors=PY_SENSORS)
        table.append(arrow_of(batch, table))
        rows = rows + batch
        states.append((table.current_snapshot(), rows))
    table.delete("sensor_id == 's-2'")
    rows = [r for r in rows if r["sensor_id"] != "s-2"]
    states.append((table.current_snapshot(), rows))
    table.delete("temperature > 40")
    rows = [r for r in rows if not gt_num(r["temperature"], 40)]
    states.append((table.current_snapshot(), rows))
    return table, states, ["append"] * 3 + ["delete", "overwrite"]


def pyiceberg_add_files(tmp_path):
    """Partitioned by day(ts) and sensor. pyiceberg 0.12 computes day and bucket partitions of new rows only with
    pyiceberg-core (not a peer here), so the rows go in as Parquet files pyarrow wrote, one per partition, through
    add_files: pyiceberg reads their footers for the metrics and partition tuples (pre-1970 days included) and sets
    the name mapping, since such files carry no field ids. Then whole partitions are deleted, by sensor and by day."""
    cat = sql_catalog(tmp_path)
    table = cat.create_table("lake.by_day", schema=PY_SCHEMA, partition_spec=BY_DAY_AND_SENSOR)
    states, rows = [], []
    for seed, n in ((34, 120), (35, 80), (36, 100)):
        batch = telemetry_rows(n, seed, days=DAYS[:3], sensors=PY_SENSORS)
        groups = {}
        for r in batch:
            groups.setdefault((r["ts"].date(), r["sensor_id"]), []).append(r)
        paths = []
        for i, group in enumerate(groups.values()):
            path = tmp_path / "files" / f"{seed}-{i}.parquet"
            path.parent.mkdir(exist_ok=True)
            pq.write_table(arrow_of(group, table), path)
            paths.append(f"file://{path}")
        table.add_files(paths)
        rows = rows + batch
        states.append((table.current_snapshot(), rows))
    table.delete("sensor_id == 's-2'")
    rows = [r for r in rows if r["sensor_id"] != "s-2"]
    states.append((table.current_snapshot(), rows))
    table.delete("ts >= '1969-12-31T00:00:00+00:00' and ts < '1970-01-01T00:00:00+00:00'")
    rows = [r for r in rows if r["ts"].date() != datetime.date(1969, 12, 31)]
    states.append((table.current_snapshot(), rows))
    assert "schema.name-mapping.default" in table.metadata.properties
    return table, states, ["append"] * 3 + ["delete", "delete"]


@pytest.fixture(scope="module", params=["pyiceberg-append", "pyiceberg-add-files"])
def pyiceberg_table(request, tmp_path_factory):
    """A table pyiceberg wrote, read-only from here on: the table, (snapshot, rows current then) for each snapshot,
    and the snapshots' operations."""
    tmp_path = tmp_path_factory.mktemp(request.param)
    make = pyiceberg_appends if request.param == "pyiceberg-append" else pyiceberg_add_files
    table, states, operations = make(tmp_path)
    assert [s.summary.operation.value for s, _ in states] == operations
    assert rowset(table.scan().to_arrow().to_pylist(), COLUMNS) == rowset(states[-1][1], COLUMNS)
    return table, states, operations


def test_pyiceberg_writes_floe_scans_the_same_rows_as_json_and_csv(pyiceberg_table):
    table, states, _ = pyiceberg_table
    rows = states[-1][1]
    location = table.metadata_location
    assert location.startswith("file://")  # as pyiceberg writes it
    assert rowset(json_view(floe_scan_rows(location, "json")), COLUMNS) == rowset(json_view(rows), COLUMNS)
    assert rowset(floe_scan_rows(location, "csv"), COLUMNS) == rowset(csv_view(rows), COLUMNS)
    # Projection and limit.
    got = floe_scan_rows(location, "json", "--columns", "ts,sensor_id", "--limit", "7")
    assert len(got) == 7 and all(list(r) == ["ts", "sensor_id"] for r in got)
    assert Counter((r["sensor_id"], r["ts"]) for r in got) <= Counter((r["sensor_id"], r["ts"]) for r in rows)


def test_floe_describes_pyiceberg_snapshots(pyiceberg_table):
    table, states, operations = pyiceberg_table
    p = subprocess.run([floe_path(), "table", "describe", table.metadata_location, "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert d["metadata-location"] == table.metadata_location
    m = d["metadata"]
    assert m["table-uuid"] == str(table.metadata.table_uuid)
    assert m["location"] == table.location()
    assert m["current-snapshot-id"] == table.current_snapshot().snapshot_id
    assert [s["snapshot-id"] for s in m["snapshots"]] == [s.snapshot_id for s, _ in states]
    assert [s["summary"]["operation"] for s in m["snapshots"]] == operations
    assert [s["summary"]["total-records"] for s in m["snapshots"]] == [str(len(r)) for _, r in states]
    assert [s["manifest-list"] for s in m["snapshots"]] == [s.manifest_list for s, _ in states]
    assert [f["name"] for f in m["schemas"][0]["fields"]] == COLUMNS
    spec = [{"name": f.name, "transform": str(f.transform), "source-id": f.source_id, "field-id": f.field_id}
            for f in table.spec().fields]
    assert m["partition-specs"][0]["fields"] == spec
    assert m["properties"] == table.metadata.properties
    live = list(table.scan().plan_files())
    assert d["files"]["data-files"] == len(live)
    assert d["files"]["records"] == len(states[-1][1]) == sum(t.file.record_count for t in live)
    assert d["files"]["bytes"] == sum(t.file.file_size_in_bytes for t in live)
    assert d["files"]["partitions"] == len({tuple(t.file.partition) for t in live})


def is_nan(v):
    return isinstance(v, float) and math.isnan(v)


WHERE = [
    # (floe --where, pyiceberg row_filter)
    ("temperature > 20", "temperature > 20"),
    ("sensor_id IN ('s-1', 'käfer-Ω')", "sensor_id in ('s-1', 'käfer-Ω')"),
    ("sensor_id NOT IN ('s-1', 's-3')", "sensor_id not in ('s-1', 's-3')"),
    ("temperature IS NULL", "temperature is null"),
    ("humidity IS NAN", "humidity is nan"),
    ("humidity IS NOT NULL AND temperature <= -10.5", "humidity is not null and temperature <= -10.5"),
    ("sensor_id LIKE 'k%'", "sensor_id like 'k%'"),
    ("ts >= '1965-06-15T12:00:00Z' AND ts < '2024-01-01T00:00:00Z'",
     "ts >= '1965-06-15T12:00:00+00:00' and ts < '2024-01-01T00:00:00+00:00'"),
    ("ts > '2024-02-29T18:00:00Z'", "ts > '2024-02-29T18:00:00+00:00'"),
    ("day < '1970-01-01' OR battery >= 500.25", "day < '1970-01-01' or battery >= 500.25"),
    ("reading_count = 2147483647 OR reading_count <= -2147483648",
     "reading_count == 2147483647 or reading_count <= -2147483648"),
    ("sensor_id != 's-3' AND (payload IS NULL OR humidity > 50)",
     "sensor_id != 's-3' and (payload is null or humidity > 50)"),
]

# Filters where pyiceberg's row filtering (pyarrow compute, three-valued) parts from Iceberg's semantics, which floe
# documents (expressions.h) and Java's evaluators share: NOT is pushed into the predicates (not(t < 0) is t >= 0,
# which null and NaN fail; pyiceberg keeps NaN rows), and not_nan holds for null (pyiceberg drops nulls). floe must
# give the Iceberg answer, and pyiceberg's on every row where the column is neither null nor NaN.
WHERE_ICEBERG_SEMANTICS = [
    ("NOT (temperature < 0) AND sensor_id != 's-3'", "not (temperature < 0) and sensor_id != 's-3'",
     lambda r: r["temperature"] is not None and not is_nan(r["temperature"]) and r["temperature"] >= 0
     and r["sensor_id"] != "s-3"),
    ("temperature IS NOT NAN", "temperature is not nan", lambda r: not is_nan(r["temperature"])),
    ("NOT (temperature IS NAN OR temperature > 0)", "not (temperature is nan or temperature > 0)",
     lambda r: r["temperature"] is not None and not is_nan(r["temperature"]) and r["temperature"] <= 0),
]


@pytest.mark.parametrize("where,row_filter", WHERE, ids=[w for w, _ in WHERE])
def test_floe_where_agrees_with_pyiceberg_row_filter(pyiceberg_table, where, row_filter):
    table, _, _ = pyiceberg_table
    want = table.scan(row_filter=row_filter).to_arrow().to_pylist()
    assert want, "the filter must match something"
    got = floe_scan_rows(table.metadata_location, "csv", "--where", where)
    assert rowset(got, COLUMNS) == rowset(csv_view(want), COLUMNS)


@pytest.mark.parametrize("where,row_filter,predicate", WHERE_ICEBERG_SEMANTICS,
                         ids=[w for w, _, _ in WHERE_ICEBERG_SEMANTICS])
def test_floe_where_follows_iceberg_semantics_for_null_and_nan(pyiceberg_table, where, row_filter, predicate):
    table, states, _ = pyiceberg_table
    rows = states[-1][1]
    want = [r for r in rows if predicate(r)]
    assert want and len(want) < len(rows)
    got = floe_scan_rows(table.metadata_location, "csv", "--where", where)
    assert rowset(got, COLUMNS) == rowset(csv_view(want), COLUMNS)

    def definite(rs):
        return [r for r in rs if r["temperature"] is not None and not is_nan(r["temperature"])]

    theirs = table.scan(row_filter=row_filter).to_arrow().to_pylist()
    assert rowset(csv_view(definite(theirs)), COLUMNS) == rowset(definite(got), COLUMNS)


def test_floe_time_travel_reads_pyiceberg_snapshots(pyiceberg_table):
    table, states, _ = pyiceberg_table
    location = table.metadata_location
    for snapshot, rows in states:
        got = floe_scan_rows(location, "json", "--snapshot-id", str(snapshot.snapshot_id))
        assert rowset(json_view(got), COLUMNS) == rowset(json_view(rows), COLUMNS), snapshot.snapshot_id
        assert rowset(table.scan(snapshot_id=snapshot.snapshot_id).to_arrow().to_pylist(), COLUMNS) == \
            rowset(rows, COLUMNS)
    # --as-of picks the snapshot that was current at that instant: epoch milliseconds or ISO.
    timestamps = [s.timestamp_ms for s, _ in states]
    for i, (snapshot, rows) in enumerate(states):
        if i + 1 < len(states) and timestamps[i + 1] == timestamps[i]:
            continue  # two commits in one millisecond: the instant names the later one
        got = floe_scan_rows(location, "csv", "--as-of", str(snapshot.timestamp_ms))
        assert rowset(got, COLUMNS) == rowset(csv_view(rows), COLUMNS)
    got = floe_scan_rows(location, "csv", "--ref", "main")
    assert rowset(got, COLUMNS) == rowset(csv_view(states[-1][1]), COLUMNS)
    first, rows = states[0]
    iso = datetime.datetime.fromtimestamp(first.timestamp_ms / 1000, UTC).isoformat(timespec="milliseconds")
    assert rowset(floe_scan_rows(location, "csv", "--as-of", iso), COLUMNS) == rowset(csv_view(rows), COLUMNS)
    p = subprocess.run([floe_path(), "table", "scan", location, "--as-of", str(first.timestamp_ms - 1)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "snapshot" in p.stderr


# ---------------------------------------------------------------------------------------------------------------------
# 3. Schema evolution across engines.

EVO_V1 = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string()),
                    pa.field("count", pa.int32()), pa.field("reading", pa.float32())])
EVO_V2 = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("label", pa.string()),
                    pa.field("count", pa.int64()), pa.field("reading", pa.float64()),
                    pa.field("humidity", pa.float64())])


def evo_rows_v1(ids):
    return [{"id": i, "name": f"n-{i}-ü" if i % 4 else None, "count": (-1) ** i * (2**31 - 1 - i) if i % 5 else None,
             "reading": f32(i * 0.25 - 3) if i % 6 else None} for i in ids]


def evo_rows_v2(ids):
    return [{"id": i, "label": f"l-{i}", "count": 2**40 + i if i % 3 else None, "reading": i / 3 - 5.0,
             "humidity": i / 7 if i % 2 else None} for i in ids]


def as_v2(rows):
    return [{"id": r["id"], "label": r["name"], "count": r["count"], "reading": r["reading"], "humidity": None}
            for r in rows]


V2_COLUMNS = ["id", "label", "count", "reading", "humidity"]


def test_floe_evolves_the_schema_pyiceberg_reads_old_and_new_files(warehouse, tmp_path):
    wh, name = warehouse, "evo.t"
    table_cmd(wh, "create", name, "--schema", "id long required, name string, count int, reading float",
              "--partition-by", "bucket(2, id)")
    old = evo_rows_v1(range(40))
    pq.write_table(pa.Table.from_pylist(old, schema=EVO_V1), tmp_path / "old.parquet")
    table_cmd(wh, "append", name, str(tmp_path / "old.parquet"))
    table_cmd(wh, "alter", name, "--add-column", "humidity double", "--rename-column", "name=label")
    table_cmd(wh, "alter", name, "--widen-column", "count long", "--widen-column", "reading double")
    new = evo_rows_v2(range(40, 70))
    pq.write_table(pa.Table.from_pylist(new, schema=EVO_V2), tmp_path / "new.parquet")
    table_cmd(wh, "append", name, str(tmp_path / "new.parquet"))

    table = static_table(wh, name)
    assert [(f.field_id, f.name, f.field_type, f.required) for f in table.schema().fields] == [
        (1, "id", LongType(), True), (2, "label", StringType(), False), (3, "count", LongType(), False),
        (4, "reading", DoubleType(), False), (5, "humidity", DoubleType(), False)]
    assert [s.schema_id for s in table.schemas().values()] == [0, 1, 2]
    assert table.metadata.current_schema_id == 2
    got = table.scan().to_arrow()
    assert got.schema.field("count").type == pa.int64() and got.schema.field("reading").type == pa.float64()
    assert rowset(got.to_pylist(), V2_COLUMNS) == rowset(as_v2(old) + new, V2_COLUMNS)
    # The first snapshot is read with the schema it was written with.
    first = table.metadata.snapshots[0]
    assert first.schema_id == 0
    # Filters on the renamed and widened columns reach the old file too.
    got = table.scan(row_filter="label == 'n-5-ü' or count > 1099511627800").to_arrow().to_pylist()
    assert sorted(r["id"] for r in got) == [5] + [i for i in range(40, 70) if i % 3 and 2**40 + i > 1099511627800]
    types = {"id": "long", "label": "string", "count": "long", "reading": "double", "humidity": "double"}
    out = table_cmd(wh, "scan", name, "--format", "json").stdout
    assert rowset([parse_floe_json(line, types) for line in out.splitlines()], V2_COLUMNS) == \
        rowset(as_v2(old) + new, V2_COLUMNS)


def test_pyiceberg_evolves_the_schema_floe_reads_old_and_new_files(tmp_path):
    cat = sql_catalog(tmp_path)
    table = cat.create_table("lake.evo", schema=Schema(
        NestedField(1, "id", LongType(), required=True), NestedField(2, "name", StringType(), required=False),
        NestedField(3, "count", IntegerType(), required=False), NestedField(4, "reading", FloatType(), required=False)),
        partition_spec=PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=IdentityTransform(),
                                                    name="count_part")))
    old = [dict(r, count=r["id"] % 3) for r in evo_rows_v1(range(30))]  # three partitions
    table.append(pa.Table.from_pylist(old[:15], schema=table.schema().as_arrow()))
    table.append(pa.Table.from_pylist(old[15:], schema=table.schema().as_arrow()))
    before = table.current_snapshot().snapshot_id
    with table.update_schema() as update:
        update.add_column("humidity", DoubleType())
        update.rename_column("name", "label")
        update.update_column("count", LongType())  # the partition source: identity partitions widen too
        update.update_column("reading", DoubleType())
    new = [dict(r, count=r["id"] % 3) for r in evo_rows_v2(range(30, 50))]
    table.append(pa.Table.from_pylist(new, schema=table.schema().as_arrow()))
    assert [s.schema_id for s in table.metadata.snapshots] == [0, 0, 1]

    types = {"id": "long", "label": "string", "count": "long", "reading": "double", "humidity": "double"}
    assert rowset(table.scan().to_arrow().to_pylist(), V2_COLUMNS) == rowset(as_v2(old) + new, V2_COLUMNS)
    got = floe_scan_rows(table.metadata_location, "json", types=types)
    assert rowset(got, V2_COLUMNS) == rowset(as_v2(old) + new, V2_COLUMNS)
    got = floe_scan_rows(table.metadata_location, "json", "--where", "label LIKE 'n-1%' OR humidity > 6",
                         types=types)
    assert sorted(r["id"] for r in got) == sorted(
        [r["id"] for r in old if r["name"] and r["name"].startswith("n-1")] +
        [i for i in range(30, 50) if i % 2 and i / 7 > 6])
    got = floe_scan_rows(table.metadata_location, "json", "--where", "count = 2", types=types)
    assert sorted(r["id"] for r in got) == [i for i in range(50) if i % 3 == 2]
    # The old snapshot with its own schema: the old names and types.
    v1_columns = ["id", "name", "count", "reading"]
    v1_types = {"id": "long", "name": "string", "count": "int", "reading": "float"}
    got = floe_scan_rows(table.metadata_location, "json", "--snapshot-id", str(before), types=v1_types)
    assert rowset(got, v1_columns) == rowset(old, v1_columns)


def test_floe_reads_files_without_field_ids_through_the_name_mapping(tmp_path):
    cat = sql_catalog(tmp_path)
    table = cat.create_table("lake.mapped", schema=Schema(
        NestedField(1, "id", LongType(), required=True), NestedField(2, "name", StringType(), required=False),
        NestedField(3, "count", IntegerType(), required=False), NestedField(4, "reading", FloatType(), required=False)))
    old = evo_rows_v1(range(20))
    pq.write_table(pa.Table.from_pylist(old, schema=EVO_V1), tmp_path / "no-ids.parquet")
    table.add_files([f"file://{tmp_path}/no-ids.parquet"])
    with table.update_schema() as update:
        update.rename_column("name", "label")
    mapping = json.loads(table.metadata.properties["schema.name-mapping.default"])
    assert {"field-id": 2, "names": ["name", "label"]} in mapping
    columns = ["id", "label", "count", "reading"]
    want = [{"id": r["id"], "label": r["name"], "count": r["count"], "reading": r["reading"]} for r in old]
    assert rowset(table.scan().to_arrow().to_pylist(), columns) == rowset(want, columns)  # pyiceberg maps it
    types = {"id": "long", "label": "string", "count": "int", "reading": "float"}
    got = floe_scan_rows(table.metadata_location, "json", types=types)
    assert rowset(got, columns) == rowset(want, columns)


# ---------------------------------------------------------------------------------------------------------------------
# 4. Maintenance.


def live_files(table):
    return sorted(t.file.file_path for t in table.scan().plan_files())


def test_compact_expire_and_remove_orphans_leave_a_table_pyiceberg_reads(warehouse, tmp_path):
    wh, name = warehouse, "maint.t"
    create_telemetry(wh, name, "day(ts)")
    days = DAYS[2:]
    batches = [telemetry_rows(25, 40 + i, days=days) for i in range(8)]
    for rows in batches:
        append(wh, name, tmp_path, rows)
    every = [r for rows in batches for r in rows]
    before = static_table(wh, name)
    assert len(live_files(before)) == 16 and len(before.metadata.snapshots) == 8

    out = table_cmd(wh, "compact", name, "--min-input-files", "2").stdout
    assert out.startswith(f"compacted 2 partitions of {name}: 16 files ("), out
    assert "-> 2 files (" in out and f", {len(every)} rows; snapshot " in out
    table = static_table(wh, name)
    files = live_files(table)
    assert len(files) == 2 and not set(files) & set(live_files(before))
    assert rowset(table.scan().to_arrow().to_pylist(), COLUMNS) == rowset(every, COLUMNS)
    scanned = table_cmd(wh, "scan", name, "--format", "json").stdout.splitlines()
    assert rowset(json_view(parse_floe_json(line, TELEMETRY_TYPES) for line in scanned), COLUMNS) == \
        rowset(json_view(every), COLUMNS)
    replace = table.current_snapshot()
    assert replace.summary.operation == Operation.REPLACE
    assert replace.summary["deleted-data-files"] == "16" and replace.summary["added-data-files"] == "2"
    assert replace.summary["total-records"] == str(len(every)) and replace.summary["total-data-files"] == "2"
    assert replace.summary["added-records"] == replace.summary["deleted-records"] == str(len(every))
    assert len(table.metadata.snapshots) == 9

    out = table_cmd(wh, "expire-snapshots", name, "--older-than", "0s", "--retain-last", "1").stdout
    assert out.startswith(f"expired 8 snapshots of {name}; deleted 16 data files ("), out
    table = static_table(wh, name)
    assert [s.snapshot_id for s in table.metadata.snapshots] == [replace.snapshot_id]
    assert rowset(table.scan().to_arrow().to_pylist(), COLUMNS) == rowset(every, COLUMNS)
    # What is left on storage: the live data files, the current snapshot's manifest list and manifests, and every
    # metadata version (expiration does not delete metadata files).
    base = wh.table(name)
    assert wh.list(base + "/data/") == files
    manifests = sorted(m.manifest_path for m in table.current_snapshot().manifests(table.io))
    metadata_files = [f"{base}/metadata/v{v}.metadata.json" for v in metadata_versions(wh, name)]
    assert wh.list(base + "/metadata/") == sorted(
        metadata_files + manifests + [table.current_snapshot().manifest_list, f"{base}/metadata/version-hint.text"])
    assert len(metadata_files) == 11  # create, 8 appends, compaction, expiration

    # remove-orphans: a stray data file (a real Parquet file of the table's shape) and a stray manifest-like file
    # go; nothing the table uses does.
    stray_data = f"{base}/data/ts_day=2024-02-29/00000-0-stray.parquet"
    stray_meta = f"{base}/metadata/stray-m0.avro"
    wh.write(stray_data, Path(write_parquet(tmp_path / "stray.parquet", telemetry_rows(5, 99, days=days))).read_bytes())
    wh.write(stray_meta, b"Obj\x01 not referenced")
    kept = wh.list(base + "/")
    out = table_cmd(wh, "remove-orphans", name, "--older-than", "0s", "--dry-run").stdout
    assert sorted(out.splitlines()[:-1]) == sorted([f"would delete {stray_data}", f"would delete {stray_meta}"])
    assert wh.list(base + "/") == kept
    out = table_cmd(wh, "remove-orphans", name, "--older-than", "0s").stdout
    assert sorted(out.splitlines()[:-1]) == sorted([f"deleted {stray_data}", f"deleted {stray_meta}"])
    assert out.splitlines()[-1].startswith("2 orphan files (")
    assert wh.list(base + "/") == sorted(set(kept) - {stray_data, stray_meta})
    table = static_table(wh, name)
    assert rowset(table.scan().to_arrow().to_pylist(), COLUMNS) == rowset(every, COLUMNS)
    # Young files are spared by the default threshold (3 days).
    wh.write(stray_data, b"young")
    out = table_cmd(wh, "remove-orphans", name).stdout
    assert out == f"0 orphan files (0 bytes) in {name}\n"
    assert stray_data in wh.list(base + "/data/")


# ---------------------------------------------------------------------------------------------------------------------
# 5. Concurrent appends.


def test_racing_appends_from_several_processes_all_land_once(warehouse, tmp_path):
    """Four `floe table append` processes at once. Each attempt a writer loses is a version another writer won, and
    each writer wins once, so none loses more than three times: within CommitOptions::max_attempts (4)."""
    wh, name = warehouse, "race.t"
    create_telemetry(wh, name, "bucket(4, sensor_id)")
    writers = 4
    inputs = []
    for w in range(writers):
        rows = telemetry_rows(40, 50 + w, sensors=[f"w{w}-{j}" for j in range(6)])
        for j, r in enumerate(rows):
            r["reading_count"] = w * 1000 + j  # a unique key per row
        inputs.append((rows, write_parquet(tmp_path / f"w{w}.parquet", rows)))
    procs = [subprocess.Popen([floe_path(), "table", "append", "--warehouse", wh.root, name, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=wh.env)
             for _, path in inputs]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [rc for rc, _, _ in results] == [0] * writers, results

    table = static_table(wh, name)
    got = table.scan().to_arrow().to_pylist()
    keys = Counter(r["reading_count"] for r in got)
    assert len(got) == writers * 40 and set(keys.values()) == {1}
    assert rowset(got, COLUMNS) == rowset([r for rows, _ in inputs for r in rows], COLUMNS)
    snapshots = table.metadata.snapshots
    assert len(snapshots) == writers
    assert sorted(s.sequence_number for s in snapshots) == list(range(1, writers + 1))
    assert table.current_snapshot().summary["total-records"] == str(writers * 40)
    # A writer that lost a race rewrote its manifests on the fresh base and deleted the ones it had written: the
    # metadata directory holds only what some snapshot uses.
    base = wh.table(name)
    used = {f"{base}/metadata/version-hint.text"}
    used |= {f"{base}/metadata/v{v}.metadata.json" for v in metadata_versions(wh, name)}
    for s in snapshots:
        used.add(s.manifest_list)
        used |= {m.manifest_path for m in s.manifests(table.io)}
    assert wh.list(base + "/metadata/") == sorted(used)
    assert wh.list(base + "/data/") == live_files(table)


# ---------------------------------------------------------------------------------------------------------------------
# 6. Bad input: floe fails naming the file and leaves the table as it was.


@pytest.fixture
def two_appends(local_warehouse, tmp_path):
    wh, name = local_warehouse, "bad.t"
    create_telemetry(wh, name, "day(ts)")
    append(wh, name, tmp_path, telemetry_rows(30, 60, days=DAYS[2:3]))
    append(wh, name, tmp_path, telemetry_rows(30, 61, days=DAYS[2:3]))
    return wh, name


def assert_unchanged(wh, name, listing):
    assert wh.list(wh.table(name) + "/") == listing
    assert metadata_versions(wh, name) == [1, 2, 3]


def test_truncated_metadata_json_fails_naming_the_file(two_appends, tmp_path):
    wh, name = two_appends
    current = latest_metadata(wh, name)
    data = wh.read(current)
    wh.write(current, data[:len(data) // 2])
    listing = wh.list(wh.table(name) + "/")
    parquet = write_parquet(tmp_path / "more.parquet", telemetry_rows(10, 62))
    for args in (["scan", name], ["describe", name], ["append", name, parquet],
                 ["compact", name, "--min-input-files", "2"], ["expire-snapshots", name, "--older-than", "0s"]):
        p = table_cmd(wh, args[0], *args[1:], check=False)
        assert p.returncode != 0, args
        assert current in p.stderr, (args, p.stderr)
        assert_unchanged(wh, name, listing)
    p = floe(wh, "table", "scan", current, check=False)
    assert p.returncode != 0 and current in p.stderr


@pytest.mark.parametrize("where", ["magic", "sync marker"])
def test_corrupt_manifest_fails_naming_the_file(two_appends, tmp_path, where):
    wh, name = two_appends
    table = static_table(wh, name)
    manifest = table.current_snapshot().manifests(table.io)[0].manifest_path
    data = bytearray(wh.read(manifest))
    # The first byte of the Avro magic, or the last byte of the sync marker that ends the data block.
    data[0 if where == "magic" else -1] ^= 0x5A
    wh.write(manifest, bytes(data))
    listing = wh.list(wh.table(name) + "/")
    for args in (["scan", name], ["compact", name, "--min-input-files", "2"]):
        p = table_cmd(wh, args[0], *args[1:], check=False)
        assert p.returncode != 0, (args, p.stdout)
        assert p.stderr.startswith(f"floe: error: manifest {manifest}: "), (args, p.stderr)
        assert_unchanged(wh, name, listing)


def test_expire_snapshots_with_a_corrupt_manifest_fails_without_committing(two_appends):
    wh, name = two_appends
    table = static_table(wh, name)
    manifest = table.current_snapshot().manifests(table.io)[0].manifest_path
    data = bytearray(wh.read(manifest))
    data[-1] ^= 0x5A
    wh.write(manifest, bytes(data))
    listing = wh.list(wh.table(name) + "/")
    p = table_cmd(wh, "expire-snapshots", name, "--older-than", "0s", check=False)
    assert p.returncode != 0 and p.stderr.startswith(f"floe: error: manifest {manifest}: "), p.stderr
    assert_unchanged(wh, name, listing)


def test_missing_data_file_fails_naming_the_file(two_appends, tmp_path):
    wh, name = two_appends
    table = static_table(wh, name)
    files = live_files(table)
    assert len(files) == 2
    wh.delete(files[0])
    listing = wh.list(wh.table(name) + "/")
    for args in (["scan", name], ["compact", name, "--min-input-files", "2"]):
        p = table_cmd(wh, args[0], *args[1:], check=False)
        assert p.returncode != 0, (args, p.stdout)
        assert files[0] in p.stderr, (args, p.stderr)
        assert_unchanged(wh, name, listing)
    p = floe(wh, "table", "scan", latest_metadata(wh, name), "--format", "json", "--where", "sensor_id = 'a'",
             check=False)
    assert p.returncode == 0 and p.stdout == ""  # pruned by the bounds: the missing file is never opened
