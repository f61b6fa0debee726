"""murmur2: keyed-record partitioning, floe's murmur2 vs the Kafka Java client's, same keys, same loop.

Both must produce the same checksum (the sum of partitions), so a fast wrong hash cannot win.
Target: floe at least as fast as the JIT-warmed Java client (ratio >= 1.0)."""
import json
import subprocess

NAME = "murmur2"
TARGET = 1.0
ROUNDS = "200"


def run(ctx):
    floe = json.loads(subprocess.run([ctx.build / "floe_bench_murmur2", ROUNDS], check=True, capture_output=True,
                                     text=True, timeout=600).stdout)
    java = json.loads(subprocess.run(["java", "-Xmx512m", "-cp", ctx.java_classpath("kafka-clients"),
                                      str(ctx.here(__file__) / "Murmur2Bench.java"), ROUNDS],
                                     check=True, capture_output=True, text=True, timeout=600).stdout)
    if floe["checksum"] != java["checksum"]:
        raise RuntimeError(f"checksums differ: floe {floe['checksum']} java {java['checksum']}")
    return {
        "floe": floe["keys_per_second"],
        "peer": java["keys_per_second"],
        "peer_name": "kafka-clients 4.4.0 BuiltInPartitioner (JIT warmed)",
        "unit": "keys/s",
        "higher_is_better": True,
        "target": TARGET,
    }
