// Table requirements and updates (apache/iceberg open-api/rest-catalog-open-api.yaml: TableRequirement and its
// subtypes AssertCreate ... AssertDefaultSortOrderId; TableUpdate and its subtypes AssignUUIDUpdate ...
// RemovePartitionStatisticsUpdate). The rules for checking and applying them follow Java's reference catalog:
// UpdateRequirement (the requirement checks and their messages), TableMetadata.Builder (how each update changes the
// metadata and what it refuses), UpdateRequirements (which requirements a client sends with which updates) and
// rest/CatalogHandlers (the server's commit and create paths). Where floe deliberately differs, a comment says so.
#include "floe/iceberg/metadata_updates.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "floe/base/uuid.h"

namespace floe::iceberg {

namespace {

using Json = nlohmann::ordered_json;

// Highest table format version floe reads and writes.
constexpr int kMaxFormatVersion = 2;

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Parses JSON text that floe itself produced (the pieces' *ToJson, raw_json kept from a request).
Json ParseOwn(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? Json() : j;
}

std::string Describe(const Json& j) {
  if (j.is_number_float()) return "number " + j.dump();
  if (j.is_number()) return "integer " + j.dump();
  return j.type_name();
}

// ---- Reading request JSON ----
//
// Every error is InvalidArgument naming the JSON path from the array ("updates[2].snapshot-id: expected an integer,
// got string"); the REST server returns it as 400 BadRequestException.

Status Invalid(const std::string& path, const std::string& what) {
  return Status::InvalidArgument(path + ": " + what);
}

std::string Key(const std::string& path, std::string_view key) {
  return path + "." + std::string(key);
}

// The member `key`, or nullptr when absent or JSON null (writers differ in which they use for "none").
const Json* Find(const Json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<const Json*> Require(const Json& obj, const std::string& path, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return Invalid(Key(path, key), "required field is missing");
  return v;
}

Result<int64_t> AsLong(const Json& j, const std::string& path) {
  if (j.is_number_unsigned()) {
    const uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Invalid(path, "integer " + j.dump() + " is out of range for a 64-bit signed integer");
    }
    return static_cast<int64_t>(u);
  }
  if (j.is_number_integer()) return j.get<int64_t>();
  return Invalid(path, "expected an integer, got " + Describe(j));
}

Result<int32_t> AsInt(const Json& j, const std::string& path) {
  FLOE_ASSIGN_OR_RETURN(int64_t v, AsLong(j, path));
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return Invalid(path, "integer " + std::to_string(v) + " is out of range for a 32-bit integer");
  }
  return static_cast<int32_t>(v);
}

Result<std::string> AsString(const Json& j, const std::string& path) {
  if (!j.is_string()) return Invalid(path, "expected a string, got " + Describe(j));
  return j.get<std::string>();
}

Result<int64_t> LongField(const Json& obj, const std::string& path, std::string_view key) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
  return AsLong(*v, Key(path, key));
}

Result<int32_t> IntField(const Json& obj, const std::string& path, std::string_view key) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
  return AsInt(*v, Key(path, key));
}

Result<std::string> StringField(const Json& obj, const std::string& path, std::string_view key) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
  return AsString(*v, Key(path, key));
}

Result<std::optional<int64_t>> OptLongField(const Json& obj, const std::string& path, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  FLOE_ASSIGN_OR_RETURN(int64_t x, AsLong(*v, Key(path, key)));
  return std::optional<int64_t>(x);
}

Result<std::optional<int32_t>> OptIntField(const Json& obj, const std::string& path, std::string_view key) {
  const Json* v = Find(obj, key);
  if (v == nullptr) return std::optional<int32_t>();
  FLOE_ASSIGN_OR_RETURN(int32_t x, AsInt(*v, Key(path, key)));
  return std::optional<int32_t>(x);
}

Result<const Json*> ObjectField(const Json& obj, const std::string& path, std::string_view key) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
  if (!v->is_object()) return Invalid(Key(path, key), "expected an object, got " + Describe(*v));
  return v;
}

Result<const Json*> ArrayField(const Json& obj, const std::string& path, std::string_view key) {
  FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
  if (!v->is_array()) return Invalid(Key(path, key), "expected an array, got " + Describe(*v));
  return v;
}

// Parses the text of a request's array (`what`: "updates", "requirements").
Result<Json> ParseArray(std::string_view text, const std::string& what) {
  Json j;
  try {
    j = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    std::string reason = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag; keep its line/column and reason.
    if (auto p = reason.find("] "); reason.starts_with("[json.exception") && p != std::string::npos) {
      reason = reason.substr(p + 2);
    }
    return Status::InvalidArgument(what + ": not valid JSON at byte " + std::to_string(e.byte) + ": " + reason);
  } catch (const Json::exception& e) {  // a number too large for a double (out_of_range 406)
    return Status::InvalidArgument(what + ": not valid JSON: " + e.what());
  }
  if (!j.is_array()) return Invalid(what, "expected an array, got " + Describe(j));
  return j;
}

// A piece (schema, spec, sort order, snapshot) is parsed by table_metadata.h's readers, whose errors read
// "<what>: $.fields[0].id: ..." with Corruption; in a request they become "updates[2].schema.fields[0].id: ..." with
// InvalidArgument (Unsupported stays Unsupported).
Status PieceError(const Status& status, const std::string& path) {
  std::string message = status.message();
  const std::string prefix = path + ": $";
  if (message.starts_with(prefix)) {
    std::string rest = message.substr(prefix.size());
    message = path + rest;
  }
  if (status.code() == StatusCode::kUnsupported) return Status::Unsupported(message);
  return Status::InvalidArgument(message);
}

template <typename T>
Result<T> ParsePiece(const Json& j, const std::string& path,
                     Result<T> (*parse)(std::string_view json, std::string_view what)) {
  Result<T> piece = parse(Dump(j), path);
  if (!piece.ok()) return PieceError(piece.status(), path);
  return piece;
}

// ---- Requirements: JSON ----

struct RequirementName {
  TableRequirement::Kind kind;
  const char* type;
  const char* id_field;  // the integer field of the id-valued requirements, else nullptr
};

constexpr RequirementName kRequirementNames[] = {
    {TableRequirement::Kind::kAssertCreate, "assert-create", nullptr},
    {TableRequirement::Kind::kAssertTableUuid, "assert-table-uuid", nullptr},
    {TableRequirement::Kind::kAssertRefSnapshotId, "assert-ref-snapshot-id", nullptr},
    {TableRequirement::Kind::kAssertLastAssignedFieldId, "assert-last-assigned-field-id", "last-assigned-field-id"},
    {TableRequirement::Kind::kAssertCurrentSchemaId, "assert-current-schema-id", "current-schema-id"},
    {TableRequirement::Kind::kAssertLastAssignedPartitionId, "assert-last-assigned-partition-id",
     "last-assigned-partition-id"},
    {TableRequirement::Kind::kAssertDefaultSpecId, "assert-default-spec-id", "default-spec-id"},
    {TableRequirement::Kind::kAssertDefaultSortOrderId, "assert-default-sort-order-id", "default-sort-order-id"},
};

const RequirementName& NameOf(TableRequirement::Kind kind) {
  for (const RequirementName& n : kRequirementNames) {
    if (n.kind == kind) return n;
  }
  return kRequirementNames[0];
}

Result<TableRequirement> ParseRequirement(const Json& j, const std::string& path) {
  if (!j.is_object()) return Invalid(path, "expected an object, got " + Describe(j));
  FLOE_ASSIGN_OR_RETURN(std::string type, StringField(j, path, "type"));
  const RequirementName* name = nullptr;
  for (const RequirementName& n : kRequirementNames) {
    if (type == n.type) name = &n;
  }
  if (name == nullptr) return Invalid(path, "unknown type '" + type + "'");
  TableRequirement r;
  r.kind = name->kind;
  switch (r.kind) {
    case TableRequirement::Kind::kAssertCreate: break;
    case TableRequirement::Kind::kAssertTableUuid: {
      FLOE_ASSIGN_OR_RETURN(r.uuid, StringField(j, path, "uuid"));
      break;
    }
    case TableRequirement::Kind::kAssertRefSnapshotId: {
      FLOE_ASSIGN_OR_RETURN(r.ref, StringField(j, path, "ref"));
      // The spec makes "snapshot-id" required but nullable; null (and, as Java and pyiceberg read it, absent) means
      // the ref must not exist.
      FLOE_ASSIGN_OR_RETURN(r.snapshot_id, OptLongField(j, path, "snapshot-id"));
      break;
    }
    default: {
      FLOE_ASSIGN_OR_RETURN(r.id, IntField(j, path, name->id_field));
      break;
    }
  }
  return r;
}

// ---- Updates: JSON ----

// The actions whose content is kept as the update's raw JSON (statistics, and the removals of old schemas and
// specs, which floe applies but has no typed fields for).
bool IsRawAction(std::string_view action) {
  return action == "set-statistics" || action == "remove-statistics" || action == "set-partition-statistics" ||
         action == "remove-partition-statistics" || action == "remove-schemas" || action == "remove-partition-specs";
}

Status ValidateRawUpdate(const Json& j, const std::string& path, std::string_view action) {
  if (action == "set-statistics") {
    FLOE_ASSIGN_OR_RETURN(const Json* stats, ObjectField(j, path, "statistics"));
    // "statistics.snapshot-id" is the spec's place for it; older clients only sent the deprecated top-level one.
    if (Find(*stats, "snapshot-id") == nullptr) {
      FLOE_RETURN_IF_ERROR(LongField(j, path, "snapshot-id").status());
    } else {
      FLOE_RETURN_IF_ERROR(LongField(*stats, Key(path, "statistics"), "snapshot-id").status());
    }
    FLOE_RETURN_IF_ERROR(StringField(*stats, Key(path, "statistics"), "statistics-path").status());
    return Status::Ok();
  }
  if (action == "set-partition-statistics") {
    FLOE_ASSIGN_OR_RETURN(const Json* stats, ObjectField(j, path, "partition-statistics"));
    FLOE_RETURN_IF_ERROR(LongField(*stats, Key(path, "partition-statistics"), "snapshot-id").status());
    FLOE_RETURN_IF_ERROR(StringField(*stats, Key(path, "partition-statistics"), "statistics-path").status());
    return Status::Ok();
  }
  if (action == "remove-statistics" || action == "remove-partition-statistics") {
    return LongField(j, path, "snapshot-id").status();
  }
  // remove-schemas / remove-partition-specs
  const char* key = action == "remove-schemas" ? "schema-ids" : "spec-ids";
  FLOE_ASSIGN_OR_RETURN(const Json* ids, ArrayField(j, path, key));
  for (size_t i = 0; i < ids->size(); ++i) {
    FLOE_RETURN_IF_ERROR(AsInt((*ids)[i], Key(path, key) + "[" + std::to_string(i) + "]").status());
  }
  return Status::Ok();
}

// An add-spec's spec: the spec's "spec-id" is read-only in the OpenAPI and may be missing (read as 0, which the
// builder replaces when taken), and so may a field's "field-id" (read as -1: the builder assigns one).
Result<PartitionSpec> ParseAddSpec(const Json& j, const std::string& path) {
  if (!j.is_object()) return Invalid(path, "expected an object, got " + Describe(j));
  Json spec = j;
  if (Find(spec, "spec-id") == nullptr) spec["spec-id"] = 0;
  std::vector<bool> missing_ids;
  if (const Json* fields = Find(spec, "fields"); fields != nullptr && fields->is_array()) {
    for (const Json& f : *fields) missing_ids.push_back(f.is_object() && Find(f, "field-id") == nullptr);
  }
  FLOE_ASSIGN_OR_RETURN(PartitionSpec parsed, ParsePiece<PartitionSpec>(spec, path, PartitionSpecFromJson));
  for (size_t i = 0; i < parsed.fields.size() && i < missing_ids.size(); ++i) {
    if (missing_ids[i]) parsed.fields[i].field_id = -1;
  }
  return parsed;
}

Json SpecJsonForUpdate(const PartitionSpec& spec) {
  Json j = ParseOwn(PartitionSpecToJson(spec));
  if (j.contains("fields")) {
    for (Json& f : j["fields"]) {
      if (f.contains("field-id") && f["field-id"].is_number_integer() && f["field-id"].get<int64_t>() < 0) {
        f.erase("field-id");
      }
    }
  }
  return j;
}

Result<TableUpdate> ParseUpdate(const Json& j, const std::string& path) {
  if (!j.is_object()) return Invalid(path, "expected an object, got " + Describe(j));
  TableUpdate u;
  FLOE_ASSIGN_OR_RETURN(u.action, StringField(j, path, "action"));
  const std::string& a = u.action;
  if (a == "assign-uuid") {
    FLOE_ASSIGN_OR_RETURN(u.uuid, StringField(j, path, "uuid"));
  } else if (a == "upgrade-format-version") {
    FLOE_ASSIGN_OR_RETURN(u.format_version, IntField(j, path, "format-version"));
  } else if (a == "add-schema") {
    FLOE_ASSIGN_OR_RETURN(const Json* schema, Require(j, path, "schema"));
    FLOE_ASSIGN_OR_RETURN(u.schema, ParsePiece<Schema>(*schema, Key(path, "schema"), SchemaFromJson));
    FLOE_ASSIGN_OR_RETURN(u.last_column_id, OptIntField(j, path, "last-column-id"));
  } else if (a == "set-current-schema") {
    FLOE_ASSIGN_OR_RETURN(u.id, IntField(j, path, "schema-id"));
  } else if (a == "add-spec") {
    FLOE_ASSIGN_OR_RETURN(const Json* spec, Require(j, path, "spec"));
    FLOE_ASSIGN_OR_RETURN(u.spec, ParseAddSpec(*spec, Key(path, "spec")));
  } else if (a == "set-default-spec") {
    FLOE_ASSIGN_OR_RETURN(u.id, IntField(j, path, "spec-id"));
  } else if (a == "add-sort-order") {
    FLOE_ASSIGN_OR_RETURN(const Json* order, Require(j, path, "sort-order"));
    FLOE_ASSIGN_OR_RETURN(u.sort_order, ParsePiece<SortOrder>(*order, Key(path, "sort-order"), SortOrderFromJson));
  } else if (a == "set-default-sort-order") {
    FLOE_ASSIGN_OR_RETURN(u.id, IntField(j, path, "sort-order-id"));
  } else if (a == "add-snapshot") {
    FLOE_ASSIGN_OR_RETURN(const Json* snapshot, Require(j, path, "snapshot"));
    FLOE_ASSIGN_OR_RETURN(u.snapshot, ParsePiece<Snapshot>(*snapshot, Key(path, "snapshot"), SnapshotFromJson));
  } else if (a == "set-snapshot-ref") {
    // The ref's fields sit beside "ref-name" (SetSnapshotRefUpdate is allOf BaseUpdate + SnapshotReference).
    FLOE_ASSIGN_OR_RETURN(u.ref_name, StringField(j, path, "ref-name"));
    FLOE_ASSIGN_OR_RETURN(u.ref.snapshot_id, LongField(j, path, "snapshot-id"));
    FLOE_ASSIGN_OR_RETURN(std::string type, StringField(j, path, "type"));
    if (type == "branch") {
      u.ref.is_branch = true;
    } else if (type == "tag") {
      u.ref.is_branch = false;
    } else {
      return Invalid(Key(path, "type"), "expected 'branch' or 'tag', got '" + type + "'");
    }
    FLOE_ASSIGN_OR_RETURN(u.ref.min_snapshots_to_keep, OptIntField(j, path, "min-snapshots-to-keep"));
    FLOE_ASSIGN_OR_RETURN(u.ref.max_snapshot_age_ms, OptLongField(j, path, "max-snapshot-age-ms"));
    FLOE_ASSIGN_OR_RETURN(u.ref.max_ref_age_ms, OptLongField(j, path, "max-ref-age-ms"));
  } else if (a == "remove-snapshots") {
    FLOE_ASSIGN_OR_RETURN(const Json* ids, ArrayField(j, path, "snapshot-ids"));
    for (size_t i = 0; i < ids->size(); ++i) {
      FLOE_ASSIGN_OR_RETURN(int64_t id, AsLong((*ids)[i], Key(path, "snapshot-ids") + "[" + std::to_string(i) + "]"));
      u.snapshot_ids.push_back(id);
    }
  } else if (a == "remove-snapshot-ref") {
    FLOE_ASSIGN_OR_RETURN(u.ref_name, StringField(j, path, "ref-name"));
  } else if (a == "set-location") {
    FLOE_ASSIGN_OR_RETURN(u.location, StringField(j, path, "location"));
  } else if (a == "set-properties") {
    FLOE_ASSIGN_OR_RETURN(const Json* updates, ObjectField(j, path, "updates"));
    for (const auto& [key, value] : updates->items()) {
      FLOE_ASSIGN_OR_RETURN(u.updates[key], AsString(value, Key(Key(path, "updates"), key)));
    }
  } else if (a == "remove-properties") {
    FLOE_ASSIGN_OR_RETURN(const Json* removals, ArrayField(j, path, "removals"));
    for (size_t i = 0; i < removals->size(); ++i) {
      FLOE_ASSIGN_OR_RETURN(std::string key,
                            AsString((*removals)[i], Key(path, "removals") + "[" + std::to_string(i) + "]"));
      u.removals.push_back(std::move(key));
    }
  } else if (IsRawAction(a)) {
    FLOE_RETURN_IF_ERROR(ValidateRawUpdate(j, path, a));
    u.raw_json = Dump(j);
  } else if (a == "add-encryption-key" || a == "remove-encryption-key") {
    return Status::Unsupported(path + ": action '" + a + "' (table encryption, format version 3) is not supported");
  } else if (a == "add-view-version" || a == "set-current-view-version") {
    return Invalid(path, "action '" + a + "' applies to views, not tables");
  } else {
    return Invalid(path, "unknown action '" + a + "'");
  }
  return u;
}

// ---- Applying updates ----

// UUIDs compare case-insensitively, as Java's AssertTableUUID does.
bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string IdsOf(const std::vector<int32_t>& ids) {
  std::string out;
  for (int32_t id : ids) {
    if (!out.empty()) out += ", ";
    out += std::to_string(id);
  }
  return out.empty() ? "none" : out;
}

template <typename T, typename F>
std::vector<int32_t> Ids(const std::vector<T>& items, F id) {
  std::vector<int32_t> out;
  for (const T& item : items) out.push_back(id(item));
  return out;
}

// Java's PartitionSpec.compatibleWith: the same fields (source, transform, name) in order; field ids aside.
bool SameSpecFields(const PartitionSpec& a, const PartitionSpec& b) {
  if (a.fields.size() != b.fields.size()) return false;
  for (size_t i = 0; i < a.fields.size(); ++i) {
    const PartitionField& x = a.fields[i];
    const PartitionField& y = b.fields[i];
    if (x.source_id != y.source_id || x.transform != y.transform || x.name != y.name) return false;
  }
  return true;
}

// The statistics lists ("statistics", "partition-statistics") as JSON arrays keyed by each entry's snapshot-id.
Json StatisticsArray(const std::string& text) {
  if (text.empty()) return Json::array();
  Json j = ParseOwn(text);
  return j.is_array() ? j : Json::array();
}

std::string StatisticsText(const Json& arr) {
  return arr.empty() ? std::string() : Dump(arr);
}

std::optional<int64_t> StatisticsSnapshotId(const Json& entry) {
  const Json* id = entry.is_object() ? Find(entry, "snapshot-id") : nullptr;
  if (id == nullptr || !id->is_number_integer()) return std::nullopt;
  return id->get<int64_t>();
}

// Removes every entry for `snapshot_id`; true when there was one.
bool RemoveStatisticsFor(Json* arr, int64_t snapshot_id) {
  const size_t before = arr->size();
  Json kept = Json::array();
  for (const Json& e : *arr) {
    if (StatisticsSnapshotId(e) != snapshot_id) kept.push_back(e);
  }
  *arr = std::move(kept);
  return arr->size() != before;
}

// Replaces the entry for the file's snapshot (Java keeps one statistics file per snapshot), or appends it.
void SetStatisticsFor(Json* arr, int64_t snapshot_id, Json file) {
  for (Json& e : *arr) {
    if (StatisticsSnapshotId(e) == snapshot_id) {
      e = std::move(file);
      return;
    }
  }
  arr->push_back(std::move(file));
}

// Applies updates one at a time, as Java's TableMetadata.Builder does, remembering what this set of updates added
// (for the -1 "last added" ids and for the snapshot log).
class MetadataBuilder {
 public:
  MetadataBuilder(const TableMetadata* base, int64_t now_ms) : is_new_(base == nullptr), now_ms_(now_ms) {
    if (base != nullptr) {
      m_ = *base;
      has_current_schema_ = has_default_spec_ = has_default_order_ = true;
    } else {
      m_ = TableMetadata();
      m_.format_version = kMaxFormatVersion;
      m_.last_partition_id = kPartitionDataIdStart - 1;
    }
    log_start_ = m_.snapshot_log.size();
  }

  Status Apply(const TableUpdate& u) {
    const std::string& a = u.action;
    if (a == "assign-uuid") return AssignUuid(u);
    if (a == "upgrade-format-version") return UpgradeFormatVersion(u);
    if (a == "add-schema") return AddSchema(u);
    if (a == "set-current-schema") return SetCurrentSchema(u);
    if (a == "add-spec") return AddSpec(u);
    if (a == "set-default-spec") return SetDefaultSpec(u);
    if (a == "add-sort-order") return AddSortOrder(u);
    if (a == "set-default-sort-order") return SetDefaultSortOrder(u);
    if (a == "add-snapshot") return AddSnapshot(u);
    if (a == "set-snapshot-ref") return SetSnapshotRef(u);
    if (a == "remove-snapshots") return RemoveSnapshots(u.snapshot_ids);
    if (a == "remove-snapshot-ref") return RemoveSnapshotRef(u);
    if (a == "set-location") return SetLocation(u);
    if (a == "set-properties") {
      for (const auto& [k, v] : u.updates) m_.properties[k] = v;
      return Status::Ok();
    }
    if (a == "remove-properties") {
      for (const std::string& k : u.removals) m_.properties.erase(k);
      return Status::Ok();
    }
    if (IsRawAction(a)) return ApplyRaw(u);
    if (a == "add-encryption-key" || a == "remove-encryption-key") {
      return Status::Unsupported("table encryption (format version 3) is not supported");
    }
    return Status::InvalidArgument("unknown action '" + a + "'");
  }

  Result<TableMetadata> Finish() {
    if (is_new_) {
      if (m_.table_uuid.empty()) m_.table_uuid = NewUuid();
      if (!has_current_schema_) {
        return Status::InvalidArgument(
            "updates: a new table needs a schema: add-schema, then set-current-schema (-1 for the one just added)");
      }
      if (!has_default_spec_) {
        if (!m_.partition_specs.empty()) {
          return Status::InvalidArgument(
              "updates: a partition spec was added but none made the default "
              "(set-default-spec)");
        }
        m_.partition_specs.push_back(PartitionSpec{});  // unpartitioned, spec 0
        m_.default_spec_id = 0;
      }
      if (!has_default_order_) {
        if (!m_.sort_orders.empty()) {
          return Status::InvalidArgument(
              "updates: a sort order was added but none made the default "
              "(set-default-sort-order)");
        }
        m_.sort_orders.push_back(SortOrder{});  // unsorted, order 0
        m_.default_sort_order_id = 0;
      }
      if (m_.location.empty()) return Status::InvalidArgument("updates: a new table needs a location (set-location)");
    }
    // As Java's build(): the default spec and sort order must still apply to the current schema.
    const Schema* schema = m_.SchemaById(m_.current_schema_id);
    if (schema != nullptr) {
      if (const PartitionSpec* spec = m_.SpecById(m_.default_spec_id)) {
        Result<TypePtr> type = spec->PartitionType(*schema);
        if (!type.ok()) {
          return Status::InvalidArgument("updates: the default partition spec " + std::to_string(spec->spec_id) +
                                         " does not apply to the current schema " +
                                         std::to_string(schema->schema_id()) + ": " + type.status().message());
        }
      }
      if (const SortOrder* order = m_.SortOrderById(m_.default_sort_order_id)) {
        Status st = CheckSortOrder(*order, *schema);
        if (!st.ok()) {
          return Status::InvalidArgument("updates: the default sort order " + std::to_string(order->order_id) +
                                         " does not apply to the current schema " +
                                         std::to_string(schema->schema_id()) + ": " + st.message());
        }
      }
    }
    FixSnapshotLog();
    m_.last_updated_ms = std::max(m_.last_updated_ms, now_ms_);
    Status valid = m_.Validate();
    if (!valid.ok()) return Status::InvalidArgument("updates: the updated metadata is invalid: " + valid.message());
    return std::move(m_);
  }

 private:
  Status AssignUuid(const TableUpdate& u) {
    if (u.uuid.empty()) return Status::InvalidArgument("uuid is empty");
    // Java's builder would re-assign it, but the OpenAPI says it is not safe once a table has one (it is what
    // assert-table-uuid checks), so floe refuses to change it.
    if (is_new_ || m_.table_uuid.empty()) {
      m_.table_uuid = u.uuid;
      return Status::Ok();
    }
    if (EqualsIgnoreCaseAscii(m_.table_uuid, u.uuid)) return Status::Ok();
    return Status::InvalidArgument("cannot change the uuid of an existing table from " + m_.table_uuid + " to " +
                                   u.uuid);
  }

  Status UpgradeFormatVersion(const TableUpdate& u) {
    const int v = u.format_version;
    if (v > kMaxFormatVersion || v < 1) {
      return Status::InvalidArgument("format version " + std::to_string(v) + " is not supported (floe supports 1 to " +
                                     std::to_string(kMaxFormatVersion) + ")");
    }
    if (is_new_) {
      // Java's CatalogHandlers builds a new table from empty at the requested version.
      m_.format_version = v;
      return Status::Ok();
    }
    if (v < m_.format_version) {
      return Status::InvalidArgument("cannot downgrade a v" + std::to_string(m_.format_version) + " table to v" +
                                     std::to_string(v));
    }
    m_.format_version = v;
    return Status::Ok();
  }

  Status AddSchema(const TableUpdate& u) {
    if (!u.schema) return Status::InvalidArgument("the update has no schema");
    Schema schema = *u.schema;
    Status valid = schema.Validate();
    if (!valid.ok())
      return Status::InvalidArgument("schema " + std::to_string(schema.schema_id()) + ": " + valid.message());
    // last-column-id never goes down: the deprecated field of the update and the schema's own ids can only raise it
    // (Java refuses a lower explicit value; floe keeps the higher one, which is what every client means).
    m_.last_column_id =
        std::max({m_.last_column_id, schema.HighestFieldId(), u.last_column_id.value_or(m_.last_column_id)});
    for (const Schema& existing : m_.schemas) {
      if (existing.SameStructure(schema)) {
        last_added_schema_ = existing.schema_id();
        return Status::Ok();
      }
    }
    // Java always assigns max + 1; floe keeps the client's id when it is free (clients send max + 1 anyway, and a
    // diff of two metadata versions then reproduces the ids exactly).
    if (schema.schema_id() < 0 || m_.SchemaById(schema.schema_id()) != nullptr) {
      int32_t next = 0;
      for (const Schema& s : m_.schemas) next = std::max(next, s.schema_id() + 1);
      schema.set_schema_id(next);
    }
    last_added_schema_ = schema.schema_id();
    m_.schemas.push_back(std::move(schema));
    return Status::Ok();
  }

  Status SetCurrentSchema(const TableUpdate& u) {
    int32_t id = u.id;
    if (id == -1) {
      if (!last_added_schema_) {
        return Status::InvalidArgument("schema-id -1 means the last added schema, but no schema was added before it");
      }
      id = *last_added_schema_;
    }
    if (m_.SchemaById(id) == nullptr) {
      return Status::InvalidArgument("schema " + std::to_string(id) + " does not exist (schemas: " +
                                     IdsOf(Ids(m_.schemas, [](const Schema& s) { return s.schema_id(); })) + ")");
    }
    m_.current_schema_id = id;
    has_current_schema_ = true;
    return Status::Ok();
  }

  Status RequireCurrentSchema(const char* what) const {
    if (has_current_schema_) return Status::Ok();
    return Status::InvalidArgument(std::string("a new table needs a current schema (add-schema, set-current-schema) "
                                               "before ") +
                                   what);
  }

  Status AddSpec(const TableUpdate& u) {
    if (!u.spec) return Status::InvalidArgument("the update has no spec");
    FLOE_RETURN_IF_ERROR(RequireCurrentSchema("a partition spec"));
    PartitionSpec spec = *u.spec;
    for (const PartitionSpec& existing : m_.partition_specs) {
      if (SameSpecFields(existing, spec)) {
        last_added_spec_ = existing.spec_id;
        return Status::Ok();
      }
    }
    // Fields sent without a field id get the id of the same field in an earlier spec (the spec asks partition field
    // ids to be reused that way), or the next unassigned one.
    int32_t last_partition_id = m_.last_partition_id;
    for (PartitionField& f : spec.fields) {
      if (f.field_id >= 0) continue;
      for (const PartitionSpec& existing : m_.partition_specs) {
        for (const PartitionField& e : existing.fields) {
          if (f.field_id < 0 && e.source_id == f.source_id && e.transform == f.transform) f.field_id = e.field_id;
        }
      }
      if (f.field_id < 0) f.field_id = ++last_partition_id;
    }
    std::set<int32_t> field_ids;
    std::set<std::string> names;
    for (const PartitionField& f : spec.fields) {
      if (f.field_id < kPartitionDataIdStart) {
        return Status::InvalidArgument("partition field '" + f.name + "': field id " + std::to_string(f.field_id) +
                                       " is below " + std::to_string(kPartitionDataIdStart));
      }
      if (!field_ids.insert(f.field_id).second) {
        return Status::InvalidArgument("partition field '" + f.name + "': field id " + std::to_string(f.field_id) +
                                       " appears twice in the spec");
      }
      if (f.name.empty()) return Status::InvalidArgument("a partition field has an empty name");
      if (!names.insert(f.name).second) {
        return Status::InvalidArgument("partition field name '" + f.name + "' appears twice in the spec");
      }
    }
    Result<TypePtr> type = spec.PartitionType(m_.CurrentSchema());
    if (!type.ok()) {
      return Status::InvalidArgument("spec " + std::to_string(spec.spec_id) + " does not apply to the current schema " +
                                     std::to_string(m_.current_schema_id) + ": " + type.status().message());
    }
    if (spec.spec_id < 0 || m_.SpecById(spec.spec_id) != nullptr) {
      int32_t next = 0;
      for (const PartitionSpec& s : m_.partition_specs) next = std::max(next, s.spec_id + 1);
      spec.spec_id = next;
    }
    m_.last_partition_id = std::max(m_.last_partition_id, spec.LastFieldId());
    last_added_spec_ = spec.spec_id;
    m_.partition_specs.push_back(std::move(spec));
    return Status::Ok();
  }

  Status SetDefaultSpec(const TableUpdate& u) {
    int32_t id = u.id;
    if (id == -1) {
      if (!last_added_spec_) {
        return Status::InvalidArgument("spec-id -1 means the last added spec, but no spec was added before it");
      }
      id = *last_added_spec_;
    }
    if (m_.SpecById(id) == nullptr) {
      return Status::InvalidArgument("partition spec " + std::to_string(id) + " does not exist (specs: " +
                                     IdsOf(Ids(m_.partition_specs, [](const PartitionSpec& s) { return s.spec_id; })) +
                                     ")");
    }
    m_.default_spec_id = id;
    has_default_spec_ = true;
    return Status::Ok();
  }

  static Status CheckSortOrder(const SortOrder& order, const Schema& schema) {
    for (const SortField& f : order.fields) {
      const NestedField* source = schema.FindById(f.source_id);
      if (source == nullptr) {
        return Status::InvalidArgument("sort field source column " + std::to_string(f.source_id) +
                                       " is not in schema " + std::to_string(schema.schema_id()));
      }
      Result<TypePtr> type = f.transform.ResultType(source->type);
      if (!type.ok()) {
        return Status::InvalidArgument("sort field on column '" + schema.NameOf(f.source_id) +
                                       "': " + type.status().message());
      }
    }
    return Status::Ok();
  }

  Status AddSortOrder(const TableUpdate& u) {
    if (!u.sort_order) return Status::InvalidArgument("the update has no sort order");
    FLOE_RETURN_IF_ERROR(RequireCurrentSchema("a sort order"));
    SortOrder order = *u.sort_order;
    if (order.fields.empty()) order.order_id = 0;  // the unsorted order is always order 0
    for (const SortOrder& existing : m_.sort_orders) {
      if (existing.fields == order.fields) {
        last_added_order_ = existing.order_id;
        return Status::Ok();
      }
    }
    Status valid = CheckSortOrder(order, m_.CurrentSchema());
    if (!valid.ok())
      return Status::InvalidArgument("sort order " + std::to_string(order.order_id) + ": " + valid.message());
    // Order 0 is reserved for "unsorted" (which, when the table does not have it yet, is added as order 0).
    if (!order.fields.empty() && (order.order_id <= 0 || m_.SortOrderById(order.order_id) != nullptr)) {
      int32_t next = 1;
      for (const SortOrder& o : m_.sort_orders) next = std::max(next, o.order_id + 1);
      order.order_id = next;
    }
    last_added_order_ = order.order_id;
    m_.sort_orders.push_back(std::move(order));
    return Status::Ok();
  }

  Status SetDefaultSortOrder(const TableUpdate& u) {
    int32_t id = u.id;
    if (id == -1) {
      if (!last_added_order_) {
        return Status::InvalidArgument(
            "sort-order-id -1 means the last added sort order, but no sort order was added before it");
      }
      id = *last_added_order_;
    }
    if (m_.SortOrderById(id) == nullptr) {
      return Status::InvalidArgument("sort order " + std::to_string(id) + " does not exist (sort orders: " +
                                     IdsOf(Ids(m_.sort_orders, [](const SortOrder& o) { return o.order_id; })) + ")");
    }
    m_.default_sort_order_id = id;
    has_default_order_ = true;
    return Status::Ok();
  }

  Status AddSnapshot(const TableUpdate& u) {
    if (!u.snapshot) return Status::InvalidArgument("the update has no snapshot");
    const Snapshot& s = *u.snapshot;
    if (m_.schemas.empty()) return Status::InvalidArgument("a snapshot cannot be added before a schema");
    if (m_.SnapshotById(s.snapshot_id) != nullptr) {
      return Status::InvalidArgument("snapshot " + std::to_string(s.snapshot_id) + " already exists");
    }
    // Java: v2 snapshots must be newer than the table's last sequence number, except a snapshot without a parent.
    // Java's CatalogHandlers turns this (a RetryableValidationException) into CommitFailedException: the client
    // wrote the snapshot on a stale base and must retry on a fresh one, so it is a Conflict here too.
    if (m_.format_version >= 2 && s.parent_snapshot_id && s.sequence_number <= m_.last_sequence_number) {
      return Status::Conflict("snapshot " + std::to_string(s.snapshot_id) + " has sequence number " +
                              std::to_string(s.sequence_number) + ", not above the table's last sequence number " +
                              std::to_string(m_.last_sequence_number) +
                              " (another writer committed first): reload the table and retry");
    }
    m_.last_sequence_number = std::max(m_.last_sequence_number, s.sequence_number);
    m_.snapshots.push_back(s);
    added_snapshots_.insert(s.snapshot_id);
    return Status::Ok();
  }

  Status SetSnapshotRef(const TableUpdate& u) {
    if (u.ref_name.empty()) return Status::InvalidArgument("ref-name is empty");
    auto existing = m_.refs.find(u.ref_name);
    if (existing != m_.refs.end() && existing->second == u.ref) return Status::Ok();
    const Snapshot* snapshot = m_.SnapshotById(u.ref.snapshot_id);
    if (snapshot == nullptr) {
      return Status::InvalidArgument("snapshot " + std::to_string(u.ref.snapshot_id) + " does not exist");
    }
    if (u.ref_name == kMainBranch && !u.ref.is_branch) {
      return Status::InvalidArgument("'main' must be a branch, not a tag");
    }
    if (u.ref_name == kMainBranch && m_.current_snapshot_id != u.ref.snapshot_id) {
      m_.current_snapshot_id = u.ref.snapshot_id;
      // Java: a snapshot added by this commit is current from its own timestamp; a rollback to an older snapshot
      // from the time of the change.
      const int64_t when = added_snapshots_.count(u.ref.snapshot_id) ? snapshot->timestamp_ms : now_ms_;
      m_.snapshot_log.push_back({when, u.ref.snapshot_id});
    }
    m_.refs[u.ref_name] = u.ref;
    return Status::Ok();
  }

  Status RemoveSnapshotRef(const TableUpdate& u) {
    if (u.ref_name == kMainBranch) m_.current_snapshot_id.reset();
    m_.refs.erase(u.ref_name);
    return Status::Ok();
  }

  // Java: removes the snapshots (unknown ids are ignored) and their statistics; refs left pointing at a removed
  // snapshot are removed with it (main: the table has no current snapshot then).
  Status RemoveSnapshots(const std::vector<int64_t>& ids) {
    const std::set<int64_t> remove(ids.begin(), ids.end());
    Json stats = StatisticsArray(m_.statistics_json);
    Json partition_stats = StatisticsArray(m_.partition_statistics_json);
    std::vector<Snapshot> kept;
    for (Snapshot& s : m_.snapshots) {
      if (remove.count(s.snapshot_id)) {
        removed_snapshots_ = true;
        RemoveStatisticsFor(&stats, s.snapshot_id);
        RemoveStatisticsFor(&partition_stats, s.snapshot_id);
      } else {
        kept.push_back(std::move(s));
      }
    }
    m_.snapshots = std::move(kept);
    m_.statistics_json = StatisticsText(stats);
    m_.partition_statistics_json = StatisticsText(partition_stats);
    for (auto it = m_.refs.begin(); it != m_.refs.end();) {
      if (m_.SnapshotById(it->second.snapshot_id) == nullptr) {
        if (it->first == kMainBranch) m_.current_snapshot_id.reset();
        it = m_.refs.erase(it);
      } else {
        ++it;
      }
    }
    return Status::Ok();
  }

  Status SetLocation(const TableUpdate& u) {
    if (u.location.empty()) return Status::InvalidArgument("location is empty");
    m_.location = u.location;
    return Status::Ok();
  }

  Status ApplyRaw(const TableUpdate& u) {
    Json j = ParseOwn(u.raw_json);
    if (!j.is_object()) return Status::InvalidArgument("the update's JSON is missing or not an object");
    const std::string& a = u.action;
    if (a == "set-statistics" || a == "set-partition-statistics") {
      const bool partition = a == "set-partition-statistics";
      const Json* file = Find(j, partition ? "partition-statistics" : "statistics");
      if (file == nullptr || !file->is_object()) {
        return Status::InvalidArgument(std::string("field '") + (partition ? "partition-statistics" : "statistics") +
                                       "' is missing");
      }
      std::optional<int64_t> id = StatisticsSnapshotId(*file);
      Json entry = *file;
      if (!id) {
        id = StatisticsSnapshotId(j);  // the deprecated top-level "snapshot-id"
        if (!id) return Status::InvalidArgument("the statistics file has no snapshot-id");
        entry["snapshot-id"] = *id;
      }
      Json arr = StatisticsArray(partition ? m_.partition_statistics_json : m_.statistics_json);
      SetStatisticsFor(&arr, *id, std::move(entry));
      (partition ? m_.partition_statistics_json : m_.statistics_json) = StatisticsText(arr);
      return Status::Ok();
    }
    if (a == "remove-statistics" || a == "remove-partition-statistics") {
      const bool partition = a == "remove-partition-statistics";
      std::optional<int64_t> id = StatisticsSnapshotId(j);
      if (!id) return Status::InvalidArgument("snapshot-id is missing");
      Json arr = StatisticsArray(partition ? m_.partition_statistics_json : m_.statistics_json);
      RemoveStatisticsFor(&arr, *id);
      (partition ? m_.partition_statistics_json : m_.statistics_json) = StatisticsText(arr);
      return Status::Ok();
    }
    // remove-schemas / remove-partition-specs: Java refuses to remove the current schema or default spec.
    const bool schemas = a == "remove-schemas";
    const Json* ids = Find(j, schemas ? "schema-ids" : "spec-ids");
    if (ids == nullptr || !ids->is_array()) {
      return Status::InvalidArgument(std::string(schemas ? "schema-ids" : "spec-ids") + " is missing");
    }
    std::set<int32_t> remove;
    for (const Json& id : *ids) {
      if (id.is_number_integer()) remove.insert(id.get<int32_t>());
    }
    if (schemas) {
      if (remove.count(m_.current_schema_id)) {
        return Status::InvalidArgument("cannot remove the current schema " + std::to_string(m_.current_schema_id));
      }
      std::erase_if(m_.schemas, [&](const Schema& s) { return remove.count(s.schema_id()) > 0; });
    } else {
      if (remove.count(m_.default_spec_id)) {
        return Status::InvalidArgument("cannot remove the default partition spec " +
                                       std::to_string(m_.default_spec_id));
      }
      std::erase_if(m_.partition_specs, [&](const PartitionSpec& s) { return remove.count(s.spec_id) > 0; });
    }
    return Status::Ok();
  }

  // Java's updateSnapshotLog: a snapshot that this commit added and made current, but that a later update replaced,
  // was never really current and leaves the log; and when snapshots were removed, an entry for a removed snapshot
  // drops the history before it too (otherwise the log would claim a later snapshot was current in the gap).
  void FixSnapshotLog() {
    std::set<int64_t> intermediate;
    for (size_t i = log_start_; i < m_.snapshot_log.size(); ++i) {
      const int64_t id = m_.snapshot_log[i].snapshot_id;
      if (added_snapshots_.count(id) && m_.current_snapshot_id != id) intermediate.insert(id);
    }
    if (intermediate.empty() && !removed_snapshots_) return;
    std::vector<SnapshotLogEntry> log;
    for (const SnapshotLogEntry& e : m_.snapshot_log) {
      if (m_.SnapshotById(e.snapshot_id) != nullptr) {
        if (!intermediate.count(e.snapshot_id)) log.push_back(e);
      } else if (removed_snapshots_) {
        log.clear();
      }
    }
    m_.snapshot_log = std::move(log);
  }

  TableMetadata m_;
  const bool is_new_;
  const int64_t now_ms_;
  bool has_current_schema_ = false;
  bool has_default_spec_ = false;
  bool has_default_order_ = false;
  std::optional<int32_t> last_added_schema_;
  std::optional<int32_t> last_added_spec_;
  std::optional<int32_t> last_added_order_;
  std::set<int64_t> added_snapshots_;
  bool removed_snapshots_ = false;
  size_t log_start_ = 0;
};

std::string RefDescription(const SnapshotRef& ref) {
  return ref.is_branch ? "branch" : "tag";
}

TableUpdate MakeUpdate(std::string action) {
  TableUpdate u;
  u.action = std::move(action);
  return u;
}

TableRequirement MakeRequirement(TableRequirement::Kind kind) {
  TableRequirement r;
  r.kind = kind;
  return r;
}

}  // namespace

// ---- JSON ----

std::string RequirementToJson(const TableRequirement& requirement) {
  const RequirementName& name = NameOf(requirement.kind);
  Json j = Json::object();
  j["type"] = name.type;
  switch (requirement.kind) {
    case TableRequirement::Kind::kAssertCreate: break;
    case TableRequirement::Kind::kAssertTableUuid: j["uuid"] = requirement.uuid; break;
    case TableRequirement::Kind::kAssertRefSnapshotId:
      j["ref"] = requirement.ref;
      // Always present; null means "the ref must not exist".
      j["snapshot-id"] = requirement.snapshot_id ? Json(*requirement.snapshot_id) : Json(nullptr);
      break;
    default: j[name.id_field] = requirement.id; break;
  }
  return Dump(j);
}

std::string UpdateToJson(const TableUpdate& u) {
  const std::string& a = u.action;
  if (IsRawAction(a)) {
    Json raw = ParseOwn(u.raw_json);
    Json j = Json::object();
    j["action"] = a;
    if (raw.is_object()) {
      for (const auto& [k, v] : raw.items()) {
        if (k != "action") j[k] = v;
      }
    }
    return Dump(j);
  }
  Json j = Json::object();
  j["action"] = a;
  if (a == "assign-uuid") {
    j["uuid"] = u.uuid;
  } else if (a == "upgrade-format-version") {
    j["format-version"] = u.format_version;
  } else if (a == "add-schema") {
    if (u.schema) j["schema"] = ParseOwn(SchemaToJson(*u.schema));
    if (u.last_column_id) j["last-column-id"] = *u.last_column_id;
  } else if (a == "set-current-schema") {
    j["schema-id"] = u.id;
  } else if (a == "add-spec") {
    if (u.spec) j["spec"] = SpecJsonForUpdate(*u.spec);
  } else if (a == "set-default-spec") {
    j["spec-id"] = u.id;
  } else if (a == "add-sort-order") {
    if (u.sort_order) j["sort-order"] = ParseOwn(SortOrderToJson(*u.sort_order));
  } else if (a == "set-default-sort-order") {
    j["sort-order-id"] = u.id;
  } else if (a == "add-snapshot") {
    if (u.snapshot) j["snapshot"] = ParseOwn(SnapshotToJson(*u.snapshot));
  } else if (a == "set-snapshot-ref") {
    j["ref-name"] = u.ref_name;
    j["snapshot-id"] = u.ref.snapshot_id;
    j["type"] = RefDescription(u.ref);
    if (u.ref.min_snapshots_to_keep) j["min-snapshots-to-keep"] = *u.ref.min_snapshots_to_keep;
    if (u.ref.max_snapshot_age_ms) j["max-snapshot-age-ms"] = *u.ref.max_snapshot_age_ms;
    if (u.ref.max_ref_age_ms) j["max-ref-age-ms"] = *u.ref.max_ref_age_ms;
  } else if (a == "remove-snapshots") {
    j["snapshot-ids"] = u.snapshot_ids;
  } else if (a == "remove-snapshot-ref") {
    j["ref-name"] = u.ref_name;
  } else if (a == "set-location") {
    j["location"] = u.location;
  } else if (a == "set-properties") {
    Json updates = Json::object();
    for (const auto& [k, v] : u.updates) updates[k] = v;
    j["updates"] = std::move(updates);
  } else if (a == "remove-properties") {
    j["removals"] = u.removals;
  }
  return Dump(j);
}

Result<std::vector<TableRequirement>> RequirementsFromJson(std::string_view json_array) {
  FLOE_ASSIGN_OR_RETURN(Json arr, ParseArray(json_array, "requirements"));
  std::vector<TableRequirement> out;
  out.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    FLOE_ASSIGN_OR_RETURN(TableRequirement r, ParseRequirement(arr[i], "requirements[" + std::to_string(i) + "]"));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<TableUpdate>> UpdatesFromJson(std::string_view json_array) {
  FLOE_ASSIGN_OR_RETURN(Json arr, ParseArray(json_array, "updates"));
  std::vector<TableUpdate> out;
  out.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    FLOE_ASSIGN_OR_RETURN(TableUpdate u, ParseUpdate(arr[i], "updates[" + std::to_string(i) + "]"));
    out.push_back(std::move(u));
  }
  return out;
}

// ---- Checking requirements ----

Status CheckRequirements(const TableMetadata* current, const std::vector<TableRequirement>& requirements) {
  const bool create = std::any_of(requirements.begin(), requirements.end(), [](const TableRequirement& r) {
    return r.kind == TableRequirement::Kind::kAssertCreate;
  });
  if (create) {
    // Java's CatalogHandlers.isCreate: assert-create stands alone (IllegalArgumentException, a 400).
    for (const TableRequirement& r : requirements) {
      if (r.kind != TableRequirement::Kind::kAssertCreate) {
        return Status::InvalidArgument(std::string("requirements: assert-create cannot be combined with other "
                                                   "requirements (got ") +
                                       NameOf(r.kind).type + ")");
      }
    }
    if (current != nullptr) return Status::Conflict("Requirement failed: table already exists");
    return Status::Ok();
  }
  if (current == nullptr) {
    // Java's CatalogHandlers.updateTable loads the table before it looks at any requirement of a commit without
    // assert-create, so a missing table is NoSuchTableException (404), whatever the requirements say.
    return Status::NotFound(
        "table does not exist (a commit that creates a table needs the assert-create "
        "requirement)");
  }
  const TableMetadata& m = *current;
  auto changed = [](const std::string& what, auto expected, auto actual) {
    return Status::Conflict("Requirement failed: " + what + " changed: expected id " + std::to_string(expected) +
                            " != " + std::to_string(actual));
  };
  for (const TableRequirement& r : requirements) {
    switch (r.kind) {
      case TableRequirement::Kind::kAssertCreate: break;
      case TableRequirement::Kind::kAssertTableUuid:
        if (!EqualsIgnoreCaseAscii(r.uuid, m.table_uuid)) {
          // Java prints the table's uuid first here; floe puts the expected (required) one first, as every other
          // message does.
          return Status::Conflict("Requirement failed: UUID does not match: expected " + r.uuid +
                                  " != " + m.table_uuid);
        }
        break;
      case TableRequirement::Kind::kAssertRefSnapshotId: {
        auto it = m.refs.find(r.ref);
        if (it != m.refs.end()) {
          const std::string type = RefDescription(it->second);
          if (!r.snapshot_id) {
            return Status::Conflict("Requirement failed: " + type + " " + r.ref + " was created concurrently");
          }
          if (*r.snapshot_id != it->second.snapshot_id) {
            return Status::Conflict("Requirement failed: " + type + " " + r.ref + " has changed: expected id " +
                                    std::to_string(*r.snapshot_id) + " != " + std::to_string(it->second.snapshot_id));
          }
        } else if (r.snapshot_id) {
          return Status::Conflict("Requirement failed: branch or tag " + r.ref + " is missing, expected " +
                                  std::to_string(*r.snapshot_id));
        }
        break;
      }
      case TableRequirement::Kind::kAssertLastAssignedFieldId:
        if (m.last_column_id != r.id) return changed("last assigned field id", r.id, m.last_column_id);
        break;
      case TableRequirement::Kind::kAssertCurrentSchemaId:
        if (m.current_schema_id != r.id) return changed("current schema", r.id, m.current_schema_id);
        break;
      case TableRequirement::Kind::kAssertLastAssignedPartitionId:
        if (m.last_partition_id != r.id) return changed("last assigned partition id", r.id, m.last_partition_id);
        break;
      case TableRequirement::Kind::kAssertDefaultSpecId:
        if (m.default_spec_id != r.id) return changed("default partition spec", r.id, m.default_spec_id);
        break;
      case TableRequirement::Kind::kAssertDefaultSortOrderId:
        if (m.default_sort_order_id != r.id) return changed("default sort order", r.id, m.default_sort_order_id);
        break;
    }
  }
  return Status::Ok();
}

// ---- Applying updates ----

Result<TableMetadata> ApplyUpdates(const TableMetadata* base, const std::vector<TableUpdate>& updates, int64_t now_ms) {
  MetadataBuilder builder(base, now_ms);
  for (size_t i = 0; i < updates.size(); ++i) {
    Status st = builder.Apply(updates[i]);
    if (!st.ok()) {
      return Status(st.code(), "updates[" + std::to_string(i) + "] (" + updates[i].action + "): " + st.message());
    }
  }
  return builder.Finish();
}

// ---- Diffs ----

std::vector<TableUpdate> DiffMetadata(const TableMetadata* base, const TableMetadata& updated) {
  static const TableMetadata kEmpty = [] {
    TableMetadata m;
    m.last_partition_id = kPartitionDataIdStart - 1;
    return m;
  }();
  const bool create = base == nullptr;
  const TableMetadata& b = create ? kEmpty : *base;
  std::vector<TableUpdate> out;

  if (create || b.table_uuid != updated.table_uuid) {
    TableUpdate u = MakeUpdate("assign-uuid");
    u.uuid = updated.table_uuid;
    if (!u.uuid.empty()) out.push_back(std::move(u));
  }
  if (create || updated.format_version > b.format_version) {
    TableUpdate u = MakeUpdate("upgrade-format-version");
    u.format_version = updated.format_version;
    out.push_back(std::move(u));
  }

  // Schemas: the new ones, then the current one (-1 when it is the last one added: that survives an id the
  // catalog had to reassign).
  std::optional<int32_t> last_schema;
  for (const Schema& s : updated.schemas) {
    const Schema* old = b.SchemaById(s.schema_id());
    if (old != nullptr && old->SameStructure(s)) continue;
    TableUpdate u = MakeUpdate("add-schema");
    u.schema = s;
    u.last_column_id = updated.last_column_id;
    out.push_back(std::move(u));
    last_schema = s.schema_id();
  }
  if (create || updated.current_schema_id != b.current_schema_id || last_schema == updated.current_schema_id) {
    TableUpdate u = MakeUpdate("set-current-schema");
    u.id = last_schema == updated.current_schema_id ? -1 : updated.current_schema_id;
    out.push_back(std::move(u));
  }

  std::optional<int32_t> last_spec;
  for (const PartitionSpec& s : updated.partition_specs) {
    const PartitionSpec* old = b.SpecById(s.spec_id);
    if (old != nullptr && *old == s) continue;
    TableUpdate u = MakeUpdate("add-spec");
    u.spec = s;
    out.push_back(std::move(u));
    last_spec = s.spec_id;
  }
  if (create || updated.default_spec_id != b.default_spec_id || last_spec == updated.default_spec_id) {
    TableUpdate u = MakeUpdate("set-default-spec");
    u.id = last_spec == updated.default_spec_id ? -1 : updated.default_spec_id;
    out.push_back(std::move(u));
  }

  std::optional<int32_t> last_order;
  for (const SortOrder& o : updated.sort_orders) {
    const SortOrder* old = b.SortOrderById(o.order_id);
    if (old != nullptr && *old == o) continue;
    TableUpdate u = MakeUpdate("add-sort-order");
    u.sort_order = o;
    out.push_back(std::move(u));
    last_order = o.order_id;
  }
  if (create || updated.default_sort_order_id != b.default_sort_order_id ||
      last_order == updated.default_sort_order_id) {
    TableUpdate u = MakeUpdate("set-default-sort-order");
    u.id = last_order == updated.default_sort_order_id ? -1 : updated.default_sort_order_id;
    out.push_back(std::move(u));
  }

  if (create || updated.location != b.location) {
    TableUpdate u = MakeUpdate("set-location");
    u.location = updated.location;
    if (!u.location.empty()) out.push_back(std::move(u));
  }

  {
    TableUpdate set = MakeUpdate("set-properties");
    TableUpdate remove = MakeUpdate("remove-properties");
    for (const auto& [k, v] : updated.properties) {
      auto it = b.properties.find(k);
      if (it == b.properties.end() || it->second != v) set.updates[k] = v;
    }
    for (const auto& [k, v] : b.properties) {
      if (!updated.properties.count(k)) remove.removals.push_back(k);
    }
    if (!set.updates.empty()) out.push_back(std::move(set));
    if (!remove.removals.empty()) out.push_back(std::move(remove));
  }

  // Snapshots before the refs that point at them; ref removals before snapshot removals, so that the removal's
  // cascade to dangling refs never has anything left to do.
  for (const Snapshot& s : updated.snapshots) {
    if (b.SnapshotById(s.snapshot_id) != nullptr) continue;
    TableUpdate u = MakeUpdate("add-snapshot");
    u.snapshot = s;
    out.push_back(std::move(u));
  }
  for (const auto& [name, ref] : updated.refs) {
    auto it = b.refs.find(name);
    if (it != b.refs.end() && it->second == ref) continue;
    TableUpdate u = MakeUpdate("set-snapshot-ref");
    u.ref_name = name;
    u.ref = ref;
    out.push_back(std::move(u));
  }
  for (const auto& [name, ref] : b.refs) {
    if (updated.refs.count(name)) continue;
    TableUpdate u = MakeUpdate("remove-snapshot-ref");
    u.ref_name = name;
    out.push_back(std::move(u));
  }

  // Statistics, by snapshot: set what is new or different; remove what is gone (unless its snapshot goes, which
  // takes its statistics with it).
  for (const bool partition : {false, true}) {
    const Json before = StatisticsArray(partition ? b.partition_statistics_json : b.statistics_json);
    const Json after = StatisticsArray(partition ? updated.partition_statistics_json : updated.statistics_json);
    auto find = [](const Json& arr, int64_t id) -> const Json* {
      for (const Json& e : arr) {
        if (StatisticsSnapshotId(e) == id) return &e;
      }
      return nullptr;
    };
    for (const Json& e : after) {
      std::optional<int64_t> id = StatisticsSnapshotId(e);
      if (!id) continue;
      const Json* old = find(before, *id);
      if (old != nullptr && *old == e) continue;
      Json raw = Json::object();
      raw["action"] = partition ? "set-partition-statistics" : "set-statistics";
      if (!partition) raw["snapshot-id"] = *id;  // the deprecated copy, for servers that still require it
      raw[partition ? "partition-statistics" : "statistics"] = e;
      TableUpdate u = MakeUpdate(raw["action"].get<std::string>());
      u.raw_json = Dump(raw);
      out.push_back(std::move(u));
    }
    for (const Json& e : before) {
      std::optional<int64_t> id = StatisticsSnapshotId(e);
      if (!id || find(after, *id) != nullptr || updated.SnapshotById(*id) == nullptr) continue;
      Json raw = Json::object();
      raw["action"] = partition ? "remove-partition-statistics" : "remove-statistics";
      raw["snapshot-id"] = *id;
      TableUpdate u = MakeUpdate(raw["action"].get<std::string>());
      u.raw_json = Dump(raw);
      out.push_back(std::move(u));
    }
  }

  {
    TableUpdate u = MakeUpdate("remove-snapshots");
    for (const Snapshot& s : b.snapshots) {
      if (updated.SnapshotById(s.snapshot_id) == nullptr) u.snapshot_ids.push_back(s.snapshot_id);
    }
    if (!u.snapshot_ids.empty()) out.push_back(std::move(u));
  }
  return out;
}

std::vector<TableRequirement> RequirementsFor(const TableMetadata* base, const std::vector<TableUpdate>& updates) {
  std::vector<TableRequirement> out;
  if (base == nullptr) {
    out.push_back(MakeRequirement(TableRequirement::Kind::kAssertCreate));
    return out;
  }
  if (!base->table_uuid.empty()) {
    TableRequirement r = MakeRequirement(TableRequirement::Kind::kAssertTableUuid);
    r.uuid = base->table_uuid;
    out.push_back(std::move(r));
  }
  std::set<std::string> refs;
  bool schema = false;
  bool current_schema = false;
  bool spec = false;
  bool default_spec = false;
  bool order = false;
  bool branches = false;
  auto require_id = [&](bool* done, TableRequirement::Kind kind, int32_t id) {
    if (*done) return;
    *done = true;
    TableRequirement r = MakeRequirement(kind);
    r.id = id;
    out.push_back(std::move(r));
  };
  auto require_ref = [&](const std::string& name) {
    if (!refs.insert(name).second) return;
    TableRequirement r = MakeRequirement(TableRequirement::Kind::kAssertRefSnapshotId);
    r.ref = name;
    auto it = base->refs.find(name);
    if (it != base->refs.end()) r.snapshot_id = it->second.snapshot_id;
    out.push_back(std::move(r));
  };
  for (const TableUpdate& u : updates) {
    const std::string& a = u.action;
    if (a == "set-snapshot-ref" || a == "remove-snapshot-ref") {
      require_ref(u.ref_name);
    } else if (a == "add-schema") {
      require_id(&schema, TableRequirement::Kind::kAssertLastAssignedFieldId, base->last_column_id);
    } else if (a == "set-current-schema") {
      require_id(&current_schema, TableRequirement::Kind::kAssertCurrentSchemaId, base->current_schema_id);
    } else if (a == "add-spec") {
      require_id(&spec, TableRequirement::Kind::kAssertLastAssignedPartitionId, base->last_partition_id);
    } else if (a == "set-default-spec") {
      require_id(&default_spec, TableRequirement::Kind::kAssertDefaultSpecId, base->default_spec_id);
    } else if (a == "set-default-sort-order") {
      require_id(&order, TableRequirement::Kind::kAssertDefaultSortOrderId, base->default_sort_order_id);
    } else if (a == "remove-schemas" || a == "remove-partition-specs") {
      // As Java: the current schema / default spec must not have moved, and no branch either, so that nobody is
      // about to write with what is being removed.
      if (a == "remove-schemas") {
        require_id(&current_schema, TableRequirement::Kind::kAssertCurrentSchemaId, base->current_schema_id);
      } else {
        require_id(&default_spec, TableRequirement::Kind::kAssertDefaultSpecId, base->default_spec_id);
      }
      if (!branches) {
        branches = true;
        for (const auto& [name, ref] : base->refs) {
          if (ref.is_branch && name != kMainBranch) require_ref(name);
        }
      }
    }
  }
  return out;
}

}  // namespace floe::iceberg
