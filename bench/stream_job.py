"""Shared by the stream benchmarks (bench/stream_*): run `floe catalog`, produce telemetry with `floe produce`, and
run one `floe job run` while reading its status file and its process's CPU and memory from /proc.

    from stream_job import floe_catalog, produce, FloeJob
    with floe_broker() as b, floe_catalog() as catalog_url:
        produce(ctx, b.bootstrap, "telemetry", events=..., sensors=..., extra=[...])
        with FloeJob(ctx, sql, b.bootstrap, catalog_url, work_dir) as job:
            status = job.wait_for(lambda p: p["events_in"] >= n and p["lag"] == 0, timeout=120)
            job.cpu_seconds(), job.peak_rss_mb()
        job.final_status  # the status the job wrote as it stopped (SIGTERM), exit code checked

`floe job run` rewrites <data-dir>/jobs/<job>/status.json once a second (write to a temporary file, then rename) from
figures each pipeline thread refreshes once a second, between two polls of its source: a figure read from it can be
up to two seconds old (more while the pipeline thread is blocked). `wait_for` returns the first status that satisfies
the condition and the one before it; it also samples the job's CPU time at every poll (`cpu_samples`), so
`busy_until` can tell when the job last worked hard, a finer estimate of when a catch-up really ended.
"""
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from floe_process import FloeServer  # noqa: E402
from kafka_peer import proc_status_kb  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` (all its threads) from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def busy_cpu_seconds() -> float:
    """CPU seconds all cores spent busy (not idle, not iowait) since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / CLK_TCK


def wait_for_quiet_machine(max_wait: float = 20.0, threshold: float = 2.0) -> float:
    """Waits up to `max_wait` seconds for the 1-minute load average to drop below `threshold` (the machine has 2
    cores, shared with other work) and returns the load average it starts measuring at."""
    deadline = time.time() + max_wait
    while os.getloadavg()[0] >= threshold and time.time() < deadline:
        time.sleep(2)
    return round(os.getloadavg()[0], 2)


@contextlib.contextmanager
def floe_catalog(timeout: float = 30):
    """`floe catalog --catalog-listen 127.0.0.1:0` on a temp data dir: yields its Iceberg REST URL, kills it and
    removes its state on exit."""
    server = FloeServer(["catalog", "--catalog-listen", "127.0.0.1:0"], doors=["catalog"], timeout=timeout)
    try:
        yield server.url("catalog", "/iceberg")
    finally:
        server.__exit__(None, None, None)
        shutil.rmtree(server.tmp, ignore_errors=True)


def produce(ctx, bootstrap: str, topic: str, events: int, sensors: int, extra=(), timeout: float = 300) -> dict:
    """Runs `floe produce` (acks=1, as fast as asked) to completion and returns its summary figures; raises unless
    every event was acknowledged."""
    cmd = [str(ctx.build / "floe"), "produce", "--bootstrap", bootstrap, "--topic", topic, "--count", str(events),
           "--sensors", str(sensors), "--acks", "1", "--progress-interval", "0", *map(str, extra)]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0 or f"acked {events}, failed 0" not in p.stdout:
        raise RuntimeError(f"floe produce: exit {p.returncode}: {p.stdout.strip()[-500:]} {p.stderr.strip()[-1500:]}")
    return {"seconds": round(time.time() - t0, 2), "summary": p.stdout.strip().splitlines()[-1]}


class FloeJob:
    """`floe job run FILE.sql` as a context manager: the job's SQL goes to <work_dir>/<job_id>.sql, its state to
    <work_dir>/data. On exit the job is stopped with SIGTERM (a clean stop takes its last checkpoint and writes its
    final status) and must exit 0."""

    def __init__(self, ctx, sql: str, bootstrap: str, catalog_url: str, work_dir, job_id: str = "bench",
                 stop_timeout: float = 60):
        self.work = Path(work_dir)
        self.work.mkdir(parents=True, exist_ok=True)
        self.job_id = job_id
        self.sql_path = self.work / f"{job_id}.sql"
        self.sql_path.write_text(sql)
        self.data_dir = self.work / "data"
        self.status_path = self.data_dir / "jobs" / job_id / "status.json"
        self.stderr_path = self.work / "job.stderr"
        self.cmd = [str(ctx.build / "floe"), "job", "run", str(self.sql_path), "--bootstrap", bootstrap, "--catalog",
                    catalog_url, "--data-dir", str(self.data_dir), "--job-id", job_id]
        self.stop_timeout = stop_timeout
        self.proc = None
        self.start_time = None
        self.final_status = None
        self.exit_code = None
        self.cpu_samples = []  # (time.time(), job CPU seconds), one per wait_for poll
        self.statuses = []  # every distinct status wait_for saw, in order

    def __enter__(self):
        self._stderr = open(self.stderr_path, "w")
        self.start_time = time.time()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=self._stderr)
        return self

    def __exit__(self, exc_type, *_):
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.exit_code = self.proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    if exc_type is None:
                        raise RuntimeError(f"floe job did not stop within {self.stop_timeout} s of SIGTERM: "
                                           f"{self.stderr_tail()}")
            else:
                self.exit_code = self.proc.returncode
        finally:
            self._stderr.close()
        self.final_status = self.status()
        if exc_type is None and self.exit_code != 0:
            raise RuntimeError(f"floe job exited {self.exit_code}: {self.stderr_tail()}")

    def stderr_tail(self, n: int = 2000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def status(self):
        """The job's status file as a dict, or None before its first write."""
        try:
            return json.loads(self.status_path.read_text())
        except (OSError, ValueError):
            return None

    def pipeline(self, status=None, name: str = None):
        status = status or self.status()
        if not status:
            return None
        for p in status["pipelines"]:
            if name is None or p["pipeline"] == name:
                return p
        return None

    def wait_for(self, condition, timeout: float, poll: float = 0.05):
        """Polls the status file until `condition(pipeline status)` holds for the (first) pipeline; returns
        (that status, the last different status before it). Raises if the job exits or `timeout` passes."""
        deadline = time.time() + timeout
        before, last = None, None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"floe job exited {self.proc.returncode} while running: {self.stderr_tail()}")
            self.cpu_samples.append((time.time(), self.cpu_seconds()))
            s = self.status()
            if s is not None and (last is None or s.get("updated_ms") != last.get("updated_ms")):
                if last is not None:
                    before = last
                last = s
                self.statuses.append(s)
                p = self.pipeline(s)
                if p is not None and condition(p):
                    return s, before
            time.sleep(poll)
        raise RuntimeError(f"floe job: condition not reached in {timeout} s; last status {last and self.pipeline(last)}"
                           f"; stderr {self.stderr_tail(800)}")

    def busy_until(self, span: float = 0.25, cores: float = 0.5):
        """The end of the last `span`-second stretch of cpu_samples in which the job used more than `cores` cores,
        or None. A checkpoint's burst (tens of ms) stays under it; reading and aggregating at full speed does not."""
        samples = self.cpu_samples
        j = len(samples) - 1
        for i in range(len(samples) - 1, -1, -1):
            while j > i and samples[j - 1][0] - samples[i][0] >= span:
                j -= 1
            t0, c0 = samples[i]
            t1, c1 = samples[j]
            if t1 - t0 >= span and (c1 - c0) / (t1 - t0) > cores:
                return t1
        return None

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def peak_rss_mb(self) -> float:
        return proc_status_kb(self.proc.pid, "VmHWM") / 1024.0


class FloeUpJob(FloeJob):
    """The same job inside `floe up` (its embedded broker, catalog and the in-process source: no Kafka client in
    between), run from `config` (a TOML file naming the job's SQL file) on `data_dir`, which holds the topic already.
    The job id is the SQL file's stem, as floe up names it."""

    def __init__(self, ctx, config: Path, data_dir: Path, job_id: str, work_dir, stop_timeout: float = 60):
        self.work = Path(work_dir)
        self.work.mkdir(parents=True, exist_ok=True)
        self.job_id = job_id
        self.data_dir = Path(data_dir)
        self.status_path = self.data_dir / "jobs" / job_id / "status.json"
        self.stderr_path = self.work / "up.stderr"
        self.cmd = [str(ctx.build / "floe"), "up", "--config", str(config), "--data-dir", str(self.data_dir),
                    "--kafka-listen", "127.0.0.1:0", "--catalog-listen", "127.0.0.1:0", "--http-listen",
                    "127.0.0.1:0", "--log-level", "warn"]
        self.stop_timeout = stop_timeout
        self.proc = None
        self.start_time = None
        self.final_status = None
        self.exit_code = None
        self.cpu_samples = []
        self.statuses = []

