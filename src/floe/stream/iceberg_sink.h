// The Iceberg sink of a stream pipeline: rows buffered into Parquet data files between checkpoints, and one Iceberg
// append per checkpoint that carries the checkpoint in its snapshot summary. That append is the pipeline's single
// atomic point of exactly-once delivery (ARCHITECTURE.md, "Exactly-once"):
//
//   floe.job-id          the job's id
//   floe.pipeline        the INSERT's name within the job (its sink table, e.g. "sensor_10s")
//   floe.checkpoint-id   1, 2, 3, ... per pipeline
//   floe.source-offsets  "<topic>:<partition>=<next offset>,..." — where the source resumes after this checkpoint
//   floe.watermark       the watermark when the checkpoint was taken (ms, or "none")
//
// The same commit sets the table property floe.checkpoint.<job id>.<pipeline> =
// "checkpoint=<id>;watermark=<ms|none>;offsets=<topic>:<partition>=<offset>,...": the record a restart
// reads, which survives snapshot expiry, compaction by anyone, and catalogs that keep no snapshot history in the
// table metadata (Nessie keeps only the current snapshot and drops its parent id). The snapshot summary is kept for
// people and tools that look at a table's history.
//
// On start, LastCommittedCheckpoint() reads that property, or for a table without it walks the branch's snapshots
// from the newest back through their parents and returns the newest one this pipeline committed; the pipeline restores
// the state saved under that id and seeks its source to those offsets. Commits state the snapshot they expect (the one
// where that search started): a second instance of the same job, or a commit from a checkpoint that is no longer the
// newest, fails with Conflict instead of duplicating rows. Commits by other writers in between (compaction, a user's
// append) are retried over.
//
// The sink table is created on first use when missing: its columns the sink's writable columns (NOT NULL columns
// required), partitioned by day of the first window_start column, or of the first timestamp column otherwise, unless
// the table says PARTITIONED BY (identity partitions then), as Iceberg's Flink connector does.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/catalog/catalog.h"
#include "floe/formats/column_vector.h"
#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/table_operations.h"
#include "floe/sql/table_catalog.h"
#include "floe/stream/datum.h"

namespace floe::stream {

// Source positions: topic -> partition -> next offset to read.
using SourceOffsets = std::map<std::string, std::map<int32_t, int64_t>>;

std::string FormatSourceOffsets(const SourceOffsets& offsets);
Result<SourceOffsets> ParseSourceOffsets(std::string_view text);

struct CommittedCheckpoint {
  int64_t checkpoint_id = 0;
  int64_t snapshot_id = 0;  // the snapshot it was found in (0 when read from the table property)
  SourceOffsets offsets;
  std::optional<int64_t> watermark_ms;
};

// The checkpoint table property's value, and back (Corruption naming what is wrong).
std::string FormatCheckpointProperty(const CommittedCheckpoint& checkpoint);
Result<CommittedCheckpoint> ParseCheckpointProperty(std::string_view text);

struct IcebergSinkOptions {
  std::string job_id;
  std::string pipeline;
  catalog::TableIdentifier table;
  // Maintenance between checkpoints, every `compact_interval_ms` (0: never) when there were commits: compact a
  // partition's small files once it has `compact_min_files` of them (0: no compaction), and expire snapshots older
  // than `expire_after_ms` keeping the newest `retain_snapshots` (0: never expire). The compaction's "replace"
  // snapshot has the checkpoint's append as its parent, so recovery still finds the checkpoint behind it.
  int compact_min_files = 16;
  int64_t compact_interval_ms = 60'000;
  int64_t expire_after_ms = 3'600'000;
  int retain_snapshots = 100;
  int64_t target_file_bytes = int64_t{128} << 20;
};

class IcebergSink {
 public:
  // Loads the sink table from `catalog`, creating the namespace and the table as described above when missing, and
  // checks that each writable column of `table` has a column of a compatible type in it (by name). `catalog` must
  // outlive the sink.
  static Result<std::unique_ptr<IcebergSink>> Open(catalog::Catalog* catalog, const sql::TableDefinition& table,
                                                   IcebergSinkOptions options);
  ~IcebergSink();

  // The newest checkpoint this pipeline committed to the table, or nullopt when it never did.
  Result<std::optional<CommittedCheckpoint>> LastCommittedCheckpoint();

  // Buffers one row: a datum per writable column of the sink table definition, in its column order. InvalidArgument
  // for a NULL in a NOT NULL column (the row is not taken).
  Status Write(const Row& row);
  int64_t buffered_rows() const { return buffered_rows_; }

  // Writes the buffered rows as data files and appends them in one snapshot with the checkpoint's summary. An empty
  // checkpoint (no rows) still commits, so that offsets and checkpoint ids advance; Conflict as described above.
  // `previous_checkpoint_id` is the id this instance last committed (or recovered), 0 for none.
  Result<int64_t> Commit(int64_t checkpoint_id, int64_t previous_checkpoint_id, const SourceOffsets& offsets,
                         std::optional<int64_t> watermark_ms);

  // Compaction and snapshot expiry when due (called by the pipeline between checkpoints). Errors are logged, not
  // returned: maintenance never stops the pipeline.
  void MaintainIfDue(int64_t now_ms);

  const std::string& table_name() const { return table_name_; }
  int64_t commits() const { return commits_; }
  int64_t rows_committed() const { return rows_committed_; }

 private:
  IcebergSink() = default;
  Status FlushBuffer();
  Status StartWriter();
  std::string CheckpointProperty() const;

  catalog::Catalog* catalog_ = nullptr;
  IcebergSinkOptions options_;
  std::string table_name_;
  std::shared_ptr<io::FileIO> io_;
  std::unique_ptr<iceberg::TableOperations> ops_;
  iceberg::TableState state_;
  std::vector<sql::DataType> column_types_;       // of the sink definition's writable columns
  std::vector<formats::DataType> storage_types_;  // the table's columns they are written to
  std::vector<int> column_for_field_;             // table field i <- definition column (-1: NULL)
  std::vector<bool> required_;                    // per definition column
  std::vector<std::string> column_names_;
  std::vector<formats::ColumnVector> buffer_;  // per table field
  int64_t buffered_rows_ = 0;
  std::optional<iceberg::DataFileWriter> writer_;
  std::vector<iceberg::DataFile> written_;
  int64_t commits_ = 0;
  int64_t rows_committed_ = 0;
  int64_t last_compaction_ms_ = 0;
  int64_t commits_since_maintenance_ = 0;
};

}  // namespace floe::stream
