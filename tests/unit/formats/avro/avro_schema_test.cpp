#include "floe/formats/avro/avro_schema.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace floe::avro {
namespace {

// Iceberg v2 manifest list entry (spec "Manifest Lists": manifest_file, field_summary as r508).
constexpr const char* kManifestFileSchema = R"({
  "type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "doc": "Location URI with FS scheme", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "content", "type": "int", "field-id": 517},
    {"name": "sequence_number", "type": "long", "field-id": 515},
    {"name": "min_sequence_number", "type": "long", "field-id": 516},
    {"name": "added_snapshot_id", "type": "long", "field-id": 503},
    {"name": "added_files_count", "type": "int", "field-id": 504},
    {"name": "existing_files_count", "type": "int", "field-id": 505},
    {"name": "deleted_files_count", "type": "int", "field-id": 506},
    {"name": "added_rows_count", "type": "long", "field-id": 512},
    {"name": "existing_rows_count", "type": "long", "field-id": 513},
    {"name": "deleted_rows_count", "type": "long", "field-id": 514},
    {"name": "partitions", "type": ["null", {"type": "array", "element-id": 508, "items": {
      "type": "record", "name": "r508", "fields": [
        {"name": "contains_null", "type": "boolean", "field-id": 509},
        {"name": "contains_nan", "type": ["null", "boolean"], "default": null, "field-id": 518},
        {"name": "lower_bound", "type": ["null", "bytes"], "default": null, "field-id": 510},
        {"name": "upper_bound", "type": ["null", "bytes"], "default": null, "field-id": 511}]}}],
     "default": null, "field-id": 507},
    {"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 519}]})";

std::string IntMap(const char* name, int id, int key_id, int value_id, const char* value_type) {
  return fmt::format(R"({{"name": "{}", "type": ["null", {{"type": "array", "logicalType": "map", "items": {{
      "type": "record", "name": "k{}_v{}", "fields": [{{"name": "key", "type": "int", "field-id": {}}},
      {{"name": "value", "type": "{}", "field-id": {}}}]}}}}], "default": null, "field-id": {}}})",
                     name, key_id, value_id, key_id, value_type, value_id, id);
}

// Iceberg v2 manifest entry (spec "Manifests": manifest_entry, data_file as r2, partition as r102) for a table
// partitioned by day(ts) and bucket(sensor).
std::string ManifestEntrySchema() {
  return std::string(R"({
  "type": "record", "name": "manifest_entry", "fields": [
    {"name": "status", "type": "int", "field-id": 0},
    {"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1},
    {"name": "sequence_number", "type": ["null", "long"], "default": null, "field-id": 3},
    {"name": "file_sequence_number", "type": ["null", "long"], "default": null, "field-id": 4},
    {"name": "data_file", "field-id": 2, "type": {"type": "record", "name": "r2", "fields": [
      {"name": "content", "type": "int", "field-id": 134},
      {"name": "file_path", "type": "string", "field-id": 100},
      {"name": "file_format", "type": "string", "field-id": 101},
      {"name": "partition", "field-id": 102, "type": {"type": "record", "name": "r102", "fields": [
        {"name": "ts_day", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null,
         "field-id": 1000},
        {"name": "sensor_bucket", "type": ["null", "int"], "default": null, "field-id": 1001}]}},
      {"name": "record_count", "type": "long", "field-id": 103},
      {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
      )") +
         IntMap("column_sizes", 108, 117, 118, "long") + ",\n" + IntMap("value_counts", 109, 119, 120, "long") + ",\n" +
         IntMap("null_value_counts", 110, 121, 122, "long") + ",\n" +
         IntMap("nan_value_counts", 137, 138, 139, "long") + ",\n" + IntMap("lower_bounds", 125, 126, 127, "bytes") +
         ",\n" + IntMap("upper_bounds", 128, 129, 130, "bytes") + R"(,
      {"name": "key_metadata", "type": ["null", "bytes"], "default": null, "field-id": 131},
      {"name": "split_offsets", "type": ["null", {"type": "array", "items": "long", "element-id": 133}],
       "default": null, "field-id": 132},
      {"name": "equality_ids", "type": ["null", {"type": "array", "items": "int", "element-id": 136}],
       "default": null, "field-id": 135},
      {"name": "sort_order_id", "type": ["null", "int"], "default": null, "field-id": 140},
      {"name": "referenced_data_file", "type": ["null", "string"], "default": null, "field-id": 143}]}}]})";
}

AvroSchema MustParse(std::string_view json) {
  auto s = AvroSchema::Parse(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : AvroSchema();
}

std::string ParseError(std::string_view json) {
  auto s = AvroSchema::Parse(json);
  EXPECT_FALSE(s.ok()) << json;
  if (s.ok()) return "";
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  return s.status().message();
}

// Parse(ToJson()) writes the same JSON again.
void ExpectStableJson(const AvroSchema& s) {
  std::string once = s.ToJson();
  auto again = AvroSchema::Parse(once);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << once;
  EXPECT_EQ(again->ToJson(), once);
}

TEST(AvroSchemaTest, ParsesEveryPrimitiveByNameAndAsObject) {
  const std::pair<const char*, AvroType> cases[] = {
      {"null", AvroType::kNull},   {"boolean", AvroType::kBoolean}, {"int", AvroType::kInt},
      {"long", AvroType::kLong},   {"float", AvroType::kFloat},     {"double", AvroType::kDouble},
      {"bytes", AvroType::kBytes}, {"string", AvroType::kString},
  };
  for (const auto& [name, type] : cases) {
    AvroSchema bare = MustParse(std::string("\"") + name + "\"");
    EXPECT_EQ(bare.root().type, type);
    EXPECT_EQ(bare.ToJson(), std::string("\"") + name + "\"");
    AvroSchema object = MustParse(std::string(R"({"type": ")") + name + "\"}");
    EXPECT_EQ(object.root().type, type);
    EXPECT_EQ(object.ToJson(), std::string("\"") + name + "\"");
    EXPECT_EQ(AvroTypeName(type), name);
  }
}

TEST(AvroSchemaTest, KeepsLogicalTypesAndCustomAttributesOnPrimitives) {
  AvroSchema s = MustParse(R"({"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2})");
  EXPECT_EQ(s.root().type, AvroType::kBytes);
  EXPECT_EQ(s.root().LogicalType(), "decimal");
  EXPECT_EQ(s.root().attributes.GetInt("precision"), 9);
  EXPECT_EQ(s.root().attributes.GetInt("scale"), 2);
  EXPECT_EQ(s.ToJson(), R"({"type":"bytes","logicalType":"decimal","precision":9,"scale":2})");
}

TEST(AvroSchemaTest, ParsesComplexTypesWithTheirAttributes) {
  AvroSchema s = MustParse(R"({
    "type": "record", "name": "Reading", "namespace": "floe.test", "doc": "one reading",
    "fields": [
      {"name": "id", "type": "long", "field-id": 1, "doc": "sensor id", "order": "descending"},
      {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["TEMP", "HUMIDITY"], "default": "TEMP"}},
      {"name": "tags", "type": {"type": "array", "items": "string", "element-id": 7}, "default": []},
      {"name": "extra", "type": {"type": "map", "values": ["null", "double"], "key-id": 8, "value-id": 9}},
      {"name": "digest", "type": {"type": "fixed", "name": "md5", "size": 16}},
      {"name": "note", "type": ["null", "string", "Kind"], "default": null}
    ]})");
  const AvroNode& r = s.root();
  ASSERT_EQ(r.type, AvroType::kRecord);
  EXPECT_EQ(r.name, "Reading");
  EXPECT_EQ(r.full_name, "floe.test.Reading");
  EXPECT_EQ(r.attributes.GetString("doc"), "one reading");
  ASSERT_EQ(r.fields.size(), 6u);
  EXPECT_EQ(r.fields[0].attributes.GetInt("field-id"), 1);
  EXPECT_EQ(r.fields[0].attributes.GetString("order"), "descending");
  const AvroNode& kind = *r.fields[1].type;
  EXPECT_EQ(kind.type, AvroType::kEnum);
  EXPECT_EQ(kind.full_name, "floe.test.Kind");  // inherits the enclosing namespace
  EXPECT_EQ(kind.symbols, (std::vector<std::string>{"TEMP", "HUMIDITY"}));
  EXPECT_EQ(kind.attributes.GetString("default"), "TEMP");
  EXPECT_EQ(r.fields[2].type->type, AvroType::kArray);
  EXPECT_EQ(r.fields[2].type->items->type, AvroType::kString);
  EXPECT_EQ(r.fields[2].type->attributes.GetInt("element-id"), 7);
  EXPECT_EQ(r.fields[2].default_json, "[]");
  const AvroNode& extra = *r.fields[3].type;
  EXPECT_EQ(extra.type, AvroType::kMap);
  EXPECT_EQ(extra.values->type, AvroType::kUnion);
  EXPECT_EQ(extra.attributes.GetInt("key-id"), 8);
  EXPECT_EQ(extra.attributes.GetInt("value-id"), 9);
  EXPECT_EQ(r.fields[4].type->type, AvroType::kFixed);
  EXPECT_EQ(r.fields[4].type->size, 16);
  const AvroNode& note = *r.fields[5].type;
  ASSERT_EQ(note.branches.size(), 3u);
  EXPECT_EQ(note.branches[2], &kind);  // a reference is the defined node
  EXPECT_EQ(note.NullBranch(), 0);
  EXPECT_EQ(note.branches[2]->JsonName(), "floe.test.Kind");
  EXPECT_EQ(r.fields[5].default_json, "null");
  EXPECT_EQ(s.FindNamed("floe.test.md5"), r.fields[4].type);

  // The definition is written once, then referenced by full name; attributes survive.
  std::string json = s.ToJson();
  EXPECT_NE(json.find(R"("type":["null","string","floe.test.Kind"])"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("field-id":1,"doc":"sensor id","order":"descending")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("key-id":8,"value-id":9)"), std::string::npos) << json;
  ExpectStableJson(s);
}

TEST(AvroSchemaTest, ResolvesFullNamesAsTheSpecificationDoes) {
  AvroSchema s = MustParse(R"({
    "type": "record", "name": "Example", "fields": [
      {"name": "inheritNull", "type": {"type": "enum", "name": "Simple", "symbols": ["a", "b"]}},
      {"name": "explicitNamespace", "type": {"type": "fixed", "name": "Simple", "namespace": "explicit", "size": 12}},
      {"name": "fullName", "type": {"type": "record", "name": "a.full.Name", "namespace": "ignored", "fields": [
        {"name": "inheritNamespace", "type": {"type": "enum", "name": "Understanding", "symbols": ["d", "e"]}},
        {"name": "sameAgain", "type": "Understanding"}]}},
      {"name": "byFullName", "type": "explicit.Simple"},
      {"name": "fromNullNamespace", "type": "Simple"}]})");
  const AvroNode& r = s.root();
  EXPECT_EQ(r.fields[0].type->full_name, "Simple");
  EXPECT_EQ(r.fields[1].type->full_name, "explicit.Simple");
  EXPECT_EQ(r.fields[2].type->full_name, "a.full.Name");
  EXPECT_EQ(r.fields[2].type->fields[0].type->full_name, "a.full.Understanding");
  EXPECT_EQ(r.fields[2].type->fields[1].type, r.fields[2].type->fields[0].type);
  EXPECT_EQ(r.fields[3].type, r.fields[1].type);
  EXPECT_EQ(r.fields[4].type, r.fields[0].type);
  ExpectStableJson(s);
}

TEST(AvroSchemaTest, ParsesRecursiveTypes) {
  AvroSchema s = MustParse(R"({"type": "record", "name": "LongList", "aliases": ["LinkedLongs"], "fields": [
    {"name": "value", "type": "long"}, {"name": "next", "type": ["null", "LongList"]}]})");
  EXPECT_EQ(s.root().fields[1].type->branches[1], &s.root());
  EXPECT_EQ(s.ToJson(), R"({"type":"record","name":"LongList","fields":[{"name":"value","type":"long"},)"
                        R"({"name":"next","type":["null","LongList"]}],"aliases":["LinkedLongs"]})");
  // Copies are deep and keep the cycle inside the copy.
  AvroSchema copy = s;
  EXPECT_EQ(copy.root().fields[1].type->branches[1], &copy.root());
  EXPECT_NE(&copy.root(), &s.root());
  EXPECT_EQ(copy.ToJson(), s.ToJson());
}

TEST(AvroSchemaTest, ParsesIcebergManifestListSchemaWithFieldIds) {
  AvroSchema s = MustParse(kManifestFileSchema);
  const AvroNode& r = s.root();
  EXPECT_EQ(r.full_name, "manifest_file");
  ASSERT_EQ(r.fields.size(), 15u);
  const std::pair<const char*, int> ids[] = {
      {"manifest_path", 500},        {"manifest_length", 501},
      {"partition_spec_id", 502},    {"content", 517},
      {"sequence_number", 515},      {"min_sequence_number", 516},
      {"added_snapshot_id", 503},    {"added_files_count", 504},
      {"existing_files_count", 505}, {"deleted_files_count", 506},
      {"added_rows_count", 512},     {"existing_rows_count", 513},
      {"deleted_rows_count", 514},   {"partitions", 507},
      {"key_metadata", 519},
  };
  for (const auto& [name, id] : ids) {
    const AvroField* f = r.FindField(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->attributes.GetInt("field-id"), id) << name;
  }
  const AvroNode& partitions = *r.FindField("partitions")->type;
  ASSERT_EQ(partitions.type, AvroType::kUnion);
  const AvroNode& list = *partitions.branches[1];
  EXPECT_EQ(list.attributes.GetInt("element-id"), 508);
  EXPECT_EQ(list.items->full_name, "r508");
  EXPECT_EQ(list.items->FindField("contains_null")->attributes.GetInt("field-id"), 509);
  EXPECT_EQ(list.items->FindField("contains_nan")->attributes.GetInt("field-id"), 518);
  EXPECT_EQ(list.items->FindField("lower_bound")->attributes.GetInt("field-id"), 510);
  EXPECT_EQ(list.items->FindField("upper_bound")->attributes.GetInt("field-id"), 511);
  EXPECT_EQ(r.FindField("manifest_path")->attributes.GetString("doc"), "Location URI with FS scheme");
  ExpectStableJson(s);
}

TEST(AvroSchemaTest, ParsesIcebergManifestEntrySchemaWithFieldIds) {
  AvroSchema s = MustParse(ManifestEntrySchema());
  const AvroNode& entry = s.root();
  EXPECT_EQ(entry.FindField("status")->attributes.GetInt("field-id"), 0);
  EXPECT_EQ(entry.FindField("snapshot_id")->attributes.GetInt("field-id"), 1);
  EXPECT_EQ(entry.FindField("sequence_number")->attributes.GetInt("field-id"), 3);
  EXPECT_EQ(entry.FindField("file_sequence_number")->attributes.GetInt("field-id"), 4);
  const AvroField* data_file = entry.FindField("data_file");
  ASSERT_NE(data_file, nullptr);
  EXPECT_EQ(data_file->attributes.GetInt("field-id"), 2);
  const AvroNode& df = *data_file->type;
  EXPECT_EQ(df.full_name, "r2");
  EXPECT_EQ(df.FindField("content")->attributes.GetInt("field-id"), 134);
  EXPECT_EQ(df.FindField("file_path")->attributes.GetInt("field-id"), 100);
  EXPECT_EQ(df.FindField("file_format")->attributes.GetInt("field-id"), 101);
  EXPECT_EQ(df.FindField("record_count")->attributes.GetInt("field-id"), 103);
  EXPECT_EQ(df.FindField("file_size_in_bytes")->attributes.GetInt("field-id"), 104);
  const AvroField* partition = df.FindField("partition");
  EXPECT_EQ(partition->attributes.GetInt("field-id"), 102);
  EXPECT_EQ(partition->type->full_name, "r102");
  const AvroNode& ts_day = *partition->type->FindField("ts_day")->type->branches[1];
  EXPECT_EQ(ts_day.type, AvroType::kInt);
  EXPECT_EQ(ts_day.LogicalType(), "date");
  EXPECT_EQ(partition->type->FindField("ts_day")->attributes.GetInt("field-id"), 1000);

  // Maps with int keys: arrays of key/value records with "logicalType": "map" and the key and value ids.
  const std::tuple<const char*, int, int, int, AvroType> maps[] = {
      {"column_sizes", 108, 117, 118, AvroType::kLong},      {"value_counts", 109, 119, 120, AvroType::kLong},
      {"null_value_counts", 110, 121, 122, AvroType::kLong}, {"nan_value_counts", 137, 138, 139, AvroType::kLong},
      {"lower_bounds", 125, 126, 127, AvroType::kBytes},     {"upper_bounds", 128, 129, 130, AvroType::kBytes},
  };
  for (const auto& [name, id, key_id, value_id, value_type] : maps) {
    const AvroField* f = df.FindField(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->attributes.GetInt("field-id"), id) << name;
    EXPECT_EQ(f->default_json, "null");
    const AvroNode& array = *f->type->branches[1];
    EXPECT_EQ(array.type, AvroType::kArray) << name;
    EXPECT_EQ(array.LogicalType(), "map") << name;
    const AvroNode& kv = *array.items;
    EXPECT_EQ(kv.full_name, fmt::format("k{}_v{}", key_id, value_id));
    EXPECT_EQ(kv.FindField("key")->attributes.GetInt("field-id"), key_id) << name;
    EXPECT_EQ(kv.FindField("key")->type->type, AvroType::kInt) << name;
    EXPECT_EQ(kv.FindField("value")->attributes.GetInt("field-id"), value_id) << name;
    EXPECT_EQ(kv.FindField("value")->type->type, value_type) << name;
  }
  EXPECT_EQ(df.FindField("key_metadata")->attributes.GetInt("field-id"), 131);
  EXPECT_EQ(df.FindField("split_offsets")->type->branches[1]->attributes.GetInt("element-id"), 133);
  EXPECT_EQ(df.FindField("split_offsets")->attributes.GetInt("field-id"), 132);
  EXPECT_EQ(df.FindField("equality_ids")->type->branches[1]->attributes.GetInt("element-id"), 136);
  EXPECT_EQ(df.FindField("equality_ids")->attributes.GetInt("field-id"), 135);
  EXPECT_EQ(df.FindField("sort_order_id")->attributes.GetInt("field-id"), 140);
  EXPECT_EQ(df.FindField("referenced_data_file")->attributes.GetInt("field-id"), 143);
  ExpectStableJson(s);
}

TEST(AvroSchemaTest, AttributesCanBeSetAndRead) {
  AvroAttributes a;
  a.SetInt("field-id", 117);
  a.SetString("doc", "say \"hi\"");
  a.Set("aliases", R"(["x","y"])");
  a.SetInt("field-id", 118);  // replaces in place
  EXPECT_EQ(a.entries().size(), 3u);
  EXPECT_EQ(a.entries()[0].first, "field-id");
  EXPECT_EQ(a.GetInt("field-id"), 118);
  EXPECT_EQ(a.GetString("doc"), "say \"hi\"");
  EXPECT_EQ(*a.Find("aliases"), R"(["x","y"])");
  EXPECT_EQ(a.GetInt("doc"), std::nullopt);
  EXPECT_EQ(a.GetString("missing"), std::nullopt);
}

TEST(AvroSchemaTest, ErrorsNameTheJsonPath) {
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"},
                        {"name": "b", "type": {"type": "array", "items": "lnog"}}]})"),
            "avro schema: $.fields[1].type.items: unknown type \"lnog\" (not a primitive type, nor a named type "
            "defined before it)");
  EXPECT_NE(ParseError("{\"type\": ").find("avro schema: not valid JSON"), std::string::npos);
  EXPECT_EQ(ParseError(R"({"name": "x"})"), "avro schema: $: no \"type\"");
  EXPECT_EQ(ParseError("42"), "avro schema: $: a schema is a type name, an object or a union array, not 42");
  EXPECT_EQ(ParseError(R"({"type": "record", "fields": []})"), "avro schema: $: record without a string \"name\"");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r"})"), "avro schema: $: record without a \"fields\" array");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "9r", "fields": []})"),
            "avro schema: $.name: invalid name \"9r\" (names match [A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "int", "fields": []})"),
            "avro schema: $.name: \"int\" is a primitive type name");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [{"name": "a-b", "type": "int"}]})"),
            "avro schema: $.fields[0].name: invalid field name \"a-b\" (names match [A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"},
                        {"name": "a", "type": "long"}]})"),
            "avro schema: $.fields[1].name: duplicate field \"a\"");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [{"name": "a"}]})"),
            "avro schema: $.fields[0]: field \"a\" without \"type\"");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [
                        {"name": "a", "type": {"type": "fixed", "name": "r", "size": 1}}]})"),
            "avro schema: $.fields[0].type.name: \"r\" is already defined");
  EXPECT_EQ(ParseError(R"(["null", "int", "null"])"), "avro schema: $[2]: the union already has a \"null\" branch");
  EXPECT_EQ(ParseError(R"(["null", ["int"]])"), "avro schema: $[1]: a union may not immediately contain another union");
  EXPECT_EQ(ParseError(R"({"type": "enum", "name": "e", "symbols": ["A", "A"]})"),
            "avro schema: $.symbols[1]: duplicate symbol \"A\"");
  EXPECT_EQ(ParseError(R"({"type": "enum", "name": "e", "symbols": ["A"], "default": "B"})"),
            "avro schema: $.default: \"B\" is not one of the symbols");
  EXPECT_EQ(ParseError(R"({"type": "fixed", "name": "f"})"),
            "avro schema: $: fixed without a \"size\" from 0 to 2^31-1");
  EXPECT_EQ(ParseError(R"({"type": "fixed", "name": "f", "size": -1})"),
            "avro schema: $: fixed without a \"size\" from 0 to 2^31-1");
  EXPECT_EQ(ParseError(R"({"type": "array"})"), "avro schema: $: array without \"items\"");
  EXPECT_EQ(ParseError(R"({"type": "map", "items": "int"})"), "avro schema: $: map without \"values\"");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "namespace": "a..b", "fields": []})"),
            "avro schema: $.namespace: invalid namespace \"a..b\"");
}

TEST(AvroSchemaTest, FieldDefaultsMustFitTheirType) {
  // A union's default is a value of its first branch.
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [
                        {"name": "a", "type": ["long", "null"], "default": null}]})"),
            "avro schema: invalid default: $.fields[0].default: expected a 64-bit integer for long, got null");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [
                        {"name": "a", "type": "int", "default": 3000000000}]})"),
            "avro schema: invalid default: $.fields[0].default: expected a 32-bit integer for int, got 3000000000");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [
                        {"name": "a", "type": {"type": "fixed", "name": "f", "size": 2}, "default": "abc"}]})"),
            "avro schema: invalid default: $.fields[0].default: fixed f takes 2 bytes, got 3");
  EXPECT_EQ(ParseError(R"({"type": "record", "name": "r", "fields": [
                        {"name": "a", "type": {"type": "record", "name": "s", "fields": [{"name": "x", "type": "int"}]},
                         "default": {}}]})"),
            "avro schema: invalid default: $.fields[0].default: missing field \"x\" (it has no default)");
  // Valid defaults of every kind.
  MustParse(R"({"type": "record", "name": "r", "fields": [
    {"name": "n", "type": "null", "default": null},
    {"name": "b", "type": "boolean", "default": true},
    {"name": "i", "type": "int", "default": -5},
    {"name": "l", "type": "long", "default": 9007199254740993},
    {"name": "f", "type": "float", "default": 1.5},
    {"name": "d", "type": "double", "default": "NaN"},
    {"name": "by", "type": "bytes", "default": "\u00ff\u0000"},
    {"name": "s", "type": "string", "default": "héllo"},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}, "default": "Y"},
    {"name": "a", "type": {"type": "array", "items": "int"}, "default": [1, 2]},
    {"name": "m", "type": {"type": "map", "values": "long"}, "default": {"k": 1}},
    {"name": "u", "type": ["string", "null"], "default": "x"},
    {"name": "rec", "type": {"type": "record", "name": "S", "fields": [{"name": "x", "type": "int", "default": 1}]},
     "default": {}}]})");
}

TEST(AvroSchemaTest, DeeplyNestedSchemasAreAnErrorNotACrash) {
  std::string json;
  for (int i = 0; i < 5000; ++i) json += R"({"type": "array", "items": )";
  json += "\"int\"";
  for (int i = 0; i < 5000; ++i) json += "}";
  EXPECT_NE(ParseError(json).find("nested deeper than"), std::string::npos);
}

}  // namespace
}  // namespace floe::avro
