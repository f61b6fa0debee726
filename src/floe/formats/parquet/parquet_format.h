// The Parquet file metadata (the footer) and page headers: plain structs for the parts of parquet.thrift
// (apache/parquet-format, src/main/thrift/parquet.thrift) that floe writes and reads, and their Thrift Compact
// Protocol codec (thrift_compact.h).
//
// A file is "PAR1", column chunks (each a sequence of pages, each page a PageHeader and its body), optionally the
// page index (PageIndex.md: a ColumnIndex and an OffsetIndex per column chunk, which ColumnChunk points at), the
// footer (a FileMetaData), the footer's length as 4 bytes little-endian, and "PAR1".
//
// Optional Thrift fields are std::optional, or an empty vector for optional lists (an empty list and no list mean
// the same to floe). Field ids and types are the spec's. Parsing skips the fields floe does not model (size
// statistics, geospatial statistics, encryption, newer additions), so files from newer writers read. Enum values
// outside parquet_types.h are kept as they are; what they mean is the reader's question.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/parquet/parquet_types.h"

namespace floe::parquet {

struct Statistics {
  std::optional<std::string> max;  // deprecated: signed order; PLAIN values, strings without length prefix
  std::optional<std::string> min;
  std::optional<int64_t> null_count;
  std::optional<int64_t> distinct_count;
  std::optional<std::string> max_value;  // in the column's ColumnOrder
  std::optional<std::string> min_value;
  std::optional<bool> is_max_value_exact;
  std::optional<bool> is_min_value_exact;
  std::optional<int64_t> nan_count;  // FLOAT and DOUBLE: the NaNs, which min/max leave out
  bool operator==(const Statistics&) const = default;
};

// The LogicalType union: `kind` says which member is set, and the members with parameters keep them beside it.
struct LogicalType {
  // The union's field ids. kNone is no member: a SchemaElement never holds one after parsing (a member floe does
  // not know, such as VARIANT or GEOMETRY, parses as no logicalType), and serializing one omits the field.
  enum class Kind : int16_t {
    kNone = 0,
    kString = 1,
    kMap = 2,
    kList = 3,
    kEnum = 4,
    kDecimal = 5,
    kDate = 6,
    kTime = 7,
    kTimestamp = 8,
    kInteger = 10,
    kUnknown = 11,  // NullType: a column of nulls only
    kJson = 12,
    kBson = 13,
    kUuid = 14,
    kFloat16 = 15,
  };
  Kind kind = Kind::kNone;
  int32_t decimal_scale = 0;  // kDecimal
  int32_t decimal_precision = 0;
  bool is_adjusted_to_utc = false;  // kTime, kTimestamp
  TimeUnit unit = TimeUnit::kMillis;
  int8_t int_bit_width = 0;  // kInteger: 8, 16, 32 or 64
  bool int_is_signed = false;
  bool operator==(const LogicalType&) const = default;
};

// One node of the schema tree, flattened depth-first; the root is first.
struct SchemaElement {
  std::optional<Type> type;  // unset for a group
  std::optional<int32_t> type_length;
  std::optional<FieldRepetitionType> repetition_type;  // unset for the root
  std::string name;
  std::optional<int32_t> num_children;  // set for a group
  std::optional<ConvertedType> converted_type;
  std::optional<int32_t> scale;
  std::optional<int32_t> precision;
  std::optional<int32_t> field_id;
  std::optional<LogicalType> logical_type;
  bool operator==(const SchemaElement&) const = default;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const KeyValue&) const = default;
};

struct PageEncodingStats {
  PageType page_type = PageType::kDataPage;
  Encoding encoding = Encoding::kPlain;
  int32_t count = 0;
  bool operator==(const PageEncodingStats&) const = default;
};

struct ColumnMetaData {
  Type type = Type::kBoolean;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;  // all pages, headers included
  int64_t total_compressed_size = 0;
  std::vector<KeyValue> key_value_metadata;
  int64_t data_page_offset = 0;
  std::optional<int64_t> index_page_offset;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  std::vector<PageEncodingStats> encoding_stats;
  std::optional<int64_t> bloom_filter_offset;
  std::optional<int32_t> bloom_filter_length;
  bool operator==(const ColumnMetaData&) const = default;
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // set when the chunk lives in another file
  int64_t file_offset = 0;               // deprecated; 0 when no ColumnMetaData is written outside the footer
  std::optional<ColumnMetaData> meta_data;
  std::optional<int64_t> offset_index_offset;
  std::optional<int32_t> offset_index_length;
  std::optional<int64_t> column_index_offset;
  std::optional<int32_t> column_index_length;
  bool operator==(const ColumnChunk&) const = default;
};

struct SortingColumn {
  int32_t column_idx = 0;
  bool descending = false;
  bool nulls_first = false;
  bool operator==(const SortingColumn&) const = default;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::vector<SortingColumn> sorting_columns;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
  bool operator==(const RowGroup&) const = default;
};

// The ColumnOrder union. floe writes and understands TYPE_ORDER only; another member (IEEE_754_TOTAL_ORDER,
// INT96_TIMESTAMP_ORDER, newer ones) parses as type_defined = false and serializes as an empty union.
struct ColumnOrder {
  bool type_defined = true;
  bool operator==(const ColumnOrder&) const = default;
};

struct FileMetaData {
  int32_t version = 0;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  std::vector<ColumnOrder> column_orders;  // one per leaf column, when present
  bool operator==(const FileMetaData&) const = default;
};

struct DataPageHeader {
  int32_t num_values = 0;  // nulls included
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeader&) const = default;
};

struct IndexPageHeader {
  bool operator==(const IndexPageHeader&) const = default;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  std::optional<bool> is_sorted;
  bool operator==(const DictionaryPageHeader&) const = default;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;  // nulls included
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;  // levels are never compressed
  int32_t repetition_levels_byte_length = 0;
  std::optional<bool> is_compressed;  // unset means true
  std::optional<Statistics> statistics;
  bool operator==(const DataPageHeaderV2&) const = default;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;  // the body, without this header
  int32_t compressed_page_size = 0;
  std::optional<int32_t> crc;
  std::optional<DataPageHeader> data_page_header;
  std::optional<IndexPageHeader> index_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
  bool operator==(const PageHeader&) const = default;
};

// The page index (PageIndex.md). Entry i of every list is about page i of the chunk, dictionary pages not counted.
struct PageLocation {
  int64_t offset = 0;                // of the page header in the file
  int32_t compressed_page_size = 0;  // header and compressed body
  int64_t first_row_index = 0;       // in the row group
  bool operator==(const PageLocation&) const = default;
};

struct OffsetIndex {
  std::vector<PageLocation> page_locations;
  std::vector<int64_t> unencoded_byte_array_data_bytes;  // BYTE_ARRAY columns, when present
  bool operator==(const OffsetIndex&) const = default;
};

struct ColumnIndex {
  std::vector<bool> null_pages;         // true: only nulls, and min_values/max_values hold empty strings there
  std::vector<std::string> min_values;  // PLAIN, strings without length prefix; bounds, not necessarily values
  std::vector<std::string> max_values;
  BoundaryOrder boundary_order = BoundaryOrder::kUnordered;
  std::vector<int64_t> null_counts;  // empty: not written
  std::vector<int64_t> repetition_level_histograms;
  std::vector<int64_t> definition_level_histograms;
  std::vector<int64_t> nan_counts;  // FLOAT and DOUBLE; empty: not written
  bool operator==(const ColumnIndex&) const = default;
};

// Append the compact-protocol encoding to *out.
void SerializeFileMetaData(const FileMetaData& md, std::string* out);
void SerializePageHeader(const PageHeader& h, std::string* out);
void SerializeColumnIndex(const ColumnIndex& ci, std::string* out);
void SerializeOffsetIndex(const OffsetIndex& oi, std::string* out);

// Parses a footer (the FileMetaData bytes, without the length and magic that follow it; bytes after the struct are
// ignored, as plaintext-footer signatures follow it). Corruption naming the byte offset in `footer` and where in the
// structure, e.g. "parquet footer: RowGroup.num_rows missing (struct ending at byte 57) in
// FileMetaData.row_groups[0]", when the bytes are not a FileMetaData: malformed Thrift, a known field of the wrong
// type, a required field missing, nesting deeper than 64. Whether the metadata is consistent (schema tree, offsets,
// counts) is left to the reader.
Result<FileMetaData> ParseFileMetaData(std::string_view footer);

// Parses the page header at the start of `bytes`, which may continue with the page body; sets *header_size to the
// bytes the header took. Errors as ParseFileMetaData's ("parquet page header: ..."); a negative page size, level
// length or value count is an error too.
Result<PageHeader> ParsePageHeader(std::string_view bytes, size_t* header_size);

// Parse the ColumnIndex or OffsetIndex that fills `bytes` (ColumnChunk.column_index_offset/length); errors as
// ParseFileMetaData's ("parquet column index: ...", "parquet offset index: ..."), and a struct that ends before
// `bytes` does is an error too, as the length says where it ends. Whether the lists agree with each other and with
// the chunk is left to the reader.
Result<ColumnIndex> ParseColumnIndex(std::string_view bytes);
Result<OffsetIndex> ParseOffsetIndex(std::string_view bytes);

}  // namespace floe::parquet
