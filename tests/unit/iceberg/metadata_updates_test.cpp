#include "floe/iceberg/metadata_updates.h"

#include <gtest/gtest.h>

#include "floe/iceberg/table_maintenance.h"
#include "table_test_util.h"

namespace floe::iceberg {
namespace {

using testing::Field;
using testing::TableTest;

constexpr std::string_view kUuid = "9c12d441-03fe-4693-9a96-a0705ddf69c1";
constexpr int64_t kNow = 1730000000000;

Schema BaseSchema() {
  return Schema(0, {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
                    Field(2, "data", false, Type::Primitive(TypeId::kString)),
                    Field(3, "ts", true, Type::Primitive(TypeId::kTimestampTz))});
}

Snapshot MakeSnapshot(int64_t id, std::optional<int64_t> parent, int64_t seq, int64_t ts) {
  Snapshot s;
  s.snapshot_id = id;
  s.parent_snapshot_id = parent;
  s.sequence_number = seq;
  s.timestamp_ms = ts;
  s.manifest_list = "s3://bucket/db/t/metadata/snap-" + std::to_string(id) + ".avro";
  s.summary = {{"operation", "append"}, {"added-data-files", "1"}};
  s.schema_id = 0;
  return s;
}

SnapshotRef Branch(int64_t id) {
  SnapshotRef r;
  r.snapshot_id = id;
  return r;
}

SnapshotRef Tag(int64_t id) {
  SnapshotRef r;
  r.snapshot_id = id;
  r.is_branch = false;
  return r;
}

// A table with two snapshots (1, then 2 on top of it: main), schema 0, spec 0 (day(ts)), unsorted.
TableMetadata BaseMetadata() {
  TableMetadata m;
  m.format_version = 2;
  m.table_uuid = std::string(kUuid);
  m.location = "s3://bucket/db/t";
  m.last_sequence_number = 2;
  m.last_updated_ms = 1700000002000;
  m.last_column_id = 3;
  m.schemas = {BaseSchema()};
  m.current_schema_id = 0;
  m.partition_specs = {PartitionSpec{0, {{3, 1000, "ts_day", Transform::Day()}}}};
  m.default_spec_id = 0;
  m.last_partition_id = 1000;
  m.sort_orders = {SortOrder{}};
  m.default_sort_order_id = 0;
  m.properties = {{"owner", "floe"}, {"write.format.default", "parquet"}};
  m.snapshots = {MakeSnapshot(1, std::nullopt, 1, 1700000001000), MakeSnapshot(2, 1, 2, 1700000002000)};
  m.current_snapshot_id = 2;
  m.refs["main"] = Branch(2);
  m.snapshot_log = {{1700000001000, 1}, {1700000002000, 2}};
  EXPECT_TRUE(m.Validate().ok()) << m.Validate().ToString();
  return m;
}

TableUpdate Update(std::string action) {
  TableUpdate u;
  u.action = std::move(action);
  return u;
}

TableUpdate SetRef(std::string name, SnapshotRef ref) {
  TableUpdate u = Update("set-snapshot-ref");
  u.ref_name = std::move(name);
  u.ref = ref;
  return u;
}

TableUpdate AddSnapshot(Snapshot s) {
  TableUpdate u = Update("add-snapshot");
  u.snapshot = std::move(s);
  return u;
}

TableUpdate WithId(std::string action, int32_t id) {
  TableUpdate u = Update(std::move(action));
  u.id = id;
  return u;
}

TableUpdate AddSchema(Schema s, std::optional<int32_t> last_column_id = std::nullopt) {
  TableUpdate u = Update("add-schema");
  u.schema = std::move(s);
  u.last_column_id = last_column_id;
  return u;
}

TableUpdate AddSpec(PartitionSpec s) {
  TableUpdate u = Update("add-spec");
  u.spec = std::move(s);
  return u;
}

TableUpdate AddSortOrder(SortOrder o) {
  TableUpdate u = Update("add-sort-order");
  u.sort_order = std::move(o);
  return u;
}

TableUpdate Raw(std::string action, std::string json) {
  TableUpdate u = Update(std::move(action));
  u.raw_json = std::move(json);
  return u;
}

TableRequirement Requirement(TableRequirement::Kind kind, int32_t id = 0) {
  TableRequirement r;
  r.kind = kind;
  r.id = id;
  return r;
}

TableRequirement RefRequirement(std::string ref, std::optional<int64_t> id) {
  TableRequirement r;
  r.kind = TableRequirement::Kind::kAssertRefSnapshotId;
  r.ref = std::move(ref);
  r.snapshot_id = id;
  return r;
}

Status ApplyError(const TableMetadata* base, const std::vector<TableUpdate>& updates) {
  Result<TableMetadata> r = ApplyUpdates(base, updates, kNow);
  EXPECT_FALSE(r.ok());
  return r.ok() ? Status::Ok() : r.status();
}

TableMetadata Apply(const TableMetadata* base, const std::vector<TableUpdate>& updates, int64_t now = kNow) {
  Result<TableMetadata> r = ApplyUpdates(base, updates, now);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : TableMetadata();
}

// The same table state: everything but last-updated-ms and the metadata log.
void ExpectSameTable(const TableMetadata& actual, const TableMetadata& expected) {
  EXPECT_EQ(actual.format_version, expected.format_version);
  EXPECT_EQ(actual.table_uuid, expected.table_uuid);
  EXPECT_EQ(actual.location, expected.location);
  EXPECT_EQ(actual.last_sequence_number, expected.last_sequence_number);
  EXPECT_EQ(actual.last_column_id, expected.last_column_id);
  ASSERT_EQ(actual.schemas.size(), expected.schemas.size());
  for (size_t i = 0; i < actual.schemas.size(); ++i) {
    EXPECT_EQ(actual.schemas[i].schema_id(), expected.schemas[i].schema_id());
    EXPECT_EQ(SchemaToJson(actual.schemas[i]), SchemaToJson(expected.schemas[i]));
  }
  EXPECT_EQ(actual.current_schema_id, expected.current_schema_id);
  EXPECT_EQ(actual.partition_specs, expected.partition_specs);
  EXPECT_EQ(actual.default_spec_id, expected.default_spec_id);
  EXPECT_EQ(actual.last_partition_id, expected.last_partition_id);
  EXPECT_EQ(actual.sort_orders, expected.sort_orders);
  EXPECT_EQ(actual.default_sort_order_id, expected.default_sort_order_id);
  EXPECT_EQ(actual.properties, expected.properties);
  EXPECT_EQ(actual.current_snapshot_id, expected.current_snapshot_id);
  ASSERT_EQ(actual.snapshots.size(), expected.snapshots.size());
  for (size_t i = 0; i < actual.snapshots.size(); ++i) {
    EXPECT_EQ(SnapshotToJson(actual.snapshots[i]), SnapshotToJson(expected.snapshots[i]));
  }
  EXPECT_EQ(actual.refs, expected.refs);
  EXPECT_EQ(actual.snapshot_log, expected.snapshot_log);
  EXPECT_EQ(actual.statistics_json, expected.statistics_json);
  EXPECT_EQ(actual.partition_statistics_json, expected.partition_statistics_json);
}

// The updates through their JSON form and back, as a REST client sends them and the server reads them.
std::vector<TableUpdate> ThroughJson(const std::vector<TableUpdate>& updates) {
  std::string json = "[";
  for (size_t i = 0; i < updates.size(); ++i) json += (i ? "," : "") + UpdateToJson(updates[i]);
  json += "]";
  Result<std::vector<TableUpdate>> parsed = UpdatesFromJson(json);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << json;
  return parsed.ok() ? *parsed : std::vector<TableUpdate>{};
}

std::vector<TableRequirement> ThroughJson(const std::vector<TableRequirement>& requirements) {
  std::string json = "[";
  for (size_t i = 0; i < requirements.size(); ++i) json += (i ? "," : "") + RequirementToJson(requirements[i]);
  json += "]";
  Result<std::vector<TableRequirement>> parsed = RequirementsFromJson(json);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << json;
  return parsed.ok() ? *parsed : std::vector<TableRequirement>{};
}

std::vector<std::string> Actions(const std::vector<TableUpdate>& updates) {
  std::vector<std::string> out;
  for (const TableUpdate& u : updates) out.push_back(u.action);
  return out;
}

// ---- JSON ----

TEST(MetadataUpdatesJson, RequirementsWriteTheSpecFieldNames) {
  TableRequirement uuid = Requirement(TableRequirement::Kind::kAssertTableUuid);
  uuid.uuid = std::string(kUuid);
  const std::vector<std::pair<TableRequirement, std::string>> cases = {
      {Requirement(TableRequirement::Kind::kAssertCreate), R"({"type":"assert-create"})"},
      {uuid, R"({"type":"assert-table-uuid","uuid":"9c12d441-03fe-4693-9a96-a0705ddf69c1"})"},
      {RefRequirement("main", 42), R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":42})"},
      {RefRequirement("dev", std::nullopt), R"({"type":"assert-ref-snapshot-id","ref":"dev","snapshot-id":null})"},
      {Requirement(TableRequirement::Kind::kAssertLastAssignedFieldId, 7),
       R"({"type":"assert-last-assigned-field-id","last-assigned-field-id":7})"},
      {Requirement(TableRequirement::Kind::kAssertCurrentSchemaId, 1),
       R"({"type":"assert-current-schema-id","current-schema-id":1})"},
      {Requirement(TableRequirement::Kind::kAssertLastAssignedPartitionId, 1001),
       R"({"type":"assert-last-assigned-partition-id","last-assigned-partition-id":1001})"},
      {Requirement(TableRequirement::Kind::kAssertDefaultSpecId, 2),
       R"({"type":"assert-default-spec-id","default-spec-id":2})"},
      {Requirement(TableRequirement::Kind::kAssertDefaultSortOrderId, 3),
       R"({"type":"assert-default-sort-order-id","default-sort-order-id":3})"},
  };
  std::vector<TableRequirement> all;
  for (const auto& [requirement, json] : cases) {
    EXPECT_EQ(RequirementToJson(requirement), json);
    Result<std::vector<TableRequirement>> parsed = RequirementsFromJson("[" + json + "]");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    ASSERT_EQ(parsed->size(), 1u);
    EXPECT_EQ((*parsed)[0], requirement) << json;
    all.push_back(requirement);
  }
  EXPECT_EQ(ThroughJson(all), all);
}

TEST(MetadataUpdatesJson, RequirementsParseAsClientsSendThem) {
  // pyiceberg and Java put other members in other orders, and a missing snapshot-id reads as null.
  auto parsed = RequirementsFromJson(R"([
    {"uuid": "9C12D441-03FE-4693-9A96-A0705DDF69C1", "type": "assert-table-uuid"},
    {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 3051729675574597004},
    {"type": "assert-ref-snapshot-id", "ref": "audit"},
    {"type": "assert-current-schema-id", "current-schema-id": 0}
  ])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[0].uuid, "9C12D441-03FE-4693-9A96-A0705DDF69C1");
  EXPECT_EQ((*parsed)[1].snapshot_id, 3051729675574597004);
  EXPECT_EQ((*parsed)[2].ref, "audit");
  EXPECT_EQ((*parsed)[2].snapshot_id, std::nullopt);
  EXPECT_EQ((*parsed)[3].kind, TableRequirement::Kind::kAssertCurrentSchemaId);
}

TEST(MetadataUpdatesJson, RequirementErrorsNameTheIndexAndField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[", "requirements: not valid JSON at byte 2: "},
      {R"({"type":"assert-create"})", "requirements: expected an array, got object"},
      {R"([{"type":"assert-create"}, 7])", "requirements[1]: expected an object, got integer 7"},
      {R"([{"ref":"main"}])", "requirements[0].type: required field is missing"},
      {R"([{"type":"assert-foo"}])", "requirements[0]: unknown type 'assert-foo'"},
      {R"([{"type":"assert-table-uuid"}])", "requirements[0].uuid: required field is missing"},
      {R"([{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":"42"}])",
       "requirements[0].snapshot-id: expected an integer, got string"},
      {R"([{"type":"assert-current-schema-id","current-schema-id":4294967296}])",
       "requirements[0].current-schema-id: integer 4294967296 is out of range for a 32-bit integer"},
      {R"([{"type":"assert-default-spec-id"}])", "requirements[0].default-spec-id: required field is missing"},
  };
  for (const auto& [json, message] : cases) {
    auto r = RequirementsFromJson(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_TRUE(r.status().message().starts_with(message)) << r.status().message() << "\nexpected: " << message;
  }
}

// One update of every action, with every optional field set.
std::vector<TableUpdate> EveryUpdate() {
  std::vector<TableUpdate> all;
  TableUpdate u = Update("assign-uuid");
  u.uuid = std::string(kUuid);
  all.push_back(u);
  u = Update("upgrade-format-version");
  u.format_version = 2;
  all.push_back(u);
  Schema s1(1,
            {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
             Field(4, "tags", false, Type::List(5, false, Type::Primitive(TypeId::kString)))},
            {1});
  all.push_back(AddSchema(s1, 5));
  all.push_back(AddSchema(BaseSchema()));
  all.push_back(WithId("set-current-schema", -1));
  all.push_back(AddSpec(PartitionSpec{1, {{1, 1001, "id_bucket", Transform::Bucket(16)}}}));
  all.push_back(WithId("set-default-spec", 1));
  all.push_back(AddSortOrder(SortOrder{1, {{1, Transform::Identity(), SortDirection::kDesc, NullOrder::kNullsLast}}}));
  all.push_back(WithId("set-default-sort-order", -1));
  all.push_back(AddSnapshot(MakeSnapshot(3, 2, 3, 1700000003000)));
  SnapshotRef ref = Tag(3);
  ref.max_ref_age_ms = 86400000;
  all.push_back(SetRef("v1", ref));
  ref = Branch(3);
  ref.min_snapshots_to_keep = 2;
  ref.max_snapshot_age_ms = 3600000;
  ref.max_ref_age_ms = 7200000;
  all.push_back(SetRef("dev", ref));
  u = Update("remove-snapshots");
  u.snapshot_ids = {1, 2};
  all.push_back(u);
  u = Update("remove-snapshot-ref");
  u.ref_name = "dev";
  all.push_back(u);
  u = Update("set-location");
  u.location = "s3://bucket/db/t2";
  all.push_back(u);
  u = Update("set-properties");
  u.updates = {{"a", "1"}, {"b", "2"}};
  all.push_back(u);
  u = Update("remove-properties");
  u.removals = {"owner"};
  all.push_back(u);
  all.push_back(Raw("set-statistics",
                    R"({"action":"set-statistics","snapshot-id":3,"statistics":{"snapshot-id":3,)"
                    R"("statistics-path":"s3://bucket/db/t/metadata/3.stats","file-size-in-bytes":413,)"
                    R"("file-footer-size-in-bytes":42,"blob-metadata":[]}})"));
  all.push_back(Raw("remove-statistics", R"({"action":"remove-statistics","snapshot-id":3})"));
  all.push_back(Raw("set-partition-statistics",
                    R"({"action":"set-partition-statistics","partition-statistics":{"snapshot-id":3,)"
                    R"("statistics-path":"s3://bucket/db/t/metadata/3.pstats","file-size-in-bytes":43}})"));
  all.push_back(Raw("remove-partition-statistics", R"({"action":"remove-partition-statistics","snapshot-id":3})"));
  all.push_back(Raw("remove-schemas", R"({"action":"remove-schemas","schema-ids":[0]})"));
  all.push_back(Raw("remove-partition-specs", R"({"action":"remove-partition-specs","spec-ids":[0]})"));
  return all;
}

TEST(MetadataUpdatesJson, EveryUpdateRoundTrips) {
  const std::vector<TableUpdate> all = EveryUpdate();
  const std::vector<TableUpdate> parsed = ThroughJson(all);
  ASSERT_EQ(parsed.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(UpdateToJson(parsed[i]), UpdateToJson(all[i])) << i;
    EXPECT_EQ(parsed[i].action, all[i].action);
  }
  // Typed fields survive, not just the text.
  EXPECT_EQ(parsed[0].uuid, kUuid);
  EXPECT_EQ(parsed[1].format_version, 2);
  ASSERT_TRUE(parsed[2].schema.has_value());
  EXPECT_TRUE(parsed[2].schema->SameStructure(*all[2].schema));
  EXPECT_EQ(parsed[2].schema->schema_id(), 1);
  EXPECT_EQ(parsed[2].last_column_id, 5);
  EXPECT_EQ(parsed[3].last_column_id, std::nullopt);
  EXPECT_EQ(parsed[4].id, -1);
  EXPECT_EQ(parsed[5].spec, all[5].spec);
  EXPECT_EQ(parsed[6].id, 1);
  EXPECT_EQ(parsed[7].sort_order, all[7].sort_order);
  ASSERT_TRUE(parsed[9].snapshot.has_value());
  EXPECT_EQ(SnapshotToJson(*parsed[9].snapshot), SnapshotToJson(*all[9].snapshot));
  EXPECT_EQ(parsed[10].ref_name, "v1");
  EXPECT_EQ(parsed[10].ref, all[10].ref);
  EXPECT_EQ(parsed[11].ref, all[11].ref);
  EXPECT_EQ(parsed[12].snapshot_ids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(parsed[13].ref_name, "dev");
  EXPECT_EQ(parsed[14].location, "s3://bucket/db/t2");
  EXPECT_EQ(parsed[15].updates, all[15].updates);
  EXPECT_EQ(parsed[16].removals, all[16].removals);
}

TEST(MetadataUpdatesJson, UpdatesWriteTheSpecFieldNames) {
  EXPECT_EQ(UpdateToJson(SetRef("main", Branch(42))),
            R"({"action":"set-snapshot-ref","ref-name":"main","snapshot-id":42,"type":"branch"})");
  SnapshotRef tag = Tag(7);
  tag.max_ref_age_ms = 1000;
  EXPECT_EQ(UpdateToJson(SetRef("v1", tag)),
            R"({"action":"set-snapshot-ref","ref-name":"v1","snapshot-id":7,"type":"tag","max-ref-age-ms":1000})");
  EXPECT_EQ(UpdateToJson(WithId("set-current-schema", -1)), R"({"action":"set-current-schema","schema-id":-1})");
  EXPECT_EQ(UpdateToJson(WithId("set-default-spec", 3)), R"({"action":"set-default-spec","spec-id":3})");
  EXPECT_EQ(UpdateToJson(WithId("set-default-sort-order", 1)),
            R"({"action":"set-default-sort-order","sort-order-id":1})");
  TableUpdate u = Update("upgrade-format-version");
  u.format_version = 2;
  EXPECT_EQ(UpdateToJson(u), R"({"action":"upgrade-format-version","format-version":2})");
  u = Update("remove-snapshots");
  u.snapshot_ids = {5, 6};
  EXPECT_EQ(UpdateToJson(u), R"({"action":"remove-snapshots","snapshot-ids":[5,6]})");
  u = Update("set-properties");
  u.updates = {{"k", "v"}};
  EXPECT_EQ(UpdateToJson(u), R"({"action":"set-properties","updates":{"k":"v"}})");
  u = Update("remove-properties");
  u.removals = {"k"};
  EXPECT_EQ(UpdateToJson(u), R"({"action":"remove-properties","removals":["k"]})");
  EXPECT_EQ(UpdateToJson(AddSchema(Schema(2, {Field(1, "id", true, Type::Primitive(TypeId::kLong))}), 4)),
            R"({"action":"add-schema","schema":{"type":"struct","schema-id":2,"fields":[{"id":1,"name":"id",)"
            R"("required":true,"type":"long"}]},"last-column-id":4})");
  EXPECT_EQ(UpdateToJson(AddSpec(PartitionSpec{1, {{3, 1001, "ts_hour", Transform::Hour()}}})),
            R"({"action":"add-spec","spec":{"spec-id":1,"fields":[{"name":"ts_hour","transform":"hour",)"
            R"("source-id":3,"field-id":1001}]}})");
  EXPECT_EQ(UpdateToJson(
                AddSortOrder(SortOrder{1, {{2, Transform::Identity(), SortDirection::kAsc, NullOrder::kNullsFirst}}})),
            R"({"action":"add-sort-order","sort-order":{"order-id":1,"fields":[{"transform":"identity",)"
            R"("source-id":2,"direction":"asc","null-order":"nulls-first"}]}})");
}

// A create transaction as pyiceberg 0.12 sends it (CreateTableTransaction._initial_changes), written by hand.
constexpr std::string_view kPyicebergCreate = R"([
  {"action": "assign-uuid", "uuid": "9c12d441-03fe-4693-9a96-a0705ddf69c1"},
  {"action": "upgrade-format-version", "format-version": 2},
  {"action": "add-schema", "schema": {"type": "struct", "fields": [
     {"id": 1, "name": "city", "type": "string", "required": false},
     {"id": 2, "name": "lat", "type": "double", "required": false},
     {"id": 3, "name": "ts", "type": "timestamptz", "required": true},
     {"id": 4, "name": "loc", "type": {"type": "struct", "fields": [
        {"id": 5, "name": "x", "type": "float", "required": true}]}, "required": false}],
     "schema-id": 0, "identifier-field-ids": []}},
  {"action": "set-current-schema", "schema-id": -1},
  {"action": "add-spec", "spec": {"spec-id": 0, "fields": [
     {"source-id": 3, "field-id": 1000, "transform": "day", "name": "ts_day"}]}},
  {"action": "set-default-spec", "spec-id": -1},
  {"action": "add-sort-order", "sort-order": {"order-id": 0, "fields": []}},
  {"action": "set-default-sort-order", "sort-order-id": -1},
  {"action": "set-location", "location": "s3://warehouse/default/cities"},
  {"action": "set-properties", "updates": {"write.parquet.compression-codec": "zstd"}}
])";

TEST(MetadataUpdatesJson, ParsesACreateTransactionAsPyicebergSendsIt) {
  auto updates = UpdatesFromJson(kPyicebergCreate);
  ASSERT_TRUE(updates.ok()) << updates.status().ToString();
  EXPECT_EQ(Actions(*updates),
            (std::vector<std::string>{"assign-uuid", "upgrade-format-version", "add-schema", "set-current-schema",
                                      "add-spec", "set-default-spec", "add-sort-order", "set-default-sort-order",
                                      "set-location", "set-properties"}));
  const TableUpdate& add_schema = (*updates)[2];
  ASSERT_TRUE(add_schema.schema.has_value());
  EXPECT_EQ(add_schema.schema->HighestFieldId(), 5);
  EXPECT_EQ(add_schema.schema->NameOf(5), "loc.x");
  EXPECT_EQ(add_schema.last_column_id, std::nullopt);
  EXPECT_EQ((*updates)[4].spec, (PartitionSpec{0, {{3, 1000, "ts_day", Transform::Day()}}}));
  EXPECT_EQ((*updates)[5].id, -1);
  EXPECT_EQ((*updates)[9].updates.at("write.parquet.compression-codec"), "zstd");
}

TEST(MetadataUpdatesJson, ParsesACommitAsJavaSendsIt) {
  // Java's RESTTableOperations after a fast append: add-snapshot and set-snapshot-ref main.
  auto updates = UpdatesFromJson(R"([
    {"action":"add-snapshot","snapshot":{"sequence-number":3,"snapshot-id":7706563329373593423,
      "parent-snapshot-id":2,"timestamp-ms":1730000000123,"summary":{"operation":"append","added-data-files":"1",
      "added-records":"3"},"manifest-list":"s3://bucket/db/t/metadata/snap-77.avro","schema-id":0}},
    {"action":"set-snapshot-ref","ref-name":"main","snapshot-id":7706563329373593423,"type":"branch"}
  ])");
  ASSERT_TRUE(updates.ok()) << updates.status().ToString();
  ASSERT_EQ(updates->size(), 2u);
  const Snapshot& s = *(*updates)[0].snapshot;
  EXPECT_EQ(s.snapshot_id, 7706563329373593423);
  EXPECT_EQ(s.parent_snapshot_id, 2);
  EXPECT_EQ(s.sequence_number, 3);
  EXPECT_EQ(s.operation(), "append");
  EXPECT_EQ(*s.FindSummary("added-records"), "3");
  EXPECT_EQ((*updates)[1].ref, Branch(7706563329373593423));
}

TEST(MetadataUpdatesJson, AddSpecWithoutIdsLeavesThemToTheCatalog) {
  // spec-id is read-only in the OpenAPI and field-id optional: the builder assigns them.
  auto updates = UpdatesFromJson(
      R"([{"action":"add-spec","spec":{"fields":[{"source-id":1,"transform":"bucket[8]","name":"id_bucket"}]}}])");
  ASSERT_TRUE(updates.ok()) << updates.status().ToString();
  ASSERT_TRUE((*updates)[0].spec.has_value());
  EXPECT_EQ((*updates)[0].spec->spec_id, 0);
  EXPECT_EQ((*updates)[0].spec->fields[0].field_id, -1);
  // ...and the missing field id stays missing when written again.
  EXPECT_EQ(UpdateToJson((*updates)[0]),
            R"({"action":"add-spec","spec":{"spec-id":0,"fields":[{"name":"id_bucket","transform":"bucket[8]",)"
            R"("source-id":1}]}})");
  TableMetadata base = BaseMetadata();
  TableMetadata m = Apply(&base, *updates);
  ASSERT_EQ(m.partition_specs.size(), 2u);
  EXPECT_EQ(m.partition_specs[1], (PartitionSpec{1, {{1, 1001, "id_bucket", Transform::Bucket(8)}}}));
  EXPECT_EQ(m.last_partition_id, 1001);
}

TEST(MetadataUpdatesJson, UpdateErrorsNameTheIndexAndField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[{]", "updates: not valid JSON at byte 3: "},
      {"{}", "updates: expected an array, got object"},
      {R"(["add-snapshot"])", "updates[0]: expected an object, got string"},
      {R"([{"location":"x"}])", "updates[0].action: required field is missing"},
      {R"([{"action":"set-location","location":"x"},{"action":"drop-table"}])",
       "updates[1]: unknown action 'drop-table'"},
      {R"([{"action":"add-view-version","view-version":{}}])",
       "updates[0]: action 'add-view-version' applies to views, not tables"},
      {R"([{"action":"assign-uuid"}])", "updates[0].uuid: required field is missing"},
      {R"([{"action":"upgrade-format-version","format-version":"2"}])",
       "updates[0].format-version: expected an integer, got string"},
      {R"([{"action":"set-current-schema"}])", "updates[0].schema-id: required field is missing"},
      {R"([{"action":"set-location","location":"x"},{"action":"set-location","location":"y"},)"
       R"({"action":"add-snapshot","snapshot":{"snapshot-id":1,"timestamp-ms":2,"summary":{"operation":"append"}}}])",
       "updates[2].snapshot.manifest-list: required field is missing"},
      {R"([{"action":"add-schema","schema":{"type":"struct","fields":[{"id":1,"name":"a","required":true,)"
       R"("type":"lnog"}]}}])",
       "updates[0].schema.fields[0].type: unknown type 'lnog'"},
      {R"([{"action":"add-schema","schema":{"type":"struct","fields":[{"id":1,"name":"a","required":true,)"
       R"("type":"long"},{"id":1,"name":"b","required":true,"type":"long"}]}}])",
       "updates[0].schema: "},
      {R"([{"action":"add-schema","schema":[]}])", "updates[0].schema: expected an object, got array"},
      {R"([{"action":"add-spec","spec":{"fields":[{"source-id":1,"name":"x","transform":"bucket"}]}}])",
       "updates[0].spec.fields[0].transform: unknown transform 'bucket'"},
      {R"([{"action":"add-sort-order","sort-order":{"fields":[]}}])",
       "updates[0].sort-order.order-id: required field is missing"},
      {R"([{"action":"set-snapshot-ref","ref-name":"main","snapshot-id":1,"type":"brnach"}])",
       "updates[0].type: expected 'branch' or 'tag', got 'brnach'"},
      {R"([{"action":"set-snapshot-ref","ref-name":"main","type":"branch"}])",
       "updates[0].snapshot-id: required field is missing"},
      {R"([{"action":"remove-snapshots","snapshot-ids":[1,"2"]}])",
       "updates[0].snapshot-ids[1]: expected an integer, got string"},
      {R"([{"action":"remove-snapshot-ref"}])", "updates[0].ref-name: required field is missing"},
      {R"([{"action":"set-properties","updates":{"a":1}}])", "updates[0].updates.a: expected a string, got integer 1"},
      {R"([{"action":"set-properties","updates":["a"]}])", "updates[0].updates: expected an object, got array"},
      {R"([{"action":"remove-properties","removals":"a"}])", "updates[0].removals: expected an array, got string"},
      {R"([{"action":"set-statistics","statistics":{"statistics-path":"x"}}])",
       "updates[0].snapshot-id: required field is missing"},
      {R"([{"action":"set-partition-statistics","partition-statistics":{"snapshot-id":1}}])",
       "updates[0].partition-statistics.statistics-path: required field is missing"},
      {R"([{"action":"remove-statistics"}])", "updates[0].snapshot-id: required field is missing"},
      {R"([{"action":"remove-schemas","schema-ids":[true]}])",
       "updates[0].schema-ids[0]: expected an integer, got boolean"},
  };
  for (const auto& [json, message] : cases) {
    auto r = UpdatesFromJson(json);
    ASSERT_FALSE(r.ok()) << json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << json;
    EXPECT_TRUE(r.status().message().starts_with(message)) << r.status().message() << "\nexpected: " << message;
  }
  auto encryption = UpdatesFromJson(R"([{"action":"add-encryption-key","encryption-key":{}}])");
  ASSERT_FALSE(encryption.ok());
  EXPECT_EQ(encryption.status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(encryption.status().message(),
            "updates[0]: action 'add-encryption-key' (table encryption, format version 3) is not supported");
}

// ---- CheckRequirements ----

TEST(CheckRequirements, EveryRequirementPassesOnAMatchingTable) {
  TableMetadata m = BaseMetadata();
  m.refs["v1"] = Tag(1);
  TableRequirement uuid = Requirement(TableRequirement::Kind::kAssertTableUuid);
  uuid.uuid = "9C12D441-03FE-4693-9A96-A0705DDF69C1";  // case does not matter, as in Java
  std::vector<TableRequirement> all = {
      uuid,
      RefRequirement("main", 2),
      RefRequirement("v1", 1),
      RefRequirement("dev", std::nullopt),
      Requirement(TableRequirement::Kind::kAssertLastAssignedFieldId, 3),
      Requirement(TableRequirement::Kind::kAssertCurrentSchemaId, 0),
      Requirement(TableRequirement::Kind::kAssertLastAssignedPartitionId, 1000),
      Requirement(TableRequirement::Kind::kAssertDefaultSpecId, 0),
      Requirement(TableRequirement::Kind::kAssertDefaultSortOrderId, 0),
  };
  EXPECT_TRUE(CheckRequirements(&m, all).ok()) << CheckRequirements(&m, all).ToString();
  EXPECT_TRUE(CheckRequirements(&m, {}).ok());
  EXPECT_TRUE(CheckRequirements(nullptr, {Requirement(TableRequirement::Kind::kAssertCreate)}).ok());
}

TEST(CheckRequirements, EachFailureIsAConflictWithJavasMessage) {
  TableMetadata m = BaseMetadata();
  m.refs["v1"] = Tag(1);
  TableRequirement uuid = Requirement(TableRequirement::Kind::kAssertTableUuid);
  uuid.uuid = "00000000-0000-4000-8000-000000000000";
  const std::vector<std::pair<TableRequirement, std::string>> cases = {
      {Requirement(TableRequirement::Kind::kAssertCreate), "Requirement failed: table already exists"},
      {uuid,
       "Requirement failed: UUID does not match: expected 00000000-0000-4000-8000-000000000000 != "
       "9c12d441-03fe-4693-9a96-a0705ddf69c1"},
      {RefRequirement("main", 42), "Requirement failed: branch main has changed: expected id 42 != 2"},
      {RefRequirement("v1", 2), "Requirement failed: tag v1 has changed: expected id 2 != 1"},
      {RefRequirement("main", std::nullopt), "Requirement failed: branch main was created concurrently"},
      {RefRequirement("v1", std::nullopt), "Requirement failed: tag v1 was created concurrently"},
      {RefRequirement("dev", 5), "Requirement failed: branch or tag dev is missing, expected 5"},
      {Requirement(TableRequirement::Kind::kAssertLastAssignedFieldId, 2),
       "Requirement failed: last assigned field id changed: expected id 2 != 3"},
      {Requirement(TableRequirement::Kind::kAssertCurrentSchemaId, 1),
       "Requirement failed: current schema changed: expected id 1 != 0"},
      {Requirement(TableRequirement::Kind::kAssertLastAssignedPartitionId, 999),
       "Requirement failed: last assigned partition id changed: expected id 999 != 1000"},
      {Requirement(TableRequirement::Kind::kAssertDefaultSpecId, 1),
       "Requirement failed: default partition spec changed: expected id 1 != 0"},
      {Requirement(TableRequirement::Kind::kAssertDefaultSortOrderId, 1),
       "Requirement failed: default sort order changed: expected id 1 != 0"},
  };
  for (const auto& [requirement, message] : cases) {
    Status st = CheckRequirements(&m, {requirement});
    EXPECT_EQ(st.code(), StatusCode::kConflict) << RequirementToJson(requirement);
    EXPECT_EQ(st.message(), message);
  }
}

TEST(CheckRequirements, AMissingTableIsNotFoundUnlessTheCommitCreatesIt) {
  Status st = CheckRequirements(nullptr, {RefRequirement("main", 2)});
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "table does not exist (a commit that creates a table needs the assert-create requirement)");
  EXPECT_EQ(CheckRequirements(nullptr, {}).code(), StatusCode::kNotFound);
  // assert-create stands alone, as Java's CatalogHandlers demands.
  st = CheckRequirements(nullptr, {Requirement(TableRequirement::Kind::kAssertCreate), RefRequirement("main", 2)});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "requirements: assert-create cannot be combined with other requirements (got "
            "assert-ref-snapshot-id)");
}

// ---- ApplyUpdates: creating a table ----

TEST(ApplyUpdates, CreatesATableFromPyicebergsCreateUpdates) {
  auto updates = UpdatesFromJson(kPyicebergCreate);
  ASSERT_TRUE(updates.ok());
  TableMetadata m = Apply(nullptr, *updates);
  EXPECT_EQ(m.format_version, 2);
  EXPECT_EQ(m.table_uuid, kUuid);
  EXPECT_EQ(m.location, "s3://warehouse/default/cities");
  ASSERT_EQ(m.schemas.size(), 1u);
  EXPECT_EQ(m.current_schema_id, 0);
  EXPECT_EQ(m.last_column_id, 5);
  ASSERT_EQ(m.partition_specs.size(), 1u);
  EXPECT_EQ(m.default_spec_id, 0);
  EXPECT_EQ(m.last_partition_id, 1000);
  ASSERT_EQ(m.sort_orders.size(), 1u);
  EXPECT_EQ(m.default_sort_order_id, 0);
  EXPECT_EQ(m.properties, (std::map<std::string, std::string>{{"write.parquet.compression-codec", "zstd"}}));
  EXPECT_EQ(m.current_snapshot_id, std::nullopt);
  EXPECT_TRUE(m.snapshots.empty());
  EXPECT_EQ(m.last_sequence_number, 0);
  EXPECT_EQ(m.last_updated_ms, kNow);
  // The result is a table every reader accepts.
  auto reparsed = ParseTableMetadata(TableMetadataToJson(m), "v1.metadata.json");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  ExpectSameTable(*reparsed, m);
}

TEST(ApplyUpdates, ANewTableWithoutAUuidGetsAFreshOne) {
  std::vector<TableUpdate> updates = {AddSchema(BaseSchema()), WithId("set-current-schema", -1),
                                      Update("set-location")};
  updates[2].location = "/tmp/t";
  TableMetadata a = Apply(nullptr, updates);
  TableMetadata b = Apply(nullptr, updates);
  EXPECT_EQ(a.table_uuid.size(), 36u);
  EXPECT_NE(a.table_uuid, b.table_uuid);
  // Without spec and sort order updates, the table is unpartitioned and unsorted.
  EXPECT_EQ(a.partition_specs, (std::vector<PartitionSpec>{PartitionSpec{}}));
  EXPECT_EQ(a.sort_orders, (std::vector<SortOrder>{SortOrder{}}));
  EXPECT_EQ(a.last_partition_id, 999);
}

TEST(ApplyUpdates, ANewTableNeedsASchemaAndALocation) {
  TableUpdate location = Update("set-location");
  location.location = "/tmp/t";
  Status st = ApplyError(nullptr, {location});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "updates: a new table needs a schema: add-schema, then set-current-schema (-1 for the one just added)");
  st = ApplyError(nullptr, {AddSchema(BaseSchema()), WithId("set-current-schema", 0)});
  EXPECT_EQ(st.message(), "updates: a new table needs a location (set-location)");
  st = ApplyError(nullptr, {WithId("set-current-schema", -1)});
  EXPECT_EQ(st.message(),
            "updates[0] (set-current-schema): schema-id -1 means the last added schema, but no schema was added "
            "before it");
  st = ApplyError(nullptr, {AddSpec(PartitionSpec{0, {{3, 1000, "ts_day", Transform::Day()}}})});
  EXPECT_EQ(st.message(),
            "updates[0] (add-spec): a new table needs a current schema (add-schema, set-current-schema) before a "
            "partition spec");
  st = ApplyError(nullptr, {location, AddSchema(BaseSchema()), WithId("set-current-schema", -1),
                            AddSpec(PartitionSpec{0, {{3, 1000, "ts_day", Transform::Day()}}})});
  EXPECT_EQ(st.message(), "updates: a partition spec was added but none made the default (set-default-spec)");
  st = ApplyError(nullptr, {AddSnapshot(MakeSnapshot(1, std::nullopt, 1, 1))});
  EXPECT_EQ(st.message(), "updates[0] (add-snapshot): a snapshot cannot be added before a schema");
}

TEST(ApplyUpdates, ANewTableTakesTheRequestedFormatVersion) {
  TableUpdate v1 = Update("upgrade-format-version");
  v1.format_version = 1;
  TableUpdate location = Update("set-location");
  location.location = "/tmp/t";
  TableMetadata m = Apply(nullptr, {v1, AddSchema(BaseSchema()), WithId("set-current-schema", -1), location});
  EXPECT_EQ(m.format_version, 1);
  TableUpdate v3 = Update("upgrade-format-version");
  v3.format_version = 3;
  Status st = ApplyError(nullptr, {v3});
  EXPECT_EQ(st.message(),
            "updates[0] (upgrade-format-version): format version 3 is not supported (floe supports 1 "
            "to 2)");
}

// ---- ApplyUpdates: each update on an existing table ----

TEST(ApplyUpdates, NoUpdatesChangeNothingButTheTime) {
  TableMetadata base = BaseMetadata();
  TableMetadata m = Apply(&base, {});
  ExpectSameTable(m, base);
  EXPECT_EQ(m.last_updated_ms, kNow);
  // last-updated-ms never goes back.
  m = Apply(&base, {}, 5);
  EXPECT_EQ(m.last_updated_ms, base.last_updated_ms);
}

TEST(ApplyUpdates, AssignUuidOnlyConfirmsAnExistingTablesUuid) {
  TableMetadata base = BaseMetadata();
  TableUpdate same = Update("assign-uuid");
  same.uuid = "9C12D441-03FE-4693-9A96-A0705DDF69C1";
  EXPECT_EQ(Apply(&base, {same}).table_uuid, kUuid);
  TableUpdate other = Update("assign-uuid");
  other.uuid = "00000000-0000-4000-8000-000000000000";
  Status st = ApplyError(&base, {other});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "updates[0] (assign-uuid): cannot change the uuid of an existing table from "
            "9c12d441-03fe-4693-9a96-a0705ddf69c1 to 00000000-0000-4000-8000-000000000000");
}

TEST(ApplyUpdates, FormatVersionsOnlyGoUp) {
  TableMetadata base = BaseMetadata();
  TableUpdate v1 = Update("upgrade-format-version");
  v1.format_version = 1;
  EXPECT_EQ(ApplyError(&base, {v1}).message(),
            "updates[0] (upgrade-format-version): cannot downgrade a v2 table to v1");
  TableUpdate v2 = Update("upgrade-format-version");
  v2.format_version = 2;
  EXPECT_EQ(Apply(&base, {v2}).format_version, 2);
  TableMetadata old = base;
  old.format_version = 1;
  EXPECT_EQ(Apply(&old, {v2}).format_version, 2);
}

TEST(ApplyUpdates, AddSchemaReusesAnIdenticalSchemaAndRenumbersATakenId) {
  TableMetadata base = BaseMetadata();
  // Schema id 0 is taken by a different schema: the new one becomes 1.
  Schema wider(0, {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
                   Field(2, "data", false, Type::Primitive(TypeId::kString)),
                   Field(3, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
                   Field(4, "extra", false, Type::Primitive(TypeId::kInt))});
  TableMetadata m = Apply(&base, {AddSchema(wider), WithId("set-current-schema", -1)});
  ASSERT_EQ(m.schemas.size(), 2u);
  EXPECT_EQ(m.schemas[1].schema_id(), 1);
  EXPECT_EQ(m.current_schema_id, 1);
  EXPECT_EQ(m.last_column_id, 4);
  // A free id is kept.
  Schema seven = wider;
  seven.set_schema_id(7);
  m = Apply(&base, {AddSchema(seven)});
  EXPECT_EQ(m.schemas[1].schema_id(), 7);
  EXPECT_EQ(m.current_schema_id, 0);  // added, not made current
  // An identical schema (whatever its id) is the existing one; -1 then means it.
  Schema same = BaseSchema();
  same.set_schema_id(5);
  m = Apply(&base, {AddSchema(same), WithId("set-current-schema", -1)});
  EXPECT_EQ(m.schemas.size(), 1u);
  EXPECT_EQ(m.current_schema_id, 0);
  // last-column-id: the highest of the table's, the schema's and the update's; never lower.
  m = Apply(&base, {AddSchema(wider, 10)});
  EXPECT_EQ(m.last_column_id, 10);
  m = Apply(&base, {AddSchema(same, 1)});
  EXPECT_EQ(m.last_column_id, 3);
}

TEST(ApplyUpdates, SetCurrentSchemaNeedsAnExistingSchema) {
  TableMetadata base = BaseMetadata();
  EXPECT_EQ(ApplyError(&base, {WithId("set-current-schema", 4)}).message(),
            "updates[0] (set-current-schema): schema 4 does not exist (schemas: 0)");
  EXPECT_EQ(ApplyError(&base, {WithId("set-current-schema", -1)}).message(),
            "updates[0] (set-current-schema): schema-id -1 means the last added schema, but no schema was added "
            "before it");
}

TEST(ApplyUpdates, AddSchemaRefusesAnInvalidSchema) {
  TableMetadata base = BaseMetadata();
  Schema dup(
      1, {Field(1, "a", true, Type::Primitive(TypeId::kLong)), Field(1, "b", true, Type::Primitive(TypeId::kLong))});
  Status st = ApplyError(&base, {AddSchema(dup)});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(st.message().starts_with("updates[0] (add-schema): schema 1: ")) << st.message();
}

TEST(ApplyUpdates, AddSpecReusesAssignsAndValidates) {
  TableMetadata base = BaseMetadata();
  // The same fields under another id: the existing spec.
  TableMetadata m = Apply(
      &base, {AddSpec(PartitionSpec{4, {{3, 1000, "ts_day", Transform::Day()}}}), WithId("set-default-spec", -1)});
  EXPECT_EQ(m.partition_specs.size(), 1u);
  EXPECT_EQ(m.default_spec_id, 0);
  // A new spec with a taken id gets the next one; last-partition-id follows its fields.
  m = Apply(
      &base,
      {AddSpec(PartitionSpec{0, {{3, 1000, "ts_day", Transform::Day()}, {1, 1001, "id_bucket", Transform::Bucket(4)}}}),
       WithId("set-default-spec", -1)});
  ASSERT_EQ(m.partition_specs.size(), 2u);
  EXPECT_EQ(m.partition_specs[1].spec_id, 1);
  EXPECT_EQ(m.default_spec_id, 1);
  EXPECT_EQ(m.last_partition_id, 1001);
  // Fields without ids reuse the id of the same field in an earlier spec, or get new ones.
  m = Apply(
      &base,
      {AddSpec(PartitionSpec{1, {{1, -1, "id_trunc", Transform::Truncate(10)}, {3, -1, "ts_day", Transform::Day()}}})});
  EXPECT_EQ(m.partition_specs[1].fields[0].field_id, 1001);
  EXPECT_EQ(m.partition_specs[1].fields[1].field_id, 1000);
  EXPECT_EQ(m.last_partition_id, 1001);

  const PartitionSpec unknown_source{1, {{9, 1001, "x", Transform::Identity()}}};
  EXPECT_EQ(ApplyError(&base, {AddSpec(unknown_source)}).message(),
            "updates[0] (add-spec): spec 1 does not apply to the current schema 0: " +
                unknown_source.PartitionType(BaseSchema()).status().message());
  EXPECT_EQ(ApplyError(&base, {AddSpec(PartitionSpec{
                                  1, {{1, 1001, "a", Transform::Identity()}, {2, 1001, "b", Transform::Identity()}}})})
                .message(),
            "updates[0] (add-spec): partition field 'b': field id 1001 appears twice in the spec");
  EXPECT_EQ(ApplyError(&base, {AddSpec(PartitionSpec{
                                  1, {{1, 1001, "a", Transform::Identity()}, {2, 1002, "a", Transform::Identity()}}})})
                .message(),
            "updates[0] (add-spec): partition field name 'a' appears twice in the spec");
  EXPECT_EQ(ApplyError(&base, {AddSpec(PartitionSpec{1, {{1, 7, "a", Transform::Identity()}}})}).message(),
            "updates[0] (add-spec): partition field 'a': field id 7 is below 1000");
  EXPECT_EQ(ApplyError(&base, {WithId("set-default-spec", 3)}).message(),
            "updates[0] (set-default-spec): partition spec 3 does not exist (specs: 0)");
  EXPECT_EQ(ApplyError(&base, {WithId("set-default-spec", -1)}).message(),
            "updates[0] (set-default-spec): spec-id -1 means the last added spec, but no spec was added before it");
}

TEST(ApplyUpdates, AddSortOrderReusesAssignsAndValidates) {
  TableMetadata base = BaseMetadata();
  SortField by_id{1, Transform::Identity(), SortDirection::kAsc, NullOrder::kNullsFirst};
  // Order 0 is reserved for unsorted: a sorted order sent as 0 becomes 1.
  TableMetadata m = Apply(&base, {AddSortOrder(SortOrder{0, {by_id}}), WithId("set-default-sort-order", -1)});
  ASSERT_EQ(m.sort_orders.size(), 2u);
  EXPECT_EQ(m.sort_orders[1], (SortOrder{1, {by_id}}));
  EXPECT_EQ(m.default_sort_order_id, 1);
  // Unsorted is order 0 again, whatever id it was sent with.
  TableMetadata back = Apply(&m, {AddSortOrder(SortOrder{5, {}}), WithId("set-default-sort-order", -1)});
  EXPECT_EQ(back.sort_orders.size(), 2u);
  EXPECT_EQ(back.default_sort_order_id, 0);

  SortField bad{9, Transform::Identity(), SortDirection::kAsc, NullOrder::kNullsFirst};
  EXPECT_EQ(ApplyError(&base, {AddSortOrder(SortOrder{1, {bad}})}).message(),
            "updates[0] (add-sort-order): sort order 1: sort field source column 9 is not in schema 0");
  EXPECT_EQ(ApplyError(&base, {WithId("set-default-sort-order", 2)}).message(),
            "updates[0] (set-default-sort-order): sort order 2 does not exist (sort orders: 0)");
}

TEST(ApplyUpdates, AddSnapshotChecksIdsAndSequenceNumbers) {
  TableMetadata base = BaseMetadata();
  TableMetadata m = Apply(&base, {AddSnapshot(MakeSnapshot(3, 2, 3, 1700000003000))});
  EXPECT_EQ(m.last_sequence_number, 3);
  EXPECT_EQ(m.snapshots.size(), 3u);
  EXPECT_EQ(m.current_snapshot_id, 2);  // added, not current until main points at it
  EXPECT_EQ(m.snapshot_log, base.snapshot_log);

  Status st = ApplyError(&base, {AddSnapshot(MakeSnapshot(2, 1, 3, 1))});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "updates[0] (add-snapshot): snapshot 2 already exists");
  // A snapshot written on a stale base: Conflict, so that the client retries (Java: CommitFailedException).
  st = ApplyError(&base, {AddSnapshot(MakeSnapshot(3, 1, 2, 1))});
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_EQ(st.message(),
            "updates[0] (add-snapshot): snapshot 3 has sequence number 2, not above the table's last "
            "sequence number 2 (another writer committed first): reload the table and retry");
  // A snapshot without a parent is exempt (Java's rule); the last sequence number never goes down.
  m = Apply(&base, {AddSnapshot(MakeSnapshot(3, std::nullopt, 1, 1))});
  EXPECT_EQ(m.last_sequence_number, 2);
  // v1 tables have no sequence numbers to check.
  TableMetadata v1 = base;
  v1.format_version = 1;
  EXPECT_TRUE(ApplyUpdates(&v1, {AddSnapshot(MakeSnapshot(3, 2, 0, 1))}, kNow).ok());
}

TEST(ApplyUpdates, SetSnapshotRefOfMainMovesTheCurrentSnapshotAndTheLog) {
  TableMetadata base = BaseMetadata();
  TableMetadata m = Apply(&base, {AddSnapshot(MakeSnapshot(3, 2, 3, 1700000003000)), SetRef("main", Branch(3))});
  EXPECT_EQ(m.current_snapshot_id, 3);
  EXPECT_EQ(m.refs.at("main"), Branch(3));
  ASSERT_EQ(m.snapshot_log.size(), 3u);
  // A snapshot added by this commit is current from its own timestamp.
  EXPECT_EQ(m.snapshot_log.back(), (SnapshotLogEntry{1700000003000, 3}));
  // Setting the same ref again changes nothing, not even the log.
  TableMetadata again = Apply(&m, {SetRef("main", Branch(3))});
  EXPECT_EQ(again.snapshot_log, m.snapshot_log);
  // Retention settings on main change the ref but not the current snapshot: no log entry.
  SnapshotRef kept = Branch(3);
  kept.min_snapshots_to_keep = 5;
  again = Apply(&m, {SetRef("main", kept)});
  EXPECT_EQ(again.refs.at("main"), kept);
  EXPECT_EQ(again.snapshot_log, m.snapshot_log);
  // A rollback to an older snapshot is current from the time of the change.
  TableMetadata rolled = Apply(&m, {SetRef("main", Branch(1))});
  EXPECT_EQ(rolled.current_snapshot_id, 1);
  EXPECT_EQ(rolled.snapshot_log.back(), (SnapshotLogEntry{kNow, 1}));
}

TEST(ApplyUpdates, OtherRefsLeaveTheCurrentSnapshotAlone) {
  TableMetadata base = BaseMetadata();
  TableMetadata m =
      Apply(&base, {SetRef("v1", Tag(1)), AddSnapshot(MakeSnapshot(3, 1, 3, 1700000003000)), SetRef("dev", Branch(3))});
  EXPECT_EQ(m.current_snapshot_id, 2);
  EXPECT_EQ(m.refs.at("v1"), Tag(1));
  EXPECT_EQ(m.refs.at("dev"), Branch(3));
  EXPECT_EQ(m.snapshot_log, base.snapshot_log);
}

TEST(ApplyUpdates, SetSnapshotRefErrors) {
  TableMetadata base = BaseMetadata();
  std::vector<TableUpdate> updates = {Update("set-properties"), Update("set-properties"), Update("set-properties"),
                                      SetRef("main", Branch(9))};
  EXPECT_EQ(ApplyError(&base, updates).message(), "updates[3] (set-snapshot-ref): snapshot 9 does not exist");
  EXPECT_EQ(ApplyError(&base, {SetRef("main", Tag(1))}).message(),
            "updates[0] (set-snapshot-ref): 'main' must be a branch, not a tag");
  EXPECT_EQ(ApplyError(&base, {SetRef("", Tag(1))}).message(), "updates[0] (set-snapshot-ref): ref-name is empty");
}

TEST(ApplyUpdates, IntermediateSnapshotsOfOneCommitLeaveNoLogEntry) {
  // Java's transactions add several snapshots in one commit; only the last one was ever really current.
  TableMetadata base = BaseMetadata();
  TableMetadata m = Apply(&base, {AddSnapshot(MakeSnapshot(3, 2, 3, 1700000003000)), SetRef("main", Branch(3)),
                                  AddSnapshot(MakeSnapshot(4, 3, 4, 1700000004000)), SetRef("main", Branch(4))});
  EXPECT_EQ(m.current_snapshot_id, 4);
  EXPECT_EQ(m.snapshot_log,
            (std::vector<SnapshotLogEntry>{{1700000001000, 1}, {1700000002000, 2}, {1700000004000, 4}}));
}

TEST(ApplyUpdates, RemoveSnapshotsDropsTheirRefsStatisticsAndEarlierHistory) {
  TableMetadata base = BaseMetadata();
  base.refs["v1"] = Tag(1);
  base.statistics_json = R"([{"snapshot-id":1,"statistics-path":"s1"},{"snapshot-id":2,"statistics-path":"s2"}])";
  base.partition_statistics_json = R"([{"snapshot-id":1,"statistics-path":"p1","file-size-in-bytes":1}])";
  TableUpdate remove = Update("remove-snapshots");
  remove.snapshot_ids = {1, 99};  // unknown ids are ignored, as in Java
  TableMetadata m = Apply(&base, {remove});
  ASSERT_EQ(m.snapshots.size(), 1u);
  EXPECT_EQ(m.snapshots[0].snapshot_id, 2);
  EXPECT_EQ(m.refs.count("v1"), 0u);
  EXPECT_EQ(m.current_snapshot_id, 2);
  EXPECT_EQ(m.statistics_json, R"([{"snapshot-id":2,"statistics-path":"s2"}])");
  EXPECT_EQ(m.partition_statistics_json, "");
  EXPECT_EQ(m.snapshot_log, (std::vector<SnapshotLogEntry>{{1700000002000, 2}}));

  // History before a removed entry goes too: [1, 2, 1(rollback)] minus 2 leaves only the last entry.
  TableMetadata rolled = base;
  rolled.snapshot_log.push_back({1700000005000, 1});
  rolled.current_snapshot_id = 1;
  rolled.refs["main"] = Branch(1);
  remove.snapshot_ids = {2};
  m = Apply(&rolled, {remove});
  EXPECT_EQ(m.snapshot_log, (std::vector<SnapshotLogEntry>{{1700000005000, 1}}));

  // Removing main's snapshot removes main: the table has no current snapshot.
  remove.snapshot_ids = {2};
  m = Apply(&base, {remove});
  EXPECT_EQ(m.current_snapshot_id, std::nullopt);
  EXPECT_EQ(m.refs.count("main"), 0u);
  EXPECT_EQ(m.refs.count("v1"), 1u);
}

TEST(ApplyUpdates, RemoveSnapshotRefOfMainClearsTheCurrentSnapshot) {
  TableMetadata base = BaseMetadata();
  base.refs["v1"] = Tag(1);
  TableUpdate remove = Update("remove-snapshot-ref");
  remove.ref_name = "main";
  TableMetadata m = Apply(&base, {remove});
  EXPECT_EQ(m.current_snapshot_id, std::nullopt);
  EXPECT_EQ(m.refs.count("main"), 0u);
  EXPECT_EQ(m.snapshots.size(), 2u);
  remove.ref_name = "v1";
  m = Apply(&base, {remove});
  EXPECT_EQ(m.current_snapshot_id, 2);
  EXPECT_EQ(m.refs.count("v1"), 0u);
  remove.ref_name = "nope";  // nothing to remove: no error, as in Java
  EXPECT_TRUE(ApplyUpdates(&base, {remove}, kNow).ok());
}

TEST(ApplyUpdates, LocationAndProperties) {
  TableMetadata base = BaseMetadata();
  TableUpdate location = Update("set-location");
  location.location = "s3://other/t";
  TableUpdate set = Update("set-properties");
  set.updates = {{"owner", "ops"}, {"new", "1"}};
  TableUpdate remove = Update("remove-properties");
  remove.removals = {"write.format.default", "absent"};
  TableMetadata m = Apply(&base, {location, set, remove});
  EXPECT_EQ(m.location, "s3://other/t");
  EXPECT_EQ(m.properties, (std::map<std::string, std::string>{{"new", "1"}, {"owner", "ops"}}));
  location.location = "";
  EXPECT_EQ(ApplyError(&base, {location}).message(), "updates[0] (set-location): location is empty");
}

TEST(ApplyUpdates, StatisticsAreSetPerSnapshotAndRemoved) {
  TableMetadata base = BaseMetadata();
  TableMetadata m =
      Apply(&base, {Raw("set-statistics", R"({"action":"set-statistics","statistics":{"snapshot-id":2,)"
                                          R"("statistics-path":"a","file-size-in-bytes":1}})"),
                    Raw("set-statistics", R"({"action":"set-statistics","snapshot-id":1,)"
                                          R"("statistics":{"statistics-path":"b","file-size-in-bytes":2}})"),
                    Raw("set-statistics", R"({"action":"set-statistics","statistics":{"snapshot-id":2,)"
                                          R"("statistics-path":"c","file-size-in-bytes":3}})"),
                    Raw("set-partition-statistics",
                        R"({"action":"set-partition-statistics","partition-statistics":{"snapshot-id":2,)"
                        R"("statistics-path":"p","file-size-in-bytes":4}})")});
  // One file per snapshot: the later set replaced the first; the deprecated top-level snapshot-id is honoured.
  EXPECT_EQ(m.statistics_json, R"([{"snapshot-id":2,"statistics-path":"c","file-size-in-bytes":3},)"
                               R"({"statistics-path":"b","file-size-in-bytes":2,"snapshot-id":1}])");
  EXPECT_EQ(m.partition_statistics_json, R"([{"snapshot-id":2,"statistics-path":"p","file-size-in-bytes":4}])");
  TableMetadata removed =
      Apply(&m, {Raw("remove-statistics", R"({"action":"remove-statistics","snapshot-id":2})"),
                 Raw("remove-partition-statistics", R"({"action":"remove-partition-statistics","snapshot-id":2})")});
  EXPECT_EQ(removed.statistics_json, R"([{"statistics-path":"b","file-size-in-bytes":2,"snapshot-id":1}])");
  EXPECT_EQ(removed.partition_statistics_json, "");
  // The result is written and read back as metadata.
  auto reparsed = ParseTableMetadata(TableMetadataToJson(m), "m.json");
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  EXPECT_EQ(reparsed->statistics_json, m.statistics_json);
}

TEST(ApplyUpdates, RemoveSchemasAndSpecsSpareTheCurrentOnes) {
  TableMetadata base = BaseMetadata();
  Schema wider(1, {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
                   Field(3, "ts", true, Type::Primitive(TypeId::kTimestampTz))});
  TableMetadata m = Apply(&base, {AddSchema(wider), WithId("set-current-schema", -1), AddSpec(PartitionSpec{1, {}}),
                                  WithId("set-default-spec", -1)});
  TableMetadata removed =
      Apply(&m, {Raw("remove-schemas", R"({"action":"remove-schemas","schema-ids":[0]})"),
                 Raw("remove-partition-specs", R"({"action":"remove-partition-specs","spec-ids":[0]})")});
  ASSERT_EQ(removed.schemas.size(), 1u);
  EXPECT_EQ(removed.schemas[0].schema_id(), 1);
  ASSERT_EQ(removed.partition_specs.size(), 1u);
  EXPECT_EQ(removed.partition_specs[0].spec_id, 1);
  EXPECT_EQ(ApplyError(&m, {Raw("remove-schemas", R"({"action":"remove-schemas","schema-ids":[1]})")}).message(),
            "updates[0] (remove-schemas): cannot remove the current schema 1");
  EXPECT_EQ(ApplyError(&m, {Raw("remove-partition-specs", R"({"action":"remove-partition-specs","spec-ids":[1]})")})
                .message(),
            "updates[0] (remove-partition-specs): cannot remove the default partition spec 1");
}

TEST(ApplyUpdates, TheDefaultSpecMustApplyToANewCurrentSchema) {
  TableMetadata base = BaseMetadata();  // spec 0 partitions by day(ts), field 3
  Schema without_ts(1, {Field(1, "id", true, Type::Primitive(TypeId::kLong))});
  Status st = ApplyError(&base, {AddSchema(without_ts), WithId("set-current-schema", -1)});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      st.message().starts_with("updates: the default partition spec 0 does not apply to the current schema "
                               "1: "))
      << st.message();
}

TEST(ApplyUpdates, UnknownActionsAndEncryptionAreRefused) {
  TableMetadata base = BaseMetadata();
  Status st = ApplyError(&base, {Update("drop-everything")});
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "updates[0] (drop-everything): unknown action 'drop-everything'");
  st = ApplyError(&base, {Update("add-encryption-key")});
  EXPECT_EQ(st.code(), StatusCode::kUnsupported);
}

// ---- DiffMetadata and RequirementsFor ----

// DiffMetadata's updates, sent through their JSON, turn `base` into `updated`; their requirements hold on `base`.
// A create cannot replay the snapshot log of a table with history: its log starts with the current snapshot.
void ExpectDiffReproduces(const TableMetadata* base, const TableMetadata& expected) {
  TableMetadata updated = expected;
  if (base == nullptr && updated.current_snapshot_id) {
    updated.snapshot_log = {{updated.CurrentSnapshot()->timestamp_ms, *updated.current_snapshot_id}};
  }
  std::vector<TableUpdate> updates = DiffMetadata(base, updated);
  std::vector<TableRequirement> requirements = ThroughJson(RequirementsFor(base, updates));
  EXPECT_TRUE(CheckRequirements(base, requirements).ok()) << CheckRequirements(base, requirements).ToString();
  Result<TableMetadata> applied = ApplyUpdates(base, ThroughJson(updates), kNow);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ExpectSameTable(*applied, updated);
}

TEST(DiffMetadata, ACreateReproducesTheTable) {
  TableMetadata m = BaseMetadata();
  m.refs["v1"] = Tag(1);
  std::vector<TableUpdate> updates = DiffMetadata(nullptr, m);
  EXPECT_EQ(Actions(updates),
            (std::vector<std::string>{"assign-uuid", "upgrade-format-version", "add-schema", "set-current-schema",
                                      "add-spec", "set-default-spec", "add-sort-order", "set-default-sort-order",
                                      "set-location", "set-properties", "add-snapshot", "add-snapshot",
                                      "set-snapshot-ref", "set-snapshot-ref"}));
  EXPECT_EQ(RequirementsFor(nullptr, updates),
            (std::vector<TableRequirement>{Requirement(TableRequirement::Kind::kAssertCreate)}));
  ExpectDiffReproduces(nullptr, m);
}

TEST(DiffMetadata, NoChangeIsNoUpdate) {
  TableMetadata m = BaseMetadata();
  EXPECT_TRUE(DiffMetadata(&m, m).empty());
  TableRequirement uuid = Requirement(TableRequirement::Kind::kAssertTableUuid);
  uuid.uuid = std::string(kUuid);
  EXPECT_EQ(RequirementsFor(&m, {}), (std::vector<TableRequirement>{uuid}));
}

TEST(DiffMetadata, AnAppendAssertsTheBranchItMoves) {
  TableMetadata base = BaseMetadata();
  TableMetadata updated = base;
  updated.snapshots.push_back(MakeSnapshot(3, 2, 3, 1700000003000));
  updated.last_sequence_number = 3;
  updated.current_snapshot_id = 3;
  updated.refs["main"] = Branch(3);
  updated.snapshot_log.push_back({1700000003000, 3});
  std::vector<TableUpdate> updates = DiffMetadata(&base, updated);
  EXPECT_EQ(Actions(updates), (std::vector<std::string>{"add-snapshot", "set-snapshot-ref"}));
  std::vector<TableRequirement> requirements = RequirementsFor(&base, updates);
  TableRequirement uuid = Requirement(TableRequirement::Kind::kAssertTableUuid);
  uuid.uuid = std::string(kUuid);
  EXPECT_EQ(requirements, (std::vector<TableRequirement>{uuid, RefRequirement("main", 2)}));
  ExpectDiffReproduces(&base, updated);
  // After the commit, the same requirements fail: a second writer with the same base loses.
  EXPECT_EQ(CheckRequirements(&updated, requirements).message(),
            "Requirement failed: branch main has changed: expected id 2 != 3");
}

TEST(DiffMetadata, SchemaSpecAndOrderChangesAssertWhatTheyBuildOn) {
  TableMetadata base = BaseMetadata();
  TableMetadata updated = base;
  updated.schemas.push_back(Schema(1, {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
                                       Field(2, "data", false, Type::Primitive(TypeId::kString)),
                                       Field(3, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
                                       Field(4, "extra", false, Type::Primitive(TypeId::kDouble))}));
  updated.current_schema_id = 1;
  updated.last_column_id = 4;
  updated.partition_specs.push_back(
      PartitionSpec{1, {{3, 1000, "ts_day", Transform::Day()}, {1, 1001, "id_bucket", Transform::Bucket(16)}}});
  updated.default_spec_id = 1;
  updated.last_partition_id = 1001;
  updated.sort_orders.push_back(
      SortOrder{1, {{4, Transform::Identity(), SortDirection::kDesc, NullOrder::kNullsLast}}});
  updated.default_sort_order_id = 1;
  std::vector<TableUpdate> updates = DiffMetadata(&base, updated);
  EXPECT_EQ(Actions(updates),
            (std::vector<std::string>{"add-schema", "set-current-schema", "add-spec", "set-default-spec",
                                      "add-sort-order", "set-default-sort-order"}));
  EXPECT_EQ(updates[1].id, -1);  // the schema just added, whatever id the catalog gives it
  std::vector<TableRequirement> requirements = RequirementsFor(&base, updates);
  TableRequirement uuid = Requirement(TableRequirement::Kind::kAssertTableUuid);
  uuid.uuid = std::string(kUuid);
  EXPECT_EQ(requirements, (std::vector<TableRequirement>{
                              uuid,
                              Requirement(TableRequirement::Kind::kAssertLastAssignedFieldId, 3),
                              Requirement(TableRequirement::Kind::kAssertCurrentSchemaId, 0),
                              Requirement(TableRequirement::Kind::kAssertLastAssignedPartitionId, 1000),
                              Requirement(TableRequirement::Kind::kAssertDefaultSpecId, 0),
                              Requirement(TableRequirement::Kind::kAssertDefaultSortOrderId, 0),
                          }));
  ExpectDiffReproduces(&base, updated);
  EXPECT_EQ(CheckRequirements(&updated, requirements).message(),
            "Requirement failed: last assigned field id changed: expected id 3 != 4");
}

TEST(DiffMetadata, RefsPropertiesLocationAndStatistics) {
  TableMetadata base = BaseMetadata();
  base.refs["old-tag"] = Tag(1);
  base.statistics_json = R"([{"snapshot-id":1,"statistics-path":"s1","file-size-in-bytes":1}])";
  TableMetadata updated = base;
  updated.refs.erase("old-tag");
  SnapshotRef dev = Branch(1);
  dev.max_snapshot_age_ms = 1000;
  updated.refs["dev"] = dev;
  updated.refs["v2"] = Tag(2);
  updated.properties.erase("owner");
  updated.properties["write.format.default"] = "orc";
  updated.properties["new"] = "x";
  updated.location = "s3://bucket/moved";
  updated.statistics_json = R"([{"snapshot-id":2,"statistics-path":"s2","file-size-in-bytes":2}])";
  updated.partition_statistics_json = R"([{"snapshot-id":2,"statistics-path":"p2","file-size-in-bytes":3}])";
  std::vector<TableUpdate> updates = DiffMetadata(&base, updated);
  EXPECT_EQ(Actions(updates),
            (std::vector<std::string>{"set-location", "set-properties", "remove-properties", "set-snapshot-ref",
                                      "set-snapshot-ref", "remove-snapshot-ref", "set-statistics", "remove-statistics",
                                      "set-partition-statistics"}));
  std::vector<TableRequirement> requirements = RequirementsFor(&base, updates);
  TableRequirement uuid = Requirement(TableRequirement::Kind::kAssertTableUuid);
  uuid.uuid = std::string(kUuid);
  const std::vector<TableRequirement> expected = {uuid, RefRequirement("dev", std::nullopt),
                                                  RefRequirement("v2", std::nullopt), RefRequirement("old-tag", 1)};
  EXPECT_EQ(requirements, expected);
  ExpectDiffReproduces(&base, updated);
}

TEST(DiffMetadata, ExpiringSnapshotsRemovesThem) {
  TableMetadata base = BaseMetadata();
  TableMetadata updated = base;
  updated.snapshots.erase(updated.snapshots.begin());
  updated.snapshot_log.erase(updated.snapshot_log.begin());
  std::vector<TableUpdate> updates = DiffMetadata(&base, updated);
  ASSERT_EQ(Actions(updates), (std::vector<std::string>{"remove-snapshots"}));
  EXPECT_EQ(updates[0].snapshot_ids, (std::vector<int64_t>{1}));
  ExpectDiffReproduces(&base, updated);
}

TEST(DiffMetadata, ATableLosingItsCurrentSnapshot) {
  TableMetadata base = BaseMetadata();
  TableMetadata updated = base;
  updated.refs.clear();
  updated.current_snapshot_id.reset();
  ExpectDiffReproduces(&base, updated);
}

// The property on metadata that floe's own table operations produce, step by step.
using DiffOfTableOperations = TableTest;

TEST_F(DiffOfTableOperations, ReproducesEveryCommit) {
  std::vector<TableMetadata> versions = {Current()};
  auto step = [&](const char* what, Status status) {
    ASSERT_TRUE(status.ok()) << what << ": " << status.ToString();
    versions.push_back(Current());
  };
  DataFile a = File("a", 20000, 10), b = File("b", 20000, 5);
  step("append a", AppendFiles(*ops_, {a}).status());
  step("append b", AppendFiles(*ops_, {b}).status());
  step("add column",
       UpdateSchema(*ops_, SchemaUpdate().AddColumn("humidity", Type::Primitive(TypeId::kFloat))).status());
  step("widen column",
       UpdateSchema(*ops_, SchemaUpdate().UpdateColumnType("humidity", Type::Primitive(TypeId::kDouble))).status());
  step("rewrite", RewriteFiles(*ops_, {a.file_path, b.file_path}, {File("ab", 20000, 15)}).status());
  step("properties", UpdateProperties(*ops_, {{"commit.retry.num-retries", "7"}}).status());
  CommitOptions dev;
  dev.branch = "dev";
  step("append to dev", AppendFiles(*ops_, {File("c", 20001, 1)}, dev).status());
  ExpireOptions expire;
  expire.older_than_ms = NowMs() + 1;
  expire.retain_last = 1;
  expire.delete_files = false;
  step("expire", ExpireSnapshots(*ops_, expire).status());
  ASSERT_LT(versions.back().snapshots.size(), versions[versions.size() - 2].snapshots.size());

  for (size_t i = 1; i < versions.size(); ++i) {
    SCOPED_TRACE("version " + std::to_string(i));
    ExpectDiffReproduces(&versions[i - 1], versions[i]);
  }
  SCOPED_TRACE("create");
  ExpectDiffReproduces(nullptr, versions.back());
}

TEST_F(DiffOfTableOperations, AConcurrentAppendFailsTheSecondWritersRequirements) {
  const TableMetadata base = Current();
  ASSERT_TRUE(AppendFiles(*ops_, {File("a", 20000, 1)}).ok());
  const TableMetadata first = Current();
  // A second writer computed its append on the same base (no snapshot yet: main must not exist).
  TableMetadata second = base;
  second.snapshots.push_back(MakeSnapshot(77, std::nullopt, 1, NowMs()));
  second.last_sequence_number = 1;
  second.current_snapshot_id = 77;
  second.refs["main"] = Branch(77);
  std::vector<TableUpdate> updates = DiffMetadata(&base, second);
  std::vector<TableRequirement> requirements = RequirementsFor(&base, updates);
  Status st = CheckRequirements(&first, requirements);
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_EQ(st.message(), "Requirement failed: branch main was created concurrently");
}

}  // namespace
}  // namespace floe::iceberg
