// ParquetWriter: floe's columns (column_vector.h) into one Parquet file (apache/parquet-format), built in memory
// and returned whole, so the caller hands it to a FileIO in one write.
//
// What it writes, chosen to match what pyarrow writes by default so that sizes and readers compare:
//   - flat schemas; optional columns get definition levels (RLE/bit-packed hybrid, bit width 1), required ones none;
//     Iceberg field ids in the schema (SchemaElement.field_id) and the logical types of column_vector.h, decimals as
//     Iceberg's Parquet type mapping asks (apache/iceberg format/spec.md, "Parquet"): INT32 up to precision 9, INT64
//     up to 18, annotated DECIMAL(P, S);
//   - per column chunk a dictionary (PLAIN dictionary page, RLE_DICTIONARY data pages) unless the dictionary grows
//     past `dictionary_page_bytes`, then PLAIN pages for the whole chunk; booleans are always PLAIN;
//   - data pages v1 of at most `page_bytes` of values and `page_rows` rows, compressed with the file's codec (ZSTD
//     by default);
//   - statistics (parquet.thrift Statistics, ColumnIndex) with a TypeDefinedOrder column order, so that readers may
//     prune on them: per column chunk and in every data page header min_value/max_value, null_count, nan_count for
//     floats (NaN never a bound; a zero minimum is -0.0 and a zero maximum +0.0), and the deprecated min/max where
//     the order is signed (all but strings and binary), as parquet-cpp writes them;
//   - the page index (PageIndex.md), unless `page_index` is off: a ColumnIndex (per page null_pages, min/max,
//     null_counts, nan_counts, and the boundary order) and an OffsetIndex (page locations) per column chunk, all
//     column indexes then all offset indexes between the last row group and the footer. A chunk with a page of only
//     NaNs gets no ColumnIndex, as parquet.thrift requires under TYPE_ORDER.
//     Page-level string and binary bounds (page headers and column index alike) longer than `page_stats_max_bytes`
//     are truncated: the minimum to a prefix, the maximum to a prefix with its last byte (binary) or character
//     (UTF-8, never split) incremented, flagged is_min/max_value_exact = false in the header. 64 bytes is
//     parquet-java's and arrow-rs's column-index default (parquet.columnindex.truncate.length); parquet-cpp does
//     not truncate but drops bounds over 4 KiB, which costs the chunk its column index. Chunk statistics (and so
//     Iceberg's bounds) stay exact and whole, as both parquet-cpp and parquet-java write them by default;
//   - row groups of `row_group_rows` rows; with `threads` > 1 the column chunks of a row group are encoded and
//     compressed on that many threads at once (the file is the same byte for byte).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/column_vector.h"
#include "floe/formats/parquet/parquet_types.h"

namespace floe::parquet {

struct ParquetWriterOptions {
  CompressionCodec codec = CompressionCodec::kZstd;
  int compression_level = 0;         // 0: the codec's default (page_compression.h)
  int64_t row_group_rows = 1 << 20;  // pyarrow's default row group size
  int64_t page_bytes = 1 << 20;      // pyarrow's data_page_size
  int64_t page_rows = 20000;         // parquet-cpp's max rows per page
  bool dictionary = true;
  int64_t dictionary_page_bytes = 1 << 20;  // pyarrow's dictionary_pagesize_limit
  int threads = 1;                          // column chunks encoded at once (1: all on the calling thread)
  bool page_index = true;                   // write a ColumnIndex and an OffsetIndex per column chunk
  int64_t page_stats_max_bytes = 64;        // longest page-level string bound (0: never truncate)
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

// Per-column figures of a written file, for Iceberg's data_file entry (value/null counts, sizes, bounds).
struct ColumnFileStats {
  int64_t values = 0;  // rows, nulls included
  int64_t nulls = 0;
  int64_t compressed_bytes = 0;
  bool has_bounds = false;
  // The smallest and largest non-null, non-NaN value, PLAIN-encoded in the column's Parquet physical type: strings
  // and binary as their bytes; 4 bytes little-endian for int, date, float and decimal(P <= 9) (an INT32 column),
  // 8 for long, double, timestamps and decimal(10 <= P <= 18); 1 byte for boolean.
  std::string lower;
  std::string upper;
};

class ParquetWriter {
 public:
  ParquetWriter(formats::Schema schema, ParquetWriterOptions options);

  // Appends a batch: one column per schema field, all of the same length and of the field's type; a null in a
  // required field, or a decimal whose unscaled value has more digits than the field's precision, is
  // InvalidArgument naming the field and row. Full row groups are encoded as they fill.
  Status Write(const std::vector<formats::ColumnVector>& batch);

  // Encodes what is left and the footer; returns the file. The writer is spent afterwards.
  Result<std::string> Finish();

  int64_t rows() const { return rows_; }
  const std::vector<ColumnFileStats>& column_stats() const { return stats_; }

 private:
  Status FlushRowGroup();
  // Encodes rows [begin, end) of `columns` as one row group.
  Status WriteRowGroup(const std::vector<formats::ColumnVector>& columns, size_t begin, size_t end);

  formats::Schema schema_;
  ParquetWriterOptions options_;
  std::vector<formats::ColumnVector> pending_;
  std::string file_;
  int64_t rows_ = 0;
  std::vector<ColumnFileStats> stats_;
  struct State;
  std::shared_ptr<State> state_;  // the footer being built and per-column state (parquet_format.h stays out here)
};

}  // namespace floe::parquet
