// Round trips through floe's own writer and reader; interop with pyarrow and DuckDB is in
// tests/interop/test_parquet_interop.py.
#include "floe/formats/parquet/parquet_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "floe/formats/parquet/parquet_reader.h"

namespace floe::parquet {
namespace {

using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;
using formats::Field;
using formats::Schema;

Schema AllTypes() {
  Schema s;
  s.fields = {
      {"b", {ColumnType::kBoolean}, true, 1},          {"i", {ColumnType::kInt32}, true, 2},
      {"l", {ColumnType::kInt64}, false, 3},           {"f", {ColumnType::kFloat}, true, 4},
      {"d", {ColumnType::kDouble}, true, 5},           {"s", {ColumnType::kString}, true, 6},
      {"bin", {ColumnType::kBinary}, true, 7},         {"day", {ColumnType::kDate}, true, 8},
      {"ts", {ColumnType::kTimestamp}, true, 9},       {"tstz", {ColumnType::kTimestampTz}, true, 10},
      {"dec", {ColumnType::kDecimal, 9, 2}, true, 11},
  };
  return s;
}

// Deterministic rows: every 7th value of a nullable column is null; strings repeat (dictionary) or not.
std::vector<ColumnVector> Rows(const Schema& schema, size_t n, uint32_t seed, bool distinct_strings = false) {
  std::mt19937 rng(seed);
  std::vector<ColumnVector> cols;
  for (const Field& f : schema.fields) cols.emplace_back(f.type);
  for (size_t r = 0; r < n; ++r) {
    for (size_t c = 0; c < cols.size(); ++c) {
      ColumnVector& col = cols[c];
      if (schema.fields[c].nullable && (r + c) % 7 == 0) {
        col.AppendNull();
        continue;
      }
      const uint32_t x = rng();
      switch (col.type().id) {
        case ColumnType::kBoolean: col.Append<uint8_t>(x & 1); break;
        case ColumnType::kInt32: col.Append<int32_t>(static_cast<int32_t>(x % 1000) - 500); break;
        case ColumnType::kInt64: col.Append<int64_t>(static_cast<int64_t>(x) * 1000003 - (int64_t{1} << 40)); break;
        case ColumnType::kFloat: col.Append<float>(static_cast<float>(x % 10000) / 7.0f); break;
        case ColumnType::kDouble: col.Append<double>(static_cast<double>(x) / 3.0 - 1e9); break;
        case ColumnType::kString:
          col.AppendString(distinct_strings ? "value-" + std::to_string(x) : "s-" + std::to_string(x % 50));
          break;
        case ColumnType::kBinary: col.AppendString(std::string(x % 5, static_cast<char>(x & 0xff))); break;
        case ColumnType::kDate: col.Append<int32_t>(19000 + static_cast<int32_t>(x % 1000)); break;
        case ColumnType::kTimestamp:
        case ColumnType::kTimestampTz: col.Append<int64_t>(1732480000000000LL + x); break;
        case ColumnType::kDecimal: col.Append<int64_t>(static_cast<int64_t>(x % 100000) - 50000); break;
      }
    }
  }
  return cols;
}

std::vector<ColumnVector> ReadAll(const std::string& file, const Schema& schema) {
  auto reader = ParquetReader::Open(file, "test.parquet");
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<ColumnVector> all;
  for (const Field& f : schema.fields) all.emplace_back(f.type);
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    auto cols = reader->ReadRowGroup(g);
    EXPECT_TRUE(cols.ok()) << cols.status().ToString();
    for (size_t c = 0; c < cols->size(); ++c) {
      const ColumnVector& part = (*cols)[c];
      for (size_t r = 0; r < part.size(); ++r) {
        if (part.IsNull(r)) {
          all[c].AppendNull();
        } else if (formats::IsVariableWidth(part.type().id)) {
          all[c].AppendString(part.string(r));
        } else {
          all[c].AppendFixed(part.data() + r * formats::FixedWidth(part.type().id), 1);
        }
      }
    }
  }
  return all;
}

void ExpectRoundTrip(const ParquetWriterOptions& options, size_t rows, bool distinct_strings = false) {
  const Schema schema = AllTypes();
  const auto cols = Rows(schema, rows, 42, distinct_strings);
  ParquetWriter writer(schema, options);
  ASSERT_TRUE(writer.Write(cols).ok());
  auto file = writer.Finish();
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto reader = ParquetReader::Open(*file, "test.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ(reader->schema().fields.size(), schema.fields.size());
  for (size_t c = 0; c < schema.fields.size(); ++c) {
    EXPECT_EQ(reader->schema().fields[c].name, schema.fields[c].name);
    EXPECT_EQ(reader->schema().fields[c].type, schema.fields[c].type) << schema.fields[c].name;
    EXPECT_EQ(reader->schema().fields[c].nullable, schema.fields[c].nullable);
    EXPECT_EQ(reader->schema().fields[c].field_id, schema.fields[c].field_id);
  }
  EXPECT_EQ(reader->num_rows(), static_cast<int64_t>(rows));
  const auto back = ReadAll(*file, schema);
  for (size_t c = 0; c < cols.size(); ++c) EXPECT_EQ(back[c], cols[c]) << "column " << schema.fields[c].name;
}

TEST(ParquetWriter, RoundTripsEveryTypeWithEachCodec) {
  for (auto codec : {CompressionCodec::kZstd, CompressionCodec::kSnappy, CompressionCodec::kGzip,
                     CompressionCodec::kLz4Raw, CompressionCodec::kUncompressed}) {
    SCOPED_TRACE(CodecName(codec));
    ParquetWriterOptions o;
    o.codec = codec;
    ExpectRoundTrip(o, 5000);
  }
}

TEST(ParquetWriter, ManyRowGroupsAndPages) {
  ParquetWriterOptions o;
  o.row_group_rows = 3000;
  o.page_rows = 700;
  ExpectRoundTrip(o, 10000);
}

TEST(ParquetWriter, PlainWhenTheDictionaryWouldBeTooLarge) {
  ParquetWriterOptions o;
  o.dictionary_page_bytes = 4096;
  ExpectRoundTrip(o, 5000, /*distinct_strings=*/true);
  o.dictionary = false;
  ExpectRoundTrip(o, 5000);
}

TEST(ParquetWriter, EmptyFile) {
  ExpectRoundTrip(ParquetWriterOptions{}, 0);
}

TEST(ParquetWriter, ChunkStatisticsAndFileStats) {
  Schema schema;
  schema.fields = {{"x", {ColumnType::kInt64}, true, 1},
                   {"name", {ColumnType::kString}, true, 2},
                   {"t", {ColumnType::kDouble}, true, 3}};
  std::vector<ColumnVector> cols{ColumnVector({ColumnType::kInt64}), ColumnVector({ColumnType::kString}),
                                 ColumnVector({ColumnType::kDouble})};
  for (int64_t v : {5, -2, 9}) cols[0].Append<int64_t>(v);
  cols[0].AppendNull();
  for (const char* s : {"pear", "apple", "zoo", "m"}) cols[1].AppendString(s);
  for (double d : {0.0, -0.0, std::nan(""), 2.5}) cols[2].Append<double>(d);
  ParquetWriter writer(schema, {});
  ASSERT_TRUE(writer.Write(cols).ok());
  auto file = writer.Finish();
  ASSERT_TRUE(file.ok());
  auto reader = ParquetReader::Open(*file, "stats.parquet");
  ASSERT_TRUE(reader.ok());
  auto x = reader->Stats(0, 0);
  ASSERT_TRUE(x.min && x.max);
  int64_t lo, hi;
  std::memcpy(&lo, x.min->data(), 8);
  std::memcpy(&hi, x.max->data(), 8);
  EXPECT_EQ(lo, -2);
  EXPECT_EQ(hi, 9);
  EXPECT_EQ(x.null_count, 1);
  auto name = reader->Stats(0, 1);
  EXPECT_EQ(name.min, "apple");
  EXPECT_EQ(name.max, "zoo");
  auto t = reader->Stats(0, 2);
  double dlo, dhi;
  std::memcpy(&dlo, t.min->data(), 8);
  std::memcpy(&dhi, t.max->data(), 8);
  EXPECT_EQ(dlo, 0.0);
  EXPECT_TRUE(std::signbit(dlo)) << "a zero minimum is -0.0";
  EXPECT_EQ(dhi, 2.5) << "NaN is left out";
  const auto& fs = writer.column_stats();
  EXPECT_EQ(fs[0].values, 4);
  EXPECT_EQ(fs[0].nulls, 1);
  EXPECT_EQ(fs[1].lower, "apple");
  EXPECT_EQ(fs[1].upper, "zoo");
}

TEST(ParquetWriter, RejectsBadBatches) {
  Schema schema;
  schema.fields = {{"x", {ColumnType::kInt64}, false, 1}};
  ParquetWriter writer(schema, {});
  std::vector<ColumnVector> cols{ColumnVector({ColumnType::kInt64})};
  cols[0].Append<int64_t>(1);
  cols[0].AppendNull();
  Status s = writer.Write(cols);
  EXPECT_EQ(s.message(), "parquet writer: row 1 of required column x is null");
  std::vector<ColumnVector> wrong{ColumnVector({ColumnType::kString})};
  EXPECT_NE(writer.Write(wrong).message().find("column x is string, the schema says long"), std::string::npos);
}

TEST(ParquetReader, TruncatedOrCorruptFilesAreErrorsNeverCrashes) {
  const Schema schema = AllTypes();
  ParquetWriterOptions o;
  o.page_rows = 100;
  ParquetWriter writer(schema, o);
  ASSERT_TRUE(writer.Write(Rows(schema, 400, 7)).ok());
  const std::string file = *writer.Finish();
  // Cut anywhere: the magic or the footer length no longer fit.
  for (size_t len = 0; len < file.size(); len += 97) {
    EXPECT_FALSE(ParquetReader::Open(file.substr(0, len), "cut.parquet").ok()) << len;
  }
  // Flip bytes in the data area: every row group either reads or fails with a message, never crashes.
  std::mt19937 rng(1);
  int failures = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string bad = file;
    const size_t at = 4 + rng() % (bad.size() / 2);
    bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
    auto reader = ParquetReader::Open(bad, "flipped.parquet");
    if (!reader.ok()) continue;
    for (int g = 0; g < reader->num_row_groups(); ++g) {
      auto cols = reader->ReadRowGroup(g);
      if (!cols.ok()) {
        ++failures;
        EXPECT_NE(cols.status().message().find("flipped.parquet: row group"), std::string::npos)
            << cols.status().message();
      }
    }
  }
  EXPECT_GT(failures, 10);
}

}  // namespace
}  // namespace floe::parquet
