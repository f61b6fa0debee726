// The interface a stream job reads a Kafka topic through: the records of chosen partitions from chosen offsets, in
// offset order within each partition. Two implementations: BrokerSource (broker_source.h) reads the partition logs
// of an in-process floe broker directly; KafkaSource (kafka_source.h) reads any Kafka cluster through librdkafka.
//
// Contract shared by both:
//   - Offsets are Kafka offsets: a partition's "next offset" is the offset of the next record to read, which is
//     what a checkpoint stores and what Assign takes back.
//   - Poll delivers the records of assigned partitions from their next offsets, each record once, in offset order
//     within a partition (partitions interleave in no particular order). Offsets may have gaps (control records,
//     compacted logs): a record's offset + 1 is the partition's next offset after it.
//   - An assigned offset that is no longer in the log (removed by retention) or beyond its end (the topic was
//     re-created) is reset to the partition's earliest offset with a logged warning, as Kafka's consumer does with
//     auto.offset.reset=earliest, Flink's default for a restored split.
//   - Records of transactional producers are read uncommitted; transaction markers are skipped.
//   - Group offsets are Kafka's consumer group offsets of group `properties.group.id`, committed as a simple consumer
//     (no group membership: partitions are assigned by the job, not by the group). They are for lag monitoring and
//     for the group-offsets startup mode; the job's exactly-once state is its checkpoint, never the group offsets.
//     Without a group id, StartOffset(kGroupOffsets) and CommitGroupOffsets are InvalidArgument.
//   - Errors name the topic (and, for KafkaSource, the bootstrap servers). A TopicSource is used by one thread at a
//     time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string_view>

#include "floe/base/status.h"

namespace floe::stream {

// One record as Poll delivers it. The views are valid only during the on_record call.
struct SourceRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // the record's timestamp (CreateTime, or the broker's LogAppendTime)
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
};

// Flink's scan.startup.mode: 'earliest-offset', 'latest-offset', 'group-offsets', 'timestamp'.
enum class StartupMode { kEarliest, kLatest, kGroupOffsets, kTimestamp };

class TopicSource {
 public:
  virtual ~TopicSource() = default;

  // The topic's partition count now; 0 while the topic does not exist (the job waits for it, asking again).
  virtual Result<int32_t> PartitionCount() = 0;

  // The offset to start `partition` at:
  //   kEarliest      the partition's earliest offset (log start);
  //   kLatest        its end offset (the next offset to be written);
  //   kGroupOffsets  the group's committed offset, or the earliest offset when the group has none (Flink's default
  //                  'properties.auto.offset.reset' = earliest);
  //   kTimestamp     the first offset whose record timestamp is >= timestamp_ms, or the end offset when there is
  //                  none (Flink's behaviour). timestamp_ms is ignored by the other modes.
  virtual Result<int64_t> StartOffset(int32_t partition, StartupMode mode, int64_t timestamp_ms) = 0;

  // Replaces the assignment: reads each listed partition from its next offset; partitions not listed are not read.
  // Records already fetched for a partition but not delivered are dropped when its offset is re-assigned.
  virtual Status Assign(const std::map<int32_t, int64_t>& next_offsets) = 0;

  // Waits up to max_wait_ms for records of the assigned partitions and calls on_record for each, at most
  // max_records; returns how many were delivered (0 when the wait ran out). Returns as soon as it has delivered
  // some records; does not wait for max_records.
  virtual Result<size_t> Poll(int max_wait_ms, size_t max_records,
                              const std::function<void(const SourceRecord&)>& on_record) = 0;

  // Commits `next_offsets` (partition -> next offset to read) as the group's offsets.
  virtual Status CommitGroupOffsets(const std::map<int32_t, int64_t>& next_offsets) = 0;

  // Every partition's end offset now (lag = end offset - next offset).
  virtual Result<std::map<int32_t, int64_t>> EndOffsets() = 0;
  // The same as known without waiting for the broker (for the status's lag, asked every second): a remote source
  // answers what its last fetches said, leaving out partitions it has not fetched yet. By default EndOffsets().
  virtual Result<std::map<int32_t, int64_t>> RecentEndOffsets() { return EndOffsets(); }
};

}  // namespace floe::stream
