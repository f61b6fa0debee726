// Reading an Iceberg data file (Parquet) into the columns of the table's current schema (Apache Iceberg table spec
// v2, "Schema Evolution" and "Column Projection"; "Appendix A: Format-specific Requirements", Parquet).
//
// Columns are matched by field id, never by name or position: a renamed column is found by its id, a column added to
// the table after the file was written is missing from it and reads as nulls, a dropped one is simply not asked
// for. Types the spec lets a column be promoted to are widened on read: int -> long, float -> double, decimal(P,S)
// -> decimal(P',S) with P' >= P. Files without any field ids (plain pyarrow or DuckDB output added to a table) are
// matched by column name instead.
//
// Row groups can be pruned before they are read: RowGroupMetrics() describes one row group the way a DataFile
// describes a file (counts and Iceberg binary bounds by field id), so the evaluator that prunes data files on their
// manifest metrics prunes row groups too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/column_vector.h"
#include "floe/iceberg/iceberg_types.h"
#include "floe/iceberg/manifest.h"
#include "floe/io/file_io.h"

namespace floe::iceberg {

// A table's name mapping (spec "Column Projection": the table property schema.name-mapping.default), top level:
// for files written without field ids, which column name (any of a field's names) holds which field id.
using NameMapping = std::unordered_map<std::string, int32_t>;
// Parses the property's JSON ([{"field-id": 1, "names": ["id", "record_id"]}, ...]); nested "fields" are ignored
// (floe reads flat tables). InvalidArgument naming what is malformed.
Result<NameMapping> ParseNameMapping(std::string_view json);

class DataFileReader {
 public:
  // Reads `file` whole through `io` and parses its footer. `projection` is the part of the table schema to read
  // (top-level primitive fields, in output order; ToColumnType in data_file_writer.h says which types). Errors start
  // with "data file <path>: ": NotFound when the file is missing, Corruption when its size differs from
  // file_size_in_bytes or it is not valid Parquet, Unsupported for a projected type floe's columns cannot hold, and
  // Corruption naming the column ("column 3 (temperature): ...") when a file column's type cannot be read as the
  // table's, or a required field is missing from the file.
  // A file without field ids is matched through `name_mapping` when given (a column whose name maps to a
  // projected field's id), else by the projected fields' current names.
  static Result<DataFileReader> Open(io::FileIO* io, const DataFile& file, const Schema& projection,
                                     const NameMapping* name_mapping = nullptr);
  DataFileReader(DataFileReader&&) noexcept;
  DataFileReader& operator=(DataFileReader&&) noexcept;
  ~DataFileReader();

  int row_groups() const;
  int64_t row_group_rows(int row_group) const;

  // One column per projected field, of its column type (ToColumnType): the file's column, widened when the table
  // promoted its type, or all nulls when the file does not have it. Corruption naming the column when a required
  // field holds nulls or the data is corrupt; InvalidArgument for a row group out of range.
  Result<std::vector<formats::ColumnVector>> ReadRowGroup(int row_group) const;

  // The row group's metrics as a DataFile (path, format, partition and spec id of the file; record_count the row
  // group's rows) with, per projected field: column_sizes and value_counts; null_value_counts when the file's
  // statistics have a null count; lower_bounds/upper_bounds in Iceberg's binary form of the table's type when the
  // statistics have trustworthy ones (none for float/double bounds that are NaN, INT96 or unsigned columns). A field
  // the file does not have counts as all nulls. nan_value_counts stay empty: Parquet does not record them.
  DataFile RowGroupMetrics(int row_group) const;

  // The file column each projected field reads (an index into the Parquet schema), or -1 when it is missing.
  const std::vector<int>& column_of_field() const;

 private:
  struct State;
  explicit DataFileReader(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace floe::iceberg
