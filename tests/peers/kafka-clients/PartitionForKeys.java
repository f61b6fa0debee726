// Prints `key<TAB>partition` for each key read from stdin, using the Java client's own default partitioner
// (BuiltInPartitioner.partitionForKey over the UTF-8 key bytes, as StringSerializer produces them).
// Usage: java -cp 'target/lib/*' PartitionForKeys.java PARTITIONS < keys
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

public class PartitionForKeys {
  public static void main(String[] args) throws Exception {
    int partitions = Integer.parseInt(args[0]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(System.out);
    String key;
    while ((key = in.readLine()) != null) {
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      out.print(key);
      out.print('\t');
      out.println(BuiltInPartitioner.partitionForKey(bytes, partitions));
    }
    out.flush();
  }
}
