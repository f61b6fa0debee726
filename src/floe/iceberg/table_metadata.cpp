// Table metadata JSON (Apache Iceberg table spec v2: "Table Metadata", "Table Metadata Fields", "Snapshots",
// "Snapshot References", "Sort Orders", and "Appendix C: JSON serialization").
//
// Reading walks the parsed JSON with the JSON path of every value in hand, so that an error names the exact place
// ("$.snapshots[3].timestamp-ms: expected an integer, got string"). Every problem found while reading stored JSON is
// Corruption (the file or blob failed a check), except format versions and v1 features floe does not implement,
// which are Unsupported. The pieces (SchemaFromJson, ...) use the same codes; the REST catalog maps them for its
// requests.
#include "floe/iceberg/table_metadata.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "floe/base/uuid.h"

namespace floe::iceberg {

namespace {

using Json = nlohmann::ordered_json;

// Nested types deeper than this are refused rather than recursed into (no real schema comes close).
constexpr int kMaxTypeDepth = 100;

// The error prefix ("metadata <file>: ") and helpers that read typed values at a JSON path.
class JsonReader {
 public:
  explicit JsonReader(std::string prefix) : prefix_(std::move(prefix)) {}

  Status Error(const std::string& path, const std::string& what) const {
    return Status::Corruption(prefix_ + path + ": " + what);
  }
  Status Unsupported(const std::string& path, const std::string& what) const {
    return Status::Unsupported(prefix_ + path + ": " + what);
  }
  const std::string& prefix() const { return prefix_; }

  static std::string Describe(const Json& j) {
    if (j.is_number_float()) return "number " + j.dump();
    if (j.is_number()) return "integer " + j.dump();
    return j.type_name();
  }
  static std::string Key(const std::string& path, std::string_view key) { return path + "." + std::string(key); }
  static std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

  Status ExpectObject(const Json& j, const std::string& path) const {
    if (!j.is_object()) return Error(path, "expected an object, got " + Describe(j));
    return Status::Ok();
  }

  // The member `key` of object `obj` (at `path`), or nullptr when absent. JSON null counts as absent: writers
  // differ in whether they omit optional fields or write null.
  static const Json* Find(const Json& obj, std::string_view key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }
  Result<const Json*> Require(const Json& obj, const std::string& path, std::string_view key) const {
    const Json* v = Find(obj, key);
    if (v == nullptr) return Error(Key(path, key), "required field is missing");
    return v;
  }

  Result<int64_t> AsLong(const Json& j, const std::string& path) const {
    if (j.is_number_unsigned()) {
      uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return Error(path, "integer " + j.dump() + " is out of range for a 64-bit signed integer");
      }
      return static_cast<int64_t>(u);
    }
    if (j.is_number_integer()) return j.get<int64_t>();
    return Error(path, "expected an integer, got " + Describe(j));
  }
  Result<int32_t> AsInt(const Json& j, const std::string& path) const {
    FLOE_ASSIGN_OR_RETURN(int64_t v, AsLong(j, path));
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      return Error(path, "integer " + std::to_string(v) + " is out of range for a 32-bit integer");
    }
    return static_cast<int32_t>(v);
  }
  Result<std::string> AsString(const Json& j, const std::string& path) const {
    if (!j.is_string()) return Error(path, "expected a string, got " + Describe(j));
    return j.get<std::string>();
  }
  Result<bool> AsBool(const Json& j, const std::string& path) const {
    if (!j.is_boolean()) return Error(path, "expected a boolean, got " + Describe(j));
    return j.get<bool>();
  }
  Result<const Json*> AsArray(const Json& j, const std::string& path) const {
    if (!j.is_array()) return Error(path, "expected an array, got " + Describe(j));
    return &j;
  }

  Result<int64_t> Long(const Json& obj, const std::string& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
    return AsLong(*v, Key(path, key));
  }
  Result<int32_t> Int(const Json& obj, const std::string& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
    return AsInt(*v, Key(path, key));
  }
  Result<std::string> String(const Json& obj, const std::string& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
    return AsString(*v, Key(path, key));
  }
  Result<bool> Bool(const Json& obj, const std::string& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
    return AsBool(*v, Key(path, key));
  }
  Result<const Json*> Array(const Json& obj, const std::string& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(const Json* v, Require(obj, path, key));
    return AsArray(*v, Key(path, key));
  }

  Result<std::optional<int64_t>> OptLong(const Json& obj, const std::string& path, std::string_view key) const {
    const Json* v = Find(obj, key);
    if (v == nullptr) return std::optional<int64_t>();
    FLOE_ASSIGN_OR_RETURN(int64_t x, AsLong(*v, Key(path, key)));
    return std::optional<int64_t>(x);
  }
  Result<std::optional<int32_t>> OptInt(const Json& obj, const std::string& path, std::string_view key) const {
    const Json* v = Find(obj, key);
    if (v == nullptr) return std::optional<int32_t>();
    FLOE_ASSIGN_OR_RETURN(int32_t x, AsInt(*v, Key(path, key)));
    return std::optional<int32_t>(x);
  }
  Result<std::optional<std::string>> OptString(const Json& obj, const std::string& path, std::string_view key) const {
    const Json* v = Find(obj, key);
    if (v == nullptr) return std::optional<std::string>();
    FLOE_ASSIGN_OR_RETURN(std::string x, AsString(*v, Key(path, key)));
    return std::optional<std::string>(std::move(x));
  }

  // Parses `text`; Corruption with nlohmann's byte position when it is not JSON.
  Result<Json> Parse(std::string_view text) const {
    try {
      return Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
      std::string what = e.what();
      // Drop nlohmann's "[json.exception.parse_error.101] " tag; keep its line/column and reason.
      if (auto p = what.find("] "); what.starts_with("[json.exception") && p != std::string::npos) {
        what = what.substr(p + 2);
      }
      return Status::Corruption(prefix_ + "not valid JSON at byte " + std::to_string(e.byte) + ": " + what);
    } catch (const Json::exception& e) {  // a number too large for a double (out_of_range 406), found by fuzzing
      return Status::Corruption(prefix_ + "not valid JSON: " + e.what());
    }
  }

 private:
  std::string prefix_;
};

std::string PrefixFor(std::string_view what) {
  return std::string(what) + ": ";
}

// Dumps without throwing on strings that are not UTF-8 (a property value from a careless caller): such bytes
// become U+FFFD instead.
std::string Dump(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

// Re-parses JSON text that floe itself stored (defaults, statistics); nullopt if it is somehow not JSON.
std::optional<Json> ParseStored(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// ---- Schemas and types ----

Result<TypePtr> ParseType(const JsonReader& r, const Json& j, const std::string& path, int depth);

Result<std::vector<NestedField>> ParseFields(const JsonReader& r, const Json& arr, const std::string& path, int depth) {
  std::vector<NestedField> fields;
  fields.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    const Json& f = arr[i];
    std::string fp = JsonReader::Index(path, i);
    FLOE_RETURN_IF_ERROR(r.ExpectObject(f, fp));
    NestedField field;
    FLOE_ASSIGN_OR_RETURN(field.id, r.Int(f, fp, "id"));
    FLOE_ASSIGN_OR_RETURN(field.name, r.String(f, fp, "name"));
    FLOE_ASSIGN_OR_RETURN(field.required, r.Bool(f, fp, "required"));
    FLOE_ASSIGN_OR_RETURN(const Json* type, r.Require(f, fp, "type"));
    FLOE_ASSIGN_OR_RETURN(field.type, ParseType(r, *type, JsonReader::Key(fp, "type"), depth + 1));
    FLOE_ASSIGN_OR_RETURN(std::optional<std::string> doc, r.OptString(f, fp, "doc"));
    field.doc = doc.value_or("");
    if (const Json* d = JsonReader::Find(f, "initial-default")) field.initial_default_json = Dump(*d);
    if (const Json* d = JsonReader::Find(f, "write-default")) field.write_default_json = Dump(*d);
    fields.push_back(std::move(field));
  }
  return fields;
}

Result<TypePtr> ParseType(const JsonReader& r, const Json& j, const std::string& path, int depth) {
  if (depth > kMaxTypeDepth) {
    return r.Error(path, "types nested more than " + std::to_string(kMaxTypeDepth) + " levels deep");
  }
  if (j.is_string()) {
    std::string name = j.get<std::string>();
    Result<TypePtr> t = Type::ParsePrimitive(name);
    if (!t.ok()) return r.Error(path, "unknown type '" + name + "'");
    return t;
  }
  if (!j.is_object()) {
    return r.Error(path, "expected a type name or a struct, list or map object, got " + JsonReader::Describe(j));
  }
  FLOE_ASSIGN_OR_RETURN(std::string kind, r.String(j, path, "type"));
  if (kind == "struct") {
    FLOE_ASSIGN_OR_RETURN(const Json* fields_json, r.Array(j, path, "fields"));
    FLOE_ASSIGN_OR_RETURN(auto fields, ParseFields(r, *fields_json, JsonReader::Key(path, "fields"), depth));
    return Type::Struct(std::move(fields));
  }
  if (kind == "list") {
    FLOE_ASSIGN_OR_RETURN(int32_t element_id, r.Int(j, path, "element-id"));
    FLOE_ASSIGN_OR_RETURN(bool element_required, r.Bool(j, path, "element-required"));
    FLOE_ASSIGN_OR_RETURN(const Json* element, r.Require(j, path, "element"));
    FLOE_ASSIGN_OR_RETURN(TypePtr element_type, ParseType(r, *element, JsonReader::Key(path, "element"), depth + 1));
    return Type::List(element_id, element_required, std::move(element_type));
  }
  if (kind == "map") {
    FLOE_ASSIGN_OR_RETURN(int32_t key_id, r.Int(j, path, "key-id"));
    FLOE_ASSIGN_OR_RETURN(const Json* key, r.Require(j, path, "key"));
    FLOE_ASSIGN_OR_RETURN(TypePtr key_type, ParseType(r, *key, JsonReader::Key(path, "key"), depth + 1));
    FLOE_ASSIGN_OR_RETURN(int32_t value_id, r.Int(j, path, "value-id"));
    FLOE_ASSIGN_OR_RETURN(bool value_required, r.Bool(j, path, "value-required"));
    FLOE_ASSIGN_OR_RETURN(const Json* value, r.Require(j, path, "value"));
    FLOE_ASSIGN_OR_RETURN(TypePtr value_type, ParseType(r, *value, JsonReader::Key(path, "value"), depth + 1));
    return Type::Map(key_id, std::move(key_type), value_id, value_required, std::move(value_type));
  }
  return r.Error(JsonReader::Key(path, "type"), "unknown nested type '" + kind + "' (expected struct, list or map)");
}

// A schema object; "schema-id" absent (v1 writers omitted it) reads as 0.
Result<Schema> ParseSchema(const JsonReader& r, const Json& j, const std::string& path) {
  FLOE_RETURN_IF_ERROR(r.ExpectObject(j, path));
  FLOE_ASSIGN_OR_RETURN(std::optional<std::string> kind, r.OptString(j, path, "type"));
  if (kind && *kind != "struct") {
    return r.Error(JsonReader::Key(path, "type"), "a schema must be a struct, got '" + *kind + "'");
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> schema_id, r.OptInt(j, path, "schema-id"));
  std::vector<int32_t> identifier_ids;
  if (const Json* ids = JsonReader::Find(j, "identifier-field-ids")) {
    std::string ip = JsonReader::Key(path, "identifier-field-ids");
    FLOE_RETURN_IF_ERROR(r.AsArray(*ids, ip).status());
    for (size_t i = 0; i < ids->size(); ++i) {
      FLOE_ASSIGN_OR_RETURN(int32_t id, r.AsInt((*ids)[i], JsonReader::Index(ip, i)));
      identifier_ids.push_back(id);
    }
  }
  FLOE_ASSIGN_OR_RETURN(const Json* fields_json, r.Array(j, path, "fields"));
  FLOE_ASSIGN_OR_RETURN(auto fields, ParseFields(r, *fields_json, JsonReader::Key(path, "fields"), 0));
  Schema schema(schema_id.value_or(0), std::move(fields), std::move(identifier_ids));
  Status valid = schema.Validate();
  if (!valid.ok()) return r.Error(path, valid.message());
  return schema;
}

Json TypeToJson(const TypePtr& type);

Json FieldToJson(const NestedField& f) {
  Json j = Json::object();
  j["id"] = f.id;
  j["name"] = f.name;
  j["required"] = f.required;
  j["type"] = TypeToJson(f.type);
  if (!f.doc.empty()) j["doc"] = f.doc;
  if (f.initial_default_json) {
    if (auto d = ParseStored(*f.initial_default_json)) j["initial-default"] = std::move(*d);
  }
  if (f.write_default_json) {
    if (auto d = ParseStored(*f.write_default_json)) j["write-default"] = std::move(*d);
  }
  return j;
}

Json FieldsToJson(const std::vector<NestedField>& fields) {
  Json arr = Json::array();
  for (const NestedField& f : fields) arr.push_back(FieldToJson(f));
  return arr;
}

Json TypeToJson(const TypePtr& type) {
  assert(type != nullptr);
  switch (type->id) {
    case TypeId::kStruct: {
      Json j = Json::object();
      j["type"] = "struct";
      j["fields"] = FieldsToJson(type->fields);
      return j;
    }
    case TypeId::kList: {
      assert(type->fields.size() == 1);
      const NestedField& e = type->fields[0];
      Json j = Json::object();
      j["type"] = "list";
      j["element-id"] = e.id;
      j["element"] = TypeToJson(e.type);
      j["element-required"] = e.required;
      return j;
    }
    case TypeId::kMap: {
      assert(type->fields.size() == 2);
      const NestedField& k = type->fields[0];
      const NestedField& v = type->fields[1];
      Json j = Json::object();
      j["type"] = "map";
      j["key-id"] = k.id;
      j["key"] = TypeToJson(k.type);
      j["value-id"] = v.id;
      j["value"] = TypeToJson(v.type);
      j["value-required"] = v.required;
      return j;
    }
    default: return type->ToString();
  }
}

Json SchemaJson(const Schema& schema) {
  Json j = Json::object();
  j["type"] = "struct";
  j["schema-id"] = schema.schema_id();
  if (!schema.identifier_field_ids().empty()) j["identifier-field-ids"] = schema.identifier_field_ids();
  j["fields"] = FieldsToJson(schema.fields());
  return j;
}

// ---- Partition specs and sort orders ----

// The fields of a spec: the "fields" array of a spec object, or a v1 "partition-spec" (a bare array). Fields
// without "field-id" (v1 writers) get 1000, 1001, ... in order, as the spec assigns them.
Result<std::vector<PartitionField>> ParseSpecFields(const JsonReader& r, const Json& arr, const std::string& path) {
  std::vector<PartitionField> fields;
  int32_t next_id = kPartitionDataIdStart;
  for (size_t i = 0; i < arr.size(); ++i) {
    const Json& f = arr[i];
    std::string fp = JsonReader::Index(path, i);
    FLOE_RETURN_IF_ERROR(r.ExpectObject(f, fp));
    PartitionField field;
    FLOE_ASSIGN_OR_RETURN(field.source_id, r.Int(f, fp, "source-id"));
    FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> field_id, r.OptInt(f, fp, "field-id"));
    field.field_id = field_id.value_or(next_id);
    next_id = field.field_id + 1;
    FLOE_ASSIGN_OR_RETURN(field.name, r.String(f, fp, "name"));
    FLOE_ASSIGN_OR_RETURN(std::string transform, r.String(f, fp, "transform"));
    Result<Transform> t = Transform::Parse(transform);
    if (!t.ok()) return r.Error(JsonReader::Key(fp, "transform"), "unknown transform '" + transform + "'");
    field.transform = *t;
    fields.push_back(std::move(field));
  }
  return fields;
}

Result<PartitionSpec> ParseSpec(const JsonReader& r, const Json& j, const std::string& path) {
  FLOE_RETURN_IF_ERROR(r.ExpectObject(j, path));
  PartitionSpec spec;
  FLOE_ASSIGN_OR_RETURN(spec.spec_id, r.Int(j, path, "spec-id"));
  FLOE_ASSIGN_OR_RETURN(const Json* fields, r.Array(j, path, "fields"));
  FLOE_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(r, *fields, JsonReader::Key(path, "fields")));
  return spec;
}

Json SpecJson(const PartitionSpec& spec) {
  Json j = Json::object();
  j["spec-id"] = spec.spec_id;
  Json fields = Json::array();
  for (const PartitionField& f : spec.fields) {
    Json fj = Json::object();
    fj["name"] = f.name;
    fj["transform"] = f.transform.ToString();
    fj["source-id"] = f.source_id;
    fj["field-id"] = f.field_id;
    fields.push_back(std::move(fj));
  }
  j["fields"] = std::move(fields);
  return j;
}

Result<SortOrder> ParseSortOrder(const JsonReader& r, const Json& j, const std::string& path) {
  FLOE_RETURN_IF_ERROR(r.ExpectObject(j, path));
  SortOrder order;
  FLOE_ASSIGN_OR_RETURN(order.order_id, r.Int(j, path, "order-id"));
  FLOE_ASSIGN_OR_RETURN(const Json* fields, r.Array(j, path, "fields"));
  std::string fsp = JsonReader::Key(path, "fields");
  for (size_t i = 0; i < fields->size(); ++i) {
    const Json& f = (*fields)[i];
    std::string fp = JsonReader::Index(fsp, i);
    FLOE_RETURN_IF_ERROR(r.ExpectObject(f, fp));
    SortField field;
    FLOE_ASSIGN_OR_RETURN(std::string transform, r.String(f, fp, "transform"));
    Result<Transform> t = Transform::Parse(transform);
    if (!t.ok()) return r.Error(JsonReader::Key(fp, "transform"), "unknown transform '" + transform + "'");
    field.transform = *t;
    FLOE_ASSIGN_OR_RETURN(field.source_id, r.Int(f, fp, "source-id"));
    FLOE_ASSIGN_OR_RETURN(std::string direction, r.String(f, fp, "direction"));
    if (direction == "asc") {
      field.direction = SortDirection::kAsc;
    } else if (direction == "desc") {
      field.direction = SortDirection::kDesc;
    } else {
      return r.Error(JsonReader::Key(fp, "direction"), "expected 'asc' or 'desc', got '" + direction + "'");
    }
    FLOE_ASSIGN_OR_RETURN(std::string null_order, r.String(f, fp, "null-order"));
    if (null_order == "nulls-first") {
      field.null_order = NullOrder::kNullsFirst;
    } else if (null_order == "nulls-last") {
      field.null_order = NullOrder::kNullsLast;
    } else {
      return r.Error(JsonReader::Key(fp, "null-order"),
                     "expected 'nulls-first' or 'nulls-last', got '" + null_order + "'");
    }
    order.fields.push_back(std::move(field));
  }
  return order;
}

Json SortOrderJson(const SortOrder& order) {
  Json j = Json::object();
  j["order-id"] = order.order_id;
  Json fields = Json::array();
  for (const SortField& f : order.fields) {
    Json fj = Json::object();
    fj["transform"] = f.transform.ToString();
    fj["source-id"] = f.source_id;
    fj["direction"] = f.direction == SortDirection::kAsc ? "asc" : "desc";
    fj["null-order"] = f.null_order == NullOrder::kNullsFirst ? "nulls-first" : "nulls-last";
    fields.push_back(std::move(fj));
  }
  j["fields"] = std::move(fields);
  return j;
}

// ---- Snapshots ----

Result<Snapshot> ParseSnapshot(const JsonReader& r, const Json& j, const std::string& path) {
  FLOE_RETURN_IF_ERROR(r.ExpectObject(j, path));
  Snapshot s;
  FLOE_ASSIGN_OR_RETURN(s.snapshot_id, r.Long(j, path, "snapshot-id"));
  FLOE_ASSIGN_OR_RETURN(s.parent_snapshot_id, r.OptLong(j, path, "parent-snapshot-id"));
  // v1 snapshots have no sequence number: they read as 0, as the spec says for upgraded tables.
  FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> seq, r.OptLong(j, path, "sequence-number"));
  s.sequence_number = seq.value_or(0);
  FLOE_ASSIGN_OR_RETURN(s.timestamp_ms, r.Long(j, path, "timestamp-ms"));
  FLOE_ASSIGN_OR_RETURN(std::optional<std::string> manifest_list, r.OptString(j, path, "manifest-list"));
  if (manifest_list) {
    s.manifest_list = std::move(*manifest_list);
  } else if (JsonReader::Find(j, "manifests") != nullptr) {
    // v1 allowed listing manifest files inline instead of in a manifest list.
    return r.Unsupported(JsonReader::Key(path, "manifests"),
                         "snapshot " + std::to_string(s.snapshot_id) +
                             " lists its manifests inline (a v1 form floe does not read); rewrite the table's "
                             "snapshots with manifest lists (e.g. by a v2 upgrade in Spark or pyiceberg)");
  } else {
    return r.Error(JsonReader::Key(path, "manifest-list"), "required field is missing");
  }
  if (const Json* summary = JsonReader::Find(j, "summary")) {
    std::string sp = JsonReader::Key(path, "summary");
    FLOE_RETURN_IF_ERROR(r.ExpectObject(*summary, sp));
    for (const auto& [key, value] : summary->items()) {
      FLOE_ASSIGN_OR_RETURN(std::string v, r.AsString(value, JsonReader::Key(sp, key)));
      s.summary.emplace_back(key, std::move(v));
    }
    if (s.FindSummary("operation") == nullptr) {
      return r.Error(JsonReader::Key(sp, "operation"), "required field is missing");
    }
  }
  FLOE_ASSIGN_OR_RETURN(s.schema_id, r.OptInt(j, path, "schema-id"));
  return s;
}

Json SnapshotJson(const Snapshot& s) {
  Json j = Json::object();
  j["snapshot-id"] = s.snapshot_id;
  if (s.parent_snapshot_id) j["parent-snapshot-id"] = *s.parent_snapshot_id;
  j["sequence-number"] = s.sequence_number;
  j["timestamp-ms"] = s.timestamp_ms;
  // A snapshot read without a summary (allowed for old writers) is written without one: an empty summary would not
  // read back, since a summary must name its operation.
  if (!s.summary.empty()) {
    Json summary = Json::object();
    for (const auto& [key, value] : s.summary) summary[key] = value;
    j["summary"] = std::move(summary);
  }
  j["manifest-list"] = s.manifest_list;
  if (s.schema_id) j["schema-id"] = *s.schema_id;
  return j;
}

Result<SnapshotRef> ParseRef(const JsonReader& r, const Json& j, const std::string& path) {
  FLOE_RETURN_IF_ERROR(r.ExpectObject(j, path));
  SnapshotRef ref;
  FLOE_ASSIGN_OR_RETURN(ref.snapshot_id, r.Long(j, path, "snapshot-id"));
  FLOE_ASSIGN_OR_RETURN(std::string type, r.String(j, path, "type"));
  if (type == "branch") {
    ref.is_branch = true;
  } else if (type == "tag") {
    ref.is_branch = false;
  } else {
    return r.Error(JsonReader::Key(path, "type"), "expected 'branch' or 'tag', got '" + type + "'");
  }
  FLOE_ASSIGN_OR_RETURN(ref.min_snapshots_to_keep, r.OptInt(j, path, "min-snapshots-to-keep"));
  FLOE_ASSIGN_OR_RETURN(ref.max_snapshot_age_ms, r.OptLong(j, path, "max-snapshot-age-ms"));
  FLOE_ASSIGN_OR_RETURN(ref.max_ref_age_ms, r.OptLong(j, path, "max-ref-age-ms"));
  return ref;
}

Json RefJson(const SnapshotRef& ref) {
  Json j = Json::object();
  j["snapshot-id"] = ref.snapshot_id;
  j["type"] = ref.is_branch ? "branch" : "tag";
  if (ref.min_snapshots_to_keep) j["min-snapshots-to-keep"] = *ref.min_snapshots_to_keep;
  if (ref.max_snapshot_age_ms) j["max-snapshot-age-ms"] = *ref.max_snapshot_age_ms;
  if (ref.max_ref_age_ms) j["max-ref-age-ms"] = *ref.max_ref_age_ms;
  return j;
}

// Parses a whole piece (SchemaFromJson and friends): JSON text, then `parse` at path "$".
template <typename T, typename F>
Result<T> ParsePiece(std::string_view json, std::string_view what, F parse) {
  JsonReader r(PrefixFor(what));
  FLOE_ASSIGN_OR_RETURN(Json j, r.Parse(json));
  return parse(r, j, std::string("$"));
}

// Calls `fn(element, path)` for each element of the optional array `key` of `obj`.
Status ForEachIn(const JsonReader& r, const Json& obj, std::string_view key,
                 const std::function<Status(const Json&, const std::string&)>& fn) {
  const Json* arr = JsonReader::Find(obj, key);
  if (arr == nullptr) return Status::Ok();
  std::string path = JsonReader::Key("$", key);
  FLOE_RETURN_IF_ERROR(r.AsArray(*arr, path).status());
  for (size_t i = 0; i < arr->size(); ++i) FLOE_RETURN_IF_ERROR(fn((*arr)[i], JsonReader::Index(path, i)));
  return Status::Ok();
}

// "statistics" / "partition-statistics": kept as compact JSON text; an empty array is the same as absent.
Result<std::string> ParseVerbatimArray(const JsonReader& r, const Json& obj, std::string_view key) {
  const Json* arr = JsonReader::Find(obj, key);
  if (arr == nullptr) return std::string();
  FLOE_RETURN_IF_ERROR(r.AsArray(*arr, JsonReader::Key("$", key)).status());
  if (arr->empty()) return std::string();
  return Dump(*arr);
}

Json VerbatimArray(const std::string& text) {
  if (text.empty()) return Json::array();
  std::optional<Json> j = ParseStored(text);
  if (!j || !j->is_array()) return Json::array();
  return std::move(*j);
}

template <typename T, typename Id>
std::string IdList(const std::vector<T>& items, Id id) {
  std::string out;
  for (const T& item : items) {
    if (!out.empty()) out += ", ";
    out += std::to_string(id(item));
  }
  return out.empty() ? "none" : out;
}

}  // namespace

// ---- Snapshot ----

const std::string* Snapshot::FindSummary(std::string_view key) const {
  for (const auto& [k, v] : summary) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::string Snapshot::operation() const {
  const std::string* op = FindSummary("operation");
  return op == nullptr ? std::string() : *op;
}

// ---- TableMetadata ----

const Schema* TableMetadata::SchemaById(int32_t id) const {
  for (const Schema& s : schemas) {
    if (s.schema_id() == id) return &s;
  }
  return nullptr;
}

const Schema& TableMetadata::CurrentSchema() const {
  const Schema* s = SchemaById(current_schema_id);
  assert(s != nullptr && "TableMetadata::CurrentSchema on metadata without its current schema");
  return *s;
}

const PartitionSpec* TableMetadata::SpecById(int32_t id) const {
  for (const PartitionSpec& s : partition_specs) {
    if (s.spec_id == id) return &s;
  }
  return nullptr;
}

const PartitionSpec& TableMetadata::DefaultSpec() const {
  const PartitionSpec* s = SpecById(default_spec_id);
  assert(s != nullptr && "TableMetadata::DefaultSpec on metadata without its default spec");
  return *s;
}

const SortOrder* TableMetadata::SortOrderById(int32_t id) const {
  for (const SortOrder& o : sort_orders) {
    if (o.order_id == id) return &o;
  }
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotById(int64_t id) const {
  for (const Snapshot& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  if (!current_snapshot_id) return nullptr;
  return SnapshotById(*current_snapshot_id);
}

const Snapshot* TableMetadata::SnapshotForRef(std::string_view ref) const {
  auto it = refs.find(std::string(ref));
  if (it != refs.end()) return SnapshotById(it->second.snapshot_id);
  // Metadata built in memory may not have spelled out "main"; it is the current snapshot by definition.
  if (ref == kMainBranch) return CurrentSnapshot();
  return nullptr;
}

const Snapshot* TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  // The log is in commit order; the last entry at or before the time is what was current then.
  const SnapshotLogEntry* found = nullptr;
  for (const SnapshotLogEntry& e : snapshot_log) {
    if (e.timestamp_ms <= timestamp_ms) found = &e;
  }
  return found == nullptr ? nullptr : SnapshotById(found->snapshot_id);
}

std::string TableMetadata::Property(std::string_view key, std::string_view fallback) const {
  auto it = properties.find(std::string(key));
  return it == properties.end() ? std::string(fallback) : it->second;
}

Status TableMetadata::Validate() const {
  auto invalid = [](const std::string& m) { return Status::InvalidArgument(m); };
  if (format_version != 1 && format_version != 2) {
    return invalid("format-version: " + std::to_string(format_version) + " is not 1 or 2");
  }
  if (format_version >= 2 && table_uuid.empty()) return invalid("table-uuid: empty in a format version 2 table");

  std::set<int32_t> schema_ids;
  for (size_t i = 0; i < schemas.size(); ++i) {
    const Schema& s = schemas[i];
    std::string at = "schemas[" + std::to_string(i) + "]";
    if (!schema_ids.insert(s.schema_id()).second) {
      return invalid(at + ".schema-id: duplicate schema id " + std::to_string(s.schema_id()));
    }
    Status st = s.Validate();
    if (!st.ok()) return invalid(at + ": " + st.message());
    if (s.HighestFieldId() > last_column_id) {
      return invalid(at + ": field id " + std::to_string(s.HighestFieldId()) + " is above last-column-id " +
                     std::to_string(last_column_id));
    }
  }
  if (SchemaById(current_schema_id) == nullptr) {
    return invalid("current-schema-id: " + std::to_string(current_schema_id) + " is not the id of any schema (" +
                   IdList(schemas, [](const Schema& s) { return s.schema_id(); }) + ")");
  }

  std::set<int32_t> spec_ids;
  for (size_t i = 0; i < partition_specs.size(); ++i) {
    const PartitionSpec& spec = partition_specs[i];
    std::string at = "partition-specs[" + std::to_string(i) + "]";
    if (!spec_ids.insert(spec.spec_id).second) {
      return invalid(at + ".spec-id: duplicate spec id " + std::to_string(spec.spec_id));
    }
    std::set<int32_t> field_ids;
    for (size_t k = 0; k < spec.fields.size(); ++k) {
      const PartitionField& f = spec.fields[k];
      std::string fat = at + ".fields[" + std::to_string(k) + "]";
      if (f.field_id < kPartitionDataIdStart) {
        return invalid(fat + ".field-id: " + std::to_string(f.field_id) + " is below " +
                       std::to_string(kPartitionDataIdStart));
      }
      if (!field_ids.insert(f.field_id).second) {
        return invalid(fat + ".field-id: duplicate partition field id " + std::to_string(f.field_id));
      }
      if (f.field_id > last_partition_id) {
        return invalid(fat + ".field-id: " + std::to_string(f.field_id) + " is above last-partition-id " +
                       std::to_string(last_partition_id));
      }
    }
  }
  if (SpecById(default_spec_id) == nullptr) {
    return invalid("default-spec-id: " + std::to_string(default_spec_id) + " is not the id of any partition spec (" +
                   IdList(partition_specs, [](const PartitionSpec& s) { return s.spec_id; }) + ")");
  }

  std::set<int32_t> order_ids;
  for (size_t i = 0; i < sort_orders.size(); ++i) {
    const SortOrder& o = sort_orders[i];
    std::string at = "sort-orders[" + std::to_string(i) + "]";
    if (!order_ids.insert(o.order_id).second) {
      return invalid(at + ".order-id: duplicate sort order id " + std::to_string(o.order_id));
    }
    if (o.order_id == 0 && !o.fields.empty()) {
      return invalid(at + ": order id 0 is reserved for the unsorted order but has fields");
    }
  }
  if (SortOrderById(default_sort_order_id) == nullptr) {
    return invalid("default-sort-order-id: " + std::to_string(default_sort_order_id) +
                   " is not the id of any sort order (" +
                   IdList(sort_orders, [](const SortOrder& o) { return o.order_id; }) + ")");
  }

  std::set<int64_t> snapshot_ids;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const Snapshot& s = snapshots[i];
    std::string at = "snapshots[" + std::to_string(i) + "]";
    if (!snapshot_ids.insert(s.snapshot_id).second) {
      return invalid(at + ".snapshot-id: duplicate snapshot id " + std::to_string(s.snapshot_id));
    }
    if (s.sequence_number > last_sequence_number) {
      return invalid(at + ".sequence-number: " + std::to_string(s.sequence_number) + " is above last-sequence-number " +
                     std::to_string(last_sequence_number));
    }
  }
  if (current_snapshot_id && SnapshotById(*current_snapshot_id) == nullptr) {
    return invalid("current-snapshot-id: " + std::to_string(*current_snapshot_id) + " is not the id of any snapshot");
  }
  for (const auto& [name, ref] : refs) {
    if (SnapshotById(ref.snapshot_id) == nullptr) {
      return invalid("refs." + name + ".snapshot-id: " + std::to_string(ref.snapshot_id) +
                     " is not the id of any snapshot");
    }
  }
  auto main = refs.find(std::string(kMainBranch));
  if (current_snapshot_id) {
    if (main == refs.end()) return invalid("refs: no 'main' branch although current-snapshot-id is set");
    if (main->second.snapshot_id != *current_snapshot_id) {
      return invalid("refs.main.snapshot-id: " + std::to_string(main->second.snapshot_id) +
                     " differs from current-snapshot-id " + std::to_string(*current_snapshot_id));
    }
    if (!main->second.is_branch) return invalid("refs.main.type: 'main' must be a branch, not a tag");
  } else if (main != refs.end()) {
    return invalid("refs.main: points at snapshot " + std::to_string(main->second.snapshot_id) +
                   " but current-snapshot-id is not set");
  }
  return Status::Ok();
}

// ---- Parsing table metadata ----

namespace {
Result<TableMetadata> ParseMetadataRoot(JsonReader& r, const Json& root);
}  // namespace

Result<TableMetadata> ParseTableMetadata(std::string_view json, std::string_view file) {
  JsonReader r("metadata " + std::string(file) + ": ");
  FLOE_ASSIGN_OR_RETURN(Json root, r.Parse(json));
  return ParseMetadataRoot(r, root);
}

Result<TableMetadata> ParseTableMetadata(const nlohmann::ordered_json& root, std::string_view file) {
  JsonReader r("metadata " + std::string(file) + ": ");
  return ParseMetadataRoot(r, root);
}

namespace {
Result<TableMetadata> ParseMetadataRoot(JsonReader& r, const Json& root) {
  const std::string kRoot = "$";
  FLOE_RETURN_IF_ERROR(r.ExpectObject(root, kRoot));

  TableMetadata m;
  FLOE_ASSIGN_OR_RETURN(int32_t version, r.Int(root, kRoot, "format-version"));
  if (version != 1 && version != 2) {
    return r.Unsupported("$.format-version", "format version " + std::to_string(version) +
                                                 " is not supported (floe reads versions 1 and 2)");
  }
  m.format_version = version;
  const bool v1 = version == 1;

  if (v1) {
    FLOE_ASSIGN_OR_RETURN(std::optional<std::string> uuid, r.OptString(root, kRoot, "table-uuid"));
    m.table_uuid = uuid.value_or("");
    // Old v1 writers may leave the uuid out; floe writes v2, which requires one, so the table gets one now (as
    // Java's metadata builder assigns one when it upgrades a table).
    if (m.table_uuid.empty()) m.table_uuid = NewUuid();
  } else {
    FLOE_ASSIGN_OR_RETURN(m.table_uuid, r.String(root, kRoot, "table-uuid"));
  }
  FLOE_ASSIGN_OR_RETURN(m.location, r.String(root, kRoot, "location"));
  if (v1) {
    FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> seq, r.OptLong(root, kRoot, "last-sequence-number"));
    m.last_sequence_number = seq.value_or(0);
  } else {
    FLOE_ASSIGN_OR_RETURN(m.last_sequence_number, r.Long(root, kRoot, "last-sequence-number"));
  }
  FLOE_ASSIGN_OR_RETURN(m.last_updated_ms, r.Long(root, kRoot, "last-updated-ms"));
  FLOE_ASSIGN_OR_RETURN(m.last_column_id, r.Int(root, kRoot, "last-column-id"));

  // Schemas: "schemas" + "current-schema-id"; a v1 file may instead (or also, older) have the single "schema".
  if (JsonReader::Find(root, "schemas") != nullptr || !v1) {
    FLOE_RETURN_IF_ERROR(r.Array(root, kRoot, "schemas").status());
    FLOE_RETURN_IF_ERROR(ForEachIn(r, root, "schemas", [&](const Json& j, const std::string& path) -> Status {
      FLOE_ASSIGN_OR_RETURN(Schema s, ParseSchema(r, j, path));
      m.schemas.push_back(std::move(s));
      return Status::Ok();
    }));
    FLOE_ASSIGN_OR_RETURN(m.current_schema_id, r.Int(root, kRoot, "current-schema-id"));
  } else {
    FLOE_ASSIGN_OR_RETURN(const Json* schema, r.Require(root, kRoot, "schema"));
    FLOE_ASSIGN_OR_RETURN(Schema s, ParseSchema(r, *schema, "$.schema"));
    m.current_schema_id = s.schema_id();
    m.schemas.push_back(std::move(s));
  }

  // Partition specs: "partition-specs" + "default-spec-id"; v1 may have only "partition-spec", a bare field array
  // that is spec 0.
  if (JsonReader::Find(root, "partition-specs") != nullptr || !v1) {
    FLOE_RETURN_IF_ERROR(r.Array(root, kRoot, "partition-specs").status());
    FLOE_RETURN_IF_ERROR(ForEachIn(r, root, "partition-specs", [&](const Json& j, const std::string& path) -> Status {
      FLOE_ASSIGN_OR_RETURN(PartitionSpec s, ParseSpec(r, j, path));
      m.partition_specs.push_back(std::move(s));
      return Status::Ok();
    }));
    FLOE_ASSIGN_OR_RETURN(m.default_spec_id, r.Int(root, kRoot, "default-spec-id"));
  } else {
    FLOE_ASSIGN_OR_RETURN(const Json* fields, r.Array(root, kRoot, "partition-spec"));
    PartitionSpec spec;
    spec.spec_id = 0;
    FLOE_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(r, *fields, "$.partition-spec"));
    m.partition_specs.push_back(std::move(spec));
    m.default_spec_id = 0;
  }
  if (v1) {
    FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> last, r.OptInt(root, kRoot, "last-partition-id"));
    if (last) {
      m.last_partition_id = *last;
    } else {
      m.last_partition_id = kPartitionDataIdStart - 1;
      for (const PartitionSpec& s : m.partition_specs)
        m.last_partition_id = std::max(m.last_partition_id, s.LastFieldId());
    }
  } else {
    FLOE_ASSIGN_OR_RETURN(m.last_partition_id, r.Int(root, kRoot, "last-partition-id"));
  }

  if (const Json* props = JsonReader::Find(root, "properties")) {
    FLOE_RETURN_IF_ERROR(r.ExpectObject(*props, "$.properties"));
    for (const auto& [key, value] : props->items()) {
      FLOE_ASSIGN_OR_RETURN(std::string v, r.AsString(value, JsonReader::Key("$.properties", key)));
      m.properties[key] = std::move(v);
    }
  }

  // -1 is how older writers (Java before 1.x, pyiceberg when reading them) spelled "no current snapshot".
  FLOE_ASSIGN_OR_RETURN(m.current_snapshot_id, r.OptLong(root, kRoot, "current-snapshot-id"));
  if (m.current_snapshot_id == -1) m.current_snapshot_id.reset();

  FLOE_RETURN_IF_ERROR(ForEachIn(r, root, "snapshots", [&](const Json& j, const std::string& path) -> Status {
    FLOE_ASSIGN_OR_RETURN(Snapshot s, ParseSnapshot(r, j, path));
    m.snapshots.push_back(std::move(s));
    return Status::Ok();
  }));
  FLOE_RETURN_IF_ERROR(ForEachIn(r, root, "snapshot-log", [&](const Json& j, const std::string& path) -> Status {
    FLOE_RETURN_IF_ERROR(r.ExpectObject(j, path));
    SnapshotLogEntry e;
    FLOE_ASSIGN_OR_RETURN(e.timestamp_ms, r.Long(j, path, "timestamp-ms"));
    FLOE_ASSIGN_OR_RETURN(e.snapshot_id, r.Long(j, path, "snapshot-id"));
    m.snapshot_log.push_back(e);
    return Status::Ok();
  }));
  FLOE_RETURN_IF_ERROR(ForEachIn(r, root, "metadata-log", [&](const Json& j, const std::string& path) -> Status {
    FLOE_RETURN_IF_ERROR(r.ExpectObject(j, path));
    MetadataLogEntry e;
    FLOE_ASSIGN_OR_RETURN(e.timestamp_ms, r.Long(j, path, "timestamp-ms"));
    FLOE_ASSIGN_OR_RETURN(e.metadata_file, r.String(j, path, "metadata-file"));
    m.metadata_log.push_back(std::move(e));
    return Status::Ok();
  }));

  // Sort orders: required in v2; a v1 file without them is unsorted (order 0).
  if (JsonReader::Find(root, "sort-orders") != nullptr || !v1) {
    FLOE_RETURN_IF_ERROR(r.Array(root, kRoot, "sort-orders").status());
    FLOE_RETURN_IF_ERROR(ForEachIn(r, root, "sort-orders", [&](const Json& j, const std::string& path) -> Status {
      FLOE_ASSIGN_OR_RETURN(SortOrder o, ParseSortOrder(r, j, path));
      m.sort_orders.push_back(std::move(o));
      return Status::Ok();
    }));
    FLOE_ASSIGN_OR_RETURN(m.default_sort_order_id, r.Int(root, kRoot, "default-sort-order-id"));
  } else {
    m.sort_orders.push_back(SortOrder{});
    m.default_sort_order_id = 0;
  }

  if (const Json* refs = JsonReader::Find(root, "refs")) {
    FLOE_RETURN_IF_ERROR(r.ExpectObject(*refs, "$.refs"));
    for (const auto& [name, value] : refs->items()) {
      FLOE_ASSIGN_OR_RETURN(SnapshotRef ref, ParseRef(r, value, JsonReader::Key("$.refs", name)));
      m.refs[name] = ref;
    }
  }
  // Files without refs (v1, early v2 writers) have the current snapshot as their only branch.
  if (m.current_snapshot_id && m.refs.find(std::string(kMainBranch)) == m.refs.end()) {
    SnapshotRef main;
    main.snapshot_id = *m.current_snapshot_id;
    main.is_branch = true;
    m.refs[std::string(kMainBranch)] = main;
  }

  FLOE_ASSIGN_OR_RETURN(m.statistics_json, ParseVerbatimArray(r, root, "statistics"));
  FLOE_ASSIGN_OR_RETURN(m.partition_statistics_json, ParseVerbatimArray(r, root, "partition-statistics"));

  Status valid = m.Validate();
  if (!valid.ok()) return Status::Corruption(r.prefix() + "$." + valid.message());
  return m;
}
}  // namespace

// ---- Writing table metadata ----

std::string TableMetadataToJson(const TableMetadata& m) {
  // Key order as Java's TableMetadataParser writes it, so that files from floe diff cleanly against Java's.
  Json j = Json::object();
  j["format-version"] = 2;
  j["table-uuid"] = m.table_uuid;
  j["location"] = m.location;
  j["last-sequence-number"] = m.last_sequence_number;
  j["last-updated-ms"] = m.last_updated_ms;
  j["last-column-id"] = m.last_column_id;
  j["current-schema-id"] = m.current_schema_id;
  Json schemas = Json::array();
  for (const Schema& s : m.schemas) schemas.push_back(SchemaJson(s));
  j["schemas"] = std::move(schemas);
  j["default-spec-id"] = m.default_spec_id;
  Json specs = Json::array();
  for (const PartitionSpec& s : m.partition_specs) specs.push_back(SpecJson(s));
  j["partition-specs"] = std::move(specs);
  j["last-partition-id"] = m.last_partition_id;
  j["default-sort-order-id"] = m.default_sort_order_id;
  Json orders = Json::array();
  for (const SortOrder& o : m.sort_orders) orders.push_back(SortOrderJson(o));
  j["sort-orders"] = std::move(orders);
  Json props = Json::object();
  for (const auto& [k, v] : m.properties) props[k] = v;
  j["properties"] = std::move(props);
  // Java writes -1 for "none" and every reader (Java, pyiceberg, iceberg-rust) accepts it; null would trip readers
  // that predate the spec's later wording.
  j["current-snapshot-id"] = m.current_snapshot_id.value_or(-1);
  Json refs = Json::object();
  for (const auto& [name, ref] : m.refs) refs[name] = RefJson(ref);
  j["refs"] = std::move(refs);
  Json snapshots = Json::array();
  for (const Snapshot& s : m.snapshots) snapshots.push_back(SnapshotJson(s));
  j["snapshots"] = std::move(snapshots);
  j["statistics"] = VerbatimArray(m.statistics_json);
  j["partition-statistics"] = VerbatimArray(m.partition_statistics_json);
  Json snapshot_log = Json::array();
  for (const SnapshotLogEntry& e : m.snapshot_log) {
    Json ej = Json::object();
    ej["timestamp-ms"] = e.timestamp_ms;
    ej["snapshot-id"] = e.snapshot_id;
    snapshot_log.push_back(std::move(ej));
  }
  j["snapshot-log"] = std::move(snapshot_log);
  Json metadata_log = Json::array();
  for (const MetadataLogEntry& e : m.metadata_log) {
    Json ej = Json::object();
    ej["timestamp-ms"] = e.timestamp_ms;
    ej["metadata-file"] = e.metadata_file;
    metadata_log.push_back(std::move(ej));
  }
  j["metadata-log"] = std::move(metadata_log);
  return Dump(j, 2);
}

// ---- The pieces ----

std::string SchemaToJson(const Schema& schema) {
  return Dump(SchemaJson(schema));
}

Result<Schema> SchemaFromJson(std::string_view json, std::string_view what) {
  return ParsePiece<Schema>(json, what, ParseSchema);
}

std::string PartitionSpecToJson(const PartitionSpec& spec) {
  return Dump(SpecJson(spec));
}

Result<PartitionSpec> PartitionSpecFromJson(std::string_view json, std::string_view what) {
  // Besides the spec object, a bare field array (spec id 0): Avro manifests store "partition-spec" that way, with
  // the id in "partition-spec-id" for the caller to set.
  return ParsePiece<PartitionSpec>(
      json, what, [](const JsonReader& r, const Json& j, const std::string& path) -> Result<PartitionSpec> {
        if (!j.is_array()) return ParseSpec(r, j, path);
        PartitionSpec spec;
        FLOE_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(r, j, path));
        return spec;
      });
}

std::string SortOrderToJson(const SortOrder& order) {
  return Dump(SortOrderJson(order));
}

Result<SortOrder> SortOrderFromJson(std::string_view json, std::string_view what) {
  return ParsePiece<SortOrder>(json, what, ParseSortOrder);
}

std::string SnapshotToJson(const Snapshot& snapshot) {
  return Dump(SnapshotJson(snapshot));
}

Result<Snapshot> SnapshotFromJson(std::string_view json, std::string_view what) {
  return ParsePiece<Snapshot>(json, what, ParseSnapshot);
}

}  // namespace floe::iceberg
