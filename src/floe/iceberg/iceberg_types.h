// Iceberg's data types, schemas and single values (Apache Iceberg table spec v2, "Schemas and Data Types").
//
// A Schema is a struct of NestedFields, each with a unique field id (ids, not names, identify columns: renaming a
// column keeps its id, and data files are matched to the table schema by id). Types are primitive
// (boolean, int, long, float, double, decimal(P,S), date, time, timestamp, timestamptz, timestamp_ns,
// timestamptz_ns, string, uuid, fixed[L], binary) or nested (struct, list, map); nested types own their child fields.
//
// A Literal is one value of a primitive type, as the spec's "Binary single-value serialization" and partition tuples
// need it: booleans, int (int, date), long (long, time, timestamps: micros, or nanos for the _ns types), float,
// double, bytes (string, uuid, fixed, binary: the raw bytes; a uuid is its 16 bytes big-endian), and decimals as an
// unscaled 128-bit integer with the type's scale.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "floe/base/status.h"

namespace floe::iceberg {

enum class TypeId : uint8_t {
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kTimestampNs,
  kTimestampTzNs,
  kString,
  kUuid,
  kFixed,
  kBinary,
  kStruct,
  kList,
  kMap,
};

struct NestedField;
struct Type;
using TypePtr = std::shared_ptr<const Type>;

struct Type {
  TypeId id = TypeId::kLong;
  int32_t precision = 0;  // decimal
  int32_t scale = 0;      // decimal
  int32_t length = 0;     // fixed
  // struct: its fields; list: one field named "element"; map: two fields named "key" and "value".
  std::vector<NestedField> fields;

  bool is_primitive() const { return id < TypeId::kStruct; }
  bool is_nested() const { return !is_primitive(); }

  // Primitives by their spec name: "long", "decimal(9,2)", "fixed[16]", "timestamptz". Nested types in a readable
  // form for messages: "struct<1: a: optional int>", "list<string>", "map<string, long>".
  std::string ToString() const;
  // A primitive type from its spec name (whitespace inside decimal(...) allowed). InvalidArgument otherwise.
  static Result<TypePtr> ParsePrimitive(std::string_view name);

  // Shared instances of the parameterless primitives, and constructors for the others.
  static TypePtr Primitive(TypeId id);
  static TypePtr Decimal(int32_t precision, int32_t scale);
  static TypePtr Fixed(int32_t length);
  static TypePtr Struct(std::vector<NestedField> fields);
  static TypePtr List(int32_t element_id, bool element_required, TypePtr element);
  static TypePtr Map(int32_t key_id, TypePtr key, int32_t value_id, bool value_required, TypePtr value);

  bool operator==(const Type& other) const;
};

struct NestedField {
  int32_t id = 0;
  std::string name;
  bool required = false;
  TypePtr type;
  std::string doc;  // empty: none
  // initial-default / write-default (spec v3, kept when read) as JSON single-value text.
  std::optional<std::string> initial_default_json;
  std::optional<std::string> write_default_json;

  bool operator==(const NestedField& other) const;
};

class Schema {
 public:
  Schema() = default;
  Schema(int32_t schema_id, std::vector<NestedField> fields, std::vector<int32_t> identifier_field_ids = {});

  int32_t schema_id() const { return schema_id_; }
  void set_schema_id(int32_t id) { schema_id_ = id; }
  const std::vector<NestedField>& fields() const { return fields_; }
  const std::vector<int32_t>& identifier_field_ids() const { return identifier_field_ids_; }

  // The field with this id at any depth, or nullptr.
  const NestedField* FindById(int32_t id) const;
  // The field with this name: a top-level name, or a dotted path into structs ("location.lat"); case-sensitive.
  // nullptr when there is none.
  const NestedField* FindByName(std::string_view name) const;
  // The dotted full name of the field with this id ("location.lat"), or "" when there is none.
  std::string NameOf(int32_t id) const;
  // The largest field id at any depth (0 for an empty schema).
  int32_t HighestFieldId() const;

  // Checks what the spec requires: unique field ids at any depth, unique names among siblings, identifier fields
  // that exist and are required primitives. InvalidArgument naming the field.
  Status Validate() const;

  // Same fields (by id, name, type, requiredness, doc) and identifier fields; the schema id is not compared.
  bool SameStructure(const Schema& other) const;

 private:
  int32_t schema_id_ = 0;
  std::vector<NestedField> fields_;
  std::vector<int32_t> identifier_field_ids_;
};

// An unscaled decimal value; the scale is the type's.
struct DecimalValue {
  __int128 unscaled = 0;
  bool operator==(const DecimalValue&) const = default;
  auto operator<=>(const DecimalValue&) const = default;
};

// One non-null value of a primitive type. The representation by type:
//   boolean: bool; int, date: int32_t (days); long, time, timestamp*: int64_t (micros; nanos for the _ns types);
//   float: float; double: double; decimal: DecimalValue; string, uuid, fixed, binary: std::string (bytes).
struct Literal {
  TypePtr type;
  std::variant<bool, int32_t, int64_t, float, double, DecimalValue, std::string> value;

  static Literal Boolean(bool v);
  static Literal Int(int32_t v);
  static Literal Long(int64_t v);
  static Literal Float(float v);
  static Literal Double(double v);
  static Literal Date(int32_t days);
  static Literal Time(int64_t micros);
  static Literal Timestamp(int64_t micros);
  static Literal TimestampTz(int64_t micros);
  static Literal String(std::string v);
  static Literal Binary(std::string v);
  static Literal Decimal(__int128 unscaled, int32_t precision, int32_t scale);
  // A value of `type` with representation `v` (the caller makes sure they agree).
  template <typename V>
  static Literal Of(TypePtr type, V v) {
    Literal l;
    l.type = std::move(type);
    l.value = std::move(v);
    return l;
  }

  TypeId type_id() const { return type->id; }
  bool as_bool() const { return std::get<bool>(value); }
  int32_t as_int() const { return std::get<int32_t>(value); }
  int64_t as_long() const { return std::get<int64_t>(value); }
  float as_float() const { return std::get<float>(value); }
  double as_double() const { return std::get<double>(value); }
  const DecimalValue& as_decimal() const { return std::get<DecimalValue>(value); }
  const std::string& as_bytes() const { return std::get<std::string>(value); }

  // The value as a person reads it: 42, 1.5, "2026-11-25", "2026-11-25T10:00:00.123456", "2026-11-25T10:00:00Z"
  // (timestamptz in UTC), "12.34", strings as they are, binary/fixed as hex, uuids in 8-4-4-4-12 form.
  std::string ToString() const;

  // Same type and value; floating point by bits.
  bool operator==(const Literal& other) const;
};

// The decimal digits of v, with a '-' when negative.
std::string Int128ToString(__int128 v);

// Compares two values of the same primitive type in the spec's order (signed numbers; strings and binary as
// unsigned bytes; floats with -NaN < -inf < ... < -0 < 0 < ... < inf < NaN). The caller makes sure the types match.
int CompareLiterals(const Literal& a, const Literal& b);

}  // namespace floe::iceberg
