"""floe's Avro object container files against fastavro, both directions.

floe writes (tests/tools/avro_tool.cpp drives src/floe/formats/avro/) an Iceberg v2 manifest (manifest_entry with
data_file, a partition record and the int-keyed metric maps, every field with its field-id) and a manifest list, plus
a file of every Avro type, with the null and deflate codecs over several blocks: fastavro must read the same records
and metadata and see the field ids in the schema. fastavro writes union-heavy files with both codecs over several
blocks: floe must print the same records. Records travel as Avro's JSON encoding, which fastavro.json_writer and
json_reader speak too, so each side's records are compared as fastavro gives them. A corrupt file makes floe fail
with an error naming the file.

The tool is found in FLOE_BUILD_DIR (default build/).
"""
import copy
import datetime
import io
import json
import os
import random
import subprocess

import fastavro
import pytest

from floe_process import REPO

CODECS = ["null", "deflate"]


def tool():
    build = os.environ.get("FLOE_BUILD_DIR") or str(REPO / "build")
    path = os.path.join(build if os.path.isabs(build) else str(REPO / build), "floe_avro_tool")
    assert os.access(path, os.X_OK), f"{path} missing: build the floe_avro_tool target first"
    return path


def run_tool(args, stdin=""):
    return subprocess.run([tool()] + [str(a) for a in args], input=stdin, capture_output=True, text=True, timeout=120)


# ---- schemas ----

def int_map(name, field_id, key_id, value_id, value_type):
    """Iceberg's map<int, V>: an array of key/value records with "logicalType": "map"."""
    return {"name": name, "type": ["null", {"type": "array", "logicalType": "map", "items": {
        "type": "record", "name": f"k{key_id}_v{value_id}", "fields": [
            {"name": "key", "type": "int", "field-id": key_id},
            {"name": "value", "type": value_type, "field-id": value_id}]}}],
        "default": None, "field-id": field_id}


def optional(name, field_id, avro_type):
    return {"name": name, "type": ["null", avro_type], "default": None, "field-id": field_id}


# Iceberg v2 manifest_entry for a table partitioned by day(ts), bucket(sensor) and a few identity columns.
MANIFEST_ENTRY = {"type": "record", "name": "manifest_entry", "fields": [
    {"name": "status", "type": "int", "field-id": 0},
    optional("snapshot_id", 1, "long"),
    optional("sequence_number", 3, "long"),
    optional("file_sequence_number", 4, "long"),
    {"name": "data_file", "field-id": 2, "type": {"type": "record", "name": "r2", "fields": [
        {"name": "content", "type": "int", "field-id": 134},
        {"name": "file_path", "type": "string", "field-id": 100},
        {"name": "file_format", "type": "string", "field-id": 101},
        {"name": "partition", "field-id": 102, "type": {"type": "record", "name": "r102", "fields": [
            optional("ts_day", 1000, {"type": "int", "logicalType": "date"}),
            optional("sensor_bucket", 1001, "int"),
            optional("site", 1002, "string"),
            optional("calibrated", 1003, "boolean"),
            optional("gain", 1004, "float"),
            optional("offset", 1005, "double"),
            optional("price", 1006, {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}),
            optional("hour", 1007, {"type": "long", "logicalType": "timestamp-micros"}),
        ]}},
        {"name": "record_count", "type": "long", "field-id": 103},
        {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
        int_map("column_sizes", 108, 117, 118, "long"),
        int_map("value_counts", 109, 119, 120, "long"),
        int_map("null_value_counts", 110, 121, 122, "long"),
        int_map("nan_value_counts", 137, 138, 139, "long"),
        int_map("lower_bounds", 125, 126, 127, "bytes"),
        int_map("upper_bounds", 128, 129, 130, "bytes"),
        optional("key_metadata", 131, "bytes"),
        optional("split_offsets", 132, {"type": "array", "items": "long", "element-id": 133}),
        optional("equality_ids", 135, {"type": "array", "items": "int", "element-id": 136}),
        optional("sort_order_id", 140, "int"),
        optional("referenced_data_file", 143, "string"),
    ]}},
]}

# Iceberg v2 manifest_file (a manifest list entry).
MANIFEST_FILE = {"type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "doc": "Location URI with FS scheme", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "content", "type": "int", "field-id": 517},
    {"name": "sequence_number", "type": "long", "field-id": 515},
    {"name": "min_sequence_number", "type": "long", "field-id": 516},
    {"name": "added_snapshot_id", "type": "long", "field-id": 503},
    {"name": "added_files_count", "type": "int", "field-id": 504},
    {"name": "existing_files_count", "type": "int", "field-id": 505},
    {"name": "deleted_files_count", "type": "int", "field-id": 506},
    {"name": "added_rows_count", "type": "long", "field-id": 512},
    {"name": "existing_rows_count", "type": "long", "field-id": 513},
    {"name": "deleted_rows_count", "type": "long", "field-id": 514},
    optional("partitions", 507, {"type": "array", "element-id": 508, "items": {
        "type": "record", "name": "r508", "fields": [
            {"name": "contains_null", "type": "boolean", "field-id": 509},
            optional("contains_nan", 518, "boolean"),
            optional("lower_bound", 510, "bytes"),
            optional("upper_bound", 511, "bytes")]}}),
    optional("key_metadata", 519, "bytes"),
]}

# Every Avro type, named types referenced again by name, nested containers.
ALL_TYPES = {"type": "record", "name": "AllTypes", "namespace": "floe.test", "fields": [
    {"name": "n", "type": "null"},
    {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"},
    {"name": "l", "type": "long"},
    {"name": "f", "type": "float"},
    {"name": "d", "type": "double"},
    {"name": "by", "type": "bytes"},
    {"name": "s", "type": "string"},
    {"name": "e", "type": {"type": "enum", "name": "Kind", "symbols": ["TEMP", "HUMIDITY", "PRESSURE"]}},
    {"name": "fx", "type": {"type": "fixed", "name": "Id16", "size": 16}},
    {"name": "a", "type": {"type": "array", "items": {"type": "array", "items": "int"}}},
    {"name": "m", "type": {"type": "map", "values": ["null", "double"]}},
    {"name": "point", "type": {"type": "record", "name": "Point", "fields": [
        {"name": "x", "type": "double"}, {"name": "y", "type": "double"}]}},
    {"name": "path", "type": {"type": "array", "items": "Point"}},
    {"name": "kinds", "type": {"type": "map", "values": "Kind"}},
    {"name": "u", "type": ["null", "long", "string", "Kind", "Id16", "Point"], "default": None},
]}

# Unions everywhere, for fastavro to write.
UNION_HEAVY = {"type": "record", "name": "Event", "namespace": "ev", "fields": [
    {"name": "id", "type": "long"},
    {"name": "maybe_long", "type": ["null", "long"]},
    {"name": "long_or_string", "type": ["null", "long", "string"]},
    {"name": "payload", "type": ["null",
                                 {"type": "record", "name": "Temp", "fields": [{"name": "celsius", "type": "double"}]},
                                 {"type": "record", "name": "Note", "fields": [{"name": "text", "type": "string"}]}]},
    {"name": "bool_or_bytes", "type": ["boolean", "bytes"]},
    {"name": "list", "type": ["null", {"type": "array", "items": ["int", "string", "null"]}]},
    {"name": "dict", "type": ["null", {"type": "map", "values": ["null", "double", "Temp"]}]},
    {"name": "level", "type": ["null", {"type": "enum", "name": "Level", "symbols": ["LOW", "MID", "HIGH"]}]},
    {"name": "tag", "type": ["null", {"type": "fixed", "name": "Tag", "size": 4}]},
    {"name": "nested", "type": ["null", {"type": "record", "name": "Nested", "fields": [
        {"name": "inner", "type": ["null", "Temp", "Note"]},
        {"name": "when", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]}]}]},
]}


# ---- records ----

def f32(x):
    """x rounded to float32, so that it survives a float column exactly."""
    import struct
    return struct.unpack("<f", struct.pack("<f", x))[0]


def decimal_bytes(unscaled):
    """A decimal's unscaled value as the shortest big-endian two's complement, as fastavro writes it back."""
    return unscaled.to_bytes((abs(unscaled).bit_length() + 8) // 8, "big", signed=True)


def manifest_entries(n, rng):
    out = []
    for k in range(n):
        cols = sorted(rng.sample(range(1, 40), rng.randrange(0, 6)))
        out.append({
            "status": k % 3,
            "snapshot_id": None if k % 4 == 0 else rng.randrange(-2**63, 2**63),
            "sequence_number": None if k % 2 else k,
            "file_sequence_number": None if k % 2 else k + 1,
            "data_file": {
                "content": 0,
                "file_path": f"s3://lake/telemetry/data/ts_day=2024-05-{k % 28 + 1:02d}/part-{k:05d}-Ω.parquet",
                "file_format": "PARQUET",
                "partition": {
                    "ts_day": None if k % 9 == 0 else 19800 + k,
                    "sensor_bucket": None if k % 5 == 0 else k % 16,
                    "site": None if k % 6 == 0 else f"site-{k % 7}-ü",
                    "calibrated": None if k % 7 == 0 else k % 2 == 0,
                    "gain": None if k % 8 == 0 else f32(rng.uniform(-1e6, 1e6)),
                    "offset": None if k % 3 == 0 else rng.uniform(-1e12, 1e12),
                    "price": None if k % 4 == 1 else decimal_bytes(rng.randrange(-10**8, 10**8)),
                    "hour": None if k % 5 == 1 else 1_700_000_000_000_000 + k * 3_600_000_000,
                },
                "record_count": rng.randrange(0, 2**40),
                "file_size_in_bytes": rng.randrange(0, 2**40),
                "column_sizes": None if k % 10 == 0 else [{"key": c, "value": rng.randrange(2**33)} for c in cols],
                "value_counts": [{"key": c, "value": rng.randrange(2**33)} for c in cols],
                "null_value_counts": [{"key": c, "value": 0} for c in cols],
                "nan_value_counts": None,
                "lower_bounds": [{"key": c, "value": bytes(rng.randrange(256) for _ in range(c % 9))} for c in cols],
                "upper_bounds": [{"key": c, "value": bytes([255, 0, c])} for c in cols],
                "key_metadata": None if k % 2 else bytes(range(k % 256, min(256, k % 256 + 16))),
                "split_offsets": None if k % 3 else [4, 4 + k * 1000, 4 + k * 2000],
                "equality_ids": None if k % 5 else [],
                "sort_order_id": None if k % 2 else 0,
                "referenced_data_file": None,
            },
        })
    return out


def manifest_files(n, rng):
    out = []
    for k in range(n):
        out.append({
            "manifest_path": f"s3://lake/telemetry/metadata/{k:08x}-m0.avro",
            "manifest_length": rng.randrange(1, 2**31),
            "partition_spec_id": k % 3,
            "content": k % 2,
            "sequence_number": k,
            "min_sequence_number": max(0, k - 3),
            "added_snapshot_id": rng.randrange(-2**63, 2**63),
            "added_files_count": rng.randrange(0, 2**31),
            "existing_files_count": 0,
            "deleted_files_count": k,
            "added_rows_count": rng.randrange(0, 2**62),
            "existing_rows_count": 0,
            "deleted_rows_count": -1 if k == 0 else k,
            "partitions": None if k % 4 == 0 else [
                {"contains_null": j % 2 == 0, "contains_nan": None if j else False,
                 "lower_bound": None if j == 2 else (19800 + k).to_bytes(4, "little"),
                 "upper_bound": b"" if j == 1 else (19900 + k).to_bytes(4, "little")} for j in range(k % 4)],
            "key_metadata": None,
        })
    return out


def all_types_records(n, rng):
    out = []
    for k in range(n):
        union_choices = [None, rng.randrange(-2**63, 2**63), f"s{k}", "PRESSURE", bytes(16), {"x": 1.5, "y": -2.0}]
        out.append({
            "n": None,
            "b": k % 2 == 1,
            "i": rng.randrange(-2**31, 2**31),
            "l": rng.choice([0, -1, 2**63 - 1, -2**63, rng.randrange(-2**63, 2**63)]),
            "f": f32(rng.choice([0.0, -0.0, 1.5, 3.4028234663852886e38, 1e-45, rng.uniform(-1e10, 1e10)])),
            "d": rng.choice([0.0, 5e-324, -1.7976931348623157e308, rng.uniform(-1e300, 1e300)]),
            "by": bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40))),
            "s": rng.choice(["", "plain", "ключ-датчика", "センサー", "emoji \U0001F321", "quote \" backslash \\ \n"]),
            "e": ["TEMP", "HUMIDITY", "PRESSURE"][k % 3],
            "fx": bytes(rng.randrange(256) for _ in range(16)),
            "a": [[rng.randrange(-100, 100) for _ in range(j)] for j in range(k % 4)],
            "m": {f"k{j}": (None if j % 2 else rng.uniform(-1, 1)) for j in range(k % 5)},
            "point": {"x": rng.uniform(-180, 180), "y": rng.uniform(-90, 90)},
            "path": [{"x": float(j), "y": -float(j)} for j in range(k % 3)],
            "kinds": {"a": "TEMP", "b": "HUMIDITY"} if k % 2 else {},
            "u": union_choices[k % len(union_choices)],
        })
    return out


def union_heavy_records(n, rng):
    out = []
    for k in range(n):
        out.append({
            "id": k,
            "maybe_long": None if k % 3 == 0 else -k * 1_000_003,
            "long_or_string": [None, k * 7, f"str-{k}"][k % 3],
            "payload": [None, {"celsius": k / 4}, {"text": f"note {k} ✓"}][k % 3],
            "bool_or_bytes": [True, False, bytes([k % 256, 0, 255])][k % 3],
            "list": None if k % 5 == 0 else [[j, f"v{j}", None][j % 3] for j in range(k % 6)],
            "dict": None if k % 4 == 0 else {f"d{j}": [None, j * 0.5, {"celsius": -j}][j % 3] for j in range(k % 5)},
            "level": [None, "LOW", "MID", "HIGH"][k % 4],
            "tag": None if k % 2 else bytes([k % 256, 1, 2, 3]),
            "nested": None if k % 7 == 0 else {
                "inner": [None, {"celsius": 1.25}, {"text": ""}][k % 3],
                "when": None if k % 2 else 1_700_000_000_000 + k},
        })
    return out


# ---- helpers ----

def to_jsonl(schema, records):
    if not records:  # fastavro's json_writer fails on an empty list with some schemas
        return ""
    out = io.StringIO()
    fastavro.json_writer(out, fastavro.parse_schema(copy.deepcopy(schema)), records)
    return out.getvalue() + "\n"


def from_jsonl(schema, text):
    return list(fastavro.json_reader(io.StringIO(text), fastavro.parse_schema(copy.deepcopy(schema))))


def field_ids(schema, path="$"):
    """Every field-id, element-id, key-id and value-id in a JSON schema, by path."""
    ids = {}
    if isinstance(schema, list):
        for i, branch in enumerate(schema):
            ids.update(field_ids(branch, f"{path}[{i}]"))
    elif isinstance(schema, dict):
        for key in ("field-id", "element-id", "key-id", "value-id"):
            if key in schema:
                ids[f"{path}.{key}"] = schema[key]
        for f in schema.get("fields", []):
            ids.update(field_ids(f, f"{path}.{f['name']}"))
        for key in ("type", "items", "values"):
            if isinstance(schema.get(key), (dict, list)):
                ids.update(field_ids(schema[key], f"{path}.{key}"))
    return ids


def floe_write(tmp_path, schema, records, codec, block_records, meta=()):
    schema_path = tmp_path / "schema.json"
    schema_path.write_text(json.dumps(schema))
    out = tmp_path / f"floe-{codec}.avro"
    args = ["write", schema_path, out, "--codec", codec, "--block-records", block_records]
    for k, v in meta:
        args += ["--meta", f"{k}={v}"]
    res = run_tool(args, stdin=to_jsonl(schema, records))
    assert res.returncode == 0, res.stderr
    return out


def fastavro_blocks(path):
    with open(path, "rb") as f:
        return [b.num_records for b in fastavro.block_reader(f)]


# ---- floe writes, fastavro reads ----

ICEBERG_META = [
    ("schema", json.dumps({"type": "struct", "schema-id": 0, "fields": [
        {"id": 1, "name": "ts", "required": True, "type": "timestamptz"}]})),
    ("schema-id", "0"),
    ("partition-spec", json.dumps([{"name": "ts_day", "transform": "day", "source-id": 1, "field-id": 1000}])),
    ("partition-spec-id", "0"),
    ("format-version", "2"),
    ("content", "data"),
]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("name,schema,make", [
    ("manifest", MANIFEST_ENTRY, manifest_entries),
    ("manifest_list", MANIFEST_FILE, manifest_files),
    ("all_types", ALL_TYPES, all_types_records),
])
def test_fastavro_reads_what_floe_writes(tmp_path, codec, name, schema, make):
    records = make(120, random.Random(hash((name, codec)) & 0xffff))
    path = floe_write(tmp_path, schema, records, codec, block_records=17, meta=ICEBERG_META)
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        got = list(reader)
        metadata, writer_schema = reader.metadata, reader.writer_schema
    assert got == from_jsonl(schema, to_jsonl(schema, records))
    assert len(got) == 120
    assert fastavro_blocks(path) == [17] * 7 + [1]
    assert metadata["avro.codec"] == codec
    for k, v in ICEBERG_META:
        assert metadata[k] == v
    # The field ids are in the schema as written, and fastavro keeps them.
    written = json.loads(metadata["avro.schema"])
    assert field_ids(written) == field_ids(schema)
    assert field_ids(writer_schema) == field_ids(schema)
    if name == "manifest":
        assert len(field_ids(schema)) == 44
        data_file = next(f for f in writer_schema["fields"] if f["name"] == "data_file")
        assert data_file["field-id"] == 2
        sizes = next(f for f in data_file["type"]["fields"] if f["name"] == "column_sizes")
        assert sizes["field-id"] == 108
        assert sizes["type"][1]["logicalType"] == "map"
        assert [f["field-id"] for f in sizes["type"][1]["items"]["fields"]] == [117, 118]


def test_fastavro_reads_an_empty_floe_file(tmp_path):
    path = floe_write(tmp_path, MANIFEST_FILE, [], "deflate", block_records=10)
    with open(path, "rb") as f:
        assert list(fastavro.reader(f)) == []


# ---- fastavro writes, floe reads ----

def floe_cat(path):
    res = run_tool(["cat", path])
    assert res.returncode == 0, res.stderr
    lines = res.stdout.split("\n")
    assert lines[-1] == ""
    return json.loads(lines[0]), lines[1:-1]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("name,schema,make", [
    ("union_heavy", UNION_HEAVY, union_heavy_records),
    ("all_types", ALL_TYPES, all_types_records),
    ("manifest", MANIFEST_ENTRY, manifest_entries),
])
def test_floe_reads_what_fastavro_writes(tmp_path, codec, name, schema, make):
    records = make(300, random.Random(7))
    path = tmp_path / f"fastavro-{codec}.avro"
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(copy.deepcopy(schema)), records, codec=codec, sync_interval=600,
                        metadata={"written-by": "fastavro", "note": "ü ✓"})
    assert len(fastavro_blocks(path)) > 3
    with open(path, "rb") as f:
        expected = list(fastavro.reader(f))
    metadata, lines = floe_cat(path)
    assert metadata["avro.codec"] == codec
    assert metadata["written-by"] == "fastavro" and metadata["note"] == "ü ✓"
    assert json.loads(metadata["avro.schema"])["name"].split(".")[-1] == schema["name"]
    assert len(lines) == len(records)
    # floe prints Avro's JSON encoding exactly as fastavro would for the records it reads...
    want = to_jsonl(schema, expected).rstrip("\n").split("\n")
    for k, (floe_line, want_line) in enumerate(zip(lines, want)):
        assert json.loads(floe_line) == json.loads(want_line), f"record {k}"
    # ...and those lines decode to the records fastavro reads.
    assert from_jsonl(schema, "\n".join(lines)) == expected


def test_floe_reads_fastavro_files_with_default_blocks_and_a_namespace(tmp_path):
    schema = copy.deepcopy(UNION_HEAVY)
    records = union_heavy_records(2000, random.Random(3))
    path = tmp_path / "big.avro"
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(schema), records, codec="deflate")
    _, lines = floe_cat(path)
    with open(path, "rb") as f:
        assert from_jsonl(UNION_HEAVY, "\n".join(lines)) == list(fastavro.reader(f))


# ---- corruption ----

def fastavro_file(tmp_path, codec="null"):
    path = tmp_path / f"good-{codec}.avro"
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(copy.deepcopy(UNION_HEAVY)), union_heavy_records(200, random.Random(1)),
                        codec=codec, sync_interval=500)
    return path, path.read_bytes()


def cat_error(path):
    res = run_tool(["cat", path])
    assert res.returncode == 1, f"exit {res.returncode}: {res.stderr}"
    assert "floe_avro_tool: " + str(path) + ": " in res.stderr, res.stderr
    return res.stderr


@pytest.mark.parametrize("codec", CODECS)
def test_a_corrupt_file_is_an_error_naming_the_file(tmp_path, codec):
    path, data = fastavro_file(tmp_path, codec)
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        sync = reader._header["sync"]
    bad = tmp_path / "bad.avro"
    # A flipped byte in the last sync marker.
    last = data.rindex(sync)
    bad.write_bytes(data[:last + 5] + bytes([data[last + 5] ^ 0x20]) + data[last + 6:])
    assert "sync marker mismatch" in cat_error(bad)
    # Not Avro at all.
    bad.write_bytes(b"PAR1" + data[4:])
    assert "not an Avro object container file" in cat_error(bad)
    # The schema replaced by one that does not parse.
    bad.write_bytes(data.replace(b'"type": "record"', b'"type": "recrod"', 1))
    assert "avro.schema" in cat_error(bad)
    # Cut in the middle of a block.
    blocks = [m for m in range(len(data)) if data.startswith(sync, m)]
    bad.write_bytes(data[:(blocks[1] + blocks[2]) // 2])
    assert "block 1 at byte" in cat_error(bad)
    # Random damage never crashes the reader.
    rng = random.Random(5)
    for _ in range(200):
        damaged = bytearray(data)
        for _ in range(rng.randrange(1, 4)):
            damaged[rng.randrange(len(damaged))] ^= rng.randrange(1, 256)
        bad.write_bytes(bytes(damaged))
        res = run_tool(["cat", bad])
        assert res.returncode in (0, 1), res.stderr
        if res.returncode:
            assert res.stderr.startswith(f"floe_avro_tool: {bad}: "), res.stderr
