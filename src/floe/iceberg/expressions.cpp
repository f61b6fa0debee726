#include "floe/iceberg/expressions.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "floe/base/civil_time.h"
#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/transforms.h"

namespace floe::iceberg {
namespace {

// Iceberg skips evaluating in/not_in against stats beyond this many values (InclusiveEvalVisitor).
constexpr size_t kInPredicateLimit = 200;

bool IsFloatingType(TypeId id) {
  return id == TypeId::kFloat || id == TypeId::kDouble;
}

std::shared_ptr<Expression> NewNode(ExprOp op) {
  auto e = std::make_shared<Expression>();
  e->op = op;
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// Comparing values

// A key whose unsigned order is the spec's total order of doubles: -NaN < -inf < ... < -0.0 < 0.0 < ... < inf < NaN.
uint64_t DoubleOrderKey(double d) {
  const uint64_t bits = std::bit_cast<uint64_t>(d);
  return (bits & 0x8000000000000000ULL) ? ~bits : (bits | 0x8000000000000000ULL);
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// Compares two values in the spec's order. Both are normally of the same type; representations that differ only by a
// promotion (int vs long, float vs double, decimals of different scales) are compared by value.
int CompareValues(const Literal& a, const Literal& b) {
  if (a.value.index() == b.value.index()) {
    switch (a.value.index()) {
      case 0: return Cmp(a.as_bool(), b.as_bool());
      case 1: return Cmp(a.as_int(), b.as_int());
      case 2: return Cmp(a.as_long(), b.as_long());
      case 3: return Cmp(DoubleOrderKey(a.as_float()), DoubleOrderKey(b.as_float()));
      case 4: return Cmp(DoubleOrderKey(a.as_double()), DoubleOrderKey(b.as_double()));
      case 5: {
        __int128 x = a.as_decimal().unscaled;
        __int128 y = b.as_decimal().unscaled;
        const int sa = a.type ? a.type->scale : 0;
        const int sb = b.type ? b.type->scale : 0;
        if (sa < sb) x *= Pow10(sb - sa);
        if (sb < sa) y *= Pow10(sa - sb);
        return Cmp(x, y);
      }
      default: return Cmp(a.as_bytes(), b.as_bytes());  // char_traits<char> compares as unsigned bytes
    }
  }
  auto as_integer = [](const Literal& l) -> std::optional<int64_t> {
    if (std::holds_alternative<int32_t>(l.value)) return l.as_int();
    if (std::holds_alternative<int64_t>(l.value)) return l.as_long();
    return std::nullopt;
  };
  auto as_double = [](const Literal& l) -> std::optional<double> {
    if (std::holds_alternative<float>(l.value)) return static_cast<double>(l.as_float());
    if (std::holds_alternative<double>(l.value)) return l.as_double();
    return std::nullopt;
  };
  if (auto x = as_integer(a), y = as_integer(b); x && y) return Cmp(*x, *y);
  if (auto x = as_double(a), y = as_double(b); x && y) return Cmp(DoubleOrderKey(*x), DoubleOrderKey(*y));
  return Cmp(a.value.index(), b.value.index());  // unrelated types: any consistent order
}

bool IsNaN(const Literal& v) {
  if (std::holds_alternative<float>(v.value)) return std::isnan(v.as_float());
  if (std::holds_alternative<double>(v.value)) return std::isnan(v.as_double());
  return false;
}

void SortDistinct(std::vector<Literal>* lits) {
  std::sort(lits->begin(), lits->end(), [](const Literal& a, const Literal& b) { return CompareValues(a, b) < 0; });
  lits->erase(std::unique(lits->begin(), lits->end(),
                          [](const Literal& a, const Literal& b) { return CompareValues(a, b) == 0; }),
              lits->end());
}

bool ContainsValue(const std::vector<Literal>& sorted, const Literal& v) {
  return std::binary_search(sorted.begin(), sorted.end(), v,
                            [](const Literal& a, const Literal& b) { return CompareValues(a, b) < 0; });
}

bool StartsWithBytes(std::string_view value, std::string_view prefix) {
  return value.size() >= prefix.size() && value.compare(0, prefix.size(), prefix) == 0;
}

// Exact evaluation of one bound predicate on one value (nullopt: null), with the null/NaN rules of the header.
bool EvalPredicate(const Expression& p, const std::optional<Literal>& v) {
  const bool null = !v.has_value();
  const bool nan = !null && IsNaN(*v);
  switch (p.op) {
    case ExprOp::kIsNull: return null;
    case ExprOp::kNotNull: return !null;
    case ExprOp::kIsNan: return nan;
    case ExprOp::kNotNan: return !nan;
    case ExprOp::kLt: return !null && !nan && CompareValues(*v, p.literals[0]) < 0;
    case ExprOp::kLtEq: return !null && !nan && CompareValues(*v, p.literals[0]) <= 0;
    case ExprOp::kGt: return !null && !nan && CompareValues(*v, p.literals[0]) > 0;
    case ExprOp::kGtEq: return !null && !nan && CompareValues(*v, p.literals[0]) >= 0;
    case ExprOp::kEq: return !null && !nan && CompareValues(*v, p.literals[0]) == 0;
    case ExprOp::kNotEq: return null || nan || CompareValues(*v, p.literals[0]) != 0;
    case ExprOp::kIn: return !null && !nan && ContainsValue(p.literals, *v);
    case ExprOp::kNotIn: return null || nan || !ContainsValue(p.literals, *v);
    case ExprOp::kStartsWith: return !null && StartsWithBytes(v->as_bytes(), p.literals[0].as_bytes());
    case ExprOp::kNotStartsWith: return null || !StartsWithBytes(v->as_bytes(), p.literals[0].as_bytes());
    default: return true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Binding: finding columns

struct Resolved {
  const NestedField* field = nullptr;
  bool required = false;  // the field and every struct above it are required: the value is never null
};

bool NameEquals(std::string_view a, std::string_view b, bool case_sensitive) {
  if (case_sensitive) return a == b;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

Result<const NestedField*> FindIn(const std::vector<NestedField>& fields, std::string_view name, bool case_sensitive,
                                  std::string_view full_name) {
  const NestedField* found = nullptr;
  for (const NestedField& f : fields) {
    if (f.name == name) return &f;  // an exact match wins even when case-insensitive
  }
  if (case_sensitive) return found;
  for (const NestedField& f : fields) {
    if (!NameEquals(f.name, name, false)) continue;
    if (found) {
      return Status::InvalidArgument("column '" + std::string(full_name) + "' is ambiguous: it matches '" +
                                     found->name + "' and '" + f.name + "'");
    }
    found = &f;
  }
  return found;
}

// Finds a column by dotted name through structs, as Schema::FindByName does (a field whose own name contains dots
// is preferred over a path), remembering whether any struct on the way is optional.
Result<Resolved> ResolveColumn(const Schema& schema, std::string_view name, bool case_sensitive) {
  const std::vector<NestedField>* fields = &schema.fields();
  bool required = true;
  std::string_view rest = name;
  while (true) {
    FLOE_ASSIGN_OR_RETURN(const NestedField* whole, FindIn(*fields, rest, case_sensitive, name));
    if (whole) return Resolved{whole, required && whole->required};
    const size_t dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    FLOE_ASSIGN_OR_RETURN(const NestedField* part, FindIn(*fields, rest.substr(0, dot), case_sensitive, name));
    if (!part || !part->type || part->type->id != TypeId::kStruct) break;
    required = required && part->required;
    fields = &part->type->fields;
    rest.remove_prefix(dot + 1);
  }
  return Status::InvalidArgument("cannot find field '" + std::string(name) + "' in schema");
}

// ---------------------------------------------------------------------------------------------------------------
// Binding: converting values

// How a user's value fits the column's type.
enum class Fit {
  kExact,     // exactly `value`
  kBetween,   // strictly between `value` and the type's next value
  kAboveMax,  // above every value of the type
  kBelowMin,  // below every value of the type
};

struct Converted {
  Fit fit = Fit::kExact;
  std::optional<Literal> value;
};

// A decimal number as text: value = (negative ? -1 : 1) * digits * 10^exponent. `digits` has no leading zeros
// ("" for zero).
struct DecimalText {
  bool negative = false;
  std::string digits;
  int64_t exponent = 0;
};

std::optional<DecimalText> ParseDecimalText(std::string_view s) {
  DecimalText out;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) out.negative = s[i++] == '-';
  std::string digits;
  int64_t fraction_digits = 0;
  bool any = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    digits.push_back(s[i++]);
    any = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits.push_back(s[i++]);
      ++fraction_digits;
      any = true;
    }
  }
  if (!any) return std::nullopt;
  int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    if (i >= s.size()) return std::nullopt;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (exp < 1'000'000) exp = exp * 10 + (s[i] - '0');
      ++i;
    }
    if (neg) exp = -exp;
  }
  if (i != s.size()) return std::nullopt;
  const size_t first = digits.find_first_not_of('0');
  out.digits = first == std::string::npos ? "" : digits.substr(first);
  out.exponent = exp - fraction_digits;
  return out;
}

DecimalText DecimalTextOf(int64_t v) {
  DecimalText t;
  t.negative = v < 0;
  const unsigned __int128 mag = v < 0 ? -static_cast<unsigned __int128>(static_cast<__int128>(v)) : v;
  t.digits = mag == 0 ? "" : std::to_string(static_cast<unsigned long long>(mag));
  return t;
}

// The shortest decimal text that reads back as `d` (what a person wrote: 0.1, not 0.1000000000000000055...).
DecimalText DecimalTextOf(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  return *ParseDecimalText(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
}

// The text scaled to `scale` digits after the point, rounded toward negative infinity.
struct Scaled {
  __int128 floor = 0;
  bool exact = true;
  int overflow = 0;  // +1 / -1: beyond 38 digits
};

Scaled ScaleTo(const DecimalText& t, int32_t scale) {
  Scaled out;
  if (t.digits.empty()) return out;
  const int64_t e = t.exponent + scale;
  std::string_view kept = t.digits;
  if (e < 0) {
    const int64_t keep = static_cast<int64_t>(t.digits.size()) + e;
    std::string_view dropped;
    if (keep <= 0) {
      kept = "";
      dropped = t.digits;
    } else {
      kept = std::string_view(t.digits).substr(0, static_cast<size_t>(keep));
      dropped = std::string_view(t.digits).substr(static_cast<size_t>(keep));
    }
    out.exact = dropped.find_first_not_of('0') == std::string_view::npos;
  }
  const int64_t total_digits = static_cast<int64_t>(kept.size()) + std::max<int64_t>(e, 0);
  if (total_digits > 38) {
    out.overflow = t.negative ? -1 : 1;
    return out;
  }
  __int128 v = 0;
  for (char c : kept) v = v * 10 + (c - '0');
  for (int64_t i = 0; i < e; ++i) v *= 10;
  if (t.negative) {
    v = -v;
    if (!out.exact) v -= 1;
  }
  out.floor = v;
  return out;
}

struct Fitted {
  Fit fit = Fit::kExact;
  __int128 value = 0;
};

Fitted FitRange(const Scaled& s, __int128 min, __int128 max) {
  if (s.overflow > 0) return {Fit::kAboveMax, 0};
  if (s.overflow < 0) return {Fit::kBelowMin, 0};
  if (s.floor > max || (s.floor == max && !s.exact)) return {Fit::kAboveMax, 0};
  if (s.floor < min) return {Fit::kBelowMin, 0};
  return {s.exact ? Fit::kExact : Fit::kBetween, s.floor};
}

// A floating-point value as the largest float/double at or below it.
template <typename F>
Converted FitFloating(const TypePtr& type, double d, bool exact_double) {
  Converted c;
  if constexpr (std::is_same_v<F, float>) {
    constexpr double kMax = std::numeric_limits<float>::max();
    float f;
    bool exact;
    if (std::isinf(d)) {
      f = static_cast<float>(d);
      exact = exact_double;
    } else if (d > kMax) {
      f = std::numeric_limits<float>::max();
      exact = false;
    } else if (d < -kMax) {
      f = -std::numeric_limits<float>::infinity();
      exact = false;
    } else {
      f = static_cast<float>(d);
      // A person who writes 0.1 for a float column means the float 0.1f (whose shortest text is "0.1"), as Iceberg
      // casts; only a value that is no float's text falls between two floats.
      char buf[32];
      auto res = std::to_chars(buf, buf + sizeof(buf), f);
      const bool floats_text = std::strtod(std::string(buf, res.ptr).c_str(), nullptr) == d;
      if (exact_double && floats_text) {
        exact = true;
      } else {
        if (static_cast<double>(f) > d) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
        exact = exact_double && static_cast<double>(f) == d;
      }
    }
    c.fit = exact ? Fit::kExact : Fit::kBetween;
    c.value = Literal::Of(type, f);
  } else {
    c.fit = exact_double ? Fit::kExact : Fit::kBetween;
    c.value = Literal::Of(type, d);
  }
  return c;
}

// An integer as the largest double at or below it.
std::pair<double, bool> DoubleAtOrBelow(int64_t v) {
  double d = static_cast<double>(v);
  const long double exact = static_cast<long double>(v);
  if (static_cast<long double>(d) > exact) d = std::nextafter(d, -std::numeric_limits<double>::infinity());
  return {d, static_cast<long double>(d) == exact};
}

bool ReadDigits(std::string_view s, size_t* pos, size_t n, int64_t* out) {
  if (*pos + n > s.size()) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// "YYYY-MM-DD" at *pos.
std::optional<int64_t> ParseDatePart(std::string_view s, size_t* pos) {
  int64_t y, m, d;
  if (!ReadDigits(s, pos, 4, &y) || *pos >= s.size() || s[(*pos)++] != '-' || !ReadDigits(s, pos, 2, &m) ||
      *pos >= s.size() || s[(*pos)++] != '-' || !ReadDigits(s, pos, 2, &d)) {
    return std::nullopt;
  }
  return DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
}

// A time of day "HH:MM[:SS[.fraction]]" at *pos, in units of 10^-unit_digits seconds (floor), and whether exact.
struct TimeOfDay {
  __int128 units = 0;
  bool exact = true;
};

std::optional<TimeOfDay> ParseTimePart(std::string_view s, size_t* pos, int unit_digits) {
  int64_t h, m, sec = 0;
  if (!ReadDigits(s, pos, 2, &h) || *pos >= s.size() || s[(*pos)++] != ':' || !ReadDigits(s, pos, 2, &m)) {
    return std::nullopt;
  }
  TimeOfDay t;
  std::string fraction;
  if (*pos < s.size() && s[*pos] == ':') {
    ++*pos;
    if (!ReadDigits(s, pos, 2, &sec)) return std::nullopt;
    if (*pos < s.size() && s[*pos] == '.') {
      ++*pos;
      while (*pos < s.size() && std::isdigit(static_cast<unsigned char>(s[*pos]))) fraction.push_back(s[(*pos)++]);
      if (fraction.empty()) return std::nullopt;
    }
  }
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  __int128 frac = 0;
  for (int i = 0; i < unit_digits; ++i) {
    frac = frac * 10 + (i < static_cast<int>(fraction.size()) ? fraction[static_cast<size_t>(i)] - '0' : 0);
  }
  if (static_cast<int>(fraction.size()) > unit_digits) {
    t.exact = fraction.find_first_not_of('0', static_cast<size_t>(unit_digits)) == std::string::npos;
  }
  t.units = (static_cast<__int128>(h) * 3600 + m * 60 + sec) * Pow10(unit_digits) + frac;
  return t;
}

// A timestamp "YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][Z|+hh:mm|-hh:mm]" in units since the epoch (floor) and whether exact.
// Offsets only when `with_zone`.
std::optional<std::pair<__int128, bool>> ParseTimestamp(std::string_view s, int unit_digits, bool with_zone) {
  size_t pos = 0;
  auto days = ParseDatePart(s, &pos);
  if (!days) return std::nullopt;
  TimeOfDay t;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    auto parsed = ParseTimePart(s, &pos, unit_digits);
    if (!parsed) return std::nullopt;
    t = *parsed;
  }
  int64_t offset_seconds = 0;
  if (pos < s.size()) {
    if (!with_zone) return std::nullopt;
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const bool negative = s[pos++] == '-';
      int64_t oh, om = 0;
      if (!ReadDigits(s, &pos, 2, &oh)) return std::nullopt;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos < s.size() && !ReadDigits(s, &pos, 2, &om)) return std::nullopt;
      if (oh > 18 || om > 59) return std::nullopt;
      offset_seconds = (oh * 3600 + om * 60) * (negative ? -1 : 1);
    }
    if (pos != s.size()) return std::nullopt;
  }
  const __int128 units = (static_cast<__int128>(*days) * 86400 - offset_seconds) * Pow10(unit_digits) + t.units;
  return std::make_pair(units, t.exact);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> ParseHex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = HexDigit(s[i]);
    const int lo = HexDigit(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::optional<std::string> ParseUuid(std::string_view s) {
  std::string hex;
  if (s.size() == 36) {
    for (size_t i = 0; i < s.size(); ++i) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (s[i] != '-') return std::nullopt;
      } else {
        hex.push_back(s[i]);
      }
    }
  } else if (s.size() == 32) {
    hex = s;
  } else {
    return std::nullopt;
  }
  return ParseHex(hex);
}

std::string QuoteString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

Status CannotCompare(const std::string& column, const TypePtr& type, const UnboundValue& v) {
  return Status::InvalidArgument("cannot compare column '" + column + "' of type " + type->ToString() + " with " +
                                 v.ToString());
}

Converted FromFitted(const TypePtr& type, const Fitted& f) {
  Converted c;
  c.fit = f.fit;
  if (f.fit == Fit::kExact || f.fit == Fit::kBetween) {
    switch (type->id) {
      case TypeId::kInt:
      case TypeId::kDate: c.value = Literal::Of(type, static_cast<int32_t>(f.value)); break;
      case TypeId::kDecimal: c.value = Literal::Of(type, DecimalValue{f.value}); break;
      default: c.value = Literal::Of(type, static_cast<int64_t>(f.value)); break;
    }
  }
  return c;
}

// Converts a user's value to the column's type (see Bind in the header for the rules).
Result<Converted> ConvertValue(const std::string& column, const TypePtr& type, const UnboundValue& v) {
  const auto fail = [&] { return CannotCompare(column, type, v); };
  const bool is_bool = std::holds_alternative<bool>(v.value);
  const bool is_int = std::holds_alternative<int64_t>(v.value);
  const bool is_double = std::holds_alternative<double>(v.value);
  const std::string* str = std::get_if<std::string>(&v.value);

  if (is_double && std::isnan(std::get<double>(v.value))) {
    return Status::InvalidArgument("cannot compare column '" + column + "' with NaN: use is_nan");
  }

  // Numbers (or numeric strings) as decimal text, for the integer-like and decimal types.
  auto number_text = [&]() -> std::optional<DecimalText> {
    if (is_int) return DecimalTextOf(std::get<int64_t>(v.value));
    if (is_double) return DecimalTextOf(std::get<double>(v.value));
    if (str) return ParseDecimalText(*str);
    return std::nullopt;
  };
  auto infinite = [&]() -> int {
    if (is_double && std::isinf(std::get<double>(v.value))) return std::get<double>(v.value) > 0 ? 1 : -1;
    return 0;
  };

  switch (type->id) {
    case TypeId::kBoolean: {
      if (is_bool) return Converted{Fit::kExact, Literal::Of(type, std::get<bool>(v.value))};
      if (str && NameEquals(*str, "true", false)) return Converted{Fit::kExact, Literal::Of(type, true)};
      if (str && NameEquals(*str, "false", false)) return Converted{Fit::kExact, Literal::Of(type, false)};
      return fail();
    }
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kDecimal: {
      if (int inf = infinite(); inf != 0) return Converted{inf > 0 ? Fit::kAboveMax : Fit::kBelowMin, std::nullopt};
      auto text = number_text();
      if (!text) return fail();
      const int32_t scale = type->id == TypeId::kDecimal ? type->scale : 0;
      __int128 min, max;
      if (type->id == TypeId::kInt) {
        min = std::numeric_limits<int32_t>::min();
        max = std::numeric_limits<int32_t>::max();
      } else if (type->id == TypeId::kLong) {
        min = std::numeric_limits<int64_t>::min();
        max = std::numeric_limits<int64_t>::max();
      } else {
        max = Pow10(std::clamp(type->precision, 1, 38)) - 1;
        min = -max;
      }
      return FromFitted(type, FitRange(ScaleTo(*text, scale), min, max));
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d;
      bool exact = true;
      if (is_int) {
        std::tie(d, exact) = DoubleAtOrBelow(std::get<int64_t>(v.value));
      } else if (is_double) {
        d = std::get<double>(v.value);
      } else if (str && ParseDecimalText(*str)) {
        errno = 0;
        char* end = nullptr;
        d = std::strtod(str->c_str(), &end);
        if (errno == ERANGE && std::isinf(d)) {
          // Beyond the largest double: between it and infinity (or below the lowest).
          d = d > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::infinity();
          exact = false;
        }
      } else {
        return fail();
      }
      if (type->id == TypeId::kFloat) return FitFloating<float>(type, d, exact);
      return FitFloating<double>(type, d, exact);
    }
    case TypeId::kDate: {
      if (is_int) {
        return FromFitted(type, FitRange(ScaleTo(DecimalTextOf(std::get<int64_t>(v.value)), 0),
                                         std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
      }
      if (!str) return fail();
      size_t pos = 0;
      auto days = ParseDatePart(*str, &pos);
      if (!days || pos != str->size()) return fail();
      return FromFitted(type, Fitted{Fit::kExact, *days});
    }
    case TypeId::kTime: {
      constexpr int64_t kMicrosPerDay = 86'400'000'000;
      if (is_int) {
        return FromFitted(type, FitRange(ScaleTo(DecimalTextOf(std::get<int64_t>(v.value)), 0), 0, kMicrosPerDay - 1));
      }
      if (!str) return fail();
      size_t pos = 0;
      auto t = ParseTimePart(*str, &pos, 6);
      if (!t || pos != str->size()) return fail();
      return FromFitted(type, Fitted{t->exact ? Fit::kExact : Fit::kBetween, t->units});
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      const __int128 min = std::numeric_limits<int64_t>::min();
      const __int128 max = std::numeric_limits<int64_t>::max();
      if (is_int) return FromFitted(type, FitRange(ScaleTo(DecimalTextOf(std::get<int64_t>(v.value)), 0), min, max));
      if (!str) return fail();
      const bool nanos = type->id == TypeId::kTimestampNs || type->id == TypeId::kTimestampTzNs;
      const bool zone = type->id == TypeId::kTimestampTz || type->id == TypeId::kTimestampTzNs;
      auto ts = ParseTimestamp(*str, nanos ? 9 : 6, zone);
      if (!ts) return fail();
      Scaled s;
      s.floor = ts->first;
      s.exact = ts->second;
      return FromFitted(type, FitRange(s, min, max));
    }
    case TypeId::kString:
      if (!str) return fail();
      return Converted{Fit::kExact, Literal::Of(type, *str)};
    case TypeId::kUuid: {
      if (!str) return fail();
      auto bytes = ParseUuid(*str);
      if (!bytes) return fail();
      return Converted{Fit::kExact, Literal::Of(type, std::move(*bytes))};
    }
    case TypeId::kFixed:
    case TypeId::kBinary: {
      if (!str) return fail();
      auto bytes = ParseHex(*str);
      if (!bytes || (type->id == TypeId::kFixed && static_cast<int32_t>(bytes->size()) != type->length)) return fail();
      return Converted{Fit::kExact, Literal::Of(type, std::move(*bytes))};
    }
    default: return fail();
  }
}

ExpressionPtr NotNullOf(const BoundRef& ref) {
  if (ref.required) return Expr::True();
  return Expr::Bound(ExprOp::kNotNull, ref);
}

// A comparison with a converted value, folding the values that fall between or beyond the type's values.
ExpressionPtr BindComparison(ExprOp op, const BoundRef& ref, const Converted& c) {
  switch (c.fit) {
    case Fit::kExact: return Expr::Bound(op, ref, {*c.value});
    case Fit::kBetween:
      switch (op) {
        case ExprOp::kEq: return Expr::False();
        case ExprOp::kNotEq: return Expr::True();
        case ExprOp::kLt:
        case ExprOp::kLtEq: return Expr::Bound(ExprOp::kLtEq, ref, {*c.value});
        default: return Expr::Bound(ExprOp::kGt, ref, {*c.value});  // gt, gt_eq
      }
    case Fit::kAboveMax:
      switch (op) {
        case ExprOp::kLt:
        case ExprOp::kLtEq: return NotNullOf(ref);
        case ExprOp::kNotEq: return Expr::True();
        default: return Expr::False();  // gt, gt_eq, eq
      }
    case Fit::kBelowMin:
      switch (op) {
        case ExprOp::kGt:
        case ExprOp::kGtEq: return NotNullOf(ref);
        case ExprOp::kNotEq: return Expr::True();
        default: return Expr::False();  // lt, lt_eq, eq
      }
  }
  return Expr::True();
}

Result<ExpressionPtr> BindPredicate(const Schema& schema, const Expression& p, bool case_sensitive) {
  FLOE_ASSIGN_OR_RETURN(Resolved r, ResolveColumn(schema, p.column, case_sensitive));
  BoundRef ref;
  ref.field_id = r.field->id;
  ref.name = schema.NameOf(r.field->id);
  if (ref.name.empty()) ref.name = r.field->name;
  ref.type = r.field->type;
  ref.required = r.required;
  if (!ref.type || !ref.type->is_primitive()) {
    return Status::InvalidArgument("cannot filter on column '" + ref.name + "' of type " +
                                   (ref.type ? ref.type->ToString() : std::string("?")) + ": not a primitive type");
  }
  const std::string name(ExprOpName(p.op));
  switch (p.op) {
    case ExprOp::kIsNull: return ref.required ? Expr::False() : Expr::Bound(p.op, ref);
    case ExprOp::kNotNull: return ref.required ? Expr::True() : Expr::Bound(p.op, ref);
    case ExprOp::kIsNan:
    case ExprOp::kNotNan:
      if (!IsFloatingType(ref.type->id)) {
        return Status::InvalidArgument(name + ": column '" + ref.name + "' of type " + ref.type->ToString() +
                                       " is not float or double");
      }
      return Expr::Bound(p.op, ref);
    case ExprOp::kStartsWith:
    case ExprOp::kNotStartsWith: {
      if (ref.type->id != TypeId::kString) {
        return Status::InvalidArgument(name + ": column '" + ref.name + "' of type " + ref.type->ToString() +
                                       " is not a string");
      }
      if (p.values.size() != 1 || !std::holds_alternative<std::string>(p.values[0].value)) {
        return Status::InvalidArgument(name + ": column '" + ref.name + "' needs one string prefix");
      }
      return Expr::Bound(p.op, ref, {Literal::Of(ref.type, std::get<std::string>(p.values[0].value))});
    }
    case ExprOp::kIn:
    case ExprOp::kNotIn: {
      std::vector<Literal> lits;
      for (const UnboundValue& v : p.values) {
        FLOE_ASSIGN_OR_RETURN(Converted c, ConvertValue(ref.name, ref.type, v));
        // A value no row can hold neither adds to in nor removes from not_in.
        if (c.fit == Fit::kExact) lits.push_back(*c.value);
      }
      SortDistinct(&lits);
      if (lits.empty()) return p.op == ExprOp::kIn ? Expr::False() : Expr::True();
      if (lits.size() == 1) return Expr::Bound(p.op == ExprOp::kIn ? ExprOp::kEq : ExprOp::kNotEq, ref, lits);
      return Expr::Bound(p.op, ref, std::move(lits));
    }
    default: {
      if (p.values.size() != 1) {
        return Status::InvalidArgument(name + ": column '" + ref.name + "' needs exactly one value");
      }
      FLOE_ASSIGN_OR_RETURN(Converted c, ConvertValue(ref.name, ref.type, p.values[0]));
      return BindComparison(p.op, ref, c);
    }
  }
}

Result<ExpressionPtr> BindRewritten(const Schema& schema, const ExpressionPtr& e, bool case_sensitive) {
  switch (e->op) {
    case ExprOp::kTrue:
    case ExprOp::kFalse: return e;
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      FLOE_ASSIGN_OR_RETURN(ExpressionPtr l, BindRewritten(schema, e->left, case_sensitive));
      FLOE_ASSIGN_OR_RETURN(ExpressionPtr r, BindRewritten(schema, e->right, case_sensitive));
      return e->op == ExprOp::kAnd ? Expr::And(l, r) : Expr::Or(l, r);
    }
    case ExprOp::kNot: return Status::Internal("bind: NOT left after RewriteNot");
    default:
      if (e->is_bound_predicate()) return e;
      return BindPredicate(schema, *e, case_sensitive);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Inclusive metrics evaluation (data file stats)

// A bound from the manifest decoded for the column's type; the int->long and float->double promotions read the
// narrower encoding. nullopt when it does not decode (treated as unknown).
std::optional<Literal> DecodeBound(const TypePtr& type, const std::string& bytes) {
  auto v = DeserializeValue(type, bytes);
  if (v.ok()) return std::move(v).value();
  if (type->id == TypeId::kLong && bytes.size() == 4) {
    auto narrow = DeserializeValue(Type::Primitive(TypeId::kInt), bytes);
    if (narrow.ok()) return Literal::Of(type, static_cast<int64_t>(narrow->as_int()));
  }
  if (type->id == TypeId::kDouble && bytes.size() == 4) {
    auto narrow = DeserializeValue(Type::Primitive(TypeId::kFloat), bytes);
    if (narrow.ok()) return Literal::Of(type, static_cast<double>(narrow->as_float()));
  }
  return std::nullopt;
}

class MetricsEvaluator {
 public:
  MetricsEvaluator(const Schema& schema, const DataFile& file) : schema_(schema), file_(file) {}

  bool Eval(const Expression& e) {
    switch (e.op) {
      case ExprOp::kTrue: return true;
      case ExprOp::kFalse: return false;
      case ExprOp::kAnd: return Eval(*e.left) && Eval(*e.right);
      case ExprOp::kOr: return Eval(*e.left) || Eval(*e.right);
      case ExprOp::kNot: return true;  // not reached: evaluators run on RewriteNot output
      default: return EvalPredicate(e);
    }
  }

 private:
  static constexpr bool kMightMatch = true;
  static constexpr bool kCannotMatch = false;

  std::optional<int64_t> Count(const std::map<int32_t, int64_t>& m, int32_t id) const {
    auto it = m.find(id);
    if (it == m.end()) return std::nullopt;
    return it->second;
  }
  bool MayContainNull(int32_t id) const {
    auto n = Count(file_.null_value_counts, id);
    return !n || *n != 0;
  }
  bool ContainsNullsOnly(int32_t id) const {
    auto v = Count(file_.value_counts, id);
    auto n = Count(file_.null_value_counts, id);
    return v && n && *v - *n == 0;
  }
  bool MayContainNaN(int32_t id) const {
    auto n = Count(file_.nan_value_counts, id);
    return !n || *n != 0;
  }
  bool ContainsNaNsOnly(int32_t id) const {
    auto n = Count(file_.nan_value_counts, id);
    auto v = Count(file_.value_counts, id);
    return n && v && *n == *v;
  }
  std::optional<Literal> Bound(const std::map<int32_t, std::string>& m, const BoundRef& ref) const {
    auto it = m.find(ref.field_id);
    if (it == m.end()) return std::nullopt;
    return DecodeBound(ref.type, it->second);
  }
  std::optional<Literal> Lower(const BoundRef& ref) const { return Bound(file_.lower_bounds, ref); }
  std::optional<Literal> Upper(const BoundRef& ref) const { return Bound(file_.upper_bounds, ref); }

  // The column's one value when every row holds it: no nulls, no NaNs, lower == upper.
  std::optional<Literal> UniqueValue(const BoundRef& ref) const {
    if (MayContainNull(ref.field_id)) return std::nullopt;
    auto lower = Lower(ref);
    auto upper = Upper(ref);
    if (!lower || !upper || IsNaN(*lower) || IsNaN(*upper)) return std::nullopt;
    if (IsFloatingType(ref.type->id) && MayContainNaN(ref.field_id)) return std::nullopt;
    if (CompareValues(*lower, *upper) != 0) return std::nullopt;
    return lower;
  }

  bool EvalPredicate(const Expression& p) {
    if (!p.ref) return kMightMatch;
    const BoundRef& ref = *p.ref;
    const int32_t id = ref.field_id;
    // A column the schema no longer has (or a stale id) tells nothing.
    if (!schema_.FindById(id)) return kMightMatch;
    switch (p.op) {
      case ExprOp::kIsNull: return MayContainNull(id) ? kMightMatch : kCannotMatch;
      case ExprOp::kNotNull: return ContainsNullsOnly(id) ? kCannotMatch : kMightMatch;
      case ExprOp::kIsNan:
        if (ContainsNullsOnly(id)) return kCannotMatch;
        return MayContainNaN(id) ? kMightMatch : kCannotMatch;
      case ExprOp::kNotNan: return ContainsNaNsOnly(id) ? kCannotMatch : kMightMatch;
      case ExprOp::kLt:
      case ExprOp::kLtEq: {
        if (ContainsNullsOnly(id) || ContainsNaNsOnly(id)) return kCannotMatch;
        auto lower = Lower(ref);
        if (!lower || IsNaN(*lower)) return kMightMatch;  // a NaN bound is unreliable (old writers)
        const int cmp = CompareValues(*lower, p.literals[0]);
        return (p.op == ExprOp::kLt ? cmp >= 0 : cmp > 0) ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kGt:
      case ExprOp::kGtEq: {
        if (ContainsNullsOnly(id) || ContainsNaNsOnly(id)) return kCannotMatch;
        auto upper = Upper(ref);
        if (!upper) return kMightMatch;
        const int cmp = CompareValues(*upper, p.literals[0]);
        return (p.op == ExprOp::kGt ? cmp <= 0 : cmp < 0) ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kEq: {
        if (ContainsNullsOnly(id) || ContainsNaNsOnly(id)) return kCannotMatch;
        auto lower = Lower(ref);
        if (lower && !IsNaN(*lower) && CompareValues(*lower, p.literals[0]) > 0) return kCannotMatch;
        auto upper = Upper(ref);
        if (upper && CompareValues(*upper, p.literals[0]) < 0) return kCannotMatch;
        return kMightMatch;
      }
      case ExprOp::kNotEq: {
        // Bounds need not be values of the column, so only a column of one value proves anything.
        auto unique = UniqueValue(ref);
        return unique && CompareValues(*unique, p.literals[0]) == 0 ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kIn: {
        if (ContainsNullsOnly(id) || ContainsNaNsOnly(id)) return kCannotMatch;
        if (p.literals.size() > kInPredicateLimit) return kMightMatch;
        auto lower = Lower(ref);
        if (!lower || IsNaN(*lower)) return kMightMatch;
        auto upper = Upper(ref);
        for (const Literal& lit : p.literals) {
          if (CompareValues(*lower, lit) <= 0 && (!upper || CompareValues(*upper, lit) >= 0)) return kMightMatch;
        }
        return kCannotMatch;
      }
      case ExprOp::kNotIn: {
        auto unique = UniqueValue(ref);
        return unique && ContainsValue(p.literals, *unique) ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kStartsWith: {
        if (ContainsNullsOnly(id)) return kCannotMatch;
        const std::string& prefix = p.literals[0].as_bytes();
        // Bounds may be truncated; comparing only their first len(prefix) bytes stays correct either way.
        auto lower = Lower(ref);
        if (!lower) return kMightMatch;
        const std::string& lo = lower->as_bytes();
        if (std::string_view(lo).substr(0, prefix.size()).compare(prefix) > 0) return kCannotMatch;
        auto upper = Upper(ref);
        if (!upper) return kMightMatch;
        const std::string& up = upper->as_bytes();
        if (std::string_view(up).substr(0, prefix.size()).compare(prefix) < 0) return kCannotMatch;
        return kMightMatch;
      }
      case ExprOp::kNotStartsWith: {
        if (MayContainNull(id)) return kMightMatch;
        const std::string& prefix = p.literals[0].as_bytes();
        auto lower = Lower(ref);
        auto upper = Upper(ref);
        if (!lower || !upper) return kMightMatch;
        // Every value starts with the prefix only when both bounds do.
        if (StartsWithBytes(lower->as_bytes(), prefix) && StartsWithBytes(upper->as_bytes(), prefix)) {
          return kCannotMatch;
        }
        return kMightMatch;
      }
      default: return kMightMatch;
    }
  }

  const Schema& schema_;
  const DataFile& file_;
};

// ---------------------------------------------------------------------------------------------------------------
// Inclusive projection

std::optional<Literal> Transformed(const Transform& t, const Literal& v) {
  auto r = ApplyTransform(t, v);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return **r;
}

// v + delta (delta is +1 or -1) in v's own type, or nullopt when that leaves the type's range.
std::optional<Literal> Step(const Literal& v, int delta) {
  switch (v.value.index()) {
    case 1: {
      const int64_t x = static_cast<int64_t>(v.as_int()) + delta;
      if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()) return std::nullopt;
      return Literal::Of(v.type, static_cast<int32_t>(x));
    }
    case 2: {
      const int64_t x = v.as_long();
      if ((delta < 0 && x == std::numeric_limits<int64_t>::min()) ||
          (delta > 0 && x == std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
      }
      return Literal::Of(v.type, x + delta);
    }
    case 5: return Literal::Of(v.type, DecimalValue{v.as_decimal().unscaled + delta});
    default: return std::nullopt;
  }
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// One predicate projected through one partition field.
ExpressionPtr ProjectPredicate(const Expression& p, const PartitionField& field, const BoundRef& ref) {
  const Transform& t = field.transform;
  if (t.kind == TransformKind::kVoid) return Expr::True();
  if (t.kind == TransformKind::kIdentity) {
    std::vector<Literal> lits;
    for (const Literal& l : p.literals) lits.push_back(Literal::Of(ref.type, l.value));
    return Expr::Bound(p.op, ref, std::move(lits));
  }
  // Every other transform maps null to null and non-null to non-null.
  if (p.op == ExprOp::kIsNull || p.op == ExprOp::kNotNull) return Expr::Bound(p.op, ref);

  auto one = [&](ExprOp op, const std::optional<Literal>& v) -> ExpressionPtr {
    if (!v) return Expr::True();
    return Expr::Bound(op, ref, {*v});
  };
  auto set = [&](ExprOp op) -> ExpressionPtr {
    std::vector<Literal> out;
    for (const Literal& l : p.literals) {
      auto v = Transformed(t, l);
      if (!v) return Expr::True();
      out.push_back(*v);
    }
    SortDistinct(&out);
    if (out.size() == 1) return Expr::Bound(op == ExprOp::kIn ? ExprOp::kEq : ExprOp::kNotEq, ref, out);
    return Expr::Bound(op, ref, std::move(out));
  };

  if (t.kind == TransformKind::kBucket) {
    if (p.op == ExprOp::kEq) return one(ExprOp::kEq, Transformed(t, p.literals[0]));
    if (p.op == ExprOp::kIn) return set(ExprOp::kIn);
    return Expr::True();
  }

  // truncate and year/month/day/hour: order-preserving, so comparisons carry over on a closed bound.
  const bool is_array = p.literals.empty() ? false : std::holds_alternative<std::string>(p.literals[0].value);
  switch (p.op) {
    case ExprOp::kLt:
      if (is_array) return one(ExprOp::kLtEq, Transformed(t, p.literals[0]));
      if (auto prev = Step(p.literals[0], -1)) return one(ExprOp::kLtEq, Transformed(t, *prev));
      return Expr::False();  // below the type's smallest value
    case ExprOp::kLtEq: return one(ExprOp::kLtEq, Transformed(t, p.literals[0]));
    case ExprOp::kGt:
      if (is_array) return one(ExprOp::kGtEq, Transformed(t, p.literals[0]));
      if (auto next = Step(p.literals[0], 1)) return one(ExprOp::kGtEq, Transformed(t, *next));
      return Expr::False();  // above the type's largest value
    case ExprOp::kGtEq: return one(ExprOp::kGtEq, Transformed(t, p.literals[0]));
    case ExprOp::kEq: return one(ExprOp::kEq, Transformed(t, p.literals[0]));
    case ExprOp::kIn: return set(ExprOp::kIn);
    case ExprOp::kStartsWith:
    case ExprOp::kNotStartsWith: {
      if (t.kind != TransformKind::kTruncate || ref.type->id != TypeId::kString) return Expr::True();
      const std::string& prefix = p.literals[0].as_bytes();
      const size_t len = CodePoints(prefix);
      const auto width = static_cast<size_t>(t.param);
      if (p.op == ExprOp::kStartsWith) {
        if (len < width) return Expr::Bound(ExprOp::kStartsWith, ref, {Literal::Of(ref.type, prefix)});
        if (len == width) return Expr::Bound(ExprOp::kEq, ref, {Literal::Of(ref.type, prefix)});
        return one(ExprOp::kStartsWith, Transformed(t, p.literals[0]));
      }
      if (len < width) return Expr::Bound(ExprOp::kNotStartsWith, ref, {Literal::Of(ref.type, prefix)});
      if (len == width) return Expr::Bound(ExprOp::kNotEq, ref, {Literal::Of(ref.type, prefix)});
      return Expr::True();
    }
    default: return Expr::True();  // not_eq, not_in, is_nan, not_nan
  }
}

struct PartitionFieldRef {
  const PartitionField* field;
  BoundRef ref;
};

ExpressionPtr Project(const ExpressionPtr& e, const std::vector<PartitionFieldRef>& fields) {
  switch (e->op) {
    case ExprOp::kTrue:
    case ExprOp::kFalse: return e;
    case ExprOp::kAnd: return Expr::And(Project(e->left, fields), Project(e->right, fields));
    case ExprOp::kOr: return Expr::Or(Project(e->left, fields), Project(e->right, fields));
    case ExprOp::kNot: return Expr::True();  // not reached after RewriteNot
    default: {
      if (!e->ref) return Expr::True();
      ExpressionPtr result = Expr::True();
      for (const PartitionFieldRef& f : fields) {
        if (f.field->source_id != e->ref->field_id) continue;
        result = Expr::And(result, ProjectPredicate(*e, *f.field, f.ref));
      }
      return result;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Partition tuples and manifest summaries

// Exact evaluation; a NOT is pushed into the predicates below it (as RewriteNot would) so that null and NaN values
// get the same answers here as from the other evaluators.
bool EvalOnPartition(const Expression& e, const PartitionValues& values, bool negate) {
  switch (e.op) {
    case ExprOp::kTrue: return !negate;
    case ExprOp::kFalse: return negate;
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      const bool is_and = (e.op == ExprOp::kAnd) != negate;
      const bool l = EvalOnPartition(*e.left, values, negate);
      if (is_and ? !l : l) return l;
      return EvalOnPartition(*e.right, values, negate);
    }
    case ExprOp::kNot: return EvalOnPartition(*e.left, values, !negate);
    default: {
      if (!e.ref || e.ref->position < 0) return true;
      const auto pos = static_cast<size_t>(e.ref->position);
      const std::optional<Literal> none;
      const std::optional<Literal>& v = pos < values.size() ? values[pos] : none;
      if (!negate) return EvalPredicate(e, v);
      Expression negated = e;
      negated.op = NegateOp(e.op);
      return EvalPredicate(negated, v);
    }
  }
}

class ManifestEvaluator {
 public:
  ManifestEvaluator(const TypePtr& partition_type, const ManifestFile& manifest)
      : partition_type_(partition_type), manifest_(manifest) {}

  bool Eval(const Expression& e) {
    switch (e.op) {
      case ExprOp::kTrue: return true;
      case ExprOp::kFalse: return false;
      case ExprOp::kAnd: return Eval(*e.left) && Eval(*e.right);
      case ExprOp::kOr: return Eval(*e.left) || Eval(*e.right);
      case ExprOp::kNot: return true;  // not reached after RewriteNot
      default: return EvalPredicate(e);
    }
  }

 private:
  static constexpr bool kMightMatch = true;
  static constexpr bool kCannotMatch = false;

  TypePtr TypeAt(const BoundRef& ref) const {
    if (partition_type_ && ref.position >= 0 && static_cast<size_t>(ref.position) < partition_type_->fields.size() &&
        partition_type_->fields[static_cast<size_t>(ref.position)].type) {
      return partition_type_->fields[static_cast<size_t>(ref.position)].type;
    }
    return ref.type;
  }

  // Partition values are all null: a null lower bound; for floats also no NaN known (NaNs are not in the bounds).
  static bool AllValuesAreNull(const PartitionFieldSummary& s, TypeId type) {
    bool all_null = s.contains_null && !s.lower_bound.has_value();
    if (all_null && IsFloatingType(type)) all_null = s.contains_nan.has_value() && !*s.contains_nan;
    return all_null;
  }

  bool EvalPredicate(const Expression& p) {
    if (!p.ref || p.ref->position < 0 || static_cast<size_t>(p.ref->position) >= manifest_.partitions.size()) {
      return kMightMatch;
    }
    const PartitionFieldSummary& s = manifest_.partitions[static_cast<size_t>(p.ref->position)];
    const TypePtr type = TypeAt(*p.ref);
    auto decode = [&](const std::optional<std::string>& b) -> std::optional<Literal> {
      if (!b) return std::nullopt;
      return DecodeBound(type, *b);
    };
    switch (p.op) {
      case ExprOp::kIsNull: return s.contains_null ? kMightMatch : kCannotMatch;
      case ExprOp::kNotNull: return AllValuesAreNull(s, type->id) ? kCannotMatch : kMightMatch;
      case ExprOp::kIsNan:
        if (s.contains_nan.has_value() && !*s.contains_nan) return kCannotMatch;
        return AllValuesAreNull(s, type->id) ? kCannotMatch : kMightMatch;
      case ExprOp::kNotNan:
        // Only NaNs: contains NaN, no null, and no bounds (NaNs are left out of them).
        if (s.contains_nan.value_or(false) && !s.contains_null && !s.lower_bound.has_value()) return kCannotMatch;
        return kMightMatch;
      case ExprOp::kLt:
      case ExprOp::kLtEq: {
        if (!s.lower_bound) return kCannotMatch;  // all null (or NaN)
        auto lower = decode(s.lower_bound);
        if (!lower) return kMightMatch;
        const int cmp = CompareValues(*lower, p.literals[0]);
        return (p.op == ExprOp::kLt ? cmp >= 0 : cmp > 0) ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kGt:
      case ExprOp::kGtEq: {
        if (!s.upper_bound) return kCannotMatch;
        auto upper = decode(s.upper_bound);
        if (!upper) return kMightMatch;
        const int cmp = CompareValues(*upper, p.literals[0]);
        return (p.op == ExprOp::kGt ? cmp <= 0 : cmp < 0) ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kEq: {
        if (!s.lower_bound) return kCannotMatch;
        auto lower = decode(s.lower_bound);
        if (lower && CompareValues(*lower, p.literals[0]) > 0) return kCannotMatch;
        auto upper = decode(s.upper_bound);
        if (upper && CompareValues(*upper, p.literals[0]) < 0) return kCannotMatch;
        return kMightMatch;
      }
      case ExprOp::kNotEq: {
        auto unique = UniqueValue(s, type);
        return unique && CompareValues(*unique, p.literals[0]) == 0 ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kIn: {
        if (!s.lower_bound) return kCannotMatch;
        if (p.literals.size() > kInPredicateLimit) return kMightMatch;
        auto lower = decode(s.lower_bound);
        auto upper = decode(s.upper_bound);
        if (!lower || !upper) return kMightMatch;
        for (const Literal& lit : p.literals) {
          if (CompareValues(*lower, lit) <= 0 && CompareValues(*upper, lit) >= 0) return kMightMatch;
        }
        return kCannotMatch;
      }
      case ExprOp::kNotIn: {
        auto unique = UniqueValue(s, type);
        return unique && ContainsValue(p.literals, *unique) ? kCannotMatch : kMightMatch;
      }
      case ExprOp::kStartsWith: {
        if (!s.lower_bound) return kCannotMatch;
        const std::string& prefix = p.literals[0].as_bytes();
        const std::string_view lo(*s.lower_bound);
        if (lo.substr(0, prefix.size()).compare(prefix) > 0) return kCannotMatch;
        if (!s.upper_bound) return kMightMatch;
        const std::string_view up(*s.upper_bound);
        if (up.substr(0, prefix.size()).compare(prefix) < 0) return kCannotMatch;
        return kMightMatch;
      }
      case ExprOp::kNotStartsWith: {
        if (s.contains_null || !s.lower_bound || !s.upper_bound) return kMightMatch;
        const std::string& prefix = p.literals[0].as_bytes();
        if (StartsWithBytes(*s.lower_bound, prefix) && StartsWithBytes(*s.upper_bound, prefix)) return kCannotMatch;
        return kMightMatch;
      }
      default: return kMightMatch;
    }
  }

  static std::optional<Literal> UniqueValue(const PartitionFieldSummary& s, const TypePtr& type) {
    if (s.contains_null) return std::nullopt;
    if (IsFloatingType(type->id) && (!s.contains_nan.has_value() || *s.contains_nan)) return std::nullopt;
    if (!s.lower_bound || !s.upper_bound) return std::nullopt;
    auto lower = DecodeBound(type, *s.lower_bound);
    auto upper = DecodeBound(type, *s.upper_bound);
    if (!lower || !upper || CompareValues(*lower, *upper) != 0) return std::nullopt;
    return lower;
  }

  TypePtr partition_type_;
  const ManifestFile& manifest_;
};

// ---------------------------------------------------------------------------------------------------------------
// Printing

constexpr std::string_view kKeywords[] = {"and", "or", "not", "is", "null", "nan", "in", "like", "true", "false"};

bool IsKeyword(std::string_view word) {
  for (std::string_view k : kKeywords) {
    if (NameEquals(word, k, false)) return true;
  }
  return false;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return !IsKeyword(s);
}

std::string ColumnToString(std::string_view name) {
  bool plain = !name.empty();
  size_t start = 0;
  while (plain) {
    const size_t dot = name.find('.', start);
    if (!IsIdentifier(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) {
      plain = false;
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string LiteralToFilterText(const Literal& l) {
  switch (l.type_id()) {
    case TypeId::kBoolean:
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal: return l.ToString();
    default: return QuoteString(l.ToString());
  }
}

std::string EscapeLikePrefix(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string PredicateToString(const Expression& p) {
  const std::string column = ColumnToString(p.ref ? p.ref->name : p.column);
  std::vector<std::string> values;
  std::vector<std::string> raw;  // unquoted strings, for LIKE
  if (p.ref) {
    for (const Literal& l : p.literals) {
      values.push_back(LiteralToFilterText(l));
      raw.push_back(l.ToString());
    }
  } else {
    for (const UnboundValue& v : p.values) {
      values.push_back(v.ToString());
      const auto* s = std::get_if<std::string>(&v.value);
      raw.push_back(s ? *s : v.ToString());
    }
  }
  auto first = [&]() { return values.empty() ? std::string("?") : values[0]; };
  auto list = [&]() {
    std::string out = "(";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i];
    return out + ")";
  };
  switch (p.op) {
    case ExprOp::kIsNull: return column + " IS NULL";
    case ExprOp::kNotNull: return column + " IS NOT NULL";
    case ExprOp::kIsNan: return column + " IS NAN";
    case ExprOp::kNotNan: return column + " IS NOT NAN";
    case ExprOp::kLt: return column + " < " + first();
    case ExprOp::kLtEq: return column + " <= " + first();
    case ExprOp::kGt: return column + " > " + first();
    case ExprOp::kGtEq: return column + " >= " + first();
    case ExprOp::kEq: return column + " = " + first();
    case ExprOp::kNotEq: return column + " != " + first();
    case ExprOp::kIn: return column + " IN " + list();
    case ExprOp::kNotIn: return column + " NOT IN " + list();
    case ExprOp::kStartsWith: return column + " LIKE " + QuoteString(EscapeLikePrefix(raw.empty() ? "" : raw[0]) + "%");
    case ExprOp::kNotStartsWith:
      return column + " NOT LIKE " + QuoteString(EscapeLikePrefix(raw.empty() ? "" : raw[0]) + "%");
    default: return "?";
  }
}

std::string ToStringImpl(const ExpressionPtr& e) {
  if (!e) return "true";
  switch (e->op) {
    case ExprOp::kTrue: return "true";
    case ExprOp::kFalse: return "false";
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      // AND binds tighter than OR; an AND inside an OR is parenthesized anyway, for the reader.
      auto side = [&](const ExpressionPtr& c) {
        const std::string s = ToStringImpl(c);
        return (c->op == ExprOp::kAnd || c->op == ExprOp::kOr) && c->op != e->op ? "(" + s + ")" : s;
      };
      return side(e->left) + (e->op == ExprOp::kAnd ? " AND " : " OR ") + side(e->right);
    }
    case ExprOp::kNot: return "NOT (" + ToStringImpl(e->left) + ")";
    default: return PredicateToString(*e);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

enum class TokenKind { kWord, kQuotedName, kString, kInteger, kDouble, kOp, kLParen, kRParen, kComma, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // as written (for messages), or the unquoted content of strings and quoted names
  size_t pos = 0;    // 1-based
  int64_t integer = 0;
  double real = 0;
};

Status FilterError(size_t pos, const std::string& reason) {
  return Status::InvalidArgument("filter: at " + std::to_string(pos) + ": " + reason);
}

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  auto is_digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  while (true) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    Token t;
    t.pos = i + 1;
    if (i >= s.size()) {
      t.kind = TokenKind::kEnd;
      out.push_back(t);
      return out;
    }
    const char c = s[i];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '.')) {
        ++i;
      }
      t.kind = TokenKind::kWord;
      t.text = std::string(s.substr(start, i - start));
      if (t.text.back() == '.' || t.text.find("..") != std::string::npos) {
        return FilterError(t.pos, "invalid column name '" + t.text + "'");
      }
      for (size_t dot = t.text.find('.'); dot != std::string::npos; dot = t.text.find('.', dot + 1)) {
        const char next = t.text[dot + 1];
        if (!(std::isalpha(static_cast<unsigned char>(next)) || next == '_')) {
          return FilterError(t.pos, "invalid column name '" + t.text + "'");
        }
      }
    } else if (c == '\'' || c == '"') {
      const size_t start = i;
      ++i;
      std::string content;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) {
            content.push_back(c);
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        content.push_back(s[i++]);
      }
      if (!closed) {
        return FilterError(start + 1, c == '\'' ? "unterminated string" : "unterminated quoted column name");
      }
      t.kind = c == '\'' ? TokenKind::kString : TokenKind::kQuotedName;
      t.text = std::move(content);
    } else if (is_digit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < s.size() &&
                               (is_digit(s[i + 1]) || (s[i + 1] == '.' && i + 2 < s.size() && is_digit(s[i + 2]))))) {
      const size_t start = i;
      if (s[i] == '-' || s[i] == '+') ++i;
      bool is_real = false;
      while (i < s.size() && is_digit(s[i])) ++i;
      if (i < s.size() && s[i] == '.') {
        is_real = true;
        ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        is_real = true;
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (i >= s.size() || !is_digit(s[i])) return FilterError(start + 1, "malformed number");
        while (i < s.size() && is_digit(s[i])) ++i;
      }
      if (i < s.size() && (std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) {
        return FilterError(start + 1, "malformed number");
      }
      t.text = std::string(s.substr(start, i - start));
      std::string_view num = t.text;
      if (!num.empty() && num[0] == '+') num.remove_prefix(1);
      auto text = ParseDecimalText(num);
      if (!is_real) {
        auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), t.integer);
        if (ec == std::errc() && p == num.data() + num.size()) {
          t.kind = TokenKind::kInteger;
        } else {
          is_real = true;
        }
      }
      if (is_real) {
        // More digits than a double holds: keep the text, which binds exactly to decimals and longs.
        if (text && text->digits.size() > 15) {
          t.kind = TokenKind::kString;
          t.text = std::string(num);
        } else {
          t.kind = TokenKind::kDouble;
          t.real = std::strtod(std::string(num).c_str(), nullptr);
        }
      }
    } else if (c == '(' || c == ')' || c == ',') {
      t.kind = c == '(' ? TokenKind::kLParen : (c == ')' ? TokenKind::kRParen : TokenKind::kComma);
      t.text = std::string(1, c);
      ++i;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      std::string op(1, c);
      if (i + 1 < s.size() && (s[i + 1] == '=' || (c == '<' && s[i + 1] == '>'))) op.push_back(s[i + 1]);
      if (op == "!") return FilterError(t.pos, "unexpected '!' (use != or NOT)");
      i += op.size();
      t.kind = TokenKind::kOp;
      t.text = op;
    } else {
      return FilterError(t.pos, std::string("unexpected character '") + c + "'");
    }
    out.push_back(std::move(t));
  }
}

class FilterParser {
 public:
  explicit FilterParser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<ExpressionPtr> Parse() {
    if (Peek().kind == TokenKind::kEnd) return FilterError(Peek().pos, "empty filter");
    FLOE_ASSIGN_OR_RETURN(ExpressionPtr e, ParseOr());
    if (Peek().kind != TokenKind::kEnd) {
      return FilterError(Peek().pos, "unexpected " + Describe(Peek()) + " (expected AND, OR or the end)");
    }
    return e;
  }

 private:
  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  static bool IsWord(const Token& t, std::string_view keyword) {
    return t.kind == TokenKind::kWord && NameEquals(t.text, keyword, false);
  }
  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd: return "end of filter";
      case TokenKind::kString: return QuoteString(t.text);
      case TokenKind::kQuotedName: return "\"" + t.text + "\"";
      default: return "'" + t.text + "'";
    }
  }

  Result<ExpressionPtr> ParseOr() {
    FLOE_ASSIGN_OR_RETURN(ExpressionPtr left, ParseAnd());
    while (IsWord(Peek(), "or")) {
      Next();
      FLOE_ASSIGN_OR_RETURN(ExpressionPtr right, ParseAnd());
      left = Combine(ExprOp::kOr, left, right);
    }
    return left;
  }

  Result<ExpressionPtr> ParseAnd() {
    FLOE_ASSIGN_OR_RETURN(ExpressionPtr left, ParseNot());
    while (IsWord(Peek(), "and")) {
      Next();
      FLOE_ASSIGN_OR_RETURN(ExpressionPtr right, ParseNot());
      left = Combine(ExprOp::kAnd, left, right);
    }
    return left;
  }

  // The parser keeps the tree as written (no constant folding), so that printing it gives the text back.
  static ExpressionPtr Combine(ExprOp op, ExpressionPtr l, ExpressionPtr r) {
    auto e = NewNode(op);
    e->left = std::move(l);
    e->right = std::move(r);
    return e;
  }

  Result<ExpressionPtr> ParseNot() {
    if (IsWord(Peek(), "not")) {
      Next();
      FLOE_ASSIGN_OR_RETURN(ExpressionPtr child, ParseNot());
      auto e = NewNode(ExprOp::kNot);
      e->left = std::move(child);
      return ExpressionPtr(e);
    }
    return ParsePrimary();
  }

  Result<ExpressionPtr> ParsePrimary() {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLParen) {
      Next();
      FLOE_ASSIGN_OR_RETURN(ExpressionPtr e, ParseOr());
      if (Peek().kind != TokenKind::kRParen) {
        return FilterError(Peek().pos, "expected ')' but found " + Describe(Peek()));
      }
      Next();
      return e;
    }
    if (IsWord(t, "true") || IsWord(t, "false")) {
      Next();
      return IsWord(t, "true") ? Expr::True() : Expr::False();
    }
    if (t.kind == TokenKind::kQuotedName || (t.kind == TokenKind::kWord && !IsKeyword(t.text))) {
      return ParsePredicate();
    }
    return FilterError(t.pos, "expected a column name but found " + Describe(t));
  }

  Result<ExpressionPtr> ParsePredicate() {
    const Token column = Next();
    const Token& t = Peek();
    if (t.kind == TokenKind::kOp) {
      const Token op = Next();
      FLOE_ASSIGN_OR_RETURN(UnboundValue v, ParseLiteral(op));
      ExprOp eop;
      if (op.text == "=" || op.text == "==") {
        eop = ExprOp::kEq;
      } else if (op.text == "!=" || op.text == "<>") {
        eop = ExprOp::kNotEq;
      } else if (op.text == "<") {
        eop = ExprOp::kLt;
      } else if (op.text == "<=") {
        eop = ExprOp::kLtEq;
      } else if (op.text == ">") {
        eop = ExprOp::kGt;
      } else {
        eop = ExprOp::kGtEq;
      }
      return Expr::Predicate(eop, column.text, {std::move(v)});
    }
    if (IsWord(t, "is")) {
      const Token is = Next();
      bool negated = false;
      if (IsWord(Peek(), "not")) {
        Next();
        negated = true;
      }
      if (IsWord(Peek(), "null")) {
        Next();
        return Expr::Predicate(negated ? ExprOp::kNotNull : ExprOp::kIsNull, column.text, {});
      }
      if (IsWord(Peek(), "nan")) {
        Next();
        return Expr::Predicate(negated ? ExprOp::kNotNan : ExprOp::kIsNan, column.text, {});
      }
      return FilterError(Peek().pos, std::string("expected NULL or NAN after '") + (negated ? "IS NOT" : "IS") +
                                         "' but found " + Describe(Peek()));
    }
    bool negated = false;
    if (IsWord(t, "not") && (IsWord(Peek(1), "in") || IsWord(Peek(1), "like"))) {
      Next();
      negated = true;
    }
    if (IsWord(Peek(), "in")) {
      Next();
      if (Peek().kind != TokenKind::kLParen) {
        return FilterError(Peek().pos, "expected '(' after IN but found " + Describe(Peek()));
      }
      Token prev = Next();
      std::vector<UnboundValue> values;
      while (true) {
        FLOE_ASSIGN_OR_RETURN(UnboundValue v, ParseLiteral(prev));
        values.push_back(std::move(v));
        if (Peek().kind == TokenKind::kComma) {
          prev = Next();
          continue;
        }
        if (Peek().kind == TokenKind::kRParen) {
          Next();
          break;
        }
        return FilterError(Peek().pos, "expected ',' or ')' in the IN list but found " + Describe(Peek()));
      }
      return Expr::Predicate(negated ? ExprOp::kNotIn : ExprOp::kIn, column.text, std::move(values));
    }
    if (IsWord(Peek(), "like")) {
      Next();
      const Token& pattern = Peek();
      if (pattern.kind != TokenKind::kString) {
        return FilterError(pattern.pos, "expected a quoted pattern after LIKE but found " + Describe(pattern));
      }
      Next();
      // A prefix pattern: literal characters ('\' escapes %, _ and \) and at most one '%', at the end.
      std::string prefix;
      bool wildcard = false;
      for (size_t i = 0; i < pattern.text.size(); ++i) {
        const char c = pattern.text[i];
        if (wildcard) {
          return FilterError(pattern.pos, "LIKE supports only a prefix pattern such as 'abc%'");
        }
        if (c == '\\' && i + 1 < pattern.text.size()) {
          prefix.push_back(pattern.text[++i]);
        } else if (c == '%') {
          wildcard = true;
        } else if (c == '_') {
          return FilterError(pattern.pos,
                             "LIKE supports only a prefix pattern such as 'abc%' ('_' is a wildcard; "
                             "write '\\_' for an underscore)");
        } else {
          prefix.push_back(c);
        }
      }
      if (!wildcard) return Expr::Predicate(negated ? ExprOp::kNotEq : ExprOp::kEq, column.text, {prefix});
      return Expr::Predicate(negated ? ExprOp::kNotStartsWith : ExprOp::kStartsWith, column.text, {prefix});
    }
    return FilterError(t.pos, "expected an operator after " + Describe(column) + " but found " + Describe(t));
  }

  Result<UnboundValue> ParseLiteral(const Token& after) {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kString: Next(); return UnboundValue(t.text);
      case TokenKind::kInteger: Next(); return UnboundValue(t.integer);
      case TokenKind::kDouble: Next(); return UnboundValue(t.real);
      case TokenKind::kWord:
        if (IsWord(t, "true") || IsWord(t, "false")) {
          Next();
          return UnboundValue(IsWord(t, "true"));
        }
        if (IsWord(t, "null")) return FilterError(t.pos, "NULL is not a value: use IS NULL or IS NOT NULL");
        break;
      default: break;
    }
    return FilterError(t.pos, "expected a literal after " + Describe(after));
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

// -----------------------------------------------------------------------------------------------------------------

std::string_view ExprOpName(ExprOp op) {
  switch (op) {
    case ExprOp::kTrue: return "true";
    case ExprOp::kFalse: return "false";
    case ExprOp::kAnd: return "and";
    case ExprOp::kOr: return "or";
    case ExprOp::kNot: return "not";
    case ExprOp::kIsNull: return "is_null";
    case ExprOp::kNotNull: return "not_null";
    case ExprOp::kIsNan: return "is_nan";
    case ExprOp::kNotNan: return "not_nan";
    case ExprOp::kLt: return "lt";
    case ExprOp::kLtEq: return "lt_eq";
    case ExprOp::kGt: return "gt";
    case ExprOp::kGtEq: return "gt_eq";
    case ExprOp::kEq: return "eq";
    case ExprOp::kNotEq: return "not_eq";
    case ExprOp::kIn: return "in";
    case ExprOp::kNotIn: return "not_in";
    case ExprOp::kStartsWith: return "starts_with";
    case ExprOp::kNotStartsWith: return "not_starts_with";
  }
  return "?";
}

std::string UnboundValue::ToString() const {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&value)) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), *d);
    std::string s(buf, res.ptr);
    // Keep it a double when read back.
    if (std::isfinite(*d) && s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
  }
  return QuoteString(std::get<std::string>(value));
}

ExprOp NegateOp(ExprOp op) {
  switch (op) {
    case ExprOp::kTrue: return ExprOp::kFalse;
    case ExprOp::kFalse: return ExprOp::kTrue;
    case ExprOp::kAnd: return ExprOp::kOr;
    case ExprOp::kOr: return ExprOp::kAnd;
    case ExprOp::kNot: return ExprOp::kNot;
    case ExprOp::kIsNull: return ExprOp::kNotNull;
    case ExprOp::kNotNull: return ExprOp::kIsNull;
    case ExprOp::kIsNan: return ExprOp::kNotNan;
    case ExprOp::kNotNan: return ExprOp::kIsNan;
    case ExprOp::kLt: return ExprOp::kGtEq;
    case ExprOp::kLtEq: return ExprOp::kGt;
    case ExprOp::kGt: return ExprOp::kLtEq;
    case ExprOp::kGtEq: return ExprOp::kLt;
    case ExprOp::kEq: return ExprOp::kNotEq;
    case ExprOp::kNotEq: return ExprOp::kEq;
    case ExprOp::kIn: return ExprOp::kNotIn;
    case ExprOp::kNotIn: return ExprOp::kIn;
    case ExprOp::kStartsWith: return ExprOp::kNotStartsWith;
    case ExprOp::kNotStartsWith: return ExprOp::kStartsWith;
  }
  return op;
}

ExpressionPtr Expr::True() {
  static const ExpressionPtr kTrue = NewNode(ExprOp::kTrue);
  return kTrue;
}

ExpressionPtr Expr::False() {
  static const ExpressionPtr kFalse = NewNode(ExprOp::kFalse);
  return kFalse;
}

ExpressionPtr Expr::And(ExpressionPtr left, ExpressionPtr right) {
  if (left->op == ExprOp::kFalse || right->op == ExprOp::kFalse) return False();
  if (left->op == ExprOp::kTrue) return right;
  if (right->op == ExprOp::kTrue) return left;
  auto e = NewNode(ExprOp::kAnd);
  e->left = std::move(left);
  e->right = std::move(right);
  return e;
}

ExpressionPtr Expr::Or(ExpressionPtr left, ExpressionPtr right) {
  if (left->op == ExprOp::kTrue || right->op == ExprOp::kTrue) return True();
  if (left->op == ExprOp::kFalse) return right;
  if (right->op == ExprOp::kFalse) return left;
  auto e = NewNode(ExprOp::kOr);
  e->left = std::move(left);
  e->right = std::move(right);
  return e;
}

ExpressionPtr Expr::Not(ExpressionPtr child) {
  if (child->op == ExprOp::kTrue) return False();
  if (child->op == ExprOp::kFalse) return True();
  if (child->op == ExprOp::kNot) return child->left;
  auto e = NewNode(ExprOp::kNot);
  e->left = std::move(child);
  return e;
}

ExpressionPtr Expr::Predicate(ExprOp op, std::string column, std::vector<UnboundValue> values) {
  auto e = NewNode(op);
  e->column = std::move(column);
  e->values = std::move(values);
  return e;
}

ExpressionPtr Expr::Bound(ExprOp op, BoundRef ref, std::vector<Literal> literals) {
  auto e = NewNode(op);
  e->column = ref.name;
  e->ref = std::move(ref);
  e->literals = std::move(literals);
  return e;
}

ExpressionPtr Expr::IsNull(std::string column) {
  return Predicate(ExprOp::kIsNull, std::move(column), {});
}
ExpressionPtr Expr::NotNull(std::string column) {
  return Predicate(ExprOp::kNotNull, std::move(column), {});
}
ExpressionPtr Expr::IsNan(std::string column) {
  return Predicate(ExprOp::kIsNan, std::move(column), {});
}
ExpressionPtr Expr::NotNan(std::string column) {
  return Predicate(ExprOp::kNotNan, std::move(column), {});
}
ExpressionPtr Expr::Lt(std::string column, UnboundValue v) {
  return Predicate(ExprOp::kLt, std::move(column), {std::move(v)});
}
ExpressionPtr Expr::LtEq(std::string column, UnboundValue v) {
  return Predicate(ExprOp::kLtEq, std::move(column), {std::move(v)});
}
ExpressionPtr Expr::Gt(std::string column, UnboundValue v) {
  return Predicate(ExprOp::kGt, std::move(column), {std::move(v)});
}
ExpressionPtr Expr::GtEq(std::string column, UnboundValue v) {
  return Predicate(ExprOp::kGtEq, std::move(column), {std::move(v)});
}
ExpressionPtr Expr::Eq(std::string column, UnboundValue v) {
  return Predicate(ExprOp::kEq, std::move(column), {std::move(v)});
}
ExpressionPtr Expr::NotEq(std::string column, UnboundValue v) {
  return Predicate(ExprOp::kNotEq, std::move(column), {std::move(v)});
}
ExpressionPtr Expr::In(std::string column, std::vector<UnboundValue> values) {
  return Predicate(ExprOp::kIn, std::move(column), std::move(values));
}
ExpressionPtr Expr::NotIn(std::string column, std::vector<UnboundValue> values) {
  return Predicate(ExprOp::kNotIn, std::move(column), std::move(values));
}
ExpressionPtr Expr::StartsWith(std::string column, std::string prefix) {
  return Predicate(ExprOp::kStartsWith, std::move(column), {UnboundValue(std::move(prefix))});
}
ExpressionPtr Expr::NotStartsWith(std::string column, std::string prefix) {
  return Predicate(ExprOp::kNotStartsWith, std::move(column), {UnboundValue(std::move(prefix))});
}

namespace {

ExpressionPtr RewriteNotImpl(const ExpressionPtr& e, bool negate) {
  switch (e->op) {
    case ExprOp::kTrue:
    case ExprOp::kFalse: return negate ? Expr::Not(e) : e;
    case ExprOp::kNot: return RewriteNotImpl(e->left, !negate);
    case ExprOp::kAnd:
    case ExprOp::kOr: {
      ExpressionPtr l = RewriteNotImpl(e->left, negate);
      ExpressionPtr r = RewriteNotImpl(e->right, negate);
      const bool is_and = (e->op == ExprOp::kAnd) != negate;  // De Morgan
      return is_and ? Expr::And(std::move(l), std::move(r)) : Expr::Or(std::move(l), std::move(r));
    }
    default: {
      if (!negate) return e;
      auto n = std::make_shared<Expression>(*e);
      n->op = NegateOp(e->op);
      return n;
    }
  }
}

void CollectIds(const ExpressionPtr& e, std::vector<int32_t>* ids) {
  if (!e) return;
  if (e->ref) ids->push_back(e->ref->field_id);
  CollectIds(e->left, ids);
  CollectIds(e->right, ids);
}

}  // namespace

ExpressionPtr RewriteNot(const ExpressionPtr& expr) {
  return RewriteNotImpl(expr, false);
}

Result<ExpressionPtr> Bind(const Schema& schema, const ExpressionPtr& expr, bool case_sensitive) {
  if (!expr) return Status::InvalidArgument("bind: no expression");
  return BindRewritten(schema, RewriteNot(expr), case_sensitive);
}

std::vector<int32_t> ReferencedFieldIds(const ExpressionPtr& bound) {
  std::vector<int32_t> ids;
  CollectIds(bound, &ids);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

bool MetricsMightMatch(const ExpressionPtr& bound, const Schema& schema, const DataFile& file) {
  if (file.record_count == 0) return false;
  if (file.record_count < 0) return true;  // unknown (imported files)
  MetricsEvaluator eval(schema, file);
  return eval.Eval(*RewriteNot(bound));
}

Result<ExpressionPtr> ProjectInclusive(const ExpressionPtr& bound, const Schema& schema, const PartitionSpec& spec) {
  FLOE_ASSIGN_OR_RETURN(TypePtr partition_type, spec.PartitionType(schema));
  std::vector<PartitionFieldRef> fields;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    BoundRef ref;
    ref.field_id = spec.fields[i].field_id;
    ref.position = static_cast<int32_t>(i);
    ref.name = spec.fields[i].name;
    ref.type = i < partition_type->fields.size() ? partition_type->fields[i].type : nullptr;
    if (!ref.type) continue;
    fields.push_back({&spec.fields[i], std::move(ref)});
  }
  return Project(RewriteNot(bound), fields);
}

bool PartitionMightMatch(const ExpressionPtr& projected, const PartitionValues& partition) {
  return EvalOnPartition(*projected, partition, false);
}

bool ManifestMightMatch(const ExpressionPtr& projected, const PartitionSpec& spec, const TypePtr& partition_type,
                        const ManifestFile& manifest) {
  if (manifest.partitions.size() != spec.fields.size()) return true;
  ManifestEvaluator eval(partition_type, manifest);
  return eval.Eval(*RewriteNot(projected));
}

std::string ExpressionToString(const ExpressionPtr& expr) {
  return ToStringImpl(expr);
}

Result<ExpressionPtr> ParseFilter(std::string_view text) {
  FLOE_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  FilterParser parser(std::move(tokens));
  return parser.Parse();
}

}  // namespace floe::iceberg
