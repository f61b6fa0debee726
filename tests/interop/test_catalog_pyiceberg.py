"""floe's Iceberg REST catalog (`floe catalog`) against pyiceberg's RestCatalog, the real client.

pyiceberg creates namespaces and tables, appends Arrow data (its own Parquet, manifests and manifest lists, committed
through floe with requirements and updates) and reads it back; two writers racing on one table: one gets
CommitFailedException and, retrying on the fresh table, loses nothing; a branch made with `floe catalog branch` is
read and written through the REST prefix, as with Nessie; a create transaction (stage-create) commits; a purge drops
every file.
"""
import os
import threading

import pyarrow as pa
import pytest
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import (CommitFailedException, NamespaceAlreadyExistsError, NamespaceNotEmptyError,
                                  NoSuchNamespaceError, NoSuchTableError, TableAlreadyExistsError)

from floe_process import FloeServer, run_floe

ROWS = pa.table({
    "sensor_id": pa.array(["s-1", "s-2", "s-3"], pa.string()),
    "ts": pa.array([1732480000123, 1732480001123, 1732480002123], pa.int64()),
    "temperature": pa.array([21.5, None, -3.25], pa.float64()),
})


@pytest.fixture
def server(tmp_path):
    with FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0"], ["catalog"],
                    data_dir=str(tmp_path / "data")) as s:
        yield s
        assert s.stop() == 0


def rest_catalog(server, **props):
    return RestCatalog("floe", uri=server.url("catalog", "/iceberg"), **props)


def rows(table):
    return sorted(table.scan().to_arrow().to_pylist(), key=lambda r: (r["sensor_id"], r["ts"]))


def test_namespaces_tables_and_an_append_round_trip(server):
    cat = rest_catalog(server, warehouse=os.path.join(server.data_dir, "warehouse"))
    cat.create_namespace("telemetry", {"owner": "ops"})
    with pytest.raises(NamespaceAlreadyExistsError):
        cat.create_namespace("telemetry")
    cat.create_namespace(("telemetry", "raw"))
    assert cat.list_namespaces() == [("telemetry",)]
    assert cat.list_namespaces("telemetry") == [("telemetry", "raw")]
    assert cat.load_namespace_properties("telemetry") == {"owner": "ops"}
    assert cat.namespace_exists("telemetry") and not cat.namespace_exists("nope")

    table = cat.create_table("telemetry.readings", schema=ROWS.schema)
    with pytest.raises(TableAlreadyExistsError):
        cat.create_table("telemetry.readings", schema=ROWS.schema)
    assert table.location() == os.path.join(server.data_dir, "warehouse", "telemetry", "readings")
    table.append(ROWS)

    # A fresh client, a fresh load: the rows and the snapshot pyiceberg committed.
    again = rest_catalog(server).load_table("telemetry.readings")
    assert again.metadata_location == table.metadata_location
    assert again.scan().to_arrow().sort_by("sensor_id").to_pylist() == ROWS.to_pylist()
    assert [f.name for f in again.schema().fields] == ROWS.column_names
    snapshot = again.current_snapshot()
    assert snapshot.summary.operation.value == "append" and snapshot.summary["added-records"] == "3"
    assert cat.list_tables("telemetry") == [("telemetry", "readings")]
    assert cat.table_exists("telemetry.readings") and not cat.table_exists("telemetry.nope")

    with pytest.raises(NoSuchTableError):
        cat.load_table("telemetry.nope")
    with pytest.raises(NoSuchNamespaceError):
        cat.list_tables("nope")
    with pytest.raises(NamespaceNotEmptyError):
        cat.drop_namespace("telemetry")

    cat.rename_table("telemetry.readings", "telemetry.raw.readings")
    assert rows(cat.load_table("telemetry.raw.readings")) == rows(again)
    assert not cat.table_exists("telemetry.readings")

    props = cat.update_namespace_properties("telemetry", removals={"owner", "absent"}, updates={"tier": "gold"})
    assert props.removed == ["owner"] and props.updated == ["tier"] and props.missing == ["absent"]


def test_two_writers_one_commit_fails_and_no_data_is_lost(server):
    cat = rest_catalog(server)
    cat.create_namespace("db")
    # pyiceberg retries a failed commit by itself; without retries the 409 reaches the writer.
    cat.create_table("db.t", schema=ROWS.schema, properties={"commit.retry.num-retries": "0"})
    first = rest_catalog(server).load_table("db.t")
    second = rest_catalog(server).load_table("db.t")  # the same base as `first`
    first.append(ROWS.slice(0, 1))
    with pytest.raises(CommitFailedException, match="Requirement failed"):
        second.append(ROWS.slice(1, 1))
    assert [r["sensor_id"] for r in rows(cat.load_table("db.t"))] == ["s-1"]
    second.refresh()
    second.append(ROWS.slice(1, 1))
    assert [r["sensor_id"] for r in rows(cat.load_table("db.t"))] == ["s-1", "s-2"]


def test_concurrent_writers_with_pyiceberg_retries_lose_nothing(server):
    cat = rest_catalog(server)
    cat.create_namespace("db")
    cat.create_table("db.t", schema=ROWS.schema)
    writers, appends = 4, 5
    failures, errors = [0], []

    def writer(w):
        try:
            table = rest_catalog(server).load_table("db.t")
            for i in range(appends):
                batch = pa.table({"sensor_id": [f"w{w}"], "ts": [i], "temperature": [float(i)]}, schema=ROWS.schema)
                while True:
                    try:
                        table.append(batch)
                        break
                    except CommitFailedException:
                        failures[0] += 1
                        table.refresh()
        except Exception as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    got = [(r["sensor_id"], r["ts"]) for r in rows(cat.load_table("db.t"))]
    assert got == sorted((f"w{w}", i) for w in range(writers) for i in range(appends))
    assert len(cat.load_table("db.t").snapshots()) == writers * appends


def test_a_branch_is_read_and_written_through_the_prefix(server):
    cat = rest_catalog(server)
    cat.create_namespace("db")
    cat.create_table("db.t", schema=ROWS.schema).append(ROWS.slice(0, 2))
    res = run_floe(["catalog", "branch", "dev", "--data-dir", server.data_dir])
    assert res.returncode == 0, res.stderr

    dev = rest_catalog(server, prefix="dev")  # /iceberg/v1/dev/...
    dev_table = dev.load_table("db.t")
    assert rows(dev_table) == rows(cat.load_table("db.t"))
    dev_table.append(ROWS.slice(2, 1))
    assert len(rows(dev.load_table("db.t"))) == 3
    assert len(rows(cat.load_table("db.t"))) == 2, "main must not see the branch's commit"

    # The ref in the base URI, as Nessie's users write it.
    by_uri = RestCatalog("floe-dev", uri=server.url("catalog", "/iceberg/dev"))
    assert len(rows(by_uri.load_table("db.t"))) == 3

    res = run_floe(["catalog", "merge", "dev", "--data-dir", server.data_dir])
    assert res.returncode == 0, res.stderr
    assert len(rows(cat.load_table("db.t"))) == 3


def test_a_create_transaction_commits_through_stage_create(server):
    cat = rest_catalog(server)
    cat.create_namespace("db")
    with cat.create_table_transaction("db.staged", schema=ROWS.schema, properties={"k": "v"}) as tx:
        assert not cat.table_exists("db.staged")
        tx.append(ROWS)
    table = cat.load_table("db.staged")
    assert table.properties["k"] == "v"
    assert len(rows(table)) == 3


def test_purge_removes_every_file(server):
    cat = rest_catalog(server)
    cat.create_namespace("db")
    table = cat.create_table("db.gone", schema=ROWS.schema)
    table.append(ROWS)
    table.append(ROWS)
    location = table.location()
    files = [os.path.join(d, f) for d, _, fs in os.walk(location) for f in fs]
    assert any(f.endswith(".parquet") for f in files) and any(f.endswith(".avro") for f in files), files
    cat.purge_table("db.gone")
    assert not cat.table_exists("db.gone")
    left = [os.path.join(d, f) for d, _, fs in os.walk(location) for f in fs]
    assert left == [], left
