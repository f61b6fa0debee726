// The built-in functions and operators of floe's SQL, and their typing rules (Flink's, from its documentation and
// its type-inference code, where floe departs from them the departure is written here).
//
// Aggregates (COUNT, SUM, AVG, MIN, MAX; DISTINCT allowed on each):
//   COUNT(*), COUNT(x)   BIGINT NOT NULL
//   SUM(x)               TINYINT, SMALLINT, INT, BIGINT -> BIGINT. Flink keeps the argument's type (SUM of INT is INT
//                        and wraps on overflow); floe sums integers in BIGINT, so a SUM that Flink would overflow is
//                        right in floe. A sink column for SUM(int_column) must therefore be BIGINT (or DECIMAL/DOUBLE).
//                        FLOAT -> FLOAT, DOUBLE -> DOUBLE, DECIMAL(p, s) -> DECIMAL(38, s), as Flink.
//   AVG(x)               the argument's type, as Flink: AVG of INT is INT (the integer part of the mean), AVG of
//                        DOUBLE is DOUBLE, AVG of DECIMAL(p, s) is DECIMAL(38, max(6, s)). floe follows Flink here so
//                        that the same job gives the same rows on both; CAST(x AS DOUBLE) inside for a fractional mean.
//   MIN(x), MAX(x)       the argument's type (numbers, strings, booleans, dates, times, timestamps, intervals).
//   SUM, AVG, MIN and MAX are nullable when the argument is, or when the query has no GROUP BY (an empty input
//   has no value): Calcite's rule, which Flink follows.
//
// Operators: + - * / % of two integers give the wider integer type, and / divides integers (5 / 2 is 2), as in
// Calcite and so in Flink; with FLOAT or DOUBLE they give the approximate type; with DECIMAL, Flink's decimal rules
// (types.h). % takes exact numbers only. Datetime +/- interval keeps the datetime's type; || joins strings.
//
// Scalar functions (nullable when an argument is, unless said):
//   numeric   ABS(n), SIGN(n), FLOOR(n), CEIL(n), CEILING(n), ROUND(n [, digits]): n's type (a DECIMAL's
//             precision and scale adjusted as Flink); MOD(a, b): as a % b; POWER(a, b), SQRT, EXP, LN, LOG10,
//             LOG2, LOG([base,] x): DOUBLE
//   string    UPPER, LOWER, INITCAP, TRIM, LTRIM, RTRIM (one argument): the argument's type; CHAR_LENGTH,
//             CHARACTER_LENGTH: INT; CONCAT(s, ...), CONCAT_WS(sep, s, ...) (nullable when sep is),
//             SUBSTRING(s, start [, length]) and SUBSTR, REPLACE(s, from, to), LPAD(s, n, pad), RPAD,
//             REGEXP_EXTRACT(s, regex [, group]) (always nullable), REGEXP_REPLACE(s, regex, replacement): STRING
//   time      TO_TIMESTAMP_LTZ(epoch, precision): TIMESTAMP_LTZ(3); `precision` is the literal 0 (epoch seconds) or 3
//             (epoch milliseconds; the default when omitted); TO_TIMESTAMP(s [, format]): TIMESTAMP(3), always
//             nullable; TO_DATE(s [, format]): DATE, always nullable; DATE_FORMAT(ts, format): STRING;
//             UNIX_TIMESTAMP(): BIGINT NOT NULL; UNIX_TIMESTAMP(s [, format]): BIGINT; FROM_UNIXTIME(n [, format]):
//             STRING; YEAR, MONTH, DAYOFMONTH, HOUR, MINUTE, SECOND (datetime): BIGINT;
//             CURRENT_TIMESTAMP, NOW(): TIMESTAMP_LTZ(3) NOT NULL; LOCALTIMESTAMP: TIMESTAMP(3) NOT NULL;
//             CURRENT_DATE: DATE NOT NULL; CURRENT_TIME, LOCALTIME: TIME(0) NOT NULL
//   null      COALESCE(a, ...), IFNULL(a, b): the common type, nullable only when every argument is;
//             NULLIF(a, b): the common type, nullable; IF(cond, a, b), GREATEST(a, ...), LEAST(a, ...): the common type
// PROCTIME(), Flink's legacy group-window functions (TUMBLE_START, ...) and aggregates beyond the five are errors
// that say so.
//
// Every function returns InvalidArgument with a reason and no position on misuse; the binder adds the position.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "floe/base/status.h"
#include "floe/sql/ast.h"
#include "floe/sql/bound_expression.h"
#include "floe/sql/types.h"

namespace floe::sql {

// The type of a call, and the type each argument must have (the binder casts an argument whose type differs).
struct CallTyping {
  DataType result;
  std::vector<DataType> arg_types;
};

bool IsAggregateFunction(std::string_view upper_name);
// Every function name floe knows, for "did you mean" suggestions.
const std::vector<std::string>& KnownFunctionNames();

// A scalar function call on bound arguments (literal arguments, such as TO_TIMESTAMP_LTZ's precision, are read).
Result<CallTyping> TypeScalarCall(std::string_view upper_name, const std::vector<BoundExprPtr>& args);
// An aggregate call. `star` for COUNT(*); `grouped` when the query has GROUP BY.
Result<DataType> TypeAggregateCall(std::string_view upper_name, bool star, const std::vector<DataType>& args,
                                   bool grouped);
// Arithmetic (+ - * / %) and || on two operands. A NULL-typed operand takes the other's type.
Result<CallTyping> TypeBinaryArithmetic(BinaryOp op, const DataType& a, const DataType& b);

}  // namespace floe::sql
