// Bound expressions: what the binder makes of a parsed expression once every name is resolved and every node typed.
// The stream planner (and, later, the batch planner) evaluates these; they never see a name they must look up.
//
// A node is one of
//   kLiteral       a Value (value.h)
//   kColumnRef     input column `index` of the operator that evaluates it (a table's row, a window's row: see
//                  bound_statement.h for which row each clause sees); `name` is the column's, for messages
//   kGroupRef      group key `index` of an aggregation (SELECT, HAVING and ORDER BY of an aggregated query)
//   kAggregateRef  aggregate `index` of an aggregation
//   kCall          an operator or scalar function `name` over `args`:
//                    arithmetic  + - * / % (two args) and NEGATE (one); || (string concatenation)
//                    comparison  = <> < <= > >= IS DISTINCT FROM, IS NOT DISTINCT FROM
//                    logic       AND OR NOT; IS NULL, IS NOT NULL, IS TRUE, IS NOT TRUE, IS FALSE, IS NOT FALSE
//                    ranges      BETWEEN (x, low, high), NOT BETWEEN, IN (x, a, b, ...), NOT IN,
//                                LIKE (x, pattern [, escape]), NOT LIKE
//                    functions   the scalar functions of functions.h, by their upper-case names
//   kCast          CAST(args[0] AS type) (TRY_CAST when try_cast: NULL instead of an error)
//   kCase          searched CASE: args = when1, then1, when2, then2, ..., else (the else is always there: a NULL
//                  literal of the result type when the query has none)
// Operands of comparisons, BETWEEN, IN and CASE results already have one common type, and those of arithmetic the
// result's type (a DECIMAL operand keeps its own precision and scale): the binder inserts the implicit casts, so an
// evaluator needs no promotion rules of its own. Datetime +/- interval is the exception: the interval keeps its type.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "floe/sql/types.h"
#include "floe/sql/value.h"

namespace floe::sql {

enum class BoundExprKind { kLiteral, kColumnRef, kGroupRef, kAggregateRef, kCall, kCast, kCase };

struct BoundExpression;
using BoundExprPtr = std::shared_ptr<const BoundExpression>;

struct BoundExpression {
  BoundExprKind kind = BoundExprKind::kLiteral;
  DataType type;
  std::optional<Value> value;  // kLiteral
  int index = -1;              // kColumnRef, kGroupRef, kAggregateRef
  std::string name;            // kColumnRef: the column; kCall: the operator or function
  std::vector<BoundExprPtr> args;
  bool try_cast = false;  // kCast

  static BoundExprPtr Literal(Value v);
  static BoundExprPtr ColumnRef(int index, std::string name, DataType type);
  static BoundExprPtr GroupRef(int index, DataType type);
  static BoundExprPtr AggregateRef(int index, DataType type);
  static BoundExprPtr Call(std::string name, std::vector<BoundExprPtr> args, DataType type);
  static BoundExprPtr Cast(BoundExprPtr operand, DataType type, bool try_cast = false);
  static BoundExprPtr Case(std::vector<BoundExprPtr> args, DataType type);

  // `e` itself when its type is already `type` (nullability aside); a literal of `type` when e is a literal that
  // widens exactly (value.h WidenValue); else CAST(e AS type), keeping e's nullability.
  static BoundExprPtr CastIfNeeded(BoundExprPtr e, const DataType& type);

  // A readable, stable form for tests and plans: columns as name#index ("temperature#2"), group keys "key0",
  // aggregates "agg0", operators infix in parentheses "(a#0 + 1)", functions "UPPER(name#1)", casts
  // "CAST(x#0 AS DOUBLE)", literals as SQL.
  std::string ToString() const;
  // Same structure, types and values.
  bool Equals(const BoundExpression& other) const;
  // True when no node reads a column, group key or aggregate.
  bool IsConstant() const;
};

}  // namespace floe::sql
