// TopicSource (source.h) over librdkafka, for a topic on any Kafka cluster (Apache Kafka, Redpanda, a floe broker in
// another process): the table's 'properties.bootstrap.servers' and the rest of its 'properties.*' options.
//
// The consumer never joins its group: partitions are assigned by the job (rd_kafka_assign with explicit offsets),
// as Flink's KafkaSource does. floe sets, before the caller's properties:
//   bootstrap.servers       from options.bootstrap
//   group.id                floe-stream-source when the properties have none or an empty one (librdkafka needs one
//                           for assign; it is never committed to)
//   auto.offset.reset       earliest (the contract's reset for an offset that left the log; a property may change it)
//   enable.partition.eof    false
//   isolation.level         read_uncommitted (the Java consumer's default and source.h's contract; librdkafka's own
//                           default is read_committed, which a property may choose)
//   client.id               floe-stream-source
// and after them, whatever the properties say: enable.auto.commit=false and enable.auto.offset.store=false, since
// the job commits explicitly (CommitGroupOffsets, rd_kafka_commit with offsets, as a simple consumer).
//
// librdkafka decompresses batches itself (every codec), so this source does not use kafka/record_codec.h.
// Errors name the bootstrap servers and the topic, with librdkafka's error name.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "floe/ingest/rdkafka_client.h"
#include "floe/stream/source.h"

namespace floe::stream {

struct KafkaSourceOptions {
  std::string bootstrap;  // bootstrap.servers
  std::string topic;
  ingest::ClientProperties properties;  // the table's 'properties.*' without the prefix (group.id, security, ...)
  // Bound on each metadata, offset and commit request.
  int64_t request_timeout_ms = 10000;
};

class KafkaSource final : public TopicSource {
 public:
  // Creates the consumer (connections are made lazily); InvalidArgument for a bad property.
  static Result<std::unique_ptr<KafkaSource>> Open(KafkaSourceOptions options);
  ~KafkaSource() override;

  Result<int32_t> PartitionCount() override;
  Result<int64_t> StartOffset(int32_t partition, StartupMode mode, int64_t timestamp_ms) override;
  Status Assign(const std::map<int32_t, int64_t>& next_offsets) override;
  Result<size_t> Poll(int max_wait_ms, size_t max_records,
                      const std::function<void(const SourceRecord&)>& on_record) override;
  Status CommitGroupOffsets(const std::map<int32_t, int64_t>& next_offsets) override;
  Result<std::map<int32_t, int64_t>> EndOffsets() override;
  Result<std::map<int32_t, int64_t>> RecentEndOffsets() override;

 private:
  KafkaSource(KafkaSourceOptions options, ingest::RdKafkaHandle rk, bool has_group);
  Status Error(std::string_view what, rd_kafka_resp_err_t err) const;
  Status Watermarks(int32_t partition, int64_t* low, int64_t* high);

  KafkaSourceOptions options_;
  ingest::RdKafkaHandle rk_;
  bool has_group_;
  rd_kafka_topic_t* topic_ = nullptr;       // for metadata requests
  rd_kafka_queue_t* queue_ = nullptr;       // the consumer queue the assigned partitions' messages arrive on
  std::vector<rd_kafka_message_t*> batch_;  // Poll's message array, reused
  std::vector<int32_t> assigned_;           // the partitions of the last Assign
};

}  // namespace floe::stream
