// DataFileWriter: rows of a day(ts)-partitioned telemetry table written as Parquet data files through a LocalFileIO in
// a temporary directory, and the DataFile entries that describe them: partition paths, exact metrics (bounds decoded
// back to the true min/max, truncate(16) for strings and binary, NaN and null counts), target file size splitting,
// and partition values that agree with ApplyTransform for every row.
#include "floe/iceberg/data_file_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "floe/iceberg/data_file_reader.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/transforms.h"
#include "iceberg_test_util.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;
using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;

constexpr int64_t kDayMicros = 86'400'000'000;
constexpr int32_t kNov25 = 20782;  // 2026-11-25, days since 1970-01-01
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using testing::Col;
using testing::Field;
using testing::Strs;

// The telemetry schema: every type a data file holds.
Schema TelemetrySchema() {
  return Schema(
      0,
      {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
       Field(2, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
       Field(3, "temperature", false, Type::Primitive(TypeId::kDouble)),
       Field(4, "host", false, Type::Primitive(TypeId::kString)), Field(5, "price", false, Type::Decimal(9, 2)),
       Field(6, "ok", false, Type::Primitive(TypeId::kBoolean)),
       Field(7, "reading", false, Type::Primitive(TypeId::kFloat)),
       Field(8, "day", false, Type::Primitive(TypeId::kDate)), Field(9, "count", false, Type::Primitive(TypeId::kInt)),
       Field(10, "payload", false, Type::Primitive(TypeId::kBinary))});
}

PartitionSpec DaySpec() {
  PartitionSpec spec;
  spec.spec_id = 0;
  spec.fields.push_back(PartitionField{2, 1000, "ts_day", Transform::Day()});
  return spec;
}

struct Row {
  int64_t id;
  int64_t ts;
  std::optional<double> temperature;
  std::optional<std::string> host;
  std::optional<int64_t> price;
  std::optional<uint8_t> ok;
  std::optional<float> reading;
  std::optional<int32_t> day;
  std::optional<int32_t> count;
  std::optional<std::string> payload;
};

std::vector<ColumnVector> Batch(const std::vector<Row>& rows) {
  std::vector<std::optional<int64_t>> id, ts, price;
  std::vector<std::optional<double>> temperature;
  std::vector<std::optional<std::string>> host, payload;
  std::vector<std::optional<uint8_t>> ok;
  std::vector<std::optional<float>> reading;
  std::vector<std::optional<int32_t>> day, count;
  for (const Row& r : rows) {
    id.push_back(r.id);
    ts.push_back(r.ts);
    temperature.push_back(r.temperature);
    host.push_back(r.host);
    price.push_back(r.price);
    ok.push_back(r.ok);
    reading.push_back(r.reading);
    day.push_back(r.day);
    count.push_back(r.count);
    payload.push_back(r.payload);
  }
  std::vector<ColumnVector> b;
  b.push_back(Col<int64_t>({ColumnType::kInt64}, id));
  b.push_back(Col<int64_t>({ColumnType::kTimestampTz}, ts));
  b.push_back(Col<double>({ColumnType::kDouble}, temperature));
  b.push_back(Strs({ColumnType::kString}, host));
  b.push_back(Col<int64_t>({ColumnType::kDecimal, 9, 2}, price));
  b.push_back(Col<uint8_t>({ColumnType::kBoolean}, ok));
  b.push_back(Col<float>({ColumnType::kFloat}, reading));
  b.push_back(Col<int32_t>({ColumnType::kDate}, day));
  b.push_back(Col<int32_t>({ColumnType::kInt32}, count));
  b.push_back(Strs({ColumnType::kBinary}, payload));
  return b;
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

class DataFileWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/floe-data-file-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string data() const { return dir_ + "/t/data"; }

  std::vector<DataFile> WriteAll(const Schema& schema, const PartitionSpec& spec,
                                 const std::vector<std::vector<ColumnVector>>& batches,
                                 DataFileWriterOptions options = {}) {
    auto writer = DataFileWriter::Make(&io_, schema, spec, data(), std::move(options));
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    if (!writer.ok()) return {};
    for (const auto& b : batches) {
      Status s = writer->Write(b);
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    auto files = writer->Finish();
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : std::vector<DataFile>{};
  }

  // Every row of the files, read back by field id, concatenated per column.
  std::vector<std::vector<ColumnVector>> ReadBack(const DataFile& file, const Schema& schema) {
    std::vector<std::vector<ColumnVector>> groups;
    auto reader = DataFileReader::Open(&io_, file, schema);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return groups;
    for (int g = 0; g < reader->row_groups(); ++g) {
      auto cols = reader->ReadRowGroup(g);
      EXPECT_TRUE(cols.ok()) << cols.status().ToString();
      if (cols.ok()) groups.push_back(std::move(*cols));
    }
    return groups;
  }

  std::string dir_;
  io::LocalFileIO io_;
};

Literal Decode(const TypePtr& type, const std::string& bytes) {
  auto v = DeserializeValue(type, bytes);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Literal::Boolean(false);
}

// --- schemas ---

TEST(ColumnSchemaTest, MapsEveryPrimitiveTypeAndKeepsFieldIdsAndNullability) {
  auto columns = ToColumnSchema(TelemetrySchema());
  ASSERT_TRUE(columns.ok()) << columns.status().ToString();
  ASSERT_EQ(columns->fields.size(), 10u);
  EXPECT_EQ(columns->fields[0].name, "id");
  EXPECT_EQ(columns->fields[0].field_id, 1);
  EXPECT_FALSE(columns->fields[0].nullable);
  EXPECT_TRUE(columns->fields[2].nullable);
  EXPECT_EQ(columns->fields[1].type, (DataType{ColumnType::kTimestampTz}));
  EXPECT_EQ(columns->fields[4].type, (DataType{ColumnType::kDecimal, 9, 2}));
  EXPECT_EQ(columns->fields[7].type, (DataType{ColumnType::kDate}));
  EXPECT_EQ(columns->fields[9].type, (DataType{ColumnType::kBinary}));
  auto back = FromColumnSchema(*columns);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->SameStructure(TelemetrySchema()));
}

TEST(ColumnSchemaTest, UnsupportedTypesAreNamedWithTheirField) {
  const std::vector<std::pair<TypePtr, std::string>> unsupported = {
      {Type::Primitive(TypeId::kUuid), "uuid"},
      {Type::Fixed(16), "fixed[16]"},
      {Type::Primitive(TypeId::kTime), "time"},
      {Type::Primitive(TypeId::kTimestampNs), "timestamp_ns"},
      {Type::Decimal(20, 2), "decimal(20,2)"},
      {Type::Struct({Field(8, "lat", false, Type::Primitive(TypeId::kDouble))}), "struct"},
  };
  for (const auto& [type, name] : unsupported) {
    Schema schema(0, {Field(1, "id", true, Type::Primitive(TypeId::kLong)), Field(7, "location", false, type)});
    auto columns = ToColumnSchema(schema);
    ASSERT_FALSE(columns.ok()) << name;
    EXPECT_EQ(columns.status().code(), StatusCode::kUnsupported);
    EXPECT_EQ(columns.status().message().rfind("field 7 (location): type " + name, 0), 0u)
        << columns.status().message();
  }
}

TEST(ColumnSchemaTest, ColumnsWithoutFieldIdsGetTheSmallestUnusedIds) {
  formats::Schema columns;
  columns.fields = {{"a", {ColumnType::kInt64}, true, -1},
                    {"b", {ColumnType::kString}, false, 1},
                    {"c", {ColumnType::kDouble}, true, -1},
                    {"d", {ColumnType::kDate}, true, 3}};
  auto schema = FromColumnSchema(columns);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ(schema->fields().size(), 4u);
  EXPECT_EQ(schema->fields()[0].id, 2);
  EXPECT_EQ(schema->fields()[1].id, 1);
  EXPECT_TRUE(schema->fields()[1].required);
  EXPECT_EQ(schema->fields()[2].id, 4);
  EXPECT_EQ(schema->fields()[3].id, 3);
  EXPECT_EQ(*schema->fields()[3].type, *Type::Primitive(TypeId::kDate));

  columns.fields[2].field_id = 1;
  auto dup = FromColumnSchema(columns);
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dup.status().message(), "column schema: field id 1 is used twice (column c)");
}

// --- truncate(16) ---

TEST(TruncateBoundsTest, StringsKeepSixteenCharactersAndRoundTheUpperBoundUp) {
  EXPECT_EQ(TruncateLowerBound("abcdefghijklmnopqrstuvwxyz", true), "abcdefghijklmnop");
  EXPECT_EQ(TruncateUpperBound("abcdefghijklmnopqrstuvwxyz", true), "abcdefghijklmnoq");
  EXPECT_EQ(TruncateLowerBound("short", true), "short");
  EXPECT_EQ(TruncateUpperBound("short", true), "short");
  EXPECT_EQ(TruncateUpperBound("abcdefghijklmnop", true), "abcdefghijklmnop");  // exactly 16: kept
  // Characters, not bytes: 17 "é" (2 bytes each) keep 16, and the last becomes "ê".
  EXPECT_EQ(TruncateLowerBound(Repeat("é", 17), true), Repeat("é", 16));
  EXPECT_EQ(TruncateUpperBound(Repeat("é", 17), true), Repeat("é", 15) + "ê");
  // U+10FFFF has no successor: the character before it is incremented instead; with none, there is no bound.
  EXPECT_EQ(TruncateUpperBound("a" + Repeat("\U0010FFFF", 16), true), "b");
  EXPECT_EQ(TruncateUpperBound(Repeat("\U0010FFFF", 17), true), std::nullopt);
  // U+D7FF's successor in UTF-8 is U+E000 (the surrogates are not characters).
  EXPECT_EQ(TruncateUpperBound(Repeat("a", 15) + "\uD7FF" + "x", true), Repeat("a", 15) + "\uE000");
  EXPECT_EQ(TruncateUpperBound(Repeat("a", 15) + "\U0001F600" + "x", true), Repeat("a", 15) + "\U0001F601");
}

TEST(TruncateBoundsTest, BinaryKeepsSixteenBytes) {
  const std::string long_bytes = Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xff, 0x42});
  EXPECT_EQ(TruncateLowerBound(long_bytes, false), long_bytes.substr(0, 16));
  EXPECT_EQ(TruncateUpperBound(long_bytes, false), Bytes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16}));
  EXPECT_EQ(TruncateUpperBound(std::string(17, '\xff'), false), std::nullopt);
  EXPECT_EQ(TruncateUpperBound(std::string(16, '\xff'), false), std::string(16, '\xff'));
}

// --- writing ---

// Three days of hand-made rows with nulls, NaN, negatives, long and non-ASCII strings.
std::vector<Row> ThreeDays() {
  const int64_t d25 = int64_t{kNov25} * kDayMicros, d26 = d25 + kDayMicros, d27 = d26 + kDayMicros;
  const float nanf = std::numeric_limits<float>::quiet_NaN();
  return {
      // 2026-11-25
      {1, d25 + 10, 21.5, "a-very-long-hostname-0001.example", -12345, 1, 1.5f, kNov25, -7, std::string(20, '\xff')},
      {2, d26 + 1, kNaN, Repeat("é", 17), 5, 0, 2.0f, std::nullopt, 1, "x"},  // 2026-11-26
      {3, d25 + 20, kNaN, "b", 99, 0, -0.0f, kNov25 - 1, 3, Bytes({0})},
      {4, d25, std::nullopt, std::nullopt, std::nullopt, std::nullopt, 0.0f, std::nullopt, std::nullopt, std::nullopt},
      {5, d27 - 1, kNaN, "é", std::nullopt, 1, nanf, kNov25 + 1, 2, "y"},  // 2026-11-26
      {6, d25 + kDayMicros - 1, -3.25, "zz", 0, 1, nanf, kNov25, 1000, Bytes({1, 2})},
      {7, d27 + 5, 1e300, Repeat("\U0010FFFF", 17), -1, std::nullopt, -1.0f, 0, INT32_MIN, ""},  // 2026-11-27
      {8, d27 + 6, -1e300, "abc", INT64_C(999999999), 0, std::nullopt, -1, INT32_MAX, std::string(16, '\xff')},
  };
}

TEST_F(DataFileWriterTest, WritesOneFilePerDayWithExactMetrics) {
  const Schema schema = TelemetrySchema();
  const std::vector<DataFile> files = WriteAll(schema, DaySpec(), {Batch(ThreeDays())});
  ASSERT_EQ(files.size(), 3u);
  // In order of the partitions' first rows.
  EXPECT_EQ(files[0].partition, (PartitionValues{Literal::Date(kNov25)}));
  EXPECT_EQ(files[1].partition, (PartitionValues{Literal::Date(kNov25 + 1)}));
  EXPECT_EQ(files[2].partition, (PartitionValues{Literal::Date(kNov25 + 2)}));

  const DataFile& f = files[0];
  EXPECT_EQ(f.file_format, "PARQUET");
  EXPECT_EQ(f.content, FileContent::kData);
  EXPECT_EQ(f.spec_id, 0);
  EXPECT_EQ(f.record_count, 4);
  EXPECT_EQ(f.file_size_in_bytes, static_cast<int64_t>(fs::file_size(f.file_path)));
  EXPECT_EQ(f.split_offsets, (std::vector<int64_t>{4}));  // one row group, right after "PAR1"
  EXPECT_FALSE(f.sort_order_id.has_value());
  for (int32_t id = 1; id <= 10; ++id) {
    EXPECT_EQ(f.value_counts.at(id), 4) << id;
    EXPECT_GT(f.column_sizes.at(id), 0) << id;
  }
  EXPECT_EQ(f.null_value_counts, (std::map<int32_t, int64_t>{
                                     {1, 0}, {2, 0}, {3, 1}, {4, 1}, {5, 1}, {6, 1}, {7, 0}, {8, 1}, {9, 1}, {10, 1}}));
  // NaN counts for float and double columns only.
  EXPECT_EQ(f.nan_value_counts, (std::map<int32_t, int64_t>{{3, 1}, {7, 1}}));

  auto lower = [&](const DataFile& df, int32_t id) {
    return Decode(schema.FindById(id)->type, df.lower_bounds.at(id));
  };
  auto upper = [&](const DataFile& df, int32_t id) {
    return Decode(schema.FindById(id)->type, df.upper_bounds.at(id));
  };
  const int64_t d25 = int64_t{kNov25} * kDayMicros;
  EXPECT_EQ(lower(f, 1), Literal::Long(1));
  EXPECT_EQ(upper(f, 1), Literal::Long(6));
  EXPECT_EQ(lower(f, 2), Literal::TimestampTz(d25));
  EXPECT_EQ(upper(f, 2), Literal::TimestampTz(d25 + kDayMicros - 1));
  EXPECT_EQ(lower(f, 3), Literal::Double(-3.25));  // NaN left out
  EXPECT_EQ(upper(f, 3), Literal::Double(21.5));
  EXPECT_EQ(lower(f, 4), Literal::String("a-very-long-host"));  // truncated to 16 characters
  EXPECT_EQ(upper(f, 4), Literal::String("zz"));
  EXPECT_EQ(f.lower_bounds.at(5), Bytes({0xcf, 0xc7}));  // -123.45: unscaled -12345, big-endian, fewest bytes
  EXPECT_EQ(f.upper_bounds.at(5), Bytes({0x63}));        // 0.99
  EXPECT_EQ(lower(f, 5), Literal::Decimal(-12345, 9, 2));
  EXPECT_EQ(f.lower_bounds.at(6), Bytes({0}));
  EXPECT_EQ(f.upper_bounds.at(6), Bytes({1}));
  // The true bounds of 1.5, -0.0, 0.0 (NaN left out): -0.0 sorts below 0.0.
  EXPECT_EQ(lower(f, 7), Literal::Float(-0.0f));
  EXPECT_TRUE(std::signbit(lower(f, 7).as_float()));
  EXPECT_EQ(upper(f, 7), Literal::Float(1.5f));
  EXPECT_EQ(lower(f, 8), Literal::Date(kNov25 - 1));
  EXPECT_EQ(upper(f, 8), Literal::Date(kNov25));
  EXPECT_EQ(lower(f, 9), Literal::Int(-7));
  EXPECT_EQ(upper(f, 9), Literal::Int(1000));
  EXPECT_EQ(f.lower_bounds.at(10), Bytes({0}));
  // The largest value is 20 bytes of 0xff: no 16-byte upper bound exists.
  EXPECT_EQ(f.upper_bounds.count(10), 0u);

  const DataFile& g = files[1];  // 2026-11-26: temperature all NaN, long "é" strings
  EXPECT_EQ(g.record_count, 2);
  EXPECT_EQ(g.nan_value_counts.at(3), 2);
  EXPECT_EQ(g.lower_bounds.count(3), 0u);
  EXPECT_EQ(g.upper_bounds.count(3), 0u);
  EXPECT_EQ(lower(g, 4), Literal::String("é"));
  EXPECT_EQ(upper(g, 4), Literal::String(Repeat("é", 15) + "ê"));
  EXPECT_EQ(lower(g, 7), Literal::Float(2.0f));
  EXPECT_EQ(upper(g, 7), Literal::Float(2.0f));
  EXPECT_EQ(g.null_value_counts.at(5), 1);
  EXPECT_EQ(g.lower_bounds.at(5), Bytes({5}));

  const DataFile& h = files[2];  // 2026-11-27
  EXPECT_EQ(lower(h, 3), Literal::Double(-1e300));
  EXPECT_EQ(upper(h, 3), Literal::Double(1e300));
  EXPECT_EQ(lower(h, 4), Literal::String("abc"));
  EXPECT_EQ(h.upper_bounds.count(4), 0u);  // 17 x U+10FFFF cannot be rounded up within 16 characters
  EXPECT_EQ(lower(h, 5), Literal::Decimal(-1, 9, 2));
  EXPECT_EQ(h.lower_bounds.at(5), Bytes({0xff}));
  EXPECT_EQ(upper(h, 5), Literal::Decimal(999999999, 9, 2));
  EXPECT_EQ(h.upper_bounds.at(5), Bytes({0x3b, 0x9a, 0xc9, 0xff}));
  EXPECT_EQ(lower(h, 9), Literal::Int(INT32_MIN));
  EXPECT_EQ(upper(h, 9), Literal::Int(INT32_MAX));
  EXPECT_EQ(h.lower_bounds.at(10), "");
  EXPECT_EQ(h.upper_bounds.at(10), std::string(16, '\xff'));  // 16 bytes: kept whole
  EXPECT_EQ(h.nan_value_counts.at(7), 0);
  EXPECT_EQ(h.null_value_counts.at(7), 1);
}

TEST_F(DataFileWriterTest, FilesLandAtTheirPartitionPathsAndReadBackIdentically) {
  const Schema schema = TelemetrySchema();
  const std::vector<Row> rows = ThreeDays();
  DataFileWriterOptions options;
  const std::vector<DataFile> files = WriteAll(schema, DaySpec(), {Batch(rows)}, options);
  ASSERT_EQ(files.size(), 3u);
  const std::regex name(data() +
                        "/ts_day=2026-11-2([567])/00000-0-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                        "[0-9a-f]{12}-0000([123])\\.parquet");
  std::string prefix;
  for (size_t i = 0; i < files.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(files[i].file_path, m, name)) << files[i].file_path;
    EXPECT_EQ(m[1].str(), std::to_string(5 + i));
    EXPECT_EQ(m[2].str(), std::to_string(1 + i));
    EXPECT_TRUE(fs::exists(files[i].file_path));
    const std::string this_prefix = fs::path(files[i].file_path).filename().string().substr(0, 44);
    if (i == 0) prefix = this_prefix;
    EXPECT_EQ(this_prefix, prefix);  // one writer, one prefix
  }

  // Each file holds its day's rows, in the order written.
  const std::vector<std::vector<size_t>> rows_of = {{0, 2, 3, 5}, {1, 4}, {6, 7}};
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<Row> expected;
    for (size_t r : rows_of[i]) expected.push_back(rows[r]);
    auto groups = ReadBack(files[i], schema);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0], Batch(expected)) << files[i].file_path;
  }

  // A second writer picks another prefix; a given one is used as it is.
  auto other = WriteAll(schema, DaySpec(), {Batch({rows[0]})});
  ASSERT_EQ(other.size(), 1u);
  EXPECT_NE(fs::path(other[0].file_path).filename().string().substr(0, 44), prefix);
  options.file_prefix = "00007-3-fixed";
  auto named = WriteAll(schema, DaySpec(), {Batch({rows[0], rows[1]})}, options);
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].file_path, data() + "/ts_day=2026-11-25/00007-3-fixed-00001.parquet");
  EXPECT_EQ(named[1].file_path, data() + "/ts_day=2026-11-26/00007-3-fixed-00002.parquet");
}

TEST_F(DataFileWriterTest, UnpartitionedTablesWriteIntoTheDataDirectory) {
  DataFileWriterOptions options;
  options.file_prefix = "00000-0-u";
  auto files = WriteAll(TelemetrySchema(), PartitionSpec{}, {Batch(ThreeDays()), Batch(ThreeDays())}, options);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].file_path, data() + "/00000-0-u-00001.parquet");
  EXPECT_TRUE(files[0].partition.empty());
  EXPECT_EQ(files[0].record_count, 16);
  EXPECT_EQ(files[0].nan_value_counts.at(3), 6);

  // A spec of only void transforms is unpartitioned too, with a null partition value.
  PartitionSpec void_spec;
  void_spec.spec_id = 1;
  void_spec.fields.push_back(PartitionField{2, 1000, "ts_void", Transform::Void()});
  auto voided = WriteAll(TelemetrySchema(), void_spec, {Batch(ThreeDays())}, options);
  ASSERT_EQ(voided.size(), 1u);
  EXPECT_EQ(voided[0].partition, (PartitionValues{std::nullopt}));
  EXPECT_EQ(voided[0].spec_id, 1);
  EXPECT_EQ(fs::path(voided[0].file_path).parent_path().string(), data());
}

TEST_F(DataFileWriterTest, TargetFileSizeSplitsAPartitionIntoSeveralFiles) {
  // Required columns without nulls: every buffered byte is then written, so the sizes below are exact to a row.
  Schema schema(0, {Field(1, "id", true, Type::Primitive(TypeId::kLong)),
                    Field(2, "host", true, Type::Primitive(TypeId::kString))});
  DataFileWriterOptions options;
  options.parquet.codec = parquet::CompressionCodec::kUncompressed;
  options.parquet.dictionary = false;
  options.parquet.row_group_rows = 100;
  options.target_file_bytes = 10'000;
  std::vector<std::optional<int64_t>> ids;
  std::vector<std::optional<std::string>> hosts;
  for (int64_t i = 0; i < 2000; ++i) {
    ids.push_back(i);
    hosts.push_back("host-" + std::string(static_cast<size_t>(i % 13), 'x') + std::to_string(i));
  }
  std::vector<std::vector<ColumnVector>> batches;
  for (size_t begin = 0; begin < ids.size(); begin += 300) {  // batches that straddle row groups and files
    const size_t end = std::min(ids.size(), begin + 300);
    batches.push_back({Col<int64_t>({ColumnType::kInt64}, {ids.begin() + begin, ids.begin() + end}),
                       Strs({ColumnType::kString}, {hosts.begin() + begin, hosts.begin() + end})});
  }
  auto files = WriteAll(schema, PartitionSpec{}, batches, options);
  ASSERT_GT(files.size(), 2u);
  int64_t next_id = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const DataFile& f = files[i];
    const int64_t data_bytes = f.column_sizes.at(1) + f.column_sizes.at(2);
    if (i + 1 < files.size()) {
      // Closed once the target was reached, and not long after: within one row of it, plus page headers.
      EXPECT_GE(data_bytes, options.target_file_bytes) << i;
      EXPECT_LT(data_bytes, options.target_file_bytes + 200) << i;
    }
    EXPECT_EQ(static_cast<int64_t>(f.split_offsets.size()), (f.record_count + 99) / 100) << i;
    EXPECT_EQ(f.split_offsets[0], 4);
    auto groups = ReadBack(f, schema);
    for (const auto& g : groups) {
      for (size_t r = 0; r < g[0].size(); ++r) EXPECT_EQ(g[0].value<int64_t>(r), next_id++);
    }
    EXPECT_EQ(f.file_path, data() + fmt::format("/{}-{:05d}.parquet",
                                                fs::path(f.file_path).filename().string().substr(0, 44), i + 1));
  }
  EXPECT_EQ(next_id, 2000);
}

TEST_F(DataFileWriterTest, TargetFileSizeWithFixedWidthColumnsOnly) {
  Schema schema(0, {Field(1, "v", true, Type::Primitive(TypeId::kLong))});
  DataFileWriterOptions options;
  options.parquet.codec = parquet::CompressionCodec::kUncompressed;
  options.parquet.dictionary = false;
  options.parquet.row_group_rows = 64;
  options.target_file_bytes = 4096;
  std::vector<std::optional<int64_t>> values;
  for (int64_t i = 0; i < 5000; ++i) values.push_back(i * 3);
  auto files = WriteAll(schema, PartitionSpec{}, {{Col<int64_t>({ColumnType::kInt64}, values)}}, options);
  ASSERT_GT(files.size(), 5u);
  int64_t rows = 0;
  for (size_t i = 0; i + 1 < files.size(); ++i) {
    EXPECT_GE(files[i].column_sizes.at(1), 4096) << i;
    EXPECT_LT(files[i].column_sizes.at(1), 4096 + 8 + 64) << i;  // one value past it, plus page headers
  }
  for (const auto& f : files) rows += f.record_count;
  EXPECT_EQ(rows, 5000);
}

TEST_F(DataFileWriterTest, PartitionValuesAgreeWithApplyTransformForEveryRow) {
  // Several transforms at once, over values spread across 1970 (negative days and hours), with nulls; the writer's
  // range and memo caches must give exactly what ApplyTransform gives row by row.
  Schema schema(
      0,
      {Field(1, "ts", false, Type::Primitive(TypeId::kTimestamp)), Field(2, "n", false, Type::Primitive(TypeId::kLong)),
       Field(3, "host", false, Type::Primitive(TypeId::kString)), Field(4, "price", false, Type::Decimal(9, 2)),
       Field(5, "d", false, Type::Primitive(TypeId::kDate))});
  const std::vector<std::pair<std::vector<PartitionField>, std::string>> specs = {
      {{{1, 1000, "ts_hour", Transform::Hour()}}, "hour"},
      {{{1, 1000, "ts_month", Transform::Month()}, {2, 1001, "n_trunc", Transform::Truncate(10)}}, "month+truncate"},
      {{{2, 1000, "n_bucket", Transform::Bucket(4)}, {3, 1001, "host", Transform::Identity()}}, "bucket+identity"},
      {{{3, 1000, "host_trunc", Transform::Truncate(2)}, {4, 1001, "price_trunc", Transform::Truncate(50)}},
       "truncate"},
      {{{5, 1000, "d_year", Transform::Year()}, {1, 1001, "ts_day", Transform::Day()}}, "year+day"},
  };
  std::mt19937_64 rng(42);
  std::vector<std::optional<int64_t>> ts, n, price;
  std::vector<std::optional<std::string>> host;
  std::vector<std::optional<int32_t>> d;
  int64_t t = -3 * kDayMicros;
  for (int i = 0; i < 3000; ++i) {
    t += static_cast<int64_t>(rng() % 600'000'000);  // up to ten minutes on; sorted, as telemetry mostly is
    ts.push_back(i % 97 == 0 ? std::nullopt : std::optional<int64_t>(i % 500 == 1 ? -t : t));
    n.push_back(i % 89 == 0 ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(rng() % 200) - 100));
    host.push_back(i % 83 == 0 ? std::nullopt : std::optional<std::string>("h" + std::to_string(rng() % 5)));
    price.push_back(i % 79 == 0 ? std::nullopt : std::optional<int64_t>(static_cast<int64_t>(rng() % 1000) - 500));
    d.push_back(i % 73 == 0 ? std::nullopt : std::optional<int32_t>(static_cast<int32_t>(rng() % 2000) - 1000));
  }
  auto batch_of = [&](size_t begin, size_t end) {
    std::vector<ColumnVector> b;
    b.push_back(Col<int64_t>({ColumnType::kTimestamp}, {ts.begin() + begin, ts.begin() + end}));
    b.push_back(Col<int64_t>({ColumnType::kInt64}, {n.begin() + begin, n.begin() + end}));
    b.push_back(Strs({ColumnType::kString}, {host.begin() + begin, host.begin() + end}));
    b.push_back(Col<int64_t>({ColumnType::kDecimal, 9, 2}, {price.begin() + begin, price.begin() + end}));
    b.push_back(Col<int32_t>({ColumnType::kDate}, {d.begin() + begin, d.begin() + end}));
    return b;
  };
  for (const auto& [fields, what] : specs) {
    SCOPED_TRACE(what);
    PartitionSpec spec;
    spec.fields = fields;
    auto files = WriteAll(schema, spec, {batch_of(0, 1000), batch_of(1000, 3000)});
    ASSERT_FALSE(files.empty());
    int64_t rows = 0;
    std::set<std::string> paths;
    for (const DataFile& f : files) {
      EXPECT_TRUE(paths.insert(f.file_path).second);
      EXPECT_EQ(fs::path(f.file_path).parent_path().string(), data() + "/" + PartitionPath(spec, f.partition));
      for (const auto& g : ReadBack(f, schema)) {
        for (size_t r = 0; r < g[0].size(); ++r, ++rows) {
          for (size_t k = 0; k < spec.fields.size(); ++k) {
            const PartitionField& pf = spec.fields[k];
            const ColumnVector& col = g[static_cast<size_t>(pf.source_id - 1)];
            const TypePtr& type = schema.FindById(pf.source_id)->type;
            std::optional<Literal> value;
            if (!col.IsNull(r)) {
              switch (col.type().id) {
                case ColumnType::kString: value = Literal::Of(type, std::string(col.string(r))); break;
                case ColumnType::kDate: value = Literal::Of(type, col.value<int32_t>(r)); break;
                case ColumnType::kDecimal: value = Literal::Of(type, DecimalValue{col.value<int64_t>(r)}); break;
                default: value = Literal::Of(type, col.value<int64_t>(r)); break;
              }
            }
            auto expected = ApplyTransform(pf.transform, value);
            ASSERT_TRUE(expected.ok());
            ASSERT_EQ(*expected, f.partition[k]) << f.file_path << " row " << r << " field " << pf.name << " value "
                                                 << (value ? value->ToString() : "null");
          }
        }
      }
    }
    EXPECT_EQ(rows, 3000);
  }
}

TEST_F(DataFileWriterTest, BatchesThatDoNotFitTheSchemaAreInvalidArgumentNamingTheField) {
  auto writer = DataFileWriter::Make(&io_, TelemetrySchema(), DaySpec(), data());
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto batch = Batch(ThreeDays());
  batch.pop_back();
  Status s = writer->Write(batch);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "data file writer: a batch of 9 columns for a schema of 10");

  batch = Batch(ThreeDays());
  batch[2] = Col<float>({ColumnType::kFloat}, std::vector<std::optional<float>>(8, 1.0f));
  s = writer->Write(batch);
  EXPECT_EQ(s.message(), "data file writer: field 3 (temperature): column of type float, the schema says double");

  batch = Batch(ThreeDays());
  batch[3] = Strs({ColumnType::kString}, {"only one"});
  s = writer->Write(batch);
  EXPECT_EQ(s.message(), "data file writer: field 4 (host): 1 rows, field 1 (id) has 8");

  batch = Batch(ThreeDays());
  batch[1] = Col<int64_t>({ColumnType::kTimestampTz}, {1, 2, std::nullopt, 4, 5, 6, 7, 8});
  s = writer->Write(batch);
  EXPECT_EQ(s.message(), "data file writer: field 2 (ts): row 2 is null in a required field");

  // None of that broke the writer: good batches still go through.
  ASSERT_TRUE(writer->Write(Batch(ThreeDays())).ok());
  auto files = writer->Finish();
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->size(), 3u);
  EXPECT_EQ(writer->Write(Batch(ThreeDays())).message(), "data file writer: Write after Finish");
}

TEST_F(DataFileWriterTest, SpecsThatDoNotFitTheSchemaAreRejected) {
  PartitionSpec spec;
  spec.fields.push_back(PartitionField{42, 1000, "nope", Transform::Identity()});
  auto missing = DataFileWriter::Make(&io_, TelemetrySchema(), spec, data());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("partition spec 0"), std::string::npos) << missing.status().ToString();

  spec.fields[0] = PartitionField{4, 1000, "host_day", Transform::Day()};  // day of a string
  auto bad = DataFileWriter::Make(&io_, TelemetrySchema(), spec, data());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument) << bad.status().ToString();

  DataFileWriterOptions options;
  options.target_file_bytes = 0;
  EXPECT_EQ(DataFileWriter::Make(&io_, TelemetrySchema(), DaySpec(), data(), options).status().message(),
            "data file writer: target file size 0 bytes must be positive");
  EXPECT_EQ(DataFileWriter::Make(nullptr, TelemetrySchema(), DaySpec(), data()).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(DataFileWriterTest, AFailedFileWriteIsReturnedAndEndsTheWriter) {
  ASSERT_TRUE(io_.Write(dir_ + "/blocker", "a file where the data directory should be").ok());
  auto writer = DataFileWriter::Make(&io_, TelemetrySchema(), DaySpec(), dir_ + "/blocker/data");
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Write(Batch(ThreeDays())).ok());  // nothing written yet: all in memory
  auto files = writer->Finish();
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kIoError);
  EXPECT_NE(files.status().message().find(dir_ + "/blocker/data/ts_day=2026-11-25/"), std::string::npos)
      << files.status().ToString();
  EXPECT_EQ(writer->Finish().status().message(), "data file writer: Finish called twice");
}

}  // namespace
}  // namespace floe::iceberg
