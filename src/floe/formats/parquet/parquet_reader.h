// ParquetReader: one Parquet file (apache/parquet-format) into floe's columns (column_vector.h), a row group and a
// set of columns at a time (projection), with the footer's statistics exposed for row-group pruning.
//
// Reads flat columns written by floe, pyarrow, DuckDB, Spark/parquet-java: data pages v1 and v2; PLAIN,
// dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY), RLE booleans, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT values; the codecs of page_compression.h. Timestamps of any unit (and
// INT96) become microseconds; decimals up to precision 18 (INT32, INT64 or bytes) become unscaled int64.
// A column floe cannot read (nested in a group or repeated, or of a type it does not support) does not stop the
// file from opening: its error is returned when that column is read, so a projection of the other columns works.
// A corrupt or truncated file is an error naming the file, row group, column and what was wrong, never a crash.
//
// Values are decoded straight to their row positions in the output columns, whose buffers are not zeroed first
// (formats::FixedBytes): dictionary indices a batch at a time through a gather from the decoded dictionary, PLAIN
// pages of a required column (and PLAIN values of v2 pages) decompressed in place, no per-page allocation once a
// chunk's buffers are sized from the row group's row count. With options.threads > 1 the column chunks of a row
// group are decoded in parallel.
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

struct ParquetReaderOptions {
  // Column chunks of a row group decoded at once, each on a thread of its own (1: all on the calling thread).
  int threads = 1;
};

class ParquetReader {
 public:
  // Parses the footer of `file` (the whole file's bytes, which must outlive the reader). `name` goes into errors.
  // Fails on a malformed footer or schema tree; a column that floe cannot read fails only when it is read.
  static Result<ParquetReader> Open(std::string_view file, std::string name, ParquetReaderOptions options = {});

  // One field per leaf column, in file order (the index ReadRowGroup and Stats take): a column in a group is named
  // by its dotted path ("location.lat"). A column that cannot be read is listed with type binary, as a placeholder;
  // column_status says why it cannot be read.
  const formats::Schema& schema() const { return schema_; }
  // OK when column `column` can be read; otherwise the Unsupported error that reading it returns, e.g.
  // "f.parquet: column location.lat is nested or repeated; floe reads flat schemas".
  const Status& column_status(int column) const { return columns_[column].status; }
  // The schema element of leaf column `column` (metadata().schema[column + 1] only when the schema is flat).
  const SchemaElement& column_element(int column) const { return metadata_.schema[columns_[column].element]; }
  const FileMetaData& metadata() const { return metadata_; }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  int64_t num_rows() const { return metadata_.num_rows; }
  int64_t row_group_rows(int row_group) const { return metadata_.row_groups[row_group].num_rows; }

  // A column chunk's statistics in PLAIN encoding, when the writer left trustworthy ones (min_value/max_value, or
  // the legacy min/max for types whose order is signed; not NaN, not INT96); none for a column that cannot be read.
  struct ChunkStats {
    std::optional<std::string> min, max;
    std::optional<int64_t> null_count;
  };
  ChunkStats Stats(int row_group, int column) const;

  // The data pages of a column chunk with their statistics, for skipping pages on a predicate: from the page index
  // (PageIndex.md: OffsetIndex for where the pages are, ColumnIndex for their bounds) when the file has one, and
  // otherwise from the pages' own headers (Statistics in DataPageHeader / DataPageHeaderV2). Bounds are trusted as
  // Stats() trusts them (min_value/max_value under TYPE_ORDER, the legacy min/max for signed orders) and a NaN bound
  // is dropped, as parquet.thrift tells readers; they may be truncated, so they bound the values without being values.
  struct PageStats {
    int64_t offset = 0;           // of the page header in the file
    int32_t compressed_size = 0;  // header and body
    int64_t first_row = 0;        // in the row group
    int64_t rows = 0;
    bool null_page = false;               // known to hold only nulls
    std::optional<std::string> min, max;  // PLAIN (strings without length prefix), both or neither
    std::optional<int64_t> null_count;
  };
  struct ChunkPages {
    bool from_page_index = false;  // bounds and null counts from a ColumnIndex (rather than page headers)
    BoundaryOrder boundary_order = BoundaryOrder::kUnordered;  // of min and max over the pages; from a ColumnIndex
    std::vector<PageStats> pages;
  };
  // A page index or page header that is malformed or disagrees with the chunk (a location outside the file or the
  // chunk, pages out of order, lists of different lengths, a bound of the wrong width) is Corruption naming the file,
  // row group and column, e.g. "f.parquet: row group 0, column x: offset index: page 3 at byte 9000 of 120 bytes runs
  // past the column chunk (bytes 4 to 8000)"; an unreadable column is its column_status().
  Result<ChunkPages> PageStatistics(int row_group, int column) const;

  // Reads `columns` (indexes into schema(); all when empty) of one row group, on up to options.threads threads.
  // Fails with the first failing column's error (in the order of `columns`).
  Result<std::vector<formats::ColumnVector>> ReadRowGroup(int row_group, const std::vector<int>& columns = {}) const;

 private:
  struct ColumnInfo {
    Status status;       // why the column cannot be read, or OK
    size_t element = 0;  // its index in metadata_.schema
    Type physical = Type::kInt32;
    int32_t type_length = 0;
    int64_t time_divisor = 1;  // timestamps: from the file's unit to microseconds (negative: multiply)
    bool int96 = false;
  };

  ParquetReader() = default;
  // Bounds of `s` for `column` that Stats() and PageStatistics() may trust, or none.
  void TrustedBounds(const Statistics& s, int column, std::optional<std::string>* min,
                     std::optional<std::string>* max) const;
  Status PagesFromIndex(int row_group, int column, ChunkPages* out) const;
  Status PagesFromHeaders(int row_group, int column, ChunkPages* out) const;
  // A data page's rows, null count and trusted bounds from its header.
  Status StatsFromHeader(const PageHeader& h, int column, PageStats* p) const;
  Result<formats::ColumnVector> ReadColumnChunk(int row_group, int column) const;

  std::string_view file_;
  std::string name_;
  ParquetReaderOptions options_;
  FileMetaData metadata_;
  formats::Schema schema_;
  std::vector<ColumnInfo> columns_;
};

}  // namespace floe::parquet
