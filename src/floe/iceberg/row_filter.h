// Residual filtering of scanned rows: a bound filter (expressions.h) evaluated on a batch of columns as the Parquet
// reader produces them (formats/column_vector.h).
//
// Scan planning keeps a data file when its partition or stats say it *might* hold matching rows; the rows read
// from it are then filtered exactly here. The rules are the ones the planning evaluators assume (expressions.h):
// null and NaN fail comparisons and satisfy their negations, floating-point values compare in the spec's order, a NOT
// is pushed into the predicates. Kept apart from expressions.h because ColumnVector lives in library floe_parquet,
// which the core Iceberg library does not link.
#pragma once

#include <cstdint>
#include <vector>

#include "floe/base/status.h"
#include "floe/formats/column_vector.h"
#include "floe/iceberg/expressions.h"

namespace floe::iceberg {

// One selection byte per row (1 = the row matches `bound`) of the batch whose column i holds field field_ids[i].
// All columns have the same number of rows (the batch's); with no columns the batch has no rows. A column's values
// are read by its ColumnType: int32 (kInt32, kDate: days), int64 (kInt64, kTimestamp*: micros, kDecimal: unscaled at
// the column's scale), float, double, bool, string/binary bytes; they are compared with literals of the field's type
// by value (a decimal(9,2) literal with a decimal(9,3) column, a timestamp_ns literal with a micros column).
// InvalidArgument when a referenced field has no column in the batch, the columns differ in length, or a column's type
// cannot hold the field's type ("row filter: field 3 ('host') is string but its column is int").
Result<std::vector<uint8_t>> EvaluateBatch(const ExpressionPtr& bound, const std::vector<int32_t>& field_ids,
                                           const std::vector<formats::ColumnVector>& columns);

}  // namespace floe::iceberg
