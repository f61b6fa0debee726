// ParquetReader: one Parquet file (apache/parquet-format) into floe's columns (column_vector.h), a row group and a
// set of columns at a time (projection), with the footer's statistics exposed for row-group pruning.
//
// Reads flat schemas written by floe, pyarrow, DuckDB, Spark/parquet-java: data pages v1 and v2; PLAIN,
// dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY), RLE booleans, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT values; the codecs of page_compression.h. Timestamps of any unit (and
// INT96) become microseconds; decimals up to precision 18 become unscaled int64; nested columns are Unsupported.
// A corrupt or truncated file is an error naming the file, row group, column and what was wrong, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/column_vector.h"
#include "floe/formats/parquet/parquet_format.h"

namespace floe::parquet {

class ParquetReader {
 public:
  // Parses the footer of `file` (the whole file's bytes, which must outlive the reader). `name` goes into errors.
  static Result<ParquetReader> Open(std::string_view file, std::string name);

  const formats::Schema& schema() const { return schema_; }
  const FileMetaData& metadata() const { return metadata_; }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  int64_t num_rows() const { return metadata_.num_rows; }
  int64_t row_group_rows(int row_group) const { return metadata_.row_groups[row_group].num_rows; }

  // A column chunk's statistics in PLAIN encoding, when the writer left trustworthy ones (min_value/max_value, or
  // the legacy min/max for types whose order is signed).
  struct ChunkStats {
    std::optional<std::string> min, max;
    std::optional<int64_t> null_count;
  };
  ChunkStats Stats(int row_group, int column) const;

  // Reads `columns` (indexes into schema(); all when empty) of one row group.
  Result<std::vector<formats::ColumnVector>> ReadRowGroup(int row_group, const std::vector<int>& columns = {}) const;

 private:
  struct ColumnInfo {
    Type physical = Type::kInt32;
    int32_t type_length = 0;
    int64_t time_divisor = 1;  // timestamps: from the file's unit to microseconds (negative: multiply)
    bool int96 = false;
    bool unsigned_int = false;
  };

  ParquetReader() = default;
  Result<formats::ColumnVector> ReadColumnChunk(int row_group, int column) const;

  std::string_view file_;
  std::string name_;
  FileMetaData metadata_;
  formats::Schema schema_;
  std::vector<ColumnInfo> columns_;
};

}  // namespace floe::parquet
