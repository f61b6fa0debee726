// From a bound job file to what runs: one pipeline per INSERT (its source, its query, its sink), with the connector
// options read and checked. Each pipeline checkpoints and commits on its own, so a statement set of two INSERTs into
// two Iceberg tables is two exactly-once pipelines over the same topic (each Iceberg commit is atomic per table, as
// with Flink's Iceberg sink).
//
// Source tables: 'connector'='kafka', 'topic', 'properties.bootstrap.servers', 'properties.group.id',
//   'properties.*' (passed to librdkafka), 'scan.startup.mode' = earliest-offset | latest-offset | group-offsets
//   (Flink's default; the committed offset, else earliest) | timestamp (with 'scan.startup.timestamp-millis'),
//   'format'='json' (or 'value.format'), 'json.*' (json_format.h), 'scan.watermark.idle-timeout' (a duration; also
//   SET 'table.exec.source.idle-timeout' for every source). Metadata columns: topic, partition, offset, timestamp.
// Sink tables: 'connector'='iceberg', 'catalog-database' (the namespace; default "default"), 'catalog-table'
//   (default: the table's name); 'catalog-name', 'catalog-type', 'uri', 'warehouse' are accepted (the job's catalog
//   is given on the command line or by `floe up`).
// Queries: a plain SELECT ... FROM source [WHERE ...], or a window aggregation over TUMBLE/HOP/CUMULATE of a source
// [WHERE over the source's columns] GROUP BY window_start, window_end, ... [HAVING ...]. Anything else (updating
// aggregations without a window, joins, subqueries, ORDER BY, LIMIT) is refused with the statement's position.
// Settings (SET): 'execution.checkpointing.interval' (default 1 s), 'table.exec.source.idle-timeout',
//   'floe.late-events.topic' / 'floe.dead-letter.topic' (default <source topic>-late and <source topic>-dead-letter;
//   'none' only counts them), 'floe.compaction.interval' (how often a sink compacts its table's small files, default
//   1 min, 0 never), 'floe.compaction.min-files' (a partition is compacted once it has this many small files, default
//   16), 'floe.snapshot.max-age' (snapshots older than this expire, default 1 h) and 'floe.snapshot.retain-last'
//   (the newest this many are always kept, default 100; 0 never expires), 'floe.status.interval' (how often the
//   job's status file and figures are refreshed, default 1 s, at least 10 ms).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/catalog/catalog.h"
#include "floe/sql/bound_statement.h"

namespace floe::stream {

enum class StartupModeSpec { kEarliest, kLatest, kGroupOffsets, kTimestamp };

struct KafkaSourceSpec {
  std::string topic;
  std::string bootstrap;  // empty: not given (the job's --bootstrap or floe up's broker)
  std::string group_id;
  StartupModeSpec startup = StartupModeSpec::kGroupOffsets;
  int64_t startup_timestamp_ms = 0;
  int64_t idle_timeout_ms = 0;  // 0: a partition never counts as idle (Flink's default)
  std::vector<std::pair<std::string, std::string>> client_properties;  // properties.* other than bootstrap/group
};

struct PipelinePlan {
  std::string name;  // the sink table's name as declared: the pipeline's name in checkpoints and status
  std::shared_ptr<const sql::TableDefinition> source;
  std::shared_ptr<const sql::TableDefinition> sink;
  const sql::BoundInsert* insert = nullptr;  // points into the BoundScript, which must outlive the plan
  KafkaSourceSpec kafka;
  catalog::TableIdentifier sink_table;
  std::string late_topic;         // empty: none
  std::string dead_letter_topic;  // empty: none
};

struct JobPlan {
  int64_t checkpoint_interval_ms = 1000;
  int64_t status_interval_ms = 1000;        // SET 'floe.status.interval'
  int64_t compaction_interval_ms = 60'000;  // SET 'floe.compaction.interval' (0: never)
  int compaction_min_files = 16;            // SET 'floe.compaction.min-files'
  int64_t snapshot_max_age_ms = 3'600'000;  // SET 'floe.snapshot.max-age'
  int snapshot_retain_last = 100;           // SET 'floe.snapshot.retain-last' (0: never expire)
  std::vector<PipelinePlan> pipelines;
};

// Checks and plans every INSERT of `script`. InvalidArgument or Unsupported "line L, column C: reason" for a
// statement or table floe cannot run. A job file without any INSERT is InvalidArgument.
Result<JobPlan> PlanJob(const sql::BoundScript& script);

// Flink's duration syntax: "<number>[ ]<unit>" with unit ms/milli/millis/millisecond(s), s/sec/second(s),
// min/minute(s), h/hour(s), d/day(s); no unit means milliseconds.
Result<int64_t> ParseDurationMs(std::string_view text);

}  // namespace floe::stream
