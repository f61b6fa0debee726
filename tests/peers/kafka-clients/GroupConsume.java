// The Apache Kafka Java client's consumer in a consumer group (group.protocol=classic: FindCoordinator, JoinGroup,
// SyncGroup, Heartbeat, OffsetFetch, OffsetCommit, LeaveGroup) against a broker. Subscribes to TOPIC with
// GROUP, consumes until it has read COUNT records (or TIMEOUT_MS passes), committing with commitSync after every
// poll, then prints the group's committed offsets and leaves the group (close).
// Prints one line per record: "record PARTITION OFFSET VALUE", then "assigned P,P,..." (the partitions it was
// given) and "committed P:OFFSET ..." as the broker reports them (committed()).
// Usage: java -cp 'target/lib/*' GroupConsume.java BOOTSTRAP TOPIC GROUP COUNT [TIMEOUT_MS]
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

public class GroupConsume {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1], group = args[2];
    int count = Integer.parseInt(args[3]);
    long timeoutMs = args.length > 4 ? Long.parseLong(args[4]) : 60000;
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    Set<TopicPartition> assigned = new TreeSet<>(Comparator.comparingInt(TopicPartition::partition));
    try (KafkaConsumer<String, String> consumer =
             new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) { assigned.addAll(partitions); }
      });
      int got = 0;
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (got < count && System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, String> r : records) {
          System.out.println("record " + r.partition() + " " + r.offset() + " " + r.value());
          got++;
        }
        if (!records.isEmpty()) consumer.commitSync();
      }
      // An empty run still needs its assignment (and committed offsets) before it reports them.
      while (assigned.isEmpty() && System.currentTimeMillis() < deadline) consumer.poll(Duration.ofMillis(200));
      StringBuilder a = new StringBuilder("assigned");
      String sep = " ";
      for (TopicPartition tp : assigned) {
        a.append(sep).append(tp.partition());
        sep = ",";
      }
      System.out.println(a);
      StringBuilder sb = new StringBuilder("committed");
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(assigned));
      for (TopicPartition tp : assigned) {
        OffsetAndMetadata om = committed.get(tp);
        sb.append(' ').append(tp.partition()).append(':').append(om == null ? -1 : om.offset());
      }
      System.out.println(sb);
    }
  }
}
