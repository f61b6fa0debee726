"""floe's record batch codec against the Apache Kafka Java client's own batch builder.

A producer's batch must be read by floe exactly as a Kafka broker reads it, and a batch floe stamps on append
(offsets, leader epoch, LogAppendTime, crc) must be byte for byte what a Kafka broker would store. The Java client
builds batches offline (MemoryRecords.withRecords, the builder behind its producer), so no broker is needed:

1. this test has the pinned kafka-clients build the batches described in tests/unit/kafka/record_batch_test.cpp
   and checks that the `java-vector` bytes written there are exactly what it produces today;
2. it then runs that unit test (kafka_test), which builds the same records with floe's BuildRecordBatch and compares
   bytes, decodes the Java bytes, and stamps the Java batch as a broker would.
"""
import os
import re
import subprocess
import tempfile
from pathlib import Path

from floe_process import REPO, java_classpath

UNIT_TEST = REPO / "tests" / "unit" / "kafka" / "record_batch_test.cpp"

# The records here must stay those of MixedRecords() and ManyRecords() in record_batch_test.cpp.
JAVA_SOURCE = r"""
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

public class RecordBatchVectors {
  static byte[] b(String s) { return s == null ? null : s.getBytes(StandardCharsets.UTF_8); }

  static String hex(ByteBuffer buf) {
    StringBuilder sb = new StringBuilder();
    ByteBuffer d = buf.duplicate();
    while (d.hasRemaining()) sb.append(String.format("%02x", d.get()));
    return sb.toString();
  }

  static MemoryRecords build(long producerId, short epoch, int sequence, boolean transactional, SimpleRecord... rs) {
    return MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V2, 0L, Compression.NONE, TimestampType.CREATE_TIME,
        producerId, epoch, sequence, RecordBatch.NO_PARTITION_LEADER_EPOCH, transactional, rs);
  }

  public static void main(String[] args) {
    SimpleRecord[] mixed = {
      new SimpleRecord(1700000000000L, b("sensor-1"), b("21.5")),
      new SimpleRecord(1700000000007L, null, b("no key")),
      new SimpleRecord(1699999999990L, b("k3"), null,
          new Header[] {new RecordHeader("trace", b("abc")), new RecordHeader("empty", null)}),
      new SimpleRecord(1700000000001L, b(""), b("")),
    };
    System.out.println("plain " + hex(build(-1L, (short) -1, -1, false, mixed).buffer()));
    System.out.println("idempotent " + hex(build(4242L, (short) 3, 17, false, mixed[0]).buffer()));
    System.out.println("transactional " + hex(build(77L, (short) 1, 0, true, mixed[0], mixed[1]).buffer()));

    MemoryRecords appended = build(-1L, (short) -1, -1, false, mixed);
    MutableRecordBatch batch = appended.batches().iterator().next();
    batch.setLastOffset(1000L + 3);
    batch.setPartitionLeaderEpoch(5);
    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, 1700000001234L);
    System.out.println("appended " + hex(appended.buffer()));

    SimpleRecord[] many = new SimpleRecord[300];
    for (int i = 0; i < many.length; i++) {
      many[i] = new SimpleRecord(1700000000000L + 1000L * i, b("key-" + i), b("v".repeat(i)),
          new Header[] {new RecordHeader("i", b(Integer.toString(i)))});
    }
    RecordBatch big = build(-1L, (short) -1, -1, false, many).batches().iterator().next();
    System.out.println("many_crc " + String.format("%08x", big.checksum()));
    System.out.println("many_size " + big.sizeInBytes());
  }
}
"""


def java_vectors():
    with tempfile.TemporaryDirectory(prefix="floe-rb-") as tmp:
        src = Path(tmp) / "RecordBatchVectors.java"
        src.write_text(JAVA_SOURCE)
        res = subprocess.run(["java", "-cp", java_classpath("kafka-clients"), str(src)],
                             capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return dict(line.split(" ", 1) for line in res.stdout.splitlines())


def unit_test_vectors():
    """The vectors as written in record_batch_test.cpp: each `// java-vector NAME:` comment, then a constant whose
    (possibly concatenated) string literal holds the hex; and the crc and size of the `many` batch."""
    text = UNIT_TEST.read_text()
    out = {}
    vector = re.compile(r'// java-vector (\w+):.*\n(?:\s*//.*\n)*'  # the comment, maybe several lines
                        r'\s*constexpr std::string_view \w+ =((?:\s*"[0-9a-f]*")+);')  # then the hex literal(s)
    for m in vector.finditer(text):
        out[m.group(1)] = "".join(re.findall(r'"([0-9a-f]*)"', m.group(2)))
    crc = re.search(r"kJavaManyCrc = 0x([0-9a-f]+);", text)
    size = re.search(r"kJavaManySize = (\d+);", text)
    assert crc and size, f"{UNIT_TEST} lost kJavaManyCrc or kJavaManySize"
    out["many_crc"], out["many_size"] = crc.group(1), size.group(1)
    return out


def test_unit_test_vectors_are_what_the_java_client_builds():
    java = java_vectors()
    ours = unit_test_vectors()
    assert set(ours) == set(java), f"vector names differ: unit test {sorted(ours)}, Java {sorted(java)}"
    for name in sorted(java):
        assert ours[name] == java[name], f"vector {name}: unit test has {ours[name]}, kafka-clients builds {java[name]}"


def test_floe_builds_reads_and_stamps_the_java_batches():
    binary = os.environ.get("FLOE_KAFKA_TEST") or str(REPO / "build" / "tests" / "unit" / "kafka_test")
    assert os.access(binary, os.X_OK), f"{binary} not found: run `make build` first (or set FLOE_KAFKA_TEST)"
    res = subprocess.run([binary, "--gtest_filter=RecordBatchTest.*Java*"], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "[  PASSED  ]" in res.stdout and " 0 tests" not in res.stdout, res.stdout[-2000:]
