// Table requirements and table updates: the vocabulary of a commit to an Iceberg REST catalog (apache/iceberg
// open-api/rest-catalog-open-api.yaml: TableRequirement, TableUpdate, CommitTableRequest, CreateTableRequest).
//
// A client states what it expects of the table (requirements: "assert-ref-snapshot-id main = 42") and what to change
// (updates: "add-snapshot", "set-snapshot-ref", "add-schema", ...). The catalog checks every requirement against the
// table's current metadata, applies the updates to it in order, writes the new metadata file and swaps its pointer,
// atomically. floe's catalog server uses CheckRequirements and ApplyUpdates; floe's REST client turns a base and an
// updated TableMetadata into the updates and requirements to send (DiffMetadata, RequirementsFor).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {

struct TableRequirement {
  enum class Kind {
    kAssertCreate,                   // "assert-create": the table must not exist
    kAssertTableUuid,                // "assert-table-uuid": uuid
    kAssertRefSnapshotId,            // "assert-ref-snapshot-id": ref, snapshot_id (nullopt: the ref must not exist)
    kAssertLastAssignedFieldId,      // "assert-last-assigned-field-id": id
    kAssertCurrentSchemaId,          // "assert-current-schema-id": id
    kAssertLastAssignedPartitionId,  // "assert-last-assigned-partition-id": id
    kAssertDefaultSpecId,            // "assert-default-spec-id": id
    kAssertDefaultSortOrderId,       // "assert-default-sort-order-id": id
  };
  Kind kind = Kind::kAssertCreate;
  std::string uuid;
  std::string ref;
  std::optional<int64_t> snapshot_id;
  int32_t id = 0;

  bool operator==(const TableRequirement&) const = default;
};

// One update. `action` says which fields are used, as the OpenAPI names them:
//   "assign-uuid" uuid; "upgrade-format-version" format_version; "add-schema" schema (+ last_column_id, deprecated);
//   "set-current-schema" id (-1: the last added schema); "add-spec" spec; "set-default-spec" id (-1: last added);
//   "add-sort-order" sort_order; "set-default-sort-order" id (-1: last added); "add-snapshot" snapshot;
//   "set-snapshot-ref" ref_name + ref; "remove-snapshots" snapshot_ids; "remove-snapshot-ref" ref_name;
//   "set-location" location; "set-properties" updates; "remove-properties" removals;
//   "set-statistics" / "remove-statistics" / "set-partition-statistics" / "remove-partition-statistics" kept as
//   raw JSON (raw_json) and applied to the statistics lists by snapshot id.
struct TableUpdate {
  std::string action;
  std::string uuid;
  int format_version = 0;
  std::optional<Schema> schema;
  std::optional<int32_t> last_column_id;
  int32_t id = 0;
  std::optional<PartitionSpec> spec;
  std::optional<SortOrder> sort_order;
  std::optional<Snapshot> snapshot;
  std::string ref_name;
  SnapshotRef ref;
  std::vector<int64_t> snapshot_ids;
  std::string location;
  std::map<std::string, std::string> updates;
  std::vector<std::string> removals;
  std::string raw_json;  // the whole update object, for the statistics actions
};

// JSON: one requirement / update object, and arrays of them. Errors are InvalidArgument naming the array index and
// the field ("updates[2].snapshot.manifest-list: required field is missing", "requirements[0]: unknown type
// 'assert-foo'"), which the REST server returns as 400 BadRequestException.
std::string RequirementToJson(const TableRequirement& requirement);
std::string UpdateToJson(const TableUpdate& update);
Result<std::vector<TableRequirement>> RequirementsFromJson(std::string_view json_array);
Result<std::vector<TableUpdate>> UpdatesFromJson(std::string_view json_array);

// Checks requirements against the table's current metadata (`current` nullptr: the table does not exist). Conflict
// with the message the Java catalog gives ("Requirement failed: branch main has changed: expected id 42 != 43",
// "Requirement failed: table already exists", "Requirement failed: current schema changed: expected id 1 != 2"),
// which the REST server returns as 409 CommitFailedException.
Status CheckRequirements(const TableMetadata* current, const std::vector<TableRequirement>& requirements);

// Applies updates in order to `base` (nullptr: a new table, which the updates must give a uuid... or which gets a
// fresh one, a location, a schema and a spec). Validates as the Java TableMetadata builder does: a snapshot's
// sequence number above the last one (v2), a ref's snapshot must exist, ids must exist for set-current-*/
// set-default-*, schemas must be valid; new schema/spec/sort-order ids are assigned when the update's id is already
// taken by a different one (and an identical existing one is reused). Moves last-updated-ms to at least `now_ms`;
// a set-snapshot-ref of "main" also sets current-snapshot-id and appends to the snapshot log.
// InvalidArgument ("updates[3] (set-snapshot-ref): snapshot 9 does not exist") for an update that cannot apply.
Result<TableMetadata> ApplyUpdates(const TableMetadata* base, const std::vector<TableUpdate>& updates, int64_t now_ms);

// The updates that turn `base` (nullptr: a table being created) into `updated`, in an order ApplyUpdates accepts
// (new schemas/specs/sort orders before they are made current, snapshots before the refs that point at them), and
// the requirements a safe commit of them needs: for a create, assert-create; otherwise assert-table-uuid, and for
// every ref the updates move, assert-ref-snapshot-id with the base's snapshot of that ref; assert-current-schema-id
// and assert-last-assigned-field-id when the schema changes; assert-default-spec-id and
// assert-last-assigned-partition-id when the spec changes.
std::vector<TableUpdate> DiffMetadata(const TableMetadata* base, const TableMetadata& updated);
std::vector<TableRequirement> RequirementsFor(const TableMetadata* base, const std::vector<TableUpdate>& updates);

}  // namespace floe::iceberg
