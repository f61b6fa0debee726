// Keeping a table small and fast while streaming commits keep coming: snapshot expiration, orphan-file cleanup and
// compaction of small files (Iceberg's ExpireSnapshots, DeleteOrphanFiles and RewriteDataFiles actions).
//
// Each is safe to run beside writers: expiration and compaction are optimistic commits that retry on a fresh base;
// files are deleted only after the commit that makes them unreachable has succeeded, and orphan cleanup spares
// files younger than a threshold, since a writer may have written them for a commit still in flight.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/table_operations.h"

namespace floe::iceberg {

struct ExpireOptions {
  // Snapshots older than this are expired (default: the table property history.expire.max-snapshot-age-ms, else
  // 5 days before now)...
  std::optional<int64_t> older_than_ms;
  // ...except the newest `retain_last` snapshots of every branch's history (default: the table property
  // history.expire.min-snapshots-to-keep, else 1), and every snapshot a branch or tag points at.
  std::optional<int> retain_last;
  bool delete_files = true;  // false: only drop the snapshots from the metadata
  int max_attempts = 4;
};

struct ExpireResult {
  std::vector<int64_t> expired_snapshot_ids;
  int64_t deleted_data_files = 0;
  int64_t deleted_manifests = 0;
  int64_t deleted_manifest_lists = 0;
  int64_t deleted_bytes = 0;  // of the data files
};

// Expires snapshots and deletes the files that only they reached. Committing nothing (and deleting nothing) when no
// snapshot is old enough.
Result<ExpireResult> ExpireSnapshots(TableOperations& ops, const ExpireOptions& options = {});

struct OrphanOptions {
  // Only files last modified before this are deleted (default: 3 days before now, as Java's action).
  std::optional<int64_t> older_than_ms;
  bool dry_run = false;
};

struct OrphanResult {
  std::vector<std::string> orphans;  // deleted, or that would be deleted in a dry run
  int64_t bytes = 0;
};

// Deletes every file under the table's location that no metadata file of the table (the current one and those in
// its metadata log), manifest list, manifest or snapshot refers to.
Result<OrphanResult> DeleteOrphanFiles(TableOperations& ops, const OrphanOptions& options = {});

struct CompactOptions {
  // Output files are cut at this size (default: the table property write.target-file-size-bytes, else 512 MiB).
  std::optional<int64_t> target_file_bytes;
  // Files smaller than this are rewritten (default: 75% of the target, as Java's min-file-size-bytes).
  std::optional<int64_t> small_file_bytes;
  // A partition is compacted when it has at least this many small files (Java's min-input-files default, 5).
  int min_input_files = 5;
  std::string branch = std::string(kMainBranch);
  int max_attempts = 4;
};

struct CompactResult {
  int64_t partitions = 0;  // partitions compacted
  int64_t rewritten_files = 0;
  int64_t rewritten_bytes = 0;
  int64_t added_files = 0;
  int64_t added_bytes = 0;
  int64_t rows = 0;
  std::optional<int64_t> snapshot_id;  // the "replace" snapshot, when there was anything to do
};

// Merges the small files of each partition into files of about the target size: reads them (with the current
// schema), writes new files with the partition's spec, and replaces them in one "replace" commit. Appends that land
// meanwhile do not stop it (the commit retries on the fresh base); a concurrent change that removed one of its input
// files does (Conflict), and then the files it wrote are deleted again.
Result<CompactResult> CompactTable(TableOperations& ops, const CompactOptions& options = {});

// Every file the table's current metadata can reach: metadata files (current and logged), manifest lists,
// manifests and data files of every snapshot. Locations as the metadata writes them.
Result<std::vector<std::string>> ReachableFiles(io::FileIO& io, const TableState& state);

}  // namespace floe::iceberg
