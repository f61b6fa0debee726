// The parsed form of floe's SQL (Flink dialect): expressions, queries and statements, as the parser builds them and
// before any name is resolved (binder.h resolves them).
//
// Every node keeps the position of the token that best names it in an error: a column reference its first name,
// an operator its operator token, a function call its name, a statement its first keyword.
//
// ToString() prints canonical SQL: keywords in upper case, identifiers in backquotes only when they must be (not a
// plain name, or a word the dialect reserves), the fewest parentheses that keep the tree (operator precedence is
// Flink's, from Calcite: OR 22 < AND 24 < NOT 26 < IS 28 < comparisons 30 < BETWEEN, IN, LIKE 32 < + - 40 <
// * / % || 60 < unary + - 80), one statement per line. Parsing what ToString() prints gives an equal tree:
// Equals() compares structure and ignores positions, so parse(print(parse(x))) equals parse(x).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/sql/source_position.h"
#include "floe/sql/types.h"

namespace floe::sql {

// ----- names -----

struct Identifier {
  std::string name;  // as written (unquoted) or the quoted text; identifiers are case-sensitive
  SourcePosition pos;

  std::string ToString() const;  // canonical: bare or `quoted`
  bool operator==(const Identifier& other) const { return name == other.name; }
};

struct QualifiedName {
  std::vector<Identifier> parts;  // catalog.database.table, or just table

  std::string ToString() const;  // canonical, each part quoted as needed
  std::string Joined() const;    // the names joined with '.', unquoted: how the catalog keys a table
  const SourcePosition& pos() const { return parts.front().pos; }
  bool operator==(const QualifiedName& other) const { return parts == other.parts; }
};

// Whether `upper_word` is reserved: it cannot name a column or alias without quotes.
bool IsReservedWord(std::string_view upper_word);
// `name` as canonical SQL: bare when it is a plain identifier and no keyword, else in backquotes.
std::string QuoteIdentifier(std::string_view name);
// `value` as a SQL string literal: 'it''s'.
std::string QuoteString(std::string_view value);

// ----- expressions -----

enum class ExprKind {
  kLiteral,
  kColumnRef,
  kStar,  // * or t.* (select lists and COUNT(*) only; the binder rejects it elsewhere)
  kUnary,
  kBinary,
  kIs,
  kBetween,
  kInList,
  kLike,
  kCase,
  kCast,
  kFunction,
};

class ParsedExpression;
using ExprPtr = std::unique_ptr<ParsedExpression>;

class ParsedExpression {
 public:
  virtual ~ParsedExpression() = default;

  ExprKind kind() const { return kind_; }
  std::string ToString() const;
  bool Equals(const ParsedExpression& other) const;
  std::vector<const ParsedExpression*> Children() const;
  // Calcite's precedence of the node's operator (100 for literals, names, calls, CASE and CAST).
  int Precedence() const;

  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }

  SourcePosition pos;

 protected:
  ParsedExpression(ExprKind kind, SourcePosition p) : pos(p), kind_(kind) {}

 private:
  ExprKind kind_;
};

enum class LiteralKind {
  kNull,
  kBoolean,
  kInteger,
  kDecimal,
  kApproximate,
  kString,
  kDate,
  kTime,
  kTimestamp,
  kInterval
};
enum class IntervalUnit { kSecond, kMinute, kHour, kDay, kMonth, kYear };
const char* IntervalUnitName(IntervalUnit unit);  // "SECOND"

struct LiteralExpr : ParsedExpression {
  LiteralExpr(LiteralKind k, std::string t, SourcePosition p)
      : ParsedExpression(ExprKind::kLiteral, p), literal_kind(k), text(std::move(t)) {}
  LiteralKind literal_kind;
  // kBoolean "TRUE"/"FALSE"; numbers as written; kString, kDate, kTime, kTimestamp, kInterval: the quoted text.
  std::string text;
  IntervalUnit unit = IntervalUnit::kSecond;  // kInterval
};

struct ColumnRefExpr : ParsedExpression {
  ColumnRefExpr(std::vector<Identifier> p, SourcePosition pos)
      : ParsedExpression(ExprKind::kColumnRef, pos), parts(std::move(p)) {}
  std::vector<Identifier> parts;  // column, or qualifier.column
};

struct StarExpr : ParsedExpression {
  StarExpr(std::optional<Identifier> q, SourcePosition p)
      : ParsedExpression(ExprKind::kStar, p), qualifier(std::move(q)) {}
  std::optional<Identifier> qualifier;
};

enum class UnaryOp { kNot, kMinus, kPlus };

struct UnaryExpr : ParsedExpression {
  UnaryExpr(UnaryOp o, ExprPtr e, SourcePosition p)
      : ParsedExpression(ExprKind::kUnary, p), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp {
  kOr,
  kAnd,
  kEq,
  kNotEq,
  kLt,
  kLtEq,
  kGt,
  kGtEq,
  kIsDistinctFrom,
  kIsNotDistinctFrom,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kConcat,
};
const char* BinaryOpSymbol(BinaryOp op);  // "+", "<>", "AND", "IS DISTINCT FROM"
int BinaryOpPrecedence(BinaryOp op);
bool IsComparison(BinaryOp op);  // = <> < <= > >= and IS [NOT] DISTINCT FROM

struct BinaryExpr : ParsedExpression {
  BinaryExpr(BinaryOp o, ExprPtr l, ExprPtr r, SourcePosition p)
      : ParsedExpression(ExprKind::kBinary, p), op(o), left(std::move(l)), right(std::move(r)) {}
  BinaryOp op;
  ExprPtr left;
  ExprPtr right;
};

enum class IsTest { kNull, kTrue, kFalse, kUnknown };

struct IsExpr : ParsedExpression {  // x IS [NOT] NULL | TRUE | FALSE | UNKNOWN
  IsExpr(ExprPtr e, IsTest t, bool n, SourcePosition p)
      : ParsedExpression(ExprKind::kIs, p), operand(std::move(e)), test(t), negated(n) {}
  ExprPtr operand;
  IsTest test;
  bool negated;
};

struct BetweenExpr : ParsedExpression {  // x [NOT] BETWEEN low AND high
  BetweenExpr(ExprPtr e, ExprPtr l, ExprPtr h, bool n, SourcePosition p)
      : ParsedExpression(ExprKind::kBetween, p),
        operand(std::move(e)),
        low(std::move(l)),
        high(std::move(h)),
        negated(n) {}
  ExprPtr operand;
  ExprPtr low;
  ExprPtr high;
  bool negated;
};

struct InListExpr : ParsedExpression {  // x [NOT] IN (a, b, ...)
  InListExpr(ExprPtr e, std::vector<ExprPtr> l, bool n, SourcePosition p)
      : ParsedExpression(ExprKind::kInList, p), operand(std::move(e)), list(std::move(l)), negated(n) {}
  ExprPtr operand;
  std::vector<ExprPtr> list;
  bool negated;
};

struct LikeExpr : ParsedExpression {  // x [NOT] LIKE pattern [ESCAPE e]
  LikeExpr(ExprPtr e, ExprPtr pat, ExprPtr esc, bool n, SourcePosition p)
      : ParsedExpression(ExprKind::kLike, p),
        operand(std::move(e)),
        pattern(std::move(pat)),
        escape(std::move(esc)),
        negated(n) {}
  ExprPtr operand;
  ExprPtr pattern;
  ExprPtr escape;  // may be null
  bool negated;
};

struct WhenClause {
  ExprPtr when;
  ExprPtr then;
};

struct CaseExpr : ParsedExpression {  // CASE [operand] WHEN .. THEN .. [ELSE ..] END
  CaseExpr(ExprPtr e, std::vector<WhenClause> w, ExprPtr el, SourcePosition p)
      : ParsedExpression(ExprKind::kCase, p), operand(std::move(e)), whens(std::move(w)), else_result(std::move(el)) {}
  ExprPtr operand;  // null for a searched CASE
  std::vector<WhenClause> whens;
  ExprPtr else_result;  // may be null
};

struct CastExpr : ParsedExpression {  // CAST(x AS type), TRY_CAST(x AS type)
  CastExpr(ExprPtr e, DataType t, bool tc, SourcePosition p)
      : ParsedExpression(ExprKind::kCast, p), operand(std::move(e)), target(t), try_cast(tc) {}
  ExprPtr operand;
  DataType target;
  bool try_cast;
};

struct FunctionExpr : ParsedExpression {
  FunctionExpr(std::string n, std::vector<ExprPtr> a, SourcePosition p)
      : ParsedExpression(ExprKind::kFunction, p), name(std::move(n)), args(std::move(a)) {}
  std::string name;  // upper case: function names are not case-sensitive
  std::vector<ExprPtr> args;
  bool distinct = false;   // COUNT(DISTINCT x)
  bool star = false;       // COUNT(*): no args
  bool no_parens = false;  // CURRENT_TIMESTAMP, LOCALTIMESTAMP, CURRENT_DATE ... written without ()
};

// ----- queries -----

struct SelectQuery;

struct SelectItem {
  ExprPtr expr;  // may be a StarExpr
  std::optional<Identifier> alias;
};

enum class TableRefKind { kTable, kWindow, kSubquery };
enum class WindowKind { kTumble, kHop, kCumulate };
const char* WindowKindName(WindowKind kind);  // "TUMBLE"

// One FROM item: a table, a windowing table-valued function over a table, or a subquery.
struct TableRef {
  TableRefKind kind = TableRefKind::kTable;
  SourcePosition pos;
  QualifiedName table;  // kTable; kWindow: the DATA table
  std::optional<Identifier> alias;
  // kWindow: TUMBLE(TABLE t, DESCRIPTOR(c), size [, offset]), HOP(TABLE t, DESCRIPTOR(c), slide, size [, offset]),
  // CUMULATE(TABLE t, DESCRIPTOR(c), step, size [, offset]); named arguments are stored the same way.
  WindowKind window = WindowKind::kTumble;
  Identifier time_column;
  ExprPtr size;
  ExprPtr step;                           // HOP's slide, CUMULATE's step; null for TUMBLE
  ExprPtr offset;                         // may be null
  std::unique_ptr<SelectQuery> subquery;  // kSubquery

  std::string ToString() const;
  bool Equals(const TableRef& other) const;
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  std::optional<bool> nulls_first;  // as written; unset when the query does not say
};

struct SelectQuery {
  SourcePosition pos;
  bool distinct = false;
  std::vector<SelectItem> items;
  std::unique_ptr<TableRef> from;  // null for SELECT without FROM
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  ExprPtr having;
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;

  std::string ToString() const;
  bool Equals(const SelectQuery& other) const;
};

// ----- statements -----

enum class StatementKind { kCreateTable, kInsert, kQuery, kSet, kStatementSet };

class Statement {
 public:
  virtual ~Statement() = default;
  StatementKind kind() const { return kind_; }
  // Canonical SQL without the trailing ';'.
  std::string ToString() const;
  bool Equals(const Statement& other) const;
  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*this);
  }

  SourcePosition pos;

 protected:
  explicit Statement(StatementKind kind) : kind_(kind) {}

 private:
  StatementKind kind_;
};
using StatementPtr = std::unique_ptr<Statement>;

struct ColumnDefinition {
  Identifier name;
  std::optional<DataType> type;  // physical and metadata columns
  ExprPtr computed;              // computed columns: name AS expr
  bool metadata = false;         // name TYPE METADATA [FROM 'key'] [VIRTUAL]
  std::optional<std::string> metadata_key;
  bool is_virtual = false;
  std::optional<std::string> comment;
};

struct WatermarkDefinition {
  SourcePosition pos;  // of WATERMARK
  Identifier column;
  ExprPtr expr;
};

struct TableOption {
  std::string key;
  std::string value;
  SourcePosition pos;
};

struct CreateTableStatement : Statement {
  CreateTableStatement() : Statement(StatementKind::kCreateTable) {}
  QualifiedName name;
  bool temporary = false;
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;
  std::optional<WatermarkDefinition> watermark;
  std::optional<Identifier> constraint_name;  // CONSTRAINT name PRIMARY KEY ...
  std::vector<Identifier> primary_key;        // empty: none; a column's inline PRIMARY KEY is stored here too
  SourcePosition primary_key_pos;
  std::optional<std::string> comment;
  std::vector<Identifier> partitioned_by;
  std::vector<TableOption> options;  // WITH ('k' = 'v', ...), in order
};

struct InsertStatement : Statement {
  InsertStatement() : Statement(StatementKind::kInsert) {}
  QualifiedName table;
  std::vector<Identifier> columns;  // empty: all the sink's physical columns, in order
  std::unique_ptr<SelectQuery> query;
};

struct QueryStatement : Statement {
  QueryStatement() : Statement(StatementKind::kQuery) {}
  std::unique_ptr<SelectQuery> query;
};

struct SetStatement : Statement {  // SET 'key' = 'value'
  SetStatement() : Statement(StatementKind::kSet) {}
  std::string key;
  std::string value;
};

// EXECUTE STATEMENT SET BEGIN insert; ... END (also read from the SQL client's BEGIN STATEMENT SET; ... END;).
struct StatementSetStatement : Statement {
  StatementSetStatement() : Statement(StatementKind::kStatementSet) {}
  std::vector<std::unique_ptr<InsertStatement>> inserts;
};

// The statements as a script: each ToString() followed by ";\n".
std::string ScriptToString(const std::vector<StatementPtr>& statements);

}  // namespace floe::sql
