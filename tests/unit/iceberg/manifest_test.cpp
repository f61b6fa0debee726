// Manifests and manifest lists (manifest.h): the spec's Avro schemas with their field ids, round trips of every
// partition value type, the summary a manifest list stores, sequence number inheritance, v1 files and files with
// their fields in another order, and every way a manifest or manifest list can be corrupt.
#include "floe/iceberg/manifest.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "floe/formats/avro/avro_container.h"
#include "floe/formats/avro/avro_schema.h"
#include "floe/formats/avro/avro_value.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/table_metadata.h"

namespace floe::iceberg {
namespace {

#define ASSERT_OK(expr)                    \
  do {                                     \
    ::floe::Status s_ = (expr);            \
    ASSERT_TRUE(s_.ok()) << s_.ToString(); \
  } while (0)

NestedField Field(int32_t id, std::string name, TypePtr type, bool required = false) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  return f;
}

TypePtr P(TypeId id) {
  return Type::Primitive(id);
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// A table with a column of every primitive type, partitioned by every transform.
Schema AllTypesSchema() {
  return Schema(7, {Field(1, "id", P(TypeId::kLong), true), Field(2, "flag", P(TypeId::kBoolean)),
                    Field(3, "n", P(TypeId::kInt)), Field(4, "big", P(TypeId::kLong)),
                    Field(5, "gain", P(TypeId::kFloat)), Field(6, "offset", P(TypeId::kDouble)),
                    Field(7, "price", Type::Decimal(9, 2)), Field(8, "huge", Type::Decimal(38, 10)),
                    Field(9, "day", P(TypeId::kDate)), Field(10, "tod", P(TypeId::kTime)),
                    Field(11, "local_ts", P(TypeId::kTimestamp)), Field(12, "ts", P(TypeId::kTimestampTz)),
                    Field(13, "site", P(TypeId::kString)), Field(14, "uid", P(TypeId::kUuid)),
                    Field(15, "code", Type::Fixed(3)), Field(16, "blob", P(TypeId::kBinary))});
}

PartitionSpec AllTransformsSpec() {
  PartitionSpec spec;
  spec.spec_id = 3;
  int32_t id = 1000;
  for (int32_t source = 2; source <= 16; ++source) {
    spec.fields.push_back({source, id++, fmt::format("c{}", source), Transform::Identity()});
  }
  spec.fields.push_back({1, id++, "id_bucket", Transform::Bucket(16)});
  spec.fields.push_back({13, id++, "site_trunc", Transform::Truncate(4)});
  spec.fields.push_back({12, id++, "ts_year", Transform::Year()});
  spec.fields.push_back({12, id++, "ts_month", Transform::Month()});
  spec.fields.push_back({12, id++, "ts_day", Transform::Day()});
  spec.fields.push_back({12, id++, "ts_hour", Transform::Hour()});
  spec.fields.push_back({3, id++, "n_void", Transform::Void()});
  return spec;
}

std::string Uuid(int seed) {
  std::string u;
  for (int i = 0; i < 16; ++i) u.push_back(static_cast<char>(seed * 16 + i));
  return u;
}

// Partition values for AllTransformsSpec: distinct per k; field `null_at` (if any) null.
PartitionValues AllTypesPartition(int k, int null_at = -1) {
  __int128 huge = static_cast<__int128>(k + 1) * static_cast<__int128>(1000000000000000000LL) * 1000000;
  PartitionValues v = {
      Literal::Boolean(k % 2 == 0),
      Literal::Int(-k * 1000),
      Literal::Long(int64_t{1} << 40 | k),
      Literal::Float(k == 1 ? -0.0f : 1.5f * static_cast<float>(k)),
      Literal::Double(-1e300 * k),
      Literal::Decimal(-12345 + k, 9, 2),
      Literal::Decimal(k % 2 ? -huge : huge, 38, 10),
      Literal::Date(19800 + k),
      Literal::Time(3600LL * 1000000 + k),
      Literal::Timestamp(1700000000000000LL + k),
      Literal::TimestampTz(1700000000000000LL - k),
      Literal::String(fmt::format("site-{}-ü", k)),
      Literal::Of(P(TypeId::kUuid), Uuid(k)),
      Literal::Of(Type::Fixed(3), std::string("ab") + static_cast<char>('0' + k)),
      Literal::Binary(Bytes({0, 255, k})),
      Literal::Int(k % 16),
      Literal::String("site"),
      Literal::Int(53 + k),
      Literal::Int(646 + k),
      Literal::Date(19675 + k),
      Literal::Int(472222 + k),
      std::nullopt,  // void
  };
  if (null_at >= 0) v[static_cast<size_t>(null_at)] = std::nullopt;
  return v;
}

DataFile MakeFile(std::string path, PartitionValues partition, int64_t records, int32_t spec_id = 3) {
  DataFile f;
  f.file_path = std::move(path);
  f.spec_id = spec_id;
  f.partition = std::move(partition);
  f.record_count = records;
  f.file_size_in_bytes = 1000 + records;
  return f;
}

DataFile FileWithMetrics(int k) {
  DataFile f = MakeFile(fmt::format("s3://lake/t/data/part-{:05d}.parquet", k), AllTypesPartition(k, k % 22), 100 + k);
  f.column_sizes = {{1, 800}, {13, 120 + k}};
  f.value_counts = {{1, 100 + k}, {13, 100 + k}};
  f.null_value_counts = {{1, 0}, {13, k}};
  f.nan_value_counts = {{6, 0}};
  f.lower_bounds = {{1, SerializeValue(Literal::Long(-5))}, {13, "a"}};
  f.upper_bounds = {{1, SerializeValue(Literal::Long(1LL << 50))}, {13, std::string("z\0\xff", 3)}};
  if (k % 2) f.key_metadata = std::string("key\0meta", 8);
  f.split_offsets = {4, 4096 + k, 1 << 20};
  f.sort_order_id = k % 3 ? std::optional<int32_t>(k % 3) : std::nullopt;
  return f;
}

ManifestWriter MustMakeWriter(const Schema& schema, const PartitionSpec& spec, int64_t snapshot_id,
                              ManifestContent content = ManifestContent::kData) {
  auto w = ManifestWriter::Make(schema, spec, snapshot_id, content);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return std::move(w).value();
}

avro::AvroSchema MustParse(std::string_view json) {
  auto s = avro::AvroSchema::Parse(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : avro::AvroSchema();
}

// An Avro file of `schema_json` whose records are given in Avro's JSON encoding (unions as {"long": 5}).
std::string AvroFile(std::string_view schema_json, const std::vector<std::string>& records,
                     avro::AvroMetadata metadata = {}) {
  auto schema = MustParse(schema_json);
  auto w = avro::AvroWriter::Make(schema, std::move(metadata));
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const std::string& r : records) {
    auto d = avro::DatumFromJson(schema.root(), r);
    EXPECT_TRUE(d.ok()) << d.status().ToString() << "\n" << r;
    if (d.ok()) {
      EXPECT_TRUE(w->Append(*d).ok());
    }
  }
  auto bytes = w->Finish();
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : "";
}

// The v2 manifest_entry schema as the spec lists it (Java's record names), with `partition_fields` in r102.
std::string V2EntrySchema(std::string_view partition_fields) {
  auto map = [](std::string_view name, int id, int k, int v, std::string_view value) {
    return fmt::format(
        R"({{"name":"{}","type":["null",{{"type":"array","logicalType":"map","items":{{"type":"record","name":"k{}_v{}",)"
        R"("fields":[{{"name":"key","type":"int","field-id":{}}},{{"name":"value","type":"{}","field-id":{}}}]}}}}],)"
        R"("default":null,"field-id":{}}})",
        name, k, v, k, value, v, id);
  };
  return std::string(R"({"type":"record","name":"manifest_entry","fields":[)"
                     R"({"name":"status","type":"int","field-id":0},)"
                     R"({"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},)"
                     R"({"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},)"
                     R"({"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},)"
                     R"({"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[)"
                     R"({"name":"content","type":"int","field-id":134},)"
                     R"({"name":"file_path","type":"string","field-id":100},)"
                     R"({"name":"file_format","type":"string","field-id":101},)"
                     R"({"name":"partition","field-id":102,"type":{"type":"record","name":"r102","fields":[)") +
         std::string(partition_fields) +
         R"(]}},{"name":"record_count","type":"long","field-id":103},)"
         R"({"name":"file_size_in_bytes","type":"long","field-id":104},)" +
         map("column_sizes", 108, 117, 118, "long") + "," + map("value_counts", 109, 119, 120, "long") + "," +
         map("null_value_counts", 110, 121, 122, "long") + "," + map("nan_value_counts", 137, 138, 139, "long") + "," +
         map("lower_bounds", 125, 126, 127, "bytes") + "," + map("upper_bounds", 128, 129, 130, "bytes") + "," +
         R"({"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":131},)"
         R"({"name":"split_offsets","type":["null",{"type":"array","items":"long","element-id":133}],"default":null,)"
         R"("field-id":132},)"
         R"({"name":"equality_ids","type":["null",{"type":"array","items":"int","element-id":136}],"default":null,)"
         R"("field-id":135},)"
         R"({"name":"sort_order_id","type":["null","int"],"default":null,"field-id":140},)"
         R"({"name":"referenced_data_file","type":["null","string"],"default":null,"field-id":143})"
         R"(]}}]})";
}

// A small table for hand-written manifests: day(ts) as "ts_day" (1000), bucket[16](id) as "id_bucket" (1001).
Schema SmallSchema() {
  return Schema(1, {Field(1, "id", P(TypeId::kLong), true), Field(2, "ts", P(TypeId::kTimestampTz), true)});
}
PartitionSpec SmallSpec() {
  return PartitionSpec{0, {{2, 1000, "ts_day", Transform::Day()}, {1, 1001, "id_bucket", Transform::Bucket(16)}}};
}
constexpr std::string_view kSmallPartitionFields =
    R"({"name":"ts_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000},)"
    R"({"name":"id_bucket","type":["null","int"],"default":null,"field-id":1001})";

// A v2 entry in Avro's JSON encoding.
std::string EntryJson(int status, std::string_view snapshot, std::string_view seq, std::string_view file_seq,
                      std::string_view path, int64_t records, int content = 0, std::string_view extra = "") {
  return fmt::format(R"({{"status":{},"snapshot_id":{},"sequence_number":{},"file_sequence_number":{},"data_file":{{)"
                     R"("content":{},"file_path":"{}","file_format":"PARQUET","partition":{{"ts_day":{{"int":19800}},)"
                     R"("id_bucket":null}},"record_count":{},"file_size_in_bytes":4096{}}}}})",
                     status, snapshot, seq, file_seq, content, path, records, extra);
}

ManifestFile ListEntry(std::string path, int64_t length, int64_t sequence_number, int64_t added_snapshot_id,
                       int32_t spec_id = 0) {
  ManifestFile m;
  m.manifest_path = std::move(path);
  m.manifest_length = length;
  m.partition_spec_id = spec_id;
  m.sequence_number = sequence_number;
  m.min_sequence_number = sequence_number;
  m.added_snapshot_id = added_snapshot_id;
  return m;
}

std::string ReadError(std::string_view data, const ManifestFile& m, const Schema& schema, const PartitionSpec& spec) {
  auto r = ReadManifest(data, m, schema, spec);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  return r.status().message();
}

// ---- writing: schema, metadata, summary ----

TEST(ManifestWriter, WritesTheSpecsManifestEntrySchemaWithFieldIds) {
  Schema schema(
      0, {Field(1, "id", P(TypeId::kLong), true), Field(2, "ts", P(TypeId::kTimestampTz)),
          Field(3, "price", Type::Decimal(9, 2)), Field(4, "u", P(TypeId::kUuid)),
          Field(5, "price2", Type::Decimal(9, 2)), Field(6, "local", P(TypeId::kTimestamp)),
          Field(7, "tod", P(TypeId::kTime)), Field(8, "code", Type::Fixed(5)), Field(9, "blob", P(TypeId::kBinary))});
  PartitionSpec spec{0,
                     {{2, 1000, "ts_day", Transform::Day()},
                      {1, 1001, "id_bucket", Transform::Bucket(16)},
                      {3, 1002, "price", Transform::Identity()},
                      {4, 1003, "u", Transform::Identity()},
                      {5, 1004, "price2", Transform::Identity()},
                      {2, 1005, "ts", Transform::Identity()},
                      {6, 1006, "local", Transform::Identity()},
                      {7, 1007, "tod", Transform::Identity()},
                      {8, 1008, "code", Transform::Identity()},
                      {9, 1009, "blob", Transform::Identity()}}};
  ManifestWriter w = MustMakeWriter(schema, spec, 1);
  auto bytes = w.Finish(nullptr);
  ASSERT_TRUE(bytes.ok());
  auto reader = avro::AvroReader::Open(*bytes);
  ASSERT_TRUE(reader.ok());
  // Appendix A's types: date, decimal as the smallest fixed (named as Java names it; a second field of the same type
  // refers to it by name), uuid as fixed[16], timestamps with adjust-to-utc, time-micros, fixed, binary as bytes.
  std::string partition =
      R"({"name":"ts_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000},)"
      R"({"name":"id_bucket","type":["null","int"],"default":null,"field-id":1001},)"
      R"({"name":"price","type":["null",{"type":"fixed","name":"decimal_9_2","size":4,"logicalType":"decimal",)"
      R"("precision":9,"scale":2}],"default":null,"field-id":1002},)"
      R"({"name":"u","type":["null",{"type":"fixed","name":"uuid_fixed","size":16,"logicalType":"uuid"}],)"
      R"("default":null,"field-id":1003},)"
      R"({"name":"price2","type":["null","decimal_9_2"],"default":null,"field-id":1004},)"
      R"({"name":"ts","type":["null",{"type":"long","logicalType":"timestamp-micros","adjust-to-utc":true}],)"
      R"("default":null,"field-id":1005},)"
      R"({"name":"local","type":["null",{"type":"long","logicalType":"timestamp-micros","adjust-to-utc":false}],)"
      R"("default":null,"field-id":1006},)"
      R"({"name":"tod","type":["null",{"type":"long","logicalType":"time-micros"}],"default":null,"field-id":1007},)"
      R"({"name":"code","type":["null",{"type":"fixed","name":"fixed_5","size":5}],"default":null,"field-id":1008},)"
      R"({"name":"blob","type":["null","bytes"],"default":null,"field-id":1009})";
  EXPECT_EQ(reader->schema().ToJson(), MustParse(V2EntrySchema(partition)).ToJson());
}

TEST(ManifestWriter, DecimalFixedSizesAreTheFewestBytesForThePrecision) {
  // decimal(P,S) takes minBytesRequired(P): the sizes Java's TypeUtil gives.
  const std::pair<int, int> sizes[] = {{1, 1},  {2, 1},  {3, 2},  {4, 2},   {5, 3},   {7, 4},  {9, 4},
                                       {10, 5}, {18, 8}, {19, 9}, {28, 12}, {29, 13}, {38, 16}};
  for (auto [precision, size] : sizes) {
    Schema schema(0, {Field(1, "d", Type::Decimal(precision, 0))});
    PartitionSpec spec{0, {{1, 1000, "d", Transform::Identity()}}};
    ManifestWriter w = MustMakeWriter(schema, spec, 1);
    auto bytes = w.Finish(nullptr);
    ASSERT_TRUE(bytes.ok());
    auto reader = avro::AvroReader::Open(*bytes);
    ASSERT_TRUE(reader.ok());
    const avro::AvroNode* fixed = reader->schema().FindNamed(fmt::format("decimal_{}_0", precision));
    ASSERT_NE(fixed, nullptr) << precision;
    EXPECT_EQ(fixed->size, size) << "precision " << precision;
  }
}

TEST(ManifestWriter, WritesJavasMetadataKeys) {
  Schema schema = SmallSchema();
  for (auto content : {ManifestContent::kData, ManifestContent::kDeletes}) {
    ManifestWriter w = MustMakeWriter(schema, SmallSpec(), 1, content);
    auto bytes = w.Finish(nullptr);
    ASSERT_TRUE(bytes.ok());
    auto reader = avro::AvroReader::Open(*bytes);
    ASSERT_TRUE(reader.ok());
    avro::AvroMetadata want = {
        {"avro.schema", reader->schema().ToJson()},
        {"avro.codec", "deflate"},
        {"schema", SchemaToJson(schema)},
        {"schema-id", "1"},
        {"partition-spec", R"([{"name":"ts_day","transform":"day","source-id":2,"field-id":1000},)"
                           R"({"name":"id_bucket","transform":"bucket[16]","source-id":1,"field-id":1001}])"},
        {"partition-spec-id", "0"},
        {"format-version", "2"},
        {"content", content == ManifestContent::kData ? "data" : "deletes"},
    };
    EXPECT_EQ(reader->metadata(), want);
  }
}

TEST(ManifestWriter, AddedEntriesCarryTheSnapshotIdAndNullSequenceNumbers) {
  ManifestWriter w = MustMakeWriter(SmallSchema(), SmallSpec(), 77);
  ASSERT_OK(w.Add(MakeFile("s3://b/t/data/a.parquet", {Literal::Date(19800), Literal::Int(3)}, 10, 0)));
  auto bytes = w.Finish(nullptr);
  ASSERT_TRUE(bytes.ok());
  auto reader = avro::AvroReader::Open(*bytes);
  ASSERT_TRUE(reader.ok());
  std::vector<avro::AvroDatum> records;
  ASSERT_OK(reader->ReadAll(&records));
  ASSERT_EQ(records.size(), 1u);
  auto json = avro::DatumToJson(reader->schema().root(), records[0]);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"status":1,"snapshot_id":{"long":77},"sequence_number":null,"file_sequence_number":null,)"
                   R"("data_file":{"content":0,"file_path":"s3://b/t/data/a.parquet","file_format":"PARQUET",)"
                   R"("partition":{"ts_day":{"int":19800},"id_bucket":{"int":3}},"record_count":10,)"
                   R"("file_size_in_bytes":1010,"column_sizes":null,"value_counts":null,"null_value_counts":null,)"
                   R"("nan_value_counts":null,"lower_bounds":null,"upper_bounds":null,"key_metadata":null,)"
                   R"("split_offsets":null,"equality_ids":null,"sort_order_id":null,"referenced_data_file":null}})");
}

TEST(ManifestWriter, SummaryCountsRowsAndPartitionBounds) {
  Schema schema(0, {Field(1, "day", P(TypeId::kDate)), Field(2, "gain", P(TypeId::kFloat)),
                    Field(3, "site", P(TypeId::kString)), Field(4, "never", P(TypeId::kLong))});
  PartitionSpec spec{0,
                     {{1, 1000, "day", Transform::Identity()},
                      {2, 1001, "gain", Transform::Identity()},
                      {3, 1002, "site", Transform::Identity()},
                      {4, 1003, "never", Transform::Identity()}}};
  ManifestWriter w = MustMakeWriter(schema, spec, 500);
  auto part = [](std::optional<Literal> day, std::optional<Literal> gain, std::optional<Literal> site) {
    return PartitionValues{std::move(day), std::move(gain), std::move(site), std::nullopt};
  };
  float nan = std::numeric_limits<float>::quiet_NaN();
  ASSERT_OK(w.Add(MakeFile("a", part(Literal::Date(19800), Literal::Float(0.0f), Literal::String("zz")), 10, 0)));
  ASSERT_OK(w.Add(MakeFile("b", part(std::nullopt, Literal::Float(nan), Literal::String("a")), 20, 0)));
  ManifestEntry existing{ManifestEntryStatus::kExisting, 400, 3, 3,
                         MakeFile("c", part(Literal::Date(19790), Literal::Float(-0.0f), Literal::String("m")), 5, 0)};
  ASSERT_OK(w.Existing(existing));
  ManifestEntry older{ManifestEntryStatus::kExisting, 300, 2, 2,
                      MakeFile("d", part(Literal::Date(19795), std::nullopt, Literal::String("b")), 7, 0)};
  ASSERT_OK(w.Delete(older));

  ManifestFile m;
  m.manifest_path = "kept";
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(m.manifest_path, "kept");
  EXPECT_EQ(m.manifest_length, static_cast<int64_t>(bytes->size()));
  EXPECT_EQ(m.partition_spec_id, 0);
  EXPECT_EQ(m.content, ManifestContent::kData);
  EXPECT_EQ(m.sequence_number, kUnassignedSequenceNumber);
  // The smallest data sequence number of the live entries that have one (the deleted entry's 2 does not count).
  EXPECT_EQ(m.min_sequence_number, 3);
  EXPECT_EQ(m.added_snapshot_id, 500);
  EXPECT_EQ(m.added_files_count, 2);
  EXPECT_EQ(m.existing_files_count, 1);
  EXPECT_EQ(m.deleted_files_count, 1);
  EXPECT_EQ(m.added_rows_count, 30);
  EXPECT_EQ(m.existing_rows_count, 5);
  EXPECT_EQ(m.deleted_rows_count, 7);
  ASSERT_EQ(m.partitions.size(), 4u);
  // Bounds in Appendix D's binary form: dates 4 bytes little-endian, floats IEEE 754 little-endian with -0 below +0
  // and NaN never a bound, strings their bytes. Every entry counts, the deleted one too (as Java does).
  EXPECT_EQ(m.partitions[0],
            (PartitionFieldSummary{true, false, Bytes({0x4e, 0x4d, 0, 0}), Bytes({0x58, 0x4d, 0, 0})}));
  EXPECT_EQ(m.partitions[1], (PartitionFieldSummary{true, true, Bytes({0, 0, 0, 0x80}), Bytes({0, 0, 0, 0})}));
  EXPECT_EQ(m.partitions[2], (PartitionFieldSummary{false, false, std::string("a"), std::string("zz")}));
  EXPECT_EQ(m.partitions[3], (PartitionFieldSummary{true, false, std::nullopt, std::nullopt}));
}

TEST(ManifestWriter, MinSequenceNumberIsUnassignedWhenOnlyAddedEntries) {
  ManifestWriter w = MustMakeWriter(SmallSchema(), SmallSpec(), 1);
  ASSERT_OK(w.Add(MakeFile("a", {std::nullopt, std::nullopt}, 1, 0)));
  ManifestFile m;
  ASSERT_TRUE(w.Finish(&m).ok());
  EXPECT_EQ(m.sequence_number, kUnassignedSequenceNumber);
  EXPECT_EQ(m.min_sequence_number, kUnassignedSequenceNumber);
}

// ---- round trips ----

TEST(ManifestRoundTrip, EveryPartitionValueTypeAndMetric) {
  Schema schema = AllTypesSchema();
  PartitionSpec spec = AllTransformsSpec();
  ManifestWriter w = MustMakeWriter(schema, spec, 9001);
  std::vector<ManifestEntry> want;
  for (int k = 0; k < 30; ++k) {
    DataFile f = FileWithMetrics(k);
    if (k % 5 == 4) {
      ManifestEntry e{ManifestEntryStatus::kExisting, 8000 + k, k, k + 1, f};
      ASSERT_OK(w.Existing(e));
      want.push_back(e);
    } else if (k % 7 == 6) {
      ManifestEntry e{ManifestEntryStatus::kDeleted, 1234, k, std::nullopt, f};
      ASSERT_OK(w.Delete(e));
      e.snapshot_id = 9001;                   // the deleting snapshot
      e.file_sequence_number = std::nullopt;  // stays unknown: not an added entry
      want.push_back(e);
    } else {
      ASSERT_OK(w.Add(f));
      want.push_back(ManifestEntry{ManifestEntryStatus::kAdded, 9001, 40, 40, f});
    }
  }
  ManifestFile m;
  m.manifest_path = "s3://lake/t/metadata/abc-m0.avro";
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  m.sequence_number = 40;  // assigned at commit
  m.min_sequence_number = 3;
  auto got = ReadManifest(*bytes, m, schema, spec);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*got)[i], want[i]) << "entry " << i;
  }
  // The partition values came back with their types.
  EXPECT_EQ((*got)[0].data_file.partition[6]->type->ToString(), "decimal(38,10)");
  EXPECT_EQ((*got)[0].data_file.partition[19]->type_id(), TypeId::kDate);
}

TEST(ManifestRoundTrip, ExtremeValues) {
  Schema schema = AllTypesSchema();
  PartitionSpec spec = AllTransformsSpec();
  ManifestWriter w = MustMakeWriter(schema, spec, 1);
  __int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  max38 -= 1;
  PartitionValues p = AllTypesPartition(0);
  p[1] = Literal::Int(std::numeric_limits<int32_t>::min());
  p[2] = Literal::Long(std::numeric_limits<int64_t>::max());
  p[3] = Literal::Float(std::numeric_limits<float>::quiet_NaN());
  p[4] = Literal::Double(-std::numeric_limits<double>::infinity());
  p[5] = Literal::Decimal(-999999999, 9, 2);
  p[6] = Literal::Decimal(-max38, 38, 10);
  p[11] = Literal::String("");
  p[14] = Literal::Binary("");
  DataFile f = MakeFile("x", p, 0);
  ASSERT_OK(w.Add(f));
  p[5] = Literal::Decimal(999999999, 9, 2);
  p[6] = Literal::Decimal(max38, 38, 10);
  DataFile g = MakeFile("y", p, 0);
  g.record_count = g.file_size_in_bytes = std::numeric_limits<int64_t>::max();
  ASSERT_OK(w.Add(g));
  ManifestFile m;
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  m.sequence_number = 1;
  auto got = ReadManifest(*bytes, m, schema, spec);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].data_file, f);
  EXPECT_EQ((*got)[1].data_file, g);
  EXPECT_TRUE(std::isnan((*got)[0].data_file.partition[3]->as_float()));
  EXPECT_EQ(m.partitions[3].contains_nan, true);
  EXPECT_EQ(m.partitions[3].lower_bound, std::nullopt);
  EXPECT_EQ(m.partitions[6].lower_bound, SerializeValue(Literal::Decimal(-max38, 38, 10)));
  EXPECT_EQ(m.partitions[6].upper_bound, SerializeValue(Literal::Decimal(max38, 38, 10)));
}

TEST(ManifestRoundTrip, UnpartitionedAndEmpty) {
  Schema schema = SmallSchema();
  PartitionSpec spec{0, {}};
  ManifestWriter w = MustMakeWriter(schema, spec, 5);
  ManifestFile m;
  auto empty = w.Finish(&m);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(m.partitions.empty());
  auto got = ReadManifest(*empty, m, schema, spec);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());

  ManifestWriter w2 = MustMakeWriter(schema, spec, 5);
  ASSERT_OK(w2.Add(MakeFile("a", {}, 3, 0)));
  auto bytes = w2.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  got = ReadManifest(*bytes, m, schema, spec);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_TRUE((*got)[0].data_file.partition.empty());
}

TEST(ManifestRoundTrip, DeleteManifestsWithEqualityIds) {
  Schema schema = SmallSchema();
  ManifestWriter w = MustMakeWriter(schema, SmallSpec(), 5, ManifestContent::kDeletes);
  DataFile eq = MakeFile("eq.parquet", {Literal::Date(1), Literal::Int(2)}, 4, 0);
  eq.content = FileContent::kEqualityDeletes;
  eq.equality_ids = {1, 2};
  DataFile pos = MakeFile("pos.parquet", {std::nullopt, Literal::Int(0)}, 9, 0);
  pos.content = FileContent::kPositionDeletes;
  ASSERT_OK(w.Add(eq));
  ASSERT_OK(w.Add(pos));
  ManifestFile m;
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(m.content, ManifestContent::kDeletes);
  m.sequence_number = 2;
  auto got = ReadManifest(*bytes, m, schema, SmallSpec());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].data_file, eq);
  EXPECT_EQ((*got)[1].data_file, pos);
}

TEST(ManifestRoundTrip, PartitionFieldNamesThatAreNotAvroNames) {
  Schema schema(0, {Field(1, "ts", P(TypeId::kDate)), Field(2, "n", P(TypeId::kInt))});
  PartitionSpec spec{0, {{1, 1000, "ts-day", Transform::Identity()}, {2, 1001, "1st", Transform::Identity()}}};
  ManifestWriter w = MustMakeWriter(schema, spec, 5);
  DataFile f = MakeFile("a", {Literal::Date(7), Literal::Int(8)}, 1, 0);
  ASSERT_OK(w.Add(f));
  ManifestFile m;
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  auto reader = avro::AvroReader::Open(*bytes);
  ASSERT_TRUE(reader.ok());
  const avro::AvroNode* r102 = reader->schema().FindNamed("r102");
  ASSERT_NE(r102, nullptr);
  // As Java makes them valid: "_x" and the hex code point for a character, "_" before a leading digit; the name
  // kept in "iceberg-field-name".
  ASSERT_EQ(r102->fields.size(), 2u);
  EXPECT_EQ(r102->fields[0].name, "ts_x2Dday");
  EXPECT_EQ(r102->fields[0].attributes.GetString("iceberg-field-name"), "ts-day");
  EXPECT_EQ(r102->fields[0].attributes.GetInt("field-id"), 1000);
  EXPECT_EQ(r102->fields[1].name, "_1st");
  auto got = ReadManifest(*bytes, m, schema, spec);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)[0].data_file, f);
}

// ---- inheritance ----

TEST(SequenceNumberInheritance, FollowsTheSpec) {
  Schema schema = SmallSchema();
  std::string data = AvroFile(
      V2EntrySchema(kSmallPartitionFields),
      {
          // Added, everything null: snapshot id and both sequence numbers from the manifest list.
          EntryJson(1, "null", "null", "null", "a", 1),
          // Added with an explicit data sequence number (older data): kept; the file sequence number inherited.
          EntryJson(1, R"({"long":11})", R"({"long":2})", "null", "b", 1),
          // Existing: explicit values kept.
          EntryJson(0, R"({"long":12})", R"({"long":3})", R"({"long":4})", "c", 1),
          // Deleted with a null file sequence number (written before the spec had it): stays unknown.
          EntryJson(2, "null", R"({"long":5})", "null", "d", 1),
      });
  ManifestFile m = ListEntry("m.avro", 0, 9, 77);
  auto got = ReadManifest(data, m, schema, SmallSpec());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 4u);
  auto ids = [](const ManifestEntry& e) {
    return std::make_tuple(e.snapshot_id, e.sequence_number, e.file_sequence_number);
  };
  using T = std::tuple<std::optional<int64_t>, std::optional<int64_t>, std::optional<int64_t>>;
  EXPECT_EQ(ids((*got)[0]), (T{77, 9, 9}));
  EXPECT_EQ(ids((*got)[1]), (T{11, 2, 9}));
  EXPECT_EQ(ids((*got)[2]), (T{12, 3, 4}));
  EXPECT_EQ(ids((*got)[3]), (T{77, 5, std::nullopt}));
  EXPECT_EQ((*got)[0].data_file.partition, (PartitionValues{Literal::Date(19800), std::nullopt}));
  EXPECT_EQ((*got)[0].data_file.spec_id, 0);
}

TEST(SequenceNumberInheritance, ExistingEntryWithoutSequenceNumberIsCorrupt) {
  std::string data = AvroFile(V2EntrySchema(kSmallPartitionFields), {EntryJson(1, "null", "null", "null", "a", 1),
                                                                     EntryJson(0, "null", "null", "null", "b", 1)});
  EXPECT_EQ(ReadError(data, ListEntry("s3://b/m.avro", 0, 4, 1), SmallSchema(), SmallSpec()),
            "manifest s3://b/m.avro: entry 1: status existing with a null sequence_number (only added entries "
            "inherit it)");
}

TEST(SequenceNumberInheritance, WriterListAndReaderTogether) {
  Schema schema = SmallSchema();
  ManifestWriter w = MustMakeWriter(schema, SmallSpec(), 42);
  ASSERT_OK(w.Add(MakeFile("new", {Literal::Date(5), Literal::Int(1)}, 3, 0)));
  ASSERT_OK(w.Existing(
      {ManifestEntryStatus::kExisting, 40, 6, 6, MakeFile("old", {Literal::Date(4), Literal::Int(2)}, 4, 0)}));
  ManifestFile m;
  m.manifest_path = "s3://b/t/metadata/x-m0.avro";
  auto manifest = w.Finish(&m);
  ASSERT_TRUE(manifest.ok());
  auto list = WriteManifestList({m}, 42, 40, 7);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  auto files = ReadManifestList(*list, "snap.avro");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].sequence_number, 7);
  EXPECT_EQ((*files)[0].min_sequence_number, 6);  // the existing entry's, below the commit's
  auto entries = ReadManifest(*manifest, (*files)[0], schema, SmallSpec());
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].snapshot_id, 42);
  EXPECT_EQ((*entries)[0].sequence_number, 7);
  EXPECT_EQ((*entries)[0].file_sequence_number, 7);
  EXPECT_EQ((*entries)[1].snapshot_id, 40);
  EXPECT_EQ((*entries)[1].sequence_number, 6);
}

// ---- other writers' files ----

TEST(ManifestReader, ReadsV1Manifests) {
  // Spec v1: snapshot_id required, no sequence numbers and no content; block_size_in_bytes still written; here also
  // in another field order and without most optional fields.
  std::string schema_json =
      R"({"type":"record","name":"manifest_entry","fields":[)"
      R"({"name":"status","type":"int","field-id":0},)"
      R"({"name":"snapshot_id","type":"long","field-id":1},)"
      R"({"name":"data_file","field-id":2,"type":{"type":"record","name":"r2","fields":[)"
      R"({"name":"file_path","type":"string","field-id":100},)"
      R"({"name":"file_format","type":"string","field-id":101},)"
      R"({"name":"partition","field-id":102,"type":{"type":"record","name":"r102","fields":[)"
      R"({"name":"id_bucket","type":["null","int"],"default":null,"field-id":1001},)"
      R"({"name":"ts_day","type":["null",{"type":"int","logicalType":"date"}],"default":null,"field-id":1000}]}},)"
      R"({"name":"record_count","type":"long","field-id":103},)"
      R"({"name":"block_size_in_bytes","type":"long","field-id":105},)"
      R"({"name":"file_size_in_bytes","type":"long","field-id":104},)"
      R"({"name":"value_counts","type":["null",{"type":"array","logicalType":"map","items":{"type":"record",)"
      R"("name":"k119_v120","fields":[{"name":"key","type":"int","field-id":119},)"
      R"({"name":"value","type":"long","field-id":120}]}}],"default":null,"field-id":109}]}}]})";
  std::string data =
      AvroFile(schema_json,
               {R"({"status":1,"snapshot_id":5,"data_file":{"file_path":"a","file_format":"AVRO","partition":)"
                R"({"id_bucket":{"int":7},"ts_day":null},"record_count":3,"block_size_in_bytes":67108864,)"
                R"("file_size_in_bytes":99,"value_counts":{"array":[{"key":1,"value":3}]}}})",
                R"({"status":0,"snapshot_id":4,"data_file":{"file_path":"b","file_format":"AVRO","partition":)"
                R"({"id_bucket":null,"ts_day":{"int":-1}},"record_count":0,"block_size_in_bytes":67108864,)"
                R"("file_size_in_bytes":1,"value_counts":null}})"},
               {{"format-version", "1"}});
  // A v1 manifest list has no sequence numbers: 0.
  auto got = ReadManifest(data, ListEntry("v1.avro", 0, 0, 5), SmallSchema(), SmallSpec());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  DataFile a = MakeFile("a", {std::nullopt, Literal::Int(7)}, 3, 0);
  a.file_format = "AVRO";
  a.file_size_in_bytes = 99;
  a.value_counts = {{1, 3}};
  EXPECT_EQ((*got)[0], (ManifestEntry{ManifestEntryStatus::kAdded, 5, 0, 0, a}));
  DataFile b = MakeFile("b", {Literal::Date(-1), std::nullopt}, 0, 0);
  b.file_format = "AVRO";
  b.file_size_in_bytes = 1;
  EXPECT_EQ((*got)[1], (ManifestEntry{ManifestEntryStatus::kExisting, 4, 0, 0, b}));
}

TEST(ManifestReader, FindsFieldsByIdNotByPositionOrName) {
  // Fields reordered and some renamed: the field ids decide.
  std::string schema_json = R"({"type":"record","name":"entry","fields":[)"
                            R"({"name":"the_file","field-id":2,"type":{"type":"record","name":"f","fields":[)"
                            R"({"name":"size","type":"int","field-id":104},)"
                            R"({"name":"rows","type":"long","field-id":103},)"
                            R"({"name":"partition","field-id":102,"type":{"type":"record","name":"p","fields":[)"
                            R"({"name":"whatever","type":["null","int"],"default":null,"field-id":1001}]}},)"
                            R"({"name":"file_format","type":"string","field-id":101},)"
                            R"({"name":"record_count","type":"string","field-id":999},)"
                            R"({"name":"file_path","type":"string","field-id":100}]}},)"
                            R"({"name":"seq","type":["long","null"],"field-id":3},)"
                            R"({"name":"status","type":"int","field-id":0}]})";
  std::string data = AvroFile(schema_json, {R"({"the_file":{"size":12,"rows":4,"partition":{"whatever":{"int":9}},)"
                                            R"("file_format":"ORC","record_count":"not me","file_path":"p"},)"
                                            R"("seq":{"long":6},"status":1})"});
  auto got = ReadManifest(data, ListEntry("m", 0, 8, 3), SmallSchema(), SmallSpec());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  const ManifestEntry& e = (*got)[0];
  EXPECT_EQ(e.sequence_number, 6);
  EXPECT_EQ(e.file_sequence_number, 8);
  EXPECT_EQ(e.snapshot_id, 3);
  EXPECT_EQ(e.data_file.file_path, "p");
  EXPECT_EQ(e.data_file.file_format, "ORC");
  EXPECT_EQ(e.data_file.record_count, 4);
  EXPECT_EQ(e.data_file.file_size_in_bytes, 12);
  // ts_day (1000) is not in this file: null.
  EXPECT_EQ(e.data_file.partition, (PartitionValues{std::nullopt, Literal::Int(9)}));
}

TEST(ManifestReader, AcceptsAvroPromotionsAndOtherDecimalForms) {
  // A decimal as bytes of any length (as fastavro writes it), a long partition value stored as int, a uuid as a
  // string.
  Schema schema(
      0, {Field(1, "price", Type::Decimal(9, 2)), Field(2, "n", P(TypeId::kLong)), Field(3, "u", P(TypeId::kUuid))});
  PartitionSpec spec{0,
                     {{1, 1000, "price", Transform::Identity()},
                      {2, 1001, "n", Transform::Identity()},
                      {3, 1002, "u", Transform::Identity()}}};
  std::string fields =
      R"({"name":"price","type":["null",{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}],)"
      R"("default":null,"field-id":1000},{"name":"n","type":["null","int"],"default":null,"field-id":1001},)"
      R"({"name":"u","type":["null",{"type":"string","logicalType":"uuid"}],"default":null,"field-id":1002})";
  std::string data =
      AvroFile(V2EntrySchema(fields),
               {R"({"status":1,"snapshot_id":null,"sequence_number":null,"file_sequence_number":null,"data_file":{)"
                R"("content":0,"file_path":"a","file_format":"PARQUET","partition":{"price":{"bytes":"\u00ff\u0085"},)"
                R"("n":{"int":-3},"u":{"string":"00010203-0405-0607-0809-0a0b0c0d0e0f"}},"record_count":1,)"
                R"("file_size_in_bytes":2,"column_sizes":null,"value_counts":null,"null_value_counts":null,)"
                R"("nan_value_counts":null,"lower_bounds":null,"upper_bounds":null,"key_metadata":null,)"
                R"("split_offsets":null,"equality_ids":null,"sort_order_id":null,"referenced_data_file":null}})"});
  auto got = ReadManifest(data, ListEntry("m", 0, 1, 1), schema, spec);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)[0].data_file.partition,
            (PartitionValues{Literal::Decimal(-123, 9, 2), Literal::Long(-3), Literal::Of(P(TypeId::kUuid), Uuid(0))}));
}

TEST(ManifestReader, ReadsEqualityIdsWrittenAsLongs) {
  // pyiceberg writes equality_ids as list<long>.
  std::string schema = V2EntrySchema(kSmallPartitionFields);
  std::string from = R"("items":"int","element-id":136)";
  schema.replace(schema.find(from), from.size(), R"("items":"long","element-id":136)");
  std::string data =
      AvroFile(schema, {EntryJson(1, "null", "null", "null", "eq", 1, 2, R"(,"equality_ids":{"array":[1,2]})"),
                        EntryJson(1, "null", "null", "null", "eq", 1, 2, R"(,"equality_ids":{"array":[4294967296]})")});
  ManifestFile m = ListEntry("m.avro", 0, 1, 1);
  m.content = ManifestContent::kDeletes;
  EXPECT_EQ(ReadError(data, m, SmallSchema(), SmallSpec()),
            "manifest m.avro: entry 1: data_file.equality_ids[0] 4294967296 is not a field id");
  data = AvroFile(schema, {EntryJson(1, "null", "null", "null", "eq", 1, 2, R"(,"equality_ids":{"array":[1,2]})")});
  auto got = ReadManifest(data, m, SmallSchema(), SmallSpec());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)[0].data_file.equality_ids, (std::vector<int32_t>{1, 2}));
}

// ---- corruption ----

TEST(ManifestCorruption, LengthThatDiffersFromTheManifestList) {
  ManifestWriter w = MustMakeWriter(SmallSchema(), SmallSpec(), 1);
  ManifestFile m;
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  m.manifest_path = "s3://b/t/metadata/x-m0.avro";
  m.manifest_length = static_cast<int64_t>(bytes->size()) + 88;
  EXPECT_EQ(ReadError(*bytes, m, SmallSchema(), SmallSpec()),
            fmt::format("manifest s3://b/t/metadata/x-m0.avro: length {} but the manifest list says {}", bytes->size(),
                        bytes->size() + 88));
}

TEST(ManifestCorruption, NegativeRecordCountNamesTheEntry) {
  std::vector<std::string> entries;
  for (int i = 0; i < 5; ++i) entries.push_back(EntryJson(1, "null", "null", "null", "f", i == 3 ? -1 : 1));
  std::string data = AvroFile(V2EntrySchema(kSmallPartitionFields), entries);
  EXPECT_EQ(ReadError(data, ListEntry("s3://b/t/metadata/x-m0.avro", 0, 1, 1), SmallSchema(), SmallSpec()),
            "manifest s3://b/t/metadata/x-m0.avro: entry 3: data_file.record_count is negative");
}

TEST(ManifestCorruption, BadValuesInEntries) {
  auto error = [](std::string entry, ManifestContent content = ManifestContent::kData) {
    std::string data = AvroFile(V2EntrySchema(kSmallPartitionFields),
                                {EntryJson(1, "null", "null", "null", "f", 1), std::move(entry)});
    ManifestFile m = ListEntry("m.avro", 0, 1, 1);
    m.content = content;
    return ReadError(data, m, SmallSchema(), SmallSpec());
  };
  EXPECT_EQ(error(EntryJson(5, "null", "null", "null", "f", 1)),
            "manifest m.avro: entry 1: status 5 is not 0 (existing), 1 (added) or 2 (deleted)");
  EXPECT_EQ(error(EntryJson(1, "null", "null", "null", "f", 1, 7)),
            "manifest m.avro: entry 1: data_file.content 7 is not 0 (data), 1 (position deletes) or 2 (equality "
            "deletes)");
  EXPECT_EQ(error(EntryJson(1, "null", "null", "null", "f", 1, 1)),
            "manifest m.avro: entry 1: data_file.content is position deletes in a data manifest");
  // (The first entry, a data file, is the misfit in a deletes manifest.)
  EXPECT_EQ(error(EntryJson(1, "null", "null", "null", "f", 1, 2), ManifestContent::kDeletes),
            "manifest m.avro: entry 0: data_file.content is data in a deletes manifest");
  EXPECT_EQ(error(EntryJson(1, "null", "null", "null", "f", 1, 0,
                            R"(,"lower_bounds":{"array":[{"key":1,"value":"a"},{"key":1,"value":"b"}]})")),
            "manifest m.avro: entry 1: data_file.lower_bounds has key 1 twice");
  EXPECT_EQ(error(EntryJson(1, "null", "null", "null", "f", 1, 0,
                            R"(,"null_value_counts":{"array":[{"key":4,"value":-2}]})")),
            "manifest m.avro: entry 1: data_file.null_value_counts of column 4 is negative");
  EXPECT_EQ(error(R"({"status":1,"snapshot_id":null,"sequence_number":null,"file_sequence_number":null,"data_file":{)"
                  R"("content":0,"file_path":"f","file_format":"PARQUET","partition":{"ts_day":null,"id_bucket":null},)"
                  R"("record_count":1,"file_size_in_bytes":-4096}})"),
            "manifest m.avro: entry 1: data_file.file_size_in_bytes is negative");
}

TEST(ManifestCorruption, RequiredFieldThatIsNull) {
  // Another writer made file_path optional; a null one is corrupt.
  std::string schema = V2EntrySchema(kSmallPartitionFields);
  std::string from = R"({"name":"file_path","type":"string","field-id":100})";
  schema.replace(schema.find(from), from.size(),
                 R"({"name":"file_path","type":["null","string"],"default":null,"field-id":100})");
  std::string entry = EntryJson(1, "null", "null", "null", "f", 1);
  entry.replace(entry.find(R"("file_path":"f")"), 15, R"("file_path":null)");
  std::string data = AvroFile(schema, {entry});
  EXPECT_EQ(ReadError(data, ListEntry("m.avro", 0, 1, 1), SmallSchema(), SmallSpec()),
            "manifest m.avro: entry 0: data_file.file_path is null");
}

TEST(ManifestCorruption, SchemaThatIsNotAManifest) {
  ManifestFile m = ListEntry("s3://b/t/metadata/x-m0.avro", 0, 1, 1);
  std::string data = AvroFile(R"({"type":"record","name":"x","fields":[{"name":"a","type":"int"}]})", {R"({"a":1})"});
  EXPECT_EQ(ReadError(data, m, SmallSchema(), SmallSpec()),
            "manifest s3://b/t/metadata/x-m0.avro: not a manifest: missing field data_file");
  data = AvroFile(R"("long")", {"5"});
  EXPECT_EQ(ReadError(data, m, SmallSchema(), SmallSpec()),
            "manifest s3://b/t/metadata/x-m0.avro: not a manifest: the Avro schema is not a record");

  // A field of the wrong type, a required field missing.
  std::string schema = V2EntrySchema(kSmallPartitionFields);
  std::string from = R"({"name":"record_count","type":"long","field-id":103})";
  std::string wrong = schema;
  wrong.replace(wrong.find(from), from.size(), R"({"name":"record_count","type":"string","field-id":103})");
  EXPECT_EQ(ReadError(AvroFile(wrong, {}), m, SmallSchema(), SmallSpec()),
            "manifest s3://b/t/metadata/x-m0.avro: field data_file.record_count has Avro type string, expected long");
  std::string missing = schema;
  missing.replace(missing.find(from), from.size() + 1, "");
  EXPECT_EQ(ReadError(AvroFile(missing, {}), m, SmallSchema(), SmallSpec()),
            "manifest s3://b/t/metadata/x-m0.avro: missing field data_file.record_count");
  // A partition field whose Avro type cannot hold the spec's partition type.
  std::string fields = R"({"name":"ts_day","type":["null","string"],"default":null,"field-id":1000})";
  EXPECT_EQ(ReadError(AvroFile(V2EntrySchema(fields), {}), m, SmallSchema(), SmallSpec()),
            "manifest s3://b/t/metadata/x-m0.avro: field data_file.partition.ts_day has Avro type string, expected "
            "int");
}

TEST(ManifestCorruption, MetadataThatDisagreesWithTheManifestList) {
  ManifestWriter w = MustMakeWriter(SmallSchema(), SmallSpec(), 1);
  ManifestFile m;
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  m.manifest_path = "m.avro";
  ManifestFile deletes = m;
  deletes.content = ManifestContent::kDeletes;
  EXPECT_EQ(ReadError(*bytes, deletes, SmallSchema(), SmallSpec()),
            "manifest m.avro: content \"data\" but the manifest list says deletes");
  ManifestFile other_spec = m;
  other_spec.partition_spec_id = 4;
  PartitionSpec spec4 = SmallSpec();
  spec4.spec_id = 4;
  EXPECT_EQ(ReadError(*bytes, other_spec, SmallSchema(), spec4),
            "manifest m.avro: written with partition spec 0 (partition-spec-id) but the manifest list says 4");
  // The caller passing a spec other than the manifest's is the caller's mistake.
  auto r = ReadManifest(*bytes, m, SmallSchema(), spec4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "manifest m.avro: read with partition spec 4, but the manifest list says 0");
}

TEST(ManifestCorruption, DamagedAvroNamesTheFile) {
  ManifestWriter w = MustMakeWriter(AllTypesSchema(), AllTransformsSpec(), 1);
  for (int k = 0; k < 50; ++k) ASSERT_OK(w.Add(FileWithMetrics(k)));
  ManifestFile m;
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  m.manifest_path = "s3://b/t/metadata/x-m0.avro";
  m.manifest_length = 0;  // no length check: the Avro reader must notice
  // The last sync marker damaged.
  std::string bad = *bytes;
  bad[bad.size() - 3] ^= 0x20;
  std::string e = ReadError(bad, m, AllTypesSchema(), AllTransformsSpec());
  EXPECT_TRUE(e.starts_with("manifest s3://b/t/metadata/x-m0.avro: ")) << e;
  EXPECT_NE(e.find("sync marker mismatch"), std::string::npos) << e;
  // Truncated in the middle of the block.
  e = ReadError(std::string_view(*bytes).substr(0, bytes->size() - 100), m, AllTypesSchema(), AllTransformsSpec());
  EXPECT_TRUE(e.starts_with("manifest s3://b/t/metadata/x-m0.avro: block 0 at byte ")) << e;
  // Not Avro.
  e = ReadError("PAR1" + bytes->substr(4), m, AllTypesSchema(), AllTransformsSpec());
  EXPECT_TRUE(e.starts_with("manifest s3://b/t/metadata/x-m0.avro: ")) << e;
  // Random damage never crashes: every outcome is a result or a Corruption naming the file.
  uint32_t seed = 1;
  for (int round = 0; round < 300; ++round) {
    std::string d = *bytes;
    for (int i = 0; i < 3; ++i) {
      seed = seed * 1103515245 + 12345;
      d[(seed >> 8) % d.size()] ^= static_cast<char>(1 + (seed >> 3) % 255);
    }
    auto r = ReadManifest(d, m, AllTypesSchema(), AllTransformsSpec());
    if (!r.ok()) {
      EXPECT_TRUE(r.status().code() == StatusCode::kCorruption || r.status().code() == StatusCode::kUnsupported)
          << r.status().ToString();
      EXPECT_TRUE(r.status().message().starts_with("manifest s3://b/t/metadata/x-m0.avro: ")) << r.status().ToString();
    }
  }
}

// ---- writer errors ----

TEST(ManifestWriter, RefusesEntriesThatDoNotFit) {
  ManifestWriter w = MustMakeWriter(SmallSchema(), SmallSpec(), 1);
  auto error = [](Status s) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    return s.message();
  };
  EXPECT_EQ(error(w.Add(MakeFile("s3://x", {Literal::Date(1)}, 1, 0))),
            "manifest writer: added entry for data file s3://x: partition has 1 values, the spec 2 fields");
  EXPECT_EQ(error(w.Add(MakeFile("s3://x", {Literal::Date(1), Literal::Long(3)}, 1, 0))),
            "manifest writer: added entry for data file s3://x: partition field 'id_bucket': value of type long where "
            "the partition type is int");
  EXPECT_EQ(error(w.Add(MakeFile("s3://x", {Literal::Int(1), std::nullopt}, 1, 0))),
            "manifest writer: added entry for data file s3://x: partition field 'ts_day': value of type int where "
            "the partition type is date");
  EXPECT_EQ(error(w.Add(MakeFile("s3://x", {std::nullopt, std::nullopt}, -1, 0))),
            "manifest writer: added entry for data file s3://x: record_count is negative");
  EXPECT_EQ(error(w.Add(MakeFile("s3://x", {std::nullopt, std::nullopt}, 1, 2))),
            "manifest writer: added entry for data file s3://x: written with partition spec 2, the manifest's is 0");
  DataFile deletes = MakeFile("s3://x", {std::nullopt, std::nullopt}, 1, 0);
  deletes.content = FileContent::kPositionDeletes;
  EXPECT_EQ(error(w.Add(deletes)),
            "manifest writer: added entry for data file s3://x: a position deletes file does not belong in a data "
            "manifest");
  DataFile ok = MakeFile("s3://x", {std::nullopt, std::nullopt}, 1, 0);
  EXPECT_EQ(error(w.Existing({ManifestEntryStatus::kExisting, 1, std::nullopt, 1, ok})),
            "manifest writer: existing entry for data file s3://x: its sequence_number must be set (as read from its "
            "manifest)");
  EXPECT_EQ(error(w.Existing({ManifestEntryStatus::kExisting, std::nullopt, 1, 1, ok})),
            "manifest writer: existing entry for data file s3://x: its snapshot_id must be set (as read from its "
            "manifest)");
  EXPECT_EQ(error(w.Delete({ManifestEntryStatus::kExisting, 1, std::nullopt, 1, ok})),
            "manifest writer: deleted entry for data file s3://x: its sequence_number must be set (as read from its "
            "manifest)");
  // Nothing of the refused entries was written.
  ManifestFile m;
  auto bytes = w.Finish(&m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(m.added_files_count + m.existing_files_count + m.deleted_files_count, 0);
  auto got = ReadManifest(*bytes, m, SmallSchema(), SmallSpec());
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_EQ(error(w.Add(ok)), "manifest writer: added entry for data file s3://x: the manifest is already finished");
}

TEST(ManifestWriter, RefusesValuesTheirAvroTypeCannotHold) {
  Schema schema(
      0, {Field(1, "price", Type::Decimal(9, 2)), Field(2, "code", Type::Fixed(3)), Field(3, "s", P(TypeId::kString))});
  PartitionSpec spec{0,
                     {{1, 1000, "price", Transform::Identity()},
                      {2, 1001, "code", Transform::Identity()},
                      {3, 1002, "s", Transform::Identity()}}};
  ManifestWriter w = MustMakeWriter(schema, spec, 1);
  Status s = w.Add(MakeFile("f", {Literal::Decimal(int64_t{1} << 40, 9, 2), std::nullopt, std::nullopt}, 1, 0));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("partition field 'price': "), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("does not fit decimal(9,2)"), std::string::npos) << s.message();
  s = w.Add(MakeFile("f", {std::nullopt, Literal::Of(Type::Fixed(3), std::string("ab")), std::nullopt}, 1, 0));
  EXPECT_EQ(s.message(),
            "manifest writer: added entry for data file f: partition field 'code': 2 bytes for a fixed[3]");
  s = w.Add(MakeFile("f", {std::nullopt, std::nullopt, Literal::String("\xff")}, 1, 0));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(ManifestWriter, MakeRefusesASpecThatDoesNotFitTheSchema) {
  PartitionSpec spec{2, {{9, 1000, "gone", Transform::Identity()}}};
  auto w = ManifestWriter::Make(SmallSchema(), spec, 1);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(w.status().message().starts_with("manifest writer: partition spec 2 does not fit schema 1: "))
      << w.status().message();
}

// ---- manifest lists ----

TEST(ManifestList, WritesTheSpecsSchemaAndMetadata) {
  auto bytes = WriteManifestList({}, 12, 11, 3);
  ASSERT_TRUE(bytes.ok());
  auto reader = avro::AvroReader::Open(*bytes);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->schema().ToJson(),
            MustParse(R"({"type":"record","name":"manifest_file","fields":[)"
                      R"({"name":"manifest_path","type":"string","field-id":500},)"
                      R"({"name":"manifest_length","type":"long","field-id":501},)"
                      R"({"name":"partition_spec_id","type":"int","field-id":502},)"
                      R"({"name":"content","type":"int","field-id":517},)"
                      R"({"name":"sequence_number","type":"long","field-id":515},)"
                      R"({"name":"min_sequence_number","type":"long","field-id":516},)"
                      R"({"name":"added_snapshot_id","type":"long","field-id":503},)"
                      R"({"name":"added_files_count","type":"int","field-id":504},)"
                      R"({"name":"existing_files_count","type":"int","field-id":505},)"
                      R"({"name":"deleted_files_count","type":"int","field-id":506},)"
                      R"({"name":"added_rows_count","type":"long","field-id":512},)"
                      R"({"name":"existing_rows_count","type":"long","field-id":513},)"
                      R"({"name":"deleted_rows_count","type":"long","field-id":514},)"
                      R"({"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508",)"
                      R"("fields":[{"name":"contains_null","type":"boolean","field-id":509},)"
                      R"({"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},)"
                      R"({"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},)"
                      R"({"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]},)"
                      R"("element-id":508}],"default":null,"field-id":507},)"
                      R"({"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":519}]})")
                .ToJson());
  avro::AvroMetadata meta(reader->metadata().begin() + 2, reader->metadata().end());
  EXPECT_EQ(
      meta,
      (avro::AvroMetadata{
          {"snapshot-id", "12"}, {"parent-snapshot-id", "11"}, {"sequence-number", "3"}, {"format-version", "2"}}));
  bytes = WriteManifestList({}, 1, std::nullopt, 1);
  ASSERT_TRUE(bytes.ok());
  reader = avro::AvroReader::Open(*bytes);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->FindMetadata("parent-snapshot-id"), nullptr);
}

TEST(ManifestList, RoundTripAssignsUnassignedSequenceNumbers) {
  ManifestFile old = ListEntry("s3://b/t/metadata/old-m0.avro", 5000, 2, 10, 1);
  old.min_sequence_number = 1;
  old.content = ManifestContent::kDeletes;
  old.added_files_count = 3;
  old.existing_files_count = 4;
  old.deleted_files_count = 5;
  old.added_rows_count = 1LL << 40;
  old.existing_rows_count = 7;
  old.deleted_rows_count = 8;
  old.partitions = {{true, std::nullopt, std::nullopt, std::nullopt},
                    {false, false, std::string("\0\0\0\0", 4), std::string("\xff\x01", 2)},
                    {false, true, std::string(), std::string("z")}};
  old.key_metadata = std::string("k\0", 2);
  ManifestFile fresh = ListEntry("s3://b/t/metadata/new-m0.avro", 100, kUnassignedSequenceNumber, 12);
  fresh.min_sequence_number = kUnassignedSequenceNumber;
  ManifestFile mixed = ListEntry("s3://b/t/metadata/mix-m0.avro", 100, kUnassignedSequenceNumber, 12);
  mixed.min_sequence_number = 1;  // it carries an older live file
  auto bytes = WriteManifestList({old, fresh, mixed}, 12, 10, 3);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto got = ReadManifestList(*bytes, "snap.avro");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  fresh.sequence_number = fresh.min_sequence_number = 3;
  mixed.sequence_number = 3;
  EXPECT_EQ(*got, (std::vector<ManifestFile>{old, fresh, mixed}));
}

TEST(ManifestList, RefusesUnassignedSequenceNumbersOfAnotherSnapshot) {
  ManifestFile m = ListEntry("s3://m.avro", 1, kUnassignedSequenceNumber, 5);
  auto bytes = WriteManifestList({m}, 6, 5, 2);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bytes.status().message(),
            "manifest list for snapshot 6: manifest 0 (s3://m.avro): its sequence number is unassigned but it was "
            "added by snapshot 5");
  m = ListEntry("s3://m.avro", 1, 1, 6);
  m.added_files_count = -1;
  EXPECT_FALSE(WriteManifestList({m}, 6, 5, 2).ok());
}

TEST(ManifestList, ReadsV1Lists) {
  // v1: no content or sequence numbers (0), counts optional (older writers called them added_data_files_count...).
  std::string schema =
      R"({"type":"record","name":"manifest_file","fields":[)"
      R"({"name":"manifest_path","type":"string","field-id":500},)"
      R"({"name":"manifest_length","type":"long","field-id":501},)"
      R"({"name":"partition_spec_id","type":"int","field-id":502},)"
      R"({"name":"added_snapshot_id","type":["null","long"],"default":null,"field-id":503},)"
      R"({"name":"added_data_files_count","type":["null","int"],"default":null,"field-id":504},)"
      R"({"name":"existing_data_files_count","type":["null","int"],"default":null,"field-id":505},)"
      R"({"name":"deleted_data_files_count","type":["null","int"],"default":null,"field-id":506},)"
      R"({"name":"partitions","type":["null",{"type":"array","items":{"type":"record","name":"r508","fields":[)"
      R"({"name":"contains_null","type":"boolean","field-id":509},)"
      R"({"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},)"
      R"({"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]},"element-id":508}],)"
      R"("default":null,"field-id":507},)"
      R"({"name":"added_rows_count","type":["null","long"],"default":null,"field-id":512}]})";
  std::string data = AvroFile(
      schema, {R"({"manifest_path":"a","manifest_length":10,"partition_spec_id":0,"added_snapshot_id":{"long":5},)"
               R"("added_data_files_count":{"int":2},"existing_data_files_count":null,"deleted_data_files_count":null,)"
               R"("partitions":{"array":[{"contains_null":true,"lower_bound":{"bytes":"a"},"upper_bound":null}]},)"
               R"("added_rows_count":{"long":9}})"});
  auto got = ReadManifestList(data, "snap-v1.avro");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 1u);
  ManifestFile want = ListEntry("a", 10, 0, 5);
  want.added_files_count = 2;
  want.added_rows_count = 9;
  want.partitions = {{true, std::nullopt, std::string("a"), std::nullopt}};
  EXPECT_EQ((*got)[0], want);
}

TEST(ManifestList, CorruptLists) {
  auto error = [](std::string_view data) {
    auto r = ReadManifestList(data, "s3://b/t/metadata/snap-1.avro");
    EXPECT_FALSE(r.ok());
    if (r.ok()) return std::string();
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    return r.status().message();
  };
  EXPECT_EQ(error(AvroFile(R"({"type":"record","name":"x","fields":[{"name":"a","type":"int"}]})", {})),
            "manifest list s3://b/t/metadata/snap-1.avro: not a manifest list: missing field manifest_path");
  ManifestFile m = ListEntry("s3://m.avro", 1, 1, 6);
  auto good = WriteManifestList({m, m, m}, 6, 5, 2);
  ASSERT_TRUE(good.ok());
  std::string bad = *good;
  bad[bad.size() - 1] ^= 1;
  std::string e = error(bad);
  EXPECT_TRUE(e.starts_with("manifest list s3://b/t/metadata/snap-1.avro: ")) << e;
  EXPECT_NE(e.find("sync marker mismatch"), std::string::npos) << e;

  // Values a spec-conforming writer never writes.
  auto list_with = [](std::string_view field, std::string_view value) {
    std::string good_record =
        R"({"manifest_path":"p","manifest_length":1,"partition_spec_id":0,"content":0,"sequence_number":1,)"
        R"("min_sequence_number":1,"added_snapshot_id":1,"added_files_count":0,"existing_files_count":0,)"
        R"("deleted_files_count":0,"added_rows_count":0,"existing_rows_count":0,"deleted_rows_count":0,)"
        R"("partitions":null,"key_metadata":null})";
    std::string bad_record = good_record;
    std::string key = fmt::format(R"("{}":)", field);
    size_t at = bad_record.find(key) + key.size();
    bad_record.replace(at, bad_record.find_first_of(",}", at) - at, value);
    auto empty = WriteManifestList({}, 1, std::nullopt, 1);
    auto reader = avro::AvroReader::Open(*empty);
    return AvroFile(reader->schema().ToJson(), {good_record, bad_record});
  };
  EXPECT_EQ(error(list_with("added_files_count", "-1")),
            "manifest list s3://b/t/metadata/snap-1.avro: manifest 1: added_files_count is negative");
  EXPECT_EQ(error(list_with("content", "2")),
            "manifest list s3://b/t/metadata/snap-1.avro: manifest 1: content 2 is not 0 (data) or 1 (deletes)");
  EXPECT_EQ(error(list_with("manifest_length", "-5")),
            "manifest list s3://b/t/metadata/snap-1.avro: manifest 1: manifest_length is negative");
  EXPECT_EQ(error(list_with("sequence_number", "-1")),
            "manifest list s3://b/t/metadata/snap-1.avro: manifest 1: sequence_number is negative");
}

}  // namespace
}  // namespace floe::iceberg
