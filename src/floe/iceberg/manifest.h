// Manifests and manifest lists: the Avro files under a snapshot (Apache Iceberg table spec v2, "Manifests",
// "Manifest Lists"; Avro field ids and schemas as the spec lists them, which Java, pyiceberg and others read).
//
// A snapshot's manifest list (snap-<id>-<attempt>-<uuid>.avro) has one ManifestFile per manifest; a manifest
// (<uuid>-m<n>.avro) has one ManifestEntry per data or delete file, all of one partition spec, with the partition
// tuple typed by that spec. Sequence numbers and snapshot ids left null in an entry are inherited from the
// manifest's ManifestFile when read (spec: "Sequence Number Inheritance"), so the reader takes it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/iceberg_types.h"
#include "floe/iceberg/partition_spec.h"

namespace floe::iceberg {

enum class FileContent : int32_t { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };
enum class ManifestContent : int32_t { kData = 0, kDeletes = 1 };
enum class ManifestEntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

// A partition tuple: one value per field of the spec, nullopt for null.
using PartitionValues = std::vector<std::optional<Literal>>;

struct DataFile {
  FileContent content = FileContent::kData;
  std::string file_path;
  std::string file_format = "PARQUET";  // "PARQUET", "AVRO", "ORC" as written
  int32_t spec_id = 0;                  // not stored in the entry: the manifest's partition spec
  PartitionValues partition;
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  // Per column, by field id.
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;  // values including nulls and NaNs
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::string> lower_bounds;  // binary single-value serialization (literal_codec.h)
  std::map<int32_t, std::string> upper_bounds;
  std::optional<std::string> key_metadata;
  std::vector<int64_t> split_offsets;  // row group starts, ascending
  std::vector<int32_t> equality_ids;
  std::optional<int32_t> sort_order_id;

  bool operator==(const DataFile&) const = default;
};

struct ManifestEntry {
  ManifestEntryStatus status = ManifestEntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;           // after reading: always set (inherited)
  std::optional<int64_t> sequence_number;       // data sequence number; after reading: set (inherited)
  std::optional<int64_t> file_sequence_number;  // after reading: set (inherited)
  DataFile data_file;

  bool operator==(const ManifestEntry&) const = default;
};

// Per partition field of a manifest: whether any entry's value is null / NaN, and the bounds (binary single-value
// serialization) of the non-null values.
struct PartitionFieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;
  std::optional<std::string> upper_bound;
  bool operator==(const PartitionFieldSummary&) const = default;
};

struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  ManifestContent content = ManifestContent::kData;
  int64_t sequence_number = 0;      // when the manifest was added
  int64_t min_sequence_number = 0;  // smallest data sequence number of its live entries
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::vector<PartitionFieldSummary> partitions;  // one per partition field of the spec
  std::optional<std::string> key_metadata;

  bool operator==(const ManifestFile&) const = default;
};

// Writes one manifest (format version 2) into memory.
//
// The file's metadata holds "schema" (the table schema JSON), "schema-id", "partition-spec" (the spec's fields as a
// JSON array), "partition-spec-id", "format-version" "2" and "content" ("data" or "deletes"), as Java writes them.
// Entries added by this snapshot are written with a null sequence number (inherited on read).
class ManifestWriter {
 public:
  // `snapshot_id` is the snapshot the manifest is written for. InvalidArgument when the spec does not fit the schema.
  static Result<ManifestWriter> Make(const Schema& schema, const PartitionSpec& spec, int64_t snapshot_id,
                                     ManifestContent content = ManifestContent::kData);
  ManifestWriter(ManifestWriter&&) noexcept;
  ManifestWriter& operator=(ManifestWriter&&) noexcept;
  ~ManifestWriter();

  // A new file (status added; snapshot id and sequence numbers left for inheritance).
  Status Add(const DataFile& file);
  // A file carried over from an earlier manifest (status existing; keeps its snapshot id and sequence numbers,
  // which must be set).
  Status Existing(const ManifestEntry& entry);
  // A file removed by this snapshot (status deleted; keeps its sequence numbers).
  Status Delete(const ManifestEntry& entry);

  // The whole file; *summary gets everything of its ManifestFile but manifest_path (the caller's) and the sequence
  // numbers (set when the snapshot is committed): counts, rows, partition summaries, length, spec id, content,
  // added_snapshot_id.
  Result<std::string> Finish(ManifestFile* summary);

 private:
  struct State;
  explicit ManifestWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Reads a manifest: its entries with inherited snapshot ids and sequence numbers filled in from `manifest`, each
// DataFile's spec_id set to the manifest's. `spec` types the partition tuples (the table's spec with the manifest's
// partition_spec_id); `manifest.manifest_path` names the file in errors, which are Corruption naming the entry and
// what was wrong (and a length that differs from manifest_length).
Result<std::vector<ManifestEntry>> ReadManifest(std::string_view data, const ManifestFile& manifest,
                                                const Schema& schema, const PartitionSpec& spec);

// Writes a manifest list (format version 2) with metadata "snapshot-id", "parent-snapshot-id" (when there is one),
// "sequence-number" and "format-version". A manifest's sequence_number and min_sequence_number that are not yet
// assigned (== kUnassignedSequenceNumber, each checked on its own) get `sequence_number`.
inline constexpr int64_t kUnassignedSequenceNumber = -1;
Result<std::string> WriteManifestList(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                                      std::optional<int64_t> parent_snapshot_id, int64_t sequence_number);
// Reads a manifest list (format versions 1 and 2). `file` names it in errors.
Result<std::vector<ManifestFile>> ReadManifestList(std::string_view data, std::string_view file);

}  // namespace floe::iceberg
