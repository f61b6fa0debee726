// Rows of columns as text for `floe table scan`: CSV (RFC 4180, a header row, nulls as empty fields), JSON Lines
// (one object per row, nulls as null, numbers as numbers, everything else as strings) and an aligned text table
// (like psql's, nulls as "NULL").
//
// Values are written the same way in every format: integers and decimals exactly ("21.53"), floats and doubles by
// the shortest text that reads back to the same value, dates "2026-11-25", timestamps "2026-11-25T10:00:00.123456"
// (with "Z" for timestamptz), binary as hex.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "floe/formats/column_vector.h"

namespace floe::cli {

enum class RowFormat { kCsv, kJson, kTable };

// Writes rows to a FILE as they come (csv, json) or at the end (table, which needs every width first).
class RowPrinter {
 public:
  RowPrinter(FILE* out, RowFormat format, std::vector<std::string> column_names);

  // Prints up to `limit` more rows in total (negative: no limit). Returns the number of rows printed by this call.
  size_t Print(const std::vector<formats::ColumnVector>& batch, int64_t limit = -1);
  // Ends the output (the table format prints everything here). Returns false when writing failed.
  bool Finish();

  int64_t rows() const { return rows_; }

 private:
  void Emit(std::string_view s);

  FILE* out_;
  RowFormat format_;
  std::vector<std::string> names_;
  std::string buffer_;
  int64_t rows_ = 0;
  std::vector<std::vector<std::string>> table_cells_;  // kTable: every row, NULL as a null marker
  std::vector<std::vector<bool>> table_nulls_;
  std::vector<bool> numeric_;  // kTable: right-aligned columns
  bool header_done_ = false;
  bool failed_ = false;
};

// One value as text (the shared form above); `null` is not called for.
std::string FormatValue(const formats::ColumnVector& column, size_t row);

}  // namespace floe::cli
