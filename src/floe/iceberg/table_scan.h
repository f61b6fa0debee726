// Scan planning and reading (Apache Iceberg table spec v2, "Scan Planning"): which data files of which snapshot may
// hold rows matching a filter, and the rows themselves.
//
// Planning prunes at three levels, each with the evaluators of expressions.h: manifests by their partition summaries
// in the manifest list, data files by their partition tuple, then by their column metrics (bounds, null counts).
// Reading prunes row groups by their Parquet statistics the same way and filters the rows that remain (the residual),
// so a scan returns exactly the matching rows. Time travel picks the snapshot by id, by timestamp (the snapshot that
// was current then, from the snapshot log) or by branch/tag, and reads it with the schema it was written with.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/column_vector.h"
#include "floe/iceberg/data_file_reader.h"
#include "floe/iceberg/expressions.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {

struct ScanOptions {
  // At most one of these picks the snapshot; none: the current one.
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> as_of_timestamp_ms;
  std::optional<std::string> ref;    // a branch or tag
  ExpressionPtr filter;              // unbound; nullptr: every row
  std::vector<std::string> columns;  // top-level column names, in output order; empty: all
  bool case_sensitive = true;
};

struct FileScanTask {
  DataFile file;
  int64_t data_sequence_number = 0;
};

struct ScanMetrics {
  int64_t manifests = 0;
  int64_t manifests_skipped = 0;
  int64_t files = 0;  // live data files in the scanned manifests
  int64_t files_skipped_by_partition = 0;
  int64_t files_skipped_by_metrics = 0;
  int64_t row_groups = 0;
  int64_t row_groups_skipped = 0;  // by Read
};

class TableScan {
 public:
  // Plans a scan of `metadata`'s table. NotFound for a snapshot id, ref or timestamp with no snapshot;
  // InvalidArgument for an unknown column or a filter that does not bind.
  static Result<TableScan> Plan(io::FileIO& io, const TableMetadata& metadata, const ScanOptions& options);

  // The snapshot scanned; nullopt for a table without snapshots (the scan is empty).
  std::optional<int64_t> snapshot_id() const { return snapshot_id_; }
  // The output columns: the chosen fields of the snapshot's schema.
  const Schema& projection() const { return projection_; }
  const ExpressionPtr& bound_filter() const { return filter_; }
  const std::vector<FileScanTask>& tasks() const { return tasks_; }
  const ScanMetrics& metrics() const { return metrics_; }

  // Reads the matching rows, a batch per surviving row group, in task order, each batch one column per projected
  // field; stops at the first error, or when `consume` returns one. Tasks are read `parallelism` at a time (a
  // thread each); batches still reach `consume` in order, on the calling thread.
  Status Read(io::FileIO& io, const std::function<Status(std::vector<formats::ColumnVector>&&)>& consume,
              int parallelism = 1);

 private:
  TableScan() = default;

  std::optional<int64_t> snapshot_id_;
  Schema projection_;
  Schema read_schema_;                       // projection plus the columns only the filter uses
  std::optional<NameMapping> name_mapping_;  // schema.name-mapping.default, for files without field ids
  ExpressionPtr filter_;
  std::vector<FileScanTask> tasks_;
  ScanMetrics metrics_;
};

// Rows of `column` where `keep` is non-zero, in order.
formats::ColumnVector SelectRows(const formats::ColumnVector& column, const std::vector<uint8_t>& keep);

}  // namespace floe::iceberg
