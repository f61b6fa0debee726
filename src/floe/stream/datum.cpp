#include "floe/stream/datum.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace floe::stream {
namespace {

using sql::TypeId;

// The member of Datum a type's values live in (datum.h's table).
enum class Rep { kNone, kBool, kInt, kDouble, kDecimal, kString };

Rep RepOf(TypeId id) {
  switch (id) {
    case TypeId::kNull: return Rep::kNone;
    case TypeId::kBoolean: return Rep::kBool;
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInt:
    case TypeId::kBigInt:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampLtz:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalYearMonth: return Rep::kInt;
    case TypeId::kFloat:
    case TypeId::kDouble: return Rep::kDouble;
    case TypeId::kDecimal: return Rep::kDecimal;
    case TypeId::kChar:
    case TypeId::kVarChar:
    case TypeId::kBinary:
    case TypeId::kVarBinary: return Rep::kString;
  }
  return Rep::kNone;
}

// Flink's order of doubles: NaN equals NaN and is above +Infinity; -0.0 equals 0.0 (SQL equality).
int CompareDouble(double a, double b) {
  const bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return a < b ? -1 : (a > b ? 1 : 0);
}

uint64_t Mix(uint64_t x) {
  // The splitmix64 finalizer: every input bit affects every output bit.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = Mix(h ^ w) + 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return Mix(h ^ tail ^ (static_cast<uint64_t>(s.size() - i) << 59));
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

// Java's Double.toString / Float.toString layout over the shortest round-tripping digits: plain notation with at
// least one fraction digit for 1e-3 <= |v| < 1e7 ("21.5", "42.0"), else "d.dddE[-]n" ("1.0E10", "1.5E-5").
std::string JavaStyleNumber(double v, bool is_float) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  std::to_chars_result r =
      is_float ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v), std::chars_format::scientific)
               : std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // "-2.15e+01"
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (sci[i] != '.') digits += sci[i];
  }
  std::string out = negative ? "-" : "";
  double magnitude = std::fabs(v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent >= 0) {
      size_t int_digits = static_cast<size_t>(exponent) + 1;
      if (digits.size() < int_digits) digits.append(int_digits - digits.size(), '0');
      std::string fraction = digits.substr(int_digits);
      out += digits.substr(0, int_digits) + "." + (fraction.empty() ? "0" : fraction);
    } else {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  std::string fraction = digits.substr(1);
  out += digits.substr(0, 1) + "." + (fraction.empty() ? "0" : fraction) + "E" + std::to_string(exponent);
  return out;
}

std::string DecimalText(sql::Int128 unscaled, int32_t scale) {
  bool negative = unscaled < 0;
  std::string digits = sql::Int128ToString(unscaled);
  if (negative) digits.erase(0, 1);
  if (scale > 0) {
    if (static_cast<int32_t>(digits.size()) <= scale) {
      digits.insert(0, static_cast<size_t>(scale) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return negative ? "-" + digits : digits;
}

// Flink's text of an interval: "+10 00:00:00.000" (DAY TO SECOND), "+1-02" (YEAR TO MONTH).
std::string IntervalText(int64_t v, TypeId id) {
  bool negative = v < 0;
  uint64_t m = negative ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string out = negative ? "-" : "+";
  if (id == TypeId::kIntervalYearMonth) {
    return out + std::to_string(m / 12) + "-" + Pad(static_cast<int64_t>(m % 12), 2);
  }
  uint64_t ms = m % 1000, s = m / 1000;
  return out + std::to_string(s / 86400) + " " + Pad(static_cast<int64_t>(s / 3600 % 24), 2) + ":" +
         Pad(static_cast<int64_t>(s / 60 % 60), 2) + ":" + Pad(static_cast<int64_t>(s % 60), 2) + "." +
         Pad(static_cast<int64_t>(ms), 3);
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

void AppendUnsigned(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void AppendUnsigned128(unsigned __int128 v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(static_cast<uint8_t>(v) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(static_cast<uint8_t>(v)));
}

Status Truncated(const sql::DataType& type, size_t pos) {
  return Status::Corruption("datum of type " + type.Name() + " at offset " + std::to_string(pos) +
                            ": the encoding ends early");
}

// LEB128 of at most `max_bits` bits; false when the bytes end or the value is too long.
template <typename T>
bool ReadUnsigned(std::string_view in, size_t* pos, T* out) {
  constexpr int kBits = sizeof(T) * 8;
  T v = 0;
  size_t p = *pos;
  for (int shift = 0; shift < kBits; shift += 7) {
    if (p >= in.size()) return false;
    uint8_t b = static_cast<uint8_t>(in[p++]);
    v |= static_cast<T>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      *pos = p;
      return true;
    }
  }
  return false;
}

}  // namespace

Datum DatumFromValue(const sql::Value& value) {
  if (value.is_null()) return Datum::Null();
  switch (RepOf(value.type().id)) {
    case Rep::kNone: return Datum::Null();
    case Rep::kBool: return Datum::Bool(value.boolean());
    case Rep::kInt: return Datum::Int(value.int64());
    case Rep::kDouble: return Datum::Double(value.float64());
    case Rep::kDecimal: return Datum::Decimal(value.decimal_unscaled());
    case Rep::kString: return Datum::String(value.string());
  }
  return Datum::Null();
}

sql::Value ValueFromDatum(const Datum& datum, const sql::DataType& type) {
  if (datum.null) return sql::Value::Null(type);
  switch (RepOf(type.id)) {
    case Rep::kNone: return sql::Value::Null(type);
    case Rep::kBool: return sql::Value::Boolean(datum.b);
    case Rep::kInt: return sql::Value::Int64(type, datum.i);
    case Rep::kDouble: return sql::Value::Approximate(type, datum.d);
    case Rep::kDecimal: return sql::Value::Decimal(type, datum.dec);
    case Rep::kString: return sql::Value::String(type, datum.s);
  }
  return sql::Value::Null(type);
}

bool DatumEquals(const Datum& a, const Datum& b, const sql::DataType& type) {
  if (a.null || b.null) return a.null == b.null;
  switch (RepOf(type.id)) {
    case Rep::kNone: return true;
    case Rep::kBool: return a.b == b.b;
    case Rep::kInt: return a.i == b.i;
    case Rep::kDouble: return CompareDouble(a.d, b.d) == 0;
    case Rep::kDecimal: return a.dec == b.dec;
    case Rep::kString: return a.s == b.s;
  }
  return false;
}

int DatumCompare(const Datum& a, const Datum& b, const sql::DataType& type) {
  if (a.null || b.null) return a.null == b.null ? 0 : (a.null ? -1 : 1);
  switch (RepOf(type.id)) {
    case Rep::kNone: return 0;
    case Rep::kBool: return a.b == b.b ? 0 : (a.b ? 1 : -1);
    case Rep::kInt: return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    case Rep::kDouble: return CompareDouble(a.d, b.d);
    case Rep::kDecimal: return a.dec < b.dec ? -1 : (a.dec > b.dec ? 1 : 0);
    case Rep::kString: {
      int c = std::string_view(a.s).compare(b.s);  // bytes, which is code point order for UTF-8
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
  return 0;
}

uint64_t DatumHash(const Datum& a, const sql::DataType& type) {
  if (a.null) return 0x6e756c6c6e756c6cULL;
  switch (RepOf(type.id)) {
    case Rep::kNone: return 0x6e756c6c6e756c6cULL;
    case Rep::kBool: return Mix(a.b ? 1 : 2);
    case Rep::kInt: return Mix(static_cast<uint64_t>(a.i));
    case Rep::kDouble: {
      // Equal doubles must hash alike: one NaN, and 0.0 for -0.0.
      double d = std::isnan(a.d) ? std::numeric_limits<double>::quiet_NaN() : (a.d == 0 ? 0.0 : a.d);
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      return Mix(bits ^ 0x5bd1e995ULL);
    }
    case Rep::kDecimal: {
      auto u = static_cast<unsigned __int128>(a.dec);
      return Mix(Mix(static_cast<uint64_t>(u)) ^ static_cast<uint64_t>(u >> 64));
    }
    case Rep::kString: return HashBytes(a.s);
  }
  return 0;
}

std::string DatumToString(const Datum& datum, const sql::DataType& type) {
  if (datum.null) return "NULL";
  switch (type.id) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return datum.b ? "TRUE" : "FALSE";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInt:
    case TypeId::kBigInt: return std::to_string(datum.i);
    case TypeId::kFloat: return JavaStyleNumber(datum.d, /*is_float=*/true);
    case TypeId::kDouble: return JavaStyleNumber(datum.d, /*is_float=*/false);
    case TypeId::kDecimal: return DecimalText(datum.dec, type.scale);
    case TypeId::kChar:
    case TypeId::kVarChar: return datum.s;
    case TypeId::kBinary:
    case TypeId::kVarBinary: {
      static const char kHex[] = "0123456789abcdef";
      std::string out = "x'";
      for (unsigned char c : datum.s) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out + "'";
    }
    case TypeId::kDate: return sql::FormatDate(datum.i);
    case TypeId::kTime: return sql::FormatTime(datum.i, type.precision);
    case TypeId::kTimestamp:
    case TypeId::kTimestampLtz: return sql::FormatTimestamp(datum.i, type.precision);
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalYearMonth: return IntervalText(datum.i, type.id);
  }
  return "?";
}

// Encoding: booleans are one byte (0 null, 1 false, 2 true); every other type is a byte 0 (null) or 1 (value)
// followed by the value: integers as ZigZag LEB128, doubles as 8 little-endian bytes of IEEE 754, decimals as ZigZag
// LEB128 of the 128-bit unscaled value, strings and bytes as LEB128 length then the bytes.
void EncodeDatum(const Datum& datum, const sql::DataType& type, std::string* out) {
  Rep rep = RepOf(type.id);
  if (rep == Rep::kBool) {
    out->push_back(static_cast<char>(datum.null ? 0 : (datum.b ? 2 : 1)));
    return;
  }
  out->push_back(static_cast<char>(datum.null || rep == Rep::kNone ? 0 : 1));
  if (datum.null) return;
  switch (rep) {
    case Rep::kNone:
    case Rep::kBool: return;
    case Rep::kInt: AppendUnsigned(ZigZag(datum.i), out); return;
    case Rep::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &datum.d, sizeof bits);
      for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(bits >> (8 * i)));
      return;
    }
    case Rep::kDecimal: {
      auto u = static_cast<unsigned __int128>(datum.dec);
      AppendUnsigned128((u << 1) ^ static_cast<unsigned __int128>(datum.dec >> 127), out);
      return;
    }
    case Rep::kString:
      AppendUnsigned(datum.s.size(), out);
      out->append(datum.s);
      return;
  }
}

Status DecodeDatum(std::string_view in, size_t* pos, const sql::DataType& type, Datum* out) {
  const size_t start = *pos;
  if (*pos >= in.size()) return Truncated(type, start);
  const auto tag = static_cast<uint8_t>(in[*pos]);
  Rep rep = RepOf(type.id);
  uint8_t max_tag = rep == Rep::kBool ? 2 : (rep == Rep::kNone ? 0 : 1);
  if (tag > max_tag) {
    return Status::Corruption("datum of type " + type.Name() + " at offset " + std::to_string(start) + ": null flag " +
                              std::to_string(tag) + " is not one of 0.." + std::to_string(max_tag));
  }
  ++*pos;
  if (tag == 0) {
    out->SetNull();
    return Status::Ok();
  }
  switch (rep) {
    case Rep::kNone: break;
    case Rep::kBool: out->SetBool(tag == 2); break;
    case Rep::kInt: {
      uint64_t u;
      if (!ReadUnsigned(in, pos, &u)) return Truncated(type, start);
      out->SetInt(static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1)));
      break;
    }
    case Rep::kDouble: {
      if (in.size() - *pos < 8) return Truncated(type, start);
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits |= static_cast<uint64_t>(static_cast<uint8_t>(in[*pos + i])) << (8 * i);
      *pos += 8;
      double d;
      std::memcpy(&d, &bits, sizeof d);
      out->SetDouble(d);
      break;
    }
    case Rep::kDecimal: {
      unsigned __int128 u;
      if (!ReadUnsigned(in, pos, &u)) return Truncated(type, start);
      unsigned __int128 neg = ~(u & 1) + 1;
      out->SetDecimal(static_cast<Int128>((u >> 1) ^ neg));
      break;
    }
    case Rep::kString: {
      uint64_t n;
      if (!ReadUnsigned(in, pos, &n) || in.size() - *pos < n) return Truncated(type, start);
      out->SetString(in.substr(*pos, n));
      *pos += n;
      break;
    }
  }
  return Status::Ok();
}

}  // namespace floe::stream
