"""Apache Flink as a real peer for floe's stream engine: run a Flink SQL job over a topic on a Kafka-protocol broker
(floe's) and collect the rows its INSERT writes, as Python values.

Flink is PyFlink (PyPI `apache-flink`, pinned in tests/requirements-flink.txt) in its own virtual environment,
`.venv-flink`, because its pins (pyarrow<21, pandas<2.3, apache-beam<=2.61) clash with the test venv's. The Kafka
SQL connector is the shaded jar from Maven Central (tests/peers/flink-sql-kafka/pom.xml). scripts/setup-peers.sh
installs both. So this file has two halves:

- imported by the tests (the `.venv` interpreter): `run_flink_sql` writes the request to a file and runs this same
  file with the `.venv-flink` interpreter, then reads the rows back from a JSON file;
- run as a script (the `.venv-flink` interpreter): `_main` builds a PyFlink TableEnvironment in streaming mode
  (local MiniCluster inside the gateway JVM), runs the job's statements and writes the rows.

How a job is run, and what that means for comparing with floe:
- The job text is the one floe runs: CREATE TABLE statements (a source with 'connector'='kafka', 'format'='json'
  and a WATERMARK; a sink), then one `INSERT INTO sink <query>` (or a bare query as the last statement). The sink's
  own CREATE TABLE is not executed and the INSERT is not submitted: the harness collects the INSERT's query instead
  (`TableResult.collect()`), since floe's sink (an Iceberg table in floe's catalog) is not a Flink connector.
- Every Kafka source table gets, by ALTER TABLE ... SET after its CREATE TABLE: 'properties.bootstrap.servers' =
  the given broker, 'topic' = the given topic (when one is given), 'scan.bounded.mode' = 'latest-offset' (so the
  source stops at the end offsets it sees at start and the job ends by itself), and 'scan.startup.mode' =
  'earliest-offset' when the job did not choose a startup mode.
- 'table.local-time-zone' is UTC, so windows over a TIMESTAMP_LTZ rowtime (TO_TIMESTAMP_LTZ(ts, 3)) have
  window_start/window_end (TIMESTAMP(3)) in UTC; TIMESTAMP and TIMESTAMP_LTZ values come back as timezone-aware
  UTC `datetime`s (`epoch_ms` turns them into epoch milliseconds). PyFlink's collect cannot carry TIMESTAMP_LTZ
  values, so such columns are cast to TIMESTAMP (in UTC: the same instant) before collecting; `FlinkRun.types`
  still gives the query's own types.
- End of input: a bounded Kafka source emits the final watermark (Long.MAX_VALUE) when it finishes, which fires
  EVERY window, including the last, partly filled ones. floe's job instead closes a window only when its
  watermark (max event time seen - the WATERMARK delay) passes the window's end, and a continuous job never sees
  "end of input". So a parity test compares only the windows both engines close: those with
  window_end + delay <= max event time of the input (`windows_both_close` selects them). Events within a
  partition are in event-time order in the parity test, so no event is late for either engine.
- Updates: rows are read from the changelog Flink's collect sink emits; -U/-D rows retract an earlier equal row, so
  a query whose result updates (a non-windowed GROUP BY) comes back as its final table. Window aggregates are
  insert-only.
- Local mode, parallelism 1 by default (2 also works; with more source subtasks than partitions an idle subtask
  would hold the watermark back until the end of input, which the final watermark then releases).
- For a throughput measurement, `blackhole=True` runs the INSERT's query into Flink's 'blackhole' connector (a sink
  that drops every row) instead of collecting it, so the Python side's row decoding does not bound Flink's speed;
  FlinkRun.rows is then empty. Either way the child reports the gateway JVM's (the whole local Flink cluster's) peak
  resident memory and CPU seconds, read from /proc when the job has finished.

Cost on the 2-core CI machine (measured 2026-11, apache-flink 2.2.1, OpenJDK 17, 3000 events, 10-second TUMBLE,
parallelism 1 or 2): 6.5-9 s per call with short_job (about 2 s to start the gateway JVM and the TableEnvironment,
the rest the job), 8-10 s without; up to twice that while two compilers share the machine.

Noise in Flink's log that is not a failure: at job end the Kafka enumerator's admin client closes after Flink has
released the user-code class loader that loaded the connector jar ('pipeline.jars'), which logs
"NoClassDefFoundError ... Selector$CloseMode"; and the collect sink's fetcher logs "Failed to get job status so we
assume that the job has terminated. Some data might be lost." because the per-job MiniCluster is already shut down
when it asks; it then takes the remaining rows from the finished job's result. No row was missing in any run here,
and the parity test would see one: it checks every window against the producer's truth file.
"""
import calendar
import datetime as dt
import decimal
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
FLINK_VENV = REPO / ".venv-flink"
CONNECTOR_LIB = REPO / "tests" / "peers" / "flink-sql-kafka" / "target" / "lib"
JVM_HEAP = "-Xmx1g"  # the MiniCluster fits in 1 GiB; two peers' JVMs must fit beside floe in 24 GiB
# The JIT's C1 tier alone: a test-sized job (seconds) ends ~30% sooner, since C2 compiles never pay off there. It
# would cap Flink's steady-state speed, so a throughput comparison passes short_job=False.
SHORT_JOB_JIT = "-XX:TieredStopAtLevel=1"


@dataclass
class FlinkRun:
    """What one Flink job produced: the query's columns (name and Flink SQL type), its rows (tuples in column order,
    in the order Flink emitted them), and timings in seconds."""
    columns: list
    types: list
    rows: list
    seconds: float  # wall time of the whole call: interpreter and JVM start, job, shutdown
    startup_seconds: float  # in the child: pyflink imported, gateway JVM and TableEnvironment ready
    job_seconds: float  # from the first statement to the last row collected (or the blackhole job's end)
    log_dir: str = ""
    flink_version: str = ""
    jvm_pid: int = 0  # the gateway JVM, which runs the local cluster (MiniCluster): Flink itself
    jvm_peak_rss_kb: int = 0  # its VmHWM when the job has finished (0 where /proc is missing)
    jvm_cpu_seconds: float = 0.0  # its user+system CPU from its start to the job's end
    jvm_job_cpu_seconds: float = 0.0  # the part of that spent during job_seconds

    def dicts(self):
        return [dict(zip(self.columns, r)) for r in self.rows]


def flink_python() -> str:
    py = os.environ.get("FLOE_FLINK_PYTHON") or str(FLINK_VENV / "bin" / "python")
    if not os.access(py, os.X_OK):
        raise RuntimeError(f"the Flink peer is not installed ({py} missing): run scripts/setup-peers.sh")
    return py


def connector_jar() -> Path:
    jars = sorted(CONNECTOR_LIB.glob("flink-sql-connector-kafka-*.jar"))
    if len(jars) != 1:
        raise RuntimeError(f"expected one flink-sql-connector-kafka jar in {CONNECTOR_LIB}, found "
                           f"{[j.name for j in jars]}: run scripts/setup-peers.sh")
    return jars[0]


def epoch_ms(value: dt.datetime) -> int:
    """Epoch milliseconds of a UTC datetime as returned in FlinkRun.rows (exact, no float rounding)."""
    return calendar.timegm(value.utctimetuple()) * 1000 + value.microsecond // 1000


def windows_both_close(rows, max_event_ms: int, delay_ms: int, end_column: int = 1):
    """The rows whose window floe's watermark closes too: window_end + delay <= max event time (epoch ms). Flink,
    with a bounded source, closes every window at end of input; floe closes a window once its watermark, max event
    time - delay, reaches the window's end."""
    return [r for r in rows if epoch_ms(r[end_column]) + delay_ms <= max_event_ms]


def run_flink_sql(bootstrap: str, sql: str, topic: str = None, parallelism: int = 1, timeout: float = 300,
                  work_dir: str = None, short_job: bool = True, blackhole: bool = False) -> FlinkRun:
    """Runs the job `sql` (see the module docstring) in Flink local mode against the broker at `bootstrap`
    (HOST:PORT), reading `topic` (overrides the sources' 'topic' option when given), and returns its rows.
    `work_dir` keeps the request, the result, the Python child's output and Flink's log (default: a new temporary
    directory). `short_job` runs the JVM with the C1 JIT only (faster for test-sized inputs; pass False when
    measuring Flink's throughput). `blackhole` drops the rows in Flink instead of collecting them (rows is then
    empty; for throughput measurements). Raises RuntimeError with Flink's error and the tail of its log when the job
    fails, or after `timeout` seconds (the Python process and its gateway JVM are then killed)."""
    py = flink_python()
    jar = connector_jar()
    work = Path(work_dir or tempfile.mkdtemp(prefix="floe-flink-"))
    work.mkdir(parents=True, exist_ok=True)
    request = {"bootstrap": bootstrap, "sql": sql, "topic": topic, "parallelism": parallelism,
               "jar": jar.as_uri(), "blackhole": blackhole}
    (work / "request.json").write_text(json.dumps(request))
    log_dir = work / "log"
    jvm_args = f"{JVM_HEAP} {SHORT_JOB_JIT}" if short_job else JVM_HEAP
    env = dict(os.environ, FLINK_LOG_DIR=str(log_dir), JVM_ARGS=jvm_args, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    start = time.time()
    with open(work / "stdout", "w") as out, open(work / "stderr", "w") as err:
        # -P: this file's directory (tests/interop) is not put on sys.path, so no test module shadows a package.
        # A new session, so that a timeout kills the gateway JVM too (it is the Python child's child).
        proc = subprocess.Popen([py, "-P", __file__, str(work / "request.json"), str(work / "result.json")],
                                cwd=work, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise RuntimeError(f"Flink job did not finish within {timeout} s (is the broker at {bootstrap} up and "
                               f"the topic non-empty?): {_diagnostics(work)}")
    seconds = time.time() - start
    _reap_group(proc.pid)
    if rc != 0 or not (work / "result.json").exists():
        raise RuntimeError(f"Flink job failed (exit {rc}): {_diagnostics(work)}")
    res = json.loads((work / "result.json").read_text())
    rows = [tuple(_decode(v) for v in row) for row in res["rows"]]
    return FlinkRun(columns=res["columns"], types=res["types"], rows=rows, seconds=seconds,
                    startup_seconds=res["startup_seconds"], job_seconds=res["job_seconds"], log_dir=str(log_dir),
                    flink_version=res["flink_version"], jvm_pid=res.get("jvm_pid", 0),
                    jvm_peak_rss_kb=res.get("jvm_peak_rss_kb", 0), jvm_cpu_seconds=res.get("jvm_cpu_seconds", 0.0),
                    jvm_job_cpu_seconds=res.get("jvm_job_cpu_seconds", 0.0))


def _reap_group(pgid: int, grace: float = 15):
    """Waits for the gateway JVM, left in the child's process group, to exit after the Python child did (it stops
    when its stdin closes), and kills it if it has not within `grace` seconds, so no JVM outlives a call."""
    deadline = time.time() + grace
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        if time.time() > deadline:
            os.killpg(pgid, signal.SIGKILL)
            return
        time.sleep(0.1)


def _diagnostics(work: Path) -> str:
    parts = []
    err = (work / "stderr").read_text(errors="replace") if (work / "stderr").exists() else ""
    parts.append(f"stderr: {err[-3000:]!r}")
    out = (work / "stdout").read_text(errors="replace") if (work / "stdout").exists() else ""
    parts.append(f"stdout (gateway JVM): {out[-2000:]!r}")
    for log in sorted((work / "log").glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        errors = [line for line in lines if " ERROR " in line]
        warnings = [line[:400] for line in lines if " WARN " in line]
        parts.append(f"{log}: {len(errors)} ERROR lines, last: {errors[-5:]}; last WARN lines: {warnings[-3:]}")
    return "\n".join(parts)


# --- Values cross the process boundary as JSON; types JSON lacks are tagged. ---

def _encode(v):
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:  # TIMESTAMP: wall-clock time in the session time zone, which is UTC
            v = v.replace(tzinfo=dt.timezone.utc)
        return {"$ts": v.astimezone(dt.timezone.utc).isoformat()}
    if isinstance(v, dt.date):
        return {"$date": v.isoformat()}
    if isinstance(v, dt.time):
        return {"$time": v.isoformat()}
    if isinstance(v, decimal.Decimal):
        return {"$dec": str(v)}
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes": bytes(v).hex()}
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return {"$float": repr(v)}
    if isinstance(v, dict):
        return {"$map": [[_encode(k), _encode(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)) or type(v).__name__ == "Row":  # ARRAY, ROW (pyflink.common.Row)
        return [_encode(x) for x in v]
    return v


def _decode(v):
    if isinstance(v, list):
        return tuple(_decode(x) for x in v)
    if isinstance(v, dict):
        (tag, x), = v.items()
        if tag == "$ts":
            return dt.datetime.fromisoformat(x)
        if tag == "$date":
            return dt.date.fromisoformat(x)
        if tag == "$time":
            return dt.time.fromisoformat(x)
        if tag == "$dec":
            return decimal.Decimal(x)
        if tag == "$bytes":
            return bytes.fromhex(x)
        if tag == "$float":
            return float(x)
        if tag == "$map":
            return {_decode(k): _decode(y) for k, y in x}
        raise ValueError(f"unknown tag {tag} in Flink result")
    return v


# --- The job script: statements, the INSERT's query, the sink to leave out. ---

def split_statements(sql: str):
    """The statements of a SQL script, split at ';' outside quotes ('...', "...", `...`) and comments (-- and
    /* */), without the ';' and with blank or comment-only statements dropped."""
    out, start, i, n = [], 0, 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote inside a quoted token
                        j += 2
                        continue
                    break
                j += 1
            if j >= n:
                raise ValueError(f"unterminated {c} quote starting at offset {i} of the SQL script")
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            if j < 0:
                raise ValueError(f"unterminated /* comment starting at offset {i} of the SQL script")
            i = j + 2
        elif c == ";":
            out.append(sql[start:i])
            start = i = i + 1
        else:
            i += 1
    out.append(sql[start:])
    return [s.strip() for s in out if _strip_comments(s).strip()]


def _strip_comments(stmt: str) -> str:
    """The statement without its leading comments (-- and /* */, not hints /*+ */)."""
    s = stmt.lstrip()
    while True:
        if s.startswith("--"):
            j = s.find("\n")
            s = "" if j < 0 else s[j + 1:].lstrip()
        elif s.startswith("/*") and not s.startswith("/*+"):
            j = s.find("*/")
            s = "" if j < 0 else s[j + 2:].lstrip()
        else:
            return s


_NAME = r"(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_$]*))*"
_INSERT = re.compile(r"INSERT\s+(?:INTO|OVERWRITE)\s+(?:TABLE\s+)?(" + _NAME + r")\s*", re.I | re.S)
_CREATE_TABLE = re.compile(r"CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(" + _NAME + r")", re.I | re.S)
_QUERY_START = re.compile(r"(?:SELECT|WITH|VALUES|\()", re.I)


def _norm_name(name: str) -> str:
    """A table name compared case-insensitively, quotes removed, only its last part (the sink may be qualified
    with floe's namespace)."""
    parts = re.findall(r"`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_$]*)", name)
    last = parts[-1]
    return (last[0].replace("``", "`") if last[0] else last[1]).lower()


def plan_job(sql: str):
    """(statements to execute, the query whose rows to collect, column names from INSERT's column list or None).
    The job is: DDL and SET statements, then exactly one `INSERT INTO t [(c, ...)] <query>` or a bare query as
    the last statement. The CREATE TABLE of the INSERT's target is left out."""
    stmts = split_statements(sql)
    if not stmts:
        raise ValueError("the Flink job has no statement")
    *setup, last = stmts
    body = _strip_comments(last)
    columns, target = None, None
    m = _INSERT.match(body)
    if m:
        target = _norm_name(m.group(1))
        query = body[m.end():]
        if query.startswith("(") and not _QUERY_START.match(query[1:].lstrip()):
            close = query.find(")")
            if close < 0:
                raise ValueError(f"unterminated column list in the INSERT: {body[:200]!r}")
            columns = [_norm_name(c.strip()) for c in query[1:close].split(",")]
            query = query[close + 1:].lstrip()
    elif _QUERY_START.match(body):
        query = body
    else:
        raise ValueError(f"the job's last statement must be INSERT INTO ... <query> or a query, not {body[:200]!r}")
    for s in setup:
        if _INSERT.match(_strip_comments(s)) or re.match(r"EXECUTE\s", _strip_comments(s), re.I):
            raise ValueError(f"the job must have exactly one INSERT, as its last statement; found {s[:200]!r}")
    if target is not None:
        setup = [s for s in setup if not ((c := _CREATE_TABLE.match(_strip_comments(s)))
                                          and _norm_name(c.group(1)) == target)]
    return setup, query, columns


# --- The half that runs inside .venv-flink. ---

def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _proc_usage(pid: int):
    """(peak resident kB, user+system CPU seconds) of process `pid` from /proc, or (0, 0.0) where that is missing."""
    try:
        with open(f"/proc/{pid}/status") as f:
            hwm = next((int(line.split()[1]) for line in f if line.startswith("VmHWM:")), 0)
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return hwm, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0, 0.0


def _main(request_path: str, result_path: str):
    t0 = time.time()
    req = json.loads(Path(request_path).read_text())
    setup, query, columns = plan_job(req["sql"])

    from pyflink.common import RowKind
    from pyflink.java_gateway import get_gateway
    from pyflink.table import EnvironmentSettings, Schema, TableDescriptor, TableEnvironment
    from pyflink.table.catalog import ObjectPath
    from pyflink.table.types import LocalZonedTimestampType
    from pyflink.version import __version__ as flink_version

    t_env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    conf = t_env.get_config()
    conf.set("pipeline.jars", req["jar"])
    conf.set("parallelism.default", str(req["parallelism"]))
    conf.set("table.local-time-zone", "UTC")
    jvm_pid = int(get_gateway().jvm.java.lang.ProcessHandle.current().pid())
    t1 = time.time()
    _, cpu_at_t1 = _proc_usage(jvm_pid)

    catalog = t_env.get_catalog(t_env.get_current_catalog())
    database = t_env.get_current_database()
    bounded = set()
    set_re = re.compile(r"^\s*SET\s+'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'\s*$", re.I | re.S)
    for stmt in setup:
        m = set_re.match(stmt)
        if m:  # the Table API's executeSql takes no SET (the SQL client does): set it on the configuration
            conf.set(m.group(1).replace("''", "'"), m.group(2).replace("''", "'"))
            continue
        t_env.execute_sql(stmt)
        temporary_views = set(t_env.list_temporary_views())
        for name in t_env.list_tables():
            if name in bounded or name in temporary_views:
                continue
            if name in t_env.list_temporary_tables():
                raise ValueError(f"table {name} is TEMPORARY: the harness cannot set its Kafka options (bounded "
                                 f"mode, bootstrap); declare it with CREATE TABLE")
            options = dict(catalog.get_table(ObjectPath(database, name)).get_options())  # a view's are empty
            if options.get("connector") != "kafka":
                continue
            forced = {"properties.bootstrap.servers": req["bootstrap"], "scan.bounded.mode": "latest-offset"}
            if req["topic"]:
                forced["topic"] = req["topic"]
            if "scan.startup.mode" not in options:
                forced["scan.startup.mode"] = "earliest-offset"
            sets = ", ".join(f"{_sql_str(k)} = {_sql_str(v)}" for k, v in forced.items())
            t_env.execute_sql(f"ALTER TABLE `{name.replace('`', '``')}` SET ({sets})")
            bounded.add(name)
    if not bounded:
        raise ValueError("the job defines no table with 'connector'='kafka' to read")

    table = t_env.sql_query(query)
    schema = table.get_resolved_schema()
    names = [str(n) for n in schema.get_column_names()]
    data_types = list(schema.get_column_data_types())
    types = [str(t.toString()) for t in schema._j_resolved_schema.getColumnDataTypes()]  # SQL spelling
    if columns is not None and len(columns) != len(names):
        raise ValueError(f"the INSERT names {len(columns)} columns but its query has {len(names)}")
    rows = []
    if req.get("blackhole"):
        # The query's own columns, physical, into a sink that drops them: the job's cost without the collect.
        sink = TableDescriptor.for_connector("blackhole").schema(
            Schema.new_builder().from_row_data_type(schema.to_sink_row_data_type()).build()).build()
        table.execute_insert(sink).wait()
        _finish(result_path, t0, t1, cpu_at_t1, jvm_pid, columns or names, types, rows, flink_version)
        return
    # PyFlink's collect cannot pickle TIMESTAMP_LTZ values (java.time.Instant: "couldn't introspect javabean"), so
    # they are collected as TIMESTAMP in the session time zone, UTC: the same instant, read back as UTC.
    if any(isinstance(t, LocalZonedTimestampType) for t in data_types):
        cols = ", ".join(f"CAST(`{n.replace('`', '``')}` AS TIMESTAMP({t.precision})) AS `{n.replace('`', '``')}`"
                         if isinstance(t, LocalZonedTimestampType) else f"`{n.replace('`', '``')}`"
                         for n, t in zip(names, data_types))
        query = f"SELECT {cols} FROM ({query})"
    result = t_env.execute_sql(query)
    retract = (RowKind.UPDATE_BEFORE, RowKind.DELETE)
    with result.collect() as it:
        for row in it:
            values = [_encode(v) for v in row]
            if row.get_row_kind() in retract:
                if values not in rows:
                    raise ValueError(f"Flink retracted ({row.get_row_kind()}) a row it never emitted: {values}")
                rows.remove(values)
            else:
                rows.append(values)
    _finish(result_path, t0, t1, cpu_at_t1, jvm_pid, columns or names, types, rows, flink_version)


def _finish(result_path, t0, t1, cpu_at_t1, jvm_pid, names, types, rows, flink_version):
    t2 = time.time()
    peak_kb, cpu = _proc_usage(jvm_pid)
    Path(result_path).write_text(json.dumps({
        "columns": names, "types": types, "rows": rows, "startup_seconds": t1 - t0, "job_seconds": t2 - t1,
        "flink_version": flink_version, "jvm_pid": jvm_pid, "jvm_peak_rss_kb": peak_kb, "jvm_cpu_seconds": cpu,
        "jvm_job_cpu_seconds": max(0.0, cpu - cpu_at_t1)}))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
