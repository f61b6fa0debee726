"""The Apache Kafka Java client 4.4 (idempotent producer, acks=all; consumer with assign) against `floe broker`."""
import subprocess
import time

import pytest

from floe_process import REPO, FloeServer, java_classpath, run_floe


# 60,000 records make each partition's fetches large enough (>= 64 KiB) to be sent from the log files.
@pytest.mark.parametrize("codec,count", [("none", 2000), ("zstd", 2000), ("none", 60000)])
def test_java_idempotent_producer_and_consumer(codec, count):
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"]) as s:
        bootstrap = "%s:%d" % s.doors["kafka"]
        start_ms = int(time.time() * 1000)
        src = REPO / "tests" / "peers" / "kafka-clients" / "ProduceConsume.java"
        res = subprocess.run(["java", "-Xmx256m", "-cp", java_classpath("kafka-clients"), str(src), bootstrap,
                              f"java-{codec}-{count}", str(count), codec], capture_output=True, text=True, timeout=180)
        assert res.returncode == 0, f"{res.stderr[-3000:]}\nbroker: {s.stderr()[-2000:]}"
        lines = res.stdout.splitlines()
        produced = [tuple(map(int, x.split(":"))) for x in lines[0].split()[1:]]
        assert len(produced) == count
        rows = [line.split() for line in lines[1:]]
        assert len(rows) == count, res.stdout[-1000:]

        keys = sorted({f"s-{i % 25:05d}" for i in range(count)})
        want = {k: int(p) for k, p in (l.split("\t") for l in run_floe(
            ["partition", "--partitions", "3"], input="\n".join(keys) + "\n").stdout.splitlines())}
        seen = {}
        for partition, offset, ts, key, value, seq in rows:
            i = int(seq)
            assert value == f"v{i}" and key == f"s-{i % 25:05d}"
            assert int(partition) == want[key]
            assert produced[i] == (int(partition), int(offset)), "the producer's acked offset is where it landed"
            assert start_ms - 1000 <= int(ts) <= int(time.time() * 1000)
            seen.setdefault(int(partition), []).append((int(offset), i))
        for p, recs in seen.items():
            assert [o for o, _ in recs] == list(range(len(recs)))
            seqs = [i for _, i in recs]
            assert seqs == sorted(seqs), f"partition {p} reordered"
        assert s.stop() == 0
