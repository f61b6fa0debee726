"""floe's Parquet writer and reader against pyarrow and DuckDB, both directions.

floe writes (tests/tools/parquet_tool.cpp drives src/floe/formats/parquet/) every supported type with nulls, with
each codec, with and without dictionaries, over several row groups and pages; pyarrow and DuckDB must read the
same values and see the Iceberg field ids. pyarrow and DuckDB write files with their defaults and with data page
v2, delta encodings and byte-stream-split; floe must read the same values.
"""
import datetime
import decimal
import json
import math
import os
import random
import subprocess

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from floe_process import REPO

EPOCH = datetime.datetime(1970, 1, 1)
EPOCH_TZ = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

SCHEMA = [
    {"name": "b", "type": "boolean", "nullable": True, "id": 1},
    {"name": "i", "type": "int", "nullable": True, "id": 2},
    {"name": "l", "type": "long", "nullable": False, "id": 3},
    {"name": "f", "type": "float", "nullable": True, "id": 4},
    {"name": "d", "type": "double", "nullable": True, "id": 5},
    {"name": "s", "type": "string", "nullable": True, "id": 6},
    {"name": "bin", "type": "binary", "nullable": True, "id": 7},
    {"name": "day", "type": "date", "nullable": True, "id": 8},
    {"name": "ts", "type": "timestamp", "nullable": True, "id": 9},
    {"name": "tstz", "type": "timestamptz", "nullable": True, "id": 10},
    {"name": "dec", "type": "decimal(9,2)", "nullable": True, "id": 11},
]

ARROW_TYPES = {"boolean": pa.bool_(), "int": pa.int32(), "long": pa.int64(), "float": pa.float32(),
               "double": pa.float64(), "string": pa.string(), "binary": pa.binary(), "date": pa.date32(),
               "timestamp": pa.timestamp("us"), "timestamptz": pa.timestamp("us", tz="UTC"),
               "decimal(9,2)": pa.decimal128(9, 2)}


def tool():
    build = os.environ.get("FLOE_BUILD_DIR") or str(REPO / "build")
    path = os.path.join(build if os.path.isabs(build) else str(REPO / build), "floe_parquet_tool")
    assert os.access(path, os.X_OK), f"{path} missing: build first"
    return path


def f32(x):
    return pa.array([x], pa.float32())[0].as_py()


def make_rows(n, seed, distinct=False):
    rng = random.Random(seed)
    rows = []
    for r in range(n):
        row = []
        for c, f in enumerate(SCHEMA):
            if f["nullable"] and (r + c) % 7 == 0:
                row.append(None)
                continue
            t = f["type"]
            if t == "boolean":
                row.append(rng.random() < 0.5)
            elif t == "int":
                row.append(rng.randrange(-2**31, 2**31))
            elif t == "long":
                row.append(rng.randrange(-2**63, 2**63))
            elif t == "float":
                row.append(f32(rng.uniform(-1e6, 1e6)))
            elif t == "double":
                row.append(rng.choice([rng.uniform(-1e12, 1e12), 0.0, -0.0, 1e-300]))
            elif t == "string":
                row.append(f"value-{rng.randrange(10**9)}" if distinct else rng.choice(["ä", "", "x" * 40, "pear", "ẞ"]))
            elif t == "binary":
                row.append(bytes(rng.randrange(256) for _ in range(rng.randrange(6))).hex())
            elif t == "date":
                row.append(rng.randrange(-30000, 30000))
            elif t in ("timestamp", "timestamptz"):
                row.append(rng.randrange(-2**50, 2**50))
            elif t == "decimal(9,2)":
                row.append(rng.randrange(-10**9 + 1, 10**9))
        rows.append(row)
    return rows


def to_floe_json(value, t):
    """A value as pyarrow/DuckDB give it, in parquet_tool's JSON form."""
    if value is None:
        return None
    if t == "binary":
        return bytes(value).hex()
    if t == "date":
        return (value - datetime.date(1970, 1, 1)).days
    if t == "timestamp":
        d = value - EPOCH
        return (d.days * 86400 + d.seconds) * 10**6 + d.microseconds
    if t == "timestamptz":
        if isinstance(value, int):
            return value
        d = value - EPOCH_TZ
        return (d.days * 86400 + d.seconds) * 10**6 + d.microseconds
    if t.startswith("decimal"):
        return int(value.scaleb(2))
    return value


def arrow_column(values, t):
    if t == "binary":
        values = [None if v is None else bytes.fromhex(v) for v in values]
    elif t == "date":
        values = [None if v is None else datetime.date(1970, 1, 1) + datetime.timedelta(days=v) for v in values]
    elif t.startswith("timestamp"):
        return pa.array(values, pa.int64()).cast(ARROW_TYPES[t])
    elif t.startswith("decimal"):
        values = [None if v is None else decimal.Decimal(v).scaleb(-2) for v in values]
    return pa.array(values, ARROW_TYPES[t])


def arrow_table(rows):
    cols = list(zip(*rows)) if rows else [[] for _ in SCHEMA]
    fields = [pa.field(f["name"], ARROW_TYPES[f["type"]], nullable=f["nullable"],
                       metadata={"PARQUET:field_id": str(f["id"])}) for f in SCHEMA]
    return pa.Table.from_arrays([arrow_column(list(c), f["type"]) for c, f in zip(cols, SCHEMA)],
                                schema=pa.schema(fields))


def floe_write(tmp_path, rows, *options):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    out = tmp_path / "floe.parquet"
    data = "".join(json.dumps(r) + "\n" for r in rows)
    p = subprocess.run([tool(), "write", str(schema), str(out), *options], input=data, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return out


def floe_cat(path):
    p = subprocess.run([tool(), "cat", str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return a == b


def assert_rows_equal(got, want):
    assert len(got) == len(want)
    for r, (g, w) in enumerate(zip(got, want)):
        for c, f in enumerate(SCHEMA):
            assert same(g[c], w[c]), f"row {r} column {f['name']}: {g[c]!r} != {w[c]!r}"


@pytest.mark.parametrize("options", [
    ["--codec", "zstd"], ["--codec", "snappy"], ["--codec", "gzip"], ["--codec", "none"], ["--codec", "lz4_raw"],
    ["--no-dictionary"], ["--row-group-rows", "1000", "--page-rows", "300"],
], ids=lambda o: "-".join(x.strip("-") for x in o))
def test_pyarrow_and_duckdb_read_what_floe_writes(tmp_path, options):
    rows = make_rows(3000, 1)
    path = floe_write(tmp_path, rows, *options)
    table = pq.read_table(path)
    assert [f.name for f in table.schema] == [f["name"] for f in SCHEMA]
    for f, field in zip(SCHEMA, table.schema):
        assert field.type == ARROW_TYPES[f["type"]], f["name"]
        assert field.nullable == f["nullable"], f["name"]
        assert field.metadata[b"PARQUET:field_id"] == str(f["id"]).encode()
    got = [[to_floe_json(v, f["type"]) for v, f in zip(row.values(), SCHEMA)] for row in table.to_pylist()]
    assert_rows_equal(got, rows)
    con = duckdb.connect()
    # DuckDB hands timestamptz to Python through pytz; epoch_us keeps it an integer.
    duck = con.execute(f"SELECT * REPLACE (epoch_us(tstz) AS tstz) FROM read_parquet('{path}')").fetchall()
    got = [[to_floe_json(v, f["type"]) for v, f in zip(row, SCHEMA)] for row in duck]
    assert_rows_equal(got, rows)


def test_statistics_are_what_pyarrow_expects(tmp_path):
    rows = make_rows(2000, 2)
    path = floe_write(tmp_path, rows, "--row-group-rows", "500")
    md = pq.ParquetFile(path).metadata
    assert md.num_row_groups == 4
    for g in range(4):
        chunk = rows[g * 500:(g + 1) * 500]
        for c, f in enumerate(SCHEMA):
            stats = md.row_group(g).column(c).statistics
            values = [r[c] for r in chunk if r[c] is not None]
            assert stats.null_count == len(chunk) - len(values), f["name"]
            if f["type"] in ("long", "int", "date"):
                assert stats.has_min_max
                lo, hi = stats.min, stats.max
                if f["type"] == "date":
                    lo, hi = to_floe_json(lo, "date"), to_floe_json(hi, "date")
                assert (lo, hi) == (min(values), max(values)), f["name"]
            if f["type"] == "string":
                assert (stats.min, stats.max) == (min(values, key=lambda s: s.encode()),
                                                  max(values, key=lambda s: s.encode()))


ARROW_WRITES = [
    pytest.param({}, id="defaults"),
    pytest.param({"compression": "zstd", "data_page_version": "2.0"}, id="zstd-page-v2"),
    pytest.param({"compression": "gzip", "use_dictionary": False}, id="gzip-plain"),
    pytest.param({"compression": "lz4", "data_page_size": 1000, "row_group_size": 700}, id="lz4-small-pages"),
    pytest.param({"compression": "none", "use_dictionary": False, "data_page_version": "2.0",
                  "column_encoding": {"i": "DELTA_BINARY_PACKED", "l": "DELTA_BINARY_PACKED",
                                      "s": "DELTA_BYTE_ARRAY", "bin": "DELTA_LENGTH_BYTE_ARRAY",
                                      "f": "BYTE_STREAM_SPLIT", "d": "BYTE_STREAM_SPLIT"}}, id="delta-bss-v2"),
    pytest.param({"compression": "snappy", "use_dictionary": False,
                  "column_encoding": {"i": "DELTA_BINARY_PACKED", "s": "DELTA_LENGTH_BYTE_ARRAY"}},
                 id="delta-v1"),
]


@pytest.mark.parametrize("kwargs", ARROW_WRITES)
def test_floe_reads_what_pyarrow_writes(tmp_path, kwargs):
    rows = make_rows(3000, 3)
    path = tmp_path / "arrow.parquet"
    pq.write_table(arrow_table(rows), path, **kwargs)
    schema, got = floe_cat(path)
    assert [(f["name"], f["type"], f["id"]) for f in schema] == [(f["name"], f["type"], f["id"]) for f in SCHEMA]
    assert_rows_equal(got, rows)


@pytest.mark.parametrize("codec", ["snappy", "zstd", "gzip", "uncompressed"])
def test_floe_reads_what_duckdb_writes(tmp_path, codec):
    rows = make_rows(3000, 4)
    src = tmp_path / "arrow.parquet"
    pq.write_table(arrow_table(rows), src, compression="none")
    path = tmp_path / "duck.parquet"
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet('{src}')) TO '{path}' (FORMAT parquet, COMPRESSION {codec})")
    schema, got = floe_cat(path)
    assert [f["name"] for f in schema] == [f["name"] for f in SCHEMA]
    # DuckDB writes its own types: compare through pyarrow's reading of the same file.
    want = [[to_floe_json(v, f["type"]) for v, f in zip(row.values(), SCHEMA)]
            for row in pq.read_table(path).to_pylist()]
    assert_rows_equal(got, want)
    assert_rows_equal(got, rows)


def test_corrupt_file_is_an_error_naming_the_file(tmp_path):
    path = floe_write(tmp_path, make_rows(100, 5))
    data = bytearray(path.read_bytes())
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(bytes(data[:len(data) // 2]))
    p = subprocess.run([tool(), "cat", str(bad)], capture_output=True, text=True)
    assert p.returncode == 1
    assert "bad.parquet: not a Parquet file" in p.stderr
