// Round trips through floe's own writer and reader; interop with pyarrow and DuckDB is in
// tests/interop/test_parquet_interop.py.
#include "floe/formats/parquet/parquet_writer.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>

#include "floe/formats/parquet/parquet_format.h"
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

// --- decimals: Iceberg's Parquet mapping ---

std::string Le32(int32_t v) {
  return std::string(reinterpret_cast<const char*>(&v), 4);
}
std::string Le64(int64_t v) {
  return std::string(reinterpret_cast<const char*>(&v), 8);
}

// `file` with its footer replaced by what `edit` makes of it; the column chunks stay as they are.
std::string WithFooter(const std::string& file, const std::function<void(FileMetaData*)>& edit) {
  uint32_t len;
  std::memcpy(&len, file.data() + file.size() - 8, 4);
  auto md = ParseFileMetaData(std::string_view(file).substr(file.size() - 8 - len, len));
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  edit(&*md);
  std::string out = file.substr(0, file.size() - 8 - len);
  std::string footer;
  SerializeFileMetaData(*md, &footer);
  out += footer;
  const uint32_t n = static_cast<uint32_t>(footer.size());
  out.append(reinterpret_cast<const char*>(&n), 4);
  out += "PAR1";
  return out;
}

TEST(ParquetWriter, DecimalsUpToPrecision9AreInt32AndUpTo18Int64) {
  Schema schema;
  schema.fields = {{"small", {ColumnType::kDecimal, 9, 2}, true, 1}, {"big", {ColumnType::kDecimal, 18, 4}, false, 2}};
  std::vector<ColumnVector> cols{ColumnVector(schema.fields[0].type), ColumnVector(schema.fields[1].type)};
  cols[0].Append<int64_t>(12345);
  cols[0].Append<int64_t>(-99999);
  cols[0].AppendNull();
  cols[0].Append<int64_t>(999999999);
  for (int64_t v : {int64_t{1}, int64_t{-5}, int64_t{7}, int64_t{123456789012345678}}) cols[1].Append<int64_t>(v);
  ParquetWriterOptions o;
  o.row_group_rows = 2;  // file bounds merged across row groups
  ParquetWriter writer(schema, o);
  ASSERT_TRUE(writer.Write(cols).ok());
  auto file = writer.Finish();
  ASSERT_TRUE(file.ok());
  auto reader = ParquetReader::Open(*file, "dec.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const SchemaElement& small = reader->metadata().schema[1];
  EXPECT_EQ(small.type, Type::kInt32);
  EXPECT_EQ(small.converted_type, ConvertedType::kDecimal);
  ASSERT_TRUE(small.logical_type);
  EXPECT_EQ(small.logical_type->kind, LogicalType::Kind::kDecimal);
  EXPECT_EQ(small.logical_type->decimal_precision, 9);
  EXPECT_EQ(small.logical_type->decimal_scale, 2);
  EXPECT_EQ(reader->metadata().schema[2].type, Type::kInt64);
  EXPECT_EQ(reader->schema().fields[0].type, (DataType{ColumnType::kDecimal, 9, 2}));
  const auto back = ReadAll(*file, schema);
  EXPECT_EQ(back[0], cols[0]);
  EXPECT_EQ(back[1], cols[1]);
  // Chunk statistics and the file's bounds are PLAIN in the physical type: 4 bytes for the INT32 column.
  auto chunk = reader->Stats(0, 0);
  EXPECT_EQ(chunk.min, Le32(-99999));
  EXPECT_EQ(chunk.max, Le32(12345));
  const auto& fs = writer.column_stats();
  EXPECT_TRUE(fs[0].has_bounds);
  EXPECT_EQ(fs[0].lower, Le32(-99999));
  EXPECT_EQ(fs[0].upper, Le32(999999999));
  EXPECT_EQ(fs[0].nulls, 1);
  EXPECT_EQ(fs[1].lower, Le64(-5));
  EXPECT_EQ(fs[1].upper, Le64(123456789012345678));
}

TEST(ParquetWriter, RejectsDecimalsWithMoreDigitsThanTheirPrecision) {
  Schema schema;
  schema.fields = {{"small", {ColumnType::kDecimal, 9, 2}, true, 1}};
  for (int64_t bad : {int64_t{1000000000}, int64_t{-1000000000}, int64_t{1} << 40}) {
    ParquetWriter writer(schema, {});
    std::vector<ColumnVector> cols{ColumnVector(schema.fields[0].type)};
    cols[0].Append<int64_t>(999999999);
    cols[0].Append<int64_t>(bad);
    EXPECT_EQ(writer.Write(cols).message(),
              fmt::format("parquet writer: row 1 of column small: unscaled value {} has more digits than "
                          "decimal(9,2) holds",
                          bad));
  }
}

TEST(ParquetReader, ReadsDecimalsOfSmallPrecisionStoredAsInt64) {
  // floe wrote decimal(P <= 9) as INT64 before it followed Iceberg's mapping; such files still read.
  Schema schema;
  schema.fields = {{"d", {ColumnType::kDecimal, 18, 2}, true, 1}};
  std::vector<ColumnVector> cols{ColumnVector(schema.fields[0].type)};
  for (int64_t v : {int64_t{-123456789}, int64_t{0}, int64_t{42}}) cols[0].Append<int64_t>(v);
  cols[0].AppendNull();
  ParquetWriter writer(schema, {});
  ASSERT_TRUE(writer.Write(cols).ok());
  const std::string file = WithFooter(*writer.Finish(), [](FileMetaData* md) {
    md->schema[1].precision = 9;
    md->schema[1].logical_type->decimal_precision = 9;
  });
  auto reader = ParquetReader::Open(file, "old.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(reader->metadata().schema[1].type, Type::kInt64);
  EXPECT_EQ(reader->schema().fields[0].type, (DataType{ColumnType::kDecimal, 9, 2}));
  auto got = reader->ReadRowGroup(0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (size_t r = 0; r < 3; ++r) EXPECT_EQ((*got)[0].value<int64_t>(r), cols[0].value<int64_t>(r));
  EXPECT_TRUE((*got)[0].IsNull(3));
}

// --- columns floe cannot read ---

// a: long, b: string, c: double, d: long; the footer is then edited into another shape.
std::string FourColumns(std::vector<ColumnVector>* cols) {
  Schema schema;
  schema.fields = {{"a", {ColumnType::kInt64}, true, 1},
                   {"b", {ColumnType::kString}, true, 2},
                   {"c", {ColumnType::kDouble}, true, 3},
                   {"d", {ColumnType::kInt64}, true, 4}};
  *cols = Rows(schema, 100, 3);
  ParquetWriter writer(schema, {});
  EXPECT_TRUE(writer.Write(*cols).ok());
  return *writer.Finish();
}

TEST(ParquetReader, OpensFilesWithColumnsItCannotReadAndFailsOnlyWhenTheyAreRead) {
  std::vector<ColumnVector> cols;
  const std::string file = WithFooter(FourColumns(&cols), [](FileMetaData* md) {
    // b moves into a group g; d becomes a decimal of a precision floe does not read.
    SchemaElement g;
    g.name = "g";
    g.repetition_type = FieldRepetitionType::kOptional;
    g.num_children = 1;
    md->schema.insert(md->schema.begin() + 2, g);
    md->schema[5].logical_type = LogicalType{};
    md->schema[5].logical_type->kind = LogicalType::Kind::kDecimal;
    md->schema[5].logical_type->decimal_precision = 38;
    md->schema[5].logical_type->decimal_scale = 2;
  });
  auto reader = ParquetReader::Open(file, "extra.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ(reader->schema().fields.size(), 4u);
  EXPECT_EQ(reader->schema().fields[1].name, "g.b");
  EXPECT_EQ(reader->schema().fields[1].field_id, 2);
  EXPECT_TRUE(reader->column_status(0).ok());
  EXPECT_TRUE(reader->column_status(2).ok());
  const Status nested = reader->column_status(1);
  EXPECT_EQ(nested.code(), StatusCode::kUnsupported);
  EXPECT_EQ(nested.message(), "extra.parquet: column g.b is nested or repeated; floe reads flat schemas");
  const Status decimal = reader->column_status(3);
  EXPECT_EQ(decimal.code(), StatusCode::kUnsupported);
  EXPECT_EQ(decimal.message(), "extra.parquet: column d: decimal precision 38 (floe reads up to 18)");
  EXPECT_EQ(reader->column_element(1).name, "b");
  EXPECT_EQ(reader->column_element(2).name, "c");
  EXPECT_FALSE(reader->Stats(0, 1).min);

  // The readable columns read; asking for another fails with its error.
  auto some = reader->ReadRowGroup(0, {2, 0});
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  EXPECT_EQ((*some)[0], cols[2]);
  EXPECT_EQ((*some)[1], cols[0]);
  auto all = reader->ReadRowGroup(0);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().message(), nested.message());
  auto d = reader->ReadRowGroup(0, {3});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), decimal.message());
}

TEST(ParquetReader, ARepeatedColumnFailsOnlyWhenRead) {
  std::vector<ColumnVector> cols;
  const std::string file = WithFooter(
      FourColumns(&cols), [](FileMetaData* md) { md->schema[3].repetition_type = FieldRepetitionType::kRepeated; });
  auto reader = ParquetReader::Open(file, "rep.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(reader->column_status(2).message(), "rep.parquet: column c is nested or repeated; floe reads flat schemas");
  auto rest = reader->ReadRowGroup(0, {0, 1, 3});
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ((*rest)[2], cols[3]);
}

TEST(ParquetReader, MalformedSchemaTreesAreCorruption) {
  std::vector<ColumnVector> cols;
  const std::string base = FourColumns(&cols);
  auto open_error = [](const std::string& file) {
    auto r = ParquetReader::Open(file, "tree.parquet");
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(open_error(WithFooter(base, [](FileMetaData* md) { md->schema[0].num_children = 5; })),
            "tree.parquet: footer: the root has 5 children but 4 schema elements follow");
  EXPECT_EQ(open_error(WithFooter(base, [](FileMetaData* md) { md->schema[0].num_children = 3; })),
            "tree.parquet: footer: the root has 3 children but 4 schema elements follow");
  // A group promising more children than follow.
  EXPECT_EQ(open_error(WithFooter(base,
                                  [](FileMetaData* md) {
                                    SchemaElement g;
                                    g.name = "g";
                                    g.num_children = 4;
                                    md->schema.insert(md->schema.begin() + 3, g);
                                  })),
            "tree.parquet: footer: group g (schema element 3) has 4 children but the schema ends after 2");
  EXPECT_EQ(open_error(WithFooter(base, [](FileMetaData* md) { md->schema[2].num_children = -1; })),
            "tree.parquet: footer: schema element 2 (b) has -1 children");
}

TEST(ParquetReader, DictionaryIndexPastTheDictionaryIsCorruption) {
  Schema schema;
  schema.fields = {{"s", {ColumnType::kString}, false, 1}};
  std::vector<ColumnVector> cols{ColumnVector(schema.fields[0].type)};
  for (const char* v : {"x", "y", "z", "x", "z"}) cols[0].AppendString(v);
  ParquetWriterOptions o;
  o.codec = CompressionCodec::kUncompressed;
  ParquetWriter writer(schema, o);
  ASSERT_TRUE(writer.Write(cols).ok());
  std::string file = *writer.Finish();
  // The dictionary page now says it holds one value, so indices 1 and 2 point past it.
  auto reader = ParquetReader::Open(file, "dict.parquet");
  ASSERT_TRUE(reader.ok());
  const int64_t at = *reader->metadata().row_groups[0].columns[0].meta_data->dictionary_page_offset;
  size_t header_size = 0;
  auto header = ParsePageHeader(std::string_view(file).substr(static_cast<size_t>(at)), &header_size);
  ASSERT_TRUE(header.ok());
  ASSERT_EQ(header->dictionary_page_header->num_values, 3);
  header->dictionary_page_header->num_values = 1;
  std::string patched;
  SerializePageHeader(*header, &patched);
  ASSERT_EQ(patched.size(), header_size);
  file.replace(static_cast<size_t>(at), header_size, patched);
  auto bad = ParquetReader::Open(file, "dict.parquet");
  ASSERT_TRUE(bad.ok());
  auto got = bad->ReadRowGroup(0);
  ASSERT_FALSE(got.ok());
  const std::string m = got.status().message();
  EXPECT_EQ(m.rfind("dict.parquet: row group 0, column s: DATA_PAGE at byte ", 0), 0u) << m;
  EXPECT_NE(m.find(": dictionary index 1 of a 1-value dictionary"), std::string::npos) << m;
}

// --- threads ---

TEST(ParquetWriter, ThreadsWriteTheSameFile) {
  const Schema schema = AllTypes();
  const auto cols = Rows(schema, 7000, 11);
  ParquetWriterOptions o;
  o.row_group_rows = 3000;
  o.page_rows = 500;
  ParquetWriter one(schema, o);
  ASSERT_TRUE(one.Write(cols).ok());
  o.threads = 3;
  ParquetWriter three(schema, o);
  ASSERT_TRUE(three.Write(cols).ok());
  const std::string a = *one.Finish(), b = *three.Finish();
  EXPECT_EQ(a, b);
  for (size_t c = 0; c < schema.fields.size(); ++c) {
    EXPECT_EQ(one.column_stats()[c].lower, three.column_stats()[c].lower);
    EXPECT_EQ(one.column_stats()[c].compressed_bytes, three.column_stats()[c].compressed_bytes);
  }
}

TEST(ParquetReader, ThreadsReadTheSameColumnsAndTheSameErrors) {
  const Schema schema = AllTypes();
  const auto cols = Rows(schema, 5000, 5);
  ParquetWriter writer(schema, {});
  ASSERT_TRUE(writer.Write(cols).ok());
  const std::string file = *writer.Finish();
  ParquetReaderOptions options;
  options.threads = 4;
  auto reader = ParquetReader::Open(file, "mt.parquet", options);
  ASSERT_TRUE(reader.ok());
  auto got = reader->ReadRowGroup(0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  for (size_t c = 0; c < cols.size(); ++c) EXPECT_EQ((*got)[c], cols[c]) << schema.fields[c].name;
  auto picked = reader->ReadRowGroup(0, {5, 1});
  ASSERT_TRUE(picked.ok());
  EXPECT_EQ((*picked)[0], cols[5]);
  EXPECT_EQ((*picked)[1], cols[1]);

  std::vector<ColumnVector> four;
  const std::string nested = WithFooter(FourColumns(&four), [](FileMetaData* md) {
    md->schema[2].repetition_type = FieldRepetitionType::kRepeated;
    md->schema[4].repetition_type = FieldRepetitionType::kRepeated;
  });
  auto bad = ParquetReader::Open(nested, "mt.parquet", options);
  ASSERT_TRUE(bad.ok());
  auto failed = bad->ReadRowGroup(0, {0, 3, 1, 2});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "mt.parquet: column d is nested or repeated; floe reads flat schemas")
      << "the first failing column in the order asked for";
}

// Pages whose rows are all null, all present or mixed, in every encoding path, with the page boundaries inside
// runs of nulls.
TEST(ParquetReader, NullsAtPageEdgesInEveryPath) {
  Schema schema;
  schema.fields = {{"s", {ColumnType::kString}, true, 1},
                   {"l", {ColumnType::kInt64}, true, 2},
                   {"b", {ColumnType::kBoolean}, true, 3}};
  std::vector<ColumnVector> cols{ColumnVector(schema.fields[0].type), ColumnVector(schema.fields[1].type),
                                 ColumnVector(schema.fields[2].type)};
  for (int r = 0; r < 1000; ++r) {
    const bool null = (r >= 100 && r < 300) || r % 37 == 5 || r >= 950;
    for (auto& c : cols) {
      if (null) {
        c.AppendNull();
      } else if (c.type().id == ColumnType::kString) {
        c.AppendString(r % 3 == 0 ? "a-long-value-" + std::to_string(r) : "v" + std::to_string(r % 5));
      } else if (c.type().id == ColumnType::kInt64) {
        c.Append<int64_t>(r % 4 == 0 ? r * 1000003LL : r % 6);
      } else {
        c.Append<uint8_t>(r % 3 == 0);
      }
    }
  }
  for (bool dictionary : {true, false}) {
    ParquetWriterOptions o;
    o.dictionary = dictionary;
    o.page_rows = 100;
    ParquetWriter writer(schema, o);
    ASSERT_TRUE(writer.Write(cols).ok());
    const std::string file = *writer.Finish();
    const auto back = ReadAll(file, schema);
    for (size_t c = 0; c < cols.size(); ++c) EXPECT_EQ(back[c], cols[c]) << schema.fields[c].name << dictionary;
    // As read, null rows hold zero (column_vector.h) and an empty string.
    auto reader = ParquetReader::Open(file, "nulls.parquet");
    ASSERT_TRUE(reader.ok());
    auto got = reader->ReadRowGroup(0);
    ASSERT_TRUE(got.ok());
    for (size_t r = 0; r < 1000; ++r) {
      if (!cols[0].IsNull(r)) continue;
      EXPECT_EQ((*got)[0].string(r), "") << r;
      EXPECT_EQ((*got)[1].values<int64_t>()[r], 0) << r;
      EXPECT_EQ((*got)[2].values<uint8_t>()[r], 0) << r;
    }
  }
}

// --- Page statistics and the page index ---

template <typename T>
T Plain(const std::string& b) {
  T v{};
  EXPECT_EQ(b.size(), sizeof(T));
  std::memcpy(&v, b.data(), std::min(b.size(), sizeof(T)));
  return v;
}

std::string WriteFile(const Schema& schema, const std::vector<ColumnVector>& cols, const ParquetWriterOptions& o) {
  ParquetWriter writer(schema, o);
  EXPECT_TRUE(writer.Write(cols).ok());
  auto file = writer.Finish();
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  return file.ok() ? *file : std::string();
}

// Pages of 100 rows: x (int64) rises with nulls, the third page all null; s (string) has an all-null page too;
// d (double) has NaNs among its values, zeros of both signs, and a page of NaN and nulls only in the second group.
struct PagedColumns {
  Schema schema;
  std::vector<ColumnVector> cols;
};

PagedColumns MakePagedColumns(size_t rows, bool nan_only_page) {
  PagedColumns p;
  p.schema.fields = {{"x", {ColumnType::kInt64}, true, 1},
                     {"s", {ColumnType::kString}, true, 2},
                     {"d", {ColumnType::kDouble}, true, 3}};
  for (const Field& f : p.schema.fields) p.cols.emplace_back(f.type);
  for (size_t r = 0; r < rows; ++r) {
    const size_t page = r / 100;
    if (page == 2 || r % 9 == 0) {
      p.cols[0].AppendNull();
    } else {
      p.cols[0].Append<int64_t>(static_cast<int64_t>(r) * 3 - 200);
    }
    if (page == 1) {
      p.cols[1].AppendNull();
    } else {
      p.cols[1].AppendString(fmt::format("k{:03}", (r * 37) % 1000));
    }
    if (nan_only_page && page == 3) {
      if (r % 2 == 0) {
        p.cols[2].AppendNull();
      } else {
        p.cols[2].Append<double>(std::nan(""));
      }
    } else if (r % 10 == 3) {
      p.cols[2].Append<double>(std::nan(""));
    } else if (r % 10 == 4) {
      p.cols[2].Append<double>(r % 20 == 4 ? 0.0 : -0.0);
    } else {
      p.cols[2].Append<double>(static_cast<double>(r % 50) - 10.5);
    }
  }
  return p;
}

// What a page [first, first + rows) of `col` should say: its null count, and its min/max (PLAIN), by brute force.
struct ExpectedPage {
  int64_t nulls = 0, nans = 0;
  std::optional<std::string> min, max;
};

ExpectedPage BruteForce(const ColumnVector& col, size_t first, size_t rows) {
  ExpectedPage e;
  for (size_t r = first; r < first + rows; ++r) {
    if (col.IsNull(r)) {
      ++e.nulls;
      continue;
    }
    std::string v;
    switch (col.type().id) {
      case ColumnType::kInt64: {
        const int64_t x = col.value<int64_t>(r);
        v.assign(reinterpret_cast<const char*>(&x), 8);
        if (!e.min || x < Plain<int64_t>(*e.min)) e.min = v;
        if (!e.max || x > Plain<int64_t>(*e.max)) e.max = v;
        break;
      }
      case ColumnType::kDouble: {
        const double x = col.value<double>(r);
        if (std::isnan(x)) {
          ++e.nans;
          break;
        }
        double lo = x == 0 ? -0.0 : x, hi = x == 0 ? 0.0 : x;
        if (!e.min || lo < Plain<double>(*e.min)) e.min = std::string(reinterpret_cast<const char*>(&lo), 8);
        if (!e.max || hi > Plain<double>(*e.max)) e.max = std::string(reinterpret_cast<const char*>(&hi), 8);
        break;
      }
      default: {
        const std::string s(col.string(r));
        if (!e.min || s < *e.min) e.min = s;
        if (!e.max || s > *e.max) e.max = s;
        break;
      }
    }
  }
  return e;
}

// `from_index`: per column, whether its figures come from a column index.
void ExpectPagesDescribeTheData(const std::string& file, const PagedColumns& p, std::vector<bool> from_index) {
  auto reader = ParquetReader::Open(file, "pages.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  size_t group_first = 0;
  for (int g = 0; g < reader->num_row_groups(); ++g) {
    for (int c = 0; c < 3; ++c) {
      SCOPED_TRACE(fmt::format("row group {} column {}", g, p.schema.fields[c].name));
      auto pages = reader->PageStatistics(g, c);
      ASSERT_TRUE(pages.ok()) << pages.status().ToString();
      EXPECT_EQ(pages->from_page_index, from_index[static_cast<size_t>(c)]);
      int64_t next_row = 0;
      for (size_t i = 0; i < pages->pages.size(); ++i) {
        const auto& page = pages->pages[i];
        EXPECT_EQ(page.first_row, next_row);
        next_row += page.rows;
        const ExpectedPage want = BruteForce(p.cols[c], group_first + page.first_row, page.rows);
        EXPECT_EQ(page.null_count, want.nulls) << "page " << i;
        EXPECT_EQ(page.null_page, want.nulls == page.rows) << "page " << i;
        EXPECT_EQ(page.min, want.min) << "page " << i;
        EXPECT_EQ(page.max, want.max) << "page " << i;
      }
      EXPECT_EQ(next_row, reader->row_group_rows(g));
    }
    group_first += static_cast<size_t>(reader->row_group_rows(g));
  }
}

TEST(ParquetPageStatistics, PageIndexAndPageHeadersDescribeEveryPage) {
  const PagedColumns p = MakePagedColumns(1000, false);
  for (bool dictionary : {true, false}) {
    ParquetWriterOptions o;
    o.page_rows = 100;
    o.row_group_rows = 600;
    o.dictionary = dictionary;
    const std::string with_index = WriteFile(p.schema, p.cols, o);
    ExpectPagesDescribeTheData(with_index, p, {true, true, true});
    o.page_index = false;
    const std::string without = WriteFile(p.schema, p.cols, o);
    ExpectPagesDescribeTheData(without, p, {false, false, false});  // the same figures, from the page headers
    EXPECT_LT(without.size(), with_index.size());

    auto reader = ParquetReader::Open(with_index, "pages.parquet");
    ASSERT_TRUE(reader.ok());
    for (const RowGroup& rg : reader->metadata().row_groups) {
      for (const ColumnChunk& cc : rg.columns) {
        EXPECT_TRUE(cc.column_index_offset && cc.column_index_length && cc.offset_index_offset &&
                    cc.offset_index_length);
        // The page index lies between the last column chunk and the footer.
        const ColumnMetaData& last = *reader->metadata().row_groups.back().columns.back().meta_data;
        EXPECT_GE(*cc.column_index_offset, last.data_page_offset + 1);
      }
    }
  }
}

TEST(ParquetPageStatistics, ChunkStatisticsAreThePagesMerged) {
  const PagedColumns p = MakePagedColumns(1000, false);
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(p.schema, p.cols, o);
  auto reader = ParquetReader::Open(file, "pages.parquet");
  ASSERT_TRUE(reader.ok());
  for (int c = 0; c < 3; ++c) {
    const ExpectedPage want = BruteForce(p.cols[c], 0, 1000);
    const auto chunk = reader->Stats(0, c);
    EXPECT_EQ(chunk.min, want.min) << c;
    EXPECT_EQ(chunk.max, want.max) << c;
    EXPECT_EQ(chunk.null_count, want.nulls) << c;
    const auto& st = *reader->metadata().row_groups[0].columns[c].meta_data->statistics;
    if (c == 2) {
      EXPECT_EQ(st.nan_count, want.nans);
    } else {
      EXPECT_FALSE(st.nan_count) << "nan_count is for floats only";
    }
  }
}

TEST(ParquetPageStatistics, PageHeadersCarryStatisticsAsParquetCppWritesThem) {
  const PagedColumns p = MakePagedColumns(300, false);
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(p.schema, p.cols, o);
  auto reader = ParquetReader::Open(file, "pages.parquet");
  ASSERT_TRUE(reader.ok());
  auto pages = reader->PageStatistics(0, 2);
  ASSERT_TRUE(pages.ok());
  for (int c = 0; c < 3; ++c) {
    auto chunk_pages = reader->PageStatistics(0, c);
    ASSERT_TRUE(chunk_pages.ok());
    for (const auto& page : chunk_pages->pages) {
      size_t header_size = 0;
      auto h = ParsePageHeader(std::string_view(file).substr(static_cast<size_t>(page.offset)), &header_size);
      ASSERT_TRUE(h.ok());
      ASSERT_TRUE(h->data_page_header && h->data_page_header->statistics);
      const Statistics& s = *h->data_page_header->statistics;
      EXPECT_EQ(static_cast<int64_t>(header_size) + h->compressed_page_size, page.compressed_size);
      EXPECT_EQ(s.null_count, page.null_count);
      EXPECT_EQ(s.min_value, page.min);
      // The deprecated signed min/max beside them for all but strings; nan_count for floats only.
      EXPECT_EQ(s.min.has_value(), c != 1 && s.min_value.has_value());
      EXPECT_EQ(s.nan_count.has_value(), c == 2);
    }
  }
}

TEST(ParquetPageStatistics, AllNullPagesAreNullPagesWithEmptyBounds) {
  const PagedColumns p = MakePagedColumns(500, false);
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(p.schema, p.cols, o);
  auto reader = ParquetReader::Open(file, "pages.parquet");
  ASSERT_TRUE(reader.ok());
  const ColumnChunk& cc = reader->metadata().row_groups[0].columns[1];
  auto ci = ParseColumnIndex(
      std::string_view(file).substr(static_cast<size_t>(*cc.column_index_offset), *cc.column_index_length));
  ASSERT_TRUE(ci.ok()) << ci.status().ToString();
  ASSERT_EQ(ci->null_pages.size(), 5u);
  EXPECT_EQ(ci->null_pages, (std::vector<bool>{false, true, false, false, false}));
  EXPECT_EQ(ci->min_values[1], "");
  EXPECT_EQ(ci->max_values[1], "");
  EXPECT_EQ(ci->null_counts, (std::vector<int64_t>{0, 100, 0, 0, 0}));
  EXPECT_TRUE(ci->nan_counts.empty());
  auto pages = reader->PageStatistics(0, 1);
  ASSERT_TRUE(pages.ok());
  EXPECT_TRUE(pages->pages[1].null_page);
  EXPECT_FALSE(pages->pages[1].min);
}

TEST(ParquetPageStatistics, APageOfOnlyNaNsHasNoColumnIndexButItsHeadersStillCount) {
  const PagedColumns p = MakePagedColumns(500, true);
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(p.schema, p.cols, o);
  auto reader = ParquetReader::Open(file, "pages.parquet");
  ASSERT_TRUE(reader.ok());
  const ColumnChunk& d = reader->metadata().row_groups[0].columns[2];
  EXPECT_FALSE(d.column_index_offset) << "TYPE_ORDER leaves no bounds for a page of NaNs";
  EXPECT_TRUE(d.offset_index_offset);
  EXPECT_TRUE(reader->metadata().row_groups[0].columns[0].column_index_offset);
  auto pages = reader->PageStatistics(0, 2);
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  EXPECT_FALSE(pages->from_page_index);
  ASSERT_EQ(pages->pages.size(), 5u);
  EXPECT_FALSE(pages->pages[3].min);
  EXPECT_EQ(pages->pages[3].null_count, 50);
  EXPECT_FALSE(pages->pages[3].null_page);
  size_t header_size = 0;
  auto h = ParsePageHeader(std::string_view(file).substr(static_cast<size_t>(pages->pages[3].offset)), &header_size);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->data_page_header->statistics->nan_count, 50);
  EXPECT_FALSE(h->data_page_header->statistics->min_value);
  ExpectPagesDescribeTheData(file, p, {true, true, false});  // d's figures come from its page headers
}

TEST(ParquetPageStatistics, BoundaryOrderFollowsThePages) {
  Schema schema;
  schema.fields = {{"up", {ColumnType::kInt32}, false, 1},
                   {"down", {ColumnType::kString}, false, 2},
                   {"mixed", {ColumnType::kFloat}, true, 3},
                   {"same", {ColumnType::kInt64}, true, 4}};
  std::vector<ColumnVector> cols;
  for (const Field& f : schema.fields) cols.emplace_back(f.type);
  for (int r = 0; r < 1000; ++r) {
    cols[0].Append<int32_t>(r / 3);
    cols[1].AppendString(fmt::format("{:04}", 5000 - r));
    cols[2].Append<float>(static_cast<float>((r / 100 * 7) % 10 * 100 + r % 100));  // pages at 0, 700, 400, ...
    if (r < 300) {
      cols[3].AppendNull();  // null pages between equal ones do not break an order
    } else {
      cols[3].Append<int64_t>(7);
    }
  }
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(schema, cols, o);
  auto reader = ParquetReader::Open(file, "order.parquet");
  ASSERT_TRUE(reader.ok());
  const BoundaryOrder want[] = {BoundaryOrder::kAscending, BoundaryOrder::kDescending, BoundaryOrder::kUnordered,
                                BoundaryOrder::kAscending};
  for (int c = 0; c < 4; ++c) {
    auto pages = reader->PageStatistics(0, c);
    ASSERT_TRUE(pages.ok());
    EXPECT_EQ(pages->boundary_order, want[c]) << schema.fields[c].name;
  }
}

TEST(ParquetPageStatistics, LongStringBoundsAreTruncatedOnPagesButNotOnChunks) {
  Schema schema;
  schema.fields = {{"s", {ColumnType::kString}, false, 1}, {"b", {ColumnType::kBinary}, false, 2}};
  std::vector<ColumnVector> cols{ColumnVector({ColumnType::kString}), ColumnVector({ColumnType::kBinary})};
  // 62 ASCII bytes then 'ä' (2 bytes) and 'ü': a 64-byte cut splits nothing, a 63-byte one would split 'ä'.
  const std::string head(62, 'a');
  const std::string lo = head + "\xC3\xA4" + "\xC3\xBC" + "zz";
  // 58 bytes, 'ä', U+10FFFF and more: the 64-byte prefix ends in U+10FFFF, which cannot be incremented.
  const std::string hi = std::string(58, 'a') + "\xC3\xA4" + "\xF4\x8F\xBF\xBF" + "q";
  const std::string bin_lo = std::string(70, '\x01');
  const std::string bin_hi = std::string(70, '\xFF');  // no shorter upper bound exists
  for (int r = 0; r < 10; ++r) {
    cols[0].AppendString(r % 2 == 0 ? lo : hi);
    cols[1].AppendString(r % 2 == 0 ? bin_lo : bin_hi);
  }
  ParquetWriterOptions o;
  const std::string file = WriteFile(schema, cols, o);
  auto reader = ParquetReader::Open(file, "long.parquet");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->Stats(0, 0).min, lo);
  EXPECT_EQ(reader->Stats(0, 0).max, hi);
  auto s = reader->PageStatistics(0, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->pages[0].min, head + "\xC3\xA4");
  EXPECT_EQ(s->pages[0].max, std::string(58, 'a') + "\xC3\xA5") << "U+10FFFF carries into 'ä', which becomes 'å'";
  EXPECT_LE(*s->pages[0].min, lo);
  EXPECT_GT(*s->pages[0].max, hi);
  auto b = reader->PageStatistics(0, 1);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->pages[0].min, std::string(64, '\x01'));
  EXPECT_EQ(b->pages[0].max, bin_hi) << "kept whole";

  const auto& loc = b->pages[0];
  size_t header_size = 0;
  auto h = ParsePageHeader(std::string_view(file).substr(static_cast<size_t>(loc.offset)), &header_size);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->data_page_header->statistics->is_min_value_exact, false);
  EXPECT_FALSE(h->data_page_header->statistics->is_max_value_exact);

  o.page_stats_max_bytes = 0;  // no truncation
  const std::string whole = WriteFile(schema, cols, o);
  auto r2 = ParquetReader::Open(whole, "whole.parquet");
  ASSERT_TRUE(r2.ok());
  auto s2 = r2->PageStatistics(0, 0);
  ASSERT_TRUE(s2.ok());
  EXPECT_EQ(s2->pages[0].min, lo);
  EXPECT_EQ(s2->pages[0].max, hi);
}

TEST(ParquetPageStatistics, BadPageIndexLocationsAreErrorsNamingFileRowGroupAndColumn) {
  const PagedColumns p = MakePagedColumns(500, false);
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(p.schema, p.cols, o);
  using Edit = std::function<void(ColumnChunk*)>;
  const std::vector<std::pair<Edit, std::string>> cases = {
      {[](ColumnChunk* c) { *c->column_index_offset = 1 << 30; }, "column index at byte 1073741824 of"},
      {[](ColumnChunk* c) { *c->offset_index_length = -5; }, "offset index at byte"},
      {[](ColumnChunk* c) { c->column_index_length.reset(); }, "column index has an offset or a length but not both"},
      {[](ColumnChunk* c) { *c->column_index_length -= 1; }, "parquet column index: "},
      {[](ColumnChunk* c) { *c->offset_index_length += 1; }, "parquet offset index: "},
      {[](ColumnChunk* c) { *c->offset_index_offset = *c->column_index_offset; }, "offset index"},
      {[](ColumnChunk* c) { *c->column_index_offset = 4; }, "column index"},
  };
  for (const auto& [edit, want] : cases) {
    const std::string bad = WithFooter(file, [&](FileMetaData* md) { edit(&md->row_groups[0].columns[1]); });
    auto reader = ParquetReader::Open(bad, "bad.parquet");
    ASSERT_TRUE(reader.ok()) << "the page index is not read until asked for";
    auto pages = reader->PageStatistics(0, 1);
    ASSERT_FALSE(pages.ok()) << want;
    EXPECT_EQ(pages.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(pages.status().message().rfind("bad.parquet: row group 0, column s: ", 0), 0u)
        << pages.status().message();
    EXPECT_NE(pages.status().message().find(want), std::string::npos) << pages.status().message();
    EXPECT_TRUE(reader->ReadRowGroup(0).ok()) << "the data still reads";
  }
}

TEST(ParquetPageStatistics, PageIndexesThatDisagreeWithTheChunkAreErrors) {
  const PagedColumns p = MakePagedColumns(500, false);
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(p.schema, p.cols, o);
  auto reader = ParquetReader::Open(file, "f.parquet");
  ASSERT_TRUE(reader.ok());
  const ColumnChunk& cc = reader->metadata().row_groups[0].columns[0];
  auto oi = ParseOffsetIndex(
      std::string_view(file).substr(static_cast<size_t>(*cc.offset_index_offset), *cc.offset_index_length));
  auto ci = ParseColumnIndex(
      std::string_view(file).substr(static_cast<size_t>(*cc.column_index_offset), *cc.column_index_length));
  ASSERT_TRUE(oi.ok() && ci.ok());
  // A replacement index appended after the data, pointed at from the footer.
  auto with = [&](const OffsetIndex& o2, const ColumnIndex& c2) {
    std::string body = file.substr(
        0, file.size() - 8 - [&] {
          uint32_t len;
          std::memcpy(&len, file.data() + file.size() - 8, 4);
          return len;
        }());
    const int64_t oi_at = static_cast<int64_t>(body.size());
    std::string bytes;
    SerializeOffsetIndex(o2, &bytes);
    const auto oi_len = static_cast<int32_t>(bytes.size());
    SerializeColumnIndex(c2, &bytes);
    const auto ci_len = static_cast<int32_t>(bytes.size()) - oi_len;
    std::string tail = body + bytes + file.substr(body.size());
    return WithFooter(tail, [&](FileMetaData* md) {
      ColumnChunk& c = md->row_groups[0].columns[0];
      c.offset_index_offset = oi_at;
      c.offset_index_length = oi_len;
      c.column_index_offset = oi_at + oi_len;
      c.column_index_length = ci_len;
    });
  };
  {
    const std::string same = with(*oi, *ci);
    auto r = ParquetReader::Open(same, "f.parquet");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->PageStatistics(0, 0).ok()) << "the rewriting itself is sound";
  }
  std::vector<std::pair<std::function<void(OffsetIndex*, ColumnIndex*)>, std::string>> cases = {
      {[](OffsetIndex* o2, ColumnIndex*) { o2->page_locations[2].offset += 100000; }, "runs past the column chunk"},
      {[](OffsetIndex* o2, ColumnIndex*) { o2->page_locations[2].offset = 0; }, "runs past the column chunk"},
      {[](OffsetIndex* o2, ColumnIndex*) { o2->page_locations[1].compressed_page_size = 0; }, "page 1"},
      {[](OffsetIndex* o2, ColumnIndex*) { std::swap(o2->page_locations[1], o2->page_locations[2]); }, "page 2"},
      {[](OffsetIndex* o2, ColumnIndex*) { o2->page_locations[0].first_row_index = 5; }, "starts at row 5"},
      {[](OffsetIndex* o2, ColumnIndex*) { o2->page_locations[3].first_row_index = 100000; }, "starts at row"},
      {[](OffsetIndex* o2, ColumnIndex*) { o2->page_locations.clear(); }, "no pages"},
      {[](OffsetIndex*, ColumnIndex* c2) { c2->min_values.pop_back(); }, "4 min_values"},
      {[](OffsetIndex*, ColumnIndex* c2) { c2->null_counts.push_back(0); }, "6 null_counts"},
      {[](OffsetIndex*, ColumnIndex* c2) { c2->null_counts[0] = 1000; }, "has 1000 nulls"},
      {[](OffsetIndex*, ColumnIndex* c2) { c2->max_values[0] = "abc"; }, "bounds of 8 and 3 bytes"},
  };
  for (const auto& [edit, want] : cases) {
    OffsetIndex o2 = *oi;
    ColumnIndex c2 = *ci;
    edit(&o2, &c2);
    const std::string bad = with(o2, c2);
    auto r = ParquetReader::Open(bad, "f.parquet");
    ASSERT_TRUE(r.ok());
    auto pages = r->PageStatistics(0, 0);
    ASSERT_FALSE(pages.ok()) << want;
    EXPECT_EQ(pages.status().message().rfind("f.parquet: row group 0, column x: ", 0), 0u) << pages.status().message();
    EXPECT_NE(pages.status().message().find(want), std::string::npos) << pages.status().message();
  }
}

TEST(ParquetPageStatistics, CorruptPageIndexBytesNeverCrash) {
  const PagedColumns p = MakePagedColumns(400, false);
  ParquetWriterOptions o;
  o.page_rows = 100;
  const std::string file = WriteFile(p.schema, p.cols, o);
  auto reader = ParquetReader::Open(file, "f.parquet");
  ASSERT_TRUE(reader.ok());
  const ColumnChunk& first = reader->metadata().row_groups[0].columns[0];
  const ColumnChunk& last = reader->metadata().row_groups[0].columns[2];
  const size_t begin = static_cast<size_t>(*first.column_index_offset);
  const size_t end = static_cast<size_t>(*last.offset_index_offset + *last.offset_index_length);
  int failed = 0;
  for (size_t i = begin; i < end; ++i) {
    for (uint8_t flip : {0x01, 0x40, 0xff}) {
      std::string bad = file;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      auto r = ParquetReader::Open(bad, "f.parquet");
      ASSERT_TRUE(r.ok());
      for (int c = 0; c < 3; ++c) {
        auto pages = r->PageStatistics(0, c);
        if (!pages.ok()) {
          ++failed;
          EXPECT_EQ(pages.status().code(), StatusCode::kCorruption) << pages.status().ToString();
        }
      }
    }
  }
  EXPECT_GT(failed, 0);
}

TEST(ParquetPageStatistics, AFileWithoutStatisticsHasPagesWithoutBounds) {
  const PagedColumns p = MakePagedColumns(300, false);
  ParquetWriterOptions o;
  o.page_rows = 100;
  o.page_index = false;
  std::string file = WriteFile(p.schema, p.cols, o);
  // Strip the statistics from the first page header of x by rewriting it without them (same body).
  auto reader = ParquetReader::Open(file, "f.parquet");
  ASSERT_TRUE(reader.ok());
  auto pages = reader->PageStatistics(0, 0);
  ASSERT_TRUE(pages.ok());
  const auto& first = pages->pages[0];
  size_t header_size = 0;
  auto h = ParsePageHeader(std::string_view(file).substr(static_cast<size_t>(first.offset)), &header_size);
  ASSERT_TRUE(h.ok());
  PageHeader bare = *h;
  bare.data_page_header->statistics.reset();
  std::string header;
  SerializePageHeader(bare, &header);
  const size_t at = static_cast<size_t>(first.offset);
  const int64_t shrink = static_cast<int64_t>(header_size) - static_cast<int64_t>(header.size());
  std::string edited = file.substr(0, at) + header + file.substr(at + header_size);
  edited = WithFooter(edited, [&](FileMetaData* md) {
    for (RowGroup& rg : md->row_groups) {
      for (size_t c = 0; c < rg.columns.size(); ++c) {
        ColumnMetaData& m = *rg.columns[c].meta_data;
        if (c == 0) {
          m.total_compressed_size -= shrink;
          continue;
        }
        m.data_page_offset -= shrink;
        if (m.dictionary_page_offset) *m.dictionary_page_offset -= shrink;
      }
    }
  });
  auto r = ParquetReader::Open(edited, "f.parquet");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto back = r->PageStatistics(0, 0);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_FALSE(back->pages[0].min);
  EXPECT_FALSE(back->pages[0].null_count);
  EXPECT_TRUE(back->pages[1].min);
  auto cols = r->ReadRowGroup(0);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  EXPECT_EQ((*cols)[0], p.cols[0]);
}

}  // namespace
}  // namespace floe::parquet
