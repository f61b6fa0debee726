"""floe's murmur2 partitioner against the Apache Kafka Java client's own default partitioner.

A sensor's events must land on the same partition whichever client produced them, so `floe partition` has to agree
with kafka-clients (BuiltInPartitioner.partitionForKey) on every key, including non-ASCII and tail lengths 0-3.
"""
import random
import subprocess

from floe_process import REPO, java_classpath, run_floe


def keys():
    rng = random.Random(7)
    out = [f"s-{i:05d}" for i in range(5000)]                     # the sensor ids floe produce uses
    out += ["", "a", "ab", "abc", "abcd", "21", "foobar"]           # every tail length
    out += ["ключ-датчика", "センサー-7", "ü" * 9, "emoji-\U0001F321"]  # multi-byte UTF-8
    for _ in range(2000):                                           # random printable keys of many lengths
        n = rng.randrange(1, 64)
        out.append("".join(chr(rng.randrange(0x21, 0x7f)) for _ in range(n)))
    return out


def java_partitions(all_keys, partitions):
    src = REPO / "tests" / "peers" / "kafka-clients" / "PartitionForKeys.java"
    res = subprocess.run(["java", "-cp", java_classpath("kafka-clients"), str(src), str(partitions)],
                         input="\n".join(all_keys) + "\n", capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()


def floe_partitions(all_keys, partitions):
    res = run_floe(["partition", "--partitions", str(partitions)], input="\n".join(all_keys) + "\n")
    assert res.returncode == 0, res.stderr
    return res.stdout.splitlines()


def test_floe_partitions_like_the_java_client():
    all_keys = keys()
    for partitions in (3, 7, 1000):
        java = java_partitions(all_keys, partitions)
        floe = floe_partitions(all_keys, partitions)
        assert len(java) == len(all_keys) and len(floe) == len(all_keys)
        mismatches = [(j, f) for j, f in zip(java, floe) if j != f]
        assert not mismatches, f"{len(mismatches)} keys differ for {partitions} partitions, e.g. {mismatches[:3]}"
    # The keys spread over all partitions, so the comparison is not trivially all-zero.
    assert {line.split("\t")[1] for line in floe_partitions(all_keys, 3)} == {"0", "1", "2"}


def test_floe_produce_places_each_sensor_where_the_java_client_would(tmp_path):
    """The records `floe produce` sends (librdkafka, murmur2_random) land where kafka-clients would put them."""
    from confluent_kafka.admin import AdminClient, NewTopic

    from floe_process import FloeServer
    from telemetry_checks import read_topic

    with FloeServer(["broker", "--kafka-listen", "127.0.0.1:0"], ["kafka"], data_dir=str(tmp_path / "d")) as b:
        bs = "%s:%d" % b.doors["kafka"]
        admin = AdminClient({"bootstrap.servers": bs})
        futures = admin.create_topics([NewTopic("p7", num_partitions=7)])
        futures["p7"].result(timeout=30)
        p = run_floe(["produce", "--bootstrap", bs, "--topic", "p7", "--sensors", "2000", "--count", "6000",
                      "--rate", "0"], timeout=120)
        assert p.returncode == 0, p.stderr
        placed = {}
        for partition, _, key, _ in read_topic(bs, "p7", partitions=7):
            placed.setdefault(key.decode(), set()).add(partition)
    keys = sorted(placed)
    assert len(keys) == 2000
    java = dict(line.split("\t") for line in java_partitions(keys, 7))
    wrong = [k for k in keys if placed[k] != {int(java[k])}]
    assert not wrong, f"{len(wrong)} sensors not where the Java client puts them, e.g. {wrong[:3]}"
    assert {p for s in placed.values() for p in s} == set(range(7))
