// Manifests and manifest lists as Avro object container files (Apache Iceberg table spec v2: "Manifests",
// "Manifest Entry Fields", "Data File Fields", "Sequence Number Inheritance", "Manifest Lists"; the Avro types,
// logical types and field-id attributes of "Appendix A: Format-specific Requirements / Avro"; bounds in the binary
// form of "Appendix D").
//
// Writing follows what the Java reference implementation writes for format version 2 (V2Metadata): the same record
// names (manifest_entry, r2, r102, k117_v118, ..., manifest_file, r508), fields in the same order, optional fields as
// ["null", T] with default null. Reading never trusts positions: every field is found in the file's own schema by its
// field id (by name when the file has no ids), so v1 files, files with fields in another order and files that lack
// optional fields all read.
#include "floe/iceberg/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "floe/formats/avro/avro_container.h"
#include "floe/formats/avro/avro_schema.h"
#include "floe/formats/avro/avro_value.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {
namespace {

using avro::AvroDatum;
using avro::AvroNode;
using avro::AvroType;
using Json = nlohmann::ordered_json;

// Field ids of the spec's manifest_entry, data_file and manifest_file structs.
namespace ids {
constexpr int32_t kStatus = 0, kSnapshotId = 1, kDataFile = 2, kSequenceNumber = 3, kFileSequenceNumber = 4;
constexpr int32_t kFilePath = 100, kFileFormat = 101, kPartition = 102, kRecordCount = 103, kFileSize = 104;
constexpr int32_t kColumnSizes = 108, kValueCounts = 109, kNullValueCounts = 110, kLowerBounds = 125,
                  kUpperBounds = 128, kKeyMetadata = 131, kSplitOffsets = 132, kSplitOffsetsElement = 133,
                  kContent = 134, kEqualityIds = 135, kEqualityIdsElement = 136, kNanValueCounts = 137,
                  kSortOrderId = 140, kReferencedDataFile = 143;
constexpr int32_t kManifestPath = 500, kManifestLength = 501, kPartitionSpecId = 502, kAddedSnapshotId = 503,
                  kAddedFilesCount = 504, kExistingFilesCount = 505, kDeletedFilesCount = 506, kPartitions = 507,
                  kPartitionSummary = 508, kContainsNull = 509, kLowerBound = 510, kUpperBound = 511,
                  kAddedRowsCount = 512, kExistingRowsCount = 513, kDeletedRowsCount = 514, kListSequenceNumber = 515,
                  kMinSequenceNumber = 516, kManifestContent = 517, kContainsNan = 518, kListKeyMetadata = 519;
}  // namespace ids

// ---- Avro schemas (Appendix A) ----

Json RequiredField(std::string_view name, Json type, int32_t id) {
  return Json{{"name", name}, {"type", std::move(type)}, {"field-id", id}};
}

Json OptionalField(std::string_view name, Json type, int32_t id) {
  return Json{{"name", name}, {"type", Json::array({"null", std::move(type)})}, {"default", nullptr}, {"field-id", id}};
}

// map<int, V> with required values: an array of key/value records named k<key id>_v<value id>, logicalType map.
Json IntMapField(std::string_view name, int32_t id, int32_t key_id, int32_t value_id, std::string_view value_type) {
  Json record{
      {"type", "record"},
      {"name", fmt::format("k{}_v{}", key_id, value_id)},
      {"fields", Json::array({RequiredField("key", "int", key_id), RequiredField("value", value_type, value_id)})}};
  return OptionalField(name, Json{{"type", "array"}, {"items", std::move(record)}, {"logicalType", "map"}}, id);
}

Json ListField(std::string_view name, int32_t id, int32_t element_id, std::string_view element_type) {
  return OptionalField(name, Json{{"type", "array"}, {"items", element_type}, {"element-id", element_id}}, id);
}

// The fewest bytes of big-endian two's complement that hold every unscaled value of a decimal(P, S).
int DecimalRequiredBytes(int32_t precision) {
  unsigned __int128 max = 1;
  for (int32_t i = 0; i < precision; ++i) max *= 10;
  for (int n = 1; n < 16; ++n)
    if (max - 1 < (static_cast<unsigned __int128>(1) << (8 * n - 1))) return n;
  return 16;
}

// The Avro type of a partition value of `type`, named fixed types as Java names them ("decimal_9_2", "uuid_fixed",
// "fixed_16"); a named type already in `named` is referenced by its name.
Result<Json> PrimitiveAvroType(const Type& type, std::set<std::string>* named) {
  auto named_fixed = [&](std::string name, int64_t size, Json attrs) -> Json {
    if (!named->insert(name).second) return Json(name);
    Json j{{"type", "fixed"}, {"name", name}, {"size", size}};
    for (auto& [k, v] : attrs.items()) j[k] = v;
    return j;
  };
  auto logical = [](std::string_view base, std::string_view logical_type) {
    return Json{{"type", base}, {"logicalType", logical_type}};
  };
  auto timestamp = [](std::string_view logical_type, bool utc) {
    return Json{{"type", "long"}, {"logicalType", logical_type}, {"adjust-to-utc", utc}};
  };
  switch (type.id) {
    case TypeId::kBoolean: return Json("boolean");
    case TypeId::kInt: return Json("int");
    case TypeId::kLong: return Json("long");
    case TypeId::kFloat: return Json("float");
    case TypeId::kDouble: return Json("double");
    case TypeId::kDate: return logical("int", "date");
    case TypeId::kTime: return logical("long", "time-micros");
    case TypeId::kTimestamp: return timestamp("timestamp-micros", false);
    case TypeId::kTimestampTz: return timestamp("timestamp-micros", true);
    case TypeId::kTimestampNs: return timestamp("timestamp-nanos", false);
    case TypeId::kTimestampTzNs: return timestamp("timestamp-nanos", true);
    case TypeId::kString: return Json("string");
    case TypeId::kBinary: return Json("bytes");
    case TypeId::kUuid: return named_fixed("uuid_fixed", 16, Json{{"logicalType", "uuid"}});
    case TypeId::kFixed:
      if (type.length < 0) return Status::InvalidArgument(fmt::format("fixed length {} is negative", type.length));
      return named_fixed(fmt::format("fixed_{}", type.length), type.length, Json::object());
    case TypeId::kDecimal:
      if (type.precision < 1 || type.precision > 38)
        return Status::InvalidArgument(fmt::format("decimal precision {} is not 1..38", type.precision));
      return named_fixed(fmt::format("decimal_{}_{}", type.precision, type.scale), DecimalRequiredBytes(type.precision),
                         Json{{"logicalType", "decimal"}, {"precision", type.precision}, {"scale", type.scale}});
    default: return Status::InvalidArgument("partition values must be of primitive types, not " + type.ToString());
  }
}

bool IsAvroNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsAvroNameChar(char c) {
  return IsAvroNameStart(c) || (c >= '0' && c <= '9');
}

// A partition field name made a valid Avro name the way Java does it: a leading digit gets "_" before it, any other
// character that Avro does not allow becomes "_x" and its code point in upper-case hex ("ts-day" -> "ts_x2Dday").
// Non-ASCII characters are replaced too (Avro names are ASCII). The original name goes into "iceberg-field-name".
std::string AvroCompatibleName(std::string_view name) {
  std::string out;
  size_t i = 0;
  while (i < name.size()) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool first = i == 0;
    if (c < 0x80 && (first ? IsAvroNameStart(static_cast<char>(c)) : IsAvroNameChar(static_cast<char>(c)))) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (first && c >= '0' && c <= '9') {
      out += '_';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    // Decode one UTF-8 code point (a malformed byte stands for itself).
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xC0 && c < 0xE0)
      cp = c & 0x1F, len = 2;
    else if (c >= 0xE0 && c < 0xF0)
      cp = c & 0x0F, len = 3;
    else if (c >= 0xF0 && c < 0xF8)
      cp = c & 0x07, len = 4;
    if (len > 1 && i + len <= name.size()) {
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(name[i + k]) & 0x3F);
    } else {
      cp = c;
      len = 1;
    }
    out += fmt::format("_x{:X}", cp);
    i += len;
  }
  return out.empty() ? "_" : out;
}

bool IsAvroName(std::string_view name) {
  if (name.empty() || !IsAvroNameStart(name[0])) return false;
  return std::all_of(name.begin(), name.end(), IsAvroNameChar);
}

Result<avro::AvroSchema> BuildManifestEntrySchema(const Type& partition_type) {
  std::set<std::string> named;
  Json partition_fields = Json::array();
  for (const NestedField& f : partition_type.fields) {
    auto type = PrimitiveAvroType(*f.type, &named);
    if (!type.ok())
      return Status::InvalidArgument(fmt::format("partition field '{}': {}", f.name, type.status().message()));
    Json field = OptionalField(AvroCompatibleName(f.name), std::move(*type), f.id);
    if (!IsAvroName(f.name)) {
      // Java puts the original name before the field id.
      field.erase("field-id");
      field["iceberg-field-name"] = f.name;
      field["field-id"] = f.id;
    }
    partition_fields.push_back(std::move(field));
  }
  Json data_file{
      {"type", "record"},
      {"name", "r2"},
      {"fields", Json::array({
                     RequiredField("content", "int", ids::kContent),
                     RequiredField("file_path", "string", ids::kFilePath),
                     RequiredField("file_format", "string", ids::kFileFormat),
                     RequiredField("partition",
                                   Json{{"type", "record"}, {"name", "r102"}, {"fields", std::move(partition_fields)}},
                                   ids::kPartition),
                     RequiredField("record_count", "long", ids::kRecordCount),
                     RequiredField("file_size_in_bytes", "long", ids::kFileSize),
                     IntMapField("column_sizes", ids::kColumnSizes, 117, 118, "long"),
                     IntMapField("value_counts", ids::kValueCounts, 119, 120, "long"),
                     IntMapField("null_value_counts", ids::kNullValueCounts, 121, 122, "long"),
                     IntMapField("nan_value_counts", ids::kNanValueCounts, 138, 139, "long"),
                     IntMapField("lower_bounds", ids::kLowerBounds, 126, 127, "bytes"),
                     IntMapField("upper_bounds", ids::kUpperBounds, 129, 130, "bytes"),
                     OptionalField("key_metadata", "bytes", ids::kKeyMetadata),
                     ListField("split_offsets", ids::kSplitOffsets, ids::kSplitOffsetsElement, "long"),
                     ListField("equality_ids", ids::kEqualityIds, ids::kEqualityIdsElement, "int"),
                     OptionalField("sort_order_id", "int", ids::kSortOrderId),
                     // Optional in v2 (a position delete file's single referenced data file); floe writes null.
                     OptionalField("referenced_data_file", "string", ids::kReferencedDataFile),
                 })}};
  Json entry{{"type", "record"},
             {"name", "manifest_entry"},
             {"fields", Json::array({
                            RequiredField("status", "int", ids::kStatus),
                            OptionalField("snapshot_id", "long", ids::kSnapshotId),
                            OptionalField("sequence_number", "long", ids::kSequenceNumber),
                            OptionalField("file_sequence_number", "long", ids::kFileSequenceNumber),
                            RequiredField("data_file", std::move(data_file), ids::kDataFile),
                        })}};
  return avro::AvroSchema::Parse(entry.dump());
}

Result<avro::AvroSchema> BuildManifestFileSchema() {
  Json summary{{"type", "record"},
               {"name", "r508"},
               {"fields", Json::array({
                              RequiredField("contains_null", "boolean", ids::kContainsNull),
                              OptionalField("contains_nan", "boolean", ids::kContainsNan),
                              OptionalField("lower_bound", "bytes", ids::kLowerBound),
                              OptionalField("upper_bound", "bytes", ids::kUpperBound),
                          })}};
  Json file{
      {"type", "record"},
      {"name", "manifest_file"},
      {"fields",
       Json::array({
           RequiredField("manifest_path", "string", ids::kManifestPath),
           RequiredField("manifest_length", "long", ids::kManifestLength),
           RequiredField("partition_spec_id", "int", ids::kPartitionSpecId),
           RequiredField("content", "int", ids::kManifestContent),
           RequiredField("sequence_number", "long", ids::kListSequenceNumber),
           RequiredField("min_sequence_number", "long", ids::kMinSequenceNumber),
           RequiredField("added_snapshot_id", "long", ids::kAddedSnapshotId),
           RequiredField("added_files_count", "int", ids::kAddedFilesCount),
           RequiredField("existing_files_count", "int", ids::kExistingFilesCount),
           RequiredField("deleted_files_count", "int", ids::kDeletedFilesCount),
           RequiredField("added_rows_count", "long", ids::kAddedRowsCount),
           RequiredField("existing_rows_count", "long", ids::kExistingRowsCount),
           RequiredField("deleted_rows_count", "long", ids::kDeletedRowsCount),
           OptionalField("partitions",
                         Json{{"type", "array"}, {"items", std::move(summary)}, {"element-id", ids::kPartitionSummary}},
                         ids::kPartitions),
           OptionalField("key_metadata", "bytes", ids::kListKeyMetadata),
       })}};
  return avro::AvroSchema::Parse(file.dump());
}

// The schemas are built as JSON and parsed, which cost more than writing a small manifest: they are kept, the entry
// schema per partition type (a process writes manifests for a handful of partition specs).
Result<avro::AvroSchema> ManifestEntrySchema(const Type& partition_type) {
  static std::mutex mu;
  static auto* cache = new std::map<std::string, avro::AvroSchema>();  // never destroyed: used until exit
  std::string key;  // unambiguous whatever the names hold: lengths before names
  for (const NestedField& f : partition_type.fields) {
    key += std::to_string(f.id) + ":" + std::to_string(f.name.size()) + ":" + f.name + ":" +
           (f.type ? f.type->ToString() : "?") + ";";
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
  }
  FLOE_ASSIGN_OR_RETURN(avro::AvroSchema schema, BuildManifestEntrySchema(partition_type));
  std::lock_guard<std::mutex> lock(mu);
  if (cache->size() >= 64) cache->clear();  // bounded: a process with ever new partition types re-parses
  cache->emplace(key, schema);
  return schema;
}

Result<avro::AvroSchema> ManifestFileSchema() {
  static const Result<avro::AvroSchema>* schema = new Result<avro::AvroSchema>(BuildManifestFileSchema());
  return *schema;
}

// ---- values ----

std::string_view StatusName(ManifestEntryStatus s) {
  switch (s) {
    case ManifestEntryStatus::kExisting: return "existing";
    case ManifestEntryStatus::kAdded: return "added";
    case ManifestEntryStatus::kDeleted: return "deleted";
  }
  return "?";
}

std::string_view ContentName(FileContent c) {
  switch (c) {
    case FileContent::kData: return "data";
    case FileContent::kPositionDeletes: return "position deletes";
    case FileContent::kEqualityDeletes: return "equality deletes";
  }
  return "?";
}

// Whether the variant alternative of `v` is the representation iceberg_types.h gives type `id`.
bool HasRepresentationOf(const Literal& v, TypeId id) {
  switch (id) {
    case TypeId::kBoolean: return std::holds_alternative<bool>(v.value);
    case TypeId::kInt:
    case TypeId::kDate: return std::holds_alternative<int32_t>(v.value);
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: return std::holds_alternative<int64_t>(v.value);
    case TypeId::kFloat: return std::holds_alternative<float>(v.value);
    case TypeId::kDouble: return std::holds_alternative<double>(v.value);
    case TypeId::kDecimal: return std::holds_alternative<DecimalValue>(v.value);
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary: return std::holds_alternative<std::string>(v.value);
    default: return false;
  }
}

// `unscaled` as big-endian two's complement in exactly `size` bytes; false if it does not fit.
bool DecimalToBytes(__int128 unscaled, int size, std::string* out) {
  if (size < 16) {
    __int128 high = unscaled >> (8 * size - 1);
    if (high != 0 && high != -1) return false;
  }
  out->assign(static_cast<size_t>(size), '\0');
  auto u = static_cast<unsigned __int128>(unscaled);
  for (int i = size - 1; i >= 0; --i) {
    (*out)[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(u & 0xFF));
    u >>= 8;
  }
  return true;
}

// Big-endian two's complement (1 to 16 bytes, sign-extended) as an unscaled decimal.
bool DecimalFromBytes(std::string_view bytes, __int128* out) {
  if (bytes.empty() || bytes.size() > 16) return false;
  unsigned __int128 u = (static_cast<uint8_t>(bytes[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
  for (char c : bytes) u = (u << 8) | static_cast<uint8_t>(c);
  *out = static_cast<__int128>(u);
  return true;
}

// A partition value as the Avro datum of its field (the union's non-null branch). InvalidArgument("<why>").
Result<AvroDatum> PartitionValueToDatum(const Literal& v, const Type& type) {
  if (!v.type || !(*v.type == type) || !HasRepresentationOf(v, type.id)) {
    return Status::InvalidArgument(fmt::format("value of type {} where the partition type is {}",
                                               v.type ? v.type->ToString() : std::string("(none)"), type.ToString()));
  }
  switch (type.id) {
    case TypeId::kBoolean: return AvroDatum::Boolean(v.as_bool());
    case TypeId::kInt:
    case TypeId::kDate: return AvroDatum::Int(v.as_int());
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: return AvroDatum::Long(v.as_long());
    case TypeId::kFloat: return AvroDatum::Float(v.as_float());
    case TypeId::kDouble: return AvroDatum::Double(v.as_double());
    case TypeId::kString: return AvroDatum::String(v.as_bytes());
    case TypeId::kBinary: return AvroDatum::Bytes(v.as_bytes());
    case TypeId::kUuid:
      if (v.as_bytes().size() != 16)
        return Status::InvalidArgument(fmt::format("uuid of {} bytes, not 16", v.as_bytes().size()));
      return AvroDatum::Fixed(v.as_bytes());
    case TypeId::kFixed:
      if (v.as_bytes().size() != static_cast<size_t>(type.length))
        return Status::InvalidArgument(fmt::format("{} bytes for a {}", v.as_bytes().size(), type.ToString()));
      return AvroDatum::Fixed(v.as_bytes());
    case TypeId::kDecimal: {
      std::string bytes;
      if (!DecimalToBytes(v.as_decimal().unscaled, DecimalRequiredBytes(type.precision), &bytes))
        return Status::InvalidArgument(fmt::format("{} does not fit {}", v.ToString(), type.ToString()));
      return AvroDatum::Fixed(std::move(bytes));
    }
    default: return Status::InvalidArgument("not a primitive type: " + type.ToString());
  }
}

AvroDatum IntLongMap(const std::map<int32_t, int64_t>& m) {
  if (m.empty()) return AvroDatum::Null();
  std::vector<AvroDatum> items;
  items.reserve(m.size());
  for (const auto& [k, v] : m) items.push_back(AvroDatum::Record({AvroDatum::Int(k), AvroDatum::Long(v)}));
  return AvroDatum::Array(std::move(items));
}

AvroDatum IntBytesMap(const std::map<int32_t, std::string>& m) {
  if (m.empty()) return AvroDatum::Null();
  std::vector<AvroDatum> items;
  items.reserve(m.size());
  for (const auto& [k, v] : m) items.push_back(AvroDatum::Record({AvroDatum::Int(k), AvroDatum::Bytes(v)}));
  return AvroDatum::Array(std::move(items));
}

template <typename T>
AvroDatum OptionalDatum(const std::optional<T>& v, AvroDatum (*make)(T)) {
  return v ? make(*v) : AvroDatum::Null();
}

AvroDatum OptionalBytes(const std::optional<std::string>& v) {
  return v ? AvroDatum::Bytes(*v) : AvroDatum::Null();
}

}  // namespace

// ---- ManifestWriter ----

struct ManifestWriter::State {
  Schema schema;
  PartitionSpec spec;
  TypePtr partition_type;
  int64_t snapshot_id = 0;
  ManifestContent content = ManifestContent::kData;
  avro::AvroWriter writer;

  struct FieldStats {
    bool contains_null = false;
    bool contains_nan = false;
    std::optional<Literal> min, max;
  };
  std::vector<FieldStats> stats;
  int32_t files[3] = {0, 0, 0};  // by ManifestEntryStatus
  int64_t rows[3] = {0, 0, 0};
  std::optional<int64_t> min_data_sequence_number;  // of live entries with an explicit one
  bool finished = false;

  State(avro::AvroWriter w) : writer(std::move(w)) {}

  Status Write(ManifestEntryStatus status, std::optional<int64_t> snapshot, std::optional<int64_t> sequence_number,
               std::optional<int64_t> file_sequence_number, const DataFile& file);
};

Status ManifestWriter::State::Write(ManifestEntryStatus status, std::optional<int64_t> snapshot,
                                    std::optional<int64_t> sequence_number, std::optional<int64_t> file_sequence_number,
                                    const DataFile& file) {
  auto fail = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("manifest writer: {} entry for data file {}: {}", StatusName(status), file.file_path, why));
  };
  if (finished) return fail("the manifest is already finished");
  bool delete_file = file.content != FileContent::kData;
  if (delete_file != (content == ManifestContent::kDeletes)) {
    return fail(fmt::format("a {} file does not belong in a {} manifest", ContentName(file.content),
                            content == ManifestContent::kData ? "data" : "deletes"));
  }
  if (file.spec_id != spec.spec_id)
    return fail(fmt::format("written with partition spec {}, the manifest's is {}", file.spec_id, spec.spec_id));
  if (file.file_path.empty()) return fail("file_path is empty");
  if (file.record_count < 0) return fail("record_count is negative");
  if (file.file_size_in_bytes < 0) return fail("file_size_in_bytes is negative");
  const auto& pfields = partition_type->fields;
  if (file.partition.size() != pfields.size()) {
    return fail(fmt::format("partition has {} values, the spec {} fields", file.partition.size(), pfields.size()));
  }

  std::vector<AvroDatum> partition;
  partition.reserve(pfields.size());
  for (size_t i = 0; i < pfields.size(); ++i) {
    const auto& v = file.partition[i];
    if (!v) {
      partition.push_back(AvroDatum::Null());
      continue;
    }
    auto d = PartitionValueToDatum(*v, *pfields[i].type);
    if (!d.ok()) return fail(fmt::format("partition field '{}': {}", pfields[i].name, d.status().message()));
    partition.push_back(std::move(*d));
  }

  std::vector<AvroDatum> split_offsets, equality_ids;
  for (int64_t o : file.split_offsets) split_offsets.push_back(AvroDatum::Long(o));
  for (int32_t id : file.equality_ids) equality_ids.push_back(AvroDatum::Int(id));
  AvroDatum data_file = AvroDatum::Record({
      AvroDatum::Int(static_cast<int32_t>(file.content)), AvroDatum::String(file.file_path),
      AvroDatum::String(file.file_format), AvroDatum::Record(std::move(partition)), AvroDatum::Long(file.record_count),
      AvroDatum::Long(file.file_size_in_bytes), IntLongMap(file.column_sizes), IntLongMap(file.value_counts),
      IntLongMap(file.null_value_counts), IntLongMap(file.nan_value_counts), IntBytesMap(file.lower_bounds),
      IntBytesMap(file.upper_bounds), OptionalBytes(file.key_metadata),
      split_offsets.empty() ? AvroDatum::Null() : AvroDatum::Array(std::move(split_offsets)),
      equality_ids.empty() ? AvroDatum::Null() : AvroDatum::Array(std::move(equality_ids)),
      OptionalDatum<int32_t>(file.sort_order_id, &AvroDatum::Int),
      AvroDatum::Null(),  // referenced_data_file
  });
  AvroDatum entry = AvroDatum::Record({
      AvroDatum::Int(static_cast<int32_t>(status)),
      OptionalDatum<int64_t>(snapshot, &AvroDatum::Long),
      OptionalDatum<int64_t>(sequence_number, &AvroDatum::Long),
      OptionalDatum<int64_t>(file_sequence_number, &AvroDatum::Long),
      std::move(data_file),
  });
  Status s = writer.Append(entry);
  if (!s.ok()) return fail(s.message());

  // The summary (as Java's PartitionSummary: every entry counts, deleted ones too).
  auto k = static_cast<size_t>(status);
  files[k] += 1;
  rows[k] += file.record_count;
  if (status != ManifestEntryStatus::kDeleted && sequence_number &&
      (!min_data_sequence_number || *sequence_number < *min_data_sequence_number)) {
    min_data_sequence_number = sequence_number;
  }
  for (size_t i = 0; i < pfields.size(); ++i) {
    FieldStats& st = stats[i];
    const auto& v = file.partition[i];
    if (!v) {
      st.contains_null = true;
      continue;
    }
    if ((v->type_id() == TypeId::kFloat && std::isnan(v->as_float())) ||
        (v->type_id() == TypeId::kDouble && std::isnan(v->as_double()))) {
      st.contains_nan = true;  // NaN is never a bound
      continue;
    }
    if (!st.min || CompareLiterals(*v, *st.min) < 0) st.min = *v;
    if (!st.max || CompareLiterals(*v, *st.max) > 0) st.max = *v;
  }
  return Status::Ok();
}

Result<ManifestWriter> ManifestWriter::Make(const Schema& schema, const PartitionSpec& spec, int64_t snapshot_id,
                                            ManifestContent content) {
  auto partition_type = spec.PartitionType(schema);
  if (!partition_type.ok()) {
    return Status::InvalidArgument(fmt::format("manifest writer: partition spec {} does not fit schema {}: {}",
                                               spec.spec_id, schema.schema_id(), partition_type.status().message()));
  }
  auto avro_schema = ManifestEntrySchema(**partition_type);
  if (!avro_schema.ok()) {
    return Status::InvalidArgument(
        fmt::format("manifest writer: partition spec {}: {}", spec.spec_id, avro_schema.status().message()));
  }

  // "partition-spec" is only the fields array, each as Java writes it (name, transform, source-id, field-id).
  Json spec_fields = Json::array();
  for (const PartitionField& f : spec.fields) {
    spec_fields.push_back(Json{
        {"name", f.name}, {"transform", f.transform.ToString()}, {"source-id", f.source_id}, {"field-id", f.field_id}});
  }
  avro::AvroMetadata metadata = {
      {"schema", SchemaToJson(schema)},
      {"schema-id", std::to_string(schema.schema_id())},
      {"partition-spec", spec_fields.dump()},
      {"partition-spec-id", std::to_string(spec.spec_id)},
      {"format-version", "2"},
      {"content", content == ManifestContent::kData ? "data" : "deletes"},
  };
  avro::AvroWriterOptions options;
  options.codec = avro::AvroCodec::kDeflate;
  FLOE_ASSIGN_OR_RETURN(auto writer, avro::AvroWriter::Make(std::move(*avro_schema), std::move(metadata), options));

  auto state = std::make_unique<State>(std::move(writer));
  state->schema = schema;
  state->spec = spec;
  state->partition_type = std::move(*partition_type);
  state->snapshot_id = snapshot_id;
  state->content = content;
  state->stats.resize(state->partition_type->fields.size());
  return ManifestWriter(std::move(state));
}

ManifestWriter::ManifestWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
ManifestWriter::ManifestWriter(ManifestWriter&&) noexcept = default;
ManifestWriter& ManifestWriter::operator=(ManifestWriter&&) noexcept = default;
ManifestWriter::~ManifestWriter() = default;

Status ManifestWriter::Add(const DataFile& file) {
  // Java writes the adding snapshot's id explicitly; the sequence numbers are null until the commit assigns them.
  return state_->Write(ManifestEntryStatus::kAdded, state_->snapshot_id, std::nullopt, std::nullopt, file);
}

Status ManifestWriter::Existing(const ManifestEntry& entry) {
  if (!entry.snapshot_id || !entry.sequence_number) {
    return Status::InvalidArgument(
        fmt::format("manifest writer: existing entry for data file {}: its {} must be set (as read from its manifest)",
                    entry.data_file.file_path, !entry.snapshot_id ? "snapshot_id" : "sequence_number"));
  }
  // The file sequence number may be null: manifests written before the spec had it leave it so for old files.
  return state_->Write(ManifestEntryStatus::kExisting, entry.snapshot_id, entry.sequence_number,
                       entry.file_sequence_number, entry.data_file);
}

Status ManifestWriter::Delete(const ManifestEntry& entry) {
  if (!entry.sequence_number) {
    return Status::InvalidArgument(
        fmt::format("manifest writer: deleted entry for data file {}: its sequence_number must be set (as read from "
                    "its manifest)",
                    entry.data_file.file_path));
  }
  // A deleted entry records the snapshot that deleted the file (spec "Manifest Entry Fields").
  return state_->Write(ManifestEntryStatus::kDeleted, state_->snapshot_id, entry.sequence_number,
                       entry.file_sequence_number, entry.data_file);
}

Result<std::string> ManifestWriter::Finish(ManifestFile* summary) {
  State& st = *state_;
  if (st.finished) return Status::InvalidArgument("manifest writer: Finish called twice");
  st.finished = true;
  FLOE_ASSIGN_OR_RETURN(std::string bytes, st.writer.Finish());
  if (summary) {
    summary->manifest_length = static_cast<int64_t>(bytes.size());
    summary->partition_spec_id = st.spec.spec_id;
    summary->content = st.content;
    summary->sequence_number = kUnassignedSequenceNumber;
    summary->min_sequence_number = st.min_data_sequence_number.value_or(kUnassignedSequenceNumber);
    summary->added_snapshot_id = st.snapshot_id;
    summary->existing_files_count = st.files[0];
    summary->added_files_count = st.files[1];
    summary->deleted_files_count = st.files[2];
    summary->existing_rows_count = st.rows[0];
    summary->added_rows_count = st.rows[1];
    summary->deleted_rows_count = st.rows[2];
    summary->partitions.clear();
    for (const State::FieldStats& f : st.stats) {
      PartitionFieldSummary p;
      p.contains_null = f.contains_null;
      p.contains_nan = f.contains_nan;
      if (f.min) p.lower_bound = SerializeValue(*f.min);
      if (f.max) p.upper_bound = SerializeValue(*f.max);
      summary->partitions.push_back(std::move(p));
    }
    summary->key_metadata.reset();
  }
  return bytes;
}

// ---- reading ----

namespace {

// Where a field the reader knows is in a record of the file's own schema.
struct Slot {
  int index = -1;                  // -1: the file's schema does not have it
  const AvroNode* type = nullptr;  // the value's type; for a union, its one non-null branch
  bool present() const { return index >= 0; }
};

// Resolves fields of the file's schema and reports what does not fit as Corruption("<prefix>: ...").
class SchemaResolver {
 public:
  explicit SchemaResolver(std::string prefix) : prefix_(std::move(prefix)) {}

  Status Error(std::string_view why) const { return Status::Corruption(fmt::format("{}: {}", prefix_, why)); }
  const std::string& prefix() const { return prefix_; }

  // The field of `record` with attribute field-id `id`, else (for files written without ids) the field called
  // `name` that has no field id.
  Result<Slot> Find(const AvroNode& record, int32_t id, std::string_view name, std::string_view path) const {
    int index = -1;
    for (size_t i = 0; i < record.fields.size() && index < 0; ++i)
      if (record.fields[i].attributes.GetInt("field-id") == id) index = static_cast<int>(i);
    for (size_t i = 0; i < record.fields.size() && index < 0; ++i)
      if (record.fields[i].name == name && !record.fields[i].attributes.Find("field-id")) index = static_cast<int>(i);
    if (index < 0) return Slot{};
    FLOE_ASSIGN_OR_RETURN(const AvroNode* type, NonNull(record.fields[static_cast<size_t>(index)].type, path));
    return Slot{index, type};
  }

  // Find, and the field's Avro type must be one of `kinds` (`expected` says which in words).
  Result<Slot> Find(const AvroNode& record, int32_t id, std::string_view name, std::string_view path,
                    std::initializer_list<AvroType> kinds, std::string_view expected, bool required) const {
    FLOE_ASSIGN_OR_RETURN(Slot s, Find(record, id, name, path));
    if (!s.present()) {
      if (required) return Error(fmt::format("missing field {}", path));
      return s;
    }
    FLOE_RETURN_IF_ERROR(Expect(s.type, kinds, expected, path));
    return s;
  }

  Status Expect(const AvroNode* type, std::initializer_list<AvroType> kinds, std::string_view expected,
                std::string_view path) const {
    if (std::find(kinds.begin(), kinds.end(), type->type) != kinds.end()) return Status::Ok();
    return Error(fmt::format("field {} has Avro type {}, expected {}", path, avro::AvroTypeName(type->type), expected));
  }

  // A union's one non-null branch (Iceberg allows only ["null", T]), or the type itself.
  Result<const AvroNode*> NonNull(const AvroNode* type, std::string_view path) const {
    if (type->type != AvroType::kUnion) return type;
    const AvroNode* found = nullptr;
    for (const AvroNode* b : type->branches) {
      if (b->type == AvroType::kNull) continue;
      if (found) return Error(fmt::format("field {} is a union of several non-null types", path));
      found = b;
    }
    if (!found) return Error(fmt::format("field {} is always null", path));
    return found;
  }

  // An int-keyed map: an array of records whose first field is the int key and second the value.
  Result<Slot> FindIntMap(const AvroNode& record, int32_t id, std::string_view name, std::string_view path,
                          std::initializer_list<AvroType> value_kinds, std::string_view value_expected) const {
    FLOE_ASSIGN_OR_RETURN(Slot s, Find(record, id, name, path));
    if (!s.present()) return s;
    if (s.type->type != AvroType::kArray || s.type->items->type != AvroType::kRecord ||
        s.type->items->fields.size() < 2) {
      return Error(fmt::format("field {} has Avro type {}, expected an array of key/value records", path,
                               avro::AvroTypeName(s.type->type)));
    }
    const AvroNode& item = *s.type->items;
    FLOE_ASSIGN_OR_RETURN(const AvroNode* key, NonNull(item.fields[0].type, fmt::format("{}.key", path)));
    FLOE_RETURN_IF_ERROR(Expect(key, {AvroType::kInt}, "int", fmt::format("{}.key", path)));
    FLOE_ASSIGN_OR_RETURN(const AvroNode* value, NonNull(item.fields[1].type, fmt::format("{}.value", path)));
    FLOE_RETURN_IF_ERROR(Expect(value, value_kinds, value_expected, fmt::format("{}.value", path)));
    return s;
  }

  Result<Slot> FindList(const AvroNode& record, int32_t id, std::string_view name, std::string_view path,
                        std::initializer_list<AvroType> element_kinds, std::string_view element_expected) const {
    FLOE_ASSIGN_OR_RETURN(Slot s, Find(record, id, name, path));
    if (!s.present()) return s;
    FLOE_RETURN_IF_ERROR(Expect(s.type, {AvroType::kArray}, "array", path));
    FLOE_ASSIGN_OR_RETURN(const AvroNode* element, NonNull(s.type->items, fmt::format("{}.element", path)));
    FLOE_RETURN_IF_ERROR(Expect(element, element_kinds, element_expected, fmt::format("{}.element", path)));
    return s;
  }

 private:
  std::string prefix_;
};

constexpr std::initializer_list<AvroType> kIntKinds = {AvroType::kInt};
constexpr std::initializer_list<AvroType> kLongKinds = {AvroType::kLong, AvroType::kInt};  // int promotes to long
constexpr std::initializer_list<AvroType> kStringKinds = {AvroType::kString, AvroType::kBytes};
constexpr std::initializer_list<AvroType> kBytesKinds = {AvroType::kBytes, AvroType::kString};
constexpr std::initializer_list<AvroType> kBooleanKinds = {AvroType::kBoolean};

// The value of `slot` in `record`, or nullptr when the file lacks the field or the value is null.
const AvroDatum* Value(const AvroDatum& record, const Slot& slot) {
  if (!slot.present()) return nullptr;
  const AvroDatum& d = record.field(static_cast<size_t>(slot.index)).Unwrap();
  return d.kind() == AvroType::kNull ? nullptr : &d;
}

int64_t AsLong(const AvroDatum& d) {
  return d.kind() == AvroType::kInt ? d.as_int() : d.as_long();
}

// The Avro types a partition value of Iceberg type `type` may have in a file (Avro's promotions included: int to
// long, float to double, string and bytes for each other), fixed sizes checked.
Status CheckPartitionType(const SchemaResolver& r, const Type& type, const AvroNode* node, std::string_view path) {
  switch (type.id) {
    case TypeId::kBoolean: return r.Expect(node, {AvroType::kBoolean}, "boolean", path);
    case TypeId::kInt:
    case TypeId::kDate: return r.Expect(node, kIntKinds, "int", path);
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: return r.Expect(node, kLongKinds, "long", path);
    case TypeId::kFloat: return r.Expect(node, {AvroType::kFloat}, "float", path);
    case TypeId::kDouble: return r.Expect(node, {AvroType::kDouble, AvroType::kFloat}, "double", path);
    case TypeId::kString: return r.Expect(node, kStringKinds, "string", path);
    case TypeId::kBinary: return r.Expect(node, kBytesKinds, "bytes", path);
    case TypeId::kUuid:
      FLOE_RETURN_IF_ERROR(r.Expect(node, {AvroType::kFixed, AvroType::kString}, "fixed[16] or string", path));
      if (node->type == AvroType::kFixed && node->size != 16)
        return r.Error(fmt::format("field {} is a fixed of {} bytes, expected 16 for a uuid", path, node->size));
      return Status::Ok();
    case TypeId::kFixed:
      FLOE_RETURN_IF_ERROR(r.Expect(node, {AvroType::kFixed, AvroType::kBytes}, "fixed", path));
      if (node->type == AvroType::kFixed && node->size != type.length)
        return r.Error(fmt::format("field {} is a fixed of {} bytes, expected {}", path, node->size, type.length));
      return Status::Ok();
    case TypeId::kDecimal:
      FLOE_RETURN_IF_ERROR(r.Expect(node, {AvroType::kFixed, AvroType::kBytes}, "fixed or bytes (decimal)", path));
      if (node->type == AvroType::kFixed && (node->size < 1 || node->size > 16))
        return r.Error(fmt::format("field {} is a decimal fixed of {} bytes, expected 1 to 16", path, node->size));
      return Status::Ok();
    default: return r.Error(fmt::format("partition field {} has the non-primitive type {}", path, type.ToString()));
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A uuid in 8-4-4-4-12 form as its 16 bytes.
bool ParseUuid(std::string_view s, std::string* out) {
  if (s.size() != 36) return false;
  out->clear();
  for (size_t i = 0; i < s.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
      ++i;
      continue;
    }
    int hi = HexDigit(s[i]), lo = HexDigit(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out->size() == 16;
}

// A partition value from its datum (kinds checked by CheckPartitionType). Returns the reason it is invalid, or "".
std::string PartitionValueFromDatum(const TypePtr& type, const AvroDatum& d, Literal* out) {
  switch (type->id) {
    case TypeId::kBoolean: *out = Literal::Of(type, d.as_bool()); return "";
    case TypeId::kInt:
    case TypeId::kDate: *out = Literal::Of(type, d.as_int()); return "";
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: *out = Literal::Of(type, AsLong(d)); return "";
    case TypeId::kFloat: *out = Literal::Of(type, d.as_float()); return "";
    case TypeId::kDouble:
      *out = Literal::Of(type, d.kind() == AvroType::kFloat ? static_cast<double>(d.as_float()) : d.as_double());
      return "";
    case TypeId::kString:
      if (!avro::IsValidUtf8(d.as_bytes())) return "is not UTF-8";
      *out = Literal::Of(type, d.as_bytes());
      return "";
    case TypeId::kBinary: *out = Literal::Of(type, d.as_bytes()); return "";
    case TypeId::kUuid: {
      std::string bytes = d.as_bytes();
      if (d.kind() == AvroType::kString && !ParseUuid(d.as_string(), &bytes)) return "is not a uuid";
      *out = Literal::Of(type, std::move(bytes));
      return "";
    }
    case TypeId::kFixed:
      if (d.as_bytes().size() != static_cast<size_t>(type->length))
        return fmt::format("has {} bytes, expected {}", d.as_bytes().size(), type->length);
      *out = Literal::Of(type, d.as_bytes());
      return "";
    case TypeId::kDecimal: {
      __int128 unscaled = 0;
      if (!DecimalFromBytes(d.as_bytes(), &unscaled))
        return fmt::format("is a decimal of {} bytes, expected 1 to 16", d.as_bytes().size());
      *out = Literal::Of(type, DecimalValue{unscaled});
      return "";
    }
    default: return "has a non-primitive type";
  }
}

// The fields of a manifest_entry in one file's schema.
struct EntryLayout {
  Slot status, snapshot_id, sequence_number, file_sequence_number, data_file;
  Slot content, file_path, file_format, partition, record_count, file_size;
  Slot column_sizes, value_counts, null_value_counts, nan_value_counts, lower_bounds, upper_bounds;
  Slot key_metadata, split_offsets, equality_ids, sort_order_id;
  std::vector<Slot> partition_fields;  // by partition type field
};

Result<EntryLayout> ResolveEntry(const SchemaResolver& r, const AvroNode& root, const Type& partition_type) {
  if (root.type != AvroType::kRecord) return r.Error("not a manifest: the Avro schema is not a record");
  EntryLayout l;
  FLOE_ASSIGN_OR_RETURN(l.data_file, r.Find(root, ids::kDataFile, "data_file", "data_file"));
  if (!l.data_file.present()) return r.Error("not a manifest: missing field data_file");
  FLOE_RETURN_IF_ERROR(r.Expect(l.data_file.type, {AvroType::kRecord}, "record", "data_file"));
  FLOE_ASSIGN_OR_RETURN(l.status, r.Find(root, ids::kStatus, "status", "status", kIntKinds, "int", true));
  FLOE_ASSIGN_OR_RETURN(l.snapshot_id,
                        r.Find(root, ids::kSnapshotId, "snapshot_id", "snapshot_id", kLongKinds, "long", false));
  FLOE_ASSIGN_OR_RETURN(l.sequence_number, r.Find(root, ids::kSequenceNumber, "sequence_number", "sequence_number",
                                                  kLongKinds, "long", false));
  FLOE_ASSIGN_OR_RETURN(l.file_sequence_number, r.Find(root, ids::kFileSequenceNumber, "file_sequence_number",
                                                       "file_sequence_number", kLongKinds, "long", false));

  const AvroNode& df = *l.data_file.type;
  FLOE_ASSIGN_OR_RETURN(l.content, r.Find(df, ids::kContent, "content", "data_file.content", kIntKinds, "int", false));
  FLOE_ASSIGN_OR_RETURN(l.file_path,
                        r.Find(df, ids::kFilePath, "file_path", "data_file.file_path", kStringKinds, "string", true));
  FLOE_ASSIGN_OR_RETURN(l.file_format, r.Find(df, ids::kFileFormat, "file_format", "data_file.file_format",
                                              kStringKinds, "string", true));
  FLOE_ASSIGN_OR_RETURN(l.record_count, r.Find(df, ids::kRecordCount, "record_count", "data_file.record_count",
                                               kLongKinds, "long", true));
  FLOE_ASSIGN_OR_RETURN(l.file_size, r.Find(df, ids::kFileSize, "file_size_in_bytes", "data_file.file_size_in_bytes",
                                            kLongKinds, "long", true));
  auto long_map = [&](int32_t id, std::string_view name, Slot* out) -> Status {
    FLOE_ASSIGN_OR_RETURN(*out, r.FindIntMap(df, id, name, fmt::format("data_file.{}", name), kLongKinds, "long"));
    return Status::Ok();
  };
  auto bytes_map = [&](int32_t id, std::string_view name, Slot* out) -> Status {
    FLOE_ASSIGN_OR_RETURN(*out, r.FindIntMap(df, id, name, fmt::format("data_file.{}", name), kBytesKinds, "bytes"));
    return Status::Ok();
  };
  FLOE_RETURN_IF_ERROR(long_map(ids::kColumnSizes, "column_sizes", &l.column_sizes));
  FLOE_RETURN_IF_ERROR(long_map(ids::kValueCounts, "value_counts", &l.value_counts));
  FLOE_RETURN_IF_ERROR(long_map(ids::kNullValueCounts, "null_value_counts", &l.null_value_counts));
  FLOE_RETURN_IF_ERROR(long_map(ids::kNanValueCounts, "nan_value_counts", &l.nan_value_counts));
  FLOE_RETURN_IF_ERROR(bytes_map(ids::kLowerBounds, "lower_bounds", &l.lower_bounds));
  FLOE_RETURN_IF_ERROR(bytes_map(ids::kUpperBounds, "upper_bounds", &l.upper_bounds));
  FLOE_ASSIGN_OR_RETURN(l.key_metadata, r.Find(df, ids::kKeyMetadata, "key_metadata", "data_file.key_metadata",
                                               kBytesKinds, "bytes", false));
  FLOE_ASSIGN_OR_RETURN(l.split_offsets, r.FindList(df, ids::kSplitOffsets, "split_offsets", "data_file.split_offsets",
                                                    kLongKinds, "long"));
  // pyiceberg writes the elements as longs.
  FLOE_ASSIGN_OR_RETURN(l.equality_ids,
                        r.FindList(df, ids::kEqualityIds, "equality_ids", "data_file.equality_ids", kLongKinds, "int"));
  FLOE_ASSIGN_OR_RETURN(l.sort_order_id, r.Find(df, ids::kSortOrderId, "sort_order_id", "data_file.sort_order_id",
                                                kIntKinds, "int", false));

  FLOE_ASSIGN_OR_RETURN(l.partition, r.Find(df, ids::kPartition, "partition", "data_file.partition"));
  if (!l.partition.present()) {
    if (!partition_type.fields.empty()) return r.Error("missing field data_file.partition");
  } else {
    FLOE_RETURN_IF_ERROR(r.Expect(l.partition.type, {AvroType::kRecord}, "record", "data_file.partition"));
  }
  for (const NestedField& f : partition_type.fields) {
    Slot s;
    if (l.partition.present()) {
      std::string path = fmt::format("data_file.partition.{}", f.name);
      // By field id; by name (as given, or as Java makes it a valid Avro name) in files without ids.
      FLOE_ASSIGN_OR_RETURN(s, r.Find(*l.partition.type, f.id, f.name, path));
      if (!s.present()) {
        FLOE_ASSIGN_OR_RETURN(s, r.Find(*l.partition.type, f.id, AvroCompatibleName(f.name), path));
      }
      if (s.present()) FLOE_RETURN_IF_ERROR(CheckPartitionType(r, *f.type, s.type, path));
    }
    l.partition_fields.push_back(s);  // a field the file lacks reads as null (a column added to the spec later)
  }
  return l;
}

// Decodes entries of one manifest against its layout; errors are Corruption("<prefix>: entry <n>: <why>").
class EntryDecoder {
 public:
  EntryDecoder(const SchemaResolver& r, const EntryLayout& l, const Type& partition_type, const ManifestFile& m)
      : r_(r), l_(l), partition_type_(partition_type), manifest_(m) {}

  Status Decode(const AvroDatum& record, int64_t index, ManifestEntry* out) {
    index_ = index;
    ManifestEntry e;
    const AvroDatum* status = Value(record, l_.status);
    if (!status) return Error("status is null");
    if (status->as_int() < 0 || status->as_int() > 2)
      return Error(fmt::format("status {} is not 0 (existing), 1 (added) or 2 (deleted)", status->as_int()));
    e.status = static_cast<ManifestEntryStatus>(status->as_int());

    // Sequence number inheritance (spec): a null snapshot id is the manifest's; null sequence numbers are the
    // manifest's for added entries, and for every entry of a v1 manifest (whose manifest list says 0).
    const AvroDatum* snapshot = Value(record, l_.snapshot_id);
    e.snapshot_id = snapshot ? AsLong(*snapshot) : manifest_.added_snapshot_id;
    bool inherits = e.status == ManifestEntryStatus::kAdded || manifest_.sequence_number == 0;
    if (const AvroDatum* seq = Value(record, l_.sequence_number)) {
      e.sequence_number = AsLong(*seq);
    } else if (inherits) {
      e.sequence_number = manifest_.sequence_number;
    } else {
      return Error(
          fmt::format("status {} with a null sequence_number (only added entries inherit it)", StatusName(e.status)));
    }
    if (const AvroDatum* seq = Value(record, l_.file_sequence_number)) {
      e.file_sequence_number = AsLong(*seq);
    } else if (inherits) {
      e.file_sequence_number = manifest_.sequence_number;
    }
    // Otherwise it stays unknown: manifests written before the spec added file_sequence_number carry none for the
    // existing files they rewrite, and Java keeps those null too.

    const AvroDatum& df = record.field(static_cast<size_t>(l_.data_file.index)).Unwrap();
    if (df.kind() != AvroType::kRecord) return Error("data_file is null");
    FLOE_RETURN_IF_ERROR(DecodeDataFile(df, &e.data_file));
    *out = std::move(e);
    return Status::Ok();
  }

 private:
  Status Error(std::string_view why) const {
    return Status::Corruption(fmt::format("{}: entry {}: {}", r_.prefix(), index_, why));
  }

  Status DecodeDataFile(const AvroDatum& df, DataFile* f) {
    if (const AvroDatum* c = Value(df, l_.content)) {
      if (c->as_int() < 0 || c->as_int() > 2)
        return Error(fmt::format("data_file.content {} is not 0 (data), 1 (position deletes) or 2 (equality deletes)",
                                 c->as_int()));
      f->content = static_cast<FileContent>(c->as_int());
    }  // absent in v1: data
    bool delete_file = f->content != FileContent::kData;
    if (delete_file != (manifest_.content == ManifestContent::kDeletes)) {
      return Error(fmt::format("data_file.content is {} in a {} manifest", ContentName(f->content),
                               manifest_.content == ManifestContent::kData ? "data" : "deletes"));
    }
    FLOE_RETURN_IF_ERROR(RequiredString(df, l_.file_path, "file_path", &f->file_path));
    FLOE_RETURN_IF_ERROR(RequiredString(df, l_.file_format, "file_format", &f->file_format));
    f->spec_id = manifest_.partition_spec_id;
    FLOE_RETURN_IF_ERROR(NonNegative(df, l_.record_count, "record_count", &f->record_count));
    FLOE_RETURN_IF_ERROR(NonNegative(df, l_.file_size, "file_size_in_bytes", &f->file_size_in_bytes));

    f->partition.clear();
    const AvroDatum* partition = Value(df, l_.partition);
    if (l_.partition.present() && !partition) return Error("data_file.partition is null");
    for (size_t i = 0; i < partition_type_.fields.size(); ++i) {
      const NestedField& pf = partition_type_.fields[i];
      const AvroDatum* v = partition ? Value(*partition, l_.partition_fields[i]) : nullptr;
      if (!v) {
        f->partition.push_back(std::nullopt);
        continue;
      }
      Literal lit;
      std::string why = PartitionValueFromDatum(pf.type, *v, &lit);
      if (!why.empty()) return Error(fmt::format("data_file.partition.{} {}", pf.name, why));
      f->partition.push_back(std::move(lit));
    }

    FLOE_RETURN_IF_ERROR(LongMap(df, l_.column_sizes, "column_sizes", &f->column_sizes));
    FLOE_RETURN_IF_ERROR(LongMap(df, l_.value_counts, "value_counts", &f->value_counts));
    FLOE_RETURN_IF_ERROR(LongMap(df, l_.null_value_counts, "null_value_counts", &f->null_value_counts));
    FLOE_RETURN_IF_ERROR(LongMap(df, l_.nan_value_counts, "nan_value_counts", &f->nan_value_counts));
    FLOE_RETURN_IF_ERROR(BytesMap(df, l_.lower_bounds, "lower_bounds", &f->lower_bounds));
    FLOE_RETURN_IF_ERROR(BytesMap(df, l_.upper_bounds, "upper_bounds", &f->upper_bounds));
    if (const AvroDatum* k = Value(df, l_.key_metadata)) f->key_metadata = k->as_bytes();
    if (const AvroDatum* a = Value(df, l_.split_offsets)) {
      for (size_t i = 0; i < a->items().size(); ++i) {
        const AvroDatum& item = a->items()[i].Unwrap();
        if (item.kind() == AvroType::kNull) return Error(fmt::format("data_file.split_offsets[{}] is null", i));
        f->split_offsets.push_back(AsLong(item));
      }
    }
    if (const AvroDatum* a = Value(df, l_.equality_ids)) {
      for (size_t i = 0; i < a->items().size(); ++i) {
        const AvroDatum& item = a->items()[i].Unwrap();
        if (item.kind() == AvroType::kNull) return Error(fmt::format("data_file.equality_ids[{}] is null", i));
        int64_t id = AsLong(item);
        if (id < 0 || id > INT32_MAX)
          return Error(fmt::format("data_file.equality_ids[{}] {} is not a field id", i, id));
        f->equality_ids.push_back(static_cast<int32_t>(id));
      }
    }
    if (const AvroDatum* s = Value(df, l_.sort_order_id)) f->sort_order_id = s->as_int();
    return Status::Ok();
  }

  Status RequiredString(const AvroDatum& df, const Slot& slot, std::string_view name, std::string* out) {
    const AvroDatum* v = Value(df, slot);
    if (!v) return Error(fmt::format("data_file.{} is null", name));
    if (!avro::IsValidUtf8(v->as_bytes())) return Error(fmt::format("data_file.{} is not UTF-8", name));
    *out = v->as_bytes();
    return Status::Ok();
  }

  Status NonNegative(const AvroDatum& df, const Slot& slot, std::string_view name, int64_t* out) {
    const AvroDatum* v = Value(df, slot);
    if (!v) return Error(fmt::format("data_file.{} is null", name));
    *out = AsLong(*v);
    if (*out < 0) return Error(fmt::format("data_file.{} is negative", name));
    return Status::Ok();
  }

  // Items of an int-keyed map with their key (checked: not null, not twice). nullptr items are skipped values.
  template <typename F>
  Status MapItems(const AvroDatum& df, const Slot& slot, std::string_view name, F&& each) {
    const AvroDatum* a = Value(df, slot);
    if (!a) return Status::Ok();
    std::set<int32_t> seen;
    for (const AvroDatum& item : a->items()) {
      const AvroDatum& key = item.field(0).Unwrap();
      if (key.kind() == AvroType::kNull) return Error(fmt::format("data_file.{} has a null key", name));
      if (!seen.insert(key.as_int()).second)
        return Error(fmt::format("data_file.{} has key {} twice", name, key.as_int()));
      const AvroDatum& value = item.field(1).Unwrap();
      if (value.kind() == AvroType::kNull) continue;  // an optional value that is null: no metric
      FLOE_RETURN_IF_ERROR(each(key.as_int(), value));
    }
    return Status::Ok();
  }

  Status LongMap(const AvroDatum& df, const Slot& slot, std::string_view name, std::map<int32_t, int64_t>* out) {
    return MapItems(df, slot, name, [&](int32_t key, const AvroDatum& v) -> Status {
      int64_t n = AsLong(v);
      if (n < 0) return Error(fmt::format("data_file.{} of column {} is negative", name, key));
      (*out)[key] = n;
      return Status::Ok();
    });
  }

  Status BytesMap(const AvroDatum& df, const Slot& slot, std::string_view name, std::map<int32_t, std::string>* out) {
    return MapItems(df, slot, name, [&](int32_t key, const AvroDatum& v) -> Status {
      (*out)[key] = v.as_bytes();
      return Status::Ok();
    });
  }

  const SchemaResolver& r_;
  const EntryLayout& l_;
  const Type& partition_type_;
  const ManifestFile& manifest_;
  int64_t index_ = 0;
};

std::optional<int64_t> ParseMetadataInt(const std::string* text) {
  if (!text || text->empty()) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < text->size(); ++i) {
    char c = (*text)[i];
    if (i == 0 && c == '-' && text->size() > 1) continue;
    if (c < '0' || c > '9' || v > (INT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return (*text)[0] == '-' ? -v : v;
}

}  // namespace

Result<std::vector<ManifestEntry>> ReadManifest(std::string_view data, const ManifestFile& manifest,
                                                const Schema& schema, const PartitionSpec& spec) {
  std::string prefix = "manifest " + manifest.manifest_path;
  SchemaResolver r(prefix);
  if (manifest.manifest_length > 0 && static_cast<int64_t>(data.size()) != manifest.manifest_length) {
    return r.Error(fmt::format("length {} but the manifest list says {}", data.size(), manifest.manifest_length));
  }
  if (spec.spec_id != manifest.partition_spec_id) {
    return Status::InvalidArgument(fmt::format("{}: read with partition spec {}, but the manifest list says {}", prefix,
                                               spec.spec_id, manifest.partition_spec_id));
  }
  auto partition_type = spec.PartitionType(schema);
  if (!partition_type.ok()) {
    return Status::InvalidArgument(fmt::format("{}: partition spec {} does not fit schema {}: {}", prefix, spec.spec_id,
                                               schema.schema_id(), partition_type.status().message()));
  }
  FLOE_ASSIGN_OR_RETURN(auto reader, avro::AvroReader::Open(data, prefix));

  // The file's metadata, where present, must agree with the manifest list.
  if (auto id = ParseMetadataInt(reader.FindMetadata("partition-spec-id")); id && *id != manifest.partition_spec_id) {
    return r.Error(fmt::format("written with partition spec {} (partition-spec-id) but the manifest list says {}", *id,
                               manifest.partition_spec_id));
  }
  if (const std::string* content = reader.FindMetadata("content")) {
    std::string_view want = manifest.content == ManifestContent::kData ? "data" : "deletes";
    if (*content != want) return r.Error(fmt::format("content \"{}\" but the manifest list says {}", *content, want));
  }

  FLOE_ASSIGN_OR_RETURN(EntryLayout layout, ResolveEntry(r, reader.schema().root(), **partition_type));
  EntryDecoder decoder(r, layout, **partition_type, manifest);
  std::vector<ManifestEntry> entries;
  AvroDatum record;
  for (int64_t index = 0;; ++index) {
    FLOE_ASSIGN_OR_RETURN(bool more, reader.Next(&record));
    if (!more) break;
    ManifestEntry e;
    FLOE_RETURN_IF_ERROR(decoder.Decode(record, index, &e));
    entries.push_back(std::move(e));
  }
  return entries;
}

// ---- manifest lists ----

Result<std::string> WriteManifestList(const std::vector<ManifestFile>& manifests, int64_t snapshot_id,
                                      std::optional<int64_t> parent_snapshot_id, int64_t sequence_number) {
  FLOE_ASSIGN_OR_RETURN(auto schema, ManifestFileSchema());
  avro::AvroMetadata metadata = {{"snapshot-id", std::to_string(snapshot_id)}};
  if (parent_snapshot_id) metadata.emplace_back("parent-snapshot-id", std::to_string(*parent_snapshot_id));
  metadata.emplace_back("sequence-number", std::to_string(sequence_number));
  metadata.emplace_back("format-version", "2");
  avro::AvroWriterOptions options;
  options.codec = avro::AvroCodec::kDeflate;
  FLOE_ASSIGN_OR_RETURN(auto writer, avro::AvroWriter::Make(std::move(schema), std::move(metadata), options));

  for (size_t i = 0; i < manifests.size(); ++i) {
    const ManifestFile& m = manifests[i];
    auto fail = [&](std::string_view why) {
      return Status::InvalidArgument(
          fmt::format("manifest list for snapshot {}: manifest {} ({}): {}", snapshot_id, i, m.manifest_path, why));
    };
    if (m.manifest_path.empty()) return fail("manifest_path is empty");
    if (m.manifest_length < 0) return fail("manifest_length is negative");
    if (m.added_files_count < 0 || m.existing_files_count < 0 || m.deleted_files_count < 0 || m.added_rows_count < 0 ||
        m.existing_rows_count < 0 || m.deleted_rows_count < 0) {
      return fail("a file or row count is negative");
    }
    // A manifest without sequence numbers was written by this commit: it takes the commit's (Java checks the same).
    bool unassigned =
        m.sequence_number == kUnassignedSequenceNumber || m.min_sequence_number == kUnassignedSequenceNumber;
    if (unassigned && m.added_snapshot_id != snapshot_id) {
      return fail(
          fmt::format("its sequence number is unassigned but it was added by snapshot {}", m.added_snapshot_id));
    }
    int64_t seq = m.sequence_number == kUnassignedSequenceNumber ? sequence_number : m.sequence_number;
    int64_t min_seq = m.min_sequence_number == kUnassignedSequenceNumber ? sequence_number : m.min_sequence_number;

    std::vector<AvroDatum> partitions;
    for (const PartitionFieldSummary& p : m.partitions) {
      partitions.push_back(AvroDatum::Record({
          AvroDatum::Boolean(p.contains_null),
          OptionalDatum<bool>(p.contains_nan, &AvroDatum::Boolean),
          OptionalBytes(p.lower_bound),
          OptionalBytes(p.upper_bound),
      }));
    }
    AvroDatum record = AvroDatum::Record({
        AvroDatum::String(m.manifest_path),
        AvroDatum::Long(m.manifest_length),
        AvroDatum::Int(m.partition_spec_id),
        AvroDatum::Int(static_cast<int32_t>(m.content)),
        AvroDatum::Long(seq),
        AvroDatum::Long(min_seq),
        AvroDatum::Long(m.added_snapshot_id),
        AvroDatum::Int(m.added_files_count),
        AvroDatum::Int(m.existing_files_count),
        AvroDatum::Int(m.deleted_files_count),
        AvroDatum::Long(m.added_rows_count),
        AvroDatum::Long(m.existing_rows_count),
        AvroDatum::Long(m.deleted_rows_count),
        AvroDatum::Array(std::move(partitions)),
        OptionalBytes(m.key_metadata),
    });
    Status s = writer.Append(record);
    if (!s.ok()) return fail(s.message());
  }
  return writer.Finish();
}

Result<std::vector<ManifestFile>> ReadManifestList(std::string_view data, std::string_view file) {
  std::string prefix = fmt::format("manifest list {}", file);
  SchemaResolver r(prefix);
  FLOE_ASSIGN_OR_RETURN(auto reader, avro::AvroReader::Open(data, prefix));
  const AvroNode& root = reader.schema().root();
  if (root.type != AvroType::kRecord) return r.Error("not a manifest list: the Avro schema is not a record");

  // v1 lists lack content and the sequence numbers (they default to 0) and may leave the counts null.
  struct {
    Slot path, length, spec_id, content, seq, min_seq, snapshot, added, existing, deleted, added_rows, existing_rows,
        deleted_rows, partitions, key_metadata;
    Slot contains_null, contains_nan, lower, upper;
  } l;
  FLOE_ASSIGN_OR_RETURN(l.path, r.Find(root, ids::kManifestPath, "manifest_path", "manifest_path"));
  if (!l.path.present()) return r.Error("not a manifest list: missing field manifest_path");
  FLOE_RETURN_IF_ERROR(r.Expect(l.path.type, kStringKinds, "string", "manifest_path"));
  FLOE_ASSIGN_OR_RETURN(
      l.length, r.Find(root, ids::kManifestLength, "manifest_length", "manifest_length", kLongKinds, "long", true));
  FLOE_ASSIGN_OR_RETURN(
      l.spec_id, r.Find(root, ids::kPartitionSpecId, "partition_spec_id", "partition_spec_id", kIntKinds, "int", true));
  FLOE_ASSIGN_OR_RETURN(l.content, r.Find(root, ids::kManifestContent, "content", "content", kIntKinds, "int", false));
  FLOE_ASSIGN_OR_RETURN(
      l.seq, r.Find(root, ids::kListSequenceNumber, "sequence_number", "sequence_number", kLongKinds, "long", false));
  FLOE_ASSIGN_OR_RETURN(l.min_seq, r.Find(root, ids::kMinSequenceNumber, "min_sequence_number", "min_sequence_number",
                                          kLongKinds, "long", false));
  FLOE_ASSIGN_OR_RETURN(l.snapshot, r.Find(root, ids::kAddedSnapshotId, "added_snapshot_id", "added_snapshot_id",
                                           kLongKinds, "long", true));
  FLOE_ASSIGN_OR_RETURN(
      l.added, r.Find(root, ids::kAddedFilesCount, "added_files_count", "added_files_count", kIntKinds, "int", false));
  FLOE_ASSIGN_OR_RETURN(l.existing, r.Find(root, ids::kExistingFilesCount, "existing_files_count",
                                           "existing_files_count", kIntKinds, "int", false));
  FLOE_ASSIGN_OR_RETURN(l.deleted, r.Find(root, ids::kDeletedFilesCount, "deleted_files_count", "deleted_files_count",
                                          kIntKinds, "int", false));
  FLOE_ASSIGN_OR_RETURN(l.added_rows, r.Find(root, ids::kAddedRowsCount, "added_rows_count", "added_rows_count",
                                             kLongKinds, "long", false));
  FLOE_ASSIGN_OR_RETURN(l.existing_rows, r.Find(root, ids::kExistingRowsCount, "existing_rows_count",
                                                "existing_rows_count", kLongKinds, "long", false));
  FLOE_ASSIGN_OR_RETURN(l.deleted_rows, r.Find(root, ids::kDeletedRowsCount, "deleted_rows_count", "deleted_rows_count",
                                               kLongKinds, "long", false));
  FLOE_ASSIGN_OR_RETURN(
      l.key_metadata, r.Find(root, ids::kListKeyMetadata, "key_metadata", "key_metadata", kBytesKinds, "bytes", false));
  FLOE_ASSIGN_OR_RETURN(l.partitions, r.Find(root, ids::kPartitions, "partitions", "partitions"));
  if (l.partitions.present()) {
    FLOE_RETURN_IF_ERROR(r.Expect(l.partitions.type, {AvroType::kArray}, "array", "partitions"));
    FLOE_ASSIGN_OR_RETURN(const AvroNode* item, r.NonNull(l.partitions.type->items, "partitions.element"));
    FLOE_RETURN_IF_ERROR(r.Expect(item, {AvroType::kRecord}, "record", "partitions.element"));
    FLOE_ASSIGN_OR_RETURN(l.contains_null, r.Find(*item, ids::kContainsNull, "contains_null",
                                                  "partitions.contains_null", kBooleanKinds, "boolean", true));
    FLOE_ASSIGN_OR_RETURN(l.contains_nan, r.Find(*item, ids::kContainsNan, "contains_nan", "partitions.contains_nan",
                                                 kBooleanKinds, "boolean", false));
    FLOE_ASSIGN_OR_RETURN(
        l.lower, r.Find(*item, ids::kLowerBound, "lower_bound", "partitions.lower_bound", kBytesKinds, "bytes", false));
    FLOE_ASSIGN_OR_RETURN(
        l.upper, r.Find(*item, ids::kUpperBound, "upper_bound", "partitions.upper_bound", kBytesKinds, "bytes", false));
  }

  std::vector<ManifestFile> out;
  AvroDatum record;
  for (int64_t index = 0;; ++index) {
    FLOE_ASSIGN_OR_RETURN(bool more, reader.Next(&record));
    if (!more) break;
    auto fail = [&](std::string_view why) {
      return Status::Corruption(fmt::format("{}: manifest {}: {}", prefix, index, why));
    };
    ManifestFile m;
    auto required = [&](const Slot& s, std::string_view name) -> Result<const AvroDatum*> {
      const AvroDatum* v = Value(record, s);
      if (!v) return fail(fmt::format("{} is null", name));
      return v;
    };
    auto count = [&](const Slot& s, std::string_view name, auto* out) -> Status {
      const AvroDatum* v = Value(record, s);
      if (!v) return Status::Ok();  // v1: unknown, taken as 0
      int64_t n = AsLong(*v);
      if (n < 0) return fail(fmt::format("{} is negative", name));
      *out = static_cast<std::remove_pointer_t<decltype(out)>>(n);
      return Status::Ok();
    };
    FLOE_ASSIGN_OR_RETURN(const AvroDatum* path, required(l.path, "manifest_path"));
    if (!avro::IsValidUtf8(path->as_bytes())) return fail("manifest_path is not UTF-8");
    m.manifest_path = path->as_bytes();
    FLOE_ASSIGN_OR_RETURN(const AvroDatum* length, required(l.length, "manifest_length"));
    m.manifest_length = AsLong(*length);
    if (m.manifest_length < 0) return fail("manifest_length is negative");
    FLOE_ASSIGN_OR_RETURN(const AvroDatum* spec_id, required(l.spec_id, "partition_spec_id"));
    m.partition_spec_id = spec_id->as_int();
    if (const AvroDatum* c = Value(record, l.content)) {
      if (c->as_int() != 0 && c->as_int() != 1)
        return fail(fmt::format("content {} is not 0 (data) or 1 (deletes)", c->as_int()));
      m.content = static_cast<ManifestContent>(c->as_int());
    }
    if (const AvroDatum* s = Value(record, l.seq)) m.sequence_number = AsLong(*s);
    if (const AvroDatum* s = Value(record, l.min_seq)) m.min_sequence_number = AsLong(*s);
    if (m.sequence_number < 0 || m.min_sequence_number < 0)
      return fail(m.sequence_number < 0 ? "sequence_number is negative" : "min_sequence_number is negative");
    FLOE_ASSIGN_OR_RETURN(const AvroDatum* snapshot, required(l.snapshot, "added_snapshot_id"));
    m.added_snapshot_id = AsLong(*snapshot);
    FLOE_RETURN_IF_ERROR(count(l.added, "added_files_count", &m.added_files_count));
    FLOE_RETURN_IF_ERROR(count(l.existing, "existing_files_count", &m.existing_files_count));
    FLOE_RETURN_IF_ERROR(count(l.deleted, "deleted_files_count", &m.deleted_files_count));
    FLOE_RETURN_IF_ERROR(count(l.added_rows, "added_rows_count", &m.added_rows_count));
    FLOE_RETURN_IF_ERROR(count(l.existing_rows, "existing_rows_count", &m.existing_rows_count));
    FLOE_RETURN_IF_ERROR(count(l.deleted_rows, "deleted_rows_count", &m.deleted_rows_count));
    if (const AvroDatum* parts = Value(record, l.partitions)) {
      for (size_t i = 0; i < parts->items().size(); ++i) {
        const AvroDatum& p = parts->items()[i].Unwrap();
        if (p.kind() == AvroType::kNull) return fail(fmt::format("partitions[{}] is null", i));
        PartitionFieldSummary s;
        const AvroDatum* contains_null = Value(p, l.contains_null);
        if (!contains_null) return fail(fmt::format("partitions[{}].contains_null is null", i));
        s.contains_null = contains_null->as_bool();
        if (const AvroDatum* v = Value(p, l.contains_nan)) s.contains_nan = v->as_bool();
        if (const AvroDatum* v = Value(p, l.lower)) s.lower_bound = v->as_bytes();
        if (const AvroDatum* v = Value(p, l.upper)) s.upper_bound = v->as_bytes();
        m.partitions.push_back(std::move(s));
      }
    }
    if (const AvroDatum* k = Value(record, l.key_metadata)) m.key_metadata = k->as_bytes();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace floe::iceberg
