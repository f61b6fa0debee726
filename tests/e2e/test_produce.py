"""`floe produce` end to end against the floe broker: every acknowledged event is in the topic once, keyed and
partitioned by sensor, the truth file equals aggregates recomputed from what the topic holds, --verify catches a
topic that differs, and failures (unreachable broker, bad options) are clear and exit non-zero."""
import json
import signal
import subprocess
import time
from collections import defaultdict

from confluent_kafka import Producer

from floe_process import FloeServer, floe_bin, run_floe
from telemetry_checks import free_port, murmur2_partitions, read_topic, truth_from_values

START_MS = 1732480000000


def broker(tmp_path, port=0, data=None):
    return FloeServer(["broker", "--kafka-listen", f"127.0.0.1:{port}"], ["kafka"],
                      data_dir=data or str(tmp_path / "data"))


def bootstrap(server):
    return "%s:%d" % server.doors["kafka"]


def by_partition(rows):
    """read_topic's rows as {partition: [(key, value), ...]} in log order, decoded."""
    out = defaultdict(list)
    for partition, _, key, value in rows:
        out[partition].append((key.decode(), value.decode()))
    return out


def test_every_acknowledged_event_is_in_the_topic_once_and_the_truth_matches_it(tmp_path):
    with broker(tmp_path) as b:
        opts = ["--sensors", "50", "--count", "30000", "--rate", "0", "--seed", "5", "--start-ms", str(START_MS),
                "--out-of-order-ms", "2000", "--late-fraction", "0.01"]
        truth = tmp_path / "truth.csv"
        p = run_floe(["produce", "--bootstrap", bootstrap(b), "--topic", "t1", "--verify", "--truth", str(truth)]
                     + opts, timeout=120)
        assert p.returncode == 0, p.stderr
        assert "acked 30000, failed 0" in p.stdout
        assert "verified: t1 holds each acknowledged event once" in p.stdout

        records = by_partition(read_topic(bootstrap(b), "t1"))
        values = [v for recs in records.values() for _, v in recs]
        assert len(values) == 30000
        # Keys are the sensor ids, in the partition Kafka's default partitioner picks.
        where = murmur2_partitions({k for recs in records.values() for k, _ in recs})
        for part, recs in records.items():
            for key, value in recs:
                assert json.loads(value)["sensor_id"] == key
                assert where[key] == part
        # Per partition, the log holds the events in the order they were generated.
        dry = run_floe(["produce", "--dry-run"] + opts)
        assert dry.returncode == 0, dry.stderr
        generated = dry.stdout.splitlines()
        assert len(generated) == 30000
        for part, recs in records.items():
            assert [v for _, v in recs] == [v for v in generated if where[json.loads(v)["sensor_id"]] == part]
        assert truth.read_text() == truth_from_values(values)


def test_verify_fails_when_the_topic_holds_something_else(tmp_path):
    with broker(tmp_path) as b:
        proc = subprocess.Popen([floe_bin(), "produce", "--bootstrap", bootstrap(b), "--topic", "t2", "--sensors",
                                 "5", "--rate", "2000", "--count", "4000", "--verify"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        intruder = Producer({"bootstrap.servers": bootstrap(b)})
        intruder.produce("t2", key="s-00001", value=b'{"sensor_id":"s-00001","ts":1,"temperature":1.0,'
                                                     b'"humidity":1.0,"pressure":1.0,"battery":1.0}')
        assert intruder.flush(10) == 0
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1, (out, err)
        assert "verify: topic t2 does not hold exactly what was acknowledged" in err
        assert "sensor s-00001: " in err


def test_idempotent_producer_keeps_exactly_once_across_broker_kills(tmp_path):
    port = free_port()
    data = str(tmp_path / "data")
    b = broker(tmp_path, port, data)
    truth = tmp_path / "truth.csv"
    proc = subprocess.Popen([floe_bin(), "produce", "--bootstrap", f"127.0.0.1:{port}", "--topic", "t3",
                             "--sensors", "20", "--rate", "4000", "--count", "24000", "--verify", "--truth",
                             str(truth), "--timeout-ms", "60000", "-X", "reconnect.backoff.max.ms=200"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for pause in (1.5, 1.5):
            time.sleep(pause)
            b.stop(signal.SIGKILL)
            time.sleep(0.5)
            b = broker(tmp_path, port, data)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (out, err[-3000:])
        assert "acked 24000, failed 0" in out
        assert "verified" in out
        records = by_partition(read_topic(f"127.0.0.1:{port}", "t3"))
        values = [v for recs in records.values() for _, v in recs]
        assert len(values) == 24000 and len(set(values)) == 24000
        assert truth.read_text() == truth_from_values(values)
    finally:
        proc.kill()
        b.stop(signal.SIGKILL)


def test_sigint_stops_sending_and_waits_for_acknowledgements(tmp_path):
    with broker(tmp_path) as b:
        proc = subprocess.Popen([floe_bin(), "produce", "--bootstrap", bootstrap(b), "--topic", "t4", "--rate",
                                 "2000", "--progress-interval", "0.2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        sent = int(out.split("produced ")[1].split(" ")[0])
        assert 1000 < sent < 5000
        assert f"acked {sent}, failed 0" in out
        assert err.count("sent ") >= 3, "a progress line at least every interval"
        assert len(read_topic(bootstrap(b), "t4")) == sent


def test_unreachable_broker_fails_clearly_within_the_timeout():
    port = free_port()
    t0 = time.time()
    p = run_floe(["produce", "--bootstrap", f"127.0.0.1:{port}", "--count", "10", "--timeout-ms", "1500"])
    assert p.returncode == 1
    assert time.time() - t0 < 10
    assert f"no Kafka broker at 127.0.0.1:{port} answered within 1500 ms" in p.stderr


def test_invalid_options_are_usage_errors_naming_the_option():
    for args, name in ((["--sensors", "0"], "--sensors"), (["--acks", "2"], "--acks"),
                       (["--late-fraction", "1.5"], "--late-fraction"), (["--count", "-3"], "--count"),
                       (["--compression", "brotli"], "--compression"), (["--no-such"], "--no-such"),
                       (["-X", "novalue"], "-X novalue"), (["-X", "no.such.property=1", "--count", "1"],
                                                           "no.such.property")):
        p = run_floe(["produce", "--bootstrap", "127.0.0.1:1"] + args)
        assert p.returncode == 2, (args, p.stderr)
        assert name in p.stderr, (args, p.stderr)


def test_dry_run_is_the_same_stream_for_the_same_seed():
    a = run_floe(["produce", "--dry-run", "--count", "1000", "--rate", "0", "--seed", "9", "--start-ms", "0"])
    b = run_floe(["produce", "--dry-run", "--count", "1000", "--rate", "0", "--seed", "9", "--start-ms", "0"])
    c = run_floe(["produce", "--dry-run", "--count", "1000", "--rate", "0", "--seed", "10", "--start-ms", "0"])
    assert a.returncode == 0 and a.stdout == b.stdout and a.stdout != c.stdout
    lines = a.stdout.splitlines()
    assert len(lines) == 1000
    assert list(json.loads(lines[0])) == ["sensor_id", "ts", "temperature", "humidity", "pressure", "battery"]


def test_a_broker_that_starts_late_is_waited_for_within_the_timeout(tmp_path):
    port = free_port()
    proc = subprocess.Popen([floe_bin(), "produce", "--bootstrap", f"127.0.0.1:{port}", "--topic", "t5", "--count",
                             "100", "--rate", "0", "--timeout-ms", "20000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        assert proc.poll() is None, "gave up before --timeout-ms"
        with broker(tmp_path, port):
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert "acked 100, failed 0" in out
    finally:
        proc.kill()
