// The event-time watermark of one stream source, as Flink SQL computes it for a bounded-out-of-orderness
// `WATERMARK FOR ts AS ts - INTERVAL 'n' SECOND` declaration, over the partitions the source reads.
//
// Contract:
//   - A partition's watermark is the largest event time it has seen minus the declared delay (Flink SQL's generated
//     watermark generator, without the -1 ms of the DataStream API's BoundedOutOfOrdernessWatermarks). A partition
//     that has seen no record has no watermark and holds the source's watermark back, as an unstarted Flink split
//     does.
//   - With an idle timeout (`table.exec.source.idle-timeout`; 0 = never idle, Flink's default), a partition that has
//     received no record for idle_timeout_ms of wall time (now - last record >= timeout) is idle and left out; a
//     partition that never received a record becomes idle idle_timeout_ms after it was added. It is active again as
//     soon as it receives a record.
//   - The source's watermark is the minimum over active partitions; when every partition is idle it is the maximum
//     over all of them, as Flink's StatusWatermarkValve emits the largest watermark once all its inputs are idle (so
//     that a burst of data followed by silence still closes its windows, instead of waiting for the partition that
//     had none). It never moves backwards: a partition that rejoins behind it cannot lower it (it only keeps it from
//     advancing until the partition catches up).
//   - Current() is INT64_MIN (kNoWatermark) until there is a watermark.
// Idleness is judged at the `now_ms` given to Current() and Partitions(); times are milliseconds (event times since
// the epoch, wall times from any monotonic clock). Not thread-safe: one tracker per source task.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"

namespace floe::stream {

class WatermarkTracker {
 public:
  static constexpr int64_t kNoWatermark = std::numeric_limits<int64_t>::min();

  // What `floe job status` shows for one partition.
  struct PartitionInfo {
    int32_t partition = 0;
    int64_t max_event_time_ms = kNoWatermark;  // kNoWatermark before the first record
    int64_t watermark_ms = kNoWatermark;       // max_event_time_ms - delay; kNoWatermark before the first record
    int64_t last_activity_ms = 0;              // wall time of the last record (or of AddPartition, or of Restore)
    bool idle = false;
  };

  // `out_of_orderness_ms` is the WATERMARK's interval (>= 0); `idle_timeout_ms` 0 disables idleness.
  WatermarkTracker(int64_t out_of_orderness_ms, int64_t idle_timeout_ms);

  // Starts tracking `partition`: a small non-negative id (a Kafka partition number, or the index of a
  // topic-partition in the source's list: partitions are stored in a vector indexed by id); a negative id is
  // ignored. A partition already tracked is left as it is.
  void AddPartition(int32_t partition, int64_t now_ms);
  // One record of `partition` with event time `event_time_ms`, received at wall time `now_ms`. Cheap: call it per
  // record. A partition not yet added is added.
  void Observe(int32_t partition, int64_t event_time_ms, int64_t now_ms) {
    if (partition >= 0 && static_cast<size_t>(partition) < partitions_.size() && partitions_[partition].present) {
      Partition& p = partitions_[partition];
      if (event_time_ms > p.max_event_time_ms) p.max_event_time_ms = event_time_ms;
      p.last_activity_ms = now_ms;
      return;
    }
    ObserveNew(partition, event_time_ms, now_ms);
  }
  // The source's watermark at wall time `now_ms` (kNoWatermark when there is none yet). Monotonic across calls.
  int64_t Current(int64_t now_ms);
  // The watermark Current() last returned, without recomputing it.
  int64_t last() const { return current_; }

  // Every tracked partition in id order, idleness judged at `now_ms`.
  std::vector<PartitionInfo> Partitions(int64_t now_ms) const;
  size_t partition_count() const;

  // Checkpointed state: each partition's largest event time and the source's watermark. Idle timers are wall-clock
  // state and are not saved: Restore restarts every restored partition's timer at `now_ms`. Restore replaces all
  // state (partitions added before it are dropped); on bad bytes it returns Corruption and leaves the tracker as it
  // was.
  std::string Snapshot() const;
  Status Restore(std::string_view bytes, int64_t now_ms);

  int64_t out_of_orderness_ms() const { return delay_ms_; }
  int64_t idle_timeout_ms() const { return idle_timeout_ms_; }

 private:
  struct Partition {
    bool present = false;
    int64_t max_event_time_ms = kNoWatermark;  // kNoWatermark: no record yet
    int64_t last_activity_ms = 0;
  };

  void ObserveNew(int32_t partition, int64_t event_time_ms, int64_t now_ms);
  bool IsIdle(const Partition& p, int64_t now_ms) const;
  int64_t PartitionWatermark(const Partition& p) const;

  int64_t delay_ms_;
  int64_t idle_timeout_ms_;
  int64_t current_ = kNoWatermark;
  std::vector<Partition> partitions_;  // indexed by partition id; `present` marks tracked ones
};

}  // namespace floe::stream
