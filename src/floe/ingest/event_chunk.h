// A run of consecutive telemetry events made ready for librdkafka in one go: `floe produce`'s unit of work.
//
// The events' JSON lies back to back in one buffer, and each has an rd_kafka_message_t pointing into it with the
// sensor's key. The messages are grouped by partition (Kafka's default partitioner: murmur2 of the key), in generation
// order inside each group, so that one rd_kafka_produce_batch call per partition enqueues a whole group: one topic
// lock and one clock read per group instead of per event, and no partitioner call. A sensor has one partition, so its
// events keep their generation order.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "floe/ingest/telemetry_generator.h"

namespace floe::ingest {

// Each sensor's key (FormatSensorId) and partition (PartitionForKey, murmur2 of the key), computed once per run
// instead of once per event.
class SensorRoutes {
 public:
  // `sensors` >= 1, `partitions` >= 1.
  SensorRoutes(int32_t sensors, int32_t partitions);

  int32_t partitions() const { return partitions_; }
  const char* key(int32_t sensor) const { return &keys_[static_cast<size_t>(sensor) * kKeyStride]; }
  size_t key_len(int32_t sensor) const { return key_lens_[static_cast<size_t>(sensor)]; }
  int32_t partition(int32_t sensor) const { return partition_[static_cast<size_t>(sensor)]; }

 private:
  static constexpr size_t kKeyStride = 16;  // kMaxSensorIdBytes
  int32_t partitions_;
  std::vector<char> keys_;
  std::vector<uint8_t> key_lens_;
  std::vector<int32_t> partition_;
};

class EventChunk {
 public:
  // Replaces the chunk's contents with the next `n` (>= 1) events of `gen`. `routes` must outlive the chunk's
  // messages (their keys point into it) and cover every sensor of `gen`.
  void Fill(TelemetryGenerator& gen, const SensorRoutes& routes, int64_t n);

  int64_t size() const { return static_cast<int64_t>(events_.size()); }
  int32_t partitions() const { return static_cast<int32_t>(group_begin_.size()) - 1; }
  // The messages for `partition` in generation order; *size is how many. Valid until the next Fill.
  rd_kafka_message_t* group(int32_t partition, int* size);
  // The bytes of the events' JSON (keys not counted).
  int64_t value_bytes() const { return value_bytes_; }

 private:
  struct Formatted {
    int32_t sensor;
    uint32_t offset;
    uint32_t len;
  };
  std::vector<char> bytes_;
  std::vector<Formatted> events_;
  std::vector<rd_kafka_message_t> messages_;
  std::vector<size_t> group_begin_;  // partition p's messages are [group_begin_[p], group_begin_[p + 1])
  std::vector<size_t> cursor_;
  int64_t value_bytes_ = 0;
};

}  // namespace floe::ingest
