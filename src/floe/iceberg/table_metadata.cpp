// Table metadata JSON (Apache Iceberg table spec v2: "Table Metadata", "Table Metadata Fields", "Snapshots",
// "Snapshot References", "Sort Orders", and "Appendix C: JSON serialization").
//
// Reading walks the parsed JSON with the JSON path of every value in hand, so that an error names the exact place
// ("$.snapshots[3].timestamp-ms: expected an integer, got string"). Every problem found while reading stored JSON is
// Corruption (the file or blob failed a check), except format versions and v1 features floe does not implement,
// which are Unsupported. The pieces (SchemaFromJson, ...) use the same codes; the REST catalog maps them for its
// requests.
#include "floe/iceberg/table_metadata.h"

#include <simdjson.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "floe/base/json_text.h"
#include "floe/base/uuid.h"

namespace floe::iceberg {

namespace {

using Json = nlohmann::ordered_json;     // stored JSON text (defaults, statistics) and the reasons of parse errors
using Element = simdjson::dom::element;  // reading
using Object = simdjson::dom::object;
using Array = simdjson::dom::array;

// Nested types deeper than this are refused rather than recursed into (no real schema comes close).
constexpr int kMaxTypeDepth = 100;

// Where a value is in the document ("$.snapshots[3].summary"): a chain of frames on the reader's stack, spelled out
// only when an error needs it, so that reading a file with hundreds of snapshots builds no string per value. A Path
// refers to its parent: keep a derived Path only while the one it came from lives (no `p.Key(a).Key(b)` stored).
class Path {
 public:
  explicit Path(std::string_view root) : root_(root) {}

  Path Key(std::string_view key) const { return Path(this, key, 0); }
  Path Index(size_t index) const { return Path(this, std::string_view(), index); }

  std::string ToString() const {
    if (parent_ == nullptr) return std::string(root_);
    std::string out = parent_->ToString();
    if (key_.data() != nullptr) {
      out += '.';
      out += key_;
    } else {
      out += '[' + std::to_string(index_) + ']';
    }
    return out;
  }

 private:
  Path(const Path* parent, std::string_view key, size_t index) : parent_(parent), key_(key), index_(index) {}

  const Path* parent_ = nullptr;
  std::string_view root_;
  std::string_view key_;  // data() == nullptr: an array index
  size_t index_ = 0;
};

// The error prefix ("metadata <file>: ") and helpers that read typed values at a JSON path. Reading goes through
// simdjson's DOM: a LoadTable response or metadata file of a table with a few hundred snapshots is ~100 KB, read on
// every commit, and a tree of heap nodes per value cost a millisecond of CPU each time.
class JsonReader {
 public:
  explicit JsonReader(std::string prefix) : prefix_(std::move(prefix)) {}

  Status Error(const Path& path, const std::string& what) const {
    return Status::Corruption(prefix_ + path.ToString() + ": " + what);
  }
  Status Unsupported(const Path& path, const std::string& what) const {
    return Status::Unsupported(prefix_ + path.ToString() + ": " + what);
  }
  const std::string& prefix() const { return prefix_; }

  static std::string Describe(Element j) {
    switch (j.type()) {
      case simdjson::dom::element_type::DOUBLE: return "number " + simdjson::minify(j);
      case simdjson::dom::element_type::INT64:
      case simdjson::dom::element_type::UINT64: return "integer " + simdjson::minify(j);
      case simdjson::dom::element_type::STRING: return "string";
      case simdjson::dom::element_type::ARRAY: return "array";
      case simdjson::dom::element_type::OBJECT: return "object";
      case simdjson::dom::element_type::BOOL: return "boolean";
      case simdjson::dom::element_type::NULL_VALUE: return "null";
    }
    return "value";
  }

  Result<Object> AsObject(Element j, const Path& path) const {
    Object obj;
    if (j.get_object().get(obj) != simdjson::SUCCESS) return Error(path, "expected an object, got " + Describe(j));
    return obj;
  }
  Result<Array> AsArray(Element j, const Path& path) const {
    Array arr;
    if (j.get_array().get(arr) != simdjson::SUCCESS) return Error(path, "expected an array, got " + Describe(j));
    return arr;
  }

  // The member `key` of `obj`, or nullopt when absent. JSON null counts as absent: writers differ in whether they
  // omit optional fields or write null.
  static std::optional<Element> Find(Object obj, std::string_view key) {
    Element v;
    if (obj.at_key(key).get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
    return v;
  }
  Result<Element> Require(Object obj, const Path& path, std::string_view key) const {
    std::optional<Element> v = Find(obj, key);
    if (!v) return Error(path.Key(key), "required field is missing");
    return *v;
  }

  Result<int64_t> AsLong(Element j, const Path& path) const {
    switch (j.type()) {
      case simdjson::dom::element_type::INT64: return j.get_int64().value_unsafe();
      case simdjson::dom::element_type::UINT64:  // simdjson types only what int64 cannot hold as UINT64
        return Error(path, "integer " + simdjson::minify(j) + " is out of range for a 64-bit signed integer");
      default: return Error(path, "expected an integer, got " + Describe(j));
    }
  }
  Result<int32_t> AsInt(Element j, const Path& path) const {
    FLOE_ASSIGN_OR_RETURN(int64_t v, AsLong(j, path));
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      return Error(path, "integer " + std::to_string(v) + " is out of range for a 32-bit integer");
    }
    return static_cast<int32_t>(v);
  }
  Result<std::string> AsString(Element j, const Path& path) const {
    std::string_view s;
    if (j.get_string().get(s) != simdjson::SUCCESS) return Error(path, "expected a string, got " + Describe(j));
    return std::string(s);
  }
  Result<bool> AsBool(Element j, const Path& path) const {
    bool b = false;
    if (j.get_bool().get(b) != simdjson::SUCCESS) return Error(path, "expected a boolean, got " + Describe(j));
    return b;
  }

  Result<int64_t> Long(Object obj, const Path& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(Element v, Require(obj, path, key));
    return AsLong(v, path.Key(key));
  }
  Result<int32_t> Int(Object obj, const Path& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(Element v, Require(obj, path, key));
    return AsInt(v, path.Key(key));
  }
  Result<std::string> String(Object obj, const Path& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(Element v, Require(obj, path, key));
    return AsString(v, path.Key(key));
  }
  Result<bool> Bool(Object obj, const Path& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(Element v, Require(obj, path, key));
    return AsBool(v, path.Key(key));
  }
  Result<Array> ArrayAt(Object obj, const Path& path, std::string_view key) const {
    FLOE_ASSIGN_OR_RETURN(Element v, Require(obj, path, key));
    return AsArray(v, path.Key(key));
  }

  Result<std::optional<int64_t>> OptLong(Object obj, const Path& path, std::string_view key) const {
    std::optional<Element> v = Find(obj, key);
    if (!v) return std::optional<int64_t>();
    FLOE_ASSIGN_OR_RETURN(int64_t x, AsLong(*v, path.Key(key)));
    return std::optional<int64_t>(x);
  }
  Result<std::optional<int32_t>> OptInt(Object obj, const Path& path, std::string_view key) const {
    std::optional<Element> v = Find(obj, key);
    if (!v) return std::optional<int32_t>();
    FLOE_ASSIGN_OR_RETURN(int32_t x, AsInt(*v, path.Key(key)));
    return std::optional<int32_t>(x);
  }
  Result<std::optional<std::string>> OptString(Object obj, const Path& path, std::string_view key) const {
    std::optional<Element> v = Find(obj, key);
    if (!v) return std::optional<std::string>();
    FLOE_ASSIGN_OR_RETURN(std::string x, AsString(*v, path.Key(key)));
    return std::optional<std::string>(std::move(x));
  }

  // Parses `text` with this thread's parser (the element lives until the thread's next Parse). Corruption when it is
  // not JSON, with nlohmann's byte position and reason (it is asked only then: simdjson names no position).
  Result<Element> Parse(std::string_view text) const {
    thread_local simdjson::dom::parser parser;
    Element root;
    const simdjson::error_code error = parser.parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(root);
    if (error == simdjson::SUCCESS) return root;
    try {
      const Json reparsed = Json::parse(text.begin(), text.end());
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
    return Status::Corruption(prefix_ + "not valid JSON: " + simdjson::error_message(error));
  }

 private:
  std::string prefix_;
};

std::string PrefixFor(std::string_view what) {
  return std::string(what) + ": ";
}

// Dumps without throwing on strings that are not UTF-8 (a property value from a careless caller): such bytes
// become U+FFFD instead.
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Re-parses JSON text that floe itself stored (defaults, statistics); nullopt if it is somehow not JSON.
std::optional<Json> ParseStored(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// ---- Schemas and types ----

Result<TypePtr> ParseType(const JsonReader& r, Element j, const Path& path, int depth);

Result<std::vector<NestedField>> ParseFields(const JsonReader& r, Array arr, const Path& path, int depth) {
  std::vector<NestedField> fields;
  fields.reserve(arr.size());
  size_t i = 0;
  for (Element e : arr) {
    const Path fp = path.Index(i++);
    FLOE_ASSIGN_OR_RETURN(Object f, r.AsObject(e, fp));
    NestedField field;
    FLOE_ASSIGN_OR_RETURN(field.id, r.Int(f, fp, "id"));
    FLOE_ASSIGN_OR_RETURN(field.name, r.String(f, fp, "name"));
    FLOE_ASSIGN_OR_RETURN(field.required, r.Bool(f, fp, "required"));
    FLOE_ASSIGN_OR_RETURN(Element type, r.Require(f, fp, "type"));
    FLOE_ASSIGN_OR_RETURN(field.type, ParseType(r, type, fp.Key("type"), depth + 1));
    FLOE_ASSIGN_OR_RETURN(std::optional<std::string> doc, r.OptString(f, fp, "doc"));
    field.doc = doc.value_or("");
    if (auto d = JsonReader::Find(f, "initial-default")) field.initial_default_json = simdjson::minify(*d);
    if (auto d = JsonReader::Find(f, "write-default")) field.write_default_json = simdjson::minify(*d);
    fields.push_back(std::move(field));
  }
  return fields;
}

Result<TypePtr> ParseType(const JsonReader& r, Element j, const Path& path, int depth) {
  if (depth > kMaxTypeDepth) {
    return r.Error(path, "types nested more than " + std::to_string(kMaxTypeDepth) + " levels deep");
  }
  if (std::string_view name; j.get_string().get(name) == simdjson::SUCCESS) {
    Result<TypePtr> t = Type::ParsePrimitive(std::string(name));
    if (!t.ok()) return r.Error(path, "unknown type '" + std::string(name) + "'");
    return t;
  }
  if (!j.is_object()) {
    return r.Error(path, "expected a type name or a struct, list or map object, got " + JsonReader::Describe(j));
  }
  const Object obj = j.get_object().value_unsafe();
  FLOE_ASSIGN_OR_RETURN(std::string kind, r.String(obj, path, "type"));
  if (kind == "struct") {
    FLOE_ASSIGN_OR_RETURN(Array fields_json, r.ArrayAt(obj, path, "fields"));
    FLOE_ASSIGN_OR_RETURN(auto fields, ParseFields(r, fields_json, path.Key("fields"), depth));
    return Type::Struct(std::move(fields));
  }
  if (kind == "list") {
    FLOE_ASSIGN_OR_RETURN(int32_t element_id, r.Int(obj, path, "element-id"));
    FLOE_ASSIGN_OR_RETURN(bool element_required, r.Bool(obj, path, "element-required"));
    FLOE_ASSIGN_OR_RETURN(Element element, r.Require(obj, path, "element"));
    FLOE_ASSIGN_OR_RETURN(TypePtr element_type, ParseType(r, element, path.Key("element"), depth + 1));
    return Type::List(element_id, element_required, std::move(element_type));
  }
  if (kind == "map") {
    FLOE_ASSIGN_OR_RETURN(int32_t key_id, r.Int(obj, path, "key-id"));
    FLOE_ASSIGN_OR_RETURN(Element key, r.Require(obj, path, "key"));
    FLOE_ASSIGN_OR_RETURN(TypePtr key_type, ParseType(r, key, path.Key("key"), depth + 1));
    FLOE_ASSIGN_OR_RETURN(int32_t value_id, r.Int(obj, path, "value-id"));
    FLOE_ASSIGN_OR_RETURN(bool value_required, r.Bool(obj, path, "value-required"));
    FLOE_ASSIGN_OR_RETURN(Element value, r.Require(obj, path, "value"));
    FLOE_ASSIGN_OR_RETURN(TypePtr value_type, ParseType(r, value, path.Key("value"), depth + 1));
    return Type::Map(key_id, std::move(key_type), value_id, value_required, std::move(value_type));
  }
  return r.Error(path.Key("type"), "unknown nested type '" + kind + "' (expected struct, list or map)");
}

// A schema object; "schema-id" absent (v1 writers omitted it) reads as 0.
Result<Schema> ParseSchema(const JsonReader& r, Element j, const Path& path) {
  FLOE_ASSIGN_OR_RETURN(Object obj, r.AsObject(j, path));
  FLOE_ASSIGN_OR_RETURN(std::optional<std::string> kind, r.OptString(obj, path, "type"));
  if (kind && *kind != "struct") {
    return r.Error(path.Key("type"), "a schema must be a struct, got '" + *kind + "'");
  }
  FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> schema_id, r.OptInt(obj, path, "schema-id"));
  std::vector<int32_t> identifier_ids;
  if (auto ids_json = JsonReader::Find(obj, "identifier-field-ids")) {
    const Path ip = path.Key("identifier-field-ids");
    FLOE_ASSIGN_OR_RETURN(Array ids, r.AsArray(*ids_json, ip));
    size_t i = 0;
    for (Element e : ids) {
      FLOE_ASSIGN_OR_RETURN(int32_t id, r.AsInt(e, ip.Index(i++)));
      identifier_ids.push_back(id);
    }
  }
  FLOE_ASSIGN_OR_RETURN(Array fields_json, r.ArrayAt(obj, path, "fields"));
  FLOE_ASSIGN_OR_RETURN(auto fields, ParseFields(r, fields_json, path.Key("fields"), 0));
  Schema schema(schema_id.value_or(0), std::move(fields), std::move(identifier_ids));
  Status valid = schema.Validate();
  if (!valid.ok()) return r.Error(path, valid.message());
  return schema;
}

// ---- Partition specs and sort orders ----

// The fields of a spec: the "fields" array of a spec object, or a v1 "partition-spec" (a bare array). Fields
// without "field-id" (v1 writers) get 1000, 1001, ... in order, as the spec assigns them.
Result<std::vector<PartitionField>> ParseSpecFields(const JsonReader& r, Array arr, const Path& path) {
  std::vector<PartitionField> fields;
  int32_t next_id = kPartitionDataIdStart;
  size_t i = 0;
  for (Element e : arr) {
    const Path fp = path.Index(i++);
    FLOE_ASSIGN_OR_RETURN(Object f, r.AsObject(e, fp));
    PartitionField field;
    FLOE_ASSIGN_OR_RETURN(field.source_id, r.Int(f, fp, "source-id"));
    FLOE_ASSIGN_OR_RETURN(std::optional<int32_t> field_id, r.OptInt(f, fp, "field-id"));
    field.field_id = field_id.value_or(next_id);
    next_id = field.field_id + 1;
    FLOE_ASSIGN_OR_RETURN(field.name, r.String(f, fp, "name"));
    FLOE_ASSIGN_OR_RETURN(std::string transform, r.String(f, fp, "transform"));
    Result<Transform> t = Transform::Parse(transform);
    if (!t.ok()) return r.Error(fp.Key("transform"), "unknown transform '" + transform + "'");
    field.transform = *t;
    fields.push_back(std::move(field));
  }
  return fields;
}

Result<PartitionSpec> ParseSpec(const JsonReader& r, Element j, const Path& path) {
  FLOE_ASSIGN_OR_RETURN(Object obj, r.AsObject(j, path));
  PartitionSpec spec;
  FLOE_ASSIGN_OR_RETURN(spec.spec_id, r.Int(obj, path, "spec-id"));
  FLOE_ASSIGN_OR_RETURN(Array fields, r.ArrayAt(obj, path, "fields"));
  FLOE_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(r, fields, path.Key("fields")));
  return spec;
}

Result<SortOrder> ParseSortOrder(const JsonReader& r, Element j, const Path& path) {
  FLOE_ASSIGN_OR_RETURN(Object obj, r.AsObject(j, path));
  SortOrder order;
  FLOE_ASSIGN_OR_RETURN(order.order_id, r.Int(obj, path, "order-id"));
  FLOE_ASSIGN_OR_RETURN(Array fields, r.ArrayAt(obj, path, "fields"));
  const Path fsp = path.Key("fields");
  size_t i = 0;
  for (Element e : fields) {
    const Path fp = fsp.Index(i++);
    FLOE_ASSIGN_OR_RETURN(Object f, r.AsObject(e, fp));
    SortField field;
    FLOE_ASSIGN_OR_RETURN(std::string transform, r.String(f, fp, "transform"));
    Result<Transform> t = Transform::Parse(transform);
    if (!t.ok()) return r.Error(fp.Key("transform"), "unknown transform '" + transform + "'");
    field.transform = *t;
    FLOE_ASSIGN_OR_RETURN(field.source_id, r.Int(f, fp, "source-id"));
    FLOE_ASSIGN_OR_RETURN(std::string direction, r.String(f, fp, "direction"));
    if (direction == "asc") {
      field.direction = SortDirection::kAsc;
    } else if (direction == "desc") {
      field.direction = SortDirection::kDesc;
    } else {
      return r.Error(fp.Key("direction"), "expected 'asc' or 'desc', got '" + direction + "'");
    }
    FLOE_ASSIGN_OR_RETURN(std::string null_order, r.String(f, fp, "null-order"));
    if (null_order == "nulls-first") {
      field.null_order = NullOrder::kNullsFirst;
    } else if (null_order == "nulls-last") {
      field.null_order = NullOrder::kNullsLast;
    } else {
      return r.Error(fp.Key("null-order"), "expected 'nulls-first' or 'nulls-last', got '" + null_order + "'");
    }
    order.fields.push_back(std::move(field));
  }
  return order;
}

// ---- Snapshots ----

Result<Snapshot> ParseSnapshot(const JsonReader& r, Element j, const Path& path) {
  FLOE_ASSIGN_OR_RETURN(Object obj, r.AsObject(j, path));
  Snapshot s;
  FLOE_ASSIGN_OR_RETURN(s.snapshot_id, r.Long(obj, path, "snapshot-id"));
  FLOE_ASSIGN_OR_RETURN(s.parent_snapshot_id, r.OptLong(obj, path, "parent-snapshot-id"));
  // v1 snapshots have no sequence number: they read as 0, as the spec says for upgraded tables.
  FLOE_ASSIGN_OR_RETURN(std::optional<int64_t> seq, r.OptLong(obj, path, "sequence-number"));
  s.sequence_number = seq.value_or(0);
  FLOE_ASSIGN_OR_RETURN(s.timestamp_ms, r.Long(obj, path, "timestamp-ms"));
  FLOE_ASSIGN_OR_RETURN(std::optional<std::string> manifest_list, r.OptString(obj, path, "manifest-list"));
  if (manifest_list) {
    s.manifest_list = std::move(*manifest_list);
  } else if (JsonReader::Find(obj, "manifests")) {
    // v1 allowed listing manifest files inline instead of in a manifest list.
    return r.Unsupported(path.Key("manifests"),
                         "snapshot " + std::to_string(s.snapshot_id) +
                             " lists its manifests inline (a v1 form floe does not read); rewrite the table's "
                             "snapshots with manifest lists (e.g. by a v2 upgrade in Spark or pyiceberg)");
  } else {
    return r.Error(path.Key("manifest-list"), "required field is missing");
  }
  if (auto summary_json = JsonReader::Find(obj, "summary")) {
    const Path sp = path.Key("summary");
    FLOE_ASSIGN_OR_RETURN(Object summary, r.AsObject(*summary_json, sp));
    for (auto [key, value] : summary) {
      FLOE_ASSIGN_OR_RETURN(std::string v, r.AsString(value, sp.Key(key)));
      s.summary.emplace_back(std::string(key), std::move(v));
    }
    if (s.FindSummary("operation") == nullptr) {
      return r.Error(sp.Key("operation"), "required field is missing");
    }
  }
  FLOE_ASSIGN_OR_RETURN(s.schema_id, r.OptInt(obj, path, "schema-id"));
  return s;
}

Result<SnapshotRef> ParseRef(const JsonReader& r, Element j, const Path& path) {
  FLOE_ASSIGN_OR_RETURN(Object obj, r.AsObject(j, path));
  SnapshotRef ref;
  FLOE_ASSIGN_OR_RETURN(ref.snapshot_id, r.Long(obj, path, "snapshot-id"));
  FLOE_ASSIGN_OR_RETURN(std::string type, r.String(obj, path, "type"));
  if (type == "branch") {
    ref.is_branch = true;
  } else if (type == "tag") {
    ref.is_branch = false;
  } else {
    return r.Error(path.Key("type"), "expected 'branch' or 'tag', got '" + type + "'");
  }
  FLOE_ASSIGN_OR_RETURN(ref.min_snapshots_to_keep, r.OptInt(obj, path, "min-snapshots-to-keep"));
  FLOE_ASSIGN_OR_RETURN(ref.max_snapshot_age_ms, r.OptLong(obj, path, "max-snapshot-age-ms"));
  FLOE_ASSIGN_OR_RETURN(ref.max_ref_age_ms, r.OptLong(obj, path, "max-ref-age-ms"));
  return ref;
}

// Parses a whole piece (SchemaFromJson and friends): JSON text, then `parse` at path "$".
template <typename T, typename F>
Result<T> ParsePiece(std::string_view json, std::string_view what, F parse) {
  JsonReader r(PrefixFor(what));
  FLOE_ASSIGN_OR_RETURN(Element j, r.Parse(json));
  return parse(r, j, Path("$"));
}

// Calls `fn(element, path)` for each element of the optional array `key` of `obj`.
template <typename F>
Status ForEachIn(const JsonReader& r, Object obj, const Path& root, std::string_view key, F fn) {
  std::optional<Element> arr_json = JsonReader::Find(obj, key);
  if (!arr_json) return Status::Ok();
  const Path path = root.Key(key);
  FLOE_ASSIGN_OR_RETURN(Array arr, r.AsArray(*arr_json, path));
  size_t i = 0;
  for (Element e : arr) FLOE_RETURN_IF_ERROR(fn(e, path.Index(i++)));
  return Status::Ok();
}

// "statistics" / "partition-statistics": kept as compact JSON text; an empty array is the same as absent.
Result<std::string> ParseVerbatimArray(const JsonReader& r, Object obj, const Path& root, std::string_view key) {
  std::optional<Element> arr_json = JsonReader::Find(obj, key);
  if (!arr_json) return std::string();
  FLOE_ASSIGN_OR_RETURN(Array arr, r.AsArray(*arr_json, root.Key(key)));
  if (arr.size() == 0) return std::string();
  return simdjson::minify(arr);
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
Result<TableMetadata> ParseMetadataRoot(JsonReader& r, Element root_json);
}  // namespace

Result<TableMetadata> ParseTableMetadata(std::string_view json, std::string_view file) {
  JsonReader r("metadata " + std::string(file) + ": ");
  FLOE_ASSIGN_OR_RETURN(Element root, r.Parse(json));
  return ParseMetadataRoot(r, root);
}

Result<TableMetadata> ParseTableMetadata(const simdjson::dom::element& root, std::string_view file) {
  JsonReader r("metadata " + std::string(file) + ": ");
  return ParseMetadataRoot(r, root);
}

namespace {
Result<TableMetadata> ParseMetadataRoot(JsonReader& r, Element root_json) {
  const Path kRoot("$");
  FLOE_ASSIGN_OR_RETURN(Object root, r.AsObject(root_json, kRoot));

  TableMetadata m;
  FLOE_ASSIGN_OR_RETURN(int32_t version, r.Int(root, kRoot, "format-version"));
  if (version != 1 && version != 2) {
    return r.Unsupported(kRoot.Key("format-version"), "format version " + std::to_string(version) +
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
  if (JsonReader::Find(root, "schemas") || !v1) {
    FLOE_RETURN_IF_ERROR(r.ArrayAt(root, kRoot, "schemas").status());
    FLOE_RETURN_IF_ERROR(ForEachIn(r, root, kRoot, "schemas", [&](Element j, const Path& path) -> Status {
      FLOE_ASSIGN_OR_RETURN(Schema s, ParseSchema(r, j, path));
      m.schemas.push_back(std::move(s));
      return Status::Ok();
    }));
    FLOE_ASSIGN_OR_RETURN(m.current_schema_id, r.Int(root, kRoot, "current-schema-id"));
  } else {
    FLOE_ASSIGN_OR_RETURN(Element schema, r.Require(root, kRoot, "schema"));
    FLOE_ASSIGN_OR_RETURN(Schema s, ParseSchema(r, schema, kRoot.Key("schema")));
    m.current_schema_id = s.schema_id();
    m.schemas.push_back(std::move(s));
  }

  // Partition specs: "partition-specs" + "default-spec-id"; v1 may have only "partition-spec", a bare field array
  // that is spec 0.
  if (JsonReader::Find(root, "partition-specs") || !v1) {
    FLOE_RETURN_IF_ERROR(r.ArrayAt(root, kRoot, "partition-specs").status());
    FLOE_RETURN_IF_ERROR(ForEachIn(r, root, kRoot, "partition-specs", [&](Element j, const Path& path) -> Status {
      FLOE_ASSIGN_OR_RETURN(PartitionSpec s, ParseSpec(r, j, path));
      m.partition_specs.push_back(std::move(s));
      return Status::Ok();
    }));
    FLOE_ASSIGN_OR_RETURN(m.default_spec_id, r.Int(root, kRoot, "default-spec-id"));
  } else {
    FLOE_ASSIGN_OR_RETURN(Array fields, r.ArrayAt(root, kRoot, "partition-spec"));
    PartitionSpec spec;
    spec.spec_id = 0;
    FLOE_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(r, fields, kRoot.Key("partition-spec")));
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

  if (auto props_json = JsonReader::Find(root, "properties")) {
    const Path pp = kRoot.Key("properties");
    FLOE_ASSIGN_OR_RETURN(Object props, r.AsObject(*props_json, pp));
    for (auto [key, value] : props) {
      FLOE_ASSIGN_OR_RETURN(std::string v, r.AsString(value, pp.Key(key)));
      m.properties[std::string(key)] = std::move(v);
    }
  }

  // -1 is how older writers (Java before 1.x, pyiceberg when reading them) spelled "no current snapshot".
  FLOE_ASSIGN_OR_RETURN(m.current_snapshot_id, r.OptLong(root, kRoot, "current-snapshot-id"));
  if (m.current_snapshot_id == -1) m.current_snapshot_id.reset();

  FLOE_RETURN_IF_ERROR(ForEachIn(r, root, kRoot, "snapshots", [&](Element j, const Path& path) -> Status {
    FLOE_ASSIGN_OR_RETURN(Snapshot s, ParseSnapshot(r, j, path));
    m.snapshots.push_back(std::move(s));
    return Status::Ok();
  }));
  FLOE_RETURN_IF_ERROR(ForEachIn(r, root, kRoot, "snapshot-log", [&](Element j, const Path& path) -> Status {
    FLOE_ASSIGN_OR_RETURN(Object obj, r.AsObject(j, path));
    SnapshotLogEntry e;
    FLOE_ASSIGN_OR_RETURN(e.timestamp_ms, r.Long(obj, path, "timestamp-ms"));
    FLOE_ASSIGN_OR_RETURN(e.snapshot_id, r.Long(obj, path, "snapshot-id"));
    m.snapshot_log.push_back(e);
    return Status::Ok();
  }));
  FLOE_RETURN_IF_ERROR(ForEachIn(r, root, kRoot, "metadata-log", [&](Element j, const Path& path) -> Status {
    FLOE_ASSIGN_OR_RETURN(Object obj, r.AsObject(j, path));
    MetadataLogEntry e;
    FLOE_ASSIGN_OR_RETURN(e.timestamp_ms, r.Long(obj, path, "timestamp-ms"));
    FLOE_ASSIGN_OR_RETURN(e.metadata_file, r.String(obj, path, "metadata-file"));
    m.metadata_log.push_back(std::move(e));
    return Status::Ok();
  }));

  // Sort orders: required in v2; a v1 file without them is unsorted (order 0).
  if (JsonReader::Find(root, "sort-orders") || !v1) {
    FLOE_RETURN_IF_ERROR(r.ArrayAt(root, kRoot, "sort-orders").status());
    FLOE_RETURN_IF_ERROR(ForEachIn(r, root, kRoot, "sort-orders", [&](Element j, const Path& path) -> Status {
      FLOE_ASSIGN_OR_RETURN(SortOrder o, ParseSortOrder(r, j, path));
      m.sort_orders.push_back(std::move(o));
      return Status::Ok();
    }));
    FLOE_ASSIGN_OR_RETURN(m.default_sort_order_id, r.Int(root, kRoot, "default-sort-order-id"));
  } else {
    m.sort_orders.push_back(SortOrder{});
    m.default_sort_order_id = 0;
  }

  if (auto refs_json = JsonReader::Find(root, "refs")) {
    const Path rp = kRoot.Key("refs");
    FLOE_ASSIGN_OR_RETURN(Object refs, r.AsObject(*refs_json, rp));
    for (auto [name, value] : refs) {
      FLOE_ASSIGN_OR_RETURN(SnapshotRef ref, ParseRef(r, value, rp.Key(name)));
      m.refs[std::string(name)] = ref;
    }
  }
  // Files without refs (v1, early v2 writers) have the current snapshot as their only branch.
  if (m.current_snapshot_id && m.refs.find(std::string(kMainBranch)) == m.refs.end()) {
    SnapshotRef main;
    main.snapshot_id = *m.current_snapshot_id;
    main.is_branch = true;
    m.refs[std::string(kMainBranch)] = main;
  }

  FLOE_ASSIGN_OR_RETURN(m.statistics_json, ParseVerbatimArray(r, root, kRoot, "statistics"));
  FLOE_ASSIGN_OR_RETURN(m.partition_statistics_json, ParseVerbatimArray(r, root, kRoot, "partition-statistics"));

  Status valid = m.Validate();
  if (!valid.ok()) return Status::Corruption(r.prefix() + "$." + valid.message());
  return m;
}
}  // namespace

// ---- Writing table metadata ----

namespace {

// Written by hand into one string: the catalog encodes a table's whole metadata on every commit (100+ KB at a few
// hundred snapshots), and a document tree of it cost ten times the writing. Compact, keys in the order Java's
// TableMetadataParser writes them.

void AppendKey(std::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

// JSON text floe stored from a file it read (field defaults, statistics), compact; nullopt if it is somehow not JSON
// (it is then left out, as a writer that never had it would).
std::optional<std::string> StoredJson(const std::string& text) {
  std::optional<Json> j = ParseStored(text);
  if (!j) return std::nullopt;
  return Dump(*j);
}

// `items` as a JSON array, each written by `write(item, out)`.
template <typename T, typename W>
void WriteArray(const std::vector<T>& items, W write, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out->push_back(',');
    write(items[i], out);
  }
  out->push_back(']');
}

void WriteType(const TypePtr& type, std::string* out);

void WriteField(const NestedField& f, std::string* out) {
  out->append("{\"id\":");
  AppendJsonInt(f.id, out);
  out->append(",\"name\":");
  AppendJsonString(f.name, out);
  out->append(f.required ? ",\"required\":true,\"type\":" : ",\"required\":false,\"type\":");
  WriteType(f.type, out);
  if (!f.doc.empty()) {
    out->append(",\"doc\":");
    AppendJsonString(f.doc, out);
  }
  const std::pair<const char*, const std::optional<std::string>*> defaults[] = {
      {",\"initial-default\":", &f.initial_default_json}, {",\"write-default\":", &f.write_default_json}};
  for (const auto& [key, text] : defaults) {
    if (!*text) continue;
    if (std::optional<std::string> d = StoredJson(**text)) {
      out->append(key);
      out->append(*d);
    }
  }
  out->push_back('}');
}

void WriteFields(const std::vector<NestedField>& fields, std::string* out) {
  WriteArray(fields, WriteField, out);
}

void WriteType(const TypePtr& type, std::string* out) {
  assert(type != nullptr);
  switch (type->id) {
    case TypeId::kStruct:
      out->append("{\"type\":\"struct\",\"fields\":");
      WriteFields(type->fields, out);
      out->push_back('}');
      return;
    case TypeId::kList: {
      assert(type->fields.size() == 1);
      const NestedField& e = type->fields[0];
      out->append("{\"type\":\"list\",\"element-id\":");
      AppendJsonInt(e.id, out);
      out->append(",\"element\":");
      WriteType(e.type, out);
      out->append(e.required ? ",\"element-required\":true}" : ",\"element-required\":false}");
      return;
    }
    case TypeId::kMap: {
      assert(type->fields.size() == 2);
      const NestedField& k = type->fields[0];
      const NestedField& v = type->fields[1];
      out->append("{\"type\":\"map\",\"key-id\":");
      AppendJsonInt(k.id, out);
      out->append(",\"key\":");
      WriteType(k.type, out);
      out->append(",\"value-id\":");
      AppendJsonInt(v.id, out);
      out->append(",\"value\":");
      WriteType(v.type, out);
      out->append(v.required ? ",\"value-required\":true}" : ",\"value-required\":false}");
      return;
    }
    default: AppendJsonString(type->ToString(), out);
  }
}

void WriteSchema(const Schema& schema, std::string* out) {
  out->append("{\"type\":\"struct\",\"schema-id\":");
  AppendJsonInt(schema.schema_id(), out);
  if (!schema.identifier_field_ids().empty()) {
    out->append(",\"identifier-field-ids\":");
    WriteArray(
        schema.identifier_field_ids(), [](int32_t id, std::string* o) { AppendJsonInt(id, o); }, out);
  }
  out->append(",\"fields\":");
  WriteFields(schema.fields(), out);
  out->push_back('}');
}

void WritePartitionField(const PartitionField& f, std::string* out) {
  out->append("{\"name\":");
  AppendJsonString(f.name, out);
  out->append(",\"transform\":");
  AppendJsonString(f.transform.ToString(), out);
  out->append(",\"source-id\":");
  AppendJsonInt(f.source_id, out);
  out->append(",\"field-id\":");
  AppendJsonInt(f.field_id, out);
  out->push_back('}');
}

void WriteSpec(const PartitionSpec& spec, std::string* out) {
  out->append("{\"spec-id\":");
  AppendJsonInt(spec.spec_id, out);
  out->append(",\"fields\":");
  WriteArray(spec.fields, WritePartitionField, out);
  out->push_back('}');
}

void WriteSortField(const SortField& f, std::string* out) {
  out->append("{\"transform\":");
  AppendJsonString(f.transform.ToString(), out);
  out->append(",\"source-id\":");
  AppendJsonInt(f.source_id, out);
  out->append(f.direction == SortDirection::kAsc ? ",\"direction\":\"asc\"" : ",\"direction\":\"desc\"");
  out->append(f.null_order == NullOrder::kNullsFirst ? ",\"null-order\":\"nulls-first\"}"
                                                     : ",\"null-order\":\"nulls-last\"}");
}

void WriteSortOrder(const SortOrder& order, std::string* out) {
  out->append("{\"order-id\":");
  AppendJsonInt(order.order_id, out);
  out->append(",\"fields\":");
  WriteArray(order.fields, WriteSortField, out);
  out->push_back('}');
}

void WriteSnapshot(const Snapshot& s, std::string* out) {
  out->append("{\"snapshot-id\":");
  AppendJsonInt(s.snapshot_id, out);
  if (s.parent_snapshot_id) {
    out->append(",\"parent-snapshot-id\":");
    AppendJsonInt(*s.parent_snapshot_id, out);
  }
  out->append(",\"sequence-number\":");
  AppendJsonInt(s.sequence_number, out);
  out->append(",\"timestamp-ms\":");
  AppendJsonInt(s.timestamp_ms, out);
  // A snapshot read without a summary (allowed for old writers) is written without one: an empty summary would not
  // read back, since a summary must name its operation. A key given twice is written once, at its first place, with
  // its last value (a JSON object's keys are unique).
  if (!s.summary.empty()) {
    out->append(",\"summary\":{");
    bool first = true;
    for (size_t i = 0; i < s.summary.size(); ++i) {
      const std::string& key = s.summary[i].first;
      bool seen = false;
      for (size_t k = 0; k < i && !seen; ++k) seen = s.summary[k].first == key;
      if (seen) continue;
      const std::string* value = &s.summary[i].second;
      for (size_t k = i + 1; k < s.summary.size(); ++k) {
        if (s.summary[k].first == key) value = &s.summary[k].second;
      }
      if (!first) out->push_back(',');
      first = false;
      AppendKey(key, out);
      AppendJsonString(*value, out);
    }
    out->push_back('}');
  }
  out->append(",\"manifest-list\":");
  AppendJsonString(s.manifest_list, out);
  if (s.schema_id) {
    out->append(",\"schema-id\":");
    AppendJsonInt(*s.schema_id, out);
  }
  out->push_back('}');
}

void WriteRef(const SnapshotRef& ref, std::string* out) {
  out->append("{\"snapshot-id\":");
  AppendJsonInt(ref.snapshot_id, out);
  out->append(ref.is_branch ? ",\"type\":\"branch\"" : ",\"type\":\"tag\"");
  if (ref.min_snapshots_to_keep) {
    out->append(",\"min-snapshots-to-keep\":");
    AppendJsonInt(*ref.min_snapshots_to_keep, out);
  }
  if (ref.max_snapshot_age_ms) {
    out->append(",\"max-snapshot-age-ms\":");
    AppendJsonInt(*ref.max_snapshot_age_ms, out);
  }
  if (ref.max_ref_age_ms) {
    out->append(",\"max-ref-age-ms\":");
    AppendJsonInt(*ref.max_ref_age_ms, out);
  }
  out->push_back('}');
}

// "statistics" / "partition-statistics", kept as JSON text: an array, or [] when there is none.
void WriteVerbatimArray(const std::string& text, std::string* out) {
  std::optional<Json> j = text.empty() ? std::nullopt : ParseStored(text);
  out->append(j && j->is_array() ? Dump(*j) : "[]");
}

template <typename T, typename W>
std::string Written(const T& value, W write) {
  std::string out;
  write(value, &out);
  return out;
}

}  // namespace

std::string TableMetadataToJson(const TableMetadata& m) {
  std::string out;
  out.reserve(1024 + 700 * m.snapshots.size());
  out.append("{\"format-version\":2,\"table-uuid\":");
  AppendJsonString(m.table_uuid, &out);
  out.append(",\"location\":");
  AppendJsonString(m.location, &out);
  out.append(",\"last-sequence-number\":");
  AppendJsonInt(m.last_sequence_number, &out);
  out.append(",\"last-updated-ms\":");
  AppendJsonInt(m.last_updated_ms, &out);
  out.append(",\"last-column-id\":");
  AppendJsonInt(m.last_column_id, &out);
  out.append(",\"current-schema-id\":");
  AppendJsonInt(m.current_schema_id, &out);
  out.append(",\"schemas\":");
  WriteArray(m.schemas, WriteSchema, &out);
  out.append(",\"default-spec-id\":");
  AppendJsonInt(m.default_spec_id, &out);
  out.append(",\"partition-specs\":");
  WriteArray(m.partition_specs, WriteSpec, &out);
  out.append(",\"last-partition-id\":");
  AppendJsonInt(m.last_partition_id, &out);
  out.append(",\"default-sort-order-id\":");
  AppendJsonInt(m.default_sort_order_id, &out);
  out.append(",\"sort-orders\":");
  WriteArray(m.sort_orders, WriteSortOrder, &out);
  out.append(",\"properties\":{");
  bool first = true;
  for (const auto& [k, v] : m.properties) {
    if (!first) out.push_back(',');
    first = false;
    AppendKey(k, &out);
    AppendJsonString(v, &out);
  }
  // Java writes -1 for "none" and every reader (Java, pyiceberg, iceberg-rust) accepts it; null would trip readers
  // that predate the spec's later wording.
  out.append("},\"current-snapshot-id\":");
  AppendJsonInt(m.current_snapshot_id.value_or(-1), &out);
  out.append(",\"refs\":{");
  first = true;
  for (const auto& [name, ref] : m.refs) {
    if (!first) out.push_back(',');
    first = false;
    AppendKey(name, &out);
    WriteRef(ref, &out);
  }
  out.append("},\"snapshots\":");
  WriteArray(m.snapshots, WriteSnapshot, &out);
  out.append(",\"statistics\":");
  WriteVerbatimArray(m.statistics_json, &out);
  out.append(",\"partition-statistics\":");
  WriteVerbatimArray(m.partition_statistics_json, &out);
  out.append(",\"snapshot-log\":");
  WriteArray(
      m.snapshot_log,
      [](const SnapshotLogEntry& e, std::string* o) {
        o->append("{\"timestamp-ms\":");
        AppendJsonInt(e.timestamp_ms, o);
        o->append(",\"snapshot-id\":");
        AppendJsonInt(e.snapshot_id, o);
        o->push_back('}');
      },
      &out);
  out.append(",\"metadata-log\":");
  WriteArray(
      m.metadata_log,
      [](const MetadataLogEntry& e, std::string* o) {
        o->append("{\"timestamp-ms\":");
        AppendJsonInt(e.timestamp_ms, o);
        o->append(",\"metadata-file\":");
        AppendJsonString(e.metadata_file, o);
        o->push_back('}');
      },
      &out);
  out.push_back('}');
  return out;
}

// ---- The pieces ----

std::string SchemaToJson(const Schema& schema) {
  return Written(schema, WriteSchema);
}

Result<Schema> SchemaFromJson(std::string_view json, std::string_view what) {
  return ParsePiece<Schema>(json, what, ParseSchema);
}

std::string PartitionSpecToJson(const PartitionSpec& spec) {
  return Written(spec, WriteSpec);
}

Result<PartitionSpec> PartitionSpecFromJson(std::string_view json, std::string_view what) {
  // Besides the spec object, a bare field array (spec id 0): Avro manifests store "partition-spec" that way, with
  // the id in "partition-spec-id" for the caller to set.
  return ParsePiece<PartitionSpec>(
      json, what, [](const JsonReader& r, Element j, const Path& path) -> Result<PartitionSpec> {
        if (!j.is_array()) return ParseSpec(r, j, path);
        PartitionSpec spec;
        FLOE_ASSIGN_OR_RETURN(spec.fields, ParseSpecFields(r, j.get_array().value_unsafe(), path));
        return spec;
      });
}

std::string SortOrderToJson(const SortOrder& order) {
  return Written(order, WriteSortOrder);
}

Result<SortOrder> SortOrderFromJson(std::string_view json, std::string_view what) {
  return ParsePiece<SortOrder>(json, what, ParseSortOrder);
}

std::string SnapshotToJson(const Snapshot& snapshot) {
  return Written(snapshot, WriteSnapshot);
}

Result<Snapshot> SnapshotFromJson(std::string_view json, std::string_view what) {
  return ParsePiece<Snapshot>(json, what, ParseSnapshot);
}

}  // namespace floe::iceberg
