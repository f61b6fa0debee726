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
//     by default); min/max/null-count statistics per column chunk (min_value/max_value, with a TypeDefinedOrder
//     column order so readers may prune on them), none in page headers (readers prune on chunks, or on a page
//     index, which floe does not write yet);
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
