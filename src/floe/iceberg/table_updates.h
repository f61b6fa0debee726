// Changes to an Iceberg table, each one optimistic commit through TableOperations (Apache Iceberg table spec v2,
// "Snapshots", "Manifests", "Sequence Numbers", "Schema Evolution"; the operations mirror Java's AppendFiles
// (fast append), RewriteFiles, OverwriteFiles and UpdateSchema).
//
// Every function loads the table, computes the new metadata from that base, writes the new manifests and manifest
// list, and commits. When another writer committed first (Conflict), it reloads and tries again on the fresh base,
// up to CommitOptions::max_attempts, as long as its change still applies: an append always does; a rewrite only if
// every file it replaces is still in the table; a schema change only if it still makes sense on the new schema.
// Files written for a failed attempt are deleted, so a lost race leaves no orphans behind.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/table_metadata.h"
#include "floe/iceberg/table_operations.h"

namespace floe::iceberg {

struct CreateTableOptions {
  Schema schema;  // field ids as given (see AssignFreshIds)
  PartitionSpec spec;
  SortOrder sort_order;
  std::string location;  // the table's base location
  std::map<std::string, std::string> properties;
};

// The metadata of a new, empty table (format version 2, a fresh uuid). InvalidArgument when the schema, spec or sort
// order is inconsistent.
Result<TableMetadata> NewTableMetadata(const CreateTableOptions& options, int64_t now_ms);
// Creates the table: AlreadyExists when it exists.
Result<TableState> CreateTable(TableOperations& ops, const CreateTableOptions& options);

// A copy of `schema` with field ids 1, 2, ... in depth-first order (what a catalog does to a new table's schema), and
// the same renumbering applied to a spec and sort order that refer to it.
Schema AssignFreshIds(const Schema& schema, PartitionSpec* spec = nullptr, SortOrder* sort_order = nullptr);

struct CommitOptions {
  std::string branch = std::string(kMainBranch);
  int max_attempts = 4;
  // Extra snapshot summary entries (the stream sink's job id, checkpoint id and offsets).
  SnapshotSummary summary;
  // When set, the commit is made only if the branch still points at this snapshot (0: the branch has no snapshot);
  // Conflict otherwise, without retrying. The stream sink uses it so that two instances of one job cannot both
  // commit the same checkpoint.
  std::optional<int64_t> expected_snapshot_id;
  // Table properties set in the same commit (the stream sink records its checkpoint in one, so that the checkpoint
  // survives snapshot expiry and catalogs that keep no snapshot history, such as Nessie's).
  std::map<std::string, std::string> set_properties;
};

// Fast append ("append"): `files` (data files of the table's default or another existing spec, spec_id set) in one
// new manifest per spec, on top of the branch's manifests.
Result<TableState> AppendFiles(TableOperations& ops, const std::vector<DataFile>& files,
                               const CommitOptions& options = {});

// Replaces `deleted` (by path; each must be a live file of the branch) with `added`, the same rows in other files
// ("replace", as compaction does). Conflict when a deleted file is no longer live (another writer removed it).
Result<TableState> RewriteFiles(TableOperations& ops, const std::vector<std::string>& deleted,
                                const std::vector<DataFile>& added, const CommitOptions& options = {});

// Removes every live file for which `remove` returns true and adds `added` ("overwrite"; "delete" when nothing is
// added). On a retry, files added by the other writer are offered to `remove` too.
Result<TableState> OverwriteFiles(TableOperations& ops, const std::function<bool(const DataFile&)>& remove,
                                  const std::vector<DataFile>& added, const CommitOptions& options = {});

// Schema evolution (spec "Schema Evolution"): changes that never need data files rewritten.
class SchemaUpdate {
 public:
  // Adds an optional column at the end of the top level, or of the struct `parent` ("location"). Required columns
  // cannot be added (existing rows would have no value).
  SchemaUpdate& AddColumn(std::string name, TypePtr type, std::string doc = "", std::string parent = "");
  SchemaUpdate& RenameColumn(std::string name, std::string new_name);
  // Widens a primitive: int -> long, float -> double, decimal(P,S) -> decimal(P',S) with P' >= P.
  SchemaUpdate& UpdateColumnType(std::string name, TypePtr new_type);
  SchemaUpdate& MakeOptional(std::string name);
  // Removes a column; not one that a partition spec or the sort order uses, nor an identifier field.
  SchemaUpdate& DeleteColumn(std::string name);

  // The new metadata: the changed schema added with a new schema id (or an existing identical schema reused) and
  // made current, last-column-id raised. InvalidArgument naming the column for any change that does not apply.
  Result<TableMetadata> Apply(const TableMetadata& base) const;

 private:
  struct Change {
    enum Kind { kAdd, kRename, kUpdateType, kMakeOptional, kDelete } kind;
    std::string name;
    std::string arg;  // new name; doc for an add
    std::string parent;
    TypePtr type;
  };
  std::vector<Change> changes_;
};

Result<TableState> UpdateSchema(TableOperations& ops, const SchemaUpdate& update, int max_attempts = 4);

// Sets (or, for nullopt values, removes) table properties.
Result<TableState> UpdateProperties(TableOperations& ops,
                                    const std::map<std::string, std::optional<std::string>>& changes,
                                    int max_attempts = 4);

// The live data files of a snapshot (entries with status added or existing), each with its data sequence number.
Result<std::vector<ManifestEntry>> LiveEntries(io::FileIO& io, const TableMetadata& metadata, const Snapshot& snapshot);
// The manifests of a snapshot.
Result<std::vector<ManifestFile>> SnapshotManifests(io::FileIO& io, const Snapshot& snapshot);

}  // namespace floe::iceberg
