// Avro schemas (Apache Avro 1.11 specification, "Schema Declaration", "Names"): the JSON form parsed into a tree of
// AvroNode, and written back.
//
// Every attribute the specification does not define is kept, in order, as JSON text: Iceberg puts "field-id" on
// record fields, "element-id" on arrays, "key-id"/"value-id" on maps and "logicalType" on types (its maps with
// non-string keys are arrays of key/value records with "logicalType": "map"); "doc", "aliases" and "order" are
// kept the same way. Named types (record, enum, fixed) get full names by the specification's namespace rules and may
// be referenced by name after their definition, so a schema can be recursive; ToJson() writes each named type's
// definition once, at its first use, and its full name afterwards.
//
// Parse checks what the specification requires of a schema: names match [A-Za-z_][A-Za-z0-9_]* (dot-separated in
// namespaces), a full name is defined once, unions hold no union and no two branches of the same unnamed type or the
// same name, enum symbols are unique, fixed sizes are non-negative and field defaults fit their type (for a union,
// its first branch). Errors name the JSON path: "avro schema: $.fields[2].type.items: unknown type 'lnog'".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/status.h"

namespace floe::avro {

enum class AvroType : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

// "null", "boolean", "int", ..., "record", "enum", "array", "map", "union", "fixed".
std::string_view AvroTypeName(AvroType type);

// The attributes of a type or field that the specification does not define, in the order they were written, each
// value as compact JSON text ("117", "\"map\"", "[\"a\"]").
class AvroAttributes {
 public:
  // The JSON text of attribute `name`, or nullptr.
  const std::string* Find(std::string_view name) const;
  // The attribute if it is present and a JSON integer / string; nullopt otherwise.
  std::optional<int64_t> GetInt(std::string_view name) const;
  std::optional<std::string> GetString(std::string_view name) const;
  // Adds `name`, or replaces its value in place. `json` must be valid JSON text.
  void Set(std::string name, std::string json);
  void SetInt(std::string name, int64_t value);
  void SetString(std::string name, std::string_view value);

  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  bool operator==(const AvroAttributes&) const = default;

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

struct AvroNode;

struct AvroField {
  std::string name;
  const AvroNode* type = nullptr;  // owned by the AvroSchema
  // The "default" value as compact JSON text (Iceberg writes null for optional fields).
  std::optional<std::string> default_json;
  AvroAttributes attributes;  // "field-id", "doc", "aliases", "order", ...
};

// One type of a schema. Nodes are owned by their AvroSchema; a named type referenced several times is one node.
struct AvroNode {
  AvroType type = AvroType::kNull;

  // Record, enum, fixed: "name" and "namespace" as written, and the full name they resolve to.
  std::string name;
  std::optional<std::string> namespace_attribute;
  std::string full_name;

  std::vector<AvroField> fields;          // record
  std::vector<std::string> symbols;       // enum
  const AvroNode* items = nullptr;        // array
  const AvroNode* values = nullptr;       // map
  std::vector<const AvroNode*> branches;  // union
  int64_t size = 0;                       // fixed

  AvroAttributes attributes;  // "logicalType", "doc", "element-id", "key-id", enum "default", ...

  bool is_named() const { return type == AvroType::kRecord || type == AvroType::kEnum || type == AvroType::kFixed; }
  // The index of the record field called `name`, or -1.
  int FieldIndex(std::string_view field_name) const;
  const AvroField* FindField(std::string_view field_name) const;
  // The "logicalType" attribute, or "".
  std::string LogicalType() const;
  // For a union, the index of its "null" branch, or -1.
  int NullBranch() const;
  // What a union branch is called in Avro's JSON encoding: the full name of a named type, else the type name.
  std::string_view JsonName() const { return is_named() ? std::string_view(full_name) : AvroTypeName(type); }
};

class AvroSchema {
 public:
  // The schema "null".
  AvroSchema();
  AvroSchema(const AvroSchema& other);
  AvroSchema& operator=(const AvroSchema& other);
  AvroSchema(AvroSchema&&) noexcept = default;
  AvroSchema& operator=(AvroSchema&&) noexcept = default;

  // Parses the JSON form of a schema. InvalidArgument naming the JSON path of what is wrong.
  static Result<AvroSchema> Parse(std::string_view json);

  const AvroNode& root() const { return *root_; }
  // The named type with this full name, or nullptr.
  const AvroNode* FindNamed(std::string_view full_name) const;

  // The JSON form: compact, primitives without attributes as bare names, each object's keys as "type", "name",
  // "namespace", the type's own keys (fields, symbols, items, values, size), then the kept attributes in their
  // order; fields as "name", "type", "default", then attributes. Parse(ToJson()) gives an equal schema.
  std::string ToJson() const;

 private:
  friend class AvroSchemaParser;
  void CopyFrom(const AvroSchema& other);

  std::vector<std::unique_ptr<AvroNode>> nodes_;  // stable addresses: nodes point at each other
  const AvroNode* root_ = nullptr;
};

}  // namespace floe::avro
