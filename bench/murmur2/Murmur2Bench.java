// The peer side of bench/murmur2: the Java client's default partitioner over the same keys and loop as
// murmur2_bench.cpp. Prints {"keys_per_second": X, "checksum": N}.
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

public class Murmur2Bench {
  public static void main(String[] args) {
    final int keys = 100000;
    final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    byte[][] keyList = new byte[keys][];
    for (int i = 0; i < keys; i++) keyList[i] = String.format("s-%05d", i).getBytes(StandardCharsets.UTF_8);
    long checksum = 0;
    // Warm-up rounds let the JIT compile the hash before timing, the JVM's best case.
    for (int w = 0; w < 20; w++) for (byte[] k : keyList) checksum += BuiltInPartitioner.partitionForKey(k, 3);
    checksum = 0;
    long start = System.nanoTime();
    for (int r = 0; r < rounds; r++) for (byte[] k : keyList) checksum += BuiltInPartitioner.partitionForKey(k, 3);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("{\"keys_per_second\": %.0f, \"checksum\": %d}%n", keys * (double) rounds / seconds, checksum);
  }
}
