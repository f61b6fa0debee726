// Iceberg data files from columns: rows split by partition, written as Parquet through a FileIO, and described by
// DataFile entries with the metrics a manifest stores (Apache Iceberg table spec v2, "Manifests" (data_file fields),
// "Appendix D: Single-value serialization" for the bounds, "Column Projection" and "Parquet" in "Appendix A: Format-
// specific Requirements" for field ids in the Parquet schema).
//
// Files land at <data location>/<partition path>/<prefix>-<n>.parquet (n counts from 00001 per writer), the
// partition path being "name=value/..." (transforms.h). Metrics follow Iceberg's default metrics mode,
// truncate(16): counts for every column, bounds for every column with values, string and binary bounds cut to 16
// characters (bytes for binary) with the upper bound rounded up so it still bounds the column.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/column_vector.h"
#include "floe/formats/parquet/parquet_writer.h"
#include "floe/iceberg/iceberg_types.h"
#include "floe/iceberg/manifest.h"
#include "floe/iceberg/partition_spec.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {

// The column schema of an Iceberg schema, for the Parquet writer and the query engine. Only flat schemas of the
// primitive types floe's columns hold: boolean, int, long, float, double, decimal(P<=18,S), date, timestamp,
// timestamptz, string, binary. Each column keeps its field id; nullable = !required. Unsupported naming the field
// for any other type (nested types, uuid, fixed, time, the _ns timestamps, decimals over precision 18).
Result<formats::Schema> ToColumnSchema(const Schema& schema);
// The inverse: an Iceberg schema (schema id 0) of the columns, ids from field_id; columns without one (-1) get the
// smallest unused ids from 1 up. InvalidArgument for a duplicate field id or name.
Result<Schema> FromColumnSchema(const formats::Schema& columns);

// The Iceberg type of a column type, and the column type of an Iceberg primitive type (Unsupported as above).
TypePtr ToIcebergType(const formats::DataType& type);
Result<formats::DataType> ToColumnType(const Type& type);

// Iceberg's truncate(L) bounds for strings (L unicode characters) and binary (L bytes). The lower bound is the
// prefix; the upper bound is the prefix with its last character (byte) incremented, dropping characters (bytes) that
// cannot be incremented; nullopt when none can. Values no longer than L are their own bounds.
std::string TruncateLowerBound(std::string_view value, bool is_string, int length = 16);
std::optional<std::string> TruncateUpperBound(std::string_view value, bool is_string, int length = 16);

struct DataFileWriterOptions {
  parquet::ParquetWriterOptions parquet;
  // File names are <file_prefix>-<n>.parquet. Empty: "00000-0-<random uuid>", unique per writer, as Java names
  // them (<partition id>-<task id>-<operation id>).
  std::string file_prefix;
  // Iceberg's write.target-file-size-bytes: once a partition's file passes this size (row groups already encoded
  // count at their compressed size, rows still buffered at their in-memory size), it is written and another starts.
  int64_t target_file_bytes = int64_t{512} << 20;
};

// Writes the rows of one table (schema and partition spec) into data files. Not thread-safe. `io` must outlive the
// writer. Nothing is visible to readers of the table until the DataFiles are committed to it.
class DataFileWriter {
 public:
  // `data_location` is the directory of the table's data files, e.g. "<table location>/data". InvalidArgument when
  // the spec does not fit the schema (a source column missing or not a top-level column, a transform that does not
  // apply); Unsupported when the schema is not flat (ToColumnSchema).
  static Result<DataFileWriter> Make(io::FileIO* io, const Schema& schema, const PartitionSpec& spec,
                                     std::string data_location, DataFileWriterOptions options = {});
  DataFileWriter(DataFileWriter&&) noexcept;
  DataFileWriter& operator=(DataFileWriter&&) noexcept;
  ~DataFileWriter();

  // Appends rows: one column per schema field, in schema order, all of one length, of the fields' column types.
  // InvalidArgument naming the field for a wrong column count, type or length, or a null in a required field; a
  // failed transform or file write is returned as it is. After an error the writer must not be used again.
  Status Write(const std::vector<formats::ColumnVector>& batch);

  // Writes every open file and returns the DataFiles of all files this writer wrote, in the order they were
  // written. The writer is spent afterwards.
  Result<std::vector<DataFile>> Finish();

  const std::string& file_prefix() const;

 private:
  struct State;
  explicit DataFileWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace floe::iceberg
