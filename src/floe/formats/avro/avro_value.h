// Avro data: AvroDatum, a generic value of any schema; its binary encoding (Apache Avro 1.11 specification, "Binary
// Encoding") and its JSON encoding ("JSON Encoding").
//
// Binary encoding, per type: null takes no bytes; boolean one byte 0 or 1; int and long zigzag varints; float and
// double 4 and 8 bytes little-endian; bytes and string a long length then the bytes (strings UTF-8); a record its
// fields in order; an enum the int index of its symbol; arrays and maps blocks of a long count then that many items
// (map items: a string key then the value), ended by a count of 0, where a negative count -n means n items preceded
// by the long byte size of the block; a union the long index of its branch then the value; fixed its size in bytes.
// The encoder writes each array and map as one block with a positive count.
//
// The decoder takes hostile input: every length and count is checked against the bytes left (and, for items that
// may take no bytes, such as nulls, against a budget of AvroDecodeLimits::max_empty_items), a negative-count block
// must span exactly its byte size, nesting is limited, booleans are 0 or 1, strings are UTF-8, enum and union indexes
// are in range, varints are at most 5 (int) or 10 (long) bytes. A failure is Corruption naming the datum's path and
// byte offset: "$.data_file.file_path at byte 812: string length 4000 runs past the end (20 bytes left)".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/avro/avro_schema.h"

namespace floe::avro {

struct AvroMapEntry;

// A value of an Avro schema. Its kind is the AvroType of the schema it belongs to; a record holds its field values
// in the schema's field order, an enum its symbol's index, a union its branch index and the branch's value, a map its
// entries in order. A datum does not point at its schema: encoding and JSON conversion take both.
class AvroDatum {
 public:
  // Special members are defined below, where AvroMapEntry is complete: clang's libstdc++ checks need it.
  AvroDatum();  // null
  ~AvroDatum();
  AvroDatum(const AvroDatum&);
  AvroDatum(AvroDatum&&) noexcept;
  AvroDatum& operator=(const AvroDatum&);
  AvroDatum& operator=(AvroDatum&&) noexcept;

  static AvroDatum Null();
  static AvroDatum Boolean(bool v) { return AvroDatum(AvroType::kBoolean, v); }
  static AvroDatum Int(int32_t v) { return AvroDatum(AvroType::kInt, v); }
  static AvroDatum Long(int64_t v) { return AvroDatum(AvroType::kLong, v); }
  static AvroDatum Float(float v) { return AvroDatum(AvroType::kFloat, v); }
  static AvroDatum Double(double v) { return AvroDatum(AvroType::kDouble, v); }
  static AvroDatum Bytes(std::string v) { return AvroDatum(AvroType::kBytes, std::move(v)); }
  static AvroDatum String(std::string v) { return AvroDatum(AvroType::kString, std::move(v)); }
  static AvroDatum Fixed(std::string v) { return AvroDatum(AvroType::kFixed, std::move(v)); }
  static AvroDatum Enum(int32_t symbol_index);
  static AvroDatum Record(std::vector<AvroDatum> fields);
  static AvroDatum Array(std::vector<AvroDatum> items);
  static AvroDatum Map(std::vector<AvroMapEntry> entries);
  static AvroDatum Union(int32_t branch, AvroDatum value);

  AvroType kind() const { return kind_; }
  // Null, or a union whose value is null.
  bool is_null() const;
  // The value of a union, or this datum itself.
  const AvroDatum& Unwrap() const { return kind_ == AvroType::kUnion ? union_value() : *this; }

  // Accessors; each requires the matching kind.
  bool as_bool() const { return std::get<bool>(value_); }
  int32_t as_int() const { return std::get<int32_t>(value_); }
  int64_t as_long() const { return std::get<int64_t>(value_); }
  float as_float() const { return std::get<float>(value_); }
  double as_double() const { return std::get<double>(value_); }
  // Bytes, string or fixed.
  const std::string& as_bytes() const { return std::get<std::string>(value_); }
  const std::string& as_string() const { return std::get<std::string>(value_); }
  int32_t enum_index() const { return index_; }
  // Record fields, array items.
  const std::vector<AvroDatum>& fields() const { return std::get<std::vector<AvroDatum>>(value_); }
  std::vector<AvroDatum>& mutable_fields() { return std::get<std::vector<AvroDatum>>(value_); }
  const AvroDatum& field(size_t i) const { return fields()[i]; }
  const std::vector<AvroDatum>& items() const { return fields(); }
  std::vector<AvroDatum>& mutable_items() { return mutable_fields(); }
  const std::vector<AvroMapEntry>& entries() const { return std::get<std::vector<AvroMapEntry>>(value_); }
  std::vector<AvroMapEntry>& mutable_entries() { return std::get<std::vector<AvroMapEntry>>(value_); }
  int32_t union_branch() const { return index_; }
  const AvroDatum& union_value() const { return fields()[0]; }

  // Same kind and value; floats and doubles compare by bits, so NaN equals the same NaN.
  bool operator==(const AvroDatum& other) const;

 private:
  template <typename T>
  AvroDatum(AvroType kind, T v) : kind_(kind), value_(std::move(v)) {}

  AvroType kind_ = AvroType::kNull;
  int32_t index_ = 0;  // enum symbol, union branch
  std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string, std::vector<AvroDatum>,
               std::vector<AvroMapEntry>>
      value_;
};

struct AvroMapEntry {
  std::string key;
  AvroDatum value;
  bool operator==(const AvroMapEntry&) const = default;
};

inline AvroDatum::AvroDatum() = default;
inline AvroDatum::~AvroDatum() = default;
inline AvroDatum::AvroDatum(const AvroDatum&) = default;
inline AvroDatum::AvroDatum(AvroDatum&&) noexcept = default;
inline AvroDatum& AvroDatum::operator=(const AvroDatum&) = default;
inline AvroDatum& AvroDatum::operator=(AvroDatum&&) noexcept = default;
inline AvroDatum AvroDatum::Null() {
  return AvroDatum();
}

// The value of the record field called `name` (record_schema must be a record and `record` one of its data), or
// nullptr if it has no such field.
const AvroDatum* FindField(const AvroNode& record_schema, const AvroDatum& record, std::string_view name);

// Appends the binary encoding of `datum` as `schema` to *out. InvalidArgument naming the path if the datum does not
// fit: another kind, a record of another field count, an enum or union index out of range, fixed data of another
// size, a string that is not UTF-8. On error *out may hold part of the encoding.
//
// For a union schema, a datum that is not a union is accepted when exactly one branch has its kind (so null, and a
// long for ["null", "long"], need no wrapping); AvroDatum::Union names the branch explicitly.
Status EncodeDatum(const AvroNode& schema, const AvroDatum& datum, std::string* out);

struct AvroDecodeLimits {
  int max_depth = 100;  // nesting of records, arrays, maps and unions
  // Items that may take no bytes (null, empty records, fixed of size 0) cannot be bounded by the bytes left; a
  // decoder creates at most this many.
  uint64_t max_empty_items = uint64_t{1} << 20;
};

// Decodes binary-encoded data from a buffer, one datum at a time.
class AvroDecoder {
 public:
  // Reads `data`; offsets in errors are `base_offset + position`, called `offset_name` ("at byte 812"; a reader
  // of compressed blocks says "at inflated byte 812").
  explicit AvroDecoder(std::string_view data, size_t base_offset = 0, std::string_view offset_name = "byte",
                       AvroDecodeLimits limits = {});

  // Decodes one datum of `schema` at the current position into *out and moves past it.
  Status Decode(const AvroNode& schema, AvroDatum* out);
  // A zigzag long (what: "block count"), and n raw bytes (viewing `data`).
  Status ReadLong(std::string_view what, int64_t* out);
  Status ReadRaw(size_t n, std::string_view what, std::string_view* out);

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  // Moves to another buffer, keeping the count of empty items made so far.
  void Reset(std::string_view data, size_t base_offset, std::string_view offset_name);
  // Counts `n` more items that took no bytes; Corruption once the budget is exceeded.
  Status ChargeEmptyItems(uint64_t n, std::string_view what);
  // Corruption("<path> at <offset name> <base_offset + at>: <why>"), without the path outside Decode.
  Status Error(size_t at, std::string_view why) const;

 private:
  struct PathElement {
    std::string_view name;  // record field or map key
    int64_t index;          // array item; -1 for a name
    bool key;               // a map key
  };

  Status DecodeNode(const AvroNode& schema, AvroDatum* out, int depth);
  Status DecodeBlocks(const AvroNode& schema, AvroDatum* out, int depth);
  Status ReadVarint(std::string_view what, int max_bytes, uint64_t* out);
  std::string Path() const;

  std::string_view data_;
  size_t pos_ = 0;
  size_t base_ = 0;
  std::string_view offset_name_;
  AvroDecodeLimits limits_;
  uint64_t empty_items_ = 0;
  bool in_datum_ = false;
  std::vector<PathElement> path_;
};

// Whether a datum of `schema` may be encoded in zero bytes (null, a record of such fields, fixed of size 0).
bool MayBeEmpty(const AvroNode& schema);

// Avro's JSON encoding: null, booleans, numbers (NaN and infinities of float and double as the strings "NaN",
// "Infinity", "-Infinity"), strings, bytes and fixed as strings of code points 0-255 (one per byte), records and
// maps as objects, enums as their symbol, arrays as arrays, a union as null for its null branch and otherwise
// {"<branch>": value} where <branch> is the full name of a named type or else the type name ("long", "array").
// fastavro's json_writer and json_reader use the same mapping. InvalidArgument naming the path on a mismatch.
Result<std::string> DatumToJson(const AvroNode& schema, const AvroDatum& datum);
// Parses that JSON. A record field missing from the JSON object takes the field's default.
Result<AvroDatum> DatumFromJson(const AvroNode& schema, std::string_view json);

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace floe::avro
