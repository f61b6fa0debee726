#include "floe/sql/bound_expression.h"

#include <array>
#include <string_view>

namespace floe::sql {
namespace {

constexpr std::array kInfix = {"+",
                               "-",
                               "*",
                               "/",
                               "%",
                               "||",
                               "=",
                               "<>",
                               "<",
                               "<=",
                               ">",
                               ">=",
                               "AND",
                               "OR",
                               "IS DISTINCT FROM",
                               "IS NOT DISTINCT FROM"};
constexpr std::array kPostfix = {"IS NULL", "IS NOT NULL", "IS TRUE", "IS NOT TRUE", "IS FALSE", "IS NOT FALSE"};

bool In(const auto& list, std::string_view name) {
  for (std::string_view s : list) {
    if (s == name) return true;
  }
  return false;
}

std::string Join(const std::vector<BoundExprPtr>& args, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < args.size(); ++i) {
    if (i > from) out += ", ";
    out += args[i]->ToString();
  }
  return out;
}

BoundExprPtr Make(BoundExpression e) {
  return std::make_shared<const BoundExpression>(std::move(e));
}

}  // namespace

BoundExprPtr BoundExpression::Literal(Value v) {
  BoundExpression e;
  e.kind = BoundExprKind::kLiteral;
  e.type = v.type();
  e.value = std::move(v);
  return Make(std::move(e));
}

BoundExprPtr BoundExpression::ColumnRef(int index, std::string name, DataType type) {
  BoundExpression e;
  e.kind = BoundExprKind::kColumnRef;
  e.index = index;
  e.name = std::move(name);
  e.type = type;
  return Make(std::move(e));
}

BoundExprPtr BoundExpression::GroupRef(int index, DataType type) {
  BoundExpression e;
  e.kind = BoundExprKind::kGroupRef;
  e.index = index;
  e.type = type;
  return Make(std::move(e));
}

BoundExprPtr BoundExpression::AggregateRef(int index, DataType type) {
  BoundExpression e;
  e.kind = BoundExprKind::kAggregateRef;
  e.index = index;
  e.type = type;
  return Make(std::move(e));
}

BoundExprPtr BoundExpression::Call(std::string name, std::vector<BoundExprPtr> args, DataType type) {
  BoundExpression e;
  e.kind = BoundExprKind::kCall;
  e.name = std::move(name);
  e.args = std::move(args);
  e.type = type;
  return Make(std::move(e));
}

BoundExprPtr BoundExpression::Cast(BoundExprPtr operand, DataType type, bool try_cast) {
  BoundExpression e;
  e.kind = BoundExprKind::kCast;
  e.args.push_back(std::move(operand));
  e.type = type;
  e.try_cast = try_cast;
  return Make(std::move(e));
}

BoundExprPtr BoundExpression::Case(std::vector<BoundExprPtr> args, DataType type) {
  BoundExpression e;
  e.kind = BoundExprKind::kCase;
  e.args = std::move(args);
  e.type = type;
  return Make(std::move(e));
}

BoundExprPtr BoundExpression::CastIfNeeded(BoundExprPtr e, const DataType& type) {
  if (e->type.SameAs(type)) return e;
  DataType target = type.WithNullable(e->type.nullable);
  if (e->kind == BoundExprKind::kLiteral) {
    if (std::optional<Value> widened = WidenValue(*e->value, target)) return Literal(std::move(*widened));
  }
  return Cast(std::move(e), target);
}

std::string BoundExpression::ToString() const {
  switch (kind) {
    case BoundExprKind::kLiteral:
      // A typed NULL shows its type, as the binder made it (CASE without ELSE, a NULL cast to a common type).
      if (value->is_null() && !type.is_null()) return "CAST(NULL AS " + type.Name() + ")";
      return value->ToSql();
    case BoundExprKind::kColumnRef: return name + "#" + std::to_string(index);
    case BoundExprKind::kGroupRef: return "key" + std::to_string(index);
    case BoundExprKind::kAggregateRef: return "agg" + std::to_string(index);
    case BoundExprKind::kCast:
      return std::string(try_cast ? "TRY_CAST(" : "CAST(") + args[0]->ToString() + " AS " + type.Name() + ")";
    case BoundExprKind::kCase: {
      std::string out = "CASE";
      for (size_t i = 0; i + 1 < args.size(); i += 2) {
        out += " WHEN " + args[i]->ToString() + " THEN " + args[i + 1]->ToString();
      }
      return out + " ELSE " + args.back()->ToString() + " END";
    }
    case BoundExprKind::kCall:
      if (args.size() == 2 && In(kInfix, name))
        return "(" + args[0]->ToString() + " " + name + " " + args[1]->ToString() + ")";
      if (args.size() == 1 && In(kPostfix, name)) return "(" + args[0]->ToString() + " " + name + ")";
      if (name == "NOT") return "(NOT " + args[0]->ToString() + ")";
      if (name == "NEGATE") return "(- " + args[0]->ToString() + ")";
      if (name == "BETWEEN" || name == "NOT BETWEEN") {
        return "(" + args[0]->ToString() + " " + name + " " + args[1]->ToString() + " AND " + args[2]->ToString() + ")";
      }
      if (name == "IN" || name == "NOT IN") return "(" + args[0]->ToString() + " " + name + " (" + Join(args, 1) + "))";
      if (name == "LIKE" || name == "NOT LIKE") {
        std::string out = "(" + args[0]->ToString() + " " + name + " " + args[1]->ToString();
        if (args.size() > 2) out += " ESCAPE " + args[2]->ToString();
        return out + ")";
      }
      return name + "(" + Join(args) + ")";
  }
  return "?";
}

bool BoundExpression::Equals(const BoundExpression& other) const {
  if (kind != other.kind || !(type == other.type) || index != other.index || name != other.name ||
      try_cast != other.try_cast || value != other.value || args.size() != other.args.size()) {
    return false;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i]->Equals(*other.args[i])) return false;
  }
  return true;
}

bool BoundExpression::IsConstant() const {
  if (kind == BoundExprKind::kColumnRef || kind == BoundExprKind::kGroupRef || kind == BoundExprKind::kAggregateRef) {
    return false;
  }
  for (const BoundExprPtr& a : args) {
    if (!a->IsConstant()) return false;
  }
  return true;
}

}  // namespace floe::sql
