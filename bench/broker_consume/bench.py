"""broker_consume: fetch throughput from the start of a 3-partition topic preloaded with the same 100-byte records
(produced with acks=1 just before, so both brokers serve from the page cache), no consumer group, read RUNS times
from the start and the best reported; floe vs Apache
Kafka 4.4.0 (KRaft, -Xmx1g) in the same run, the same librdkafka client (bench/broker_perf.py).
Target: floe 2x Kafka's records/s."""
from broker_perf import BROKERS, KAFKA_HEAP, RUNS, SIZE, best, check, consume, create, measured, produce, warm_up

NAME = "broker_consume"
TARGET = 2.0
RECORDS = 24_000_000


def run(ctx):
    out = {}
    for who, start in BROKERS:
        with start() as broker:
            warm_up(ctx, broker)
            consume(ctx, broker, "warmup", 1_000_000)
            create(ctx, broker, "bench")
            check(produce(ctx, broker, "bench", RECORDS), who)
            runs = []
            for _ in range(RUNS):
                runs.append(measured(broker, consume, ctx, broker, "bench", RECORDS))
                if runs[-1]["records"] != RECORDS:
                    raise RuntimeError(f"{who}: consumed {runs[-1]['records']} of {RECORDS}")
            r = best(runs)
            r["name"], r["rss_mb"] = broker.name, round(broker.peak_rss_mb(), 1)
            out[who] = r
    f, k = out["floe"], out["kafka"]
    return {
        "floe": f["records_per_sec"],
        "peer": k["records_per_sec"],
        "peer_name": f"{k['name']}, same librdkafka client",
        "unit": "records/s",
        "higher_is_better": True,
        "target": TARGET,
        "extra": {
            "records": RECORDS, "record_bytes": SIZE,
            "floe_mb_per_sec": f["mb_per_sec"], "kafka_mb_per_sec": k["mb_per_sec"],
            "floe_seconds": f["seconds"], "kafka_seconds": k["seconds"],
            "floe_runs_records_per_sec": f["runs_records_per_sec"], "kafka_runs_records_per_sec": k["runs_records_per_sec"],
            "floe_rss_mb": f["rss_mb"], "kafka_rss_mb": k["rss_mb"], "kafka_heap": KAFKA_HEAP,
            "floe_broker_cpu_s": f["broker_cpu_s"], "kafka_broker_cpu_s": k["broker_cpu_s"],
            "broker_cpu_ratio": round(k["broker_cpu_s"] / max(f["broker_cpu_s"], 0.01), 2),
            "floe_client_cpu_s": f["client_cpu_s"], "kafka_client_cpu_s": k["client_cpu_s"],
            "floe_other_cpu_pct": f["other_cpu_pct"], "kafka_other_cpu_pct": k["other_cpu_pct"],
        },
    }
