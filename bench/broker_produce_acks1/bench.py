"""broker_produce_acks1: max produce throughput, acks=1, 100-byte records, linger 5 ms, 3 partitions; floe vs Apache
Kafka 4.4.0 (KRaft, -Xmx1g) on this machine in the same run, the same librdkafka client (bench/broker_perf.py).
Also reports MB/s, latency under full load and both servers' resident memory. Target: floe 2x Kafka's records/s."""
from broker_perf import produce_benchmark

NAME = "broker_produce_acks1"
TARGET = 2.0
RECORDS = 15_000_000


def run(ctx):
    return dict(produce_benchmark(ctx, "1", RECORDS), target=TARGET)
