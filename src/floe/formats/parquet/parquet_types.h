// The enumerations of the Parquet format (apache/parquet-format, src/main/thrift/parquet.thrift), with the
// numeric values the Thrift footer and page headers carry. Shared by the metadata codec (parquet_format.h), the
// encodings and codecs, the writer and the reader.
#pragma once

#include <cstdint>
#include <string_view>

namespace floe::parquet {

// Physical types.
enum class Type : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,  // deprecated timestamps; read only
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

// Legacy logical annotations (still written beside LogicalType for old readers).
enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimeMillis = 7,
  kTimeMicros = 8,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
  kBson = 20,
  kInterval = 21,
};

enum class FieldRepetitionType : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,  // deprecated spelling of a dictionary-encoded page (v1 files)
  kRle = 3,
  kBitPacked = 4,  // deprecated levels encoding
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,  // the deprecated Hadoop-framed LZ4
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

enum class TimeUnit : int32_t { kMillis = 0, kMicros = 1, kNanos = 2 };

// ColumnIndex.boundary_order: whether the pages' min_values and max_values both run in the column's order.
enum class BoundaryOrder : int32_t { kUnordered = 0, kAscending = 1, kDescending = 2 };

// Names as the spec spells them ("ZSTD", "RLE_DICTIONARY"), for error messages and `floe table describe`.
std::string_view TypeName(Type t);
std::string_view EncodingName(Encoding e);
std::string_view CodecName(CompressionCodec c);
std::string_view PageTypeName(PageType p);

}  // namespace floe::parquet
