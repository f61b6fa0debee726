"""ingest_produce: `floe produce` as fast as possible (acks=1, 1,000 sensors, linger 5 ms) into the floe broker,
against the seed-style Python producer (ingestion/producer.py: msgspec + confluent-kafka) with the same options
into the same broker in the same run. Targets: floe produce >= 10x the Python producer's events/s, and
>= 1,000,000 events/s on this machine. Also reports MB/s and CPU seconds per million events of both producers
and the broker, and `floe produce` against Apache Kafka 4.4.0 (KRaft) to separate producer cost from broker cost."""
import re
import subprocess
import sys
import time

from broker_perf import _cpu_seconds
from kafka_peer import floe_broker, kafka_broker

NAME = "ingest_produce"
TARGET = 10.0
FLOE_EVENTS = 10_000_000
PYTHON_EVENTS = 1_000_000
WARMUP = 1_000_000
RUNS = 3
OPTIONS = ["--rate", "0", "--acks", "1", "--sensors", "1000", "--linger-ms", "5", "--seed", "1",
           "--start-ms", "1732480000000"]
SUMMARY = re.compile(r"produced (\d+) events to \S+ in ([\d.]+) s \(([\d.]+) events/s, ([\d.]+) MB/s\): "
                     r"acked (\d+), failed (\d+)")


def run_producer(cmd, broker_pid):
    """Runs one producer to completion; its figures from its summary line, its CPU from wait4, the broker's from
    /proc."""
    _, broker0, _ = _cpu_seconds(broker_pid)
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=900)
    wall = time.time() - t0
    _, broker1, _ = _cpu_seconds(broker_pid)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}: exit {proc.returncode}: {err.strip()[-1500:]}")
    m = SUMMARY.search(out)
    if not m:
        raise RuntimeError(f"no summary line from {' '.join(cmd[:3])}: {out[-500:]}")
    events, secs, rate, mbps, acked, failed = m.groups()
    if int(failed) or int(acked) != int(events):
        raise RuntimeError(f"{cmd[0]}: {failed} events not acknowledged")
    return {"events": int(events), "seconds": float(secs), "events_per_sec": float(rate), "mb_per_sec": float(mbps),
            "wall_seconds": round(wall, 2), "broker_cpu_s": round(broker1 - broker0, 2)}


def with_cpu(cmd, broker_pid):
    """run_producer plus the producer's own CPU seconds (RUSAGE_CHILDREN delta)."""
    import resource
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = run_producer(cmd, broker_pid)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    r["cpu_s"] = round(cpu, 2)
    r["cpu_s_per_million"] = round(cpu / (r["events"] / 1e6), 3)
    return r


def best_of(runs, make_cmd, start_broker):
    """The fastest of `runs` runs, each on a fresh broker after a warm-up: on this 2-core machine a producer and
    the broker share the CPU, and one run's figure moves by a third with the page cache and writeback state."""
    best = None
    for _ in range(runs):
        with start_broker() as b:
            run_producer(make_cmd(b, "warmup", WARMUP), b.pid)
            r = with_cpu(make_cmd(b, "bench", None), b.pid)
        if best is None or r["events_per_sec"] > best["events_per_sec"]:
            best = r
    return best


def run(ctx):
    def floe(b, topic, count):
        return [str(ctx.build / "floe"), "produce", "--bootstrap", b.bootstrap, "--topic", topic, "--count",
                str(count or FLOE_EVENTS)] + OPTIONS

    def python(b, topic, count):
        return [sys.executable, str(ctx.repo / "ingestion" / "producer.py"), "--bootstrap", b.bootstrap, "--topic",
                topic, "--count", str(count or PYTHON_EVENTS)] + OPTIONS

    f = best_of(RUNS, floe, floe_broker)
    p = best_of(RUNS, python, floe_broker)
    fk = best_of(1, floe, kafka_broker)
    extra = {
        "runs": RUNS,
        "floe_events": f["events"], "python_events": p["events"],
        "floe_events_per_sec": f["events_per_sec"], "floe_events_per_sec_target": 1_000_000,
        "floe_meets_1M": f["events_per_sec"] >= 1_000_000,
        "floe_mb_per_sec": f["mb_per_sec"], "python_mb_per_sec": p["mb_per_sec"],
        "floe_cpu_s_per_million": f["cpu_s_per_million"], "python_cpu_s_per_million": p["cpu_s_per_million"],
        "cpu_per_event_ratio": round(p["cpu_s_per_million"] / max(f["cpu_s_per_million"], 1e-9), 2),
        "floe_run_broker_cpu_s_per_million": round(f["broker_cpu_s"] / (f["events"] / 1e6), 3),
        "python_run_broker_cpu_s_per_million": round(p["broker_cpu_s"] / (p["events"] / 1e6), 3),
        "floe_produce_to_kafka_events_per_sec": fk["events_per_sec"],
        "floe_produce_to_kafka_mb_per_sec": fk["mb_per_sec"],
        "floe_produce_to_kafka_cpu_s_per_million": fk["cpu_s_per_million"],
        "kafka_broker_cpu_s_per_million": round(fk["broker_cpu_s"] / (fk["events"] / 1e6), 3),
        "options": " ".join(OPTIONS),
    }
    return {
        "floe": f["events_per_sec"],
        "peer": p["events_per_sec"],
        "peer_name": f"ingestion/producer.py (msgspec + confluent-kafka), same broker, same options, best of {RUNS}",
        "unit": "events/s",
        "higher_is_better": True,
        "target": TARGET,
        "extra": extra,
    }
