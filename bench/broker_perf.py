"""Shared by the broker benchmarks (bench/broker_*): drive floe_bench_rdkafka_perf (bench/broker/rdkafka_perf.cpp)
against a broker from kafka_peer. The same librdkafka client and settings run against floe and Apache Kafka, one
broker at a time, so they never compete for the 2 cores."""
import json
import os
import resource
import subprocess
import time

from kafka_peer import KAFKA_HEAP, floe_broker, kafka_broker

SIZE = 100        # bytes per record value, no key
LINGER_MS = 5     # batching on
PARTITIONS = 3
WARMUP = 1_000_000  # records produced to a separate topic before anything is timed (JIT, page cache, sockets)
# Timed runs per broker, the best reported. One run's figure moves by a third on this VM: memory the guest touches
# for the first time (a growing page cache, a new client's heap) is several times slower to write than memory it
# has used before, whichever broker is running.
RUNS = 2

BROKERS = (("floe", floe_broker), ("kafka", kafka_broker))


def tool(ctx, *args, timeout=900):
    exe = ctx.build / "floe_bench_rdkafka_perf"
    if not exe.exists():
        raise RuntimeError(f"{exe} is missing: run `make build`")
    p = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"rdkafka_perf {' '.join(map(str, args))}: exit {p.returncode}: {p.stderr.strip()[-2000:]} "
                           f"{p.stdout.strip()[-500:]}")
    return json.loads(p.stdout)


def create(ctx, broker, topic):
    return tool(ctx, "create", "--bootstrap", broker.bootstrap, "--topic", topic, "--partitions", PARTITIONS)


def produce(ctx, broker, topic, records, acks="1", rate=0, linger_ms=LINGER_MS):
    return tool(ctx, "produce", "--bootstrap", broker.bootstrap, "--topic", topic, "--records", records,
                "--size", SIZE, "--acks", acks, "--linger-ms", linger_ms, "--rate", rate)


def consume(ctx, broker, topic, records):
    return tool(ctx, "consume", "--bootstrap", broker.bootstrap, "--topic", topic, "--records", records)


def warm_up(ctx, broker, acks="1"):
    create(ctx, broker, "warmup")
    produce(ctx, broker, "warmup", WARMUP, acks)


def _cpu_seconds(pid):
    """(all CPUs' busy seconds, the broker's CPU seconds, this process's waited children's CPU seconds)."""
    tick = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = sum(v) - v[3] - v[4]  # all but idle and iowait
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    broker = int(fields[11]) + int(fields[12])  # utime, stime
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy / tick, broker / tick, ru.ru_utime + ru.ru_stime


def measured(broker, fn, *args):
    """Runs fn(*args) (a tool run against `broker`) and adds the CPU seconds the broker and the client used, and
    "other_cpu_pct": what everything else used meanwhile, in % of one core (the kernel's writeback included). On this
    2-core machine a large figure means another process shared the CPU and the run's figures are noisy."""
    b0, s0, c0 = _cpu_seconds(broker.pid)
    t0 = time.time()
    r = fn(*args)
    b1, s1, c1 = _cpu_seconds(broker.pid)
    wall = time.time() - t0
    r["other_cpu_pct"] = round(100 * max(0.0, (b1 - b0) - (s1 - s0) - (c1 - c0)) / wall, 1)
    r["broker_cpu_s"], r["client_cpu_s"] = round(s1 - s0, 2), round(c1 - c0, 2)
    return r


def best(runs):
    """The run with the most records/s, with every run's records/s in "runs_records_per_sec"."""
    b = dict(max(runs, key=lambda r: r["records_per_sec"]))
    b["runs_records_per_sec"] = [r["records_per_sec"] for r in runs]
    return b


def check(result, who):
    if result.get("errors"):
        raise RuntimeError(f"{who}: {result['errors']} delivery errors, first: {result.get('first_error')}")
    return result


def produce_benchmark(ctx, acks, records):
    """Max-throughput produce of `records` 100-byte records with acks=`acks` to a new 3-partition topic, on each
    broker after a warm-up, best of RUNS (each to its own new topic); also the server's resident memory under that load (VmHWM: peak since start). On 2 cores
    the librdkafka producer and the broker share the CPU: the client needs ~0.2 CPU-seconds per million records
    (rdkafka_perf hands them over in chunks), about what Kafka's broker needs, so records/s is bounded by
    (client + Kafka) / client even for a broker that costs nothing; broker_cpu_ratio (Kafka's broker CPU seconds over
    floe's for the same work) shows the brokers' own cost."""
    out = {}
    for who, start in BROKERS:
        with start() as broker:
            warm_up(ctx, broker, acks)
            runs = []
            for i in range(RUNS):
                create(ctx, broker, f"bench{i}")
                runs.append(check(measured(broker, produce, ctx, broker, f"bench{i}", records, acks), who))
            r = best(runs)
            r["rss_mb"] = round(broker.peak_rss_mb(), 1)
            r["name"] = broker.name
            out[who] = r
    f, k = out["floe"], out["kafka"]
    extra = {
        "records": records, "record_bytes": SIZE, "acks": acks, "linger_ms": LINGER_MS, "partitions": PARTITIONS,
        "floe_mb_per_sec": f["mb_per_sec"], "kafka_mb_per_sec": k["mb_per_sec"],
        "floe_seconds": f["seconds"], "kafka_seconds": k["seconds"],
        "floe_runs_records_per_sec": f["runs_records_per_sec"], "kafka_runs_records_per_sec": k["runs_records_per_sec"],
        "floe_latency_ms": f["latency_ms"], "kafka_latency_ms": k["latency_ms"],
        "floe_rss_mb": f["rss_mb"], "kafka_rss_mb": k["rss_mb"], "kafka_heap": KAFKA_HEAP,
        "floe_broker_cpu_s": f["broker_cpu_s"], "kafka_broker_cpu_s": k["broker_cpu_s"],
        "broker_cpu_ratio": round(k["broker_cpu_s"] / max(f["broker_cpu_s"], 0.01), 2),
        "floe_client_cpu_s": f["client_cpu_s"], "kafka_client_cpu_s": k["client_cpu_s"],
        "floe_other_cpu_pct": f["other_cpu_pct"], "kafka_other_cpu_pct": k["other_cpu_pct"],
    }
    return {
        "floe": f["records_per_sec"],
        "peer": k["records_per_sec"],
        "peer_name": f"{k['name']}, same librdkafka client",
        "unit": "records/s",
        "higher_is_better": True,
        "extra": extra,
    }
