// Table metadata: the JSON file that is an Iceberg table's state at one version (Apache Iceberg table spec v2,
// "Table Metadata" and "Table Metadata Fields"; the JSON form in "Appendix C: JSON serialization").
//
// A commit writes a new metadata file and swaps the table's pointer to it (a catalog, or vN.metadata.json files in
// the table's metadata/ directory); the file is never changed afterwards. floe writes format version 2 and reads
// versions 1 and 2 (v1 fields are upgraded on read: "schema" -> schemas, "partition-spec" -> partition-specs,
// missing sequence numbers -> 0).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/iceberg_types.h"

namespace simdjson::dom {
class element;
}  // namespace simdjson::dom
#include "floe/iceberg/partition_spec.h"

namespace floe::iceberg {

// A snapshot's summary: "operation" (append, replace, overwrite, delete) and the standard counters ("added-data-files",
// "total-records", ...) plus any keys a writer adds (floe's stream sink: its job id, checkpoint id and offsets).
// Kept in insertion order.
using SnapshotSummary = std::vector<std::pair<std::string, std::string>>;

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;  // location of the manifest list (Avro)
  SnapshotSummary summary;    // always has "operation"
  std::optional<int32_t> schema_id;

  // The summary value for `key`, or nullptr.
  const std::string* FindSummary(std::string_view key) const;
  std::string operation() const;  // summary "operation", or "" when missing
};

struct SnapshotRef {
  int64_t snapshot_id = 0;
  bool is_branch = true;  // "branch" or "tag"
  std::optional<int32_t> min_snapshots_to_keep;
  std::optional<int64_t> max_snapshot_age_ms;
  std::optional<int64_t> max_ref_age_ms;
  bool operator==(const SnapshotRef&) const = default;
};

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
  bool operator==(const SnapshotLogEntry&) const = default;
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
  bool operator==(const MetadataLogEntry&) const = default;
};

inline constexpr std::string_view kMainBranch = "main";

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;  // the table's base location: data/ and metadata/ live under it
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<Schema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> partition_specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = kPartitionDataIdStart - 1;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // JSON null or -1 (older writers) for none
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::vector<SortOrder> sort_orders;
  int32_t default_sort_order_id = 0;
  std::map<std::string, SnapshotRef> refs;  // always has "main" when there is a current snapshot
  // "statistics" and "partition-statistics" as JSON array text, kept so that a rewrite does not lose them
  // (empty: absent).
  std::string statistics_json;
  std::string partition_statistics_json;

  const Schema* SchemaById(int32_t id) const;
  const Schema& CurrentSchema() const;  // requires a valid current_schema_id
  const PartitionSpec* SpecById(int32_t id) const;
  const PartitionSpec& DefaultSpec() const;
  const SortOrder* SortOrderById(int32_t id) const;
  const Snapshot* SnapshotById(int64_t id) const;
  const Snapshot* CurrentSnapshot() const;  // nullptr for a table without snapshots
  // The snapshot a branch or tag points at, or nullptr.
  const Snapshot* SnapshotForRef(std::string_view ref) const;
  // The snapshot that was current at `timestamp_ms` by the snapshot log (the last entry at or before it), or
  // nullptr when the table had none then.
  const Snapshot* SnapshotAsOf(int64_t timestamp_ms) const;
  // A property, or `fallback`.
  std::string Property(std::string_view key, std::string_view fallback) const;

  // Checks the invariants the spec states (current schema/spec/sort order/snapshot exist, ids unique, refs point at
  // snapshots, last-column-id covers every field id, last-partition-id every partition field id, sequence numbers
  // not above last-sequence-number). InvalidArgument naming the offending field.
  Status Validate() const;
};

// Parses metadata JSON. `file` (its location) starts every error: "metadata s3://b/t/metadata/v3.metadata.json:
// $.schemas[0].fields[2].type: unknown type 'lnog'". Corruption for text that is not JSON or misses required
// fields, Unsupported for format versions other than 1 and 2; the result passes Validate().
Result<TableMetadata> ParseTableMetadata(std::string_view json, std::string_view file);
// The same from an already parsed JSON document (a REST catalog's LoadTable response holds the metadata as an object:
// parsing it once instead of dumping and parsing it again). simdjson's DOM, which the reader walks.
Result<TableMetadata> ParseTableMetadata(const simdjson::dom::element& root, std::string_view file);
// The JSON form (format version 2), compact: every commit writes it, and every load sends and parses it (pretty
// printing, as Java's writer does, made it 30% larger). Keys in the order Java writes them.
std::string TableMetadataToJson(const TableMetadata& metadata);

// The pieces, for the REST catalog's requests and responses (same JSON as inside table metadata).
std::string SchemaToJson(const Schema& schema);
Result<Schema> SchemaFromJson(std::string_view json, std::string_view what);
std::string PartitionSpecToJson(const PartitionSpec& spec);
Result<PartitionSpec> PartitionSpecFromJson(std::string_view json, std::string_view what);
std::string SortOrderToJson(const SortOrder& order);
Result<SortOrder> SortOrderFromJson(std::string_view json, std::string_view what);
std::string SnapshotToJson(const Snapshot& snapshot);
Result<Snapshot> SnapshotFromJson(std::string_view json, std::string_view what);

}  // namespace floe::iceberg
