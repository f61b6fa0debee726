// The Apache Kafka Java client against a broker: an idempotent producer (acks=all, the 4.x default) sends COUNT
// keyed records with headers, then a consumer (assign, from the beginning) reads them back. Prints one line per
// consumed record: partition offset timestamp key value header(seq), and first a line "produced N" with the
// producer's own view (partition:offset of every send).
// Usage: java -cp 'target/lib/*' ProduceConsume.java BOOTSTRAP TOPIC COUNT [CODEC [CLIENT_PROPERTIES_FILE]]
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.*;

public class ProduceConsume {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0], topic = args[1];
    int count = Integer.parseInt(args[2]);
    Properties extra = new Properties();
    if (args.length > 4) {
      try (java.io.FileReader r = new java.io.FileReader(args[4])) { extra.load(r); }
    }
    Properties p = new Properties();
    p.putAll(extra);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, args.length > 3 ? args[3] : "none");
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      for (int i = 0; i < count; i++) {
        String key = String.format("s-%05d", i % 25);
        ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, "v" + i);
        r.headers().add("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        sent.add(producer.send(r));
      }
      producer.flush();
      StringBuilder sb = new StringBuilder("produced");
      for (Future<RecordMetadata> f : sent) {
        RecordMetadata m = f.get();
        sb.append(' ').append(m.partition()).append(':').append(m.offset());
      }
      System.out.println(sb);
    }
    Properties c = new Properties();
    c.putAll(extra);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic)) parts.add(new TopicPartition(topic, info.partition()));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      int got = 0;
      long deadline = System.currentTimeMillis() + 60000;
      while (got < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          String seq = new String(r.headers().lastHeader("seq").value(), StandardCharsets.UTF_8);
          System.out.println(r.partition() + " " + r.offset() + " " + r.timestamp() + " " + r.key() + " " + r.value() + " " + seq);
          got++;
        }
      }
    }
  }
}
