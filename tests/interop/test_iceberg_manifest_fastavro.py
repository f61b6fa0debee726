"""floe's Iceberg manifests and manifest lists (src/floe/iceberg/manifest.h) against fastavro and pyiceberg.

floe writes (tests/tools/iceberg_tool.cpp, from a JSON description) a v2 manifest with a partition field of every
result type and a manifest list: fastavro must read them with exactly the spec's Avro schemas (record names, field
ids, logical types), the records and the metadata keys Java writes; pyiceberg must read them as Iceberg metadata,
inheriting the sequence numbers. fastavro writes manifests and lists with the spec's schemas (v2 and v1) and pyiceberg
writes its own: floe must read them, inheriting snapshot ids and sequence numbers as the spec says. A damaged
manifest fails with an error naming it.

The tool is found in FLOE_BUILD_DIR (default build/).
"""
import copy
import datetime
import decimal
import json
import os
import random
import struct
import subprocess
import uuid

import fastavro
import pytest

from floe_process import REPO

EPOCH = datetime.datetime(1970, 1, 1)
EPOCH_DATE = datetime.date(1970, 1, 1)
UTC = datetime.timezone.utc


def tool():
    build = os.environ.get("FLOE_BUILD_DIR") or str(REPO / "build")
    path = os.path.join(build if os.path.isabs(build) else str(REPO / build), "floe_iceberg_tool")
    assert os.access(path, os.X_OK), f"{path} missing: build the floe_iceberg_tool target first"
    return path


def run_tool(args):
    return subprocess.run([tool()] + [str(a) for a in args], capture_output=True, text=True, timeout=120)


def floe_write(tmp_path, description):
    path = tmp_path / "description.json"
    path.write_text(json.dumps(description))
    res = run_tool(["write-manifest", path])
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def floe_read(list_path):
    res = run_tool(["read", list_path])
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)["manifests"]


# ---- the table ----

TABLE_SCHEMA = {"type": "struct", "schema-id": 3, "fields": [
    {"id": 1, "name": "id", "required": True, "type": "long"},
    {"id": 2, "name": "ts", "required": True, "type": "timestamptz"},
    {"id": 3, "name": "site", "required": False, "type": "string"},
    {"id": 4, "name": "price", "required": False, "type": "decimal(9,2)"},
    {"id": 5, "name": "gain", "required": False, "type": "float"},
    {"id": 6, "name": "uid", "required": False, "type": "uuid"},
    {"id": 7, "name": "local", "required": False, "type": "timestamp"},
    {"id": 8, "name": "code", "required": False, "type": "fixed[4]"},
    {"id": 9, "name": "blob", "required": False, "type": "binary"},
    {"id": 10, "name": "flag", "required": False, "type": "boolean"},
    {"id": 11, "name": "offset", "required": False, "type": "double"},
    {"id": 12, "name": "tod", "required": False, "type": "time"},
]}


class Kind:
    """How a partition value of one Iceberg type looks in each form: JSON single value (the tool's description and
    output), what fastavro reads and writes (logical types applied), pyiceberg's in-memory value, and Appendix D's
    binary form (the manifest list's bounds). Raw values: days, micros, unscaled decimals, bytes."""

    def __init__(self, to_json, to_fastavro, to_pyiceberg, to_binary, avro_type):
        self.to_json, self.to_fastavro, self.to_pyiceberg, self.to_binary = to_json, to_fastavro, to_pyiceberg, to_binary
        self.avro_type = avro_type


def min_twos_complement(n):
    return n.to_bytes(((n if n >= 0 else ~n).bit_length() + 8) // 8, "big", signed=True)


def ident(x):
    return x


DATE = Kind(lambda d: (EPOCH_DATE + datetime.timedelta(days=d)).isoformat(),
            lambda d: EPOCH_DATE + datetime.timedelta(days=d), ident, lambda d: struct.pack("<i", d),
            {"type": "int", "logicalType": "date"})
INT = Kind(ident, ident, ident, lambda v: struct.pack("<i", v), "int")
STRING = Kind(ident, ident, ident, lambda s: s.encode(), "string")
DECIMAL_9_2 = Kind(lambda u: format(decimal.Decimal(u).scaleb(-2), "f"), lambda u: decimal.Decimal(u).scaleb(-2),
                   lambda u: decimal.Decimal(u).scaleb(-2), min_twos_complement,
                   {"type": "fixed", "name": "decimal_9_2", "size": 4, "logicalType": "decimal", "precision": 9,
                    "scale": 2})
FLOAT = Kind(ident, ident, ident, lambda f: struct.pack("<f", f), "float")
UUID = Kind(lambda b: str(uuid.UUID(bytes=b)), ident, lambda b: uuid.UUID(bytes=b), ident,
            {"type": "fixed", "name": "uuid_fixed", "size": 16, "logicalType": "uuid"})
TIMESTAMPTZ = Kind(lambda us: (EPOCH + datetime.timedelta(microseconds=us)).replace(tzinfo=UTC).isoformat(),
                   lambda us: (EPOCH + datetime.timedelta(microseconds=us)).replace(tzinfo=UTC), ident,
                   lambda us: struct.pack("<q", us),
                   {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": True})
# (No fraction when the microseconds are 0, as Java's ISO formatter writes it.)
TIMESTAMP = Kind(lambda us: (EPOCH + datetime.timedelta(microseconds=us)).isoformat(),
                 lambda us: (EPOCH + datetime.timedelta(microseconds=us)).replace(tzinfo=UTC), ident,
                 lambda us: struct.pack("<q", us),
                 {"type": "long", "logicalType": "timestamp-micros", "adjust-to-utc": False})
# Java writes fixed and binary JSON values in upper-case hex.
FIXED_4 = Kind(lambda b: b.hex().upper(), ident, ident, ident, {"type": "fixed", "name": "fixed_4", "size": 4})
BINARY = Kind(lambda b: b.hex().upper(), ident, ident, ident, "bytes")
BOOLEAN = Kind(ident, ident, ident, lambda b: b"\x01" if b else b"\x00", "boolean")
LONG = Kind(ident, ident, ident, lambda v: struct.pack("<q", v), "long")
DOUBLE = Kind(ident, ident, ident, lambda d: struct.pack("<d", d), "double")
TIME = Kind(lambda us: (EPOCH + datetime.timedelta(microseconds=us)).time().isoformat(),
            lambda us: (EPOCH + datetime.timedelta(microseconds=us)).time(), ident, lambda us: struct.pack("<q", us),
            {"type": "long", "logicalType": "time-micros"})

# (name, field id, transform, source id, kind, raw value of entry k)
PARTITION = [
    ("ts_day", 1000, "day", 2, DATE, lambda k: 19800 + k % 9),
    ("id_bucket", 1001, "bucket[16]", 1, INT, lambda k: k % 16),
    ("site", 1002, "identity", 3, STRING, lambda k: f"site-{k % 5}-ü"),
    ("price", 1003, "identity", 4, DECIMAL_9_2, lambda k: [-128, 127, 128, -129, 0, 99999999][k % 6] * (k % 4 + 1)),
    ("gain", 1004, "identity", 5, FLOAT, lambda k: (k % 11) * 0.5 - 2.5),
    ("uid", 1005, "identity", 6, UUID, lambda k: bytes([k % 100]) + bytes(range(1, 16))),
    ("ts_hour", 1006, "hour", 2, INT, lambda k: 475000 + k),
    ("ts", 1007, "identity", 2, TIMESTAMPTZ, lambda k: 1_714_557_600_000_001 + k * 3_600_000_000),
    ("local", 1008, "identity", 7, TIMESTAMP, lambda k: 1_714_557_600_000_000 - k),
    ("code", 1009, "identity", 8, FIXED_4, lambda k: bytes([k % 256, 0, 255, 7])),
    ("blob", 1010, "identity", 9, BINARY, lambda k: bytes(range(k % 5))),
    ("flag", 1011, "identity", 10, BOOLEAN, lambda k: k % 3 == 0),
    ("id", 1012, "identity", 1, LONG, lambda k: -(2 ** 62) + k),
    ("offset", 1013, "identity", 11, DOUBLE, lambda k: -1e300 / (k + 1)),
    ("tod", 1014, "identity", 12, TIME, lambda k: 36_000_000_000 + k * 1_000_001),
]

SPEC = {"spec-id": 2, "fields": [
    {"name": name, "transform": transform, "source-id": source, "field-id": fid}
    for name, fid, transform, source, _, _ in PARTITION]}


# ---- the spec's Avro schemas (Java's record names), for fastavro to write and to compare with ----

def required(name, fid, avro_type):
    return {"name": name, "type": avro_type, "field-id": fid}


def optional(name, fid, avro_type):
    return {"name": name, "type": ["null", avro_type], "default": None, "field-id": fid}


def int_map(name, fid, key_id, value_id, value_type):
    return optional(name, fid, {"type": "array", "logicalType": "map", "items": {
        "type": "record", "name": f"k{key_id}_v{value_id}", "fields": [
            required("key", key_id, "int"), required("value", value_id, value_type)]}})


def partition_fields(fields=PARTITION):
    seen, out = set(), []
    for name, fid, _, _, kind, _ in fields:
        t = kind.avro_type
        if isinstance(t, dict) and "name" in t:
            t = t["name"] if t["name"] in seen else t
            seen.add(kind.avro_type["name"])
        out.append(optional(name, fid, t))
    return out


def entry_schema(partition):
    return {"type": "record", "name": "manifest_entry", "fields": [
        required("status", 0, "int"),
        optional("snapshot_id", 1, "long"),
        optional("sequence_number", 3, "long"),
        optional("file_sequence_number", 4, "long"),
        required("data_file", 2, {"type": "record", "name": "r2", "fields": [
            required("content", 134, "int"),
            required("file_path", 100, "string"),
            required("file_format", 101, "string"),
            required("partition", 102, {"type": "record", "name": "r102", "fields": partition}),
            required("record_count", 103, "long"),
            required("file_size_in_bytes", 104, "long"),
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
        ]}),
    ]}


LIST_SCHEMA = {"type": "record", "name": "manifest_file", "fields": [
    required("manifest_path", 500, "string"),
    required("manifest_length", 501, "long"),
    required("partition_spec_id", 502, "int"),
    required("content", 517, "int"),
    required("sequence_number", 515, "long"),
    required("min_sequence_number", 516, "long"),
    required("added_snapshot_id", 503, "long"),
    required("added_files_count", 504, "int"),
    required("existing_files_count", 505, "int"),
    required("deleted_files_count", 506, "int"),
    required("added_rows_count", 512, "long"),
    required("existing_rows_count", 513, "long"),
    required("deleted_rows_count", 514, "long"),
    optional("partitions", 507, {"type": "array", "element-id": 508, "items": {
        "type": "record", "name": "r508", "fields": [
            required("contains_null", 509, "boolean"),
            optional("contains_nan", 518, "boolean"),
            optional("lower_bound", 510, "bytes"),
            optional("upper_bound", 511, "bytes")]}}),
    optional("key_metadata", 519, "bytes"),
]}


# ---- entries ----

def make_entries(n, rng):
    """Entries in a neutral form: status, ids, and a data file with raw partition values (None for null)."""
    out = []
    for k in range(n):
        status = "existing" if k % 5 == 3 else "deleted" if k % 7 == 6 else "added"
        cols = sorted(rng.sample(range(1, 11), rng.randrange(0, 5)))
        partition = {name: (None if (k + fid) % 6 == 0 else raw(k)) for name, fid, _, _, _, raw in PARTITION}
        out.append({
            "status": status,
            "snapshot_id": None if status == "added" else 30 + k % 4,
            "sequence_number": None if status == "added" else 1 + k % 5,
            "file_sequence_number": None if status == "added" else (None if k % 2 else 2 + k % 5),
            "data_file": {
                "content": 0,
                "file_path": f"s3://lake/t/data/ts_day={k}/part-{k:05d}-ü.parquet",
                "file_format": "PARQUET",
                "partition": partition,
                "record_count": rng.randrange(0, 2 ** 40),
                "file_size_in_bytes": rng.randrange(0, 2 ** 40),
                "column_sizes": {c: rng.randrange(2 ** 33) for c in cols},
                "value_counts": {c: rng.randrange(2 ** 33) for c in cols},
                "null_value_counts": {c: k for c in cols},
                "nan_value_counts": {5: 0} if k % 2 else {},
                "lower_bounds": {c: bytes(rng.randrange(256) for _ in range(c % 9)) for c in cols},
                "upper_bounds": {c: bytes([255, 0, c]) for c in cols},
                "key_metadata": None if k % 3 else bytes(range(k % 7)),
                "split_offsets": [] if k % 4 else [4, 4 + k * 1000],
                "sort_order_id": None if k % 2 else k % 3,
            },
        })
    return out


def to_description_file(f):
    """A data file in the tool's JSON form."""
    kinds = {name: kind for name, _, _, _, kind, _ in PARTITION}
    return {
        **{k: v for k, v in f.items() if k not in ("partition", "key_metadata") and not k.endswith("bounds")
           and not k.endswith("counts") and k != "column_sizes"},
        "partition": {name: None if v is None else kinds[name].to_json(v) for name, v in f["partition"].items()},
        **{m: {str(c): v for c, v in f[m].items()}
           for m in ("column_sizes", "value_counts", "null_value_counts", "nan_value_counts")},
        **{m: {str(c): v.hex() for c, v in f[m].items()} for m in ("lower_bounds", "upper_bounds")},
        "key_metadata": None if f["key_metadata"] is None else f["key_metadata"].hex(),
    }


def to_fastavro_file(f, partition=PARTITION):
    kinds = {name: kind for name, _, _, _, kind, _ in partition}

    def amap(m):
        return [{"key": c, "value": v} for c, v in sorted(m.items())] or None

    return {
        "content": f["content"],
        "file_path": f["file_path"],
        "file_format": f["file_format"],
        "partition": {name: None if v is None else kinds[name].to_fastavro(v) for name, v in f["partition"].items()},
        "record_count": f["record_count"],
        "file_size_in_bytes": f["file_size_in_bytes"],
        **{m: amap(f[m]) for m in ("column_sizes", "value_counts", "null_value_counts", "nan_value_counts",
                                  "lower_bounds", "upper_bounds")},
        "key_metadata": f["key_metadata"],
        "split_offsets": f["split_offsets"] or None,
        "equality_ids": f.get("equality_ids") or None,
        "sort_order_id": f["sort_order_id"],
        "referenced_data_file": None,
    }


def expected_floe_file(f, spec_id):
    """What the tool prints for a data file it read."""
    d = to_description_file(f)
    return {**d, "spec_id": spec_id, "equality_ids": f.get("equality_ids", []),
            "split_offsets": f["split_offsets"]}


def summaries(entries, partition=PARTITION):
    """The manifest list's partition summaries, as Java computes them: every entry counts."""
    out = []
    for name, _, _, _, kind, _ in partition:
        values = [e["data_file"]["partition"][name] for e in entries]
        present = [v for v in values if v is not None]
        out.append({"contains_null": len(present) < len(values), "contains_nan": False,
                    "lower_bound": kind.to_binary(min(present)) if present else None,
                    "upper_bound": kind.to_binary(max(present)) if present else None})
    return out


def description(tmp_path, entries, **kw):
    return {
        "schema": TABLE_SCHEMA, "spec": SPEC, "snapshot_id": 42, "parent_snapshot_id": 41, "sequence_number": 7,
        "content": "data", "manifest_path": str(tmp_path / "m0.avro"), "manifest_list_path": str(tmp_path / "snap.avro"),
        "entries": [{**{k: v for k, v in e.items() if k != "data_file"}, "data_file": to_description_file(e["data_file"])}
                    for e in entries],
        **kw,
    }


OTHER_MANIFEST = {
    "manifest_path": "s3://lake/t/metadata/old-m0.avro", "manifest_length": 5123, "partition_spec_id": 1,
    "content": 1, "sequence_number": 3, "min_sequence_number": 2, "added_snapshot_id": 30, "added_files_count": 2,
    "existing_files_count": 0, "deleted_files_count": 1, "added_rows_count": 2 ** 40, "existing_rows_count": 0,
    "deleted_rows_count": 9, "partitions": [{"contains_null": True, "contains_nan": None, "lower_bound": None,
                                              "upper_bound": "ff00"}], "key_metadata": "6b6579",
}


def fastavro_list_record(m):
    return {**m, "partitions": [{**p, "lower_bound": None if p["lower_bound"] is None else bytes.fromhex(p["lower_bound"]),
                                 "upper_bound": None if p["upper_bound"] is None else bytes.fromhex(p["upper_bound"])}
                                for p in m["partitions"]],
            "key_metadata": None if m["key_metadata"] is None else bytes.fromhex(m["key_metadata"])}


def hex_summaries(s):
    return [{**p, "lower_bound": None if p["lower_bound"] is None else p["lower_bound"].hex(),
             "upper_bound": None if p["upper_bound"] is None else p["upper_bound"].hex()} for p in s]


def assert_same(got, want, what):
    """Dict equality that names the keys that differ."""
    diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
    assert not diff, f"{what}: (got, want) differ at {diff}"


def read_avro(path):
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        return list(reader), reader.metadata


# ---- floe writes, fastavro and pyiceberg read ----

def test_fastavro_reads_floe_manifest_and_list(tmp_path):
    entries = make_entries(40, random.Random(1))
    summary = floe_write(tmp_path, description(tmp_path, entries, other_manifests=[OTHER_MANIFEST]))
    manifest, manifest_list = tmp_path / "m0.avro", tmp_path / "snap.avro"

    records, meta = read_avro(manifest)
    # Exactly the spec's schema: record names, field ids, optional fields as ["null", T] with default null, decimal
    # as the smallest fixed, uuid as fixed[16], timestamps with adjust-to-utc, int-keyed maps as arrays.
    assert json.loads(meta["avro.schema"]) == entry_schema(partition_fields())
    assert meta["avro.codec"] == "deflate"
    assert json.loads(meta["schema"]) == TABLE_SCHEMA
    assert meta["schema-id"] == "3"
    assert json.loads(meta["partition-spec"]) == SPEC["fields"]
    assert meta["partition-spec-id"] == "2"
    assert meta["format-version"] == "2"
    assert meta["content"] == "data"

    assert len(records) == len(entries)
    for k, (got, e) in enumerate(zip(records, entries)):
        status = {"existing": 0, "added": 1, "deleted": 2}[e["status"]]
        assert got["status"] == status, k
        # Added entries carry the writer's snapshot id and null sequence numbers (inherited at read); deleted ones
        # the deleting snapshot's id and their own sequence numbers.
        assert got["snapshot_id"] == (e["snapshot_id"] if e["status"] == "existing" else 42), k
        assert got["sequence_number"] == e["sequence_number"], k
        assert got["file_sequence_number"] == e["file_sequence_number"], k
        assert got["data_file"] == to_fastavro_file(e["data_file"]), k

    rows, list_meta = read_avro(manifest_list)
    assert json.loads(list_meta["avro.schema"]) == LIST_SCHEMA
    assert {k: v for k, v in list_meta.items() if not k.startswith("avro.")} == {
        "snapshot-id": "42", "parent-snapshot-id": "41", "sequence-number": "7", "format-version": "2"}
    by_status = {s: [e for e in entries if e["status"] == s] for s in ("added", "existing", "deleted")}
    live_seqs = [e["sequence_number"] for e in entries if e["status"] != "deleted" and e["sequence_number"] is not None]
    want = {
        "manifest_path": str(manifest), "manifest_length": os.path.getsize(manifest), "partition_spec_id": 2,
        "content": 0, "sequence_number": 7, "min_sequence_number": min(live_seqs), "added_snapshot_id": 42,
        "added_files_count": len(by_status["added"]), "existing_files_count": len(by_status["existing"]),
        "deleted_files_count": len(by_status["deleted"]),
        "added_rows_count": sum(e["data_file"]["record_count"] for e in by_status["added"]),
        "existing_rows_count": sum(e["data_file"]["record_count"] for e in by_status["existing"]),
        "deleted_rows_count": sum(e["data_file"]["record_count"] for e in by_status["deleted"]),
        "partitions": summaries(entries), "key_metadata": None,
    }
    assert rows == [fastavro_list_record(OTHER_MANIFEST), want]
    # The summary the tool printed is the same, with the sequence number left for the commit.
    assert summary == {**want, "sequence_number": -1, "partitions": hex_summaries(want["partitions"])}


def test_pyiceberg_reads_floe_manifest_and_list(tmp_path):
    from pyiceberg.io.pyarrow import PyArrowFileIO
    from pyiceberg.manifest import read_manifest_list

    entries = make_entries(25, random.Random(2))
    floe_write(tmp_path, description(tmp_path, entries))
    io = PyArrowFileIO()
    [m] = list(read_manifest_list(io.new_input(str(tmp_path / "snap.avro"))))
    assert (m.manifest_path, m.partition_spec_id, int(m.content), m.sequence_number, m.added_snapshot_id) == (
        str(tmp_path / "m0.avro"), 2, 0, 7, 42)
    assert m.manifest_length == os.path.getsize(tmp_path / "m0.avro")
    assert [(p.contains_null, p.contains_nan, p.lower_bound, p.upper_bound) for p in m.partitions] == [
        (s["contains_null"], s["contains_nan"], s["lower_bound"], s["upper_bound"]) for s in summaries(entries)]

    got = m.fetch_manifest_entry(io, discard_deleted=False)
    assert len(got) == len(entries)
    kinds = [kind for _, _, _, _, kind, _ in PARTITION]
    for k, (g, e) in enumerate(zip(got, entries)):
        assert g.status.name.lower() == e["status"], k
        # pyiceberg inherits as the spec says: added entries take the manifest's sequence number.
        added = e["status"] == "added"
        assert g.sequence_number == (7 if added else e["sequence_number"]), k
        assert g.file_sequence_number == (7 if added else e["file_sequence_number"]), k
        assert g.snapshot_id == (e["snapshot_id"] if e["status"] == "existing" else 42), k
        f, want = g.data_file, e["data_file"]
        assert (f.file_path, f.record_count, f.file_size_in_bytes) == (
            want["file_path"], want["record_count"], want["file_size_in_bytes"]), k
        # pyiceberg 0.12's compiled Avro decoder reads doubles as 32-bit floats (its own manifests round-trip -1e300
        # to -inf), so the double field is left out here; fastavro checks it above.
        compared = [i for i, p in enumerate(PARTITION) if p[4] is not DOUBLE]
        assert [f.partition[i] for i in compared] == [
            None if v is None else kinds[i].to_pyiceberg(v)
            for i, v in enumerate(want["partition"].values()) if i in compared], k
        assert (f.column_sizes or {}) == want["column_sizes"], k
        assert (f.lower_bounds or {}) == want["lower_bounds"], k
        assert (f.upper_bounds or {}) == want["upper_bounds"], k
        assert f.key_metadata == want["key_metadata"], k
        assert (f.split_offsets or []) == want["split_offsets"], k
        assert f.sort_order_id == want["sort_order_id"], k


def test_delete_manifests(tmp_path):
    entries = make_entries(12, random.Random(7))
    for k, e in enumerate(entries):
        f = e["data_file"]
        f["content"] = 2 if k % 2 else 1  # equality deletes carry their equality field ids; position deletes none
        f["equality_ids"] = [1, 3] if k % 2 else []
        f["sort_order_id"] = None
    floe_write(tmp_path, description(tmp_path, entries, content="deletes"))
    records, meta = read_avro(tmp_path / "m0.avro")
    assert meta["content"] == "deletes"
    assert [r["data_file"] for r in records] == [to_fastavro_file(e["data_file"]) for e in entries]
    [row], _ = read_avro(tmp_path / "snap.avro")
    assert row["content"] == 1
    [m] = floe_read(tmp_path / "snap.avro")
    assert m["content"] == 1
    assert [g["data_file"] for g in m["entries"]] == [expected_floe_file(e["data_file"], 2) for e in entries]


def test_floe_reads_back_what_it_wrote(tmp_path):
    entries = make_entries(30, random.Random(3))
    floe_write(tmp_path, description(tmp_path, entries))
    [m] = floe_read(tmp_path / "snap.avro")
    assert len(m["entries"]) == len(entries)
    for k, (g, e) in enumerate(zip(m["entries"], entries)):
        added = e["status"] == "added"
        assert g == {
            "status": e["status"],
            "snapshot_id": e["snapshot_id"] if e["status"] == "existing" else 42,
            "sequence_number": 7 if added else e["sequence_number"],
            "file_sequence_number": 7 if added else e["file_sequence_number"],
            "data_file": expected_floe_file(e["data_file"], 2),
        }, k


# ---- fastavro and pyiceberg write, floe reads ----

def fastavro_write(path, schema, records, metadata, codec="deflate"):
    with open(path, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(copy.deepcopy(schema)), records, codec=codec, metadata=metadata,
                        sync_interval=2000)


MANIFEST_META = {"schema": json.dumps(TABLE_SCHEMA), "schema-id": "3", "partition-spec": json.dumps(SPEC["fields"]),
                 "partition-spec-id": "2", "format-version": "2", "content": "data"}


@pytest.mark.parametrize("codec", ["null", "deflate"])
def test_floe_reads_a_fastavro_manifest_with_inheritance(tmp_path, codec):
    entries = make_entries(60, random.Random(4))
    # Some added entries leave their snapshot id null too (inherited from the manifest list), and one added entry
    # brings an explicit (older) data sequence number.
    records = []
    for k, e in enumerate(entries):
        status = {"existing": 0, "added": 1, "deleted": 2}[e["status"]]
        snapshot = e["snapshot_id"] if e["status"] != "added" else (None if k % 2 else 42)
        seq = 2 if k == 1 else e["sequence_number"]
        records.append({"status": status, "snapshot_id": snapshot, "sequence_number": seq,
                        "file_sequence_number": e["file_sequence_number"],
                        "data_file": to_fastavro_file(e["data_file"])})
    manifest = tmp_path / "fastavro-m0.avro"
    fastavro_write(manifest, entry_schema(partition_fields()), records, MANIFEST_META, codec)
    list_record = {**fastavro_list_record(OTHER_MANIFEST), "manifest_path": str(manifest),
                   "manifest_length": os.path.getsize(manifest), "partition_spec_id": 2, "content": 0,
                   "sequence_number": 9, "min_sequence_number": 1, "added_snapshot_id": 55}
    fastavro_write(tmp_path / "snap.avro", LIST_SCHEMA, [list_record],
                   {"snapshot-id": "55", "sequence-number": "9", "format-version": "2"}, codec)

    [m] = floe_read(tmp_path / "snap.avro")
    assert {k: v for k, v in m.items() if k != "entries"} == {
        **OTHER_MANIFEST, "manifest_path": str(manifest), "manifest_length": os.path.getsize(manifest),
        "partition_spec_id": 2, "content": 0, "sequence_number": 9, "min_sequence_number": 1,
        "added_snapshot_id": 55}
    assert len(m["entries"]) == len(entries)
    for k, (g, r, e) in enumerate(zip(m["entries"], records, entries)):
        added = r["status"] == 1
        assert g == {
            "status": e["status"],
            "snapshot_id": 55 if r["snapshot_id"] is None else r["snapshot_id"],
            "sequence_number": 9 if r["sequence_number"] is None else r["sequence_number"],
            "file_sequence_number": 9 if added else r["file_sequence_number"],
            "data_file": expected_floe_file(e["data_file"], 2),
        }, k


def test_floe_reads_v1_manifests_and_lists(tmp_path):
    """Spec v1: snapshot_id required, no sequence numbers or content (they read as 0 and data), the deprecated
    block_size_in_bytes present, the list's counts optional."""
    partition = [p for p in PARTITION if p[0] in ("ts_day", "id_bucket", "site")]
    v1_entry = {"type": "record", "name": "manifest_entry", "fields": [
        required("status", 0, "int"),
        required("snapshot_id", 1, "long"),
        required("data_file", 2, {"type": "record", "name": "r2", "fields": [
            required("file_path", 100, "string"),
            required("file_format", 101, "string"),
            required("partition", 102, {"type": "record", "name": "r102", "fields": partition_fields(partition)}),
            required("record_count", 103, "long"),
            required("file_size_in_bytes", 104, "long"),
            required("block_size_in_bytes", 105, "long"),
            int_map("value_counts", 109, 119, 120, "long"),
            int_map("lower_bounds", 125, 126, 127, "bytes"),
            int_map("upper_bounds", 128, 129, 130, "bytes"),
        ]}),
    ]}
    v1_list = {"type": "record", "name": "manifest_file", "fields": [
        required("manifest_path", 500, "string"),
        required("manifest_length", 501, "long"),
        required("partition_spec_id", 502, "int"),
        required("added_snapshot_id", 503, "long"),
        optional("added_data_files_count", 504, "int"),
        optional("existing_data_files_count", 505, "int"),
        optional("deleted_data_files_count", 506, "int"),
        optional("partitions", 507, {"type": "array", "element-id": 508, "items": {
            "type": "record", "name": "r508", "fields": [
                required("contains_null", 509, "boolean"),
                optional("lower_bound", 510, "bytes"),
                optional("upper_bound", 511, "bytes")]}}),
    ]}
    spec_fields = [f for f in SPEC["fields"] if f["name"] in ("ts_day", "id_bucket", "site")]
    records = []
    for k in range(20):
        records.append({"status": 1 if k % 3 else 0, "snapshot_id": 100 + k % 2, "data_file": {
            "file_path": f"/data/f{k}.avro", "file_format": "AVRO",
            "partition": {"ts_day": DATE.to_fastavro(19000 + k), "id_bucket": None if k % 4 == 0 else k % 16,
                          "site": "s"},
            "record_count": k, "file_size_in_bytes": 1000 + k, "block_size_in_bytes": 67108864,
            "value_counts": [{"key": 1, "value": k}], "lower_bounds": None, "upper_bounds": None}})
    manifest = tmp_path / "v1-m0.avro"
    fastavro_write(manifest, v1_entry, records,
                   {"schema": json.dumps(TABLE_SCHEMA), "partition-spec": json.dumps(spec_fields),
                    "partition-spec-id": "0", "format-version": "1"})
    fastavro_write(tmp_path / "snap-v1.avro", v1_list, [{
        "manifest_path": str(manifest), "manifest_length": os.path.getsize(manifest), "partition_spec_id": 0,
        "added_snapshot_id": 101, "added_data_files_count": 13, "existing_data_files_count": None,
        "deleted_data_files_count": 0, "partitions": [{"contains_null": False, "lower_bound": b"x",
                                                       "upper_bound": None}]}],
                   {"snapshot-id": "101", "format-version": "1"})

    [m] = floe_read(tmp_path / "snap-v1.avro")
    assert (m["content"], m["sequence_number"], m["min_sequence_number"]) == (0, 0, 0)
    assert (m["added_files_count"], m["existing_files_count"], m["deleted_files_count"]) == (13, 0, 0)
    assert m["partitions"] == [{"contains_null": False, "contains_nan": None, "lower_bound": "78",
                                "upper_bound": None}]
    assert len(m["entries"]) == 20
    for k, g in enumerate(m["entries"]):
        assert g["status"] == ("added" if k % 3 else "existing")
        assert (g["snapshot_id"], g["sequence_number"], g["file_sequence_number"]) == (100 + k % 2, 0, 0)
        assert g["data_file"]["content"] == 0
        assert g["data_file"]["file_format"] == "AVRO"
        assert g["data_file"]["partition"] == {
            "ts_day": DATE.to_json(19000 + k), "id_bucket": None if k % 4 == 0 else k % 16, "site": "s"}
        assert g["data_file"]["value_counts"] == {"1": k}


def test_floe_reads_a_pyiceberg_manifest(tmp_path):
    from pyiceberg.io.pyarrow import PyArrowFileIO
    from pyiceberg.manifest import (DataFile, DataFileContent, FileFormat, ManifestEntry, ManifestEntryStatus,
                                    write_manifest, write_manifest_list)
    from pyiceberg.partitioning import PartitionSpec
    from pyiceberg.schema import Schema
    from pyiceberg.typedef import Record

    schema = Schema.model_validate_json(json.dumps(TABLE_SCHEMA))
    spec = PartitionSpec.model_validate_json(json.dumps(SPEC))
    io = PyArrowFileIO()
    entries = make_entries(30, random.Random(5))
    for k, e in enumerate(entries):  # pyiceberg writes partition fields as required: no nulls
        e["data_file"]["partition"] = {name: raw(k) for name, _, _, _, _, raw in PARTITION}
    manifest_path = str(tmp_path / "pyiceberg-m0.avro")
    kinds = [kind for _, _, _, _, kind, _ in PARTITION]
    with write_manifest(format_version=2, spec=spec, schema=schema, output_file=io.new_output(manifest_path),
                        snapshot_id=77, avro_compression="deflate") as writer:
        for e in entries:
            f = e["data_file"]
            data_file = DataFile.from_args(
                content=DataFileContent.DATA, file_path=f["file_path"], file_format=FileFormat.PARQUET,
                partition=Record(*[kind.to_pyiceberg(v) for v, kind in zip(f["partition"].values(), kinds)]),
                record_count=f["record_count"], file_size_in_bytes=f["file_size_in_bytes"],
                column_sizes=f["column_sizes"], value_counts=f["value_counts"],
                null_value_counts=f["null_value_counts"], nan_value_counts=f["nan_value_counts"],
                lower_bounds=f["lower_bounds"], upper_bounds=f["upper_bounds"], key_metadata=f["key_metadata"],
                split_offsets=f["split_offsets"] or None, sort_order_id=f["sort_order_id"])
            data_file.spec_id = 2
            if e["status"] == "added":
                writer.add(ManifestEntry.from_args(data_file=data_file))
            else:
                entry = ManifestEntry.from_args(
                    status=ManifestEntryStatus.EXISTING, snapshot_id=e["snapshot_id"],
                    sequence_number=e["sequence_number"],
                    file_sequence_number=e["file_sequence_number"], data_file=data_file)
                (writer.existing if e["status"] == "existing" else writer.delete)(entry)
    manifest_file = writer.to_manifest_file()
    list_path = str(tmp_path / "pyiceberg-snap.avro")
    with write_manifest_list(format_version=2, output_file=io.new_output(list_path), snapshot_id=77,
                             parent_snapshot_id=None, sequence_number=12, avro_compression="deflate") as lw:
        lw.add_manifests([manifest_file])

    [m] = floe_read(list_path)
    assert (m["manifest_path"], m["sequence_number"], m["added_snapshot_id"], m["partition_spec_id"]) == (
        manifest_path, 12, 77, 2)
    assert m["manifest_length"] == os.path.getsize(manifest_path)
    # The summaries are pyiceberg's: floe reads them as they are.
    [row], _ = read_avro(list_path)
    assert m["partitions"] == hex_summaries(row["partitions"])
    assert len(m["entries"]) == len(entries)
    for k, (g, e) in enumerate(zip(m["entries"], entries)):
        added = e["status"] == "added"
        want_file = expected_floe_file(e["data_file"], 2)
        assert_same(g["data_file"], want_file, f"entry {k}")
        assert g == {
            "status": e["status"],
            "snapshot_id": e["snapshot_id"] if e["status"] == "existing" else 77,
            "sequence_number": 12 if added else e["sequence_number"],
            "file_sequence_number": 12 if added else e["file_sequence_number"],
            "data_file": want_file,
        }, k


# ---- damage ----

def test_a_damaged_manifest_is_an_error_naming_it(tmp_path):
    floe_write(tmp_path, description(tmp_path, make_entries(30, random.Random(6))))
    manifest = tmp_path / "m0.avro"
    data = manifest.read_bytes()
    with open(manifest, "rb") as f:
        sync = fastavro.reader(f)._header["sync"]
    # A flipped byte in the last sync marker (the length still matches the manifest list).
    last = data.rindex(sync)
    manifest.write_bytes(data[:last + 3] + bytes([data[last + 3] ^ 0x40]) + data[last + 4:])
    res = run_tool(["read", tmp_path / "snap.avro"])
    assert res.returncode == 1
    assert f"manifest {manifest}: " in res.stderr and "sync marker mismatch" in res.stderr, res.stderr
    # A longer file than the manifest list says.
    manifest.write_bytes(data + b"\0" * 10)
    res = run_tool(["read", tmp_path / "snap.avro"])
    assert res.returncode == 1
    assert f"manifest {manifest}: length {len(data) + 10} but the manifest list says {len(data)}" in res.stderr, \
        res.stderr
