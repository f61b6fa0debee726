// Evaluation of bound expressions (sql/bound_expression.h) over stream rows (datum.h).
//
// Compile() turns a bound expression into a tree of nodes once: every operator and function name, every operand
// type, literal regex, LIKE pattern and datetime format is resolved then, so Evaluate() does no string dispatch per
// row. Constant subexpressions (no column, no wall clock) are evaluated once at Compile time when they succeed.
//
// Semantics are Flink's (functions.h lists the functions and their types):
//   - NULL in, NULL out for operators and functions, except AND/OR/NOT/IS (three-valued logic), IS [NOT] DISTINCT
//     FROM, COALESCE/IFNULL/NULLIF/IF/CASE, CONCAT_WS (skips NULL strings) and IN (NULL when nothing matches and an
//     item is NULL).
//   - Integer arithmetic wraps in the result type as Java's does; / truncates and % takes the dividend's sign.
//     Division or remainder by zero of exact numbers is an error; of FLOAT/DOUBLE gives Infinity or NaN.
//   - DECIMAL arithmetic is exact and rounds HALF_UP to the result scale; a result that needs more digits than its
//     type's precision is NULL, as Flink's DecimalData makes it. Comparisons of FLOAT/DOUBLE follow IEEE 754 (NaN is
//     unequal to everything), as Flink's generated code does.
//   - CAST: to a narrower integer out of range, from text that does not parse, from NaN or Infinity to an exact
//     number are errors (InvalidArgument naming the CAST, the value and the reason); TRY_CAST gives NULL instead.
//     A value that does not fit a DECIMAL's precision is NULL. To VARCHAR(n)/CHAR(n) truncates to n code points
//     (CHAR pads with spaces), as Flink 1.16+.
//   - Timestamps: the session time zone is UTC, so TIMESTAMP and TIMESTAMP_LTZ share a representation and convert
//     one to one. Datetime patterns are Java's (SimpleDateFormat / DateTimeFormatter letters y M d H h k K m s S a E
//     D u z Z X G and quoted text).
//   - Runtime errors are InvalidArgument naming the operation and the offending value: "division by zero: 7 / 0".
#pragma once

#include <memory>

#include "floe/base/status.h"
#include "floe/sql/bound_expression.h"
#include "floe/sql/types.h"
#include "floe/stream/datum.h"

namespace floe::stream {

// Where the references of an expression read in the row it is evaluated over. A base of -1 means that kind of
// reference is not allowed in this expression (Compile fails with Internal, a planner bug).
struct CompileContext {
  int column_base = 0;      // kColumnRef i reads row[column_base + i]
  int group_base = -1;      // kGroupRef i reads row[group_base + i]
  int aggregate_base = -1;  // kAggregateRef i reads row[aggregate_base + i]
};

namespace internal {
struct EvalNode;
}

class CompiledExpression {
 public:
  // Unsupported for an operator or function the evaluator does not know; InvalidArgument for a literal argument it
  // cannot use (an invalid regex, an unknown datetime pattern letter, a bad LIKE escape).
  static Result<CompiledExpression> Compile(const sql::BoundExprPtr& expr, const CompileContext& context = {});

  // Evaluates over `row` into `*out`, which must not be an element of `row`. The row must have every column the
  // expression reads (Internal otherwise). Thread-safe: a compiled expression is immutable and cheap to copy.
  Status Evaluate(const Row& row, Datum* out) const;

  // For WHERE and HAVING: `*keep` is true only when the predicate is TRUE (NULL counts as false, as in SQL).
  Status EvaluateFilter(const Row& row, bool* keep) const;

  // The result type (the bound expression's).
  const sql::DataType& type() const { return type_; }

 private:
  CompiledExpression(std::shared_ptr<const internal::EvalNode> root, sql::DataType type)
      : root_(std::move(root)), type_(type) {}

  std::shared_ptr<const internal::EvalNode> root_;
  sql::DataType type_;
};

}  // namespace floe::stream
