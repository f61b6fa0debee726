#include "floe/sql/expression_binder.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "floe/sql/functions.h"
#include "floe/sql/name_suggestion.h"

namespace floe::sql {
namespace {

// An untyped NULL becomes a NULL of the type it meets, and a literal that widens exactly a literal of that type.
BoundExprPtr Convert(BoundExprPtr e, const DataType& type) {
  return BoundExpression::CastIfNeeded(std::move(e), type);
}

bool IsBooleanOrNull(const DataType& t) {
  return t.is_boolean() || t.is_null();
}

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Restores a binder's mode when a nested binding ends, whatever path it ends on.
class ModeGuard {
 public:
  ModeGuard(Aggregation** aggregation, bool* inside, Aggregation* new_aggregation, bool new_inside)
      : aggregation_(aggregation), inside_(inside), saved_aggregation_(*aggregation), saved_inside_(*inside) {
    *aggregation_ = new_aggregation;
    *inside_ = new_inside;
  }
  ~ModeGuard() {
    *aggregation_ = saved_aggregation_;
    *inside_ = saved_inside_;
  }
  ModeGuard(const ModeGuard&) = delete;
  ModeGuard& operator=(const ModeGuard&) = delete;

 private:
  Aggregation** aggregation_;
  bool* inside_;
  Aggregation* saved_aggregation_;
  bool saved_inside_;
};

}  // namespace

bool ContainsAggregate(const ParsedExpression& e) {
  if (e.kind() == ExprKind::kFunction && IsAggregateFunction(e.As<FunctionExpr>().name)) return true;
  for (const ParsedExpression* child : e.Children()) {
    if (ContainsAggregate(*child)) return true;
  }
  return false;
}

Result<int> ExpressionBinder::ResolveColumn(const ColumnRefExpr& ref) const {
  std::string written;
  for (const Identifier& part : ref.parts) written += (written.empty() ? "" : ".") + part.name;
  if (ref.parts.size() > 2) {
    return SqlError(ref.pos, "unsupported: nested field reference " + written);
  }
  if (scope_->no_from) {
    return SqlError(ref.pos, "unknown column '" + written + "': the query has no FROM clause");
  }
  const std::string& name = ref.parts.back().name;
  if (ref.parts.size() == 2 && ref.parts[0].name != scope_->qualifier) {
    std::string reason = "unknown table or alias '" + ref.parts[0].name + "' in " + written;
    if (!scope_->qualifier.empty() && ref.parts[0].name == scope_->table_name) {
      reason += " (the FROM clause names table " + scope_->table_name + " '" + scope_->qualifier + "')";
    } else if (!scope_->qualifier.empty()) {
      reason += DidYouMean(ref.parts[0].name, {scope_->qualifier});
    } else {
      reason += " (the FROM item has no name: give it an alias)";
    }
    return SqlError(ref.parts[0].pos, reason);
  }
  int found = -1;
  int count = 0;
  std::vector<std::string> visible;
  for (size_t i = 0; i < scope_->columns.size(); ++i) {
    const std::string& column = scope_->columns[i].name;
    bool hidden = i < scope_->hidden.size() && !scope_->hidden[i].empty();
    if (column == name) {
      if (hidden) return SqlError(ref.pos, scope_->hidden[i]);
      if (found < 0) found = static_cast<int>(i);
      ++count;
    }
    if (!hidden) visible.push_back(column);
  }
  if (count > 1) {
    return SqlError(ref.pos, "column '" + name + "' is ambiguous: " + scope_->description + " has " +
                                 std::to_string(count) + " columns of that name");
  }
  if (found < 0) {
    return SqlError(ref.pos, "unknown column '" + name + "' in " + scope_->description + DidYouMean(name, visible));
  }
  return found;
}

Result<BoundExprPtr> ExpressionBinder::Bind(const ParsedExpression& e) {
  if (!aggregation_ || inside_aggregate_) return BindNode(e);
  if (e.kind() == ExprKind::kFunction && IsAggregateFunction(e.As<FunctionExpr>().name)) {
    return BindAggregateCall(e.As<FunctionExpr>());
  }
  if (!ContainsAggregate(e)) {
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr plain, BindPlain(e));
    for (size_t i = 0; i < aggregation_->group_keys.size(); ++i) {
      if (aggregation_->group_keys[i]->Equals(*plain)) {
        return BoundExpression::GroupRef(static_cast<int>(i), aggregation_->group_keys[i]->type);
      }
    }
    if (plain->IsConstant()) return plain;
    if (e.kind() == ExprKind::kColumnRef) {
      return SqlError(e.pos, "column '" + e.As<ColumnRefExpr>().parts.back().name +
                                 "' must appear in GROUP BY or be used in an aggregate function");
    }
  }
  return BindNode(e);  // the node itself is neither a key nor an aggregate: bind its parts
}

Result<BoundExprPtr> ExpressionBinder::BindPlain(const ParsedExpression& e) {
  ModeGuard guard(&aggregation_, &inside_aggregate_, nullptr, inside_aggregate_);
  return BindNode(e);
}

Result<BoundExprPtr> ExpressionBinder::BindAggregateCall(const FunctionExpr& f) {
  Aggregation* aggregation = aggregation_;
  std::vector<BoundExprPtr> args;
  std::vector<DataType> types;
  {
    // An aggregate's arguments read the source row; an aggregate inside one is an error (BindFunction).
    ModeGuard guard(&aggregation_, &inside_aggregate_, nullptr, true);
    for (const ExprPtr& a : f.args) {
      FLOE_ASSIGN_OR_RETURN(BoundExprPtr arg, Bind(*a));
      types.push_back(arg->type);
      args.push_back(std::move(arg));
    }
  }
  Result<DataType> type = TypeAggregateCall(f.name, f.star, types, aggregation->grouped);
  if (!type.ok()) return SqlError(f.pos, type.status().message());
  BoundAggregate aggregate{f.name, f.distinct, std::move(args), *type};
  auto& all = aggregation->aggregates;
  for (size_t i = 0; i < all.size(); ++i) {
    const BoundAggregate& other = all[i];
    bool same = other.function == aggregate.function && other.distinct == aggregate.distinct &&
                other.args.size() == aggregate.args.size();
    for (size_t a = 0; same && a < other.args.size(); ++a) same = other.args[a]->Equals(*aggregate.args[a]);
    if (same) return BoundExpression::AggregateRef(static_cast<int>(i), other.type);
  }
  all.push_back(std::move(aggregate));
  return BoundExpression::AggregateRef(static_cast<int>(all.size() - 1), *type);
}

Result<BoundExprPtr> ExpressionBinder::BindNode(const ParsedExpression& e) {
  switch (e.kind()) {
    case ExprKind::kLiteral: return BindLiteral(e.As<LiteralExpr>(), false);
    case ExprKind::kColumnRef: {
      FLOE_ASSIGN_OR_RETURN(int index, ResolveColumn(e.As<ColumnRefExpr>()));
      const BoundColumn& column = scope_->columns[static_cast<size_t>(index)];
      return BoundExpression::ColumnRef(index, column.name, column.type);
    }
    case ExprKind::kStar: return SqlError(e.pos, "'*' is only allowed in the select list and in COUNT(*)");
    case ExprKind::kUnary: return BindUnary(e.As<UnaryExpr>());
    case ExprKind::kBinary: return BindBinary(e.As<BinaryExpr>());
    case ExprKind::kIs: return BindIs(e.As<IsExpr>());
    case ExprKind::kBetween: return BindBetween(e.As<BetweenExpr>());
    case ExprKind::kInList: return BindInList(e.As<InListExpr>());
    case ExprKind::kLike: return BindLike(e.As<LikeExpr>());
    case ExprKind::kCase: return BindCase(e.As<CaseExpr>());
    case ExprKind::kCast: return BindCast(e.As<CastExpr>());
    case ExprKind::kFunction: return BindFunction(e.As<FunctionExpr>());
  }
  return Status::Internal("unknown expression kind");
}

Result<BoundExprPtr> ExpressionBinder::BindLiteral(const LiteralExpr& e, bool negate) {
  const std::string& text = e.text;
  auto invalid = [&](std::string_view what, const Status& reason) {
    return SqlError(e.pos, "invalid " + std::string(what) + " literal '" + text + "': " + reason.message());
  };
  switch (e.literal_kind) {
    case LiteralKind::kNull: return BoundExpression::Literal(Value::Null(DataType::Null()));
    case LiteralKind::kBoolean: return BoundExpression::Literal(Value::Boolean(text == "TRUE"));
    case LiteralKind::kApproximate: {
      std::string s = (negate ? "-" : "") + text;
      errno = 0;
      double v = std::strtod(s.c_str(), nullptr);
      if (std::isinf(v)) return SqlError(e.pos, "numeric literal " + s + " is out of range for DOUBLE");
      return BoundExpression::Literal(Value::Double(v));
    }
    case LiteralKind::kInteger:
    case LiteralKind::kDecimal: {
      Int128 unscaled = 0;
      int32_t digits = 0;
      int32_t scale = 0;
      bool fraction = false;
      for (char c : text) {
        if (c == '.') {
          fraction = true;
          continue;
        }
        int d = c - '0';
        if (digits > 0 || d != 0) ++digits;
        if (digits > DataType::kMaxDecimalPrecision) {
          return SqlError(e.pos, "numeric literal " + text + " has more than 38 digits");
        }
        unscaled = unscaled * 10 + d;
        if (fraction) ++scale;
      }
      if (negate) unscaled = -unscaled;
      if (e.literal_kind == LiteralKind::kInteger) {
        if (unscaled >= std::numeric_limits<int32_t>::min() && unscaled <= std::numeric_limits<int32_t>::max()) {
          return BoundExpression::Literal(Value::Int64(DataType::Int(), static_cast<int64_t>(unscaled)));
        }
        if (unscaled >= std::numeric_limits<int64_t>::min() && unscaled <= std::numeric_limits<int64_t>::max()) {
          return BoundExpression::Literal(Value::Int64(DataType::BigInt(), static_cast<int64_t>(unscaled)));
        }
      }
      int32_t precision = std::max({digits, scale, 1});
      return BoundExpression::Literal(Value::Decimal(DataType::Decimal(precision, scale), unscaled));
    }
    case LiteralKind::kString: {
      int64_t length = CodePoints(text);
      return BoundExpression::Literal(Value::String(DataType::Char(static_cast<int32_t>(length)), text));
    }
    case LiteralKind::kDate: {
      Result<int64_t> days = ParseDateText(text);
      if (!days.ok()) return invalid("DATE", days.status());
      return BoundExpression::Literal(Value::Int64(DataType::Date(), *days));
    }
    case LiteralKind::kTime: {
      int32_t precision = 0;
      Result<int64_t> micros = ParseTimeText(text, &precision);
      if (!micros.ok()) return invalid("TIME", micros.status());
      return BoundExpression::Literal(Value::Int64(DataType::Time(precision), *micros));
    }
    case LiteralKind::kTimestamp: {
      int32_t precision = 0;
      Result<int64_t> micros = ParseTimestampText(text, &precision);
      if (!micros.ok()) return invalid("TIMESTAMP", micros.status());
      return BoundExpression::Literal(Value::Int64(DataType::Timestamp(precision), *micros));
    }
    case LiteralKind::kInterval: {
      std::string unit = IntervalUnitName(e.unit);
      auto bad = [&](std::string_view reason) {
        return SqlError(e.pos, "invalid interval literal INTERVAL '" + text + "' " + unit + ": " + std::string(reason));
      };
      size_t i = 0;
      bool negative = false;
      if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
      if (negate) negative = !negative;
      Int128 whole = 0;
      size_t digits_start = i;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - digits_start < 18) {
        whole = whole * 10 + (text[i++] - '0');
      }
      if (i == digits_start) return bad("expected a number");
      Int128 millis_fraction = 0;
      if (i < text.size() && text[i] == '.') {
        if (e.unit != IntervalUnit::kSecond) return bad("only SECOND intervals take a fraction");
        ++i;
        size_t fraction_start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - fraction_start < 3) {
          millis_fraction = millis_fraction * 10 + (text[i++] - '0');
        }
        for (size_t n = i - fraction_start; n < 3; ++n) millis_fraction *= 10;
        if (i < text.size() && text[i] >= '0' && text[i] <= '9') return bad("more than millisecond precision");
      }
      if (i != text.size()) return bad("expected a number");
      static constexpr int64_t kUnitFactor[] = {1000, 60'000, 3'600'000, 86'400'000, 1, 12};
      Int128 v = whole * kUnitFactor[static_cast<int>(e.unit)] + millis_fraction;
      if (v > std::numeric_limits<int64_t>::max()) return bad("out of range");
      if (negative) v = -v;
      bool months = e.unit == IntervalUnit::kMonth || e.unit == IntervalUnit::kYear;
      DataType type = months ? DataType::IntervalYearMonth() : DataType::IntervalDayTime();
      return BoundExpression::Literal(Value::Int64(type, static_cast<int64_t>(v)));
    }
  }
  return Status::Internal("unknown literal kind");
}

Result<BoundExprPtr> ExpressionBinder::BindUnary(const UnaryExpr& e) {
  if (e.op != UnaryOp::kNot && e.operand->kind() == ExprKind::kLiteral) {
    const auto& literal = e.operand->As<LiteralExpr>();
    if (literal.literal_kind == LiteralKind::kInteger || literal.literal_kind == LiteralKind::kDecimal ||
        literal.literal_kind == LiteralKind::kApproximate || literal.literal_kind == LiteralKind::kInterval) {
      return BindLiteral(literal, e.op == UnaryOp::kMinus);
    }
  }
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*e.operand));
  const DataType& t = operand->type;
  if (e.op == UnaryOp::kNot) {
    if (!IsBooleanOrNull(t)) return SqlError(e.pos, "type mismatch: NOT needs a BOOLEAN operand, got " + t.Name());
    DataType result = DataType::Boolean().WithNullable(t.nullable);
    return BoundExpression::Call("NOT", {Convert(operand, DataType::Boolean())}, result);
  }
  if (!t.is_numeric() && !t.is_interval()) {
    return SqlError(e.pos, std::string("type mismatch: unary '") + (e.op == UnaryOp::kMinus ? "-" : "+") +
                               "' needs a number or an interval, got " + t.Name());
  }
  if (e.op == UnaryOp::kPlus) return operand;
  return BoundExpression::Call("NEGATE", {operand}, t);
}

Result<BoundExprPtr> ExpressionBinder::BindBinary(const BinaryExpr& e) {
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr left, Bind(*e.left));
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr right, Bind(*e.right));
  const char* symbol = BinaryOpSymbol(e.op);
  bool nullable = left->type.nullable || right->type.nullable;
  if (e.op == BinaryOp::kAnd || e.op == BinaryOp::kOr) {
    if (!IsBooleanOrNull(left->type) || !IsBooleanOrNull(right->type)) {
      return SqlError(e.pos, std::string("type mismatch: ") + symbol + " needs BOOLEAN operands, got " +
                                 left->type.Name() + " and " + right->type.Name());
    }
    return BoundExpression::Call(symbol, {Convert(left, DataType::Boolean()), Convert(right, DataType::Boolean())},
                                 DataType::Boolean().WithNullable(nullable));
  }
  if (IsComparison(e.op)) {
    std::optional<DataType> common = CommonType(left->type, right->type);
    if (!common) {
      return SqlError(e.pos, "type mismatch: cannot compare " + left->type.Name() + " with " + right->type.Name());
    }
    bool distinct_test = e.op == BinaryOp::kIsDistinctFrom || e.op == BinaryOp::kIsNotDistinctFrom;
    return BoundExpression::Call(symbol, {Convert(left, *common), Convert(right, *common)},
                                 DataType::Boolean().WithNullable(nullable && !distinct_test));
  }
  Result<CallTyping> typing = TypeBinaryArithmetic(e.op, left->type, right->type);
  if (!typing.ok()) return SqlError(e.pos, typing.status().message());
  return BoundExpression::Call(symbol, {Convert(left, typing->arg_types[0]), Convert(right, typing->arg_types[1])},
                               typing->result);
}

Result<BoundExprPtr> ExpressionBinder::BindIs(const IsExpr& e) {
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*e.operand));
  std::string name;
  switch (e.test) {
    case IsTest::kNull:
    case IsTest::kUnknown: name = "NULL"; break;
    case IsTest::kTrue: name = "TRUE"; break;
    case IsTest::kFalse: name = "FALSE"; break;
  }
  if (e.test != IsTest::kNull) {
    if (!IsBooleanOrNull(operand->type)) {
      return SqlError(e.pos, "type mismatch: IS " + std::string(e.test == IsTest::kUnknown ? "UNKNOWN" : name) +
                                 " needs a BOOLEAN operand, got " + operand->type.Name());
    }
    operand = Convert(operand, DataType::Boolean());
  }
  return BoundExpression::Call(std::string("IS ") + (e.negated ? "NOT " : "") + name, {operand},
                               DataType::Boolean().NotNull());
}

Result<BoundExprPtr> ExpressionBinder::BindBetween(const BetweenExpr& e) {
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*e.operand));
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr low, Bind(*e.low));
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr high, Bind(*e.high));
  DataType common = operand->type;
  for (const BoundExprPtr* bound : {&low, &high}) {
    std::optional<DataType> next = CommonType(common, (*bound)->type);
    if (!next) {
      return SqlError(e.pos,
                      "type mismatch: cannot compare " + operand->type.Name() + " with " + (*bound)->type.Name());
    }
    common = *next;
  }
  bool nullable = operand->type.nullable || low->type.nullable || high->type.nullable;
  return BoundExpression::Call(e.negated ? "NOT BETWEEN" : "BETWEEN",
                               {Convert(operand, common), Convert(low, common), Convert(high, common)},
                               DataType::Boolean().WithNullable(nullable));
}

Result<BoundExprPtr> ExpressionBinder::BindInList(const InListExpr& e) {
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*e.operand));
  std::vector<BoundExprPtr> items;
  DataType common = operand->type;
  bool nullable = operand->type.nullable;
  for (const ExprPtr& item : e.list) {
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr bound, Bind(*item));
    std::optional<DataType> next = CommonType(common, bound->type);
    if (!next) {
      return SqlError(item->pos,
                      "type mismatch: cannot compare " + operand->type.Name() + " with " + bound->type.Name());
    }
    common = *next;
    nullable = nullable || bound->type.nullable;
    items.push_back(std::move(bound));
  }
  std::vector<BoundExprPtr> args = {Convert(operand, common)};
  for (BoundExprPtr& item : items) args.push_back(Convert(item, common));
  return BoundExpression::Call(e.negated ? "NOT IN" : "IN", std::move(args),
                               DataType::Boolean().WithNullable(nullable));
}

Result<BoundExprPtr> ExpressionBinder::BindLike(const LikeExpr& e) {
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*e.operand));
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr pattern, Bind(*e.pattern));
  std::vector<BoundExprPtr> args = {operand, pattern};
  if (e.escape) {
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr escape, Bind(*e.escape));
    args.push_back(std::move(escape));
  }
  bool nullable = false;
  for (BoundExprPtr& a : args) {
    if (!a->type.is_character_string() && !a->type.is_null()) {
      return SqlError(e.pos, "type mismatch: LIKE needs string operands, got " + a->type.Name());
    }
    if (a->type.is_null()) a = Convert(a, DataType::String());
    nullable = nullable || a->type.nullable;
  }
  return BoundExpression::Call(e.negated ? "NOT LIKE" : "LIKE", std::move(args),
                               DataType::Boolean().WithNullable(nullable));
}

Result<BoundExprPtr> ExpressionBinder::BindCase(const CaseExpr& e) {
  BoundExprPtr operand;
  if (e.operand) {
    FLOE_ASSIGN_OR_RETURN(operand, Bind(*e.operand));
  }
  std::vector<BoundExprPtr> conditions;
  std::vector<BoundExprPtr> results;
  std::vector<SourcePosition> result_positions;
  for (const WhenClause& w : e.whens) {
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr when, Bind(*w.when));
    if (operand) {  // CASE x WHEN v: x = v
      std::optional<DataType> common = CommonType(operand->type, when->type);
      if (!common) {
        return SqlError(w.when->pos,
                        "type mismatch: cannot compare " + operand->type.Name() + " with " + when->type.Name());
      }
      bool nullable = operand->type.nullable || when->type.nullable;
      when = BoundExpression::Call("=", {Convert(operand, *common), Convert(when, *common)},
                                   DataType::Boolean().WithNullable(nullable));
    } else if (!IsBooleanOrNull(when->type)) {
      return SqlError(w.when->pos, "CASE's WHEN needs a BOOLEAN condition, got " + when->type.Name());
    }
    conditions.push_back(Convert(when, DataType::Boolean()));
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr then, Bind(*w.then));
    results.push_back(std::move(then));
    result_positions.push_back(w.then->pos);
  }
  if (e.else_result) {
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr else_result, Bind(*e.else_result));
    results.push_back(std::move(else_result));
    result_positions.push_back(e.else_result->pos);
  }
  DataType common = results[0]->type;
  for (size_t i = 1; i < results.size(); ++i) {
    std::optional<DataType> next = CommonType(common, results[i]->type);
    if (!next) {
      return SqlError(result_positions[i], "type mismatch: CASE results have no common type: " + common.Name() +
                                               " and " + results[i]->type.Name());
    }
    common = *next;
  }
  if (!e.else_result) common.nullable = true;
  std::vector<BoundExprPtr> args;
  for (size_t i = 0; i < conditions.size(); ++i) {
    args.push_back(conditions[i]);
    args.push_back(Convert(results[i], common));
  }
  args.push_back(e.else_result ? Convert(results.back(), common) : BoundExpression::Literal(Value::Null(common)));
  return BoundExpression::Case(std::move(args), common);
}

Result<BoundExprPtr> ExpressionBinder::BindCast(const CastExpr& e) {
  FLOE_ASSIGN_OR_RETURN(BoundExprPtr operand, Bind(*e.operand));
  if (!CanCast(operand->type, e.target)) {
    return SqlError(e.pos, "cannot CAST " + operand->type.Name() + " to " + e.target.Name());
  }
  DataType target = e.target.WithNullable(e.try_cast || operand->type.nullable);
  if (operand->kind == BoundExprKind::kLiteral && operand->value->is_null()) {
    return BoundExpression::Literal(Value::Null(target));
  }
  if (operand->type.SameAs(target) && !e.try_cast) return operand;
  return BoundExpression::Cast(operand, target, e.try_cast);
}

Result<BoundExprPtr> ExpressionBinder::BindFunction(const FunctionExpr& f) {
  if (IsAggregateFunction(f.name)) {
    if (inside_aggregate_) return SqlError(f.pos, "aggregate function calls cannot be nested");
    if (!aggregation_) return SqlError(f.pos, "aggregate function " + f.name + " is not allowed in " + clause_);
    return BindAggregateCall(f);
  }
  if (f.distinct) return SqlError(f.pos, "DISTINCT is only allowed in aggregate functions, not in " + f.name);
  if (f.star) return SqlError(f.pos, "'*' is only allowed in the select list and in COUNT(*)");
  std::vector<BoundExprPtr> args;
  for (const ExprPtr& a : f.args) {
    FLOE_ASSIGN_OR_RETURN(BoundExprPtr arg, Bind(*a));
    args.push_back(std::move(arg));
  }
  Result<CallTyping> typing = TypeScalarCall(f.name, args);
  if (!typing.ok()) return SqlError(f.pos, typing.status().message());
  for (size_t i = 0; i < args.size(); ++i) args[i] = Convert(args[i], typing->arg_types[i]);
  return BoundExpression::Call(f.name, std::move(args), typing->result);
}

}  // namespace floe::sql
