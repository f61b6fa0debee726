#include "floe/iceberg/row_filter.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>
#include <string_view>

namespace floe::iceberg {
namespace {

using formats::ColumnType;
using formats::ColumnVector;

// The spec's total order of doubles as an unsigned key (see CompareValues in expressions.cpp).
uint64_t DoubleOrderKey(double d) {
  const uint64_t bits = std::bit_cast<uint64_t>(d);
  return (bits & 0x8000000000000000ULL) ? ~bits : (bits | 0x8000000000000000ULL);
}

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

bool IsNegation(ExprOp op) {
  return op == ExprOp::kNotEq || op == ExprOp::kNotIn || op == ExprOp::kNotStartsWith;
}

// The answer for a null row and for a (non-null) NaN row.
uint8_t NullAnswer(ExprOp op) {
  return op == ExprOp::kIsNull || op == ExprOp::kNotNan || IsNegation(op);
}
uint8_t NaNAnswer(ExprOp op) {
  return op == ExprOp::kNotNull || op == ExprOp::kIsNan || IsNegation(op);
}

// Evaluates one predicate over the rows, with row keys of type K (key_at) and literal keys `lits` (in/not_in: sorted
// by `less`).
template <typename K, typename KeyAt, typename NaNAt, typename Cmp>
void EvalRows(ExprOp op, const std::vector<K>& lits, const ColumnVector& col, size_t rows, KeyAt key_at, NaNAt nan_at,
              Cmp cmp, uint8_t* out) {
  const uint8_t on_null = NullAnswer(op);
  const uint8_t on_nan = NaNAnswer(op);
  auto less = [&](const K& a, const K& b) { return cmp(a, b) < 0; };
  for (size_t i = 0; i < rows; ++i) {
    if (col.IsNull(i)) {
      out[i] = on_null;
      continue;
    }
    if (nan_at(i)) {
      out[i] = on_nan;
      continue;
    }
    bool r;
    switch (op) {
      case ExprOp::kIsNull:
      case ExprOp::kIsNan: r = false; break;
      case ExprOp::kNotNull:
      case ExprOp::kNotNan: r = true; break;
      case ExprOp::kLt: r = cmp(key_at(i), lits[0]) < 0; break;
      case ExprOp::kLtEq: r = cmp(key_at(i), lits[0]) <= 0; break;
      case ExprOp::kGt: r = cmp(key_at(i), lits[0]) > 0; break;
      case ExprOp::kGtEq: r = cmp(key_at(i), lits[0]) >= 0; break;
      case ExprOp::kEq: r = cmp(key_at(i), lits[0]) == 0; break;
      case ExprOp::kNotEq: r = cmp(key_at(i), lits[0]) != 0; break;
      case ExprOp::kIn: r = std::binary_search(lits.begin(), lits.end(), key_at(i), less); break;
      case ExprOp::kNotIn: r = !std::binary_search(lits.begin(), lits.end(), key_at(i), less); break;
      default: r = true; break;
    }
    out[i] = r ? 1 : 0;
  }
}

template <typename T>
int Compare(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Decimal digits after the point of a value of this field type, so integers of different units compare by value:
// decimals their scale, timestamps 6 (micros) or 9 (nanos), others 0.
int UnitExponent(const Type& t) {
  switch (t.id) {
    case TypeId::kDecimal: return t.scale;
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz: return 6;
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: return 9;
    default: return 0;
  }
}

int ColumnExponent(const formats::DataType& t) {
  switch (t.id) {
    case ColumnType::kDecimal: return t.scale;
    case ColumnType::kTimestamp:
    case ColumnType::kTimestampTz: return 6;
    default: return 0;
  }
}

// Whether a column of type `c` can hold values of field type `f`.
bool Compatible(TypeId f, ColumnType c) {
  switch (f) {
    case TypeId::kBoolean: return c == ColumnType::kBoolean;
    case TypeId::kInt:
    case TypeId::kLong: return c == ColumnType::kInt32 || c == ColumnType::kInt64;
    case TypeId::kDate: return c == ColumnType::kDate || c == ColumnType::kInt32;
    case TypeId::kTime: return c == ColumnType::kInt64;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return c == ColumnType::kTimestamp || c == ColumnType::kTimestampTz || c == ColumnType::kInt64;
    case TypeId::kDecimal: return c == ColumnType::kDecimal;
    case TypeId::kFloat:
    case TypeId::kDouble: return c == ColumnType::kFloat || c == ColumnType::kDouble;
    case TypeId::kString: return c == ColumnType::kString;
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary: return c == ColumnType::kBinary || c == ColumnType::kString;
    default: return false;
  }
}

__int128 LiteralInteger(const Literal& l) {
  if (std::holds_alternative<int32_t>(l.value)) return l.as_int();
  if (std::holds_alternative<int64_t>(l.value)) return l.as_long();
  if (std::holds_alternative<DecimalValue>(l.value)) return l.as_decimal().unscaled;
  if (std::holds_alternative<bool>(l.value)) return l.as_bool() ? 1 : 0;
  return 0;
}

double LiteralDouble(const Literal& l) {
  if (std::holds_alternative<float>(l.value)) return static_cast<double>(l.as_float());
  if (std::holds_alternative<double>(l.value)) return l.as_double();
  return 0;
}

Status EvalPredicate(const Expression& p, bool negate, const std::vector<int32_t>& field_ids,
                     const std::vector<ColumnVector>& columns, size_t rows, uint8_t* out) {
  const BoundRef& ref = *p.ref;
  const auto it = std::find(field_ids.begin(), field_ids.end(), ref.field_id);
  if (it == field_ids.end() || static_cast<size_t>(it - field_ids.begin()) >= columns.size()) {
    return Status::InvalidArgument("row filter: the batch has no column for field " + std::to_string(ref.field_id) +
                                   " ('" + ref.name + "')");
  }
  const ColumnVector& col = columns[static_cast<size_t>(it - field_ids.begin())];
  const ExprOp op = negate ? NegateOp(p.op) : p.op;
  const ColumnType ct = col.type().id;
  if (!ref.type || !Compatible(ref.type->id, ct)) {
    return Status::InvalidArgument("row filter: field " + std::to_string(ref.field_id) + " ('" + ref.name + "') is " +
                                   (ref.type ? ref.type->ToString() : std::string("?")) + " but its column is " +
                                   formats::TypeToString(col.type()));
  }
  auto no_nan = [](size_t) { return false; };

  if (ct == ColumnType::kFloat || ct == ColumnType::kDouble) {
    std::vector<uint64_t> lits;
    for (const Literal& l : p.literals) lits.push_back(DoubleOrderKey(LiteralDouble(l)));
    std::sort(lits.begin(), lits.end());
    auto value = [&](size_t i) {
      return ct == ColumnType::kFloat ? static_cast<double>(col.value<float>(i)) : col.value<double>(i);
    };
    EvalRows<uint64_t>(
        op, lits, col, rows, [&](size_t i) { return DoubleOrderKey(value(i)); },
        [&](size_t i) { return std::isnan(value(i)); }, Compare<uint64_t>, out);
    return Status::Ok();
  }

  if (ct == ColumnType::kString || ct == ColumnType::kBinary) {
    std::vector<std::string_view> lits;
    for (const Literal& l : p.literals) lits.emplace_back(l.as_bytes());
    std::sort(lits.begin(), lits.end());
    if (op == ExprOp::kStartsWith || op == ExprOp::kNotStartsWith) {
      const std::string_view prefix = lits.empty() ? std::string_view() : lits[0];
      const uint8_t want = op == ExprOp::kStartsWith ? 1 : 0;
      for (size_t i = 0; i < rows; ++i) {
        if (col.IsNull(i)) {
          out[i] = NullAnswer(op);
          continue;
        }
        const std::string_view v = col.string(i);
        const bool starts = v.size() >= prefix.size() && v.compare(0, prefix.size(), prefix) == 0;
        out[i] = starts ? want : static_cast<uint8_t>(1 - want);
      }
      return Status::Ok();
    }
    EvalRows<std::string_view>(
        op, lits, col, rows, [&](size_t i) { return col.string(i); }, no_nan,
        [](std::string_view a, std::string_view b) { return a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0); }, out);
    return Status::Ok();
  }

  // Integers of some unit: scale both sides to the finer unit.
  const int col_exp = ColumnExponent(col.type());
  const int lit_exp = UnitExponent(*ref.type);
  const int exp = std::max(col_exp, lit_exp);
  const __int128 col_mul = Pow10(exp - col_exp);
  const __int128 lit_mul = Pow10(exp - lit_exp);
  std::vector<__int128> lits;
  for (const Literal& l : p.literals) lits.push_back(LiteralInteger(l) * lit_mul);
  std::sort(lits.begin(), lits.end());
  const int width = col.width();
  auto key_at = [&](size_t i) -> __int128 {
    switch (width) {
      case 1: return col.value<uint8_t>(i) != 0 ? 1 : 0;
      case 4: return static_cast<__int128>(col.value<int32_t>(i)) * col_mul;
      default: return static_cast<__int128>(col.value<int64_t>(i)) * col_mul;
    }
  };
  EvalRows<__int128>(op, lits, col, rows, key_at, no_nan, Compare<__int128>, out);
  return Status::Ok();
}

Status EvalNode(const Expression& e, bool negate, const std::vector<int32_t>& field_ids,
                const std::vector<ColumnVector>& columns, size_t rows, std::vector<uint8_t>* out) {
  switch (e.op) {
    case ExprOp::kTrue:
    case ExprOp::kFalse: {
      const bool value = (e.op == ExprOp::kTrue) != negate;
      out->assign(rows, value ? 1 : 0);
      return Status::Ok();
    }
    case ExprOp::kNot: return EvalNode(*e.left, !negate, field_ids, columns, rows, out);
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      const bool is_and = (e.op == ExprOp::kAnd) != negate;  // De Morgan under a NOT
      FLOE_RETURN_IF_ERROR(EvalNode(*e.left, negate, field_ids, columns, rows, out));
      std::vector<uint8_t> right;
      FLOE_RETURN_IF_ERROR(EvalNode(*e.right, negate, field_ids, columns, rows, &right));
      for (size_t i = 0; i < rows; ++i) (*out)[i] = is_and ? ((*out)[i] & right[i]) : ((*out)[i] | right[i]);
      return Status::Ok();
    }
    default:
      if (!e.ref) {
        return Status::InvalidArgument("row filter: predicate on '" + e.column + "' is not bound to a schema");
      }
      out->assign(rows, 0);
      return EvalPredicate(e, negate, field_ids, columns, rows, out->data());
  }
}

}  // namespace

Result<std::vector<uint8_t>> EvaluateBatch(const ExpressionPtr& bound, const std::vector<int32_t>& field_ids,
                                           const std::vector<formats::ColumnVector>& columns) {
  const size_t rows = columns.empty() ? 0 : columns[0].size();
  for (size_t i = 1; i < columns.size(); ++i) {
    if (columns[i].size() != rows) {
      return Status::InvalidArgument("row filter: column " + std::to_string(i) + " has " +
                                     std::to_string(columns[i].size()) + " rows, column 0 has " + std::to_string(rows));
    }
  }
  std::vector<uint8_t> out;
  if (!bound) {
    out.assign(rows, 1);
    return out;
  }
  FLOE_RETURN_IF_ERROR(EvalNode(*bound, false, field_ids, columns, rows, &out));
  return out;
}

}  // namespace floe::iceberg
