"""kcat (librdkafka 2.x) against `floe broker`: metadata, produce with keys and headers in every codec, consume
back, offsets and partitions checked record by record."""
import subprocess

import pytest

from floe_process import FloeServer, bootstrap, run_floe


def kcat(s, *args, input=None, timeout=60):
    res = subprocess.run(["kcat", "-b", bootstrap(s), "-X", "api.version.request=true", *args], input=input,
                         capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"kcat {args} failed: {res.stderr}\nbroker: {s.stderr()[-2000:]}"
    return res


def partitions_for(keys, n=3):
    out = run_floe(["partition", "--partitions", str(n)], input="\n".join(keys) + "\n").stdout
    return {k: int(p) for k, p in (line.split("\t") for line in out.splitlines())}


def test_metadata_lists_the_broker_and_auto_created_topic(broker):
    kcat(broker, "-P", "-t", "meta", input="x\n")
    out = kcat(broker, "-L", "-t", "meta").stdout
    host, port = broker.doors["kafka"]
    assert f"broker 0 at {host}:{port}" in out, out
    assert 'topic "meta" with 3 partitions' in out, out
    for p in range(3):
        assert f"partition {p}, leader 0, replicas: 0, isrs: 0" in out, out


@pytest.mark.parametrize("codec", ["none", "gzip", "snappy", "lz4", "zstd"])
def test_produce_and_consume_keys_values_headers_in_order(broker, codec):
    topic = f"kcat-{codec}"
    keys = [f"s-{i % 17:05d}" for i in range(300)]
    lines = "".join(f"{k}:value-{i}\n" for i, k in enumerate(keys))
    kcat(broker, "-P", "-t", topic, "-K", ":", "-z", codec, "-H", "source=kcat", "-H", f"codec={codec}",
         "-X", "topic.partitioner=murmur2_random", input=lines)
    out = kcat(broker, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%k|%s|%p|%o|%h\\n").stdout
    rows = [line.split("|") for line in out.splitlines()]
    assert len(rows) == 300, out[-500:]
    want_partition = partitions_for(sorted(set(keys)))
    by_partition = {}
    for key, value, partition, offset, headers in rows:
        assert int(partition) == want_partition[key], (key, partition)
        assert headers == f"source=kcat,codec={codec}"
        by_partition.setdefault(int(partition), []).append((int(offset), int(value.split("-")[1])))
    for p, recs in by_partition.items():
        offsets = [o for o, _ in recs]
        assert offsets == list(range(len(recs))), f"partition {p} offsets {offsets[:10]}..."
        seq = [v for _, v in recs]
        assert seq == sorted(seq), f"partition {p} out of order"
    assert sorted(v for recs in by_partition.values() for _, v in recs) == list(range(300))


def test_consume_from_an_offset_and_the_end(broker):
    kcat(broker, "-P", "-t", "offsets", "-p", "1", input="".join(f"m{i}\n" for i in range(10)))
    out = kcat(broker, "-C", "-t", "offsets", "-p", "1", "-o", "7", "-e", "-f", "%o:%s\\n").stdout
    assert out.splitlines() == ["7:m7", "8:m8", "9:m9"]
    out = kcat(broker, "-C", "-t", "offsets", "-p", "1", "-o", "-2", "-e", "-f", "%o:%s\\n").stdout
    assert out.splitlines() == ["8:m8", "9:m9"]


def test_messages_survive_a_broker_restart(tmp_path):
    data = str(tmp_path / "data")
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"], data_dir=data) as s:
        kcat(s, "-P", "-t", "durable", "-p", "0", input="".join(f"r{i}\n" for i in range(100)))
        assert s.stop() == 0
    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"], data_dir=data) as s:
        out = kcat(s, "-C", "-t", "durable", "-p", "0", "-o", "beginning", "-e", "-f", "%o:%s\\n").stdout
        assert out.splitlines() == [f"{i}:r{i}" for i in range(100)]
        kcat(s, "-P", "-t", "durable", "-p", "0", input="after\n")
        out = kcat(s, "-C", "-t", "durable", "-p", "0", "-o", "100", "-e", "-f", "%o:%s\\n").stdout
        assert out.splitlines() == ["100:after"]
        assert s.stop() == 0
