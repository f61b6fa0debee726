// Binding one expression: names to column indexes, types to every node, implicit casts where types meet, and the
// aggregation rules (which columns a clause of an aggregated query may read). Used by the statement binder
// (binder.h); not an API of its own.
#pragma once

#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/sql/ast.h"
#include "floe/sql/bound_expression.h"
#include "floe/sql/bound_statement.h"

namespace floe::sql {

// The columns an expression can name: one FROM item's row (or a table's columns, for CREATE TABLE's expressions).
struct Scope {
  std::vector<BoundColumn> columns;
  // Per column, why it cannot be named here ("" when it can): a computed column may not read another.
  std::vector<std::string> hidden;
  std::string qualifier;    // the name that may qualify columns (alias or table), "" for none
  std::string table_name;   // the table read, when it is one (for "the FROM clause names it t")
  std::string description;  // for messages: "table telemetry", "TUMBLE window over table telemetry"
  bool no_from = false;     // SELECT without FROM
};

// The state of an aggregated query while its clauses are bound: the group keys to match, and the aggregates found.
struct Aggregation {
  bool grouped = false;  // the query has GROUP BY
  std::vector<BoundExprPtr> group_keys;
  std::vector<BoundAggregate> aggregates;
};

class ExpressionBinder {
 public:
  // `clause` names where the expression is, for messages: "WHERE", "GROUP BY", "a computed column".
  ExpressionBinder(const Scope* scope, std::string clause) : scope_(scope), clause_(std::move(clause)) {}

  // Binds the expressions of an aggregated query's SELECT, HAVING and ORDER BY: a column may be read only as (part
  // of) a group key or inside an aggregate, whose calls are collected in `aggregation`.
  void SetAggregation(Aggregation* aggregation) { aggregation_ = aggregation; }

  Result<BoundExprPtr> Bind(const ParsedExpression& e);

  // The index of the scope column `ref` names, or an error ("unknown column 'x' in table t (did you mean 'y'?)").
  Result<int> ResolveColumn(const ColumnRefExpr& ref) const;

 private:
  Result<BoundExprPtr> BindNode(const ParsedExpression& e);
  Result<BoundExprPtr> BindPlain(const ParsedExpression& e);
  Result<BoundExprPtr> BindAggregateCall(const FunctionExpr& f);
  Result<BoundExprPtr> BindLiteral(const LiteralExpr& e, bool negate);
  Result<BoundExprPtr> BindUnary(const UnaryExpr& e);
  Result<BoundExprPtr> BindBinary(const BinaryExpr& e);
  Result<BoundExprPtr> BindIs(const IsExpr& e);
  Result<BoundExprPtr> BindBetween(const BetweenExpr& e);
  Result<BoundExprPtr> BindInList(const InListExpr& e);
  Result<BoundExprPtr> BindLike(const LikeExpr& e);
  Result<BoundExprPtr> BindCase(const CaseExpr& e);
  Result<BoundExprPtr> BindCast(const CastExpr& e);
  Result<BoundExprPtr> BindFunction(const FunctionExpr& e);

  const Scope* scope_;
  std::string clause_;
  Aggregation* aggregation_ = nullptr;
  bool inside_aggregate_ = false;
};

// Whether `e` calls an aggregate function anywhere.
bool ContainsAggregate(const ParsedExpression& e);

}  // namespace floe::sql
