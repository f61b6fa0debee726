#include "floe/formats/parquet/parquet_format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "floe/formats/parquet/thrift_compact.h"

namespace floe::parquet {
namespace {

using Kind = LogicalType::Kind;

std::string FromHex(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  return out;
}

std::string Le64(int64_t v) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &v, 8);
  return s;
}

std::string LeDouble(double v) {
  std::string s(8, '\0');
  std::memcpy(s.data(), &v, 8);
  return s;
}

// The footer of a file pyarrow 26.0.1 wrote (generated once, kept here):
//   schema: id int64 not null (field id 1), name string (2, dictionary-encoded), temp double (3),
//           ts timestamp[us, UTC] (4), ok bool (5); rows 1..4 with a few nulls
//   pq.write_table(t, f, compression="zstd", store_schema=False, row_group_size=3, use_dictionary=["name"],
//                  write_page_index=True)
// It carries fields floe does not model (size statistics), so parsing it also proves they are skipped.
constexpr std::string_view kPyarrowFooterHex =
    "1504196c35001806736368656d61150a001504250018026964550200150c250218046e616d65250035041c1c000000150a2502180474656d"
    "705506001504250218027473251435081c8c111c2c00000000001500250218026f6b550a001608192c195c26001c15041925060019180269"
    "64150c16061652165c26083c1808030000000000000018080100000000000000160028080300000000000000180801000000000000001111"
    "00191c150015001502000016bc0b1514168407153e0026001c150c19350006101918046e616d65150c1606166416880126a60126641c3600"
    "280162180161111100192c15041500150200150015101502003c1606190619260006000016d00b151c16c207152a0026001c150a19250600"
    "19180474656d70150c1606164e166026ec013c1808000000000080354018080000000000000ac01602280800000000008035401808000000"
    "0000000ac0111100191c150015001502003c290619260204000016ec0b151616ec0715460026001c1504192506001918027473150c160616"
    "4e166026cc023c180860e4fc6eae270600180878e0fc6eae2706001602280860e4fc6eae270600180878e0fc6eae270600111100191c1500"
    "15001502003c290619260204000016820c151616b20815460026001c1500192506001918026f6b150c16061630164226ac033c1801011801"
    "001602280101180100111100191c150015001502003c290619260204000016980c151616f808152a001682031606260816e60300195c2600"
    "1c1504192506001918026964150c16021632164426ee033c1808040000000000000018080400000000000000160028080400000000000000"
    "18080400000000000000111100191c150015001502000016ae0c151616a209153e0026001c150c19350006101918046e616d65150c160216"
    "4c167026e00426b2041c360200192c15041500150200150015101502003c1600190619260200000016c40c151c16e00915260026001c150a"
    "1925060019180474656d70150c1602163e165026a2053c180800000000000000001808000000000000008016002808000000000000000018"
    "080000000000000080111100191c150015001502003c290619260002000016e00c151616860a15460026001c150419250600191802747315"
    "0c1602163e165026f2053c180848e8fc6eae270600180848e8fc6eae2706001600280848e8fc6eae270600180848e8fc6eae270600111100"
    "191c150015001502003c290619260002000016f60c151616cc0a15460026001c1500192506001918026f6b150c16021630164226c2063c18"
    "01011801011600280101180101111100191c150015001502003c2906192600020000168c0d151616920b152a0016aa02160226ee03169603"
    "002820706172717565742d6370702d6172726f772076657273696f6e2032362e302e31195c1c00001c00001c00001c00001c000000";

FileMetaData Roundtrip(const FileMetaData& md) {
  std::string bytes;
  SerializeFileMetaData(md, &bytes);
  auto back = ParseFileMetaData(bytes);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return back.ok() ? *back : FileMetaData{};
}

PageHeader Roundtrip(const PageHeader& h) {
  std::string bytes;
  SerializePageHeader(h, &bytes);
  size_t size = 0;
  auto back = ParsePageHeader(bytes, &size);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(size, bytes.size());
  return back.ok() ? *back : PageHeader{};
}

Statistics FullStatistics() {
  Statistics s;
  s.max = Le64(99);
  s.min = Le64(-5);
  s.null_count = 3;
  s.distinct_count = 17;
  s.max_value = std::string("z\0z", 3);
  s.min_value = "";
  s.is_max_value_exact = true;
  s.is_min_value_exact = false;
  s.nan_count = 0;
  return s;
}

ColumnMetaData FullColumnMetaData() {
  ColumnMetaData md;
  md.type = Type::kByteArray;
  md.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  md.path_in_schema = {"outer", "inner"};
  md.codec = CompressionCodec::kZstd;
  md.num_values = 1'000'000'000'000;
  md.total_uncompressed_size = 123456789012;
  md.total_compressed_size = 12345678901;
  md.key_value_metadata = {KeyValue{"k", "v"}, KeyValue{"no value", std::nullopt}};
  md.data_page_offset = 4;
  md.index_page_offset = 77;
  md.dictionary_page_offset = 5;
  md.statistics = FullStatistics();
  md.encoding_stats = {PageEncodingStats{PageType::kDictionaryPage, Encoding::kPlain, 1},
                       PageEncodingStats{PageType::kDataPage, Encoding::kRleDictionary, 12}};
  md.bloom_filter_offset = 4096;
  md.bloom_filter_length = 1024;
  return md;
}

ColumnMetaData MinimalColumnMetaData() {
  ColumnMetaData md;
  md.type = Type::kInt32;
  md.codec = CompressionCodec::kUncompressed;
  return md;
}

SchemaElement Leaf(std::string name, Type type, std::optional<LogicalType> logical = std::nullopt) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = type;
  e.repetition_type = FieldRepetitionType::kOptional;
  e.logical_type = logical;
  return e;
}

LogicalType Logical(Kind kind) {
  LogicalType t;
  t.kind = kind;
  return t;
}

FileMetaData FullFileMetaData() {
  FileMetaData md;
  md.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 3;
  md.schema.push_back(root);
  SchemaElement all;  // every optional field set
  all.type = Type::kFixedLenByteArray;
  all.type_length = 16;
  all.repetition_type = FieldRepetitionType::kRequired;
  all.name = "amount";
  all.num_children = 0;
  all.converted_type = ConvertedType::kDecimal;
  all.scale = 2;
  all.precision = 30;
  all.field_id = 7;
  LogicalType decimal = Logical(Kind::kDecimal);
  decimal.decimal_scale = 2;
  decimal.decimal_precision = 30;
  all.logical_type = decimal;
  md.schema.push_back(all);
  SchemaElement bare;  // only the required name
  bare.name = "bare";
  md.schema.push_back(bare);
  md.schema.push_back(Leaf("s", Type::kByteArray, Logical(Kind::kString)));
  md.num_rows = 3'000'000'000;

  RowGroup full;
  ColumnChunk chunk;
  chunk.file_path = "other.parquet";
  chunk.file_offset = 1234;
  chunk.meta_data = FullColumnMetaData();
  chunk.offset_index_offset = 9000;
  chunk.offset_index_length = 40;
  chunk.column_index_offset = 9040;
  chunk.column_index_length = 60;
  full.columns.push_back(chunk);
  ColumnChunk minimal;
  minimal.meta_data = MinimalColumnMetaData();
  minimal.meta_data->statistics = Statistics{};  // present, all unset
  full.columns.push_back(minimal);
  full.columns.push_back(ColumnChunk{});  // no meta_data at all
  full.total_byte_size = 555;
  full.num_rows = 2'999'999'999;
  full.sorting_columns = {SortingColumn{0, true, false}, SortingColumn{2, false, true}};
  full.file_offset = 4;
  full.total_compressed_size = 444;
  full.ordinal = -2;
  md.row_groups.push_back(full);
  RowGroup bare_group;
  bare_group.num_rows = 1;
  md.row_groups.push_back(bare_group);

  md.key_value_metadata = {KeyValue{"ARROW:schema", std::string(300, 'x')}, KeyValue{"empty", ""}};
  md.created_by = "floe version test (build 0)";
  md.column_orders = {ColumnOrder{true}, ColumnOrder{false}, ColumnOrder{true}};
  return md;
}

// --- Round trips ---

TEST(ParquetFormatTest, FileMetaDataWithEveryOptionalFieldRoundTrips) {
  const FileMetaData md = FullFileMetaData();
  EXPECT_EQ(Roundtrip(md), md);
}

TEST(ParquetFormatTest, MinimalFileMetaDataRoundTrips) {
  FileMetaData md;
  md.schema.push_back(SchemaElement{});
  const FileMetaData back = Roundtrip(md);
  EXPECT_EQ(back, md);
  EXPECT_FALSE(back.created_by.has_value());
  EXPECT_TRUE(back.key_value_metadata.empty());
  EXPECT_TRUE(back.column_orders.empty());
}

TEST(ParquetFormatTest, EachOptionalFieldUnsetRoundTrips) {
  // Starting from the full footer, clear one optional field at a time.
  std::vector<void (*)(FileMetaData*)> clear = {
      [](FileMetaData* m) { m->created_by.reset(); },
      [](FileMetaData* m) { m->key_value_metadata.clear(); },
      [](FileMetaData* m) { m->column_orders.clear(); },
      [](FileMetaData* m) { m->schema[1].type.reset(); },
      [](FileMetaData* m) { m->schema[1].type_length.reset(); },
      [](FileMetaData* m) { m->schema[1].repetition_type.reset(); },
      [](FileMetaData* m) { m->schema[1].num_children.reset(); },
      [](FileMetaData* m) { m->schema[1].converted_type.reset(); },
      [](FileMetaData* m) { m->schema[1].scale.reset(); },
      [](FileMetaData* m) { m->schema[1].precision.reset(); },
      [](FileMetaData* m) { m->schema[1].field_id.reset(); },
      [](FileMetaData* m) { m->schema[1].logical_type.reset(); },
      [](FileMetaData* m) { m->row_groups[0].sorting_columns.clear(); },
      [](FileMetaData* m) { m->row_groups[0].file_offset.reset(); },
      [](FileMetaData* m) { m->row_groups[0].total_compressed_size.reset(); },
      [](FileMetaData* m) { m->row_groups[0].ordinal.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].file_path.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].offset_index_offset.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].offset_index_length.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].column_index_offset.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].column_index_length.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->key_value_metadata.clear(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->index_page_offset.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->dictionary_page_offset.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->encoding_stats.clear(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->bloom_filter_offset.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->bloom_filter_length.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->max.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->min.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->null_count.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->distinct_count.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->max_value.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->min_value.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->is_max_value_exact.reset(); },
      [](FileMetaData* m) { m->row_groups[0].columns[0].meta_data->statistics->is_min_value_exact.reset(); },
  };
  for (size_t i = 0; i < clear.size(); ++i) {
    FileMetaData md = FullFileMetaData();
    clear[i](&md);
    EXPECT_EQ(Roundtrip(md), md) << "with optional field " << i << " unset";
  }
}

TEST(ParquetFormatTest, EveryLogicalTypeRoundTrips) {
  std::vector<LogicalType> types;
  for (Kind k : {Kind::kString, Kind::kMap, Kind::kList, Kind::kEnum, Kind::kDate, Kind::kUnknown, Kind::kJson,
                 Kind::kBson, Kind::kUuid, Kind::kFloat16}) {
    types.push_back(Logical(k));
  }
  LogicalType decimal = Logical(Kind::kDecimal);
  decimal.decimal_scale = 4;
  decimal.decimal_precision = 18;
  types.push_back(decimal);
  for (Kind k : {Kind::kTime, Kind::kTimestamp}) {
    for (TimeUnit unit : {TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
      for (bool utc : {false, true}) {
        LogicalType t = Logical(k);
        t.unit = unit;
        t.is_adjusted_to_utc = utc;
        types.push_back(t);
      }
    }
  }
  for (int8_t width : {8, 16, 32, 64}) {
    for (bool is_signed : {false, true}) {
      LogicalType t = Logical(Kind::kInteger);
      t.int_bit_width = width;
      t.int_is_signed = is_signed;
      types.push_back(t);
    }
  }
  FileMetaData md;
  md.schema.push_back(SchemaElement{});
  md.schema[0].name = "schema";
  for (size_t i = 0; i < types.size(); ++i) {
    md.schema.push_back(Leaf(std::to_string(i), Type::kInt64, types[i]));
  }
  const FileMetaData back = Roundtrip(md);
  ASSERT_EQ(back.schema.size(), md.schema.size());
  for (size_t i = 0; i < md.schema.size(); ++i) EXPECT_EQ(back.schema[i], md.schema[i]) << md.schema[i].name;
}

TEST(ParquetFormatTest, LogicalTypeNoneIsNotWritten) {
  FileMetaData md;
  md.schema.push_back(Leaf("x", Type::kInt32, LogicalType{}));
  const FileMetaData back = Roundtrip(md);
  ASSERT_EQ(back.schema.size(), 1u);
  EXPECT_FALSE(back.schema[0].logical_type.has_value());
}

TEST(ParquetFormatTest, PageHeadersRoundTrip) {
  PageHeader v1;
  v1.type = PageType::kDataPage;
  v1.uncompressed_page_size = 100;
  v1.compressed_page_size = 60;
  v1.crc = -123456;
  DataPageHeader dp;
  dp.num_values = 10;
  dp.encoding = Encoding::kRleDictionary;
  dp.definition_level_encoding = Encoding::kRle;
  dp.repetition_level_encoding = Encoding::kBitPacked;
  dp.statistics = FullStatistics();
  v1.data_page_header = dp;
  EXPECT_EQ(Roundtrip(v1), v1);
  v1.crc.reset();
  v1.data_page_header->statistics.reset();
  EXPECT_EQ(Roundtrip(v1), v1);

  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.uncompressed_page_size = 8;
  dict.compressed_page_size = 8;
  dict.dictionary_page_header = DictionaryPageHeader{2, Encoding::kPlain, std::nullopt};
  EXPECT_EQ(Roundtrip(dict), dict);
  dict.dictionary_page_header->is_sorted = true;
  EXPECT_EQ(Roundtrip(dict), dict);
  dict.dictionary_page_header->is_sorted = false;
  EXPECT_EQ(Roundtrip(dict), dict);

  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.uncompressed_page_size = 1 << 20;
  v2.compressed_page_size = 1 << 19;
  DataPageHeaderV2 d2;
  d2.num_values = 1000;
  d2.num_nulls = 10;
  d2.num_rows = 1000;
  d2.encoding = Encoding::kDeltaBinaryPacked;
  d2.definition_levels_byte_length = 20;
  d2.repetition_levels_byte_length = 0;
  v2.data_page_header_v2 = d2;
  const PageHeader back = Roundtrip(v2);
  EXPECT_EQ(back, v2);
  EXPECT_FALSE(back.data_page_header_v2->is_compressed.has_value());  // unset: the spec's default, true
  v2.data_page_header_v2->is_compressed = false;
  v2.data_page_header_v2->statistics = Statistics{};
  EXPECT_EQ(Roundtrip(v2), v2);
  v2.data_page_header_v2->is_compressed = true;
  EXPECT_EQ(Roundtrip(v2), v2);

  PageHeader index;
  index.type = PageType::kIndexPage;
  index.index_page_header = IndexPageHeader{};
  EXPECT_EQ(Roundtrip(index), index);

  PageHeader all = v1;  // every sub-header at once: not meaningful, but the codec keeps it
  all.index_page_header = IndexPageHeader{};
  all.dictionary_page_header = dict.dictionary_page_header;
  all.data_page_header_v2 = v2.data_page_header_v2;
  EXPECT_EQ(Roundtrip(all), all);
}

TEST(ParquetFormatTest, PageHeaderSizeStopsBeforeTheBody) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 4;
  h.compressed_page_size = 4;
  h.data_page_header = DataPageHeader{};
  std::string bytes;
  SerializePageHeader(h, &bytes);
  const size_t header_bytes = bytes.size();
  bytes += "BODY";
  size_t size = 0;
  auto back = ParsePageHeader(bytes, &size);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(size, header_bytes);
  EXPECT_EQ(*back, h);
}

TEST(ParquetFormatTest, SerializeAppends) {
  std::string out = "PAR1";
  FileMetaData md;
  md.schema.push_back(SchemaElement{});
  SerializeFileMetaData(md, &out);
  ASSERT_EQ(out.substr(0, 4), "PAR1");
  auto back = ParseFileMetaData(std::string_view(out).substr(4));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, md);
}

// --- Compatibility: fields floe does not model ---

TEST(ParquetFormatTest, UnknownFieldsAtAnyDepthAreSkipped) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();  // FileMetaData
  w.FieldI32(1, 2);
  w.FieldListBegin(2, CompactType::kStruct, 1);
  w.StructBegin();
  w.FieldBinary(4, "root");
  w.FieldI32(11, 3);  // vector_length, newer than floe
  w.StructEnd();
  w.FieldI64(3, 10);
  w.FieldListBegin(4, CompactType::kStruct, 1);
  w.StructBegin();  // RowGroup
  w.FieldListBegin(1, CompactType::kStruct, 1);
  w.StructBegin();  // ColumnChunk
  w.FieldI64(2, 0);
  w.FieldStructBegin(3);  // ColumnMetaData
  w.FieldI32(1, 2);
  w.FieldListBegin(2, CompactType::kI32, 1);
  w.I32(0);
  w.FieldListBegin(3, CompactType::kBinary, 1);
  w.Binary("c");
  w.FieldI32(4, 6);
  w.FieldI64(5, 10);
  w.FieldI64(6, 100);
  w.FieldI64(7, 90);
  w.FieldI64(9, 4);
  w.FieldStructBegin(12);  // Statistics with nan_count (9), newer
  w.FieldBinary(1, "max");
  w.FieldI64(9, 0);
  w.StructEnd();
  w.FieldStructBegin(16);  // size_statistics
  w.FieldI64(1, 5);
  w.FieldListBegin(2, CompactType::kI64, 2);
  w.I64(1);
  w.I64(2);
  w.FieldListBegin(3, CompactType::kI64, 0);
  w.StructEnd();
  w.FieldStructBegin(17);  // geospatial_statistics: a bounding box of doubles, a list of i32
  w.FieldStructBegin(1);
  for (int16_t i = 1; i <= 4; ++i) w.FieldDouble(i, i * 1.5);
  w.StructEnd();
  w.FieldListBegin(2, CompactType::kI32, 1);
  w.I32(1);
  w.StructEnd();
  w.StructEnd();          // ColumnMetaData
  w.FieldStructBegin(8);  // crypto_metadata: ENCRYPTION_WITH_COLUMN_KEY
  w.FieldStructBegin(2);
  w.FieldListBegin(1, CompactType::kBinary, 1);
  w.Binary("c");
  w.FieldBinary(2, "key");
  w.StructEnd();
  w.StructEnd();
  w.FieldBinary(9, "encrypted column metadata");
  w.StructEnd();  // ColumnChunk
  w.FieldI64(2, 100);
  w.FieldI64(3, 10);
  w.FieldMapBegin(20, CompactType::kBinary, CompactType::kStruct, 1);  // a map, in no spec
  w.Binary("m");
  w.StructBegin();
  w.FieldBool(1, true);
  w.StructEnd();
  w.StructEnd();          // RowGroup
  w.FieldStructBegin(8);  // encryption_algorithm: AES_GCM_V1
  w.FieldStructBegin(1);
  w.FieldBinary(1, "aad");
  w.FieldBool(3, true);
  w.StructEnd();
  w.StructEnd();
  w.FieldBinary(9, "footer signing key");
  w.FieldHeader(1000, CompactType::kUuid);  // long-form id, a type Parquet never uses
  out.append(16, 'u');
  w.FieldBinary(6, "writer");  // backwards from 1000: long form
  w.StructEnd();

  auto md = ParseFileMetaData(out);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->version, 2);
  ASSERT_EQ(md->schema.size(), 1u);
  EXPECT_EQ(md->schema[0].name, "root");
  EXPECT_EQ(md->num_rows, 10);
  ASSERT_EQ(md->row_groups.size(), 1u);
  EXPECT_EQ(md->row_groups[0].num_rows, 10);
  ASSERT_EQ(md->row_groups[0].columns.size(), 1u);
  const ColumnChunk& c = md->row_groups[0].columns[0];
  ASSERT_TRUE(c.meta_data.has_value());
  EXPECT_EQ(c.meta_data->codec, CompressionCodec::kZstd);
  EXPECT_EQ(c.meta_data->path_in_schema, std::vector<std::string>{"c"});
  EXPECT_EQ(c.meta_data->data_page_offset, 4);
  ASSERT_TRUE(c.meta_data->statistics.has_value());
  EXPECT_EQ(c.meta_data->statistics->max, "max");
  EXPECT_EQ(md->created_by, "writer");
}

TEST(ParquetFormatTest, LogicalTypesFloeDoesNotKnowParseAsNone) {
  for (int16_t member : {16, 17, 18, 19, 40}) {
    std::string out;
    ThriftCompactWriter w(&out);
    w.StructBegin();
    w.FieldI32(1, 1);
    w.FieldListBegin(2, CompactType::kStruct, 1);
    w.StructBegin();
    w.FieldI32(1, 6);
    w.FieldBinary(4, "geo");
    w.FieldI32(6, 0);
    w.FieldStructBegin(10);
    w.FieldStructBegin(member);  // e.g. GEOMETRY {1: crs}
    w.FieldBinary(1, "OGC:CRS84");
    w.StructEnd();
    w.StructEnd();
    w.StructEnd();
    w.FieldI64(3, 0);
    w.FieldListBegin(4, CompactType::kStruct, 0);
    w.StructEnd();
    auto md = ParseFileMetaData(out);
    ASSERT_TRUE(md.ok()) << md.status().ToString();
    EXPECT_FALSE(md->schema[0].logical_type.has_value()) << member;
    EXPECT_EQ(md->schema[0].converted_type, ConvertedType::kUtf8);  // what the reader falls back to
  }
}

TEST(ParquetFormatTest, ColumnOrdersOtherThanTypeDefined) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldI32(1, 1);
  w.FieldListBegin(2, CompactType::kStruct, 0);
  w.FieldI64(3, 0);
  w.FieldListBegin(4, CompactType::kStruct, 0);
  w.FieldListBegin(7, CompactType::kStruct, 3);
  for (int16_t member : {1, 2, 3}) {  // TYPE_ORDER, IEEE_754_TOTAL_ORDER, INT96_TIMESTAMP_ORDER
    w.StructBegin();
    w.FieldStructBegin(member);
    w.StructEnd();
    w.StructEnd();
  }
  w.StructEnd();
  auto md = ParseFileMetaData(out);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  ASSERT_EQ(md->column_orders.size(), 3u);
  EXPECT_TRUE(md->column_orders[0].type_defined);
  EXPECT_FALSE(md->column_orders[1].type_defined);
  EXPECT_FALSE(md->column_orders[2].type_defined);
  EXPECT_EQ(Roundtrip(*md), *md);
}

// --- Errors ---

// A FileMetaData with one RowGroup whose fields `write_row_group` writes.
template <typename F>
std::string FooterWithRowGroup(F write_row_group) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldI32(1, 1);
  w.FieldListBegin(2, CompactType::kStruct, 1);
  w.StructBegin();
  w.FieldBinary(4, "schema");
  w.StructEnd();
  w.FieldI64(3, 5);
  w.FieldListBegin(4, CompactType::kStruct, 1);
  w.StructBegin();
  write_row_group(w);
  w.StructEnd();
  w.StructEnd();
  return out;
}

TEST(ParquetFormatTest, MissingRequiredFieldNamesStructFieldAndPlace) {
  const std::string footer = FooterWithRowGroup([](ThriftCompactWriter& w) {
    w.FieldListBegin(1, CompactType::kStruct, 0);
    w.FieldI64(2, 0);
  });
  auto md = ParseFileMetaData(footer);
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(md.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(md.status().message(), "parquet footer: RowGroup.num_rows missing (struct ending at byte " +
                                       std::to_string(footer.size() - 1) + ") in FileMetaData.row_groups[0]");

  std::string top;
  ThriftCompactWriter w(&top);
  w.StructBegin();
  w.FieldI32(1, 1);
  w.StructEnd();
  md = ParseFileMetaData(top);
  ASSERT_FALSE(md.ok());
  EXPECT_EQ(md.status().message(), "parquet footer: FileMetaData.schema missing (struct ending at byte 3)");
}

TEST(ParquetFormatTest, MissingFieldDeepInsideSaysThePath) {
  const std::string footer = FooterWithRowGroup([](ThriftCompactWriter& w) {
    w.FieldListBegin(1, CompactType::kStruct, 2);
    for (int i = 0; i < 2; ++i) {
      w.StructBegin();
      w.FieldI64(2, 0);
      w.FieldStructBegin(3);
      w.FieldI32(1, 1);
      w.FieldListBegin(2, CompactType::kI32, 0);
      if (i == 0) w.FieldListBegin(3, CompactType::kBinary, 0);  // the second chunk lacks path_in_schema
      w.FieldI32(4, 0);
      w.FieldI64(5, 0);
      w.FieldI64(6, 0);
      w.FieldI64(7, 0);
      w.FieldI64(9, 0);
      w.StructEnd();
      w.StructEnd();
    }
    w.FieldI64(2, 0);
    w.FieldI64(3, 0);
  });
  auto md = ParseFileMetaData(footer);
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("parquet footer: ColumnMetaData.path_in_schema missing (struct ending at byte"),
            std::string::npos)
      << md.status().message();
  EXPECT_NE(md.status().message().find(" in FileMetaData.row_groups[0].columns[1].meta_data"), std::string::npos)
      << md.status().message();
}

TEST(ParquetFormatTest, KnownFieldOfTheWrongTypeIsAnError) {
  std::string footer = FooterWithRowGroup([](ThriftCompactWriter& w) {
    w.FieldListBegin(1, CompactType::kStruct, 0);
    w.FieldI64(2, 0);
    w.FieldI32(3, 7);  // num_rows is an i64
  });
  auto md = ParseFileMetaData(footer);
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("RowGroup.num_rows has type i32, expected i64"), std::string::npos)
      << md.status().message();

  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldI32(1, 1);
  w.FieldListBegin(2, CompactType::kI32, 1);  // schema as a list<i32>
  w.I32(1);
  w.StructEnd();
  md = ParseFileMetaData(out);
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("byte 3: FileMetaData.schema is a list of i32, expected struct"),
            std::string::npos)
      << md.status().message();
}

TEST(ParquetFormatTest, MalformedUnionsAreErrors) {
  auto footer_with_logical = [](auto write_members) {
    std::string out;
    ThriftCompactWriter w(&out);
    w.StructBegin();
    w.FieldI32(1, 1);
    w.FieldListBegin(2, CompactType::kStruct, 1);
    w.StructBegin();
    w.FieldBinary(4, "x");
    w.FieldStructBegin(10);
    write_members(w);
    w.StructEnd();
    w.StructEnd();
    w.FieldI64(3, 0);
    w.FieldListBegin(4, CompactType::kStruct, 0);
    w.StructEnd();
    return out;
  };
  auto md = ParseFileMetaData(footer_with_logical([](ThriftCompactWriter&) {}));
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("LogicalType union sets 0 members"), std::string::npos) << md.status().message();
  EXPECT_NE(md.status().message().find("in FileMetaData.schema[0].logicalType"), std::string::npos)
      << md.status().message();

  md = ParseFileMetaData(footer_with_logical([](ThriftCompactWriter& w) {
    w.FieldStructBegin(1);
    w.StructEnd();
    w.FieldStructBegin(6);
    w.StructEnd();
  }));
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("LogicalType union sets 2 members"), std::string::npos) << md.status().message();

  md = ParseFileMetaData(footer_with_logical([](ThriftCompactWriter& w) {
    w.FieldStructBegin(8);  // TIMESTAMP without its unit
    w.FieldBool(1, true);
    w.StructEnd();
  }));
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("TimestampType.unit missing"), std::string::npos) << md.status().message();

  md = ParseFileMetaData(footer_with_logical([](ThriftCompactWriter& w) {
    w.FieldStructBegin(7);  // TIME with a unit member that does not exist
    w.FieldBool(1, true);
    w.FieldStructBegin(2);
    w.FieldStructBegin(9);
    w.StructEnd();
    w.StructEnd();
    w.StructEnd();
  }));
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("TimeUnit member 9 unknown"), std::string::npos) << md.status().message();
}

TEST(ParquetFormatTest, NegativeSizesInAPageHeaderAreErrors) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 10;
  h.compressed_page_size = -1;
  h.data_page_header = DataPageHeader{};
  std::string bytes;
  SerializePageHeader(h, &bytes);
  size_t size = 0;
  auto back = ParsePageHeader(bytes, &size);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::kCorruption);
  EXPECT_NE(back.status().message().find("parquet page header: PageHeader.compressed_page_size is -1"),
            std::string::npos)
      << back.status().message();

  h.compressed_page_size = 10;
  h.uncompressed_page_size = -5;
  bytes.clear();
  SerializePageHeader(h, &bytes);
  EXPECT_FALSE(ParsePageHeader(bytes, &size).ok());

  PageHeader v2;
  v2.type = PageType::kDataPageV2;
  v2.data_page_header_v2 = DataPageHeaderV2{};
  v2.data_page_header_v2->definition_levels_byte_length = -3;
  bytes.clear();
  SerializePageHeader(v2, &bytes);
  back = ParsePageHeader(bytes, &size);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("DataPageHeaderV2.definition_levels_byte_length is -3"), std::string::npos)
      << back.status().message();
  EXPECT_NE(back.status().message().find("in PageHeader.data_page_header_v2"), std::string::npos)
      << back.status().message();

  PageHeader dict;
  dict.type = PageType::kDictionaryPage;
  dict.dictionary_page_header = DictionaryPageHeader{-1, Encoding::kPlain, std::nullopt};
  bytes.clear();
  SerializePageHeader(dict, &bytes);
  EXPECT_FALSE(ParsePageHeader(bytes, &size).ok());
}

TEST(ParquetFormatTest, HugeListCountsFailWithoutAllocating) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldI32(1, 1);
  w.FieldListBegin(2, CompactType::kStruct, 0x7fffffff);
  auto md = ParseFileMetaData(out);
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("parquet footer: thrift: byte 3: list of 2147483647 struct elements runs past"),
            std::string::npos)
      << md.status().message();
}

TEST(ParquetFormatTest, DeeplyNestedUnknownFieldIsAnError) {
  std::string out;
  ThriftCompactWriter w(&out);
  w.StructBegin();
  w.FieldI32(1, 1);
  for (int i = 0; i < 100; ++i) w.FieldStructBegin(20);
  for (int i = 0; i < 100; ++i) w.StructEnd();
  w.StructEnd();
  auto md = ParseFileMetaData(out);
  ASSERT_FALSE(md.ok());
  EXPECT_NE(md.status().message().find("nesting deeper than 64 levels"), std::string::npos) << md.status().message();
}

TEST(ParquetFormatTest, EveryTruncationOfAFooterIsAnError) {
  std::vector<std::string> footers = {FromHex(kPyarrowFooterHex)};
  footers.emplace_back();
  SerializeFileMetaData(FullFileMetaData(), &footers.back());
  for (const std::string& footer : footers) {
    ASSERT_TRUE(ParseFileMetaData(footer).ok());
    for (size_t n = 0; n < footer.size(); ++n) {
      auto md = ParseFileMetaData(std::string_view(footer).substr(0, n));
      ASSERT_FALSE(md.ok()) << "a prefix of " << n << " bytes parsed";
      EXPECT_EQ(md.status().code(), StatusCode::kCorruption);
      EXPECT_EQ(md.status().message().rfind("parquet footer: ", 0), 0u) << md.status().message();
    }
  }
}

TEST(ParquetFormatTest, EveryTruncationOfAPageHeaderIsAnError) {
  PageHeader h;
  h.type = PageType::kDataPageV2;
  h.uncompressed_page_size = 300;
  h.compressed_page_size = 200;
  h.crc = 77;
  DataPageHeaderV2 d2;
  d2.num_values = 5;
  d2.statistics = FullStatistics();
  h.data_page_header_v2 = d2;
  std::string bytes;
  SerializePageHeader(h, &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    size_t size = 0;
    auto back = ParsePageHeader(std::string_view(bytes).substr(0, n), &size);
    ASSERT_FALSE(back.ok()) << "a prefix of " << n << " bytes parsed";
    EXPECT_EQ(back.status().message().rfind("parquet page header: ", 0), 0u) << back.status().message();
  }
}

TEST(ParquetFormatTest, CorruptedFootersNeverCrashAndWhatParsesRoundTrips) {
  const std::string golden = FromHex(kPyarrowFooterHex);
  int parsed = 0;
  for (size_t i = 0; i < golden.size(); ++i) {
    for (uint8_t flip : {0x01, 0x10, 0x80, 0xff}) {
      std::string bad = golden;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      auto md = ParseFileMetaData(bad);
      if (!md.ok()) continue;
      ++parsed;
      EXPECT_EQ(Roundtrip(*md), *md) << "byte " << i << " ^ " << int{flip};
    }
  }
  EXPECT_GT(parsed, 0);  // many flips land in values
}

// --- A footer written by pyarrow ---

TEST(ParquetFormatTest, ParsesAFooterWrittenByPyarrow) {
  const std::string footer = FromHex(kPyarrowFooterHex);
  ASSERT_EQ(footer.size(), 1061u);
  auto parsed = ParseFileMetaData(footer);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const FileMetaData& md = *parsed;
  EXPECT_EQ(md.version, 2);
  EXPECT_EQ(md.num_rows, 4);
  EXPECT_EQ(md.created_by, "parquet-cpp-arrow version 26.0.1");
  EXPECT_TRUE(md.key_value_metadata.empty());  // store_schema=False

  ASSERT_EQ(md.schema.size(), 6u);
  EXPECT_EQ(md.schema[0].name, "schema");
  EXPECT_EQ(md.schema[0].num_children, 5);
  EXPECT_FALSE(md.schema[0].type.has_value());
  struct Expected {
    const char* name;
    Type type;
    FieldRepetitionType repetition;
    int32_t field_id;
  };
  const Expected columns[] = {{"id", Type::kInt64, FieldRepetitionType::kRequired, 1},
                              {"name", Type::kByteArray, FieldRepetitionType::kOptional, 2},
                              {"temp", Type::kDouble, FieldRepetitionType::kOptional, 3},
                              {"ts", Type::kInt64, FieldRepetitionType::kOptional, 4},
                              {"ok", Type::kBoolean, FieldRepetitionType::kOptional, 5}};
  for (size_t i = 0; i < 5; ++i) {
    const SchemaElement& e = md.schema[i + 1];
    EXPECT_EQ(e.name, columns[i].name);
    EXPECT_EQ(e.type, columns[i].type) << e.name;
    EXPECT_EQ(e.repetition_type, columns[i].repetition) << e.name;
    EXPECT_EQ(e.field_id, columns[i].field_id) << e.name;
    EXPECT_FALSE(e.num_children.has_value()) << e.name;
  }
  EXPECT_FALSE(md.schema[1].logical_type.has_value());
  ASSERT_TRUE(md.schema[2].logical_type.has_value());
  EXPECT_EQ(md.schema[2].logical_type->kind, Kind::kString);
  EXPECT_EQ(md.schema[2].converted_type, ConvertedType::kUtf8);
  ASSERT_TRUE(md.schema[4].logical_type.has_value());
  EXPECT_EQ(md.schema[4].logical_type->kind, Kind::kTimestamp);
  EXPECT_TRUE(md.schema[4].logical_type->is_adjusted_to_utc);
  EXPECT_EQ(md.schema[4].logical_type->unit, TimeUnit::kMicros);
  EXPECT_EQ(md.schema[4].converted_type, ConvertedType::kTimestampMicros);

  ASSERT_EQ(md.column_orders.size(), 5u);
  for (const ColumnOrder& o : md.column_orders) EXPECT_TRUE(o.type_defined);

  ASSERT_EQ(md.row_groups.size(), 2u);
  EXPECT_EQ(md.row_groups[0].num_rows, 3);
  EXPECT_EQ(md.row_groups[1].num_rows, 1);
  EXPECT_EQ(md.row_groups[0].total_byte_size, 193);
  for (const RowGroup& rg : md.row_groups) {
    ASSERT_EQ(rg.columns.size(), 5u);
    for (size_t c = 0; c < 5; ++c) {
      const ColumnChunk& chunk = rg.columns[c];
      ASSERT_TRUE(chunk.meta_data.has_value());
      EXPECT_EQ(chunk.meta_data->codec, CompressionCodec::kZstd);
      EXPECT_EQ(chunk.meta_data->type, columns[c].type);
      EXPECT_EQ(chunk.meta_data->path_in_schema, std::vector<std::string>{columns[c].name});
      EXPECT_TRUE(chunk.offset_index_offset.has_value());  // write_page_index=True
      EXPECT_TRUE(chunk.column_index_offset.has_value());
      EXPECT_FALSE(chunk.file_path.has_value());
      ASSERT_TRUE(chunk.meta_data->statistics.has_value());
    }
  }
  const RowGroup& rg0 = md.row_groups[0];
  const ColumnMetaData& id = *rg0.columns[0].meta_data;
  EXPECT_EQ(id.num_values, 3);
  EXPECT_EQ(id.data_page_offset, 4);
  EXPECT_FALSE(id.dictionary_page_offset.has_value());
  EXPECT_EQ(id.total_compressed_size, 46);
  EXPECT_EQ(id.total_uncompressed_size, 41);
  EXPECT_EQ(id.statistics->min_value, Le64(1));
  EXPECT_EQ(id.statistics->max_value, Le64(3));
  EXPECT_EQ(id.statistics->null_count, 0);

  const ColumnMetaData& name = *rg0.columns[1].meta_data;
  EXPECT_EQ(name.dictionary_page_offset, 50);
  EXPECT_EQ(name.data_page_offset, 83);
  std::vector<Encoding> encodings = name.encodings;
  std::sort(encodings.begin(), encodings.end());
  EXPECT_EQ(encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary}));
  EXPECT_EQ(name.statistics->min_value, "a");
  EXPECT_EQ(name.statistics->max_value, "b");
  EXPECT_EQ(name.statistics->null_count, 0);
  bool dictionary_page_counted = false;
  for (const PageEncodingStats& s : name.encoding_stats) {
    if (s.page_type == PageType::kDictionaryPage) dictionary_page_counted = s.count == 1;
  }
  EXPECT_TRUE(dictionary_page_counted);

  const ColumnMetaData& temp = *rg0.columns[2].meta_data;
  EXPECT_EQ(temp.statistics->min_value, LeDouble(-3.25));
  EXPECT_EQ(temp.statistics->max_value, LeDouble(21.5));
  EXPECT_EQ(temp.statistics->null_count, 1);

  const ColumnMetaData& ts = *rg0.columns[3].meta_data;
  EXPECT_EQ(ts.statistics->min_value, Le64(1732480000123000));
  EXPECT_EQ(ts.statistics->max_value, Le64(1732480000124000));

  // The second row group's strings are all null: no bounds, one null.
  const Statistics& names1 = *md.row_groups[1].columns[1].meta_data->statistics;
  EXPECT_FALSE(names1.min_value.has_value());
  EXPECT_FALSE(names1.max_value.has_value());
  EXPECT_EQ(names1.null_count, 1);

  // What floe writes back parses to the same structure (the fields floe does not model are dropped).
  EXPECT_EQ(Roundtrip(md), md);
}

// --- The page index ---

ColumnIndex FullColumnIndex(size_t pages) {
  ColumnIndex ci;
  for (size_t i = 0; i < pages; ++i) {
    const bool null_page = i % 3 == 1;
    ci.null_pages.push_back(null_page);
    ci.min_values.push_back(null_page ? "" : Le64(static_cast<int64_t>(i) * 10));
    ci.max_values.push_back(null_page ? "" : Le64(static_cast<int64_t>(i) * 10 + 9));
    ci.null_counts.push_back(null_page ? 100 : static_cast<int64_t>(i));
    ci.repetition_level_histograms.push_back(static_cast<int64_t>(i));
    ci.definition_level_histograms.push_back(-static_cast<int64_t>(i));
    ci.nan_counts.push_back(static_cast<int64_t>(i) % 2);
  }
  ci.boundary_order = BoundaryOrder::kDescending;
  return ci;
}

OffsetIndex FullOffsetIndex(size_t pages) {
  OffsetIndex oi;
  for (size_t i = 0; i < pages; ++i) {
    oi.page_locations.push_back(
        PageLocation{4 + static_cast<int64_t>(i) * 5000, 4999, static_cast<int64_t>(i) * 20000});
    oi.unencoded_byte_array_data_bytes.push_back(static_cast<int64_t>(i) * 3);
  }
  return oi;
}

ColumnIndex Roundtrip(const ColumnIndex& ci) {
  std::string bytes;
  SerializeColumnIndex(ci, &bytes);
  auto back = ParseColumnIndex(bytes);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return back.ok() ? *back : ColumnIndex{};
}

OffsetIndex Roundtrip(const OffsetIndex& oi) {
  std::string bytes;
  SerializeOffsetIndex(oi, &bytes);
  auto back = ParseOffsetIndex(bytes);
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return back.ok() ? *back : OffsetIndex{};
}

TEST(ParquetFormatTest, PageIndexRoundTripsShortAndLongLists) {
  // 14 elements fit a list header's size nibble; 15 and more take the long form.
  for (size_t pages : {0u, 1u, 14u, 15u, 300u}) {
    const ColumnIndex ci = FullColumnIndex(pages);
    EXPECT_EQ(Roundtrip(ci), ci) << pages;
    const OffsetIndex oi = FullOffsetIndex(pages);
    EXPECT_EQ(Roundtrip(oi), oi) << pages;
  }
  ColumnIndex bare = FullColumnIndex(3);  // the optional lists unwritten
  bare.null_counts.clear();
  bare.repetition_level_histograms.clear();
  bare.definition_level_histograms.clear();
  bare.nan_counts.clear();
  bare.boundary_order = BoundaryOrder::kUnordered;
  EXPECT_EQ(Roundtrip(bare), bare);
  OffsetIndex bare_offsets = FullOffsetIndex(3);
  bare_offsets.unencoded_byte_array_data_bytes.clear();
  EXPECT_EQ(Roundtrip(bare_offsets), bare_offsets);
}

TEST(ParquetFormatTest, NullPagesAreBoolElementsAsThriftWritesThem) {
  ColumnIndex ci;
  ci.null_pages = {true, false};
  ci.min_values = {"", "a"};
  ci.max_values = {"", "b"};
  ci.boundary_order = BoundaryOrder::kAscending;
  std::string bytes;
  SerializeColumnIndex(ci, &bytes);
  // Field 1, a list (0x19); 2 elements of type bool (0x22); true is 1 and false 2, as in a field header.
  ASSERT_GE(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x19\x22\x01\x02", 4));
  // Either bool id as the element type, and 0 for false, as other writers have it.
  std::string other = bytes;
  other[1] = 0x21;
  other[3] = 0x00;
  auto back = ParseColumnIndex(other);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->null_pages, (std::vector<bool>{true, false}));
}

TEST(ParquetFormatTest, PageIndexBytesMustBeExactlyOneStruct) {
  std::string ci_bytes, oi_bytes;
  SerializeColumnIndex(FullColumnIndex(20), &ci_bytes);
  SerializeOffsetIndex(FullOffsetIndex(20), &oi_bytes);
  for (size_t n = 0; n < ci_bytes.size(); ++n) {
    auto ci = ParseColumnIndex(std::string_view(ci_bytes).substr(0, n));
    ASSERT_FALSE(ci.ok()) << "a prefix of " << n << " bytes parsed";
    EXPECT_EQ(ci.status().message().rfind("parquet column index: ", 0), 0u) << ci.status().message();
  }
  for (size_t n = 0; n < oi_bytes.size(); ++n) {
    auto oi = ParseOffsetIndex(std::string_view(oi_bytes).substr(0, n));
    ASSERT_FALSE(oi.ok()) << "a prefix of " << n << " bytes parsed";
    EXPECT_EQ(oi.status().message().rfind("parquet offset index: ", 0), 0u) << oi.status().message();
  }
  auto longer = ParseOffsetIndex(oi_bytes + "x");
  ASSERT_FALSE(longer.ok());
  EXPECT_NE(longer.status().message().find("the struct ends 1 bytes before its stated length"), std::string::npos)
      << longer.status().message();
  // An offset index is not a column index: field 1 is a list of structs there, of bools here.
  auto wrong = ParseColumnIndex(oi_bytes);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("ColumnIndex.null_pages is a list of struct, expected bool"),
            std::string::npos)
      << wrong.status().message();
}

TEST(ParquetFormatTest, PageIndexRequiredFieldsAreRequired) {
  std::string bytes;
  ThriftCompactWriter w(&bytes);
  w.StructBegin();
  w.FieldListBegin(1, CompactType::kBoolFalse, 0);
  w.FieldListBegin(2, CompactType::kBinary, 0);
  w.FieldListBegin(3, CompactType::kBinary, 0);
  w.StructEnd();  // no boundary_order
  auto ci = ParseColumnIndex(bytes);
  ASSERT_FALSE(ci.ok());
  EXPECT_NE(ci.status().message().find("ColumnIndex.boundary_order missing"), std::string::npos)
      << ci.status().message();
  bytes.clear();
  ThriftCompactWriter o(&bytes);
  o.StructBegin();
  o.FieldListBegin(1, CompactType::kStruct, 1);
  o.StructBegin();
  o.FieldI64(1, 4);
  o.FieldI64(3, 0);  // no compressed_page_size
  o.StructEnd();
  o.StructEnd();
  auto oi = ParseOffsetIndex(bytes);
  ASSERT_FALSE(oi.ok());
  EXPECT_NE(oi.status().message().find("PageLocation.compressed_page_size missing"), std::string::npos)
      << oi.status().message();
  EXPECT_NE(oi.status().message().find("page_locations[0]"), std::string::npos) << oi.status().message();
}

TEST(ParquetFormatTest, CorruptedPageIndexesNeverCrashAndWhatParsesRoundTrips) {
  std::string golden;
  SerializeColumnIndex(FullColumnIndex(16), &golden);
  int parsed = 0;
  for (size_t i = 0; i < golden.size(); ++i) {
    for (uint8_t flip : {0x01, 0x10, 0x80, 0xff}) {
      std::string bad = golden;
      bad[i] = static_cast<char>(bad[i] ^ flip);
      auto ci = ParseColumnIndex(bad);
      if (!ci.ok()) {
        EXPECT_EQ(ci.status().code(), StatusCode::kCorruption);
        continue;
      }
      ++parsed;
      EXPECT_EQ(Roundtrip(*ci), *ci) << "byte " << i << " ^ " << int{flip};
    }
  }
  EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace floe::parquet
