#include "floe/iceberg/transforms.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "floe/base/civil_time.h"

namespace floe::iceberg {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr int64_t kNanosPerMicro = 1'000;

bool IsNanosType(TypeId id) {
  return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
}

// Micros (or nanos for the _ns types) of a timestamp, as micros rounded toward negative infinity: the spec hashes
// and partitions nanosecond timestamps at microsecond precision.
int64_t TimestampMicros(const Literal& v) {
  return IsNanosType(v.type_id()) ? FloorDiv(v.as_long(), kNanosPerMicro) : v.as_long();
}

void AppendLittleEndian64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The fewest big-endian two's-complement bytes that hold `v` (Java's BigInteger.toByteArray).
std::string MinimalBigEndian(__int128 v) {
  std::string bytes;
  for (int i = 15; i >= 0; --i) bytes.push_back(static_cast<char>(static_cast<unsigned __int128>(v) >> (8 * i)));
  size_t start = 0;
  // Drop a leading byte while it is only sign extension of the next one.
  while (start + 1 < bytes.size()) {
    const auto b = static_cast<uint8_t>(bytes[start]);
    const auto next = static_cast<uint8_t>(bytes[start + 1]);
    if ((b == 0x00 && (next & 0x80) == 0) || (b == 0xff && (next & 0x80) != 0)) {
      ++start;
    } else {
      break;
    }
  }
  return bytes.substr(start);
}

int32_t HashLong(int64_t v) {
  std::string bytes;
  AppendLittleEndian64(&bytes, static_cast<uint64_t>(v));
  return Murmur3Hash32(bytes);
}

int32_t HashDouble(double d) {
  uint64_t bits;
  if (std::isnan(d)) {
    bits = 0x7ff8000000000000ULL;
  } else {
    if (d == 0.0) d = 0.0;  // -0.0 hashes as 0.0
    bits = std::bit_cast<uint64_t>(d);
  }
  return HashLong(static_cast<int64_t>(bits));
}

// ---- Human strings (Java's Transform.toHumanString) ----

std::string FormatYear(int64_t year) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04lld", static_cast<long long>(year));
  return buf;
}

// java.time's ISO year: four digits, a sign when outside 0000..9999.
std::string IsoYear(int64_t year) {
  char buf[32];
  if (year > 9999) {
    std::snprintf(buf, sizeof(buf), "+%lld", static_cast<long long>(year));
  } else if (year < 0) {
    std::snprintf(buf, sizeof(buf), "-%04lld", static_cast<long long>(-year));
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld", static_cast<long long>(year));
  }
  return buf;
}

std::string HumanDay(int64_t days) {
  const CivilDate d = CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s-%02d-%02d", FormatYear(d.year).c_str(), d.month, d.day);
  return buf;
}

std::string HumanMonth(int64_t months) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s-%02lld", FormatYear(1970 + FloorDiv(months, 12)).c_str(),
                static_cast<long long>(1 + FloorMod(months, 12)));
  return buf;
}

std::string HumanHour(int64_t hours) {
  const CivilDate d = CivilFromDays(FloorDiv(hours, 24));
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s-%02d-%02d-%02lld", FormatYear(d.year).c_str(), d.month, d.day,
                static_cast<long long>(FloorMod(hours, 24)));
  return buf;
}

// java.time.LocalTime.toString: "HH:mm", then ":ss" when seconds or a fraction are non-zero, then the fraction in
// groups of three digits.
std::string HumanTime(int64_t micros) {
  const int64_t nanos = micros * kNanosPerMicro;
  const int64_t total_seconds = nanos / 1'000'000'000;
  const int64_t frac = nanos % 1'000'000'000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld", static_cast<long long>(total_seconds / 3600),
                static_cast<long long>((total_seconds / 60) % 60));
  std::string out = buf;
  const int64_t seconds = total_seconds % 60;
  if (seconds > 0 || frac > 0) {
    std::snprintf(buf, sizeof(buf), ":%02lld", static_cast<long long>(seconds));
    out += buf;
    if (frac > 0) {
      if (frac % 1'000'000 == 0) {
        std::snprintf(buf, sizeof(buf), ".%03lld", static_cast<long long>(frac / 1'000'000));
      } else if (frac % 1'000 == 0) {
        std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac / 1'000));
      } else {
        std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(frac));
      }
      out += buf;
    }
  }
  return out;
}

// DateTimeFormatter.ISO_LOCAL_DATE_TIME: seconds always, a fraction only when non-zero and without trailing zeros.
// `units_per_second` is 10^6 for micros, 10^9 for nanos.
std::string HumanTimestamp(int64_t value, int64_t units_per_second, bool with_zone) {
  const int64_t units_per_day = 86'400 * units_per_second;
  const int64_t days = FloorDiv(value, units_per_day);
  const int64_t in_day = FloorMod(value, units_per_day);
  const int64_t seconds = in_day / units_per_second;
  const int64_t frac = in_day % units_per_second;
  const CivilDate d = CivilFromDays(days);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%s-%02d-%02dT%02lld:%02lld:%02lld", IsoYear(d.year).c_str(), d.month, d.day,
                static_cast<long long>(seconds / 3600), static_cast<long long>((seconds / 60) % 60),
                static_cast<long long>(seconds % 60));
  std::string out = buf;
  if (frac > 0) {
    const int digits = units_per_second == 1'000'000 ? 6 : 9;
    std::snprintf(buf, sizeof(buf), ".%0*lld", digits, static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  if (with_zone) out += "+00:00";
  return out;
}

// Java's Float/Double.toString: the shortest digits that round-trip, plain for 10^-3 <= |v| < 10^7 (at least one
// digit after the point), otherwise "d.dddE<exp>".
template <typename F>
std::string JavaFloatingString(F v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string out;
  if (sci[0] == '-') {
    out.push_back('-');
    sci.erase(0, 1);
  }
  const size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  const int exponent = std::stoi(sci.substr(e + 1));
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  // value = 0.d1d2d3... * 10^(exponent + 1)
  if (exponent >= -3 && exponent < 7) {
    const int point = exponent + 1;  // digits before the decimal point
    if (point <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-point), '0');
      out += digits;
    } else {
      if (static_cast<int>(digits.size()) <= point) {
        out += digits;
        out.append(static_cast<size_t>(point) - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, static_cast<size_t>(point));
        out += ".";
        out += digits.substr(static_cast<size_t>(point));
      }
    }
  } else {
    out += digits.substr(0, 1);
    out += ".";
    out += digits.size() > 1 ? digits.substr(1) : "0";
    out += "E" + std::to_string(exponent);
  }
  return out;
}

// java.math.BigDecimal.toString for a non-negative scale: plain unless the adjusted exponent is below -6.
std::string JavaDecimalString(__int128 unscaled, int32_t scale) {
  std::string digits = Int128ToString(unscaled);
  std::string sign;
  if (digits[0] == '-') {
    sign = "-";
    digits.erase(0, 1);
  }
  if (scale <= 0) return sign + digits;  // Iceberg scales are never negative
  const int64_t adjusted = static_cast<int64_t>(digits.size()) - 1 - scale;
  if (adjusted >= -6) {
    if (static_cast<int64_t>(digits.size()) <= scale) {
      return sign + "0." + std::string(static_cast<size_t>(scale) - digits.size(), '0') + digits;
    }
    const size_t point = digits.size() - static_cast<size_t>(scale);
    return sign + digits.substr(0, point) + "." + digits.substr(point);
  }
  std::string out = sign + digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  return out + "E" + std::to_string(adjusted);
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string UuidString(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    const auto b = static_cast<uint8_t>(bytes[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// A value by its own type (Java's default toHumanString for identity, truncate and void results).
std::string HumanValue(const Literal& v) {
  switch (v.type_id()) {
    case TypeId::kBoolean: return v.as_bool() ? "true" : "false";
    case TypeId::kInt: return std::to_string(v.as_int());
    case TypeId::kLong: return std::to_string(v.as_long());
    case TypeId::kFloat: return JavaFloatingString(v.as_float());
    case TypeId::kDouble: return JavaFloatingString(v.as_double());
    case TypeId::kDecimal: return JavaDecimalString(v.as_decimal().unscaled, v.type->scale);
    case TypeId::kDate: return HumanDay(v.as_int());
    case TypeId::kTime: return HumanTime(v.as_long());
    case TypeId::kTimestamp: return HumanTimestamp(v.as_long(), 1'000'000, false);
    case TypeId::kTimestampTz: return HumanTimestamp(v.as_long(), 1'000'000, true);
    case TypeId::kTimestampNs: return HumanTimestamp(v.as_long(), 1'000'000'000, false);
    case TypeId::kTimestampTzNs: return HumanTimestamp(v.as_long(), 1'000'000'000, true);
    case TypeId::kString: return v.as_bytes();
    case TypeId::kUuid: return UuidString(v.as_bytes());
    case TypeId::kFixed:
    case TypeId::kBinary: return Base64(v.as_bytes());
    default: return v.ToString();
  }
}

// An integer-valued partition value (int, date) whatever its representation.
int64_t OrdinalOf(const Literal& v) {
  if (std::holds_alternative<int32_t>(v.value)) return v.as_int();
  if (std::holds_alternative<int64_t>(v.value)) return v.as_long();
  return 0;
}

void UrlEncodeTo(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '.' || b == '-' ||
        b == '*' || b == '_') {
      out->push_back(c);
    } else if (b == ' ') {
      out->push_back('+');
    } else {
      out->push_back('%');
      out->push_back(kHex[b >> 4]);
      out->push_back(kHex[b & 15]);
    }
  }
}

// The first `w` code points of UTF-8 `s` (a code point starts at every byte that is not 10xxxxxx).
std::string TruncateUtf8(const std::string& s, int32_t w) {
  int32_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<uint8_t>(s[i]) & 0xC0) != 0x80) {
      if (seen == w) return s.substr(0, i);
      ++seen;
    }
  }
  return s;
}

Result<Literal> ApplyTruncate(int32_t w, const Literal& v, const TypePtr& result_type) {
  switch (v.type_id()) {
    case TypeId::kInt: {
      const int64_t x = v.as_int();
      // Computed wide, then wrapped to 32 bits as Java's int arithmetic does (only INT_MIN-ish values wrap).
      const int64_t t = x - (((x % w) + w) % w);
      return Literal::Of(result_type, static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(t))));
    }
    case TypeId::kLong: {
      const int64_t x = v.as_long();
      const int64_t rem = ((x % w) + w) % w;
      return Literal::Of(result_type, static_cast<int64_t>(static_cast<uint64_t>(x) - static_cast<uint64_t>(rem)));
    }
    case TypeId::kDecimal: {
      const __int128 x = v.as_decimal().unscaled;
      return Literal::Of(result_type, DecimalValue{x - (((x % w) + w) % w)});
    }
    case TypeId::kString: return Literal::Of(result_type, TruncateUtf8(v.as_bytes(), w));
    case TypeId::kBinary: return Literal::Of(result_type, v.as_bytes().substr(0, static_cast<size_t>(w)));
    default:
      return Status::InvalidArgument("truncate[" + std::to_string(w) + "] does not apply to type " +
                                     v.type->ToString());
  }
}

// year/month/day/hour of a date or timestamp, as units since 1970 rounded toward negative infinity.
Result<int64_t> ApplyTime(TransformKind kind, const Literal& v) {
  int64_t days;
  int64_t micros = 0;
  const bool is_date = v.type_id() == TypeId::kDate;
  if (is_date) {
    days = v.as_int();
  } else {
    micros = TimestampMicros(v);
    days = FloorDiv(micros, kMicrosPerDay);
  }
  switch (kind) {
    case TransformKind::kDay: return days;
    case TransformKind::kHour:
      if (is_date) return Status::InvalidArgument("hour does not apply to type date");
      return FloorDiv(micros, kMicrosPerHour);
    case TransformKind::kYear: return static_cast<int64_t>(CivilFromDays(days).year) - 1970;
    case TransformKind::kMonth: {
      const CivilDate d = CivilFromDays(days);
      return (static_cast<int64_t>(d.year) - 1970) * 12 + (static_cast<int64_t>(d.month) - 1);
    }
    default: return Status::Internal("not a time transform");
  }
}

}  // namespace

int32_t Murmur3Hash32(std::string_view bytes) {
  constexpr uint32_t c1 = 0xcc9e2d51;
  constexpr uint32_t c2 = 0x1b873593;
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t len = bytes.size();
  uint32_t h = 0;  // seed 0
  const size_t blocks = len / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k = static_cast<uint32_t>(data[4 * i]) | (static_cast<uint32_t>(data[4 * i + 1]) << 8) |
                 (static_cast<uint32_t>(data[4 * i + 2]) << 16) | (static_cast<uint32_t>(data[4 * i + 3]) << 24);
    k *= c1;
    k = std::rotl(k, 15);
    k *= c2;
    h ^= k;
    h = std::rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  const uint8_t* tail = data + blocks * 4;
  uint32_t k = 0;
  switch (len & 3) {
    case 3: k ^= static_cast<uint32_t>(tail[2]) << 16; [[fallthrough]];
    case 2: k ^= static_cast<uint32_t>(tail[1]) << 8; [[fallthrough]];
    case 1:
      k ^= tail[0];
      k *= c1;
      k = std::rotl(k, 15);
      k *= c2;
      h ^= k;
  }
  h ^= static_cast<uint32_t>(len);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

int32_t BucketHash(const Literal& value) {
  switch (value.type_id()) {
    case TypeId::kBoolean: return HashLong(value.as_bool() ? 1 : 0);
    case TypeId::kInt:
    case TypeId::kDate: return HashLong(value.as_int());
    case TypeId::kLong:
    case TypeId::kTime: return HashLong(value.as_long());
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: return HashLong(TimestampMicros(value));
    case TypeId::kFloat: return HashDouble(static_cast<double>(value.as_float()));
    case TypeId::kDouble: return HashDouble(value.as_double());
    case TypeId::kDecimal: return Murmur3Hash32(MinimalBigEndian(value.as_decimal().unscaled));
    default: return Murmur3Hash32(value.as_bytes());  // string, uuid, fixed, binary
  }
}

Result<std::optional<Literal>> ApplyTransform(const Transform& transform, const std::optional<Literal>& value) {
  if (!value.has_value()) return std::optional<Literal>();
  FLOE_ASSIGN_OR_RETURN(TypePtr result_type, transform.ResultType(value->type));
  switch (transform.kind) {
    case TransformKind::kVoid: return std::optional<Literal>();
    case TransformKind::kIdentity: return std::optional<Literal>(*value);
    case TransformKind::kBucket: {
      if (transform.param <= 0) {
        return Status::InvalidArgument("bucket[" + std::to_string(transform.param) +
                                       "]: the bucket count must be positive");
      }
      const uint32_t hash = static_cast<uint32_t>(BucketHash(*value)) & 0x7fffffffu;
      return std::optional<Literal>(
          Literal::Of(result_type, static_cast<int32_t>(hash % static_cast<uint32_t>(transform.param))));
    }
    case TransformKind::kTruncate: {
      if (transform.param <= 0) {
        return Status::InvalidArgument("truncate[" + std::to_string(transform.param) + "]: the width must be positive");
      }
      FLOE_ASSIGN_OR_RETURN(Literal out, ApplyTruncate(transform.param, *value, result_type));
      return std::optional<Literal>(std::move(out));
    }
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
    case TransformKind::kHour: {
      FLOE_ASSIGN_OR_RETURN(int64_t units, ApplyTime(transform.kind, *value));
      return std::optional<Literal>(Literal::Of(result_type, static_cast<int32_t>(units)));
    }
  }
  return Status::Internal("unknown transform kind");
}

std::string PartitionPathValue(const Transform& transform, const std::optional<Literal>& value) {
  if (!value.has_value()) return "null";
  switch (transform.kind) {
    case TransformKind::kYear: return FormatYear(1970 + OrdinalOf(*value));
    case TransformKind::kMonth: return HumanMonth(OrdinalOf(*value));
    case TransformKind::kDay: return HumanDay(OrdinalOf(*value));
    case TransformKind::kHour: return HumanHour(OrdinalOf(*value));
    case TransformKind::kBucket: return std::to_string(OrdinalOf(*value));
    default: return HumanValue(*value);
  }
}

std::string PartitionPath(const PartitionSpec& spec, const PartitionValues& values) {
  std::string out;
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    if (i > 0) out.push_back('/');
    UrlEncodeTo(spec.fields[i].name, &out);
    out.push_back('=');
    const std::optional<Literal> none;
    UrlEncodeTo(PartitionPathValue(spec.fields[i].transform, i < values.size() ? values[i] : none), &out);
  }
  return out;
}

}  // namespace floe::iceberg
