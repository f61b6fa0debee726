"""floe's Parquet writer and reader against pyarrow and DuckDB, both directions.

floe writes (tests/tools/parquet_tool.cpp drives src/floe/formats/parquet/) every supported type with nulls, with
each codec, with and without dictionaries, over several row groups and pages; pyarrow and DuckDB must read the
same values and see the Iceberg field ids. pyarrow and DuckDB write files with their defaults and with data page
v2, delta encodings and byte-stream-split; floe must read the same values. Page statistics and the page index go
both ways too: floe's describe every page of what pyarrow reads, and floe reads pyarrow's (page index, v1 and v2
page headers) to the same figures.
"""
import datetime
import decimal
import json
import math
import os
import random
import struct
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


# --- Page statistics and the page index ---
#
# pyarrow tells whether a column chunk has a page index (has_column_index / has_offset_index) but not what it holds,
# and DuckDB neither; so the test reads the index with a small Thrift compact decoder of its own (written from the
# protocol spec, independent of floe's) and checks every page against the values pyarrow reads.

class Compact:
    """Thrift compact protocol, read generically: a struct is a {field id: value} dict."""

    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def varint(self):
        shift = result = 0
        while True:
            b = self.data[self.pos]
            self.pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def zigzag(self):
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, t):
        if t in (1, 2):  # a bool list element (a bool field carries its value in the header)
            b = self.data[self.pos]
            self.pos += 1
            return b == 1
        if t == 3:
            self.pos += 1
            return self.data[self.pos - 1]
        if t in (4, 5, 6):
            return self.zigzag()
        if t == 7:
            self.pos += 8
            return self.data[self.pos - 8:self.pos]
        if t == 8:
            n = self.varint()
            self.pos += n
            return bytes(self.data[self.pos - n:self.pos])
        if t in (9, 10):
            head = self.data[self.pos]
            self.pos += 1
            n, et = head >> 4, head & 0x0F
            if n == 15:
                n = self.varint()
            return [self.value(et) for _ in range(n)]
        if t == 12:
            return self.struct()
        raise ValueError(f"compact type {t} at byte {self.pos}")

    def struct(self):
        fields, last = {}, 0
        while True:
            head = self.data[self.pos]
            self.pos += 1
            if head == 0:
                return fields
            t = head & 0x0F
            last = last + (head >> 4) if head >> 4 else self.zigzag()
            fields[last] = (t == 1) if t in (1, 2) else self.value(t)


def footer_of(data):
    n = struct.unpack("<I", data[-8:-4])[0]
    return Compact(data, len(data) - 8 - n).struct()


def decode_bound(b, t):
    """A PLAIN bound of a floe column of Iceberg type `t`, in parquet_tool's row form."""
    if t == "boolean":
        return b[0] != 0
    if t in ("int", "date", "decimal(9,2)"):
        return struct.unpack("<i", b)[0]
    if t in ("long", "timestamp", "timestamptz"):
        return struct.unpack("<q", b)[0]
    if t == "float":
        return struct.unpack("<f", b)[0]
    if t == "double":
        return struct.unpack("<d", b)[0]
    if t == "string":
        return b.decode()
    return b.hex()


def order_key(v, t):
    """Parquet's TYPE_ORDER for the row form: strings by UTF-8 bytes, binary (hex) by bytes, the rest by value."""
    if t == "string":
        return v.encode()
    if t == "binary":
        return bytes.fromhex(v)
    return v


def expected_page(values, t):
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    nulls = sum(v is None for v in values)
    if not present:
        return nulls, None, None
    lo, hi = min(present, key=lambda v: order_key(v, t)), max(present, key=lambda v: order_key(v, t))
    if t == "float":  # the row form holds float32 values as Python floats already rounded
        lo, hi = f32(lo), f32(hi)
    if t in ("float", "double"):
        lo = -0.0 if lo == 0 else lo  # a zero minimum is -0.0, a zero maximum +0.0
        hi = 0.0 if hi == 0 else hi
    return nulls, lo, hi


def same_bound(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def test_floe_page_index_and_page_statistics_describe_every_page(tmp_path):
    rows = make_rows(3000, 7)
    path = floe_write(tmp_path, rows, "--row-group-rows", "1000", "--page-rows", "300")
    md = pq.ParquetFile(path).metadata
    want = [[to_floe_json(v, f["type"]) for v, f in zip(row.values(), SCHEMA)]
            for row in pq.read_table(path).to_pylist()]
    assert_rows_equal(want, rows)
    data = path.read_bytes()
    footer = footer_of(data)
    checked = 0
    for g, rg in enumerate(footer[4]):
        group_rows = rg[3]
        for c, f in enumerate(SCHEMA):
            t = f["type"]
            chunk = md.row_group(g).column(c)
            assert chunk.has_column_index and chunk.has_offset_index, f["name"]
            cc = rg[1][c]
            offsets = Compact(data, cc[4]).struct()
            assert cc[4] + cc[5] <= len(data) - 8 and cc[6] + cc[7] <= cc[4]  # column indexes, then offsets
            column_index = Compact(data, cc[6]).struct()
            locations = offsets[1]
            assert [loc[3] for loc in locations] == sorted(loc[3] for loc in locations)
            assert locations[0][3] == 0
            null_pages, mins, maxs, order, null_counts = (column_index[k] for k in (1, 2, 3, 4, 5))
            assert len(null_pages) == len(mins) == len(maxs) == len(null_counts) == len(locations)
            assert (8 in column_index) == (t in ("float", "double"))  # nan_counts for floats only
            for i, loc in enumerate(locations):
                first = g * 1000 + loc[3]
                last = g * 1000 + (locations[i + 1][3] if i + 1 < len(locations) else group_rows)
                nulls, lo, hi = expected_page([r[c] for r in want[first:last]], t)
                where = f"row group {g} column {f['name']} page {i}"
                assert null_counts[i] == nulls, where
                assert null_pages[i] == (nulls == last - first), where
                if lo is None:
                    assert mins[i] == b"" and maxs[i] == b"", where
                else:
                    assert same_bound(decode_bound(mins[i], t), lo), where
                    assert same_bound(decode_bound(maxs[i], t), hi), where
                # The page header says the same (parquet-cpp's page statistics): PageHeader.data_page_header
                # (5).statistics (5): null_count (3), min_value (6), max_value (5).
                header = Compact(data, loc[1]).struct()
                stats = header[5][5]
                assert stats[3] == nulls, where
                if lo is not None:
                    assert stats[6] == mins[i] and stats[5] == maxs[i], where
                checked += 1
            assert order in (0, 1, 2)
    assert checked > 100


def floe_pages(path):
    p = subprocess.run([tool(), "pages", str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


@pytest.mark.parametrize("kwargs", [
    pytest.param({"write_page_index": True}, id="page-index"),
    pytest.param({"write_page_index": True, "data_page_version": "2.0", "use_dictionary": False}, id="page-index-v2"),
    pytest.param({}, id="page-headers-only"),
    pytest.param({"data_page_version": "2.0"}, id="page-headers-v2"),
])
def test_floe_reads_the_page_statistics_pyarrow_writes(tmp_path, kwargs):
    rows = make_rows(3000, 8)
    path = tmp_path / "arrow.parquet"
    pq.write_table(arrow_table(rows), path, row_group_size=1500, data_page_size=2000, **kwargs)
    md = pq.ParquetFile(path).metadata
    chunks = floe_pages(path)
    assert len(chunks) == 2 * len(SCHEMA)
    pages_seen = 0
    for chunk in chunks:
        g, c = chunk["row_group"], [f["name"] for f in SCHEMA].index(chunk["column"])
        f = SCHEMA[c]
        t = f["type"]
        assert chunk["from_page_index"] == bool(kwargs.get("write_page_index")), chunk["column"]
        assert chunk["from_page_index"] == md.row_group(g).column(c).has_column_index
        pages = chunk["pages"]
        assert pages[0]["first_row"] == 0
        assert sum(p["rows"] for p in pages) == 1500
        for i, p in enumerate(pages):
            first = g * 1500 + p["first_row"]
            nulls, lo, hi = expected_page([r[c] for r in rows[first:first + p["rows"]]], t)
            where = f"row group {g} column {f['name']} page {i}"
            assert p["null_count"] == nulls, where
            assert p["null_page"] == (nulls == p["rows"]), where
            if t == "boolean" and lo is not None:
                lo, hi = bool(lo), bool(hi)
            if lo is None:
                assert p["min"] is None, where
            elif p["min"] is not None:  # pyarrow leaves a bound out only for types without one (none here)
                assert same_bound(p["min"], lo) and same_bound(p["max"], hi), f"{where}: {p} vs {lo}, {hi}"
            else:
                pytest.fail(f"{where}: no bounds")
            pages_seen += 1
    assert pages_seen > 2 * len(SCHEMA)
