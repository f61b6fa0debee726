"""ingestion/producer.py (msgspec + confluent-kafka) against `floe produce` and a real floe broker.

The two producers must send the same events for the same options, byte for byte: `--dry-run` output and the
`--truth` CSV of both are compared for several seeds (including one above 2^63), sensor counts and disorder settings.
Against `floe broker`, the Python producer's records are read back with confluent-kafka and checked: key = the
event's sensor_id, partition = Java's murmur2 (`floe partition`), each sensor's events in generation order, nothing
lost or doubled, and the truth file equal to the aggregates recomputed from what was consumed.
"""
import json
import signal
import subprocess
import sys
import time

import pytest

from floe_process import REPO, FloeServer, bootstrap, floe_bin
from telemetry_checks import TRUTH_HEADER, free_port, murmur2_partitions, read_topic, truth_from_values

PRODUCER = REPO / "ingestion" / "producer.py"
START_MS = 1732480000000


def producer_command(args):
    return [sys.executable, str(PRODUCER)] + [str(a) for a in args]


def run_producer(args, timeout=120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(producer_command(args), capture_output=True, timeout=timeout, **kw)


def floe_dry_run(args) -> subprocess.CompletedProcess:
    return subprocess.run([floe_bin(), "produce", "--dry-run"] + [str(a) for a in args], capture_output=True,
                          timeout=120)


# (seed, sensors, count, extra options). Every set fixes --start-ms; --rate 0 gives --interval-ms 1000 unless the
# set paces on purpose (then the automatic interval, sensors * 1000 / rate, is part of what is compared).
OPTION_SETS = [
    pytest.param(1, 1000, 30000, ["--rate", 0], id="seed1-1000sensors"),
    pytest.param(7, 5, 30000, ["--rate", 0, "--out-of-order-ms", 3000, "--late-fraction", 0.05],
                 id="seed7-5sensors-disorder"),
    pytest.param(2**63 + 5, 1, 30000, ["--rate", 0], id="seed2^63+5-1sensor"),
    pytest.param(2**63 + 5, 1, 30000, ["--rate", 0, "--out-of-order-ms", 3000, "--late-fraction", 0.05],
                 id="seed2^63+5-1sensor-disorder"),
    pytest.param(7, 1000, 30000, ["--rate", 0, "--late-fraction", 0.05, "--late-delay-ms", 5000,
                                  "--truth-window-ms", 1000], id="seed7-1000sensors-late-only"),
    pytest.param(1, 5, 25000, ["--rate", 0, "--out-of-order-ms", 3000, "--interval-ms", 7], id="seed1-jitter-only"),
    pytest.param(2**63 + 5, 1000, 30000, ["--rate", 300000], id="auto-interval-3ms"),
    pytest.param(7, 5, 20000, ["--rate", 1e9, "--out-of-order-ms", 3000, "--late-fraction", 0.05],
                 id="auto-interval-1ms-disorder"),
]


@pytest.mark.parametrize("seed,sensors,count,extra", OPTION_SETS)
def test_dry_run_matches_floe_produce_byte_for_byte(tmp_path, seed, sensors, count, extra):
    common = ["--seed", seed, "--sensors", sensors, "--count", count, "--start-ms", START_MS] + extra
    cpp = floe_dry_run(common + ["--truth", tmp_path / "cpp.csv"])
    assert cpp.returncode == 0, cpp.stderr.decode()
    py = run_producer(["--dry-run"] + common + ["--truth", tmp_path / "py.csv"])
    assert py.returncode == 0, py.stderr.decode()

    cpp_lines, py_lines = cpp.stdout.split(b"\n"), py.stdout.split(b"\n")
    assert len(cpp_lines) == count + 1 and cpp_lines[-1] == b"", f"floe produce printed {len(cpp_lines) - 1} lines"
    if py.stdout != cpp.stdout:
        first = next(i for i, (a, b) in enumerate(zip(cpp_lines, py_lines)) if a != b)
        pytest.fail(f"event {first} differs: floe produce {cpp_lines[first]!r}, producer.py {py_lines[first]!r} "
                    f"({len(py_lines) - 1} lines from producer.py)")

    cpp_truth, py_truth = (tmp_path / "cpp.csv").read_text(), (tmp_path / "py.csv").read_text()
    assert cpp_truth.startswith(TRUTH_HEADER + "\n")
    assert py_truth == cpp_truth
    # The truth covers every printed event.
    assert sum(int(row.split(",")[2]) for row in cpp_truth.splitlines()[1:]) == count

    # Both summaries go to stderr in a dry run, in the same form.
    for out in (cpp.stderr.decode(), py.stderr.decode()):
        assert f"produced {count} events to stdout in " in out and f"acked {count}, failed 0" in out, out


def test_dry_run_stream_has_disorder_late_events_dropouts_and_spikes(tmp_path):
    """The option sets above are only worth comparing if they exercise every branch of the simulation."""
    res = run_producer(["--dry-run", "--seed", 7, "--sensors", 5, "--count", 30000, "--start-ms", START_MS,
                        "--rate", 0, "--out-of-order-ms", 3000, "--late-fraction", 0.05])
    assert res.returncode == 0, res.stderr.decode()
    events = [json.loads(line) for line in res.stdout.splitlines()]
    by_sensor = {}
    for e in events:
        by_sensor.setdefault(e["sensor_id"], []).append(e)
    assert sorted(by_sensor) == [f"s-{i:05d}" for i in range(5)]
    back_steps = [a["ts"] - b["ts"] for a, b in zip(events, events[1:]) if b["ts"] < a["ts"]]
    assert back_steps and max(back_steps) >= 20000, "no late events (delay >= --late-delay-ms)"
    assert any(0 < d <= 3000 for d in back_steps), "no bounded disorder"
    gaps = [b["ts"] - a["ts"] for recs in by_sensor.values()
            for a, b in zip(sorted(recs, key=lambda e: e["ts"]), sorted(recs, key=lambda e: e["ts"])[1:])]
    assert max(gaps) >= 5000, "no dropout (a sensor silent for 4..60 extra ticks)"
    jumps = [abs(b["temperature"] - a["temperature"]) for recs in by_sensor.values()
             for a, b in zip(sorted(recs, key=lambda e: e["ts"]), sorted(recs, key=lambda e: e["ts"])[1:])]
    assert max(jumps) >= 5, "no temperature spike"


@pytest.mark.parametrize("option,value", [
    ("--sensors", "0"), ("--count", "-1"), ("--rate", "fast"), ("--late-fraction", "1.5"), ("--acks", "2"),
    ("--compression", "brotli"), ("--seed", "-1"), ("--seed", str(2**64)), ("--interval-ms", "0"),
    ("--timeout-ms", "0"), ("--start-ms", "-5"), ("--duration", "nan"),
])
def test_invalid_option_is_a_usage_error_naming_it(option, value):
    res = run_producer(["--dry-run", "--count", 1, option, value], timeout=30)
    assert res.returncode == 2, (res.returncode, res.stderr.decode())
    assert res.stdout == b""
    err = res.stderr.decode()
    assert "usage:" in err and f"argument {option}" in err, err


def test_unreachable_broker_fails_within_timeout():
    started = time.monotonic()
    res = run_producer(["--bootstrap", f"127.0.0.1:{free_port()}", "--timeout-ms", 2000, "--count", 10], timeout=30)
    took = time.monotonic() - started
    err = res.stderr.decode()
    assert res.returncode == 1, err
    assert err.startswith("producer.py: error: no Kafka broker at 127.0.0.1:"), err
    assert "2000 ms" in err and "Connection refused" in err, err
    assert took < 10, f"gave up after {took:.1f} s, --timeout-ms was 2 s"


# --- against floe broker ---

@pytest.mark.parametrize("acks,compression", [("all", "none"), ("1", "zstd"), ("all", "lz4")])
def test_python_producer_records_on_floe_broker(broker, tmp_path, acks, compression):
    topic = f"telemetry-py-{acks}-{compression}"
    count, sensors = 20000, 50
    gen = ["--seed", 7, "--sensors", sensors, "--count", count, "--start-ms", START_MS, "--rate", 0,
           "--out-of-order-ms", 3000, "--late-fraction", 0.05, "--truth-window-ms", 5000]
    res = run_producer(["--bootstrap", bootstrap(broker), "--topic", topic, "--acks", acks, "--compression",
                        compression, "--truth", tmp_path / "truth.csv"] + gen)
    out, err = res.stdout.decode(), res.stderr.decode()
    assert res.returncode == 0, f"{out}\n{err}\nbroker: {broker.stderr()[-2000:]}"
    assert out.startswith(f"produced {count} events to {topic} in "), out
    assert out.rstrip().endswith(f"acked {count}, failed 0"), out

    rows = read_topic(bootstrap(broker), topic)
    assert len(rows) == count, f"consumed {len(rows)} records, producer.py acknowledged {count}"
    want_partition = murmur2_partitions([f"s-{i:05d}" for i in range(sensors)])
    consumed = {}  # sensor id -> values in offset order
    for partition, offset, key, value in sorted(rows):
        where = f"partition {partition} offset {offset}"
        event = json.loads(value)
        assert key is not None and key.decode() == event["sensor_id"], f"{where}: key {key!r}, value {value!r}"
        assert partition == want_partition[event["sensor_id"]], \
            f"{where}: {event['sensor_id']} should be on partition {want_partition[event['sensor_id']]} (murmur2)"
        consumed.setdefault(event["sensor_id"], []).append(value)

    # Each sensor's records, in offset order, are exactly its events in generation order (floe produce's dry run
    # is the reference stream), so nothing was lost, doubled or reordered.
    ref = floe_dry_run(gen)
    assert ref.returncode == 0, ref.stderr.decode()
    generated = {}
    for line in ref.stdout.splitlines():
        generated.setdefault(json.loads(line)["sensor_id"], []).append(line)
    assert sorted(consumed) == sorted(generated)
    for sid, values in generated.items():
        assert consumed[sid] == values, f"{sid}: consumed records differ from the generated events"

    truth = (tmp_path / "truth.csv").read_text()
    assert truth == truth_from_values([v for _, _, _, v in rows], 5000)


def test_ctrl_c_stops_flushes_and_summarises(broker, tmp_path):
    topic = "telemetry-py-sigint"
    proc = subprocess.Popen(producer_command(["--bootstrap", bootstrap(broker), "--topic", topic, "--sensors", 20,
                                              "--rate", 2000, "--start-ms", START_MS, "--truth", tmp_path / "truth.csv"]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    out, err = (b.decode() for b in proc.communicate(timeout=60))
    assert proc.returncode == 0, f"{out}\n{err}"
    words = out.split()
    assert words[0] == "produced" and words[2:5] == ["events", "to", topic], out
    sent = int(words[1])
    assert 1000 <= sent <= 10000, f"sent {sent} events in about 2 s at --rate 2000"
    assert out.rstrip().endswith(f"acked {sent}, failed 0"), out
    rows = read_topic(bootstrap(broker), topic)
    assert len(rows) == sent
    assert (tmp_path / "truth.csv").read_text() == truth_from_values([v for _, _, _, v in rows], 10000)


def test_unacknowledged_events_fail_the_run(tmp_path):
    """The broker goes away mid-run: the events it never acknowledged are counted failed and the exit status is 1."""
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        proc = subprocess.Popen(producer_command(["--bootstrap", bootstrap(s), "--topic", "gone", "--sensors", 10,
                                                  "--rate", 1000, "--duration", 4, "--timeout-ms", 2000,
                                                  "--start-ms", START_MS, "--truth", tmp_path / "truth.csv"]),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(1.5)
        s.proc.kill()
        s.proc.wait()
        out, err = (b.decode() for b in proc.communicate(timeout=60))
    assert proc.returncode == 1, f"{out}\n{err}"
    summary = out.strip().splitlines()[-1]
    sent = int(summary.split()[1])
    acked = int(summary.split("acked ")[1].split(",")[0])
    failed = int(summary.split("failed ")[1])
    assert acked + failed == sent and failed > 0, summary
    assert f"producer.py: error: {failed} of {sent} events were not acknowledged" in err, err
    truth = (tmp_path / "truth.csv").read_text()
    assert sum(int(row.split(",")[2]) for row in truth.splitlines()[1:]) == acked
