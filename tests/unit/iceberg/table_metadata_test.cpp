// Table metadata JSON: reading v1 and v2 files as the spec and other writers produce them, writing v2 that reads back
// to the same metadata, and errors that name the JSON path of what is wrong.
#include "floe/iceberg/table_metadata.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace floe::iceberg {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kFile = "s3://b/t/metadata/v3.metadata.json";

// A v2 file in the shape Java writes it, with every field of the spec's table, nested types, two schemas, two
// specs, a tag and a branch, statistics, and a key no reader knows.
constexpr std::string_view kV2 = R"json({
  "format-version" : 2,
  "table-uuid" : "5d4c2a9e-8f3b-4e1a-9c7d-1b2a3c4d5e6f",
  "location" : "s3://b/t",
  "last-sequence-number" : 3,
  "last-updated-ms" : 1764064800123,
  "last-column-id" : 11,
  "current-schema-id" : 1,
  "schemas" : [ {
    "type" : "struct",
    "schema-id" : 0,
    "fields" : [ {
      "id" : 1, "name" : "id", "required" : true, "type" : "long"
    }, {
      "id" : 2, "name" : "ts", "required" : false, "type" : "timestamptz"
    } ]
  }, {
    "type" : "struct",
    "schema-id" : 1,
    "identifier-field-ids" : [ 1 ],
    "fields" : [ {
      "id" : 1, "name" : "id", "required" : true, "type" : "long", "doc" : "row key"
    }, {
      "id" : 2, "name" : "ts", "required" : false, "type" : "timestamptz"
    }, {
      "id" : 3, "name" : "tags", "required" : false,
      "type" : { "type" : "list", "element-id" : 4, "element" : "string", "element-required" : true }
    }, {
      "id" : 5, "name" : "attrs", "required" : false,
      "type" : { "type" : "map", "key-id" : 6, "key" : "string", "value-id" : 7, "value" : "decimal(9,2)",
                 "value-required" : false }
    }, {
      "id" : 8, "name" : "loc", "required" : false,
      "type" : { "type" : "struct", "fields" : [
        { "id" : 9, "name" : "lat", "required" : true, "type" : "double" },
        { "id" : 10, "name" : "hash", "required" : false, "type" : "fixed[16]" } ] }
    }, {
      "id" : 11, "name" : "n", "required" : false, "type" : "int", "initial-default" : 7, "write-default" : 8
    } ]
  } ],
  "default-spec-id" : 1,
  "partition-specs" : [ {
    "spec-id" : 0,
    "fields" : [ ]
  }, {
    "spec-id" : 1,
    "fields" : [ {
      "name" : "ts_day", "transform" : "day", "source-id" : 2, "field-id" : 1000
    }, {
      "name" : "id_bucket", "transform" : "bucket[16]", "source-id" : 1, "field-id" : 1001
    } ]
  } ],
  "last-partition-id" : 1001,
  "default-sort-order-id" : 1,
  "sort-orders" : [ {
    "order-id" : 0,
    "fields" : [ ]
  }, {
    "order-id" : 1,
    "fields" : [ {
      "transform" : "identity", "source-id" : 1, "direction" : "desc", "null-order" : "nulls-last"
    } ]
  } ],
  "properties" : {
    "write.format.default" : "parquet",
    "commit.retry.num-retries" : "4"
  },
  "current-snapshot-id" : 3051729675574597004,
  "refs" : {
    "main" : { "snapshot-id" : 3051729675574597004, "type" : "branch" },
    "audit" : { "snapshot-id" : 3055729675574597004, "type" : "branch", "min-snapshots-to-keep" : 2,
                "max-snapshot-age-ms" : 86400000 },
    "v1.0" : { "snapshot-id" : 3055729675574597004, "type" : "tag", "max-ref-age-ms" : 604800000 }
  },
  "snapshots" : [ {
    "snapshot-id" : 3055729675574597004,
    "sequence-number" : 1,
    "timestamp-ms" : 1764064000000,
    "summary" : { "operation" : "append", "added-data-files" : "2", "floe.checkpoint-id" : "17" },
    "manifest-list" : "s3://b/t/metadata/snap-3055729675574597004-1-a.avro",
    "schema-id" : 0
  }, {
    "snapshot-id" : 3051729675574597004,
    "parent-snapshot-id" : 3055729675574597004,
    "sequence-number" : 3,
    "timestamp-ms" : 1764064800000,
    "summary" : { "operation" : "overwrite" },
    "manifest-list" : "s3://b/t/metadata/snap-3051729675574597004-1-b.avro",
    "schema-id" : 1
  } ],
  "statistics" : [ {
    "snapshot-id" : 3051729675574597004,
    "statistics-path" : "s3://b/t/metadata/stats.puffin",
    "file-size-in-bytes" : 413,
    "file-footer-size-in-bytes" : 42,
    "blob-metadata" : [ ]
  } ],
  "partition-statistics" : [ ],
  "snapshot-log" : [ {
    "timestamp-ms" : 1764064000000,
    "snapshot-id" : 3055729675574597004
  }, {
    "timestamp-ms" : 1764064800000,
    "snapshot-id" : 3051729675574597004
  } ],
  "metadata-log" : [ {
    "timestamp-ms" : 1764064000111,
    "metadata-file" : "s3://b/t/metadata/v1.metadata.json"
  }, {
    "timestamp-ms" : 1764064000222,
    "metadata-file" : "s3://b/t/metadata/v2.metadata.json"
  } ],
  "some-future-key" : { "anything" : [ 1, 2, 3 ] }
})json";

// A v1 file as early Java writers produced it: a single "schema" without an id, a bare "partition-spec" without
// field ids, no sort orders, no refs, no sequence numbers.
constexpr std::string_view kV1 = R"json({
  "format-version": 1,
  "table-uuid": "d20125c8-7284-442c-9aea-15fee620737c",
  "location": "hdfs://nn/warehouse/db/t",
  "last-updated-ms": 1602638573874,
  "last-column-id": 3,
  "schema": {
    "type": "struct",
    "fields": [
      {"id": 1, "name": "x", "required": true, "type": "long"},
      {"id": 2, "name": "y", "required": true, "type": "long", "doc": "comment"},
      {"id": 3, "name": "z", "required": true, "type": "long"}
    ]
  },
  "partition-spec": [
    {"name": "x", "transform": "identity", "source-id": 1},
    {"name": "y_trunc", "transform": "truncate[10]", "source-id": 2}
  ],
  "properties": {},
  "current-snapshot-id": 3055729675574597004,
  "snapshots": [
    {
      "snapshot-id": 3051729675574597004,
      "timestamp-ms": 1515100955770,
      "summary": {"operation": "append"},
      "manifest-list": "s3://a/b/1.avro"
    },
    {
      "snapshot-id": 3055729675574597004,
      "parent-snapshot-id": 3051729675574597004,
      "timestamp-ms": 1555100955770,
      "summary": {"operation": "append"},
      "manifest-list": "s3://a/b/2.avro"
    }
  ]
})json";

// A new, empty v2 table as pyiceberg writes it: its own key order, no current-snapshot-id at all, a decimal
// spelled with a space.
constexpr std::string_view kPyIcebergV2 = R"json({
  "location": "file:///tmp/warehouse/db/events",
  "table-uuid": "0e3e6c4c-5e2b-4d7e-a3d1-7f6c5b4a3921",
  "last-updated-ms": 1764064800000,
  "last-column-id": 3,
  "schemas": [
    {
      "type": "struct",
      "fields": [
        {"id": 1, "name": "id", "type": "long", "required": true},
        {"id": 2, "name": "price", "type": "decimal(9, 2)", "required": false},
        {"id": 3, "name": "at", "type": "timestamp", "required": false}
      ],
      "schema-id": 0,
      "identifier-field-ids": []
    }
  ],
  "current-schema-id": 0,
  "partition-specs": [
    {"spec-id": 0, "fields": [{"source-id": 3, "field-id": 1000, "transform": "hour", "name": "at_hour"}]}
  ],
  "default-spec-id": 0,
  "last-partition-id": 1000,
  "properties": {"owner": "floe"},
  "snapshots": [],
  "snapshot-log": [],
  "metadata-log": [],
  "sort-orders": [{"order-id": 0, "fields": []}],
  "default-sort-order-id": 0,
  "refs": {},
  "statistics": [],
  "partition-statistics": [],
  "format-version": 2,
  "last-sequence-number": 0
})json";

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << "test bug: '" << from << "' not in the fixture";
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TableMetadata MustParse(std::string_view json) {
  Result<TableMetadata> m = ParseTableMetadata(json, kFile);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : TableMetadata{};
}

Status ParseError(std::string_view json) {
  Result<TableMetadata> m = ParseTableMetadata(json, kFile);
  EXPECT_FALSE(m.ok());
  return m.status();
}

std::string Prefixed(std::string_view message) {
  return "metadata " + std::string(kFile) + ": " + std::string(message);
}

NestedField Field(int32_t id, std::string name, bool required, TypePtr type, std::string doc = "") {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  f.doc = std::move(doc);
  return f;
}

// Field by field, since the structs have no operator== of their own.
void ExpectSameMetadata(const TableMetadata& a, const TableMetadata& b) {
  EXPECT_EQ(a.format_version, b.format_version);
  EXPECT_EQ(a.table_uuid, b.table_uuid);
  EXPECT_EQ(a.location, b.location);
  EXPECT_EQ(a.last_sequence_number, b.last_sequence_number);
  EXPECT_EQ(a.last_updated_ms, b.last_updated_ms);
  EXPECT_EQ(a.last_column_id, b.last_column_id);
  ASSERT_EQ(a.schemas.size(), b.schemas.size());
  for (size_t i = 0; i < a.schemas.size(); ++i) {
    EXPECT_EQ(a.schemas[i].schema_id(), b.schemas[i].schema_id());
    EXPECT_TRUE(a.schemas[i].SameStructure(b.schemas[i])) << "schema " << i;
    EXPECT_EQ(a.schemas[i].fields(), b.schemas[i].fields()) << "schema " << i;
  }
  EXPECT_EQ(a.current_schema_id, b.current_schema_id);
  EXPECT_EQ(a.partition_specs, b.partition_specs);
  EXPECT_EQ(a.default_spec_id, b.default_spec_id);
  EXPECT_EQ(a.last_partition_id, b.last_partition_id);
  EXPECT_EQ(a.properties, b.properties);
  EXPECT_EQ(a.current_snapshot_id, b.current_snapshot_id);
  ASSERT_EQ(a.snapshots.size(), b.snapshots.size());
  for (size_t i = 0; i < a.snapshots.size(); ++i) {
    const Snapshot& x = a.snapshots[i];
    const Snapshot& y = b.snapshots[i];
    EXPECT_EQ(x.snapshot_id, y.snapshot_id);
    EXPECT_EQ(x.parent_snapshot_id, y.parent_snapshot_id);
    EXPECT_EQ(x.sequence_number, y.sequence_number);
    EXPECT_EQ(x.timestamp_ms, y.timestamp_ms);
    EXPECT_EQ(x.manifest_list, y.manifest_list);
    EXPECT_EQ(x.summary, y.summary);
    EXPECT_EQ(x.schema_id, y.schema_id);
  }
  EXPECT_EQ(a.snapshot_log, b.snapshot_log);
  EXPECT_EQ(a.metadata_log, b.metadata_log);
  EXPECT_EQ(a.sort_orders, b.sort_orders);
  EXPECT_EQ(a.default_sort_order_id, b.default_sort_order_id);
  EXPECT_EQ(a.refs, b.refs);
  EXPECT_EQ(a.statistics_json, b.statistics_json);
  EXPECT_EQ(a.partition_statistics_json, b.partition_statistics_json);
}

// ---- Reading ----

TEST(TableMetadataReadTest, ReadsEveryFieldOfAV2File) {
  TableMetadata m = MustParse(kV2);
  EXPECT_EQ(m.format_version, 2);
  EXPECT_EQ(m.table_uuid, "5d4c2a9e-8f3b-4e1a-9c7d-1b2a3c4d5e6f");
  EXPECT_EQ(m.location, "s3://b/t");
  EXPECT_EQ(m.last_sequence_number, 3);
  EXPECT_EQ(m.last_updated_ms, 1764064800123);
  EXPECT_EQ(m.last_column_id, 11);

  ASSERT_EQ(m.schemas.size(), 2u);
  EXPECT_EQ(m.current_schema_id, 1);
  const Schema& schema = m.CurrentSchema();
  EXPECT_EQ(schema.schema_id(), 1);
  EXPECT_EQ(schema.identifier_field_ids(), std::vector<int32_t>{1});
  ASSERT_EQ(schema.fields().size(), 6u);
  EXPECT_EQ(schema.fields()[0].doc, "row key");
  EXPECT_TRUE(schema.fields()[0].required);
  EXPECT_EQ(*schema.fields()[1].type, *Type::Primitive(TypeId::kTimestampTz));
  EXPECT_EQ(*schema.fields()[2].type, *Type::List(4, true, Type::Primitive(TypeId::kString)));
  EXPECT_EQ(*schema.fields()[3].type, *Type::Map(6, Type::Primitive(TypeId::kString), 7, false, Type::Decimal(9, 2)));
  EXPECT_EQ(*schema.fields()[4].type, *Type::Struct({Field(9, "lat", true, Type::Primitive(TypeId::kDouble)),
                                                     Field(10, "hash", false, Type::Fixed(16))}));
  EXPECT_EQ(schema.fields()[5].initial_default_json, "7");
  EXPECT_EQ(schema.fields()[5].write_default_json, "8");
  EXPECT_EQ(m.SchemaById(0)->fields().size(), 2u);
  EXPECT_EQ(m.SchemaById(2), nullptr);

  ASSERT_EQ(m.partition_specs.size(), 2u);
  EXPECT_EQ(m.default_spec_id, 1);
  const PartitionSpec& spec = m.DefaultSpec();
  ASSERT_EQ(spec.fields.size(), 2u);
  EXPECT_EQ(spec.fields[0], (PartitionField{2, 1000, "ts_day", Transform::Day()}));
  EXPECT_EQ(spec.fields[1], (PartitionField{1, 1001, "id_bucket", Transform::Bucket(16)}));
  EXPECT_TRUE(m.SpecById(0)->fields.empty());
  EXPECT_EQ(m.last_partition_id, 1001);

  ASSERT_EQ(m.sort_orders.size(), 2u);
  EXPECT_EQ(m.default_sort_order_id, 1);
  const SortOrder* order = m.SortOrderById(1);
  ASSERT_NE(order, nullptr);
  ASSERT_EQ(order->fields.size(), 1u);
  EXPECT_EQ(order->fields[0], (SortField{1, Transform::Identity(), SortDirection::kDesc, NullOrder::kNullsLast}));

  EXPECT_EQ(m.properties.size(), 2u);
  EXPECT_EQ(m.Property("commit.retry.num-retries", "1"), "4");
  EXPECT_EQ(m.Property("no.such.key", "fallback"), "fallback");

  EXPECT_EQ(m.current_snapshot_id, 3051729675574597004);
  ASSERT_EQ(m.snapshots.size(), 2u);
  const Snapshot* current = m.CurrentSnapshot();
  ASSERT_NE(current, nullptr);
  EXPECT_EQ(current->parent_snapshot_id, 3055729675574597004);
  EXPECT_EQ(current->sequence_number, 3);
  EXPECT_EQ(current->timestamp_ms, 1764064800000);
  EXPECT_EQ(current->manifest_list, "s3://b/t/metadata/snap-3051729675574597004-1-b.avro");
  EXPECT_EQ(current->operation(), "overwrite");
  EXPECT_EQ(current->schema_id, 1);
  const Snapshot& first = m.snapshots[0];
  EXPECT_FALSE(first.parent_snapshot_id.has_value());
  // The summary keeps the writer's order, including keys floe's sink adds.
  EXPECT_EQ(first.summary,
            (SnapshotSummary{{"operation", "append"}, {"added-data-files", "2"}, {"floe.checkpoint-id", "17"}}));
  ASSERT_NE(first.FindSummary("floe.checkpoint-id"), nullptr);
  EXPECT_EQ(*first.FindSummary("floe.checkpoint-id"), "17");
  EXPECT_EQ(first.FindSummary("total-records"), nullptr);

  ASSERT_EQ(m.refs.size(), 3u);
  EXPECT_EQ(m.refs.at("main"), (SnapshotRef{3051729675574597004, true, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(m.refs.at("audit"), (SnapshotRef{3055729675574597004, true, 2, 86400000, std::nullopt}));
  EXPECT_EQ(m.refs.at("v1.0"), (SnapshotRef{3055729675574597004, false, std::nullopt, std::nullopt, 604800000}));

  EXPECT_EQ(m.snapshot_log, (std::vector<SnapshotLogEntry>{{1764064000000, 3055729675574597004},
                                                           {1764064800000, 3051729675574597004}}));
  EXPECT_EQ(m.metadata_log, (std::vector<MetadataLogEntry>{{1764064000111, "s3://b/t/metadata/v1.metadata.json"},
                                                           {1764064000222, "s3://b/t/metadata/v2.metadata.json"}}));
  // Kept verbatim (compact) so that a rewrite does not drop them; an empty array is the same as absent.
  EXPECT_EQ(m.statistics_json,
            R"([{"snapshot-id":3051729675574597004,"statistics-path":"s3://b/t/metadata/stats.puffin",)"
            R"("file-size-in-bytes":413,"file-footer-size-in-bytes":42,"blob-metadata":[]}])");
  EXPECT_EQ(m.partition_statistics_json, "");
  EXPECT_TRUE(m.Validate().ok());
}

TEST(TableMetadataReadTest, UpgradesV1FieldsOnRead) {
  TableMetadata m = MustParse(kV1);
  EXPECT_EQ(m.format_version, 1);
  EXPECT_EQ(m.last_sequence_number, 0);
  ASSERT_EQ(m.schemas.size(), 1u);
  EXPECT_EQ(m.current_schema_id, 0);
  EXPECT_EQ(m.CurrentSchema().fields()[1].doc, "comment");
  // The bare "partition-spec" is spec 0 and its fields get ids 1000, 1001 in order.
  ASSERT_EQ(m.partition_specs.size(), 1u);
  EXPECT_EQ(m.default_spec_id, 0);
  EXPECT_EQ(m.DefaultSpec().fields, (std::vector<PartitionField>{{1, 1000, "x", Transform::Identity()},
                                                                 {2, 1001, "y_trunc", Transform::Truncate(10)}}));
  EXPECT_EQ(m.last_partition_id, 1001);
  // No sort orders: the table is unsorted.
  ASSERT_EQ(m.sort_orders.size(), 1u);
  EXPECT_EQ(m.sort_orders[0], SortOrder{});
  EXPECT_EQ(m.default_sort_order_id, 0);
  // Snapshots without sequence numbers read as 0; without refs, main is the current snapshot.
  ASSERT_EQ(m.snapshots.size(), 2u);
  EXPECT_EQ(m.snapshots[0].sequence_number, 0);
  EXPECT_FALSE(m.snapshots[0].schema_id.has_value());
  EXPECT_EQ(m.current_snapshot_id, 3055729675574597004);
  ASSERT_EQ(m.refs.size(), 1u);
  EXPECT_EQ(m.refs.at("main"), (SnapshotRef{3055729675574597004, true, std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(m.SnapshotForRef("main")->snapshot_id, 3055729675574597004);
  EXPECT_TRUE(m.snapshot_log.empty());
  EXPECT_TRUE(m.statistics_json.empty());
}

TEST(TableMetadataReadTest, V1WithSchemasListAndSpecsListUsesThem) {
  // Later v1 writers wrote both the old single fields and the new lists; the lists win.
  std::string json = Replace(kV1, R"("partition-spec": [)",
                             R"("partition-specs": [{"spec-id": 4, "fields": [{"name": "z", "transform": "void",)"
                             R"( "source-id": 3, "field-id": 1005}]}], "default-spec-id": 4,)"
                             R"("schemas": [{"type": "struct", "schema-id": 2, "fields": []}], "current-schema-id": 2,)"
                             R"("partition-spec": [)");
  TableMetadata m = MustParse(json);
  ASSERT_EQ(m.schemas.size(), 1u);
  EXPECT_EQ(m.current_schema_id, 2);
  ASSERT_EQ(m.partition_specs.size(), 1u);
  EXPECT_EQ(m.DefaultSpec().spec_id, 4);
  EXPECT_EQ(m.last_partition_id, 1005);  // computed: v1 may omit last-partition-id
}

TEST(TableMetadataReadTest, ReadsWhatPyIcebergWritesForANewTable) {
  TableMetadata m = MustParse(kPyIcebergV2);
  EXPECT_FALSE(m.current_snapshot_id.has_value());
  EXPECT_EQ(m.CurrentSnapshot(), nullptr);
  EXPECT_TRUE(m.refs.empty());
  EXPECT_EQ(*m.CurrentSchema().fields()[1].type, *Type::Decimal(9, 2));
  EXPECT_EQ(m.DefaultSpec().fields[0].transform, Transform::Hour());
  EXPECT_EQ(m.Property("owner", ""), "floe");
  EXPECT_EQ(m.SnapshotForRef("main"), nullptr);
  EXPECT_EQ(m.SnapshotAsOf(1764064800000), nullptr);
}

TEST(TableMetadataReadTest, NullAndMinusOneMeanNoCurrentSnapshot) {
  for (std::string_view spelled : {"null", "-1"}) {
    std::string json =
        Replace(kPyIcebergV2, R"("refs": {},)", R"("refs": {}, "current-snapshot-id": )" + std::string(spelled) + ",");
    TableMetadata m = MustParse(json);
    EXPECT_FALSE(m.current_snapshot_id.has_value()) << spelled;
    EXPECT_TRUE(m.refs.empty()) << spelled;
  }
}

TEST(TableMetadataReadTest, SynthesizesMainWhenRefsLackIt) {
  std::string json = Replace(kV2, R"("main" : { "snapshot-id" : 3051729675574597004, "type" : "branch" },)", "");
  TableMetadata m = MustParse(json);
  EXPECT_EQ(m.refs.at("main").snapshot_id, 3051729675574597004);
  EXPECT_TRUE(m.refs.at("main").is_branch);
}

// ---- Writing and round trips ----

TableMetadata BuildMetadata() {
  TableMetadata m;
  m.table_uuid = "9b3c1f2e-0000-4000-8000-00000000abcd";
  m.location = "file:///data/lake/orders";
  m.last_sequence_number = 2;
  m.last_updated_ms = 1764064800999;
  m.last_column_id = 9;
  m.schemas.emplace_back(0,
                         std::vector<NestedField>{Field(1, "order_id", true, Type::Primitive(TypeId::kLong), "the key"),
                                                  Field(2, "placed", false, Type::Primitive(TypeId::kTimestamp))});
  m.schemas.emplace_back(
      3,
      std::vector<NestedField>{
          Field(1, "order_id", true, Type::Primitive(TypeId::kLong), "the key"),
          Field(2, "placed", false, Type::Primitive(TypeId::kTimestamp)),
          Field(3, "lines", true,
                Type::List(4, false,
                           Type::Struct({Field(5, "sku", true, Type::Primitive(TypeId::kString)),
                                         Field(6, "qty", true, Type::Primitive(TypeId::kInt))}))),
          Field(7, "meta", false,
                Type::Map(8, Type::Primitive(TypeId::kString), 9, true, Type::Primitive(TypeId::kUuid)))},
      std::vector<int32_t>{1});
  m.current_schema_id = 3;
  m.partition_specs.push_back(PartitionSpec{0, {}});
  m.partition_specs.push_back(PartitionSpec{1, {{2, 1000, "placed_month", Transform::Month()}}});
  m.default_spec_id = 1;
  m.last_partition_id = 1000;
  m.properties = {{"format-version", "2"}, {"floe.job", "orders-sink"}};
  m.sort_orders.push_back(SortOrder{});
  m.sort_orders.push_back(SortOrder{2,
                                    {{2, Transform::Identity(), SortDirection::kAsc, NullOrder::kNullsFirst},
                                     {1, Transform::Bucket(8), SortDirection::kDesc, NullOrder::kNullsLast}}});
  m.default_sort_order_id = 2;

  Snapshot s1;
  s1.snapshot_id = 100;
  s1.sequence_number = 1;
  s1.timestamp_ms = 1000;
  s1.manifest_list = "file:///data/lake/orders/metadata/snap-100.avro";
  s1.summary = {{"operation", "append"}, {"floe.checkpoint-id", "1"}};
  s1.schema_id = 0;
  Snapshot s2 = s1;
  s2.snapshot_id = 200;
  s2.parent_snapshot_id = 100;
  s2.sequence_number = 2;
  s2.timestamp_ms = 2000;
  s2.manifest_list = "file:///data/lake/orders/metadata/snap-200.avro";
  s2.summary = {{"operation", "delete"}};
  s2.schema_id.reset();
  m.snapshots = {s1, s2};
  m.current_snapshot_id = 200;
  m.refs["main"] = SnapshotRef{200, true, 1, 3600000, std::nullopt};
  m.refs["before-delete"] = SnapshotRef{100, false, std::nullopt, std::nullopt, 86400000};
  m.snapshot_log = {{1000, 100}, {2000, 200}};
  m.metadata_log = {{999, "file:///data/lake/orders/metadata/v1.metadata.json"}};
  m.statistics_json = R"([{"snapshot-id":200,"statistics-path":"x.puffin"}])";
  m.partition_statistics_json = R"([{"snapshot-id":200,"statistics-path":"p.parquet","file-size-in-bytes":1}])";
  return m;
}

TEST(TableMetadataWriteTest, RoundTripsEveryField) {
  TableMetadata m = BuildMetadata();
  ASSERT_TRUE(m.Validate().ok()) << m.Validate().ToString();
  std::string json = TableMetadataToJson(m);
  TableMetadata back = MustParse(json);
  ExpectSameMetadata(m, back);
  // Writing what was read gives the same text: the writer is deterministic.
  EXPECT_EQ(TableMetadataToJson(back), json);
}

TEST(TableMetadataWriteTest, RoundTripsTheHandWrittenFiles) {
  for (std::string_view fixture : {kV2, kPyIcebergV2}) {
    TableMetadata m = MustParse(fixture);
    ExpectSameMetadata(m, MustParse(TableMetadataToJson(m)));
  }
  // A v1 table is written as v2 (its sequence numbers stay 0), and reads back the same otherwise.
  TableMetadata v1 = MustParse(kV1);
  TableMetadata upgraded = MustParse(TableMetadataToJson(v1));
  EXPECT_EQ(upgraded.format_version, 2);
  upgraded.format_version = 1;
  ExpectSameMetadata(v1, upgraded);
}

TEST(TableMetadataWriteTest, WritesCompactJsonWithKeysInJavaOrder) {
  std::string json = TableMetadataToJson(BuildMetadata());
  const char* keys[] = {"format-version",
                        "table-uuid",
                        "location",
                        "last-sequence-number",
                        "last-updated-ms",
                        "last-column-id",
                        "current-schema-id",
                        "schemas",
                        "default-spec-id",
                        "partition-specs",
                        "last-partition-id",
                        "default-sort-order-id",
                        "sort-orders",
                        "properties",
                        "current-snapshot-id",
                        "refs",
                        "snapshots",
                        "statistics",
                        "partition-statistics",
                        "snapshot-log",
                        "metadata-log"};
  size_t last = 0;
  for (const char* key : keys) {
    size_t at = std::string(key) == "format-version" ? json.find("{\"format-version\":")
                                                     : json.find(",\"" + std::string(key) + "\":");
    ASSERT_NE(at, std::string::npos) << key;
    EXPECT_GE(at, last) << key << " out of order";
    last = at;
  }
  EXPECT_THAT(json, StartsWith("{\"format-version\":2,\"table-uuid\":\"9b3c1f2e-0000-4000-8000-00000000abcd\""));
  EXPECT_EQ(json.find('\n'), std::string::npos) << "compact: no line breaks";
}

TEST(TableMetadataWriteTest, WritesMinusOneForNoCurrentSnapshotAndEmptyLists) {
  // Java writes -1 for v1/v2 tables without a current snapshot (null only from v3) and every reader accepts it.
  TableMetadata m = MustParse(kPyIcebergV2);
  std::string json = TableMetadataToJson(m);
  EXPECT_THAT(json, HasSubstr(",\"current-snapshot-id\":-1,"));
  EXPECT_THAT(json, HasSubstr(",\"refs\":{},"));
  EXPECT_THAT(json, HasSubstr(",\"statistics\":[],\"partition-statistics\":[],"));
  EXPECT_FALSE(MustParse(json).current_snapshot_id.has_value());
}

TEST(TableMetadataWriteTest, WritesNestedTypesInTheSpecsForm) {
  TableMetadata m = BuildMetadata();
  EXPECT_EQ(SchemaToJson(m.schemas[1]),
            R"({"type":"struct","schema-id":3,"identifier-field-ids":[1],"fields":[)"
            R"({"id":1,"name":"order_id","required":true,"type":"long","doc":"the key"},)"
            R"({"id":2,"name":"placed","required":false,"type":"timestamp"},)"
            R"({"id":3,"name":"lines","required":true,"type":{"type":"list","element-id":4,"element":)"
            R"({"type":"struct","fields":[{"id":5,"name":"sku","required":true,"type":"string"},)"
            R"({"id":6,"name":"qty","required":true,"type":"int"}]},"element-required":false}},)"
            R"({"id":7,"name":"meta","required":false,"type":{"type":"map","key-id":8,"key":"string",)"
            R"("value-id":9,"value":"uuid","value-required":true}}]})");
}

// ---- The pieces ----

TEST(TableMetadataPiecesTest, SchemaRoundTripsWithDefaultsAndNesting) {
  TableMetadata m = MustParse(kV2);
  for (const Schema& schema : m.schemas) {
    Result<Schema> back = SchemaFromJson(SchemaToJson(schema), "schema");
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->schema_id(), schema.schema_id());
    EXPECT_TRUE(back->SameStructure(schema));
    EXPECT_EQ(back->fields(), schema.fields());
  }
}

TEST(TableMetadataPiecesTest, SchemaWithoutIdOrTypeReadsAsIdZero) {
  Result<Schema> s = SchemaFromJson(R"({"fields":[{"id":1,"name":"a","required":false,"type":"binary"}]})", "s");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->schema_id(), 0);
  EXPECT_EQ(*s->fields()[0].type, *Type::Primitive(TypeId::kBinary));
}

TEST(TableMetadataPiecesTest, PartitionSpecRoundTripsAndAssignsMissingFieldIds) {
  PartitionSpec spec{7, {{1, 1003, "a_trunc", Transform::Truncate(4)}, {2, 1004, "b", Transform::Void()}}};
  EXPECT_EQ(PartitionSpecToJson(spec),
            R"({"spec-id":7,"fields":[{"name":"a_trunc","transform":"truncate[4]","source-id":1,"field-id":1003},)"
            R"({"name":"b","transform":"void","source-id":2,"field-id":1004}]})");
  Result<PartitionSpec> back = PartitionSpecFromJson(PartitionSpecToJson(spec), "spec");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, spec);

  Result<PartitionSpec> v1 =
      PartitionSpecFromJson(R"({"spec-id":0,"fields":[{"name":"y","transform":"year","source-id":3},)"
                            R"({"name":"m","transform":"month","source-id":3}]})",
                            "spec");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->fields[0].field_id, 1000);
  EXPECT_EQ(v1->fields[1].field_id, 1001);

  // The bare field array Avro manifests store as "partition-spec".
  Result<PartitionSpec> bare = PartitionSpecFromJson(
      R"([{"name":"d","transform":"day","source-id":2,"field-id":1002}])", "manifest m.avro partition-spec");
  ASSERT_TRUE(bare.ok()) << bare.status().ToString();
  EXPECT_EQ(*bare, (PartitionSpec{0, {{2, 1002, "d", Transform::Day()}}}));
  Result<PartitionSpec> bad =
      PartitionSpecFromJson(R"([{"name":"d","transform":"day"}])", "manifest m.avro partition-spec");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "manifest m.avro partition-spec: $[0].source-id: required field is missing");
}

TEST(TableMetadataPiecesTest, SortOrderAndSnapshotRoundTrip) {
  SortOrder order{3, {{4, Transform::Hour(), SortDirection::kDesc, NullOrder::kNullsFirst}}};
  EXPECT_EQ(SortOrderToJson(order), R"({"order-id":3,"fields":[{"transform":"hour","source-id":4,"direction":"desc",)"
                                    R"("null-order":"nulls-first"}]})");
  Result<SortOrder> order_back = SortOrderFromJson(SortOrderToJson(order), "order");
  ASSERT_TRUE(order_back.ok()) << order_back.status().ToString();
  EXPECT_EQ(*order_back, order);

  Snapshot s = BuildMetadata().snapshots[1];
  EXPECT_EQ(SnapshotToJson(s),
            R"({"snapshot-id":200,"parent-snapshot-id":100,"sequence-number":2,"timestamp-ms":2000,)"
            R"("summary":{"operation":"delete"},"manifest-list":"file:///data/lake/orders/metadata/snap-200.avro"})");
  Result<Snapshot> back = SnapshotFromJson(SnapshotToJson(s), "snapshot");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->snapshot_id, 200);
  EXPECT_EQ(back->parent_snapshot_id, 100);
  EXPECT_EQ(back->summary, s.summary);
  EXPECT_EQ(back->operation(), "delete");
  EXPECT_FALSE(back->schema_id.has_value());
}

TEST(TableMetadataPiecesTest, ErrorsStartWithWhatAndThePath) {
  Result<Schema> s = SchemaFromJson(
      R"({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":{"type":"list","element-id":2,)"
      R"("element-required":"yes","element":"int"}}]})",
      "manifest m.avro schema");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(s.status().message(),
            "manifest m.avro schema: $.fields[0].type.element-required: expected a boolean, got string");

  Result<Schema> bad_nested = SchemaFromJson(R"({"fields":[{"id":1,"name":"a","required":true,)"
                                             R"("type":{"type":"tuple"}}]})",
                                             "s");
  ASSERT_FALSE(bad_nested.ok());
  EXPECT_EQ(bad_nested.status().message(),
            "s: $.fields[0].type.type: unknown nested type 'tuple' (expected struct, list or map)");

  Result<PartitionSpec> p =
      PartitionSpecFromJson(R"({"spec-id":0,"fields":[{"name":"b","transform":"bucket[x]","source-id":1}]})", "spec");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "spec: $.fields[0].transform: unknown transform 'bucket[x]'");

  Result<SortOrder> o = SortOrderFromJson(
      R"({"order-id":1,"fields":[{"transform":"identity","source-id":1,"direction":"up","null-order":"nulls-first"}]})",
      "order");
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "order: $.fields[0].direction: expected 'asc' or 'desc', got 'up'");

  Result<Snapshot> snap = SnapshotFromJson(R"({"snapshot-id":1,"timestamp-ms":2,"manifest-list":"x",)"
                                           R"("summary":{"added-files":"1"}})",
                                           "snapshot");
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.status().message(), "snapshot: $.summary.operation: required field is missing");
}

TEST(TableMetadataPiecesTest, RefusesAbsurdlyDeepNesting) {
  std::string type = "\"int\"";
  for (int i = 0; i < 500; ++i) {
    type = R"({"type":"list","element-id":)" + std::to_string(i + 2) + R"(,"element-required":true,"element":)" + type +
           "}";
  }
  Result<Schema> s = SchemaFromJson(R"({"fields":[{"id":1,"name":"a","required":true,"type":)" + type + "}]}", "s");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(s.status().message(), HasSubstr("types nested more than 100 levels deep"));
}

// ---- Errors in metadata files ----

TEST(TableMetadataErrorTest, TruncatedJsonIsCorruptionWithBytePosition) {
  Status st = ParseError(kV2.substr(0, 200));
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_THAT(st.message(), StartsWith(Prefixed("not valid JSON at byte 201: ")));
}

TEST(TableMetadataErrorTest, NotAnObject) {
  Status st = ParseError("[1, 2]");
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_EQ(st.message(), Prefixed("$: expected an object, got array"));
}

TEST(TableMetadataErrorTest, WrongTypesNameTheirPath) {
  struct Case {
    std::string_view from, to, message;
  };
  const Case cases[] = {
      {R"("timestamp-ms" : 1764064800000,)", R"("timestamp-ms" : "1764064800000",)",
       "$.snapshots[1].timestamp-ms: expected an integer, got string"},
      {R"("last-column-id" : 11)", R"("last-column-id" : 11.5)",
       "$.last-column-id: expected an integer, got number 11.5"},
      {R"("last-column-id" : 11)", R"("last-column-id" : 4294967296)",
       "$.last-column-id: integer 4294967296 is out of range for a 32-bit integer"},
      {R"("last-updated-ms" : 1764064800123)", R"("last-updated-ms" : 18446744073709551615)",
       "$.last-updated-ms: integer 18446744073709551615 is out of range for a 64-bit signed integer"},
      {R"("type" : "fixed[16]")", R"("type" : "lnog")",
       "$.schemas[1].fields[4].type.fields[1].type: unknown type 'lnog'"},
      {R"("element-id" : 4)", R"("element-id" : true)",
       "$.schemas[1].fields[2].type.element-id: expected an integer, got boolean"},
      {R"("commit.retry.num-retries" : "4")", R"("commit.retry.num-retries" : 4)",
       "$.properties.commit.retry.num-retries: expected a string, got integer 4"},
      {R"("type" : "tag")", R"("type" : "label")", "$.refs.v1.0.type: expected 'branch' or 'tag', got 'label'"},
      {R"("metadata-log" : [ {)", R"("metadata-log" : [ 7, {)", "$.metadata-log[0]: expected an object, got integer 7"},
      {R"("partition-statistics" : [ ],)", R"("partition-statistics" : { },)",
       "$.partition-statistics: expected an array, got object"},
      {R"("null-order" : "nulls-last")", R"("null-order" : "last")",
       "$.sort-orders[1].fields[0].null-order: expected 'nulls-first' or 'nulls-last', got 'last'"},
      {R"("summary" : { "operation" : "overwrite" })", R"("summary" : { "operation" : 3 })",
       "$.snapshots[1].summary.operation: expected a string, got integer 3"},
  };
  for (const Case& c : cases) {
    std::string json = Replace(kV2, c.from, c.to);
    Status st = ParseError(json);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << c.message;
    EXPECT_EQ(st.message(), Prefixed(c.message));
  }
}

TEST(TableMetadataErrorTest, MissingRequiredFieldsAreCorruption) {
  struct Case {
    std::string_view from, to, message;
  };
  const Case cases[] = {
      {R"("last-column-id" : 11,)", "", "$.last-column-id: required field is missing"},
      {R"("table-uuid" : "5d4c2a9e-8f3b-4e1a-9c7d-1b2a3c4d5e6f",)", "", "$.table-uuid: required field is missing"},
      {R"("last-sequence-number" : 3,)", "", "$.last-sequence-number: required field is missing"},
      {R"("sequence-number" : 1,
    "timestamp-ms" : 1764064000000,)",
       R"("sequence-number" : 1,)", "$.snapshots[0].timestamp-ms: required field is missing"},
      {R"("manifest-list" : "s3://b/t/metadata/snap-3051729675574597004-1-b.avro",)", "",
       "$.snapshots[1].manifest-list: required field is missing"},
      {R"("id" : 9, "name" : "lat", )", R"("id" : 9, )",
       "$.schemas[1].fields[4].type.fields[0].name: required field is missing"},
      {R"("default-sort-order-id" : 1,)", "", "$.default-sort-order-id: required field is missing"},
      // null is the same as absent for a required field
      {R"("location" : "s3://b/t")", R"("location" : null)", "$.location: required field is missing"},
  };
  for (const Case& c : cases) {
    Status st = ParseError(Replace(kV2, c.from, c.to));
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << c.message;
    EXPECT_EQ(st.message(), Prefixed(c.message));
  }
  // v2 requires the lists that v1 could leave out.
  Status st = ParseError(Replace(kPyIcebergV2, R"("sort-orders": [{"order-id": 0, "fields": []}],)", ""));
  EXPECT_EQ(st.message(), Prefixed("$.sort-orders: required field is missing"));
  st = ParseError(Replace(kV1, R"("schema": {)", R"("not-schema": {)"));
  EXPECT_EQ(st.message(), Prefixed("$.schema: required field is missing"));
}

TEST(TableMetadataErrorTest, BrokenInvariantsNameTheField) {
  struct Case {
    std::string_view from, to, message;
  };
  const Case cases[] = {
      {R"("current-schema-id" : 1,)", R"("current-schema-id" : 7,)",
       "$.current-schema-id: 7 is not the id of any schema (0, 1)"},
      {R"("default-spec-id" : 1,)", R"("default-spec-id" : 2,)",
       "$.default-spec-id: 2 is not the id of any partition spec (0, 1)"},
      {R"("default-sort-order-id" : 1,)", R"("default-sort-order-id" : 5,)",
       "$.default-sort-order-id: 5 is not the id of any sort order (0, 1)"},
      {R"("v1.0" : { "snapshot-id" : 3055729675574597004)", R"("v1.0" : { "snapshot-id" : 99)",
       "$.refs.v1.0.snapshot-id: 99 is not the id of any snapshot"},
      {R"("current-snapshot-id" : 3051729675574597004,)", R"("current-snapshot-id" : 42,)",
       "$.current-snapshot-id: 42 is not the id of any snapshot"},
      {R"("last-column-id" : 11,)", R"("last-column-id" : 10,)",
       "$.schemas[1]: field id 11 is above last-column-id 10"},
      {R"("last-partition-id" : 1001,)", R"("last-partition-id" : 1000,)",
       "$.partition-specs[1].fields[1].field-id: 1001 is above last-partition-id 1000"},
      {R"("last-sequence-number" : 3,)", R"("last-sequence-number" : 2,)",
       "$.snapshots[1].sequence-number: 3 is above last-sequence-number 2"},
      {R"("schema-id" : 1,
    "identifier-field-ids")",
       R"("schema-id" : 0,
    "identifier-field-ids")",
       "$.schemas[1].schema-id: duplicate schema id 0"},
      {R"("main" : { "snapshot-id" : 3051729675574597004, "type" : "branch" })",
       R"("main" : { "snapshot-id" : 3055729675574597004, "type" : "branch" })",
       "$.refs.main.snapshot-id: 3055729675574597004 differs from current-snapshot-id 3051729675574597004"},
  };
  for (const Case& c : cases) {
    Status st = ParseError(Replace(kV2, c.from, c.to));
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << c.message;
    EXPECT_EQ(st.message(), Prefixed(c.message));
  }
}

TEST(TableMetadataErrorTest, FormatVersionThreeIsUnsupported) {
  Status st = ParseError(Replace(kV2, R"("format-version" : 2)", R"("format-version" : 3)"));
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_EQ(st.message(),
            Prefixed("$.format-version: format version 3 is not supported (floe reads versions 1 and 2)"));
}

TEST(TableMetadataErrorTest, V1InlineManifestsAreUnsupported) {
  Status st = ParseError(Replace(kV1, R"("manifest-list": "s3://a/b/1.avro")", R"("manifests": ["s3://a/m1.avro"])"));
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
  EXPECT_THAT(st.message(), StartsWith(Prefixed("$.snapshots[0].manifests: snapshot 3051729675574597004 lists its "
                                                "manifests inline")));
}

// ---- Lookups ----

TEST(TableMetadataLookupTest, SnapshotForRefFollowsBranchesAndTags) {
  TableMetadata m = MustParse(kV2);
  EXPECT_EQ(m.SnapshotForRef("main")->snapshot_id, 3051729675574597004);
  EXPECT_EQ(m.SnapshotForRef("audit")->snapshot_id, 3055729675574597004);
  EXPECT_EQ(m.SnapshotForRef("v1.0")->snapshot_id, 3055729675574597004);
  EXPECT_EQ(m.SnapshotForRef("no-such-ref"), nullptr);

  // Metadata built in memory without refs: main is the current snapshot.
  TableMetadata built = BuildMetadata();
  built.refs.clear();
  EXPECT_EQ(built.SnapshotForRef("main")->snapshot_id, 200);
  EXPECT_EQ(built.SnapshotForRef("before-delete"), nullptr);
}

TEST(TableMetadataLookupTest, SnapshotAsOfUsesTheLastLogEntryAtOrBefore) {
  TableMetadata m = BuildMetadata();  // log: 100 at 1000, 200 at 2000
  EXPECT_EQ(m.SnapshotAsOf(999), nullptr);
  EXPECT_EQ(m.SnapshotAsOf(1000)->snapshot_id, 100);
  EXPECT_EQ(m.SnapshotAsOf(1999)->snapshot_id, 100);
  EXPECT_EQ(m.SnapshotAsOf(2000)->snapshot_id, 200);
  EXPECT_EQ(m.SnapshotAsOf(INT64_MAX)->snapshot_id, 200);
  // A rollback appends the older snapshot to the log again: it is what was current from then on.
  m.snapshot_log.push_back({3000, 100});
  EXPECT_EQ(m.SnapshotAsOf(2500)->snapshot_id, 200);
  EXPECT_EQ(m.SnapshotAsOf(3000)->snapshot_id, 100);
  // A log entry for an expired snapshot finds nothing.
  m.snapshot_log.push_back({4000, 12345});
  EXPECT_EQ(m.SnapshotAsOf(4000), nullptr);
}

TEST(TableMetadataLookupTest, ByIdLookupsReturnNullForUnknownIds) {
  TableMetadata m = BuildMetadata();
  EXPECT_EQ(m.SchemaById(1), nullptr);
  EXPECT_EQ(m.SchemaById(3)->schema_id(), 3);
  EXPECT_EQ(m.SpecById(5), nullptr);
  EXPECT_EQ(m.SortOrderById(1), nullptr);
  EXPECT_EQ(m.SnapshotById(300), nullptr);
  EXPECT_EQ(m.SnapshotById(100)->timestamp_ms, 1000);
  EXPECT_EQ(m.CurrentSnapshot()->snapshot_id, 200);
}

TEST(TableMetadataValidateTest, RejectsBrokenInMemoryMetadata) {
  TableMetadata m = BuildMetadata();
  m.refs.erase("main");
  EXPECT_EQ(m.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(m.Validate().message(), "refs: no 'main' branch although current-snapshot-id is set");

  m = BuildMetadata();
  m.current_snapshot_id.reset();
  EXPECT_EQ(m.Validate().message(), "refs.main: points at snapshot 200 but current-snapshot-id is not set");

  m = BuildMetadata();
  m.refs["main"].is_branch = false;
  EXPECT_EQ(m.Validate().message(), "refs.main.type: 'main' must be a branch, not a tag");

  m = BuildMetadata();
  m.snapshots[1].snapshot_id = 100;
  EXPECT_EQ(m.Validate().message(), "snapshots[1].snapshot-id: duplicate snapshot id 100");

  m = BuildMetadata();
  m.sort_orders[0].fields.push_back(SortField{});
  EXPECT_EQ(m.Validate().message(), "sort-orders[0]: order id 0 is reserved for the unsorted order but has fields");

  m = BuildMetadata();
  m.partition_specs[1].fields[0].field_id = 999;
  EXPECT_EQ(m.Validate().message(), "partition-specs[1].fields[0].field-id: 999 is below 1000");

  m = BuildMetadata();
  m.table_uuid.clear();
  EXPECT_EQ(m.Validate().message(), "table-uuid: empty in a format version 2 table");

  m = BuildMetadata();
  m.format_version = 3;
  EXPECT_EQ(m.Validate().message(), "format-version: 3 is not 1 or 2");
}

}  // namespace
}  // namespace floe::iceberg
