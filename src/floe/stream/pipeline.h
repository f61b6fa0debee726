// One running INSERT: source partitions -> JSON decoding -> computed columns -> watermarks -> WHERE -> window
// aggregation or projection -> the Iceberg sink, checkpointed every interval (job_plan.h says what is planned,
// iceberg_sink.h what a checkpoint commits).
//
// Exactly-once: on Open the pipeline asks the sink table for the newest checkpoint it committed; when there is one it
// loads that checkpoint's state (window groups, watermarks) and seeks the source to the offsets in the commit; else
// it starts where 'scan.startup.mode' says. A checkpoint saves the state under the next id, then makes the one
// Iceberg commit; a crash before the commit replays from the previous checkpoint, one after it from this one, so
// every window row is in the table exactly once.
//
// Side outputs (never silent): an event that cannot be decoded, lacks its event time or fails an expression goes to
// the dead-letter topic as JSON with the error; an event that arrives for a window that has already fired goes to the
// late-events topic. Both are counted in the status.
//
// Threads: Run uses its caller's thread and one decoding thread of its own. Records are copied out of each Poll into
// one of two batches; JSON decoding, computed columns, WHERE and the GROUP BY keys and aggregate arguments of a batch
// run on both threads while the caller's thread processes the batch before in offset order (positions, watermarks,
// windows, sink, side outputs, counters), so results are those of processing each record as it is polled.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "floe/base/status.h"
#include "floe/catalog/catalog.h"
#include "floe/stream/job_plan.h"

namespace floe::broker {
class Broker;
}

namespace floe::stream {

// What a pipeline runs against.
struct PipelineEnvironment {
  std::string job_id;
  std::string state_dir;  // the pipeline's checkpoint files go to <state_dir>/<pipeline name>/
  catalog::Catalog* catalog = nullptr;
  // The in-process broker (floe up), used for every Kafka table whose bootstrap is not set explicitly by
  // `bootstrap_override`; null for `floe job run`.
  broker::Broker* local_broker = nullptr;
  std::function<void(std::function<void()>)> run_on_broker_thread;
  std::string bootstrap_override;  // `floe job run --bootstrap`: replaces every source's bootstrap servers
  int64_t checkpoint_interval_ms = 1000;
  int64_t status_interval_ms = 1000;  // how often status() is refreshed (SET 'floe.status.interval')
  // Sink maintenance (job_plan.h: SET 'floe.compaction.*' and 'floe.snapshot.*').
  int64_t compaction_interval_ms = 60'000;
  int compaction_min_files = 16;
  int64_t snapshot_max_age_ms = 3'600'000;
  int snapshot_retain_last = 100;
};

// A point-in-time view of a pipeline for `floe job status`.
struct PipelineStatus {
  std::string name;
  std::string state = "starting";  // starting, running, failed (restarting), stopped
  std::string error;
  int64_t events_in = 0;
  double events_per_second = 0;  // over the last status interval (about a second)
  int64_t rows_out = 0;
  int64_t late_events = 0;
  int64_t bad_events = 0;
  int64_t filtered_events = 0;
  std::optional<int64_t> watermark_ms;
  int64_t last_checkpoint_id = 0;
  int64_t last_checkpoint_ms = 0;  // wall clock of its commit
  int64_t lag = 0;                 // records between the positions and the partitions' ends
  int64_t open_windows = 0;
  int64_t state_bytes = 0;
  int64_t restarts = 0;
};

class Pipeline {
 public:
  // Opens the source and the sink (creating the sink table when missing) and restores the newest committed checkpoint.
  static Result<std::unique_ptr<Pipeline>> Open(const PipelinePlan& plan, const PipelineEnvironment& env);
  ~Pipeline();

  // Processes records until `stop` is set (then processes the records already polled and takes a last checkpoint)
  // or an error stops it (records polled but not processed are then left to the next run, which starts from the
  // last checkpoint).
  Status Run(const std::atomic<bool>& stop);

  PipelineStatus status() const;

 private:
  struct Impl;
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::stream
