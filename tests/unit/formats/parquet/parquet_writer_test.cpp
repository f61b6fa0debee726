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

}  // namespace
}  // namespace floe::parquet
