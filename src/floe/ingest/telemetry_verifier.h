// `floe produce --verify`: reads back what a run appended to the topic and checks it against what the run had
// acknowledged: per sensor the same events, in the same order, exactly once, all in the partition Kafka's
// default partitioner (murmur2) assigns the sensor's key.
//
// Order and content are compared through a digest per sensor (count and a chained FNV-1a hash of the values in
// log order), so the producer keeps a few bytes per sensor instead of every event.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"

namespace floe::ingest {

class StreamDigest {
 public:
  explicit StreamDigest(int32_t sensors) : sensors_(static_cast<size_t>(sensors < 1 ? 1 : sensors)) {}

  // Records one event of `sensor` stored in `partition` with JSON `value`, in log order.
  void Add(int32_t sensor, int32_t partition, std::string_view value);

  struct Sensor {
    int64_t count = 0;
    uint64_t hash = 14695981039346656037ULL;
    int32_t partition = -1;         // the partition of its first event
    bool mixed_partitions = false;  // some event landed in another partition
  };
  const std::vector<Sensor>& sensors() const { return sensors_; }
  int64_t total() const { return total_; }

 private:
  std::vector<Sensor> sensors_;
  int64_t total_ = 0;
};

// Where the run started on each partition (the log end offsets before its first send); missing partitions start
// at 0.
using PartitionOffsets = std::map<int32_t, int64_t>;

struct VerifyOptions {
  std::string bootstrap;
  std::string topic;
  std::vector<std::pair<std::string, std::string>> client_properties;
  int64_t timeout_ms = 30000;
};

// The log end offset of every partition of `topic` (empty when the topic does not exist yet).
Result<PartitionOffsets> ReadEndOffsets(const VerifyOptions& options);

// Reads each partition of the topic from `start` to its current end and compares with `expected`. The error
// message lists the first differences (sensor, partition, counts).
Status VerifyTopic(const VerifyOptions& options, const PartitionOffsets& start, const StreamDigest& expected);

}  // namespace floe::ingest
