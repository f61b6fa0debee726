"""floe's Iceberg REST catalog client against a REST catalog we did not write: Project Nessie's server.

The server is `org.projectnessie.nessie:nessie-quarkus:0.99.0`, the Quarkus runner jar from Maven Central
(tests/peers/nessie/pom.xml, installed by scripts/setup-peers.sh), started by nessie_peer.py once for this module with
its in-memory version store, on free ports, with a JVM of version 21 or newer (the jar's classes need it). Nessie's
Iceberg REST warehouse must be an object store (0.99.0 refuses file:// warehouses), so it lives in a bucket of moto's S3
server (the `s3` fixture of test_s3_fileio.py, with signature checking on): Nessie writes table metadata there, floe and
pyiceberg write data files and manifests there.

floe is driven through its command line (`floe table create|append|alter|describe|scan|compact --catalog URL`, and
`floe job run --catalog URL` with a stream job killed and restarted), and it gets the S3 endpoint from Nessie's
/v1/config (its "s3.endpoint" and "s3.path-style-access" overrides) and only the keys from the environment.
pyiceberg's RestCatalog is the independent reader and writer on the other side.

A commit floe makes on a stale base is forced, not hoped for: a relay between floe and Nessie holds floe's first
commit until a second floe writer has committed, so Nessie answers 409 CommitFailedException and floe must reload,
re-apply and commit again with nothing lost.

Not tested here, because the server gets it wrong: Nessie 0.99.0 checks a commit's requirements against the table it
read at the start of the request and does not make the Nessie commit conditional on them, so two commits that reach
it at the same instant can both get 200 and the later one replaces the earlier (seen with four floe appends in
parallel, and with four pyiceberg appends in parallel: 3 of 4 rows kept, every writer told it succeeded). floe's own
catalog (tests/interop/test_catalog_pyiceberg.py) is tested with truly concurrent writers.
"""
import csv
import datetime
import http.client
import json
import re
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import NoSuchTableError

from floe_process import FloeServer, floe_bin, run_floe
from nessie_peer import NessieServer
from test_s3_fileio import s3  # noqa: F401  (the moto server fixture, module-scoped here too)

UTC = datetime.timezone.utc
BUCKET = "nessie-lake"


class Nessie(NessieServer):
    """The shared Nessie server (nessie_peer.py), with floe's CLI and pyiceberg pointed at it."""

    def __init__(self, s3, log_dir):
        super().__init__(s3.endpoint, s3.key_id, s3.secret, BUCKET, log_dir)

    def floe(self, *args, url=None, check=True):
        """`floe table ARGS[0] --catalog URL ARGS[1:]` with the S3 keys in the environment; through `url` if given."""
        res = run_floe(["table", args[0], "--catalog", url or self.url, *args[1:]], env=self.env, timeout=120)
        if check:
            assert res.returncode == 0, f"floe table {' '.join(args)}: {res.stderr}\nNessie:\n{self.tail(2000)}"
        return res

    def pyiceberg(self):
        # Only the keys: the S3 endpoint, path style and region come from Nessie's config, as for floe.
        return RestCatalog("nessie", uri=self.url, **{"s3.access-key-id": self.env["AWS_ACCESS_KEY_ID"],
                                                      "s3.secret-access-key": self.env["AWS_SECRET_ACCESS_KEY"]})


@pytest.fixture(scope="module")
def nessie(s3, tmp_path_factory):  # noqa: F811  (s3 is the imported fixture)
    s3.client.create_bucket(Bucket=BUCKET)
    server = Nessie(s3, str(tmp_path_factory.mktemp("nessie")))
    try:
        yield server
    finally:
        server.stop()


def parquet(path, columns):
    pq.write_table(pa.table(columns), path)
    return str(path)


def ts(seconds):
    return datetime.datetime(2024, 10, 4, tzinfo=UTC) + datetime.timedelta(seconds=seconds)


def row_order(row):
    """Rows sort by their columns in table order, nulls last."""
    return [(v is None, v if v is not None else 0) for v in row.values()]


def floe_rows(nessie, table, *extra):
    """floe's scan as JSON rows, timestamps parsed, sorted by every column."""
    out = nessie.floe("scan", table, "--format", "json", *extra).stdout
    rows = []
    for line in out.splitlines():
        row = json.loads(line)
        for k, v in row.items():
            if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", v):
                row[k] = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        rows.append(row)
    return sorted(rows, key=row_order)


def pyiceberg_rows(table):
    return sorted(table.scan().to_arrow().to_pylist(), key=row_order)


def describe(nessie, table):
    return json.loads(nessie.floe("describe", table, "--format", "json").stdout)


def test_nessie_serves_the_config_floe_needs(nessie, s3):
    # The facts the rest of this module relies on: Nessie's prefix is its branch, and its S3 settings are overrides.
    assert nessie.config["defaults"]["prefix"] == "main"
    assert nessie.config["overrides"]["s3.endpoint"] == s3.endpoint
    assert nessie.config["overrides"]["s3.path-style-access"] == "true"


def test_floe_creates_appends_and_alters_and_pyiceberg_reads_identical_rows(nessie, tmp_path):
    cat = nessie.pyiceberg()
    cat.create_namespace("telemetry")  # floe's CLI has no namespace command; Nessie wants the namespace first
    res = nessie.floe("create", "telemetry.readings", "--schema",
                      "sensor_id string required, ts timestamptz required, temperature double, readings int",
                      "--partition-by", "day(ts)", "--property", "owner=floe")
    assert re.fullmatch(rf"created telemetry.readings at s3://{BUCKET}/wh/telemetry/readings_[-0-9a-f]+/metadata/"
                        r"\S+\.metadata\.json\n", res.stdout), res.stdout

    first = parquet(tmp_path / "a.parquet", {
        "sensor_id": pa.array(["s-1", "s-2", "s,3"], pa.string()),
        "ts": pa.array([ts(1), ts(86_400), ts(-1)], pa.timestamp("us", tz="UTC")),
        "temperature": pa.array([21.5, None, -0.25], pa.float64()),
        "readings": pa.array([3, None, -7], pa.int32())})
    res = nessie.floe("append", "telemetry.readings", first)
    assert res.stdout.startswith("appended 3 rows in 3 files to telemetry.readings"), res.stdout

    # Schema evolution through Nessie: a new column, a rename and an int -> long widening, then rows in that shape.
    nessie.floe("alter", "telemetry.readings", "--add-column", "site string", "--rename-column", "readings=count",
                "--widen-column", "count long")
    second = parquet(tmp_path / "b.parquet", {
        "sensor_id": pa.array(["s-4"], pa.string()),
        "ts": pa.array([ts(2)], pa.timestamp("us", tz="UTC")),
        "temperature": pa.array([19.0], pa.float64()),
        "count": pa.array([1 << 40], pa.int64()),
        "site": pa.array(["north"], pa.string())})
    nessie.floe("append", "telemetry.readings", second)

    expected = sorted([
        {"sensor_id": "s-1", "ts": ts(1), "temperature": 21.5, "count": 3, "site": None},
        {"sensor_id": "s-2", "ts": ts(86_400), "temperature": None, "count": None, "site": None},
        {"sensor_id": "s,3", "ts": ts(-1), "temperature": -0.25, "count": -7, "site": None},
        {"sensor_id": "s-4", "ts": ts(2), "temperature": 19.0, "count": 1 << 40, "site": "north"},
    ], key=row_order)
    assert floe_rows(nessie, "telemetry.readings") == expected

    table = nessie.pyiceberg().load_table("telemetry.readings")
    assert pyiceberg_rows(table) == expected
    assert [(f.field_id, f.name, str(f.field_type), f.required) for f in table.schema().fields] == [
        (1, "sensor_id", "string", True), (2, "ts", "timestamptz", True), (3, "temperature", "double", False),
        (4, "count", "long", False), (5, "site", "string", False)]
    assert str(table.spec().fields[0].transform) == "day" and table.spec().fields[0].source_id == 2
    assert table.properties["owner"] == "floe"

    # What floe and pyiceberg see of the table is the same table at the same snapshot.
    d = describe(nessie, "telemetry.readings")
    assert d["metadata"]["table-uuid"] == str(table.metadata.table_uuid)
    assert d["metadata"]["current-snapshot-id"] == table.current_snapshot().snapshot_id
    assert table.current_snapshot().summary["total-records"] == "4"
    assert table.current_snapshot().summary.operation.value == "append"
    # A filter pushed into floe's scan of the table Nessie holds.
    hot = floe_rows(nessie, "telemetry.readings", "--where", "temperature > 0")
    assert sorted(r["sensor_id"] for r in hot) == ["s-1", "s-4"]


def test_pyiceberg_writes_and_floe_scans_identical_rows(nessie, tmp_path):
    cat = nessie.pyiceberg()
    cat.create_namespace("lake")
    rows = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": pa.array(["a", None, "c"], pa.string()),
                     "at": pa.array([ts(0), ts(60), ts(3600)], pa.timestamp("us", tz="UTC"))})
    table = cat.create_table("lake.events", schema=rows.schema)
    table.append(rows)
    table.append(rows.slice(0, 1))
    got = floe_rows(nessie, "lake.events")
    assert got == pyiceberg_rows(nessie.pyiceberg().load_table("lake.events"))
    assert [r["id"] for r in got] == [1, 1, 2, 3] and got[2]["name"] is None

    # floe evolves pyiceberg's table (pyiceberg 0.12's own add-schema omits last-column-id, which Nessie 0.99.0
    # requires: its update_schema fails there with a 500), pyiceberg appends in the new shape, floe appends too.
    nessie.floe("alter", "lake.events", "--add-column", "score double")
    table = nessie.pyiceberg().load_table("lake.events")
    assert [f.name for f in table.schema().fields] == ["id", "name", "at", "score"]
    table.append(pa.table({"id": pa.array([4], pa.int64()), "name": pa.array(["d"], pa.string()),
                           "at": pa.array([ts(7200)], pa.timestamp("us", tz="UTC")),
                           "score": pa.array([0.5], pa.float64())}))
    nessie.floe("append", "lake.events", parquet(tmp_path / "5.parquet", {
        "id": pa.array([5], pa.int64()), "name": pa.array(["e"], pa.string()),
        "at": pa.array([ts(5)], pa.timestamp("us", tz="UTC")), "score": pa.array([5.0], pa.float64())}))

    table = nessie.pyiceberg().load_table("lake.events")
    got = floe_rows(nessie, "lake.events")
    assert got == pyiceberg_rows(table)
    assert [(r["id"], r["score"]) for r in got] == [(1, None), (1, None), (2, None), (3, None), (4, 0.5), (5, 5.0)]
    d = describe(nessie, "lake.events")
    assert d["metadata"]["current-snapshot-id"] == table.current_snapshot().snapshot_id
    assert table.current_snapshot().summary["total-records"] == "6"


class CommitRelay:
    """An HTTP relay in front of Nessie that runs `before_first_commit` when the first table commit (POST to
    .../namespaces/NS/tables/NAME) arrives, before passing it on; it records every exchange it relays."""

    def __init__(self, target_port, commit_path, before_first_commit):
        self.exchanges = []
        relay = self
        fired = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def relay(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                if self.command == "POST" and self.path.endswith(commit_path) and not fired.is_set():
                    fired.set()
                    before_first_commit()
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                relay.exchanges.append((self.command, self.path, r.status, data))
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_DELETE = do_HEAD = relay

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/iceberg"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_floe_commit_on_a_stale_base_gets_409_and_floe_retries_without_losing_rows(nessie, tmp_path):
    cat = nessie.pyiceberg()
    cat.create_namespace("race")
    nessie.floe("create", "race.t", "--schema", "id long required, writer string")
    nessie.floe("append", "race.t", parquet(tmp_path / "0.parquet", {"id": pa.array([0], pa.int64()),
                                                                     "writer": ["seed"]}))
    second = parquet(tmp_path / "b.parquet", {"id": pa.array([20, 21], pa.int64()), "writer": ["b", "b"]})
    first = parquet(tmp_path / "a.parquet", {"id": pa.array([10, 11], pa.int64()), "writer": ["a", "a"]})

    # Writer b commits straight to Nessie while writer a's commit, built on the snapshot before b's, waits.
    relay = CommitRelay(nessie.port, "/v1/main/namespaces/race/tables/t",
                        lambda: nessie.floe("append", "race.t", second))
    try:
        res = nessie.floe("append", "race.t", first, url=relay.url)
    finally:
        relay.close()
    assert res.stdout.startswith("appended 2 rows in 1 files to race.t"), res.stdout
    commits = [(status, data) for method, path, status, data in relay.exchanges
               if method == "POST" and path.endswith("/tables/t")]
    assert [status for status, _ in commits] == [409, 200], relay.exchanges
    # Nessie 0.99.0 leaves the error type empty here (and names the expected id twice in the message); floe takes
    # any 409 that is not AlreadyExistsException for a conflict to retry.
    error = json.loads(commits[0][1])["error"]
    assert error["code"] == 409 and error["message"].startswith("Requirement failed: snapshot id changed"), error

    want = [(0, "seed"), (10, "a"), (11, "a"), (20, "b"), (21, "b")]
    assert [(r["id"], r["writer"]) for r in floe_rows(nessie, "race.t")] == want
    assert [(r["id"], r["writer"]) for r in pyiceberg_rows(nessie.pyiceberg().load_table("race.t"))] == want

    # A replace commit through Nessie: compaction of the three writers' files keeps every row.
    res = nessie.floe("compact", "race.t", "--min-input-files", "2")
    assert res.stdout.startswith("compacted 1 partitions of race.t: 3 files"), res.stdout
    table = nessie.pyiceberg().load_table("race.t")
    assert table.current_snapshot().summary.operation.value == "replace"
    assert [(r["id"], r["writer"]) for r in pyiceberg_rows(table)] == want
    assert len(table.inspect.files()) == 1


def test_nessie_errors_reach_the_floe_user_precisely(nessie, tmp_path):
    res = nessie.floe("scan", "telemetry.absent", check=False)
    assert res.returncode == 1
    assert f"GET {nessie.url}/v1/main/namespaces/telemetry/tables/absent: 404 NoSuchTableException" in res.stderr
    res = nessie.floe("create", "nowhere.t", "--schema", "id long", check=False)
    assert res.returncode == 1 and "404 NoSuchNamespaceException" in res.stderr, res.stderr
    nessie.pyiceberg().create_namespace("errs")
    nessie.floe("create", "errs.t", "--schema", "id long")
    res = nessie.floe("create", "errs.t", "--schema", "id long", check=False)
    assert res.returncode == 1 and "409 AlreadyExistsException" in res.stderr, res.stderr
    with pytest.raises(NoSuchTableError):
        nessie.pyiceberg().load_table("errs.absent")


JOB_SQL = """
SET 'execution.checkpointing.interval' = '300 ms';
CREATE TABLE src (
  sensor_id STRING, ts BIGINT, temperature DOUBLE, humidity DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'telemetry', 'properties.bootstrap.servers' = 'unused:1',
        'properties.group.id' = 'nessie', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json',
        'scan.watermark.idle-timeout' = '2 s');
CREATE TABLE sensor_10s (
  window_start TIMESTAMP(3), sensor_id STRING, readings BIGINT, max_temperature DOUBLE
) WITH ('connector' = 'iceberg', 'catalog-database' = 'jobs', 'catalog-table' = 'sensor_10s');
INSERT INTO sensor_10s
SELECT window_start, sensor_id, COUNT(*), MAX(temperature)
FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, sensor_id;
"""


def produce(bootstrap, tmp_path, name, count, start_ms):
    truth_path = tmp_path / f"{name}.csv"
    res = run_floe(["produce", "--bootstrap", bootstrap, "--topic", "telemetry", "--sensors", "4", "--count",
                    str(count), "--rate", "0", "--seed", str(start_ms % 97), "--start-ms", str(start_ms), "--truth",
                    str(truth_path)], timeout=120)
    assert res.returncode == 0, res.stderr
    with open(truth_path) as f:
        return {(int(r["window_start_ms"]), r["sensor_id"]): (int(r["count"]), float(r["max_temperature"]))
                for r in csv.DictReader(f)}


def window_rows(nessie):
    """{(window_start_ms, sensor_id): (readings, max_temperature)} of jobs.sensor_10s; a window twice fails."""
    res = nessie.floe("scan", "jobs.sensor_10s", "--format", "json", check=False)
    if res.returncode != 0:
        return {}
    got = {}
    for line in res.stdout.splitlines():
        r = json.loads(line)
        start = datetime.datetime.fromisoformat(r["window_start"].replace("Z", "+00:00")).replace(tzinfo=UTC)
        key = (round(start.timestamp() * 1000), r["sensor_id"])
        assert key not in got, f"window {key} committed twice: {r}"
        got[key] = (r["readings"], r["max_temperature"])
    return got


def test_a_floe_job_commits_its_windows_to_nessie_exactly_once_across_a_sigkill(nessie, tmp_path):
    """`floe job run --catalog NESSIE`: the stream job's Iceberg sink creates its table in Nessie and commits each
    checkpoint there with its source offsets in the snapshot summary; killed with SIGKILL and restarted, it resumes
    from the checkpoint Nessie holds: every closed window is in the table once, with the producer's counts."""
    nessie.pyiceberg().create_namespace("jobs")
    start = 1_700_000_000_000
    sql = tmp_path / "job.sql"
    sql.write_text(JOB_SQL)
    err_path = tmp_path / "job.err"

    def start_job():
        with open(err_path, "a") as err:
            return subprocess.Popen([floe_bin(), "job", "run", str(sql), "--bootstrap", bootstrap, "--catalog",
                                     nessie.url, "--data-dir", str(tmp_path / "job")],
                                    stdout=subprocess.DEVNULL, stderr=err, env=nessie.env)

    def wait_for_windows(job, want, timeout=30):
        deadline = time.time() + timeout
        while True:
            got = window_rows(nessie)
            if set(want) <= set(got) or job.poll() is not None or time.time() > deadline:
                return got
            time.sleep(0.3)

    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"], data_dir=str(tmp_path / "broker")) as b:
        bootstrap = "%s:%d" % b.doors["kafka"]
        truth = produce(bootstrap, tmp_path, "first", 200, start)  # 50 s of event time from 4 sensors
        job = start_job()
        first_closed = [k for k in truth if k[0] + 10_000 - 1 <= start + 49_000 - 5000]
        got = wait_for_windows(job, first_closed[:1])
        job.send_signal(signal.SIGKILL)
        job.wait()
        assert got, "the job committed nothing before the kill: " + err_path.read_text()[-3000:]

        more = produce(bootstrap, tmp_path, "second", 200, start + 60_000)
        assert not set(more) & set(truth)
        truth.update(more)
        last_event = start + 60_000 + 49_000
        closed = {k: v for k, v in truth.items() if k[0] + 10_000 - 1 <= last_event - 5000}
        job = start_job()
        try:
            got = wait_for_windows(job, closed)
        finally:
            job.send_signal(signal.SIGTERM)
            code = job.wait(timeout=30)
        assert code == 0, err_path.read_text()[-3000:]
    assert len(closed) > 30 and set(closed) <= set(got), sorted(set(closed) - set(got))[:3]
    assert {k: got[k] for k in closed} == closed
    assert set(got) <= set(truth)
    table = nessie.pyiceberg().load_table("jobs.sensor_10s")
    assert len(table.scan().to_arrow()) == len(got)
    summary = table.current_snapshot().summary  # the checkpoint the restart resumed from, as Nessie kept it
    assert {"floe.job-id", "floe.checkpoint-id", "floe.source-offsets"} <= set(summary.additional_properties), summary
