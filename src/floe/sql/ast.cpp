#include "floe/sql/ast.h"

#include <algorithm>
#include <array>

#include "floe/sql/lexer.h"

namespace floe::sql {
namespace {

// Reserved words: they cannot be a column name or alias without quotes, as in Flink (whose list is longer; these are
// the ones floe's grammar needs, plus the common ones a Flink user already quotes).
constexpr std::array kReservedWords = {
    "ALL",
    "AND",
    "ARRAY",
    "AS",
    "ASC",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "CREATE",
    "CROSS",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DESC",
    "DISTINCT",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXISTS",
    "FALSE",
    "FETCH",
    "FROM",
    "FULL",
    "GROUP",
    "HAVING",
    "IN",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "MINUS",
    "NATURAL",
    "NOT",
    "NULL",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "RIGHT",
    "SELECT",
    "SET",
    "TABLE",
    "THEN",
    "TRUE",
    "UNION",
    "UNKNOWN",
    "USING",
    "VALUES",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
};

// Not reserved by floe's grammar, but reserved in Flink's: printed in backquotes so that Flink reads the output too.
constexpr std::array kQuotedForFlink = {
    "DATE",   "TIME", "TIMESTAMP", "VALUE", "COUNT", "YEAR",        "MONTH",       "DAY",      "HOUR",     "MINUTE",
    "SECOND", "USER", "ROW",       "ROWS",  "RANGE", "SYSTEM_USER", "CURRENT_ROW", "LANGUAGE", "POSITION", "MATCH",
};

bool IsPlainIdentifier(std::string_view name) {
  if (name.empty()) return false;
  auto c0 = static_cast<unsigned char>(name[0]);
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_' || c0 >= 0x80)) return false;
  for (unsigned char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80)) {
      return false;
    }
  }
  return true;
}

bool Eq(const ExprPtr& a, const ExprPtr& b) {
  if (!a || !b) return !a && !b;
  return a->Equals(*b);
}

bool EqList(const std::vector<ExprPtr>& a, const std::vector<ExprPtr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Eq(a[i], b[i])) return false;
  }
  return true;
}

std::string Wrap(const ParsedExpression& e, bool parens) {
  return parens ? "(" + e.ToString() + ")" : e.ToString();
}

std::string JoinExprs(const std::vector<ExprPtr>& list) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    out += list[i]->ToString();
  }
  return out;
}

std::string JoinIdentifiers(const std::vector<Identifier>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ", ";
    out += ids[i].ToString();
  }
  return out;
}

const char* IsTestName(IsTest t) {
  switch (t) {
    case IsTest::kNull: return "NULL";
    case IsTest::kTrue: return "TRUE";
    case IsTest::kFalse: return "FALSE";
    case IsTest::kUnknown: return "UNKNOWN";
  }
  return "?";
}

constexpr int kPrimaryPrecedence = 100;
constexpr int kNotPrecedence = 26;
constexpr int kIsPrecedence = 28;
constexpr int kRangePrecedence = 32;  // BETWEEN, IN, LIKE
constexpr int kUnaryPrecedence = 80;

}  // namespace

// ----- names -----

bool IsReservedWord(std::string_view upper_word) {
  return std::find(kReservedWords.begin(), kReservedWords.end(), upper_word) != kReservedWords.end();
}

std::string QuoteIdentifier(std::string_view name) {
  std::string upper = ToUpper(name);
  bool plain = IsPlainIdentifier(name) && !IsReservedWord(upper) &&
               std::find(kQuotedForFlink.begin(), kQuotedForFlink.end(), upper) == kQuotedForFlink.end();
  if (plain) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  out += '`';
  return out;
}

std::string QuoteString(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
  return out;
}

std::string Identifier::ToString() const {
  return QuoteIdentifier(name);
}

std::string QualifiedName::ToString() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += parts[i].ToString();
  }
  return out;
}

std::string QualifiedName::Joined() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += parts[i].name;
  }
  return out;
}

// ----- operators -----

const char* IntervalUnitName(IntervalUnit unit) {
  switch (unit) {
    case IntervalUnit::kSecond: return "SECOND";
    case IntervalUnit::kMinute: return "MINUTE";
    case IntervalUnit::kHour: return "HOUR";
    case IntervalUnit::kDay: return "DAY";
    case IntervalUnit::kMonth: return "MONTH";
    case IntervalUnit::kYear: return "YEAR";
  }
  return "?";
}

const char* BinaryOpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "OR";
    case BinaryOp::kAnd: return "AND";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNotEq: return "<>";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLtEq: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGtEq: return ">=";
    case BinaryOp::kIsDistinctFrom: return "IS DISTINCT FROM";
    case BinaryOp::kIsNotDistinctFrom: return "IS NOT DISTINCT FROM";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSubtract: return "-";
    case BinaryOp::kMultiply: return "*";
    case BinaryOp::kDivide: return "/";
    case BinaryOp::kModulo: return "%";
    case BinaryOp::kConcat: return "||";
  }
  return "?";
}

int BinaryOpPrecedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return 22;
    case BinaryOp::kAnd: return 24;
    case BinaryOp::kAdd:
    case BinaryOp::kSubtract: return 40;
    case BinaryOp::kMultiply:
    case BinaryOp::kDivide:
    case BinaryOp::kModulo:
    case BinaryOp::kConcat: return 60;
    default: return 30;  // comparisons
  }
}

bool IsComparison(BinaryOp op) {
  return BinaryOpPrecedence(op) == 30;
}

const char* WindowKindName(WindowKind kind) {
  switch (kind) {
    case WindowKind::kTumble: return "TUMBLE";
    case WindowKind::kHop: return "HOP";
    case WindowKind::kCumulate: return "CUMULATE";
  }
  return "?";
}

// ----- expressions -----

int ParsedExpression::Precedence() const {
  switch (kind_) {
    case ExprKind::kUnary: return As<UnaryExpr>().op == UnaryOp::kNot ? kNotPrecedence : kUnaryPrecedence;
    case ExprKind::kBinary: return BinaryOpPrecedence(As<BinaryExpr>().op);
    case ExprKind::kIs: return kIsPrecedence;
    case ExprKind::kBetween:
    case ExprKind::kInList:
    case ExprKind::kLike: return kRangePrecedence;
    default: return kPrimaryPrecedence;
  }
}

std::string ParsedExpression::ToString() const {
  switch (kind_) {
    case ExprKind::kLiteral: {
      const auto& e = As<LiteralExpr>();
      switch (e.literal_kind) {
        case LiteralKind::kNull: return "NULL";
        case LiteralKind::kBoolean:
        case LiteralKind::kInteger:
        case LiteralKind::kDecimal:
        case LiteralKind::kApproximate: return e.text;
        case LiteralKind::kString: return QuoteString(e.text);
        case LiteralKind::kDate: return "DATE " + QuoteString(e.text);
        case LiteralKind::kTime: return "TIME " + QuoteString(e.text);
        case LiteralKind::kTimestamp: return "TIMESTAMP " + QuoteString(e.text);
        case LiteralKind::kInterval: return "INTERVAL " + QuoteString(e.text) + " " + IntervalUnitName(e.unit);
      }
      return "?";
    }
    case ExprKind::kColumnRef: {
      std::string out;
      for (const Identifier& part : As<ColumnRefExpr>().parts) {
        if (!out.empty()) out += '.';
        out += part.ToString();
      }
      return out;
    }
    case ExprKind::kStar: {
      const auto& e = As<StarExpr>();
      return e.qualifier ? e.qualifier->ToString() + ".*" : "*";
    }
    case ExprKind::kUnary: {
      const auto& e = As<UnaryExpr>();
      if (e.op == UnaryOp::kNot) return "NOT " + Wrap(*e.operand, e.operand->Precedence() < kNotPrecedence);
      // A nested sign gets parentheses: "--" would start a comment.
      return std::string(e.op == UnaryOp::kMinus ? "-" : "+") +
             Wrap(*e.operand, e.operand->Precedence() <= kUnaryPrecedence);
    }
    case ExprKind::kBinary: {
      const auto& e = As<BinaryExpr>();
      int p = BinaryOpPrecedence(e.op);
      return Wrap(*e.left, e.left->Precedence() < p) + " " + BinaryOpSymbol(e.op) + " " +
             Wrap(*e.right, e.right->Precedence() <= p);
    }
    case ExprKind::kIs: {
      const auto& e = As<IsExpr>();
      return Wrap(*e.operand, e.operand->Precedence() < kIsPrecedence) + " IS " + (e.negated ? "NOT " : "") +
             IsTestName(e.test);
    }
    case ExprKind::kBetween: {
      const auto& e = As<BetweenExpr>();
      return Wrap(*e.operand, e.operand->Precedence() < kRangePrecedence) + (e.negated ? " NOT" : "") + " BETWEEN " +
             Wrap(*e.low, e.low->Precedence() <= kRangePrecedence) + " AND " +
             Wrap(*e.high, e.high->Precedence() <= kRangePrecedence);
    }
    case ExprKind::kInList: {
      const auto& e = As<InListExpr>();
      return Wrap(*e.operand, e.operand->Precedence() < kRangePrecedence) + (e.negated ? " NOT" : "") + " IN (" +
             JoinExprs(e.list) + ")";
    }
    case ExprKind::kLike: {
      const auto& e = As<LikeExpr>();
      std::string out = Wrap(*e.operand, e.operand->Precedence() < kRangePrecedence) + (e.negated ? " NOT" : "") +
                        " LIKE " + Wrap(*e.pattern, e.pattern->Precedence() <= kRangePrecedence);
      if (e.escape) out += " ESCAPE " + Wrap(*e.escape, e.escape->Precedence() <= kRangePrecedence);
      return out;
    }
    case ExprKind::kCase: {
      const auto& e = As<CaseExpr>();
      std::string out = "CASE";
      if (e.operand) out += " " + e.operand->ToString();
      for (const WhenClause& w : e.whens) out += " WHEN " + w.when->ToString() + " THEN " + w.then->ToString();
      if (e.else_result) out += " ELSE " + e.else_result->ToString();
      return out + " END";
    }
    case ExprKind::kCast: {
      const auto& e = As<CastExpr>();
      return std::string(e.try_cast ? "TRY_CAST(" : "CAST(") + e.operand->ToString() + " AS " + e.target.ToString() +
             ")";
    }
    case ExprKind::kFunction: {
      const auto& e = As<FunctionExpr>();
      std::string name = IsPlainIdentifier(e.name) ? e.name : QuoteIdentifier(e.name);
      if (e.no_parens) return name;
      if (e.star) return name + "(*)";
      return name + "(" + (e.distinct ? "DISTINCT " : "") + JoinExprs(e.args) + ")";
    }
  }
  return "?";
}

bool ParsedExpression::Equals(const ParsedExpression& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case ExprKind::kLiteral: {
      const auto& a = As<LiteralExpr>();
      const auto& b = other.As<LiteralExpr>();
      return a.literal_kind == b.literal_kind && a.text == b.text &&
             (a.literal_kind != LiteralKind::kInterval || a.unit == b.unit);
    }
    case ExprKind::kColumnRef: return As<ColumnRefExpr>().parts == other.As<ColumnRefExpr>().parts;
    case ExprKind::kStar: return As<StarExpr>().qualifier == other.As<StarExpr>().qualifier;
    case ExprKind::kUnary: {
      const auto& a = As<UnaryExpr>();
      const auto& b = other.As<UnaryExpr>();
      return a.op == b.op && Eq(a.operand, b.operand);
    }
    case ExprKind::kBinary: {
      const auto& a = As<BinaryExpr>();
      const auto& b = other.As<BinaryExpr>();
      return a.op == b.op && Eq(a.left, b.left) && Eq(a.right, b.right);
    }
    case ExprKind::kIs: {
      const auto& a = As<IsExpr>();
      const auto& b = other.As<IsExpr>();
      return a.test == b.test && a.negated == b.negated && Eq(a.operand, b.operand);
    }
    case ExprKind::kBetween: {
      const auto& a = As<BetweenExpr>();
      const auto& b = other.As<BetweenExpr>();
      return a.negated == b.negated && Eq(a.operand, b.operand) && Eq(a.low, b.low) && Eq(a.high, b.high);
    }
    case ExprKind::kInList: {
      const auto& a = As<InListExpr>();
      const auto& b = other.As<InListExpr>();
      return a.negated == b.negated && Eq(a.operand, b.operand) && EqList(a.list, b.list);
    }
    case ExprKind::kLike: {
      const auto& a = As<LikeExpr>();
      const auto& b = other.As<LikeExpr>();
      return a.negated == b.negated && Eq(a.operand, b.operand) && Eq(a.pattern, b.pattern) && Eq(a.escape, b.escape);
    }
    case ExprKind::kCase: {
      const auto& a = As<CaseExpr>();
      const auto& b = other.As<CaseExpr>();
      if (!Eq(a.operand, b.operand) || !Eq(a.else_result, b.else_result) || a.whens.size() != b.whens.size()) {
        return false;
      }
      for (size_t i = 0; i < a.whens.size(); ++i) {
        if (!Eq(a.whens[i].when, b.whens[i].when) || !Eq(a.whens[i].then, b.whens[i].then)) return false;
      }
      return true;
    }
    case ExprKind::kCast: {
      const auto& a = As<CastExpr>();
      const auto& b = other.As<CastExpr>();
      return a.try_cast == b.try_cast && a.target == b.target && Eq(a.operand, b.operand);
    }
    case ExprKind::kFunction: {
      const auto& a = As<FunctionExpr>();
      const auto& b = other.As<FunctionExpr>();
      return a.name == b.name && a.distinct == b.distinct && a.star == b.star && a.no_parens == b.no_parens &&
             EqList(a.args, b.args);
    }
  }
  return false;
}

std::vector<const ParsedExpression*> ParsedExpression::Children() const {
  std::vector<const ParsedExpression*> out;
  auto add = [&out](const ExprPtr& e) {
    if (e) out.push_back(e.get());
  };
  switch (kind_) {
    case ExprKind::kLiteral:
    case ExprKind::kColumnRef:
    case ExprKind::kStar: break;
    case ExprKind::kUnary: add(As<UnaryExpr>().operand); break;
    case ExprKind::kBinary:
      add(As<BinaryExpr>().left);
      add(As<BinaryExpr>().right);
      break;
    case ExprKind::kIs: add(As<IsExpr>().operand); break;
    case ExprKind::kBetween:
      add(As<BetweenExpr>().operand);
      add(As<BetweenExpr>().low);
      add(As<BetweenExpr>().high);
      break;
    case ExprKind::kInList:
      add(As<InListExpr>().operand);
      for (const ExprPtr& e : As<InListExpr>().list) add(e);
      break;
    case ExprKind::kLike:
      add(As<LikeExpr>().operand);
      add(As<LikeExpr>().pattern);
      add(As<LikeExpr>().escape);
      break;
    case ExprKind::kCase:
      add(As<CaseExpr>().operand);
      for (const WhenClause& w : As<CaseExpr>().whens) {
        add(w.when);
        add(w.then);
      }
      add(As<CaseExpr>().else_result);
      break;
    case ExprKind::kCast: add(As<CastExpr>().operand); break;
    case ExprKind::kFunction:
      for (const ExprPtr& e : As<FunctionExpr>().args) add(e);
      break;
  }
  return out;
}

// ----- queries -----

std::string TableRef::ToString() const {
  std::string out;
  switch (kind) {
    case TableRefKind::kTable: out = table.ToString(); break;
    case TableRefKind::kWindow:
      out = std::string("TABLE(") + WindowKindName(window) + "(TABLE " + table.ToString() + ", DESCRIPTOR(" +
            time_column.ToString() + "), ";
      if (step) out += step->ToString() + ", ";
      out += size->ToString();
      if (offset) out += ", " + offset->ToString();
      out += "))";
      break;
    case TableRefKind::kSubquery: out = "(" + subquery->ToString() + ")"; break;
  }
  if (alias) out += " AS " + alias->ToString();
  return out;
}

bool TableRef::Equals(const TableRef& other) const {
  if (kind != other.kind || alias != other.alias) return false;
  switch (kind) {
    case TableRefKind::kTable: return table == other.table;
    case TableRefKind::kWindow:
      return table == other.table && window == other.window && time_column == other.time_column &&
             Eq(size, other.size) && Eq(step, other.step) && Eq(offset, other.offset);
    case TableRefKind::kSubquery: return subquery->Equals(*other.subquery);
  }
  return false;
}

std::string SelectQuery::ToString() const {
  std::string out = distinct ? "SELECT DISTINCT " : "SELECT ";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i].expr->ToString();
    if (items[i].alias) out += " AS " + items[i].alias->ToString();
  }
  if (from) out += " FROM " + from->ToString();
  if (where) out += " WHERE " + where->ToString();
  if (!group_by.empty()) out += " GROUP BY " + JoinExprs(group_by);
  if (having) out += " HAVING " + having->ToString();
  if (!order_by.empty()) {
    out += " ORDER BY ";
    for (size_t i = 0; i < order_by.size(); ++i) {
      if (i > 0) out += ", ";
      out += order_by[i].expr->ToString();
      if (order_by[i].descending) out += " DESC";
      if (order_by[i].nulls_first) out += *order_by[i].nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
  }
  if (limit) out += " LIMIT " + std::to_string(*limit);
  return out;
}

bool SelectQuery::Equals(const SelectQuery& other) const {
  if (distinct != other.distinct || items.size() != other.items.size() || order_by.size() != other.order_by.size() ||
      limit != other.limit || !Eq(where, other.where) || !Eq(having, other.having) ||
      !EqList(group_by, other.group_by) || (from == nullptr) != (other.from == nullptr)) {
    return false;
  }
  if (from && !from->Equals(*other.from)) return false;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!Eq(items[i].expr, other.items[i].expr) || items[i].alias != other.items[i].alias) return false;
  }
  for (size_t i = 0; i < order_by.size(); ++i) {
    const OrderItem& a = order_by[i];
    const OrderItem& b = other.order_by[i];
    if (!Eq(a.expr, b.expr) || a.descending != b.descending || a.nulls_first != b.nulls_first) return false;
  }
  return true;
}

// ----- statements -----

namespace {

std::string CreateTableToString(const CreateTableStatement& s) {
  std::string out = "CREATE ";
  if (s.temporary) out += "TEMPORARY ";
  out += "TABLE ";
  if (s.if_not_exists) out += "IF NOT EXISTS ";
  out += s.name.ToString() + " (";
  std::vector<std::string> elements;
  for (const ColumnDefinition& c : s.columns) {
    std::string e = c.name.ToString();
    if (c.computed) {
      e += " AS " + c.computed->ToString();
    } else {
      e += " " + c.type->ToString();
      if (c.metadata) {
        e += " METADATA";
        if (c.metadata_key) e += " FROM " + QuoteString(*c.metadata_key);
        if (c.is_virtual) e += " VIRTUAL";
      }
    }
    if (c.comment) e += " COMMENT " + QuoteString(*c.comment);
    elements.push_back(std::move(e));
  }
  if (s.watermark) {
    elements.push_back("WATERMARK FOR " + s.watermark->column.ToString() + " AS " + s.watermark->expr->ToString());
  }
  if (!s.primary_key.empty()) {
    std::string e = s.constraint_name ? "CONSTRAINT " + s.constraint_name->ToString() + " " : "";
    elements.push_back(e + "PRIMARY KEY (" + JoinIdentifiers(s.primary_key) + ") NOT ENFORCED");
  }
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) out += ", ";
    out += elements[i];
  }
  out += ")";
  if (s.comment) out += " COMMENT " + QuoteString(*s.comment);
  if (!s.partitioned_by.empty()) out += " PARTITIONED BY (" + JoinIdentifiers(s.partitioned_by) + ")";
  if (!s.options.empty()) {
    out += " WITH (";
    for (size_t i = 0; i < s.options.size(); ++i) {
      if (i > 0) out += ", ";
      out += QuoteString(s.options[i].key) + " = " + QuoteString(s.options[i].value);
    }
    out += ")";
  }
  return out;
}

std::string InsertToString(const InsertStatement& s) {
  std::string out = "INSERT INTO " + s.table.ToString();
  if (!s.columns.empty()) out += " (" + JoinIdentifiers(s.columns) + ")";
  return out + " " + s.query->ToString();
}

bool ColumnsEqual(const ColumnDefinition& a, const ColumnDefinition& b) {
  return a.name == b.name && a.type == b.type && Eq(a.computed, b.computed) && a.metadata == b.metadata &&
         a.metadata_key == b.metadata_key && a.is_virtual == b.is_virtual && a.comment == b.comment;
}

bool InsertsEqual(const InsertStatement& a, const InsertStatement& b) {
  return a.table == b.table && a.columns == b.columns && a.query->Equals(*b.query);
}

}  // namespace

std::string Statement::ToString() const {
  switch (kind_) {
    case StatementKind::kCreateTable: return CreateTableToString(As<CreateTableStatement>());
    case StatementKind::kInsert: return InsertToString(As<InsertStatement>());
    case StatementKind::kQuery: return As<QueryStatement>().query->ToString();
    case StatementKind::kSet:
      return "SET " + QuoteString(As<SetStatement>().key) + " = " + QuoteString(As<SetStatement>().value);
    case StatementKind::kStatementSet: {
      std::string out = "EXECUTE STATEMENT SET BEGIN ";
      for (const auto& insert : As<StatementSetStatement>().inserts) out += InsertToString(*insert) + "; ";
      return out + "END";
    }
  }
  return "?";
}

bool Statement::Equals(const Statement& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case StatementKind::kCreateTable: {
      const auto& a = As<CreateTableStatement>();
      const auto& b = other.As<CreateTableStatement>();
      if (!(a.name == b.name) || a.temporary != b.temporary || a.if_not_exists != b.if_not_exists ||
          a.columns.size() != b.columns.size() || a.watermark.has_value() != b.watermark.has_value() ||
          a.constraint_name != b.constraint_name || a.primary_key != b.primary_key || a.comment != b.comment ||
          a.partitioned_by != b.partitioned_by || a.options.size() != b.options.size()) {
        return false;
      }
      for (size_t i = 0; i < a.columns.size(); ++i) {
        if (!ColumnsEqual(a.columns[i], b.columns[i])) return false;
      }
      if (a.watermark && (!(a.watermark->column == b.watermark->column) || !Eq(a.watermark->expr, b.watermark->expr))) {
        return false;
      }
      for (size_t i = 0; i < a.options.size(); ++i) {
        if (a.options[i].key != b.options[i].key || a.options[i].value != b.options[i].value) return false;
      }
      return true;
    }
    case StatementKind::kInsert: return InsertsEqual(As<InsertStatement>(), other.As<InsertStatement>());
    case StatementKind::kQuery: return As<QueryStatement>().query->Equals(*other.As<QueryStatement>().query);
    case StatementKind::kSet:
      return As<SetStatement>().key == other.As<SetStatement>().key &&
             As<SetStatement>().value == other.As<SetStatement>().value;
    case StatementKind::kStatementSet: {
      const auto& a = As<StatementSetStatement>().inserts;
      const auto& b = other.As<StatementSetStatement>().inserts;
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!InsertsEqual(*a[i], *b[i])) return false;
      }
      return true;
    }
  }
  return false;
}

std::string ScriptToString(const std::vector<StatementPtr>& statements) {
  std::string out;
  for (const StatementPtr& s : statements) out += s->ToString() + ";\n";
  return out;
}

}  // namespace floe::sql
