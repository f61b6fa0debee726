#include "floe/stream/expression_evaluator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "floe/base/civil_time.h"

namespace floe::stream {
namespace internal {

// A compiled Java datetime pattern ("yyyy-MM-dd HH:mm:ss.SSS"): letters in runs, and literal text.
struct DateTimePattern {
  struct Token {
    char letter = 0;  // 0: literal text
    int count = 0;
    std::string text;
  };
  std::vector<Token> tokens;
};

// A compiled LIKE pattern: code points to match, '_' (one code point) and '%' (any run), escapes resolved.
struct LikePattern {
  enum Kind : uint8_t { kChar, kOne, kAny };
  struct Element {
    Kind kind;
    std::string bytes;  // kChar: the code point's UTF-8 bytes
  };
  std::vector<Element> elements;
  // Fast paths when the pattern is text with at most a leading and a trailing '%'.
  bool simple = false;
  bool leading_any = false, trailing_any = false;
  std::string text;
};

using EvalFn = Status (*)(const EvalNode& n, const Row& row, Datum* out);

// One node of a compiled expression. `fn` computes it; the payload fields say what it needs beyond its children
// (which fields a given fn reads is written next to the fn).
struct EvalNode {
  EvalFn fn = nullptr;
  sql::DataType type;
  int slot = -1;         // a reference: reads row[slot]
  bool literal = false;  // a constant: `value`
  Datum value;
  std::vector<EvalNode> args;

  int op = 0;              // the variant of fn: which comparison, which function
  int64_t n1 = 0, n2 = 0;  // integer parameters (scales, factors)
  Int128 f1 = 1, f2 = 1;   // decimal rescale factors
  sql::DataType from;      // an operand's type (casts, arithmetic)
  sql::DataType from2;
  bool try_cast = false;
  std::string label;  // the operator or function, for messages
  std::shared_ptr<const std::regex> regex;
  std::shared_ptr<const LikePattern> like;
  std::shared_ptr<const DateTimePattern> pattern;
};

}  // namespace internal

namespace {

using internal::EvalFn;
using internal::EvalNode;
using sql::DataType;
using sql::TypeId;
using UInt128 = unsigned __int128;

constexpr int64_t kMicrosPerMilli = 1000;
constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;
constexpr int64_t kMillisPerDay = 86'400'000;

Status Ok() {
  return Status::Ok();
}

Status Invalid(std::string message) {
  return Status::InvalidArgument(std::move(message));
}

// Reads argument `child`: a reference or a constant without copying, anything else evaluated into `scratch`.
inline Status Arg(const EvalNode& child, const Row& row, Datum* scratch, const Datum** out) {
  if (child.slot >= 0) {
    if (static_cast<size_t>(child.slot) >= row.size()) {
      return Status::Internal("expression reads column " + std::to_string(child.slot) + " of a row of " +
                              std::to_string(row.size()) + " columns");
    }
    *out = &row[static_cast<size_t>(child.slot)];
    return Ok();
  }
  if (child.literal) {
    *out = &child.value;
    return Ok();
  }
  FLOE_RETURN_IF_ERROR(child.fn(child, row, scratch));
  *out = scratch;
  return Ok();
}

#define FLOE_ARG(var, index)  \
  Datum var##_scratch;        \
  const Datum* var = nullptr; \
  FLOE_RETURN_IF_ERROR(Arg(n.args[index], row, &var##_scratch, &var))

// "'text'" for strings, the DatumToString form otherwise: how values appear in error messages.
std::string Show(const Datum& d, const DataType& type) {
  if (!d.null && type.is_character_string()) return "'" + d.s + "'";
  return DatumToString(d, type);
}

// ---------------------------------------------------------------------------------------------------------------
// Integers

int64_t WrapTo(int64_t v, TypeId id) {
  switch (id) {
    case TypeId::kTinyInt: return static_cast<int8_t>(v);
    case TypeId::kSmallInt: return static_cast<int16_t>(v);
    case TypeId::kInt: return static_cast<int32_t>(v);
    default: return v;
  }
}

void IntegerRange(TypeId id, int64_t* lo, int64_t* hi) {
  switch (id) {
    case TypeId::kTinyInt: *lo = INT8_MIN, *hi = INT8_MAX; break;
    case TypeId::kSmallInt: *lo = INT16_MIN, *hi = INT16_MAX; break;
    case TypeId::kInt: *lo = INT32_MIN, *hi = INT32_MAX; break;
    default: *lo = INT64_MIN, *hi = INT64_MAX; break;
  }
}

int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrappingSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrappingMul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// ---------------------------------------------------------------------------------------------------------------
// Decimals

Int128 Pow10(int n) {
  static const auto kTable = [] {
    std::array<Int128, 39> t{};
    t[0] = 1;
    for (size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] * 10;
    return t;
  }();
  return kTable[static_cast<size_t>(std::clamp(n, 0, 38))];
}

bool FitsPrecision(Int128 v, int precision) {
  Int128 limit = Pow10(precision);
  return v < limit && v > -limit;
}

UInt128 Magnitude(Int128 v) {
  return v < 0 ? UInt128{0} - static_cast<UInt128>(v) : static_cast<UInt128>(v);
}

// Divides by 10^digits rounding HALF_UP (away from zero at .5), as Java's RoundingMode.HALF_UP.
Int128 DivideHalfUp(Int128 v, Int128 divisor) {
  Int128 q = v / divisor;
  Int128 r = v % divisor;
  if (Magnitude(r) * 2 >= Magnitude(divisor)) q += (v < 0) != (divisor < 0) ? -1 : 1;
  return q;
}

// `v` at scale `from` moved to scale `to` (HALF_UP when digits are dropped); false on 128-bit overflow.
bool Rescale(Int128 v, int from, int to, Int128* out) {
  if (to >= from) {
    if (to - from > 38) return v == 0 ? (*out = 0, true) : false;
    return !__builtin_mul_overflow(v, Pow10(to - from), out);
  }
  if (from - to > 38) {
    *out = 0;
    return true;
  }
  *out = DivideHalfUp(v, Pow10(from - to));
  return true;
}

// A 256-bit unsigned integer for the products and quotients of 38-digit decimals.
struct U256 {
  UInt128 hi = 0, lo = 0;
};

U256 Mul128(UInt128 a, UInt128 b) {
  const uint64_t a0 = static_cast<uint64_t>(a), a1 = static_cast<uint64_t>(a >> 64);
  const uint64_t b0 = static_cast<uint64_t>(b), b1 = static_cast<uint64_t>(b >> 64);
  UInt128 p00 = static_cast<UInt128>(a0) * b0, p01 = static_cast<UInt128>(a0) * b1;
  UInt128 p10 = static_cast<UInt128>(a1) * b0, p11 = static_cast<UInt128>(a1) * b1;
  UInt128 middle = (p00 >> 64) + static_cast<uint64_t>(p01) + static_cast<uint64_t>(p10);
  U256 r;
  r.lo = (middle << 64) | static_cast<uint64_t>(p00);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
  return r;
}

// a * b, false when it needs more than 256 bits.
bool MulU256(const U256& a, UInt128 b, U256* out) {
  U256 low = Mul128(a.lo, b);
  U256 high = Mul128(a.hi, b);
  if (high.hi != 0) return false;
  UInt128 hi = low.hi + high.lo;
  if (hi < low.hi) return false;
  *out = {hi, low.lo};
  return true;
}

bool LessU256(const U256& a, const U256& b) {
  return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
}

U256 SubU256(const U256& a, const U256& b) {
  U256 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo ? 1 : 0);
  return r;
}

// Quotient and remainder by shift and subtract: only the slow path of decimal * and / that overflow 128 bits.
void DivModU256(const U256& n, const U256& d, U256* q, U256* r) {
  *q = {};
  *r = {};
  for (int bit = 255; bit >= 0; --bit) {
    // r = r << 1 | bit of n; r < d <= 2^256 - 1 so r << 1 may carry out: then r >= d for sure.
    bool carry = (r->hi >> 127) != 0;
    r->hi = (r->hi << 1) | (r->lo >> 127);
    r->lo <<= 1;
    UInt128 word = bit >= 128 ? n.hi : n.lo;
    r->lo |= (word >> (bit % 128)) & 1;
    if (carry || !LessU256(*r, d)) {
      *r = SubU256(*r, d);
      if (bit >= 128) {
        q->hi |= UInt128{1} << (bit - 128);
      } else {
        q->lo |= UInt128{1} << bit;
      }
    }
  }
}

// round_half_up(num / den) as a signed 128-bit value; false when it does not fit.
bool DivideU256HalfUp(const U256& num, const U256& den, bool negative, Int128* out) {
  U256 q, r;
  DivModU256(num, den, &q, &r);
  // r * 2 >= den  <=>  r >= den - r
  if (!LessU256(r, SubU256(den, r))) {
    q.lo += 1;
    if (q.lo == 0) q.hi += 1;
  }
  if (q.hi != 0 || q.lo > static_cast<UInt128>(std::numeric_limits<Int128>::max())) return false;
  *out = negative ? -static_cast<Int128>(q.lo) : static_cast<Int128>(q.lo);
  return true;
}

// a (scale sa) * b (scale sb) at scale rs; false on overflow.
bool DecimalMultiply(Int128 a, int sa, Int128 b, int sb, int rs, Int128* out) {
  Int128 product;
  if (!__builtin_mul_overflow(a, b, &product)) return Rescale(product, sa + sb, rs, out);
  bool negative = (a < 0) != (b < 0);
  U256 p = Mul128(Magnitude(a), Magnitude(b));
  int drop = sa + sb - rs;
  if (drop <= 0) return false;  // the exact product already overflows
  U256 den{0, static_cast<UInt128>(Pow10(drop))};
  if (drop > 38) den = Mul128(static_cast<UInt128>(Pow10(38)), static_cast<UInt128>(Pow10(drop - 38)));
  return DivideU256HalfUp(p, den, negative, out);
}

// a (scale sa) / b (scale sb) at scale rs, HALF_UP; b != 0; false on overflow.
bool DecimalDivide(Int128 a, int sa, Int128 b, int sb, int rs, Int128* out) {
  // a / b at scale rs = a * 10^(rs - sa + sb) / b
  int k = rs - sa + sb;
  Int128 num;
  if (k >= 0 && k <= 38 && !__builtin_mul_overflow(a, Pow10(k), &num)) {
    *out = DivideHalfUp(num, b);
    return true;
  }
  bool negative = (a < 0) != (b < 0);
  U256 n{0, Magnitude(a)}, d{0, Magnitude(b)};
  for (int left = k; left > 0; left -= 38) {
    if (!MulU256(n, static_cast<UInt128>(Pow10(std::min(left, 38))), &n)) return false;
  }
  for (int left = -k; left > 0; left -= 38) {
    if (!MulU256(d, static_cast<UInt128>(Pow10(std::min(left, 38))), &d)) {
      *out = 0;  // the divisor dwarfs the dividend
      return true;
    }
  }
  return DivideU256HalfUp(n, d, negative, out);
}

double DecimalToDouble(Int128 unscaled, int scale) {
  if (Magnitude(unscaled) < (UInt128{1} << 53) && scale <= 22) {
    static const double kPow[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    return static_cast<double>(static_cast<int64_t>(unscaled)) / kPow[scale];  // both exact: one rounding
  }
  std::string text = sql::Int128ToString(unscaled) + "e-" + std::to_string(scale);
  return std::strtod(text.c_str(), nullptr);
}

// The shortest decimal digits that read back as `v` (Java's Double.toString / BigDecimal.valueOf digits):
// digits without a point and the exponent of the first digit. `v` is finite.
void ShortestDigits(double v, bool is_float, std::string* digits, int* exponent) {
  char buf[64];
  std::to_chars_result r =
      is_float ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v), std::chars_format::scientific)
               : std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  if (!sci.empty() && sci[0] == '-') sci.remove_prefix(1);
  size_t e = sci.find('e');
  digits->clear();
  for (size_t i = 0; i < e; ++i) {
    if (sci[i] != '.') digits->push_back(sci[i]);
  }
  *exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
}

// `v` rounded HALF_UP to `scale` fraction digits as an unscaled decimal, from its shortest digits (as Flink's
// BigDecimal.valueOf(double)); false when it needs more than 38 digits.
bool DoubleToDecimal(double v, bool is_float, int scale, Int128* out) {
  if (v == 0) {
    *out = 0;
    return true;
  }
  std::string digits;
  int exponent;
  ShortestDigits(v, is_float, &digits, &exponent);
  // value = 0.d1d2d3... * 10^(exponent + 1); unscaled at `scale` = digits * 10^(exponent + 1 - len + scale)
  int shift = exponent + 1 - static_cast<int>(digits.size()) + scale;
  Int128 d = 0;
  for (char c : digits) d = d * 10 + (c - '0');
  Int128 result;
  if (!Rescale(d, 0, shift >= 0 ? shift : 0, &result)) return false;
  if (shift < 0) result = DivideHalfUp(d, Pow10(-shift));
  if (-shift > 38) result = 0;
  *out = v < 0 ? -result : result;
  return true;
}

// Parses decimal text ("-12.5", "1e3", " 7 ") into an unscaled value at `scale`, HALF_UP. Error reasons are for
// CAST messages; *overflow when it has more than 38 digits at that scale.
bool ParseDecimalText(std::string_view text, int scale, Int128* out, bool* overflow) {
  *overflow = false;
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  std::string digits;
  int fraction_digits = 0;
  bool point = false, any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (digits.empty() && c == '0') {
        if (point) ++fraction_digits;
        continue;
      }
      digits.push_back(c);
      if (point) ++fraction_digits;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) return false;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) eneg = text[i++] == '-';
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 6)
      exponent = exponent * 10 + (text[i++] - '0');
    if (i == start) return false;
    if (eneg) exponent = -exponent;
  }
  if (i != text.size()) return false;
  // value = digits * 10^(exponent - fraction_digits); at `scale`: digits * 10^(exponent - fraction_digits + scale)
  int64_t shift = exponent - fraction_digits + scale;
  if (digits.empty()) {
    *out = 0;
    return true;
  }
  if (static_cast<int64_t>(digits.size()) + shift > 38) {
    *overflow = true;
    return true;
  }
  // Keep at most 39 significant digits before rounding so the value fits 128 bits.
  Int128 v = 0;
  size_t keep = digits.size();
  if (shift < 0) {
    int64_t drop = std::min<int64_t>(-shift, static_cast<int64_t>(digits.size()) + 1);
    keep = digits.size() - static_cast<size_t>(std::min<int64_t>(drop, static_cast<int64_t>(digits.size())));
    for (size_t k = 0; k < keep; ++k) v = v * 10 + (digits[k] - '0');
    bool round_up = drop <= static_cast<int64_t>(digits.size()) && keep < digits.size() && digits[keep] >= '5';
    if (round_up) v += 1;
  } else {
    for (char c : digits) v = v * 10 + (c - '0');
    v *= Pow10(static_cast<int>(shift));
  }
  *out = negative ? -v : v;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// UTF-8

// The length of the UTF-8 sequence starting with byte `c` (1 for stray continuation bytes).
inline size_t Utf8Length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

// Decodes the code point at s[*i] and advances; invalid bytes decode as themselves.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  size_t len = std::min(Utf8Length(c), s.size() - *i);
  uint32_t cp = len == 1 ? c : (c & (0xFF >> (len + 1)));
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

void AppendCodePoint(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

int64_t CodePointCount(std::string_view s) {
  int64_t count = 0;
  for (size_t i = 0; i < s.size(); i += Utf8Length(static_cast<unsigned char>(s[i]))) ++count;
  return count;
}

// The byte offset of code point `index` (clamped to the end).
size_t ByteOffsetOfCodePoint(std::string_view s, int64_t index) {
  size_t i = 0;
  for (int64_t k = 0; k < index && i < s.size(); ++k) i += Utf8Length(static_cast<unsigned char>(s[i]));
  return std::min(i, s.size());
}

// Case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic: the scripts floe's users write; other code
// points are left as they are.
uint32_t ToUpper(uint32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
    bool odd_lower = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_lower ? (c % 2 == 0) : (c % 2 == 1)) return c - 1;
    return c;
  }
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}

uint32_t ToLower(uint32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
    bool odd_lower = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_lower ? (c % 2 == 1) : (c % 2 == 0)) return c + 1;
    return c;
  }
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

bool IsAlphanumeric(uint32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return ToUpper(c) != c || ToLower(c) != c || c == 0xDF;
}

std::string_view TrimSpaces(std::string_view s, bool left, bool right) {
  if (left) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  }
  if (right) {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  }
  return s;
}

std::string_view TrimWhitespace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// Datetimes

struct Fields {
  int64_t days = 0;  // since 1970-01-01
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t micros = 0;  // of the second
};

Fields FieldsOfMicros(int64_t micros) {
  Fields f;
  f.days = FloorDiv(micros, kMicrosPerDay);
  int64_t of_day = micros - f.days * kMicrosPerDay;
  CivilDate date = CivilFromDays(f.days);
  f.year = date.year;
  f.month = date.month;
  f.day = date.day;
  int64_t seconds = of_day / kMicrosPerSecond;
  f.hour = static_cast<int>(seconds / 3600);
  f.minute = static_cast<int>(seconds / 60 % 60);
  f.second = static_cast<int>(seconds % 60);
  f.micros = of_day % kMicrosPerSecond;
  return f;
}

// The timestamp of `t` with its fraction cut to `precision` digits (floor, so the printed digits are kept).
int64_t TruncateMicros(int64_t micros, int32_t precision) {
  if (precision >= 6) return micros;
  int64_t unit = 1;
  for (int32_t p = precision; p < 6; ++p) unit *= 10;
  return FloorDiv(micros, unit) * unit;
}

int64_t AddMonths(int64_t days, int64_t months, bool* ok) {
  CivilDate d = CivilFromDays(days);
  int64_t total = d.year * 12 + (d.month - 1) + months;
  int64_t year = FloorDiv(total, 12);
  int month = static_cast<int>(FloorMod(total, 12)) + 1;
  if (year < -1'000'000 || year > 1'000'000) {
    *ok = false;
    return 0;
  }
  int day = std::min(d.day, DaysInMonth(year, month));
  *ok = true;
  return *DaysFromCivil(year, month, day);
}

const char* const kMonthNames[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
const char* const kDayNames[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

using internal::DateTimePattern;

bool IsNumericLetter(const DateTimePattern::Token& t) {
  switch (t.letter) {
    case 'y':
    case 'd':
    case 'H':
    case 'h':
    case 'k':
    case 'K':
    case 'm':
    case 's':
    case 'S':
    case 'D':
    case 'u': return true;
    case 'M': return t.count <= 2;
    default: return false;
  }
}

Result<DateTimePattern> CompilePattern(std::string_view format) {
  DateTimePattern p;
  for (size_t i = 0; i < format.size();) {
    char c = format[i];
    if (c == '\'') {
      std::string text;
      size_t j = i + 1;
      if (j < format.size() && format[j] == '\'') {  // '' is a quote
        text = "'";
        i = j + 1;
      } else {
        bool closed = false;
        for (; j < format.size(); ++j) {
          if (format[j] == '\'') {
            if (j + 1 < format.size() && format[j + 1] == '\'') {
              text += '\'';
              ++j;
              continue;
            }
            closed = true;
            break;
          }
          text += format[j];
        }
        if (!closed) return Invalid("datetime pattern '" + std::string(format) + "' has an unclosed quote");
        i = j + 1;
      }
      p.tokens.push_back({0, 0, text});
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      static const std::string_view kLetters = "yMdHhkKmsSaEDuzZXG";
      if (kLetters.find(c) == std::string_view::npos) {
        return Invalid("datetime pattern '" + std::string(format) + "' has the unsupported letter '" +
                       std::string(1, c) + "' (supported: y M d H h k K m s S a E D u z Z X G; quote literal text)");
      }
      size_t j = i;
      while (j < format.size() && format[j] == c) ++j;
      p.tokens.push_back({c, static_cast<int>(j - i), ""});
      i = j;
      continue;
    }
    if (!p.tokens.empty() && p.tokens.back().letter == 0) {
      p.tokens.back().text += c;
    } else {
      p.tokens.push_back({0, 0, std::string(1, c)});
    }
    ++i;
  }
  return p;
}

void AppendPadded(int64_t v, int width, std::string* out) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (v < 0) out->push_back('-');
  if (static_cast<int>(s.size()) < width) out->append(static_cast<size_t>(width) - s.size(), '0');
  out->append(s);
}

std::string FormatMicros(int64_t micros, const DateTimePattern& p) {
  Fields f = FieldsOfMicros(micros);
  std::string out;
  for (const auto& t : p.tokens) {
    switch (t.letter) {
      case 0: out += t.text; break;
      case 'y':
        if (t.count == 2) {
          AppendPadded(FloorMod(f.year, 100), 2, &out);
        } else {
          AppendPadded(f.year, t.count, &out);
        }
        break;
      case 'M':
        if (t.count >= 4) {
          out += kMonthNames[f.month - 1];
        } else if (t.count == 3) {
          out += std::string_view(kMonthNames[f.month - 1]).substr(0, 3);
        } else {
          AppendPadded(f.month, t.count, &out);
        }
        break;
      case 'd': AppendPadded(f.day, t.count, &out); break;
      case 'H': AppendPadded(f.hour, t.count, &out); break;
      case 'k': AppendPadded(f.hour == 0 ? 24 : f.hour, t.count, &out); break;
      case 'K': AppendPadded(f.hour % 12, t.count, &out); break;
      case 'h': AppendPadded(f.hour % 12 == 0 ? 12 : f.hour % 12, t.count, &out); break;
      case 'm': AppendPadded(f.minute, t.count, &out); break;
      case 's': AppendPadded(f.second, t.count, &out); break;
      case 'S': {
        std::string nanos = std::to_string(f.micros * 1000);
        nanos.insert(0, 9 - nanos.size(), '0');
        if (t.count <= 9) {
          out += nanos.substr(0, static_cast<size_t>(t.count));
        } else {
          out += nanos + std::string(static_cast<size_t>(t.count - 9), '0');
        }
        break;
      }
      case 'a': out += f.hour < 12 ? "AM" : "PM"; break;
      case 'E': {
        std::string_view name = kDayNames[FloorMod(f.days + 4, 7)];
        out += t.count >= 4 ? name : name.substr(0, 3);
        break;
      }
      case 'u': AppendPadded(FloorMod(f.days + 3, 7) + 1, t.count, &out); break;
      case 'D': AppendPadded(f.days - *DaysFromCivil(f.year, 1, 1) + 1, t.count, &out); break;
      case 'z': out += t.count >= 4 ? "Coordinated Universal Time" : "UTC"; break;
      case 'Z': out += t.count >= 4 ? "GMT" : (t.count == 4 ? "GMT" : "+0000"); break;
      case 'X': out += "Z"; break;
      case 'G': out += f.year > 0 ? "AD" : "BC"; break;
    }
  }
  return out;
}

// Parses `text` against the pattern into micros since the epoch (UTC); false when it does not match entirely or names
// a date or time that does not exist.
bool ParseWithPattern(std::string_view text, const DateTimePattern& p, int64_t* micros) {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0, day_of_year = -1;
  int64_t hour12 = -1, offset_seconds = 0;
  bool pm = false, has_ampm = false;
  size_t i = 0;
  auto read_number = [&](size_t max_digits, int64_t* out) {
    size_t start = i;
    int64_t v = 0;
    while (i < text.size() && i - start < max_digits && text[i] >= '0' && text[i] <= '9')
      v = v * 10 + (text[i++] - '0');
    *out = v;
    return i > start;
  };
  auto read_name = [&](const char* const* names, size_t count, bool allow_short, int64_t* index) {
    for (size_t k = 0; k < count; ++k) {
      std::string_view full = names[k];
      for (size_t len : {full.size(), allow_short ? size_t{3} : full.size()}) {
        if (text.size() - i >= len) {
          bool match = true;
          for (size_t c = 0; c < len && match; ++c) {
            match = std::tolower(static_cast<unsigned char>(text[i + c])) ==
                    std::tolower(static_cast<unsigned char>(full[c]));
          }
          if (match) {
            i += len;
            *index = static_cast<int64_t>(k);
            return true;
          }
        }
      }
    }
    return false;
  };
  for (size_t k = 0; k < p.tokens.size(); ++k) {
    const auto& t = p.tokens[k];
    // A numeric field followed directly by another numeric field takes exactly its width ("yyyyMMdd").
    bool fixed = k + 1 < p.tokens.size() && IsNumericLetter(t) && IsNumericLetter(p.tokens[k + 1]);
    size_t width = fixed ? static_cast<size_t>(t.count) : (t.letter == 'S' ? 9 : 10);
    int64_t v = 0;
    switch (t.letter) {
      case 0:
        if (text.substr(i, t.text.size()) != t.text) return false;
        i += t.text.size();
        break;
      case 'y': {
        size_t start = i;
        if (!read_number(t.count == 2 ? 2 : width, &v)) return false;
        year = (t.count == 2 && i - start == 2) ? 2000 + v : v;
        break;
      }
      case 'M':
        if (t.count >= 3) {
          if (!read_name(kMonthNames, 12, true, &v)) return false;
          month = v + 1;
        } else {
          if (!read_number(width, &month)) return false;
        }
        break;
      case 'd':
        if (!read_number(width, &day)) return false;
        break;
      case 'D':
        if (!read_number(width, &day_of_year)) return false;
        break;
      case 'H':
      case 'k':
        if (!read_number(width, &hour)) return false;
        if (t.letter == 'k' && hour == 24) hour = 0;
        break;
      case 'h':
      case 'K':
        if (!read_number(width, &hour12)) return false;
        if (t.letter == 'h' && hour12 == 12) hour12 = 0;
        break;
      case 'm':
        if (!read_number(width, &minute)) return false;
        break;
      case 's':
        if (!read_number(width, &second)) return false;
        break;
      case 'S': {
        size_t start = i;
        if (!read_number(fixed ? width : 9, &v)) return false;
        for (size_t d = i - start; d < 9; ++d) v *= 10;
        nanos = v;
        break;
      }
      case 'a': {
        static const char* const kAmPm[] = {"AM", "PM"};
        if (!read_name(kAmPm, 2, false, &v)) return false;
        has_ampm = true;
        pm = v == 1;
        break;
      }
      case 'E': {
        if (!read_name(kDayNames, 7, true, &v)) return false;
        break;
      }
      case 'u':
        if (!read_number(width, &v)) return false;
        break;
      case 'G': {
        static const char* const kEras[] = {"AD", "BC"};
        if (!read_name(kEras, 2, false, &v)) return false;
        break;
      }
      case 'z':
      case 'Z':
      case 'X': {
        if (i < text.size() && text[i] == 'Z') {
          ++i;
        } else if (text.substr(i, 3) == "UTC" || text.substr(i, 3) == "GMT") {
          i += 3;
        } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
          bool negative = text[i++] == '-';
          int64_t hh = 0, mm = 0;
          size_t start = i;
          if (!read_number(2, &hh) || i - start != 2) return false;
          if (i < text.size() && text[i] == ':') ++i;
          start = i;
          if (read_number(2, &mm) && i - start != 2) return false;
          offset_seconds = (negative ? -1 : 1) * (hh * 3600 + mm * 60);
        } else {
          return false;
        }
        break;
      }
    }
  }
  if (i != text.size()) return false;
  if (hour12 >= 0) {
    if (hour12 > 11) return false;
    hour = hour12 + (has_ampm && pm ? 12 : 0);
  } else if (has_ampm && pm && hour < 12) {
    hour += 12;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  int64_t days;
  if (day_of_year >= 0) {
    std::optional<int64_t> jan1 = DaysFromCivil(year, 1, 1);
    if (!jan1 || day_of_year < 1 || day_of_year > (IsLeapYear(year) ? 366 : 365)) return false;
    days = *jan1 + day_of_year - 1;
  } else {
    if (month < 1 || month > 12) return false;
    std::optional<int64_t> d = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
    if (!d) return false;
    days = *d;
  }
  *micros =
      days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second - offset_seconds) * kMicrosPerSecond + nanos / 1000;
  return true;
}

// Flink's lenient timestamp text (CAST to TIMESTAMP, TO_TIMESTAMP without a format): 'yyyy-[m]m-[d]d' optionally
// followed by ' ' or 'T' and '[h]h:[m]m[:[s]s[.fraction]]', optionally ending in 'Z'; surrounding spaces ignored.
// Fractions beyond microseconds are cut.
bool ParseTimestampLenient(std::string_view text, int64_t* micros, bool date_only_ok = true) {
  text = TrimWhitespace(text);
  size_t i = 0;
  auto num = [&](size_t max_digits, int64_t* out) {
    size_t start = i;
    int64_t v = 0;
    while (i < text.size() && i - start < max_digits && text[i] >= '0' && text[i] <= '9')
      v = v * 10 + (text[i++] - '0');
    *out = v;
    return i > start;
  };
  int64_t year, month, day, hour = 0, minute = 0, second = 0, fraction = 0;
  bool negative_year = i < text.size() && text[i] == '-';
  if (negative_year) ++i;
  if (!num(9, &year) || i >= text.size() || text[i++] != '-') return false;
  if (negative_year) year = -year;
  if (!num(2, &month) || i >= text.size() || text[i++] != '-') return false;
  if (!num(2, &day)) return false;
  if (i < text.size()) {
    if (text[i] != ' ' && text[i] != 'T') return false;
    ++i;
    if (!num(2, &hour) || i >= text.size() || text[i++] != ':') return false;
    if (!num(2, &minute)) return false;
    if (i < text.size() && text[i] == ':') {
      ++i;
      if (!num(2, &second)) return false;
      if (i < text.size() && text[i] == '.') {
        ++i;
        size_t start = i;
        int64_t digits_value = 0;
        if (!num(9, &digits_value)) return false;
        size_t digits = i - start;
        for (size_t d = digits; d < 9; ++d) digits_value *= 10;
        fraction = digits_value / 1000;  // nanos to micros
      }
    }
    if (i < text.size() && text[i] == 'Z') ++i;
    if (i != text.size()) return false;
  } else if (!date_only_ok) {
    return false;
  }
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  std::optional<int64_t> days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  if (!days) return false;
  *micros = *days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + fraction;
  return true;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------------------------
// LIKE

using internal::LikePattern;

Result<LikePattern> CompileLike(std::string_view pattern, std::string_view escape, bool has_escape) {
  uint32_t escape_cp = 0;
  if (has_escape) {
    if (CodePointCount(escape) != 1) {
      return Invalid("LIKE's escape must be one character, got '" + std::string(escape) + "'");
    }
    size_t k = 0;
    escape_cp = NextCodePoint(escape, &k);
  }
  LikePattern p;
  for (size_t i = 0; i < pattern.size();) {
    size_t start = i;
    uint32_t cp = NextCodePoint(pattern, &i);
    if (has_escape && cp == escape_cp) {
      if (i >= pattern.size()) {
        return Invalid("LIKE pattern '" + std::string(pattern) + "' ends with the escape character");
      }
      size_t next_start = i;
      uint32_t next = NextCodePoint(pattern, &i);
      if (next != '%' && next != '_' && next != escape_cp) {
        return Invalid("LIKE pattern '" + std::string(pattern) +
                       "': the escape character must be followed by '%', '_' "
                       "or itself, got '" +
                       std::string(pattern.substr(next_start, i - next_start)) + "'");
      }
      p.elements.push_back({LikePattern::kChar, std::string(pattern.substr(next_start, i - next_start))});
    } else if (cp == '%') {
      if (p.elements.empty() || p.elements.back().kind != LikePattern::kAny)
        p.elements.push_back({LikePattern::kAny, ""});
    } else if (cp == '_') {
      p.elements.push_back({LikePattern::kOne, ""});
    } else {
      p.elements.push_back({LikePattern::kChar, std::string(pattern.substr(start, i - start))});
    }
  }
  // Text between an optional leading and trailing '%' matches by comparison alone.
  size_t first = 0, last = p.elements.size();
  if (first < last && p.elements[first].kind == LikePattern::kAny) {
    p.leading_any = true;
    ++first;
  }
  if (first < last && p.elements[last - 1].kind == LikePattern::kAny) {
    p.trailing_any = true;
    --last;
  }
  p.simple = true;
  for (size_t k = first; k < last; ++k) {
    if (p.elements[k].kind != LikePattern::kChar) p.simple = false;
    p.text += p.elements[k].bytes;
  }
  return p;
}

bool LikeMatch(std::string_view s, const LikePattern& p) {
  if (p.simple) {
    if (!p.leading_any && !p.trailing_any) return s == p.text;
    if (!p.leading_any) return s.substr(0, p.text.size()) == p.text;
    if (!p.trailing_any) return s.size() >= p.text.size() && s.substr(s.size() - p.text.size()) == p.text;
    return s.find(p.text) != std::string_view::npos;
  }
  // Two cursors with backtracking to the last '%': linear for most patterns.
  const auto& el = p.elements;
  size_t pi = 0, si = 0;
  size_t star_p = SIZE_MAX, star_s = 0;
  while (si < s.size()) {
    if (pi < el.size() && el[pi].kind == LikePattern::kOne) {
      si += Utf8Length(static_cast<unsigned char>(s[si]));
      ++pi;
    } else if (pi < el.size() && el[pi].kind == LikePattern::kChar &&
               s.substr(si, el[pi].bytes.size()) == el[pi].bytes) {
      si += el[pi].bytes.size();
      ++pi;
    } else if (pi < el.size() && el[pi].kind == LikePattern::kAny) {
      star_p = pi++;
      star_s = si;
    } else if (star_p != SIZE_MAX) {
      pi = star_p + 1;
      star_s += Utf8Length(static_cast<unsigned char>(s[star_s]));
      si = star_s;
    } else {
      return false;
    }
  }
  while (pi < el.size() && el[pi].kind == LikePattern::kAny) ++pi;
  return pi == el.size() && si <= s.size();
}

// ---------------------------------------------------------------------------------------------------------------
// CAST

enum class Rep : uint8_t { kNone, kBool, kInt, kDouble, kDecimal, kString };

Rep RepOf(TypeId id) {
  switch (id) {
    case TypeId::kNull: return Rep::kNone;
    case TypeId::kBoolean: return Rep::kBool;
    case TypeId::kFloat:
    case TypeId::kDouble: return Rep::kDouble;
    case TypeId::kDecimal: return Rep::kDecimal;
    case TypeId::kChar:
    case TypeId::kVarChar:
    case TypeId::kBinary:
    case TypeId::kVarBinary: return Rep::kString;
    default: return Rep::kInt;
  }
}

// Cuts text to `length` code points, and pads CHAR(n) to n with spaces.
void FitText(std::string* s, const DataType& to) {
  if (to.length >= DataType::kMaxLength) return;
  int64_t count = CodePointCount(*s);
  if (count > to.length) {
    s->resize(ByteOffsetOfCodePoint(*s, to.length));
    count = to.length;
  }
  if (to.id == TypeId::kChar && count < to.length) s->append(static_cast<size_t>(to.length - count), ' ');
}

void FitBytes(std::string* s, const DataType& to) {
  if (to.length >= DataType::kMaxLength) return;
  if (static_cast<int64_t>(s->size()) > to.length) s->resize(static_cast<size_t>(to.length));
  if (to.id == TypeId::kBinary && static_cast<int64_t>(s->size()) < to.length) {
    s->append(static_cast<size_t>(to.length) - s->size(), '\0');
  }
}

// Flink's integer text: optional sign, digits, and an optional fraction that is dropped ("1.9" is 1).
bool ParseIntegerText(std::string_view text, Int128* out) {
  text = TrimWhitespace(text);
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  size_t start = i;
  Int128 v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (v < Pow10(20)) v = v * 10 + (text[i] - '0');
    ++i;
  }
  if (i == start) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  }
  if (i != text.size()) return false;
  *out = negative ? -v : v;
  return true;
}

// Java's Double.parseDouble syntax: [+-] (NaN | Infinity | digits[.digits][(e|E)[+-]digits]) [fFdD].
bool ParseDoubleText(std::string_view text, double* out) {
  text = TrimWhitespace(text);
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "NaN") {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (body == "Infinity") {
    *out = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (!body.empty() && (body.back() == 'f' || body.back() == 'F' || body.back() == 'd' || body.back() == 'D')) {
    body.remove_suffix(1);
  }
  size_t i = 0, digits = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    size_t start = i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i != body.size()) return false;
  std::string copy(body.substr(0, i));
  double v = std::strtod(copy.c_str(), nullptr);
  *out = negative ? -v : v;
  return true;
}

// Flink's interval text: "+10 00:00:00.000" (DAY TO SECOND, to milliseconds), "+1-02" (YEAR TO MONTH), or a plain
// integer count of the type's unit (milliseconds, months).
bool ParseIntervalText(std::string_view text, TypeId id, int64_t* out) {
  text = TrimWhitespace(text);
  Int128 plain;
  if (ParseIntegerText(text, &plain) && text.find('.') == std::string_view::npos) {
    if (plain > INT64_MAX || plain < INT64_MIN) return false;
    *out = static_cast<int64_t>(plain);
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  auto num = [&](size_t max_digits, int64_t* v) {
    size_t start = i;
    *v = 0;
    while (i < text.size() && i - start < max_digits && text[i] >= '0' && text[i] <= '9')
      *v = *v * 10 + (text[i++] - '0');
    return i > start;
  };
  int64_t a = 0, b = 0;
  if (id == TypeId::kIntervalYearMonth) {
    if (!num(9, &a) || i >= text.size() || text[i++] != '-' || !num(2, &b) || i != text.size() || b > 11) return false;
    *out = (a * 12 + b) * (negative ? -1 : 1);
    return true;
  }
  int64_t h = 0, m = 0, s = 0, ms = 0;
  if (!num(9, &a) || i >= text.size() || text[i++] != ' ') return false;
  if (!num(2, &h) || i >= text.size() || text[i++] != ':' || !num(2, &m) || i >= text.size() || text[i++] != ':' ||
      !num(2, &s)) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    size_t start = i;
    if (!num(3, &ms)) return false;
    for (size_t d = i - start; d < 3; ++d) ms *= 10;
  }
  if (i != text.size() || h > 23 || m > 59 || s > 59) return false;
  *out = (((a * 24 + h) * 60 + m) * 60 + s) * 1000 + ms;
  if (negative) *out = -*out;
  return true;
}

Status CastFailed(const Datum& in, const DataType& from, const DataType& to, std::string_view reason) {
  return Invalid("CAST(" + Show(in, from) + " AS " + to.Name() + ") failed: " + std::string(reason));
}

Status OutOfRange(const Datum& in, const DataType& from, const DataType& to) {
  int64_t lo, hi;
  IntegerRange(to.id, &lo, &hi);
  return CastFailed(in, from, to, "out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

Status SetInteger(Int128 v, const Datum& in, const DataType& from, const DataType& to, Datum* out) {
  int64_t lo, hi;
  IntegerRange(to.id, &lo, &hi);
  if (v < lo || v > hi) return OutOfRange(in, from, to);
  out->SetInt(static_cast<int64_t>(v));
  return Ok();
}

void SetDecimalOrNull(bool ok, Int128 v, const DataType& to, Datum* out) {
  if (ok && FitsPrecision(v, to.precision)) {
    out->SetDecimal(v);
  } else {
    out->SetNull();  // Flink's DecimalData: a value beyond the precision is NULL
  }
}

// The text form CAST(x AS STRING) gives.
std::string TextOf(const Datum& in, const DataType& from) {
  if (from.is_character_string() || from.is_binary_string()) return in.s;
  return DatumToString(in, from);
}

// CAST of a non-null `in` of type `from` to `to` (CanCast holds).
Status CastValue(const Datum& in, const DataType& from, const DataType& to, Datum* out) {
  if (from.is_null()) {
    out->SetNull();
    return Ok();
  }
  if (to.is_character_string()) {
    std::string text = TextOf(in, from);
    FitText(&text, to);
    out->null = false;
    out->s = std::move(text);
    return Ok();
  }
  if (from.is_character_string()) {
    std::string_view text = in.s;
    switch (to.id) {
      case TypeId::kBoolean: {
        std::string lower(TrimWhitespace(text));
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "true" || lower == "t" || lower == "yes" || lower == "y" || lower == "1") {
          out->SetBool(true);
        } else if (lower == "false" || lower == "f" || lower == "no" || lower == "n" || lower == "0") {
          out->SetBool(false);
        } else {
          return CastFailed(in, from, to, "not a boolean (true/false, t/f, yes/no, y/n, 1/0)");
        }
        return Ok();
      }
      case TypeId::kTinyInt:
      case TypeId::kSmallInt:
      case TypeId::kInt:
      case TypeId::kBigInt: {
        Int128 v;
        if (!ParseIntegerText(text, &v)) return CastFailed(in, from, to, "not a number");
        return SetInteger(v, in, from, to, out);
      }
      case TypeId::kFloat:
      case TypeId::kDouble: {
        double d;
        if (!ParseDoubleText(text, &d)) return CastFailed(in, from, to, "not a number");
        out->SetDouble(to.id == TypeId::kFloat ? static_cast<double>(static_cast<float>(d)) : d);
        return Ok();
      }
      case TypeId::kDecimal: {
        Int128 v = 0;
        bool overflow;
        if (!ParseDecimalText(TrimWhitespace(text), to.scale, &v, &overflow)) {
          return CastFailed(in, from, to, "not a number");
        }
        SetDecimalOrNull(!overflow, v, to, out);
        return Ok();
      }
      case TypeId::kDate: {
        int64_t micros;
        if (!ParseTimestampLenient(text, &micros)) return CastFailed(in, from, to, "not a date 'yyyy-MM-dd'");
        out->SetInt(FloorDiv(micros, kMicrosPerDay));
        return Ok();
      }
      case TypeId::kTime: {
        int32_t precision;
        Result<int64_t> micros = sql::ParseTimeText(TrimWhitespace(text), &precision);
        if (!micros.ok()) return CastFailed(in, from, to, "not a time 'HH:mm:ss[.fff]': " + micros.status().message());
        out->SetInt(TruncateMicros(*micros, to.precision));
        return Ok();
      }
      case TypeId::kTimestamp:
      case TypeId::kTimestampLtz: {
        int64_t micros;
        if (!ParseTimestampLenient(text, &micros)) {
          return CastFailed(in, from, to, "not a timestamp 'yyyy-MM-dd HH:mm:ss[.fff]'");
        }
        out->SetInt(TruncateMicros(micros, to.precision));
        return Ok();
      }
      case TypeId::kBinary:
      case TypeId::kVarBinary: {
        std::string bytes(text);
        FitBytes(&bytes, to);
        out->null = false;
        out->s = std::move(bytes);
        return Ok();
      }
      case TypeId::kIntervalDayTime:
      case TypeId::kIntervalYearMonth: {
        int64_t v;
        if (!ParseIntervalText(text, to.id, &v)) {
          return CastFailed(
              in, from, to,
              to.id == TypeId::kIntervalYearMonth ? "not an interval '+Y-MM'" : "not an interval '+D HH:mm:ss.fff'");
        }
        out->SetInt(v);
        return Ok();
      }
      default: break;
    }
  }
  if (to.is_binary_string() && from.is_binary_string()) {
    std::string bytes = in.s;
    FitBytes(&bytes, to);
    out->null = false;
    out->s = std::move(bytes);
    return Ok();
  }
  if (to.is_boolean()) {
    if (from.is_boolean()) {
      out->SetBool(in.b);
    } else if (from.is_decimal()) {
      out->SetBool(in.dec != 0);
    } else {
      out->SetBool(in.i != 0);
    }
    return Ok();
  }
  if (to.is_exact_integer()) {
    if (from.is_boolean()) {
      out->SetInt(in.b ? 1 : 0);
      return Ok();
    }
    if (from.is_exact_integer() || from.is_interval()) return SetInteger(in.i, in, from, to, out);
    if (from.is_decimal()) return SetInteger(in.dec / Pow10(from.scale), in, from, to, out);  // truncates
    if (from.is_approximate()) {
      if (std::isnan(in.d) || std::isinf(in.d)) return CastFailed(in, from, to, "not a finite number");
      double t = std::trunc(in.d);
      if (t < -9.2233720368547758e18 || t >= 9.2233720368547758e18) return OutOfRange(in, from, to);
      return SetInteger(static_cast<int64_t>(t), in, from, to, out);
    }
  }
  if (to.is_approximate()) {
    double d;
    if (from.is_boolean()) {
      d = in.b ? 1 : 0;
    } else if (from.is_decimal()) {
      d = DecimalToDouble(in.dec, from.scale);
    } else if (from.is_approximate()) {
      d = in.d;
    } else {
      d = static_cast<double>(in.i);
    }
    out->SetDouble(to.id == TypeId::kFloat ? static_cast<double>(static_cast<float>(d)) : d);
    return Ok();
  }
  if (to.is_decimal()) {
    Int128 v = 0;
    bool ok = true;
    if (from.is_boolean()) {
      ok = Rescale(in.b ? 1 : 0, 0, to.scale, &v);
    } else if (from.is_exact_integer()) {
      ok = Rescale(in.i, 0, to.scale, &v);
    } else if (from.is_decimal()) {
      ok = Rescale(in.dec, from.scale, to.scale, &v);
    } else if (from.is_approximate()) {
      if (std::isnan(in.d) || std::isinf(in.d)) return CastFailed(in, from, to, "not a finite number");
      ok = DoubleToDecimal(in.d, from.id == TypeId::kFloat, to.scale, &v);
    }
    SetDecimalOrNull(ok, v, to, out);
    return Ok();
  }
  if (to.is_timestamp()) {
    switch (from.id) {
      case TypeId::kDate: {
        int64_t micros;
        if (__builtin_mul_overflow(in.i, kMicrosPerDay, &micros)) return CastFailed(in, from, to, "out of range");
        out->SetInt(micros);
        return Ok();
      }
      case TypeId::kTime: out->SetInt(TruncateMicros(in.i, to.precision)); return Ok();
      case TypeId::kTimestamp:
      case TypeId::kTimestampLtz: out->SetInt(TruncateMicros(in.i, to.precision)); return Ok();
      default: break;
    }
    // Numbers are epoch seconds.
    int64_t micros;
    if (from.is_exact_integer()) {
      if (__builtin_mul_overflow(in.i, kMicrosPerSecond, &micros)) return CastFailed(in, from, to, "out of range");
    } else if (from.is_decimal()) {
      Int128 v;
      if (!Rescale(in.dec, from.scale, 6, &v) || v > INT64_MAX || v < INT64_MIN) {
        return CastFailed(in, from, to, "out of range");
      }
      micros = static_cast<int64_t>(v);
    } else {
      double v = std::floor(in.d * 1e6);
      if (!(v >= -9.2233720368547758e18 && v < 9.2233720368547758e18)) return CastFailed(in, from, to, "out of range");
      micros = static_cast<int64_t>(v);
    }
    out->SetInt(TruncateMicros(micros, to.precision));
    return Ok();
  }
  if (to.id == TypeId::kDate) {  // from a timestamp
    out->SetInt(FloorDiv(in.i, kMicrosPerDay));
    return Ok();
  }
  if (to.id == TypeId::kTime) {
    int64_t of_day = from.id == TypeId::kTime ? in.i : FloorMod(in.i, kMicrosPerDay);
    out->SetInt(TruncateMicros(of_day, to.precision));
    return Ok();
  }
  if (to.is_interval()) {
    if (from.is_decimal()) {
      Int128 v = in.dec / Pow10(from.scale);
      if (v > INT64_MAX || v < INT64_MIN) return CastFailed(in, from, to, "out of range");
      out->SetInt(static_cast<int64_t>(v));
    } else {
      out->SetInt(in.i);
    }
    return Ok();
  }
  return Status::Internal("no CAST from " + from.Name() + " to " + to.Name());
}

// ---------------------------------------------------------------------------------------------------------------
// Node functions. Each reads its arguments with FLOE_ARG and writes *out.

Status ColumnFn(const EvalNode& n, const Row& row, Datum* out) {
  if (static_cast<size_t>(n.slot) >= row.size()) {
    return Status::Internal("expression reads column " + std::to_string(n.slot) + " of a row of " +
                            std::to_string(row.size()) + " columns");
  }
  *out = row[static_cast<size_t>(n.slot)];
  return Ok();
}

Status LiteralFn(const EvalNode& n, const Row&, Datum* out) {
  *out = n.value;
  return Ok();
}

enum ArithOp { kAdd, kSub, kMul, kDiv, kMod };
const char* const kArithSymbols[] = {"+", "-", "*", "/", "%"};

Status DivisionByZero(const EvalNode& n, const Datum& a, const Datum& b) {
  if (n.label == "MOD") {
    return Invalid("division by zero: MOD(" + Show(a, n.from) + ", " + Show(b, n.from2) + ")");
  }
  return Invalid("division by zero: " + Show(a, n.from) + " " + kArithSymbols[n.op] + " " + Show(b, n.from2));
}

// op: ArithOp. Integers of the result type; wraps as Java's int and long arithmetic do.
Status IntArithFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(b, 1);
  if (b->null) return out->SetNull(), Ok();
  int64_t x = a->i, y = b->i, r = 0;
  switch (n.op) {
    case kAdd: r = WrappingAdd(x, y); break;
    case kSub: r = WrappingSub(x, y); break;
    case kMul: r = WrappingMul(x, y); break;
    case kDiv:
      if (y == 0) return DivisionByZero(n, *a, *b);
      r = y == -1 ? WrappingSub(0, x) : x / y;
      break;
    case kMod:
      if (y == 0) return DivisionByZero(n, *a, *b);
      r = y == -1 ? 0 : x % y;
      break;
  }
  out->SetInt(WrapTo(r, n.type.id));
  return Ok();
}

// op: ArithOp; n1: 1 when the result is FLOAT (rounded to float precision).
Status DoubleArithFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(b, 1);
  if (b->null) return out->SetNull(), Ok();
  double x = a->d, y = b->d, r = 0;
  switch (n.op) {
    case kAdd: r = x + y; break;
    case kSub: r = x - y; break;
    case kMul: r = x * y; break;
    case kDiv: r = x / y; break;
    case kMod: r = std::fmod(x, y); break;
  }
  out->SetDouble(n.n1 ? static_cast<double>(static_cast<float>(r)) : r);
  return Ok();
}

// op: ArithOp; from, from2: the operands' DECIMAL types; type: the result's.
Status DecimalArithFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(b, 1);
  if (b->null) return out->SetNull(), Ok();
  const int sa = n.from.scale, sb = n.from2.scale, rs = n.type.scale;
  Int128 r = 0;
  bool ok = true;
  switch (n.op) {
    case kAdd:
    case kSub: {
      // Both at the larger scale, then to the result's (smaller only when the precision was capped at 38).
      int s = std::max(sa, sb);
      Int128 x, y;
      ok = Rescale(a->dec, sa, s, &x) && Rescale(b->dec, sb, s, &y);
      Int128 sum;
      ok = ok && !(n.op == kAdd ? __builtin_add_overflow(x, y, &sum) : __builtin_sub_overflow(x, y, &sum));
      ok = ok && Rescale(sum, s, rs, &r);
      break;
    }
    case kMul: ok = DecimalMultiply(a->dec, sa, b->dec, sb, rs, &r); break;
    case kDiv:
      if (b->dec == 0) return DivisionByZero(n, *a, *b);
      ok = DecimalDivide(a->dec, sa, b->dec, sb, rs, &r);
      break;
    case kMod: {
      if (b->dec == 0) return DivisionByZero(n, *a, *b);
      int s = std::max(sa, sb);
      Int128 x, y;
      ok = Rescale(a->dec, sa, s, &x) && Rescale(b->dec, sb, s, &y);
      ok = ok && Rescale(x % y, s, rs, &r);
      break;
    }
  }
  SetDecimalOrNull(ok, r, n.type, out);
  return Ok();
}

Status IntervalOverflow(const EvalNode& n, const Datum& a, const Datum& b) {
  return Invalid("overflow: " + Show(a, n.from) + " " + kArithSymbols[n.op] + " " + Show(b, n.from2) +
                 " is out of range for " + n.type.Name());
}

// datetime +/- interval. n1: 0 when args[0] is the datetime, 1 when args[1] is (interval + datetime); op: kAdd/kSub.
Status DatetimeIntervalFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(b, 1);
  if (b->null) return out->SetNull(), Ok();
  const Datum& dt = n.n1 == 0 ? *a : *b;
  const Datum& iv = n.n1 == 0 ? *b : *a;
  const DataType& iv_type = n.n1 == 0 ? n.from2 : n.from;
  int64_t amount = iv.i;
  if (n.op == kSub) {
    if (amount == INT64_MIN) return IntervalOverflow(n, *a, *b);
    amount = -amount;
  }
  int64_t r = 0;
  bool ok = true;
  if (iv_type.id == TypeId::kIntervalYearMonth) {
    if (n.type.id == TypeId::kDate) {
      r = AddMonths(dt.i, amount, &ok);
    } else {  // timestamps: the date part moves by months, the time of day stays
      int64_t days = FloorDiv(dt.i, kMicrosPerDay);
      int64_t new_days = AddMonths(days, amount, &ok);
      r = new_days * kMicrosPerDay + (dt.i - days * kMicrosPerDay);
    }
  } else {
    switch (n.type.id) {
      case TypeId::kDate: ok = !__builtin_add_overflow(dt.i, FloorDiv(amount, kMillisPerDay), &r); break;
      case TypeId::kTime: r = FloorMod(dt.i + FloorMod(amount, kMillisPerDay) * kMicrosPerMilli, kMicrosPerDay); break;
      default: {
        int64_t micros;
        ok = !__builtin_mul_overflow(amount, kMicrosPerMilli, &micros) && !__builtin_add_overflow(dt.i, micros, &r);
        break;
      }
    }
  }
  if (!ok) return IntervalOverflow(n, *a, *b);
  out->SetInt(r);
  return Ok();
}

// interval +/- interval, interval * number, number * interval, interval / number. n1: index of the number (-1 none).
Status IntervalArithFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(b, 1);
  if (b->null) return out->SetNull(), Ok();
  int64_t r = 0;
  bool ok = true;
  if (n.n1 < 0) {
    ok = !(n.op == kAdd ? __builtin_add_overflow(a->i, b->i, &r) : __builtin_sub_overflow(a->i, b->i, &r));
  } else {
    const Datum& num = n.n1 == 0 ? *a : *b;
    const Datum& iv = n.n1 == 0 ? *b : *a;
    const DataType& num_type = n.n1 == 0 ? n.from : n.from2;
    if (num_type.is_exact_integer()) {
      if (n.op == kDiv) {
        if (num.i == 0) return DivisionByZero(n, *a, *b);
        r = num.i == -1 ? WrappingSub(0, iv.i) : iv.i / num.i;
        ok = !(num.i == -1 && iv.i == INT64_MIN);
      } else {
        ok = !__builtin_mul_overflow(iv.i, num.i, &r);
      }
    } else {
      double factor = num_type.is_decimal() ? DecimalToDouble(num.dec, num_type.scale) : num.d;
      if (n.op == kDiv && factor == 0) return DivisionByZero(n, *a, *b);
      double v = std::trunc(n.op == kDiv ? static_cast<double>(iv.i) / factor : static_cast<double>(iv.i) * factor);
      ok = v >= -9.2233720368547758e18 && v < 9.2233720368547758e18;
      if (ok) r = static_cast<int64_t>(v);
    }
  }
  if (!ok) return IntervalOverflow(n, *a, *b);
  out->SetInt(r);
  return Ok();
}

Status NegateFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  switch (RepOf(n.type.id)) {
    case Rep::kDouble: out->SetDouble(-a->d); break;
    case Rep::kDecimal: out->SetDecimal(-a->dec); break;
    default:
      if (n.type.is_interval() && a->i == INT64_MIN) {
        return Invalid("overflow: -(" + Show(*a, n.type) + ") is out of range for " + n.type.Name());
      }
      out->SetInt(WrapTo(WrappingSub(0, a->i), n.type.id));
      break;
  }
  return Ok();
}

Status ConcatOperatorFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(b, 1);
  if (b->null) return out->SetNull(), Ok();
  out->null = false;
  out->s.assign(a->s);
  out->s.append(b->s);
  return Ok();
}

// ----- comparison -----

constexpr int kUnordered = 2;  // a NaN operand

template <Rep R>
inline int CompareRep(const Datum& a, const Datum& b) {
  if constexpr (R == Rep::kBool) {
    return a.b == b.b ? 0 : (a.b ? 1 : -1);
  } else if constexpr (R == Rep::kInt) {
    return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
  } else if constexpr (R == Rep::kDouble) {
    return a.d < b.d ? -1 : (a.d > b.d ? 1 : (a.d == b.d ? 0 : kUnordered));
  } else if constexpr (R == Rep::kDecimal) {
    return a.dec < b.dec ? -1 : (a.dec > b.dec ? 1 : 0);
  } else if constexpr (R == Rep::kString) {
    int c = std::string_view(a.s).compare(b.s);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  } else {
    return 0;
  }
}

int CompareDynamic(const Datum& a, const Datum& b, Rep rep) {
  switch (rep) {
    case Rep::kBool: return CompareRep<Rep::kBool>(a, b);
    case Rep::kInt: return CompareRep<Rep::kInt>(a, b);
    case Rep::kDouble: return CompareRep<Rep::kDouble>(a, b);
    case Rep::kDecimal: return CompareRep<Rep::kDecimal>(a, b);
    case Rep::kString: return CompareRep<Rep::kString>(a, b);
    case Rep::kNone: return 0;
  }
  return 0;
}

enum CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };

inline bool ApplyCmp(int op, int c) {
  switch (op) {
    case kEq: return c == 0;
    case kNe: return c != 0;
    case kLt: return c == -1;
    case kLe: return c == -1 || c == 0;
    case kGt: return c == 1;
    case kGe: return c == 1 || c == 0;
  }
  return false;
}

template <int Op, Rep R>
Status CompareFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(b, 1);
  if (b->null) return out->SetNull(), Ok();
  out->SetBool(ApplyCmp(Op, CompareRep<R>(*a, *b)));
  return Ok();
}

template <int Op>
EvalFn CompareFnFor(Rep rep) {
  switch (rep) {
    case Rep::kBool: return CompareFn<Op, Rep::kBool>;
    case Rep::kInt: return CompareFn<Op, Rep::kInt>;
    case Rep::kDouble: return CompareFn<Op, Rep::kDouble>;
    case Rep::kDecimal: return CompareFn<Op, Rep::kDecimal>;
    case Rep::kString: return CompareFn<Op, Rep::kString>;
    case Rep::kNone: return CompareFn<Op, Rep::kNone>;
  }
  return nullptr;
}

// IS [NOT] DISTINCT FROM. op: 1 for DISTINCT; n1: the operands' Rep.
Status DistinctFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  FLOE_ARG(b, 1);
  bool same = a->null || b->null ? a->null == b->null : CompareDynamic(*a, *b, static_cast<Rep>(n.n1)) == 0;
  out->SetBool(n.op == 1 ? !same : same);
  return Ok();
}

// ----- logic -----

Status AndFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (!a->null && !a->b) return out->SetBool(false), Ok();
  FLOE_ARG(b, 1);
  if (!b->null && !b->b) return out->SetBool(false), Ok();
  if (a->null || b->null) return out->SetNull(), Ok();
  out->SetBool(true);
  return Ok();
}

Status OrFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (!a->null && a->b) return out->SetBool(true), Ok();
  FLOE_ARG(b, 1);
  if (!b->null && b->b) return out->SetBool(true), Ok();
  if (a->null || b->null) return out->SetNull(), Ok();
  out->SetBool(false);
  return Ok();
}

Status NotFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  out->SetBool(!a->b);
  return Ok();
}

enum IsOp { kIsNull, kIsNotNull, kIsTrue, kIsNotTrue, kIsFalse, kIsNotFalse };

Status IsFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  bool r = false;
  switch (n.op) {
    case kIsNull: r = a->null; break;
    case kIsNotNull: r = !a->null; break;
    case kIsTrue: r = !a->null && a->b; break;
    case kIsNotTrue: r = a->null || !a->b; break;
    case kIsFalse: r = !a->null && !a->b; break;
    case kIsNotFalse: r = a->null || a->b; break;
  }
  out->SetBool(r);
  return Ok();
}

// BETWEEN x, low, high: x >= low AND x <= high in three-valued logic. op: 1 for NOT BETWEEN; n1: the Rep.
Status BetweenFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(x, 0);
  FLOE_ARG(lo, 1);
  FLOE_ARG(hi, 2);
  Rep rep = static_cast<Rep>(n.n1);
  // Each side: 1 true, 0 false, -1 unknown.
  int ge = x->null || lo->null ? -1 : (ApplyCmp(kGe, CompareDynamic(*x, *lo, rep)) ? 1 : 0);
  int le = x->null || hi->null ? -1 : (ApplyCmp(kLe, CompareDynamic(*x, *hi, rep)) ? 1 : 0);
  int r = ge == 0 || le == 0 ? 0 : (ge == -1 || le == -1 ? -1 : 1);
  if (r == -1) return out->SetNull(), Ok();
  out->SetBool(n.op == 1 ? r == 0 : r == 1);
  return Ok();
}

// IN x, a, b, ...: TRUE on a match, else NULL when x or an item is NULL, else FALSE. op: 1 for NOT IN; n1: the Rep.
Status InFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(x, 0);
  if (x->null) return out->SetNull(), Ok();
  Rep rep = static_cast<Rep>(n.n1);
  bool saw_null = false;
  for (size_t k = 1; k < n.args.size(); ++k) {
    Datum scratch;
    const Datum* item;
    FLOE_RETURN_IF_ERROR(Arg(n.args[k], row, &scratch, &item));
    if (item->null) {
      saw_null = true;
    } else if (CompareDynamic(*x, *item, rep) == 0) {
      out->SetBool(n.op != 1);
      return Ok();
    }
  }
  if (saw_null) return out->SetNull(), Ok();
  out->SetBool(n.op == 1);
  return Ok();
}

// LIKE x, pattern [, escape]. op: 1 for NOT LIKE; `like` set when pattern and escape are constants.
Status LikeFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(x, 0);
  if (x->null) return out->SetNull(), Ok();
  bool match;
  if (n.like) {
    match = LikeMatch(x->s, *n.like);
  } else {
    FLOE_ARG(pattern, 1);
    if (pattern->null) return out->SetNull(), Ok();
    std::string escape;
    bool has_escape = n.args.size() > 2;
    if (has_escape) {
      FLOE_ARG(e, 2);
      if (e->null) return out->SetNull(), Ok();
      escape = e->s;
    }
    FLOE_ASSIGN_OR_RETURN(LikePattern compiled, CompileLike(pattern->s, escape, has_escape));
    match = LikeMatch(x->s, compiled);
  }
  out->SetBool(n.op == 1 ? !match : match);
  return Ok();
}

Status CaseFn(const EvalNode& n, const Row& row, Datum* out) {
  size_t k = 0;
  for (; k + 1 < n.args.size(); k += 2) {
    FLOE_ARG(when, k);
    if (!when->null && when->b) return n.args[k + 1].fn(n.args[k + 1], row, out);
  }
  return n.args[k].fn(n.args[k], row, out);
}

// from: the operand's type; try_cast: NULL instead of an error.
Status CastFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  Status st = CastValue(*a, n.from, n.type, out);
  if (!st.ok() && n.try_cast && st.code() == StatusCode::kInvalidArgument) {
    out->SetNull();
    return Ok();
  }
  return st;
}

// ----- numeric functions -----

Status AbsFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  switch (RepOf(n.type.id)) {
    case Rep::kDouble: out->SetDouble(std::fabs(a->d)); break;
    case Rep::kDecimal: out->SetDecimal(a->dec < 0 ? -a->dec : a->dec); break;
    default: out->SetInt(WrapTo(a->i < 0 ? WrappingSub(0, a->i) : a->i, n.type.id)); break;  // Math.abs wraps
  }
  return Ok();
}

Status SignFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  switch (RepOf(n.type.id)) {
    case Rep::kDouble: out->SetDouble(std::isnan(a->d) ? a->d : (a->d > 0 ? 1.0 : (a->d < 0 ? -1.0 : a->d))); break;
    case Rep::kDecimal: {
      Int128 one = Pow10(n.type.scale);
      out->SetDecimal(a->dec > 0 ? one : (a->dec < 0 ? -one : 0));
      break;
    }
    default: out->SetInt(a->i > 0 ? 1 : (a->i < 0 ? -1 : 0)); break;
  }
  return Ok();
}

// op: 0 FLOOR, 1 CEIL; from: the operand's type.
Status FloorCeilFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  switch (RepOf(n.type.id)) {
    case Rep::kDouble: out->SetDouble(n.op == 0 ? std::floor(a->d) : std::ceil(a->d)); break;
    case Rep::kDecimal: {
      Int128 unit = Pow10(n.from.scale);
      Int128 q = a->dec / unit, r = a->dec % unit;
      if (n.op == 0 && r < 0) q -= 1;
      if (n.op == 1 && r > 0) q += 1;
      SetDecimalOrNull(true, q, n.type, out);
      break;
    }
    default: *out = *a; break;
  }
  return Ok();
}

// HALF_UP rounding of a double's shortest decimal form to `digits` fraction digits (Flink: BigDecimal.valueOf(x)
// .setScale(digits, HALF_UP).doubleValue()).
double RoundDouble(double x, int64_t digits, bool is_float) {
  if (std::isnan(x) || std::isinf(x) || x == 0) return x;
  std::string d;
  int exponent;
  ShortestDigits(x, is_float, &d, &exponent);
  // x = 0.d[0]d[1]... * 10^(exponent + 1); keep exponent + 1 + digits leading digits.
  int64_t keep = exponent + 1 + digits;
  if (keep >= static_cast<int64_t>(d.size())) return x;
  std::string kept;
  int64_t scale_exponent = exponent + 1 - keep;  // value = kept * 10^scale_exponent
  if (keep < 0) return 0.0;
  kept = d.substr(0, static_cast<size_t>(keep));
  if (d[static_cast<size_t>(keep)] >= '5') {
    int k = static_cast<int>(kept.size()) - 1;
    while (k >= 0 && kept[static_cast<size_t>(k)] == '9') kept[static_cast<size_t>(k--)] = '0';
    if (k < 0) {
      kept.insert(kept.begin(), '1');
    } else {
      ++kept[static_cast<size_t>(k)];
    }
  }
  if (kept.empty()) return 0.0;
  std::string text = (x < 0 ? "-" : "") + kept + "e" + std::to_string(scale_exponent);
  double r = std::strtod(text.c_str(), nullptr);
  return is_float ? static_cast<double>(static_cast<float>(r)) : r;
}

// ROUND(x [, digits]). n1: the digits when they are a literal (always for DECIMAL), n2: 1 when they are;
// from: x's type.
Status RoundFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  int64_t digits = n.n1;
  if (n.args.size() > 1 && n.n2 == 0) {
    FLOE_ARG(d, 1);
    if (d->null) return out->SetNull(), Ok();
    digits = d->i;
  }
  switch (RepOf(n.type.id)) {
    case Rep::kDouble: out->SetDouble(RoundDouble(a->d, digits, n.type.id == TypeId::kFloat)); break;
    case Rep::kDecimal: {
      int s = n.from.scale;
      Int128 v = a->dec;
      if (digits < s) {
        int64_t drop = s - digits;
        if (drop > 38) {
          v = 0;
        } else {
          v = DivideHalfUp(v, Pow10(static_cast<int>(drop)));  // now at scale `digits`
          if (digits < 0) {
            Int128 back;
            bool ok = Rescale(v, 0, static_cast<int>(-digits), &back);
            if (!ok) return out->SetNull(), Ok();
            v = back;  // at scale 0
          }
        }
        int at = static_cast<int>(std::max<int64_t>(digits, 0));
        Int128 r;
        bool ok = Rescale(v, at, n.type.scale, &r);
        SetDecimalOrNull(ok, r, n.type, out);
      } else {
        Int128 r;
        bool ok = Rescale(v, s, n.type.scale, &r);
        SetDecimalOrNull(ok, r, n.type, out);
      }
      break;
    }
    default: {
      int64_t v = a->i;
      if (digits < 0) {
        if (digits < -18) {
          v = 0;
        } else {
          int64_t unit = static_cast<int64_t>(Pow10(static_cast<int>(-digits)));
          Int128 r = DivideHalfUp(v, unit) * unit;
          v = static_cast<int64_t>(r);
        }
      }
      out->SetInt(WrapTo(v, n.type.id));
      break;
    }
  }
  return Ok();
}

enum MathOp { kPower, kSqrt, kExp, kLn, kLog10, kLog2, kLog };

Status MathFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  double x = a->d, r = 0;
  if (n.args.size() == 2) {
    FLOE_ARG(b, 1);
    if (b->null) return out->SetNull(), Ok();
    r = n.op == kPower ? std::pow(x, b->d) : std::log(b->d) / std::log(x);  // LOG(base, x)
  } else {
    switch (n.op) {
      case kSqrt: r = std::sqrt(x); break;
      case kExp: r = std::exp(x); break;
      case kLn:
      case kLog: r = std::log(x); break;
      case kLog10: r = std::log10(x); break;
      case kLog2: r = std::log(x) / std::log(2.0); break;
      default: break;
    }
  }
  out->SetDouble(r);
  return Ok();
}

// ----- string functions -----

enum CaseOp { kUpper, kLower, kInitCap };

Status ChangeCaseFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  std::string r;
  r.reserve(a->s.size());
  bool word_start = true;
  for (size_t i = 0; i < a->s.size();) {
    unsigned char c = static_cast<unsigned char>(a->s[i]);
    if (c < 0x80) {  // ASCII without decoding
      char ch = static_cast<char>(c);
      bool alnum = std::isalnum(c) != 0;
      if (n.op == kUpper || (n.op == kInitCap && word_start && alnum)) {
        ch = static_cast<char>(std::toupper(c));
      } else {
        ch = static_cast<char>(std::tolower(c));
      }
      word_start = !alnum;
      r.push_back(ch);
      ++i;
      continue;
    }
    uint32_t cp = NextCodePoint(a->s, &i);
    bool alnum = IsAlphanumeric(cp);
    if (n.op == kUpper || (n.op == kInitCap && word_start && alnum)) {
      cp = ToUpper(cp);
    } else {
      cp = ToLower(cp);
    }
    word_start = !alnum;
    AppendCodePoint(cp, &r);
  }
  out->null = false;
  out->s = std::move(r);
  return Ok();
}

// op: 0 TRIM, 1 LTRIM, 2 RTRIM (spaces).
Status TrimFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  std::string_view t = TrimSpaces(a->s, n.op != 2, n.op != 1);
  out->SetString(t);
  return Ok();
}

Status CharLengthFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  out->SetInt(CodePointCount(a->s));
  return Ok();
}

Status ConcatFn(const EvalNode& n, const Row& row, Datum* out) {
  std::string r;
  for (size_t k = 0; k < n.args.size(); ++k) {
    FLOE_ARG(a, k);
    if (a->null) return out->SetNull(), Ok();
    r += a->s;
  }
  out->null = false;
  out->s = std::move(r);
  return Ok();
}

Status ConcatWsFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(sep, 0);
  if (sep->null) return out->SetNull(), Ok();
  std::string r;
  bool first = true;
  for (size_t k = 1; k < n.args.size(); ++k) {
    FLOE_ARG(a, k);
    if (a->null) continue;
    if (!first) r += sep->s;
    r += a->s;
    first = false;
  }
  out->null = false;
  out->s = std::move(r);
  return Ok();
}

// SUBSTRING(s, start [, length]) on code points, as Flink's substringSQL: start 1 is the first character, 0 counts as
// 1, a negative start counts from the end; a negative length is an error.
Status SubstringFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(p, 1);
  if (p->null) return out->SetNull(), Ok();
  int64_t length = INT64_MAX / 4;
  if (n.args.size() > 2) {
    FLOE_ARG(l, 2);
    if (l->null) return out->SetNull(), Ok();
    if (l->i < 0) {
      return Invalid(n.label + "(" + Show(*a, n.from) + ", " + std::to_string(p->i) + ", " + std::to_string(l->i) +
                     "): the length must not be negative");
    }
    length = l->i;
  }
  int64_t len = CodePointCount(a->s);
  int64_t start = p->i > 0 ? p->i - 1 : (p->i < 0 ? len + p->i : 0);
  int64_t end = start + length;
  start = std::max<int64_t>(start, 0);
  end = std::min(end, len);
  if (start >= end) return out->SetString(""), Ok();
  size_t b0 = ByteOffsetOfCodePoint(a->s, start);
  size_t b1 = b0 + ByteOffsetOfCodePoint(std::string_view(a->s).substr(b0), end - start);
  out->SetString(std::string_view(a->s).substr(b0, b1 - b0));
  return Ok();
}

Status ReplaceFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(from, 1);
  if (from->null) return out->SetNull(), Ok();
  FLOE_ARG(to, 2);
  if (to->null) return out->SetNull(), Ok();
  if (from->s.empty()) return out->SetString(a->s), Ok();
  std::string r;
  size_t pos = 0;
  for (size_t hit; (hit = a->s.find(from->s, pos)) != std::string::npos; pos = hit + from->s.size()) {
    r.append(a->s, pos, hit - pos);
    r += to->s;
  }
  r.append(a->s, pos, std::string::npos);
  out->null = false;
  out->s = std::move(r);
  return Ok();
}

// LPAD/RPAD(s, n, pad), Flink's: NULL when n < 0 or pad is empty; s is cut to n characters.
Status PadFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(len, 1);
  if (len->null) return out->SetNull(), Ok();
  FLOE_ARG(pad, 2);
  if (pad->null) return out->SetNull(), Ok();
  if (len->i < 0 || pad->s.empty()) return out->SetNull(), Ok();
  int64_t count = CodePointCount(a->s);
  if (count >= len->i)
    return out->SetString(std::string_view(a->s).substr(0, ByteOffsetOfCodePoint(a->s, len->i))), Ok();
  std::string padding;
  int64_t need = len->i - count, pad_count = CodePointCount(pad->s);
  while (need >= pad_count) {
    padding += pad->s;
    need -= pad_count;
  }
  padding += std::string_view(pad->s).substr(0, ByteOffsetOfCodePoint(pad->s, need));
  out->null = false;
  out->s = n.op == 0 ? padding + a->s : a->s + padding;
  return Ok();
}

// The regex of argument 1: compiled at Compile time when constant, else now (nullptr when it is invalid: Flink gives
// NULL then).
std::shared_ptr<const std::regex> RegexOf(const EvalNode& n, const Datum& pattern) {
  if (n.regex) return n.regex;
  try {
    return std::make_shared<const std::regex>(pattern.s, std::regex::ECMAScript);
  } catch (const std::regex_error&) {
    return nullptr;
  }
}

Status RegexpExtractFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(p, 1);
  if (p->null) return out->SetNull(), Ok();
  int64_t group = 0;
  if (n.args.size() > 2) {
    FLOE_ARG(g, 2);
    if (g->null) return out->SetNull(), Ok();
    group = g->i;
  }
  std::shared_ptr<const std::regex> re = RegexOf(n, *p);
  if (!re) return out->SetNull(), Ok();
  std::smatch m;
  if (group < 0 || static_cast<size_t>(group) > re->mark_count() || !std::regex_search(a->s, m, *re)) {
    return out->SetNull(), Ok();
  }
  if (!m[static_cast<size_t>(group)].matched) return out->SetNull(), Ok();
  out->SetString(m[static_cast<size_t>(group)].str());
  return Ok();
}

Status RegexpReplaceFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  FLOE_ARG(p, 1);
  if (p->null) return out->SetNull(), Ok();
  FLOE_ARG(r, 2);
  if (r->null) return out->SetNull(), Ok();
  std::shared_ptr<const std::regex> re = RegexOf(n, *p);
  if (!re) return out->SetNull(), Ok();
  out->SetString(std::regex_replace(a->s, *re, r->s));
  return Ok();
}

// ----- time functions -----

const DateTimePattern& DefaultTimestampPattern() {
  static const auto* kPattern = new DateTimePattern(*CompilePattern("yyyy-MM-dd HH:mm:ss"));
  return *kPattern;
}

// The pattern of argument `index`: compiled at Compile time when constant (n.pattern), else now.
Status PatternArg(const EvalNode& n, const Row& row, size_t index, DateTimePattern* storage,
                  const DateTimePattern** pattern, bool* is_null) {
  *is_null = false;
  if (n.pattern) {
    *pattern = n.pattern.get();
    return Ok();
  }
  if (index >= n.args.size()) {
    *pattern = &DefaultTimestampPattern();
    return Ok();
  }
  FLOE_ARG(f, index);
  if (f->null) {
    *is_null = true;
    return Ok();
  }
  Result<DateTimePattern> compiled = CompilePattern(f->s);
  if (!compiled.ok()) return Invalid(n.label + ": " + compiled.status().message());
  *storage = std::move(*compiled);
  *pattern = storage;
  return Ok();
}

// TO_TIMESTAMP_LTZ(number, precision): n1 the precision (0 seconds, 3 milliseconds); from: the number's type.
Status ToTimestampLtzNumberFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  const int64_t unit = n.n1 == 0 ? kMicrosPerSecond : kMicrosPerMilli;
  int64_t micros = 0;
  bool ok = true;
  if (n.from.is_exact_integer()) {
    ok = !__builtin_mul_overflow(a->i, unit, &micros);
  } else if (n.from.is_decimal()) {
    Int128 v;
    ok = Rescale(a->dec, n.from.scale, n.n1 == 0 ? 6 : 3, &v) && v <= INT64_MAX && v >= INT64_MIN;
    micros = ok ? static_cast<int64_t>(v) : 0;
  } else {
    double v = a->d * static_cast<double>(unit);
    ok = v >= -9.2233720368547758e18 && v < 9.2233720368547758e18;
    micros = ok ? static_cast<int64_t>(v) : 0;
  }
  if (!ok) {
    return Invalid("TO_TIMESTAMP_LTZ(" + Show(*a, n.from) + ", " + std::to_string(n.n1) + "): out of range");
  }
  out->SetInt(TruncateMicros(micros, 3));
  return Ok();
}

// TO_TIMESTAMP(s [, format]), TO_TIMESTAMP_LTZ(s [, format]), TO_DATE(s [, format]): NULL when s does not parse.
// op: 0 timestamp, 1 date.
Status ParseTimeFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  int64_t micros;
  bool parsed;
  if (n.args.size() < 2) {
    parsed = ParseTimestampLenient(a->s, &micros);
  } else {
    DateTimePattern storage;
    const DateTimePattern* pattern;
    bool is_null;
    FLOE_RETURN_IF_ERROR(PatternArg(n, row, 1, &storage, &pattern, &is_null));
    if (is_null) return out->SetNull(), Ok();
    parsed = ParseWithPattern(a->s, *pattern, &micros);
  }
  if (!parsed) return out->SetNull(), Ok();
  out->SetInt(n.op == 1 ? FloorDiv(micros, kMicrosPerDay) : TruncateMicros(micros, n.type.precision));
  return Ok();
}

// DATE_FORMAT(ts, format); from: ts's type (a string is parsed first; NULL when it does not parse).
Status DateFormatFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  int64_t micros = a->i;
  if (n.from.is_character_string() && !ParseTimestampLenient(a->s, &micros)) return out->SetNull(), Ok();
  DateTimePattern storage;
  const DateTimePattern* pattern;
  bool is_null;
  FLOE_RETURN_IF_ERROR(PatternArg(n, row, 1, &storage, &pattern, &is_null));
  if (is_null) return out->SetNull(), Ok();
  out->null = false;
  out->s = FormatMicros(micros, *pattern);
  return Ok();
}

// UNIX_TIMESTAMP() is now; UNIX_TIMESTAMP(s [, format]) parses s (default 'yyyy-MM-dd HH:mm:ss') to epoch seconds,
// and gives Long.MIN_VALUE when it does not parse, as Flink documents.
Status UnixTimestampFn(const EvalNode& n, const Row& row, Datum* out) {
  if (n.args.empty()) {
    out->SetInt(FloorDiv(NowMicros(), kMicrosPerSecond));
    return Ok();
  }
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  DateTimePattern storage;
  const DateTimePattern* pattern;
  bool is_null;
  FLOE_RETURN_IF_ERROR(PatternArg(n, row, 1, &storage, &pattern, &is_null));
  if (is_null) return out->SetNull(), Ok();
  int64_t micros;
  if (!ParseWithPattern(a->s, *pattern, &micros)) return out->SetInt(INT64_MIN), Ok();
  out->SetInt(FloorDiv(micros, kMicrosPerSecond));
  return Ok();
}

Status FromUnixtimeFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  int64_t micros;
  if (__builtin_mul_overflow(a->i, kMicrosPerSecond, &micros)) {
    return Invalid("FROM_UNIXTIME(" + std::to_string(a->i) + "): out of range");
  }
  DateTimePattern storage;
  const DateTimePattern* pattern;
  bool is_null;
  FLOE_RETURN_IF_ERROR(PatternArg(n, row, 1, &storage, &pattern, &is_null));
  if (is_null) return out->SetNull(), Ok();
  out->null = false;
  out->s = FormatMicros(micros, *pattern);
  return Ok();
}

enum FieldOp { kYear, kMonth, kDayOfMonth, kHour, kMinute, kSecond };

// YEAR .. SECOND of a DATE, TIME or timestamp (from).
Status ExtractFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(a, 0);
  if (a->null) return out->SetNull(), Ok();
  int64_t micros = a->i;
  if (n.from.id == TypeId::kDate) {
    CivilDate d = CivilFromDays(a->i);
    out->SetInt(n.op == kYear ? d.year : (n.op == kMonth ? d.month : d.day));
    return Ok();
  }
  Fields f = FieldsOfMicros(micros);
  int64_t v = 0;
  switch (n.op) {
    case kYear: v = f.year; break;
    case kMonth: v = f.month; break;
    case kDayOfMonth: v = f.day; break;
    case kHour: v = f.hour; break;
    case kMinute: v = f.minute; break;
    case kSecond: v = f.second; break;
  }
  out->SetInt(v);
  return Ok();
}

enum NowOp { kNowTimestamp, kNowDate, kNowTime };

Status NowFn(const EvalNode& n, const Row&, Datum* out) {
  int64_t now = NowMicros();
  switch (n.op) {
    case kNowTimestamp: out->SetInt(TruncateMicros(now, 3)); break;
    case kNowDate: out->SetInt(FloorDiv(now, kMicrosPerDay)); break;
    case kNowTime: out->SetInt(TruncateMicros(FloorMod(now, kMicrosPerDay), 0)); break;
  }
  return Ok();
}

// ----- null handling -----

Status CoalesceFn(const EvalNode& n, const Row& row, Datum* out) {
  for (const EvalNode& arg : n.args) {
    FLOE_RETURN_IF_ERROR(arg.fn(arg, row, out));
    if (!out->null) return Ok();
  }
  out->SetNull();
  return Ok();
}

// NULLIF(a, b); n1: the Rep.
Status NullIfFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_RETURN_IF_ERROR(n.args[0].fn(n.args[0], row, out));
  if (out->null) return Ok();
  FLOE_ARG(b, 1);
  if (!b->null && CompareDynamic(*out, *b, static_cast<Rep>(n.n1)) == 0) out->SetNull();
  return Ok();
}

Status IfFn(const EvalNode& n, const Row& row, Datum* out) {
  FLOE_ARG(c, 0);
  const EvalNode& pick = !c->null && c->b ? n.args[1] : n.args[2];
  return pick.fn(pick, row, out);
}

// GREATEST (op 0) / LEAST (op 1): NULL when any argument is; n1: the Rep.
Status GreatestLeastFn(const EvalNode& n, const Row& row, Datum* out) {
  Rep rep = static_cast<Rep>(n.n1);
  FLOE_RETURN_IF_ERROR(n.args[0].fn(n.args[0], row, out));
  if (out->null) return Ok();
  for (size_t k = 1; k < n.args.size(); ++k) {
    FLOE_ARG(x, k);
    if (x->null) return out->SetNull(), Ok();
    int c = CompareDynamic(*x, *out, rep);
    if (n.op == 0 ? c == 1 : c == -1) *out = *x;
  }
  return Ok();
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation

bool IsConstantNode(const EvalNode& n) {
  return n.literal;
}

// The constant string argument `index` of a call, if it is one (non-null).
const Datum* ConstantArg(const EvalNode& n, size_t index) {
  if (index >= n.args.size() || !n.args[index].literal || n.args[index].value.null) return nullptr;
  return &n.args[index].value;
}

Status Unsupported(const sql::BoundExpression& e) {
  return Status::Unsupported("the stream evaluator does not support " + e.ToString() + " (" + e.name + " with " +
                             std::to_string(e.args.size()) + " arguments)");
}

Status BadOperands(const sql::BoundExpression& e) {
  std::string types;
  for (const auto& a : e.args) types += (types.empty() ? "" : ", ") + a->type.Name();
  return Status::Internal("unexpected operand types for " + e.name + ": " + types + " -> " + e.type.Name());
}

int ArithOpOf(std::string_view name) {
  if (name == "+") return kAdd;
  if (name == "-") return kSub;
  if (name == "*") return kMul;
  if (name == "/") return kDiv;
  if (name == "%" || name == "MOD") return kMod;
  return -1;
}

Status CompileArithmetic(const sql::BoundExpression& e, int op, EvalNode* n) {
  const DataType& a = e.args[0]->type;
  const DataType& b = e.args[1]->type;
  const DataType& t = e.type;
  n->op = op;
  n->from = a;
  n->from2 = b;
  n->label = e.name;
  if (a.is_datetime() && b.is_interval() && (op == kAdd || op == kSub)) {
    n->fn = DatetimeIntervalFn;
    n->n1 = 0;
  } else if (a.is_interval() && b.is_datetime() && op == kAdd) {
    n->fn = DatetimeIntervalFn;
    n->n1 = 1;
  } else if (a.is_interval() && b.is_interval() && (op == kAdd || op == kSub)) {
    n->fn = IntervalArithFn;
    n->n1 = -1;
  } else if (a.is_interval() && b.is_numeric() && (op == kMul || op == kDiv)) {
    n->fn = IntervalArithFn;
    n->n1 = 1;
  } else if (a.is_numeric() && b.is_interval() && op == kMul) {
    n->fn = IntervalArithFn;
    n->n1 = 0;
  } else if (t.is_decimal() && a.is_decimal() && b.is_decimal()) {
    n->fn = DecimalArithFn;
  } else if (t.is_approximate() && a.is_approximate() && b.is_approximate()) {
    n->fn = DoubleArithFn;
    n->n1 = t.id == TypeId::kFloat ? 1 : 0;
  } else if (t.is_exact_integer() && a.is_exact_integer() && b.is_exact_integer()) {
    n->fn = IntArithFn;
  } else {
    return BadOperands(e);
  }
  return Ok();
}

Status PrecompilePattern(EvalNode* n, size_t index) {
  if (const Datum* f = ConstantArg(*n, index)) {
    Result<DateTimePattern> p = CompilePattern(f->s);
    if (!p.ok()) return Invalid(n->label + ": " + p.status().message());
    n->pattern = std::make_shared<const DateTimePattern>(std::move(*p));
  }
  return Ok();
}

Status PrecompileRegex(EvalNode* n) {
  if (const Datum* p = ConstantArg(*n, 1)) {
    try {
      n->regex = std::make_shared<const std::regex>(p->s, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      return Invalid(n->label + ": invalid regular expression '" + p->s + "': " + error.what());
    }
  }
  return Ok();
}

// Sets n->fn (and its payload) for a call; the arguments are compiled already.
Status CompileCall(const sql::BoundExpression& e, EvalNode* n) {
  const std::string& name = e.name;
  const size_t argc = e.args.size();
  auto arg_type = [&](size_t i) -> const DataType& { return e.args[i]->type; };
  n->label = name;
  if (argc >= 1) n->from = arg_type(0);
  if (argc >= 2) n->from2 = arg_type(1);

  int arith = ArithOpOf(name);
  if (arith >= 0 && argc == 2) return CompileArithmetic(e, arith, n);
  if (name == "NEGATE" && argc == 1) return n->fn = NegateFn, Ok();
  if (name == "||" && argc == 2) return n->fn = ConcatOperatorFn, Ok();

  static const std::pair<const char*, int> kComparisons[] = {{"=", kEq},  {"<>", kNe}, {"<", kLt},
                                                             {"<=", kLe}, {">", kGt},  {">=", kGe}};
  for (const auto& [symbol, op] : kComparisons) {
    if (name == symbol && argc == 2) {
      Rep rep = RepOf(arg_type(0).id);
      switch (op) {
        case kEq: n->fn = CompareFnFor<kEq>(rep); break;
        case kNe: n->fn = CompareFnFor<kNe>(rep); break;
        case kLt: n->fn = CompareFnFor<kLt>(rep); break;
        case kLe: n->fn = CompareFnFor<kLe>(rep); break;
        case kGt: n->fn = CompareFnFor<kGt>(rep); break;
        default: n->fn = CompareFnFor<kGe>(rep); break;
      }
      return Ok();
    }
  }
  if ((name == "IS DISTINCT FROM" || name == "IS NOT DISTINCT FROM") && argc == 2) {
    n->fn = DistinctFn;
    n->op = name == "IS DISTINCT FROM" ? 1 : 0;
    n->n1 = static_cast<int64_t>(RepOf(arg_type(0).id));
    return Ok();
  }
  if (name == "AND" && argc == 2) return n->fn = AndFn, Ok();
  if (name == "OR" && argc == 2) return n->fn = OrFn, Ok();
  if (name == "NOT" && argc == 1) return n->fn = NotFn, Ok();
  static const std::pair<const char*, int> kIs[] = {{"IS NULL", kIsNull},   {"IS NOT NULL", kIsNotNull},
                                                    {"IS TRUE", kIsTrue},   {"IS NOT TRUE", kIsNotTrue},
                                                    {"IS FALSE", kIsFalse}, {"IS NOT FALSE", kIsNotFalse}};
  for (const auto& [test, op] : kIs) {
    if (name == test && argc == 1) {
      n->fn = IsFn;
      n->op = op;
      return Ok();
    }
  }
  if ((name == "BETWEEN" || name == "NOT BETWEEN") && argc == 3) {
    n->fn = BetweenFn;
    n->op = name == "NOT BETWEEN" ? 1 : 0;
    n->n1 = static_cast<int64_t>(RepOf(arg_type(0).id));
    return Ok();
  }
  if ((name == "IN" || name == "NOT IN") && argc >= 2) {
    n->fn = InFn;
    n->op = name == "NOT IN" ? 1 : 0;
    n->n1 = static_cast<int64_t>(RepOf(arg_type(0).id));
    return Ok();
  }
  if ((name == "LIKE" || name == "NOT LIKE") && (argc == 2 || argc == 3)) {
    n->fn = LikeFn;
    n->op = name == "NOT LIKE" ? 1 : 0;
    const Datum* pattern = ConstantArg(*n, 1);
    const Datum* escape = ConstantArg(*n, 2);
    if (pattern && (argc == 2 || escape)) {
      FLOE_ASSIGN_OR_RETURN(LikePattern p, CompileLike(pattern->s, escape ? escape->s : "", argc == 3));
      n->like = std::make_shared<const LikePattern>(std::move(p));
    }
    return Ok();
  }

  // Scalar functions (functions.h).
  if ((name == "ABS" || name == "SIGN") && argc == 1) return n->fn = name == "ABS" ? AbsFn : SignFn, Ok();
  if ((name == "FLOOR" || name == "CEIL" || name == "CEILING") && argc == 1) {
    n->fn = FloorCeilFn;
    n->op = name == "FLOOR" ? 0 : 1;
    return Ok();
  }
  if (name == "ROUND" && (argc == 1 || argc == 2)) {
    n->fn = RoundFn;
    if (argc == 2) {
      if (n->args[1].literal) {
        n->n2 = 1;
        if (n->args[1].value.null) return n->fn = LiteralFn, n->literal = true, n->value = Datum::Null(), Ok();
        n->n1 = n->args[1].value.i;
      } else if (e.type.is_decimal()) {
        return Status::Internal("ROUND of a DECIMAL with non-literal digits");
      }
    }
    return Ok();
  }
  static const std::pair<const char*, int> kMath[] = {{"POWER", kPower}, {"SQRT", kSqrt}, {"EXP", kExp}, {"LN", kLn},
                                                      {"LOG10", kLog10}, {"LOG2", kLog2}, {"LOG", kLog}};
  for (const auto& [fname, op] : kMath) {
    if (name == fname) {
      n->fn = MathFn;
      n->op = op;
      if (argc != (op == kPower ? 2u : 1u) && !(op == kLog && argc == 2)) return Unsupported(e);
      return Ok();
    }
  }
  if ((name == "UPPER" || name == "LOWER" || name == "INITCAP") && argc == 1) {
    n->fn = ChangeCaseFn;
    n->op = name == "UPPER" ? kUpper : (name == "LOWER" ? kLower : kInitCap);
    return Ok();
  }
  if ((name == "TRIM" || name == "LTRIM" || name == "RTRIM") && argc == 1) {
    n->fn = TrimFn;
    n->op = name == "TRIM" ? 0 : (name == "LTRIM" ? 1 : 2);
    return Ok();
  }
  if ((name == "CHAR_LENGTH" || name == "CHARACTER_LENGTH") && argc == 1) return n->fn = CharLengthFn, Ok();
  if (name == "CONCAT" && argc >= 1) return n->fn = ConcatFn, Ok();
  if (name == "CONCAT_WS" && argc >= 2) return n->fn = ConcatWsFn, Ok();
  if ((name == "SUBSTRING" || name == "SUBSTR") && (argc == 2 || argc == 3)) return n->fn = SubstringFn, Ok();
  if (name == "REPLACE" && argc == 3) return n->fn = ReplaceFn, Ok();
  if ((name == "LPAD" || name == "RPAD") && argc == 3) {
    n->fn = PadFn;
    n->op = name == "LPAD" ? 0 : 1;
    return Ok();
  }
  if (name == "REGEXP_EXTRACT" && (argc == 2 || argc == 3)) {
    n->fn = RegexpExtractFn;
    return PrecompileRegex(n);
  }
  if (name == "REGEXP_REPLACE" && argc == 3) {
    n->fn = RegexpReplaceFn;
    return PrecompileRegex(n);
  }
  if (name == "TO_TIMESTAMP_LTZ" && (argc == 1 || argc == 2)) {
    if (arg_type(0).is_character_string()) {
      n->fn = ParseTimeFn;
      n->op = 0;
      return PrecompilePattern(n, 1);
    }
    n->fn = ToTimestampLtzNumberFn;
    n->n1 = 3;
    if (argc == 2) {
      if (!n->args[1].literal || n->args[1].value.null)
        return Status::Internal("TO_TIMESTAMP_LTZ without a literal precision");
      n->n1 = n->args[1].value.i;
    }
    return Ok();
  }
  if ((name == "TO_TIMESTAMP" || name == "TO_DATE") && (argc == 1 || argc == 2)) {
    n->fn = ParseTimeFn;
    n->op = name == "TO_DATE" ? 1 : 0;
    return PrecompilePattern(n, 1);
  }
  if (name == "DATE_FORMAT" && argc == 2) {
    n->fn = DateFormatFn;
    return PrecompilePattern(n, 1);
  }
  if (name == "UNIX_TIMESTAMP" && argc <= 2) {
    n->fn = UnixTimestampFn;
    return PrecompilePattern(n, 1);
  }
  if (name == "FROM_UNIXTIME" && (argc == 1 || argc == 2)) {
    n->fn = FromUnixtimeFn;
    return PrecompilePattern(n, 1);
  }
  static const std::pair<const char*, int> kFields[] = {
      {"YEAR", kYear}, {"MONTH", kMonth},   {"DAYOFMONTH", kDayOfMonth},
      {"HOUR", kHour}, {"MINUTE", kMinute}, {"SECOND", kSecond}};
  for (const auto& [fname, op] : kFields) {
    if (name == fname && argc == 1) {
      n->fn = ExtractFn;
      n->op = op;
      return Ok();
    }
  }
  if (argc == 0) {
    if (name == "CURRENT_TIMESTAMP" || name == "NOW" || name == "LOCALTIMESTAMP") {
      return n->fn = NowFn, n->op = kNowTimestamp, Ok();
    }
    if (name == "CURRENT_DATE") return n->fn = NowFn, n->op = kNowDate, Ok();
    if (name == "CURRENT_TIME" || name == "LOCALTIME") return n->fn = NowFn, n->op = kNowTime, Ok();
  }
  if ((name == "COALESCE" && argc >= 1) || (name == "IFNULL" && argc == 2)) return n->fn = CoalesceFn, Ok();
  if (name == "NULLIF" && argc == 2) {
    n->fn = NullIfFn;
    n->n1 = static_cast<int64_t>(RepOf(arg_type(0).id));
    return Ok();
  }
  if (name == "IF" && argc == 3) return n->fn = IfFn, Ok();
  if ((name == "GREATEST" || name == "LEAST") && argc >= 1) {
    n->fn = GreatestLeastFn;
    n->op = name == "GREATEST" ? 0 : 1;
    n->n1 = static_cast<int64_t>(RepOf(arg_type(0).id));
    return Ok();
  }
  return Unsupported(e);
}

bool IsWallClock(const EvalNode& n) {
  return n.fn == NowFn || (n.fn == UnixTimestampFn && n.args.empty());
}

Result<EvalNode> Build(const sql::BoundExpression& e, const CompileContext& context) {
  EvalNode n;
  n.type = e.type;
  auto reference = [&](int base, const char* what) -> Result<EvalNode> {
    if (base < 0 || e.index < 0) {
      return Status::Internal(std::string(what) + " " + std::to_string(e.index) + " (" + e.ToString() +
                              ") is not allowed in this expression");
    }
    n.fn = ColumnFn;
    n.slot = base + e.index;
    return std::move(n);
  };
  switch (e.kind) {
    case sql::BoundExprKind::kLiteral:
      n.fn = LiteralFn;
      n.literal = true;
      n.value = e.value ? DatumFromValue(*e.value) : Datum::Null();
      return n;
    case sql::BoundExprKind::kColumnRef: return reference(context.column_base, "column");
    case sql::BoundExprKind::kGroupRef: return reference(context.group_base, "group key");
    case sql::BoundExprKind::kAggregateRef: return reference(context.aggregate_base, "aggregate");
    case sql::BoundExprKind::kCall:
    case sql::BoundExprKind::kCast:
    case sql::BoundExprKind::kCase: break;
  }
  for (const sql::BoundExprPtr& arg : e.args) {
    FLOE_ASSIGN_OR_RETURN(EvalNode child, Build(*arg, context));
    n.args.push_back(std::move(child));
  }
  if (e.kind == sql::BoundExprKind::kCast) {
    if (n.args.size() != 1) return Status::Internal("CAST with " + std::to_string(n.args.size()) + " operands");
    n.fn = CastFn;
    n.from = e.args[0]->type;
    n.try_cast = e.try_cast;
    n.label = "CAST";
    if (!n.from.is_null() && !sql::CanCast(n.from, e.type)) {
      return Status::Internal("no CAST from " + n.from.Name() + " to " + e.type.Name());
    }
  } else if (e.kind == sql::BoundExprKind::kCase) {
    if (n.args.size() % 2 != 1) return Status::Internal("CASE with an even number of operands");
    n.fn = CaseFn;
    n.label = "CASE";
  } else {
    FLOE_RETURN_IF_ERROR(CompileCall(e, &n));
  }
  if (n.literal) return n;
  // Fold a call on constants once, unless it reads the wall clock or fails (the error then stays a runtime error,
  // raised only for rows that reach it).
  bool constant = !IsWallClock(n) && std::all_of(n.args.begin(), n.args.end(), IsConstantNode);
  if (constant) {
    Datum value;
    if (n.fn(n, Row{}, &value).ok()) {
      EvalNode folded;
      folded.fn = LiteralFn;
      folded.type = n.type;
      folded.literal = true;
      folded.value = std::move(value);
      return folded;
    }
  }
  return n;
}

}  // namespace

Result<CompiledExpression> CompiledExpression::Compile(const sql::BoundExprPtr& expr, const CompileContext& context) {
  if (!expr) return Status::Internal("CompiledExpression::Compile of a null expression");
  FLOE_ASSIGN_OR_RETURN(EvalNode root, Build(*expr, context));
  return CompiledExpression(std::make_shared<const EvalNode>(std::move(root)), expr->type);
}

Status CompiledExpression::Evaluate(const Row& row, Datum* out) const {
  return root_->fn(*root_, row, out);
}

Status CompiledExpression::EvaluateFilter(const Row& row, bool* keep) const {
  const EvalNode& n = *root_;
  Datum scratch;
  const Datum* result;
  FLOE_RETURN_IF_ERROR(Arg(n, row, &scratch, &result));
  *keep = !result->null && result->b;
  return Ok();
}

}  // namespace floe::stream
