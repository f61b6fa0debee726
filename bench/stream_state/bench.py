"""stream_state: memory per key of the stream engine's window state (issue 7), from floe_bench_window_state
(bench/window_state_bench.cpp, built into build/ by `make build`).

The program puts 1,000,000 distinct sensor ids into one TUMBLE window of a WindowAggregator with the telemetry job's
aggregates (COUNT(*), AVG, MIN, MAX of a DOUBLE), and reports the aggregator's own estimate of its state bytes per
key (EstimatedStateBytes, what `floe job status` shows as state_bytes) and the process's resident-set growth per key
(what malloc really took). It then adds 2,000,000 events over 100,000 existing keys and reports events/s and the heap
allocations of that loop (expected 0).

No peer: issue 7 names none for this figure, so "peer" is floe's own figure (ratio 1 by construction) and the run
prints the figure itself; lower is better. The program runs RUNS times; the memory figures are the same every run
(deterministic), events/s is the median.
"""
import json
import statistics
import subprocess

NAME = "stream_state"
KEYS = 1_000_000
HOT_KEYS = 100_000
EVENTS_PER_HOT_KEY = 20
RUNS = 3


def run(ctx):
    exe = ctx.build / "floe_bench_window_state"
    if not exe.exists():
        raise RuntimeError(f"{exe} is missing: run `make build`")
    results = []
    for _ in range(RUNS):
        p = subprocess.run([str(exe), str(KEYS), str(HOT_KEYS), str(EVENTS_PER_HOT_KEY)], capture_output=True,
                           text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f"floe_bench_window_state: exit {p.returncode}: {p.stderr.strip()[-1000:]}")
        results.append(json.loads(p.stdout))
    r = results[0]
    if r["distinct_keys"] != KEYS:
        raise RuntimeError(f"floe_bench_window_state measured {r['distinct_keys']} keys, asked for {KEYS}")
    extra = {
        "keys": KEYS,
        "state_bytes_per_key": r["state_bytes_per_key"],
        "rss_bytes_per_key": [x["rss_bytes_per_key"] for x in results],
        "state_mb_for_keys": round(r["state_bytes_per_key"] * KEYS / 2**20, 1),
        "hot_keys": HOT_KEYS, "hot_events": r["events"],
        "add_events_per_sec_median": statistics.median(x["events_per_second"] for x in results),
        "add_events_per_sec": [x["events_per_second"] for x in results],
        "hot_path_allocations": [x["hot_path_allocations"] for x in results],
        "aggregates": "COUNT(*), AVG, MIN, MAX of a DOUBLE; one STRING key (sensor-NNNNNNN); TUMBLE",
    }
    return {
        "floe": float(r["state_bytes_per_key"]),
        "peer": float(r["state_bytes_per_key"]),
        "peer_name": "no peer (issue 7 names none): floe's own figure, printed",
        "unit": "state bytes per key (1,000,000 keys)",
        "higher_is_better": False,
        "target": 1.0,
        "extra": extra,
    }
