// DataFileReader: data files read back into the table's columns by field id, through schema evolution (added
// columns read as nulls, promoted types widened, renamed columns found by id), files without field ids matched by
// name, row-group metrics in Iceberg's binary form, and the errors for missing, short, corrupt or mismatched files.
#include "floe/iceberg/data_file_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "floe/formats/parquet/parquet_writer.h"
#include "floe/iceberg/data_file_writer.h"
#include "floe/iceberg/literal_codec.h"
#include "iceberg_test_util.h"

namespace floe::iceberg {
namespace {

namespace fs = std::filesystem;
using formats::ColumnType;
using formats::ColumnVector;
using formats::DataType;

using testing::Col;
using testing::Field;
using testing::Strs;

TypePtr P(TypeId id) {
  return Type::Primitive(id);
}

// Version 1 of a table, as the files below were written.
Schema SchemaV1() {
  return Schema(0, {Field(1, "id", true, P(TypeId::kLong)), Field(2, "count", false, P(TypeId::kInt)),
                    Field(3, "temp", false, P(TypeId::kFloat)), Field(4, "price", false, Type::Decimal(9, 2)),
                    Field(5, "name", false, P(TypeId::kString))});
}

std::vector<ColumnVector> RowsV1() {
  return {Col<int64_t>({ColumnType::kInt64}, {1, 2, 3, 4, 5}),
          Col<int32_t>({ColumnType::kInt32}, {-5, std::nullopt, 7, INT32_MAX, INT32_MIN}),
          Col<float>({ColumnType::kFloat}, {1.5f, 0.0f, std::nullopt, -2.25f, std::numeric_limits<float>::quiet_NaN()}),
          Col<int64_t>({ColumnType::kDecimal, 9, 2}, {12345, -1, std::nullopt, 0, 999999999}),
          Strs({ColumnType::kString}, {"alpha", std::nullopt, "", "gamma", "beta"})};
}

class DataFileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/floe-data-reader-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `batch` as one unpartitioned data file of `schema`.
  DataFile WriteFile(const Schema& schema, const std::vector<ColumnVector>& batch, int64_t row_group_rows = 1 << 20) {
    DataFileWriterOptions options;
    options.parquet.row_group_rows = row_group_rows;
    auto writer = DataFileWriter::Make(&io_, schema, PartitionSpec{}, dir_ + "/t/data", options);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    EXPECT_TRUE(writer->Write(batch).ok());
    auto files = writer->Finish();
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    EXPECT_EQ(files->size(), 1u);
    return files->at(0);
  }

  std::vector<ColumnVector> ReadAll(const DataFile& file, const Schema& projection) {
    auto reader = DataFileReader::Open(&io_, file, projection);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return {};
    EXPECT_EQ(reader->row_groups(), 1);
    auto cols = reader->ReadRowGroup(0);
    EXPECT_TRUE(cols.ok()) << cols.status().ToString();
    return cols.ok() ? *cols : std::vector<ColumnVector>{};
  }

  std::string dir_;
  io::LocalFileIO io_;
};

TEST_F(DataFileReaderTest, ReadsBackWhatWasWrittenRowGroupByRowGroup) {
  std::vector<std::optional<int64_t>> ids, ts;
  std::vector<std::optional<double>> temps;
  std::vector<std::optional<std::string>> hosts;
  for (int64_t i = 0; i < 1000; ++i) {
    ids.push_back(i);
    ts.push_back(1'795'564'800'000'000 + i * 1'000'000);
    temps.push_back(i % 11 == 0 ? std::nullopt : std::optional<double>(static_cast<double>(i) / 4 - 100));
    hosts.push_back(i % 5 == 0 ? std::nullopt : std::optional<std::string>("host-" + std::to_string(i % 17)));
  }
  Schema schema(0, {Field(1, "id", true, P(TypeId::kLong)), Field(2, "ts", true, P(TypeId::kTimestampTz)),
                    Field(3, "temperature", false, P(TypeId::kDouble)), Field(4, "host", false, P(TypeId::kString))});
  std::vector<ColumnVector> batch = {Col<int64_t>({ColumnType::kInt64}, ids),
                                     Col<int64_t>({ColumnType::kTimestampTz}, ts),
                                     Col<double>({ColumnType::kDouble}, temps), Strs({ColumnType::kString}, hosts)};
  const DataFile file = WriteFile(schema, batch, 300);
  auto reader = DataFileReader::Open(&io_, file, schema);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ(reader->row_groups(), 4);
  EXPECT_EQ(reader->column_of_field(), (std::vector<int>{0, 1, 2, 3}));
  size_t begin = 0;
  for (int g = 0; g < 4; ++g) {
    auto cols = reader->ReadRowGroup(g);
    ASSERT_TRUE(cols.ok()) << cols.status().ToString();
    const size_t end = begin + static_cast<size_t>(reader->row_group_rows(g));
    std::vector<ColumnVector> expected = {
        Col<int64_t>({ColumnType::kInt64}, {ids.begin() + begin, ids.begin() + end}),
        Col<int64_t>({ColumnType::kTimestampTz}, {ts.begin() + begin, ts.begin() + end}),
        Col<double>({ColumnType::kDouble}, {temps.begin() + begin, temps.begin() + end}),
        Strs({ColumnType::kString}, {hosts.begin() + begin, hosts.begin() + end})};
    EXPECT_EQ(*cols, expected) << "row group " << g;
    begin = end;
  }
  EXPECT_EQ(begin, 1000u);
  auto past = reader->ReadRowGroup(4);
  EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(past.status().message(), "data file " + file.file_path + ": no row group 4 (the file has 4)");
}

TEST_F(DataFileReaderTest, ProjectionPicksAndOrdersColumnsById) {
  const DataFile file = WriteFile(SchemaV1(), RowsV1());
  Schema projection(0, {Field(5, "name", false, P(TypeId::kString)), Field(1, "id", true, P(TypeId::kLong))});
  auto reader = DataFileReader::Open(&io_, file, projection);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(reader->column_of_field(), (std::vector<int>{4, 0}));
  auto cols = reader->ReadRowGroup(0);
  ASSERT_TRUE(cols.ok());
  ASSERT_EQ(cols->size(), 2u);
  EXPECT_EQ((*cols)[0], RowsV1()[4]);
  EXPECT_EQ((*cols)[1], RowsV1()[0]);
}

TEST_F(DataFileReaderTest, SchemaEvolutionPromotesRenamesAndAddsColumns) {
  const DataFile file = WriteFile(SchemaV1(), RowsV1());
  // Version 2: count int -> long, temp float -> double, price decimal(9,2) -> decimal(12,2), name renamed to
  // hostname, and a new optional column region.
  Schema v2(1, {Field(1, "id", true, P(TypeId::kLong)), Field(2, "count", false, P(TypeId::kLong)),
                Field(3, "temp", false, P(TypeId::kDouble)), Field(4, "price", false, Type::Decimal(12, 2)),
                Field(5, "hostname", false, P(TypeId::kString)), Field(6, "region", false, P(TypeId::kString))});
  const std::vector<ColumnVector> cols = ReadAll(file, v2);
  ASSERT_EQ(cols.size(), 6u);
  EXPECT_EQ(cols[0], RowsV1()[0]);
  EXPECT_EQ(cols[1], Col<int64_t>({ColumnType::kInt64}, {-5, std::nullopt, 7, INT32_MAX, INT32_MIN}));
  ASSERT_EQ(cols[2].type(), (DataType{ColumnType::kDouble}));
  EXPECT_EQ(cols[2].value<double>(0), 1.5);
  EXPECT_EQ(cols[2].value<double>(3), -2.25);
  EXPECT_TRUE(cols[2].IsNull(2));
  EXPECT_TRUE(std::isnan(cols[2].value<double>(4)));
  EXPECT_EQ(cols[3], Col<int64_t>({ColumnType::kDecimal, 12, 2}, {12345, -1, std::nullopt, 0, 999999999}));
  EXPECT_EQ(cols[4], RowsV1()[4]);
  EXPECT_EQ(cols[5],
            Strs({ColumnType::kString}, {std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}));

  // The row group's metrics are in the table's types: the promoted int's bounds are 8-byte longs.
  auto reader = DataFileReader::Open(&io_, file, v2);
  ASSERT_TRUE(reader.ok());
  const DataFile m = reader->RowGroupMetrics(0);
  EXPECT_EQ(m.file_path, file.file_path);
  EXPECT_EQ(m.record_count, 5);
  EXPECT_EQ(m.lower_bounds.at(2), SerializeValue(Literal::Long(INT32_MIN)));
  EXPECT_EQ(m.upper_bounds.at(2), SerializeValue(Literal::Long(INT32_MAX)));
  EXPECT_EQ(m.lower_bounds.at(3), SerializeValue(Literal::Double(-2.25)));
  EXPECT_EQ(m.upper_bounds.at(3), SerializeValue(Literal::Double(1.5)));
  EXPECT_EQ(m.lower_bounds.at(4), SerializeValue(Literal::Decimal(-1, 12, 2)));
  EXPECT_EQ(m.upper_bounds.at(4), SerializeValue(Literal::Decimal(999999999, 12, 2)));
  EXPECT_EQ(m.lower_bounds.at(5), "");
  EXPECT_EQ(m.upper_bounds.at(5), "gamma");
  EXPECT_EQ(m.null_value_counts.at(5), 1);
  // The added column: all nulls, no bounds.
  EXPECT_EQ(m.value_counts.at(6), 5);
  EXPECT_EQ(m.null_value_counts.at(6), 5);
  EXPECT_EQ(m.lower_bounds.count(6), 0u);
  EXPECT_TRUE(m.nan_value_counts.empty());
}

TEST_F(DataFileReaderTest, AnAddedRequiredColumnIsCorruption) {
  const DataFile file = WriteFile(SchemaV1(), RowsV1());
  Schema v2(1, {Field(1, "id", true, P(TypeId::kLong)), Field(7, "zone", true, P(TypeId::kString))});
  auto reader = DataFileReader::Open(&io_, file, v2);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(reader.status().message(),
            "data file " + file.file_path + ": column 7 (zone): a required field, but the file has no such column");
}

TEST_F(DataFileReaderTest, ATypeTheFileCannotBeReadAsIsCorruptionNamingTheColumn) {
  const DataFile file = WriteFile(SchemaV1(), RowsV1());
  for (const auto& [field, type_name] : std::vector<std::pair<NestedField, std::string>>{
           {Field(5, "name", false, P(TypeId::kLong)), "string, which cannot be read as long"},
           {Field(2, "count", false, P(TypeId::kFloat)), "int, which cannot be read as float"},
           {Field(4, "price", false, Type::Decimal(9, 3)), "decimal(9,2), which cannot be read as decimal(9,3)"},
           {Field(4, "price", false, Type::Decimal(8, 2)), "decimal(9,2), which cannot be read as decimal(8,2)"},
           {Field(3, "temp", false, P(TypeId::kInt)), "float, which cannot be read as int"}}) {
    auto reader = DataFileReader::Open(&io_, file, Schema(1, {field}));
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.status().code(), StatusCode::kCorruption);
    EXPECT_EQ(reader.status().message(), "data file " + file.file_path + ": column " + std::to_string(field.id) + " (" +
                                             field.name + "): the file's column " +
                                             SchemaV1().FindById(field.id)->name + " is " + type_name);
  }
  auto uuid = DataFileReader::Open(&io_, file, Schema(1, {Field(9, "u", false, P(TypeId::kUuid))}));
  EXPECT_EQ(uuid.status().code(), StatusCode::kUnsupported);
  EXPECT_EQ(uuid.status().message().rfind("data file " + file.file_path + ": column 9 (u): type uuid", 0), 0u)
      << uuid.status().ToString();
}

TEST_F(DataFileReaderTest, NullsInAFieldTheTableRequiresAreCorruption) {
  const DataFile file = WriteFile(SchemaV1(), RowsV1());
  Schema strict(1, {Field(2, "count", true, P(TypeId::kInt))});
  auto reader = DataFileReader::Open(&io_, file, strict);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto cols = reader->ReadRowGroup(0);
  ASSERT_FALSE(cols.ok());
  EXPECT_EQ(cols.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(cols.status().message(),
            "data file " + file.file_path + ": column 2 (count): row 1 of row group 0 is null in a required field");
}

TEST_F(DataFileReaderTest, FilesWithoutFieldIdsAreMatchedByName) {
  // As pyarrow writes a file that knows nothing of Iceberg: no field ids in its schema.
  formats::Schema columns;
  columns.fields = {{"temperature", {ColumnType::kDouble}, true, -1}, {"id", {ColumnType::kInt64}, false, -1}};
  parquet::ParquetWriter writer(columns, {});
  ASSERT_TRUE(
      writer
          .Write({Col<double>({ColumnType::kDouble}, {20.5, std::nullopt}), Col<int64_t>({ColumnType::kInt64}, {7, 8})})
          .ok());
  auto bytes = writer.Finish();
  ASSERT_TRUE(bytes.ok());
  DataFile file;
  file.file_path = dir_ + "/imported.parquet";
  file.file_size_in_bytes = static_cast<int64_t>(bytes->size());
  ASSERT_TRUE(io_.Write(file.file_path, *bytes).ok());

  Schema table(0, {Field(10, "id", true, P(TypeId::kLong)), Field(11, "temperature", false, P(TypeId::kDouble)),
                   Field(12, "other", false, P(TypeId::kInt))});
  auto reader = DataFileReader::Open(&io_, file, table);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(reader->column_of_field(), (std::vector<int>{1, 0, -1}));
  auto cols = reader->ReadRowGroup(0);
  ASSERT_TRUE(cols.ok());
  EXPECT_EQ((*cols)[0], Col<int64_t>({ColumnType::kInt64}, {7, 8}));
  EXPECT_EQ((*cols)[1], Col<double>({ColumnType::kDouble}, {20.5, std::nullopt}));
  EXPECT_EQ((*cols)[2], Col<int32_t>({ColumnType::kInt32}, {std::nullopt, std::nullopt}));
  const DataFile m = reader->RowGroupMetrics(0);
  EXPECT_EQ(m.lower_bounds.at(10), SerializeValue(Literal::Long(7)));
  EXPECT_EQ(m.upper_bounds.at(11), SerializeValue(Literal::Double(20.5)));
}

TEST_F(DataFileReaderTest, FilesWithFieldIdsAreNeverMatchedByName) {
  const DataFile file = WriteFile(SchemaV1(), RowsV1());
  // Same name, another id: a column dropped and re-added later is a different column.
  Schema table(2, {Field(1, "id", true, P(TypeId::kLong)), Field(8, "name", false, P(TypeId::kString))});
  const std::vector<ColumnVector> cols = ReadAll(file, table);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[1].null_count(), 5u);
}

TEST_F(DataFileReaderTest, RowGroupMetricsDescribeEachRowGroup) {
  Schema schema(0, {Field(1, "id", true, P(TypeId::kLong)), Field(2, "temp", false, P(TypeId::kDouble)),
                    Field(3, "host", false, P(TypeId::kString)), Field(4, "day", false, P(TypeId::kDate))});
  std::vector<ColumnVector> batch = {
      Col<int64_t>({ColumnType::kInt64}, {10, 11, 12, 20, 21, 22, 30}),
      Col<double>({ColumnType::kDouble},
                  {0.0, 1.0, std::nullopt, -5.5, std::numeric_limits<double>::quiet_NaN(), 3.0, std::nullopt}),
      Strs({ColumnType::kString}, {"m", "a-long-host-name-beyond-sixteen", "b", std::nullopt, "z", "y", "q"}),
      Col<int32_t>({ColumnType::kDate}, {-1, 0, 1, 100, 101, std::nullopt, -20000})};
  const DataFile file = WriteFile(schema, batch, 3);
  auto reader = DataFileReader::Open(&io_, file, schema);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ(reader->row_groups(), 3);

  const DataFile g0 = reader->RowGroupMetrics(0);
  EXPECT_EQ(g0.record_count, 3);
  EXPECT_EQ(g0.value_counts, (std::map<int32_t, int64_t>{{1, 3}, {2, 3}, {3, 3}, {4, 3}}));
  EXPECT_EQ(g0.null_value_counts, (std::map<int32_t, int64_t>{{1, 0}, {2, 1}, {3, 0}, {4, 0}}));
  EXPECT_EQ(g0.lower_bounds.at(1), SerializeValue(Literal::Long(10)));
  EXPECT_EQ(g0.upper_bounds.at(1), SerializeValue(Literal::Long(12)));
  // A zero lower bound reads as -0.0, so that it bounds both zeros.
  EXPECT_EQ(g0.lower_bounds.at(2), SerializeValue(Literal::Double(-0.0)));
  EXPECT_EQ(g0.upper_bounds.at(2), SerializeValue(Literal::Double(1.0)));
  // Row group bounds are not truncated.
  EXPECT_EQ(g0.lower_bounds.at(3), "a-long-host-name-beyond-sixteen");
  EXPECT_EQ(g0.upper_bounds.at(3), "m");
  EXPECT_EQ(g0.lower_bounds.at(4), SerializeValue(Literal::Date(-1)));
  EXPECT_EQ(g0.upper_bounds.at(4), SerializeValue(Literal::Date(1)));
  EXPECT_GT(g0.column_sizes.at(3), 0);
  EXPECT_EQ(g0.partition, file.partition);

  const DataFile g1 = reader->RowGroupMetrics(1);  // NaN is left out of the Parquet bounds
  EXPECT_EQ(g1.lower_bounds.at(2), SerializeValue(Literal::Double(-5.5)));
  EXPECT_EQ(g1.upper_bounds.at(2), SerializeValue(Literal::Double(3.0)));
  EXPECT_EQ(g1.null_value_counts.at(3), 1);
  EXPECT_EQ(g1.lower_bounds.at(3), "y");
  EXPECT_EQ(g1.upper_bounds.at(4), SerializeValue(Literal::Date(101)));

  const DataFile g2 = reader->RowGroupMetrics(2);  // one row
  EXPECT_EQ(g2.record_count, 1);
  EXPECT_EQ(g2.null_value_counts.at(2), 1);
  EXPECT_EQ(g2.lower_bounds.count(2), 0u);
  EXPECT_EQ(g2.lower_bounds.at(4), SerializeValue(Literal::Date(-20000)));
}

TEST_F(DataFileReaderTest, MissingShortAndCorruptFilesAreErrorsNamingTheFile) {
  const DataFile file = WriteFile(SchemaV1(), RowsV1());

  DataFile missing = file;
  missing.file_path = dir_ + "/t/data/gone.parquet";
  auto r1 = DataFileReader::Open(&io_, missing, SchemaV1());
  EXPECT_EQ(r1.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r1.status().message().rfind("data file " + missing.file_path + ": read " + missing.file_path, 0), 0u)
      << r1.status().ToString();

  DataFile wrong_size = file;
  wrong_size.file_size_in_bytes += 10;
  auto r2 = DataFileReader::Open(&io_, wrong_size, SchemaV1());
  EXPECT_EQ(r2.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r2.status().message(), "data file " + file.file_path + ": the file has " +
                                       std::to_string(file.file_size_in_bytes) + " bytes, its manifest entry says " +
                                       std::to_string(file.file_size_in_bytes + 10));

  // A file cut short (and an entry that agrees with it): no footer.
  const std::string bytes = *io_.Read(file.file_path);
  DataFile cut = file;
  cut.file_path = dir_ + "/t/data/cut.parquet";
  cut.file_size_in_bytes = static_cast<int64_t>(bytes.size() / 2);
  ASSERT_TRUE(io_.Write(cut.file_path, bytes.substr(0, bytes.size() / 2)).ok());
  auto r3 = DataFileReader::Open(&io_, cut, SchemaV1());
  EXPECT_EQ(r3.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r3.status().message().rfind("data file " + cut.file_path + ": not a Parquet file", 0), 0u)
      << r3.status().ToString();

  // Damaged pages: the footer parses, reading the row group fails with the file, row group and column named.
  std::string damaged = bytes;
  for (size_t i = 4; i < 64 && i < damaged.size(); ++i) damaged[i] = '\x7f';
  DataFile bad = file;
  bad.file_path = dir_ + "/t/data/damaged.parquet";
  ASSERT_TRUE(io_.Write(bad.file_path, damaged).ok());
  auto r4 = DataFileReader::Open(&io_, bad, SchemaV1());
  ASSERT_TRUE(r4.ok()) << r4.status().ToString();
  auto cols = r4->ReadRowGroup(0);
  ASSERT_FALSE(cols.ok());
  EXPECT_EQ(cols.status().message().rfind("data file " + bad.file_path + ": row group 0, column id", 0), 0u)
      << cols.status().ToString();

  DataFile avro = file;
  avro.file_format = "AVRO";
  EXPECT_EQ(DataFileReader::Open(&io_, avro, SchemaV1()).status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace floe::iceberg
