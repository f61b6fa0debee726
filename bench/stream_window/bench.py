"""stream_window: windowed aggregation throughput of a stream job, floe against Apache Flink 2.2.1 on the same SQL
over the same topic in the same run (issue 7). The job: 10-second TUMBLE, average temperature per sensor, 10,000
sensors, JSON events from a 3-partition topic on `floe broker`, read from the earliest offset, 1 s checkpoints, a
5 s WATERMARK delay.

- The topic: EVENTS events of `floe produce --sensors 10000 --interval-ms 100` (each sensor reads every 100 ms of
  event time: 100,000 events per event-time second, so 8 windows of 10,000 rows each, 7 of which close while
  floe reads), produced before either engine starts.
- floe job run (extra: floe_*): `floe job run` of the SQL into an Iceberg table of `floe catalog`. events/s =
  EVENTS / (from starting the process to the status file's time when it first shows events_in == EVENTS and lag 0).
  With SET 'floe.status.interval' = '100 ms' (floe's SQL only) that file and the pipeline's figures are refreshed
  every 100 ms, so the wall time can be late by up to 0.2 s (extra: floe_seconds_busy_end, when the job last used
  more than half a core for 0.25 s, another estimate of the real end; floe_events_in_timeline, events_in of each
  status; floe_stalled_status_updates, statuses that showed no progress with lag > 0). Its rows are checked:
  rows_out at the end equals the producer's truth windows the final watermark closed. CPU: utime+stime of the job
  process (/proc/<pid>/stat) at that moment; events per CPU-second is the per-core figure.
- Flink: the same SQL through tests/interop/flink_peer.py (local MiniCluster in the PyFlink gateway JVM,
  parallelism 2 = this machine's cores, C2 JIT on, bounded source: the job ends at the end offsets), its INSERT
  into Flink's 'blackhole' sink, so Python's collect of the rows does not bound it (floe's sink is an Iceberg table,
  which Flink's runtime here lacks). events/s = EVENTS / job_seconds (from the first statement to the job's end:
  planning, submission and the MiniCluster's start included, as floe's process start is). Its CPU and peak RSS are
  the gateway JVM's.
- Targets: floe >= 10x Flink's events/s (the ratio), and floe >= 1,000,000 events per CPU-second (extra).
- Memory: peak RSS (VmHWM) of the floe job process and of Flink's JVM (heap capped at 1 GiB by the harness).
- The headline figure (floe, and floe_up_* in extra) is the same job inside `floe up`, floe's default deployment:
  broker, catalog and jobs in one process, the job reading the topic in-process instead of through a Kafka client;
  the topic (same events, its own name) is filled first, then floe up restarts with the job and is timed from its
  start in the same way. `floe job run` through librdkafka (what runs against an external Kafka) is in extra as
  floe_events_per_sec and floe_job_run_ratio.
- extra also has floe with two librdkafka settings in the source's WITH ('properties.fetch.wait.max.ms' = '10',
  'properties.queued.min.messages' = '1000000'): how much of floe's wall time is its source waiting rather than
  working (floe_tuned_*).
The machine has 2 cores shared with other work: the 1-minute load average at each measurement is in extra.
"""
import csv
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "tests" / "interop"))
from flink_peer import run_flink_sql  # noqa: E402
from kafka_peer import floe_broker  # noqa: E402
from floe_process import FloeServer  # noqa: E402
from stream_job import (FloeJob, FloeUpJob, busy_cpu_seconds, cpu_seconds, floe_catalog, produce,  # noqa: E402
                        wait_for_quiet_machine)

NAME = "stream_window"
TARGET = 10.0
UP_TOPIC = "telemetry-up"  # floe up's seed job reads "telemetry": the bench topic must not be that one
PER_CORE_TARGET = 1_000_000
EVENTS = 8_000_000
SENSORS = 10_000
INTERVAL_MS = 100
START_MS = 1732480000000  # on a 10 s boundary: the same windows every run
WINDOW_MS = 10_000
TOPIC = "telemetry"
PRODUCE_OPTIONS = ["--rate", "0", "--seed", "1", "--start-ms", START_MS, "--interval-ms", INTERVAL_MS]
FLINK_PARALLELISM = 2
# librdkafka (2.0.2 here) stops fetching a partition once the consumer queue holds queued.min.messages (default
# 100,000) records, summed over the partitions, and looks again only up to a second later; and a Fetch for partitions
# that are at their end waits fetch.wait.max.ms (default 500) on the broker, and the source's blocking ListOffsets and
# Metadata requests queue behind it on the same connection. These two settings take both waits away.
TUNED_SOURCE_OPTIONS = {"properties.fetch.wait.max.ms": "10", "properties.queued.min.messages": "1000000"}

# floe only: its status file (which tells the bench when the job has read everything) refreshed every 100 ms instead
# of every second, so the measured time is not rounded up by up to a second.
FLOE_SETTINGS = "SET 'floe.status.interval' = '100 ms';\n"
JOB_SQL = """SET 'execution.checkpointing.interval' = '1 s';

CREATE TABLE telemetry (
  sensor_id STRING,
  ts BIGINT,
  temperature DOUBLE,
  humidity DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'telemetry',
  'properties.bootstrap.servers' = '{bootstrap}',
  'properties.group.id' = 'bench-stream-window',
  'scan.startup.mode' = 'earliest-offset',
  'format' = 'json'{source_options}
);

CREATE TABLE sensor_10s (
  window_start TIMESTAMP(3), window_end TIMESTAMP(3), sensor_id STRING, avg_temperature DOUBLE
) WITH ('connector' = 'iceberg', 'catalog-database' = 'bench', 'catalog-table' = '{table}');

INSERT INTO sensor_10s
SELECT window_start, window_end, sensor_id, AVG(temperature) AS avg_temperature
FROM TABLE(TUMBLE(TABLE telemetry, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, sensor_id;
"""


def job_sql(bootstrap, table, source_options=None):
    opts = "".join(f",\n  '{k}' = '{v}'" for k, v in (source_options or {}).items())
    return JOB_SQL.format(bootstrap=bootstrap, table=table, source_options=opts)


def up_job_sql(topic, table):
    """The job for floe up: no bootstrap servers, so it reads floe up's own broker in-process."""
    lines = [line for line in job_sql("", table).split("\n") if "properties.bootstrap.servers" not in line]
    return FLOE_SETTINGS + "\n".join(lines).replace(f"'topic' = '{TOPIC}'", f"'topic' = '{topic}'")


def truth_window_starts(path):
    """[window_start_ms] of every (window, sensor) row of `floe produce --truth`."""
    with open(path) as f:
        return [int(r["window_start_ms"]) for r in csv.DictReader(f)]


def run_floe(ctx, bootstrap, catalog_url, work, table, truth_starts, broker_pid, source_options=None):
    load = wait_for_quiet_machine()
    sql = FLOE_SETTINGS + job_sql(bootstrap, table, source_options)
    return measure(FloeJob(ctx, sql, bootstrap, catalog_url, work), truth_starts, broker_pid, load)


def run_floe_up(ctx, work, truth_starts):
    """The job inside `floe up`, reading its embedded broker in-process (floe's default deployment). The topic is
    filled first by a floe up whose only job reads another (absent) topic; then floe up restarts with the bench job
    and is timed from its start, like `floe job run`."""
    work.mkdir(parents=True, exist_ok=True)
    data_dir = work / "data"
    idle_sql, bench_sql = work / "idle.sql", work / "bench_up.sql"
    idle_sql.write_text(up_job_sql("absent-topic", "idle_10s"))
    bench_sql.write_text(up_job_sql(UP_TOPIC, "sensor_10s_up"))
    fill, timed = work / "fill.toml", work / "timed.toml"
    fill.write_text(f'[jobs]\nfiles = "{idle_sql}"\n')
    timed.write_text(f'[jobs]\nfiles = "{bench_sql}"\n')
    server = FloeServer(["up", "--config", str(fill), "--kafka-listen", "127.0.0.1:0", "--catalog-listen",
                         "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--log-level", "warn"],
                        doors=["kafka", "catalog"], data_dir=str(data_dir), timeout=60)
    try:
        host, port = server.doors["kafka"]
        produce(ctx, f"{host}:{port}", UP_TOPIC, EVENTS, SENSORS, PRODUCE_OPTIONS)
        server.proc.send_signal(signal.SIGTERM)
        if server.proc.wait(timeout=60) != 0:
            raise RuntimeError(f"floe up (filling the topic) exited {server.proc.returncode}: "
                               f"{server.stderr()[-1500:]}")
    finally:
        server.__exit__(None, None, None)
        shutil.rmtree(server.tmp, ignore_errors=True)
    load = wait_for_quiet_machine()
    return measure(FloeUpJob(ctx, timed, data_dir, "bench_up", work), truth_starts, None, load)


def measure(job, truth_starts, broker_pid, load):
    """Runs `job` until it has read every event with no lag; its figures, its rows checked against the truth."""
    busy0, broker0 = busy_cpu_seconds(), cpu_seconds(broker_pid) if broker_pid else 0.0
    with job:
        done, _ = job.wait_for(lambda p: p["events_in"] >= EVENTS and p["lag"] == 0, timeout=240)
        cpu = job.cpu_seconds()
        busy1, broker1 = busy_cpu_seconds(), cpu_seconds(broker_pid) if broker_pid else 0.0
        peak_mb = job.peak_rss_mb()
    p = job.pipeline(done)
    if p["events_in"] != EVENTS or p["bad_events"] or p["late_events"]:
        raise RuntimeError(f"floe job read {p['events_in']} events ({p['bad_events']} bad, {p['late_events']} late), "
                           f"expected {EVENTS}")
    final = job.pipeline(job.final_status)
    wm = final["watermark_ms"]
    expected_rows = sum(1 for s in truth_starts if wm is not None and s + WINDOW_MS - 1 <= wm)
    if final["rows_out"] != expected_rows or expected_rows == 0:
        raise RuntimeError(f"floe job wrote {final['rows_out']} window rows; the truth has {expected_rows} windows "
                           f"closed by its final watermark {wm}")
    seconds = done["updated_ms"] / 1000.0 - job.start_time
    busy_end = job.busy_until()
    busy_seconds = (busy_end - job.start_time) if busy_end else None
    wall = time.time() - job.start_time
    timeline = [x["pipelines"][0]["events_in"] for x in job.statuses]
    lags = [x["pipelines"][0]["lag"] for x in job.statuses]
    stalled = sum(1 for i in range(1, len(timeline)) if timeline[i] == timeline[i - 1] and 0 < timeline[i] < EVENTS
                  and lags[i] > 0)
    return {
        "events_per_sec": EVENTS / seconds,
        "seconds": round(seconds, 2),
        "busy_seconds": round(busy_seconds, 2) if busy_seconds else None,
        "timeline": timeline,
        "stalled": stalled,
        "cpu_s": round(cpu, 2),
        "events_per_cpu_s": round(EVENTS / max(cpu, 0.01)),
        "peak_rss_mb": round(peak_mb, 1),
        "rows_out": final["rows_out"],
        "checkpoints": final["last_checkpoint_id"],
        "broker_cpu_s": round(broker1 - broker0, 2),
        "other_cpu_pct": round(100 * max(0.0, (busy1 - busy0) - cpu - (broker1 - broker0)) / max(wall, 0.01), 1),
        "load": load,
    }


def run_flink(bootstrap, work):
    load = wait_for_quiet_machine()
    sql = job_sql(bootstrap, "sensor_10s")
    r = run_flink_sql(bootstrap, sql, topic=TOPIC, parallelism=FLINK_PARALLELISM, timeout=400, work_dir=str(work),
                      short_job=False, blackhole=True)
    return {
        "events_per_sec": EVENTS / r.job_seconds,
        "seconds": round(r.job_seconds, 2),
        "call_seconds": round(r.seconds, 2),
        "startup_seconds": round(r.startup_seconds, 2),
        "cpu_s": round(r.jvm_job_cpu_seconds, 2),
        "jvm_cpu_s": round(r.jvm_cpu_seconds, 2),
        "events_per_cpu_s": round(EVENTS / max(r.jvm_job_cpu_seconds, 0.01)),
        "peak_rss_mb": round(r.jvm_peak_rss_kb / 1024.0, 1),
        "version": r.flink_version,
        "load": load,
    }


def run(ctx):
    with tempfile.TemporaryDirectory(prefix="floe-bench-stream-window-") as tmp:
        tmp = Path(tmp)
        with floe_broker() as b, floe_catalog() as catalog_url:
            truth = tmp / "truth.csv"
            prod = produce(ctx, b.bootstrap, TOPIC, EVENTS, SENSORS,
                           PRODUCE_OPTIONS + ["--truth", truth, "--truth-window-ms", WINDOW_MS])
            starts = truth_window_starts(truth)
            f = run_floe(ctx, b.bootstrap, catalog_url, tmp / "floe", "sensor_10s", starts, b.pid)
            k = run_flink(b.bootstrap, tmp / "flink")
            t = run_floe(ctx, b.bootstrap, catalog_url, tmp / "floe-tuned", "sensor_10s_tuned", starts, b.pid,
                         TUNED_SOURCE_OPTIONS)
        u = run_floe_up(ctx, tmp / "floe-up", starts)
    extra = {
        "events": EVENTS, "sensors": SENSORS, "interval_ms": INTERVAL_MS, "windows": len(set(starts)),
        "produce_seconds": prod["seconds"],
        "floe_events_per_sec": round(f["events_per_sec"]), "flink_events_per_sec": round(k["events_per_sec"]),
        "floe_seconds": f["seconds"], "floe_seconds_busy_end": f["busy_seconds"],
        "floe_events_per_sec_busy_end": round(EVENTS / f["busy_seconds"]) if f["busy_seconds"] else None,
        "floe_stalled_status_updates": f["stalled"], "floe_events_in_timeline": f["timeline"],
        "flink_job_seconds": k["seconds"], "flink_call_seconds": k["call_seconds"],
        "flink_startup_seconds": k["startup_seconds"],
        "floe_cpu_s": f["cpu_s"], "flink_job_cpu_s": k["cpu_s"], "flink_jvm_cpu_s": k["jvm_cpu_s"],
        "floe_events_per_cpu_s": f["events_per_cpu_s"], "flink_events_per_cpu_s": k["events_per_cpu_s"],
        "per_core_target": PER_CORE_TARGET, "floe_meets_per_core": f["events_per_cpu_s"] >= PER_CORE_TARGET,
        "cpu_per_event_ratio": round(f["events_per_cpu_s"] / max(k["events_per_cpu_s"], 1), 2),
        "floe_peak_rss_mb": f["peak_rss_mb"], "flink_jvm_peak_rss_mb": k["peak_rss_mb"],
        "rss_ratio": round(k["peak_rss_mb"] / max(f["peak_rss_mb"], 0.1), 2),
        "floe_rows_out": f["rows_out"], "floe_checkpoints": f["checkpoints"],
        "floe_broker_cpu_s": f["broker_cpu_s"], "floe_other_cpu_pct": f["other_cpu_pct"],
        "floe_tuned_events_per_sec": round(t["events_per_sec"]), "floe_tuned_seconds": t["seconds"],
        "floe_tuned_seconds_busy_end": t["busy_seconds"], "floe_tuned_stalled_status_updates": t["stalled"],
        "floe_tuned_peak_rss_mb": t["peak_rss_mb"],
        "floe_tuned_cpu_s": t["cpu_s"], "floe_tuned_events_per_cpu_s": t["events_per_cpu_s"],
        "floe_tuned_other_cpu_pct": t["other_cpu_pct"],
        "floe_tuned_source_options": TUNED_SOURCE_OPTIONS,
        "floe_up_events_per_sec": round(u["events_per_sec"]),
        "floe_up_ratio": round(u["events_per_sec"] / k["events_per_sec"], 2),
        "floe_up_seconds": u["seconds"], "floe_up_seconds_busy_end": u["busy_seconds"],
        "floe_up_events_per_sec_busy_end": round(EVENTS / u["busy_seconds"]) if u["busy_seconds"] else None,
        "floe_up_cpu_s": u["cpu_s"], "floe_up_events_per_cpu_s": u["events_per_cpu_s"],
        "floe_up_peak_rss_mb": u["peak_rss_mb"], "floe_up_events_in_timeline": u["timeline"], "load_floe_up": u["load"],
        "load_floe": f["load"], "load_flink": k["load"], "load_floe_tuned": t["load"],
        "flink_parallelism": FLINK_PARALLELISM, "flink_sink": "blackhole",
    }
    extra["floe_job_run_ratio"] = round(f["events_per_sec"] / k["events_per_sec"], 2)
    extra["headline"] = ("floe: the job inside floe up (floe's default deployment, in-process source); "
                         "floe_job_run_ratio: floe job run through librdkafka against floe broker")
    return {
        "floe": u["events_per_sec"],
        "peer": k["events_per_sec"],
        "peer_name": f"Apache Flink {k['version']} (PyFlink local MiniCluster, parallelism {FLINK_PARALLELISM}, "
                     f"blackhole sink), same SQL, same events",
        "unit": "events/s",
        "higher_is_better": True,
        "target": TARGET,
        "extra": extra,
    }
