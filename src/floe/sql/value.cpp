#include "floe/sql/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace floe::sql {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

bool IsLeapYear(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int DaysInMonth(int64_t year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Reads 1..max_digits decimal digits at text[*i]; false when there are none.
bool ReadDigits(std::string_view text, size_t* i, size_t max_digits, int64_t* out, size_t* count = nullptr) {
  size_t start = *i;
  int64_t v = 0;
  while (*i < text.size() && *i - start < max_digits && text[*i] >= '0' && text[*i] <= '9') {
    v = v * 10 + (text[*i] - '0');
    ++*i;
  }
  if (count) *count = *i - start;
  *out = v;
  return *i > start;
}

Status Malformed(std::string_view expected) {
  return Status::InvalidArgument("expected " + std::string(expected));
}

Result<int64_t> ParseDatePart(std::string_view text, size_t* i) {
  int64_t year = 0, month = 0, day = 0;
  if (!ReadDigits(text, i, 4, &year) || *i >= text.size() || text[*i] != '-') return Malformed("'YYYY-MM-DD'");
  ++*i;
  if (!ReadDigits(text, i, 2, &month) || *i >= text.size() || text[*i] != '-') return Malformed("'YYYY-MM-DD'");
  ++*i;
  if (!ReadDigits(text, i, 2, &day)) return Malformed("'YYYY-MM-DD'");
  if (month < 1 || month > 12) return Status::InvalidArgument("month " + std::to_string(month) + " is out of range");
  if (day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    return Status::InvalidArgument("day " + std::to_string(day) + " is out of range for " + std::to_string(year) + "-" +
                                   (month < 10 ? "0" : "") + std::to_string(month));
  }
  return DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
}

Result<int64_t> ParseTimePart(std::string_view text, size_t* i, int32_t* precision) {
  int64_t hour = 0, minute = 0, second = 0, fraction = 0;
  size_t digits = 0;
  if (!ReadDigits(text, i, 2, &hour) || *i >= text.size() || text[*i] != ':') return Malformed("'HH:MM:SS[.fff]'");
  ++*i;
  if (!ReadDigits(text, i, 2, &minute)) return Malformed("'HH:MM:SS[.fff]'");
  if (*i < text.size() && text[*i] == ':') {
    ++*i;
    if (!ReadDigits(text, i, 2, &second)) return Malformed("'HH:MM:SS[.fff]'");
    if (*i < text.size() && text[*i] == '.') {
      ++*i;
      ReadDigits(text, i, 9, &fraction, &digits);
      if (*i < text.size() && text[*i] >= '0' && text[*i] <= '9') return Malformed("at most 9 fractional digits");
    }
  }
  if (hour > 23) return Status::InvalidArgument("hour " + std::to_string(hour) + " is out of range");
  if (minute > 59) return Status::InvalidArgument("minute " + std::to_string(minute) + " is out of range");
  if (second > 59) return Status::InvalidArgument("second " + std::to_string(second) + " is out of range");
  if (digits > 6) {
    return Status::InvalidArgument("more than 6 fractional digits (floe keeps timestamps in microseconds)");
  }
  for (size_t d = digits; d < 6; ++d) fraction *= 10;
  *precision = static_cast<int32_t>(digits);
  return ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + fraction;
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  if (static_cast<int>(s.size()) < width) s.insert(0, static_cast<size_t>(width) - s.size(), '0');
  return s;
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
  return out;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "CAST('NaN' AS DOUBLE)";
  if (std::isinf(v)) return v > 0 ? "CAST('Infinity' AS DOUBLE)" : "CAST('-Infinity' AS DOUBLE)";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, end);
  bool has_exponent = false;
  for (char& c : s) {
    if (c == 'e') {
      c = 'E';
      has_exponent = true;
    }
  }
  // An exponent makes it an approximate (DOUBLE) literal when read back.
  if (!has_exponent) s += "E0";
  return s;
}

std::string FormatInterval(const Value& v) {
  int64_t n = v.int64();
  if (v.type().id == TypeId::kIntervalYearMonth) {
    if (n % 12 == 0) return "INTERVAL '" + std::to_string(n / 12) + "' YEAR";
    return "INTERVAL '" + std::to_string(n) + "' MONTH";
  }
  if (n == 0) return "INTERVAL '0' SECOND";
  if (n % 86'400'000 == 0) return "INTERVAL '" + std::to_string(n / 86'400'000) + "' DAY";
  if (n % 3'600'000 == 0) return "INTERVAL '" + std::to_string(n / 3'600'000) + "' HOUR";
  if (n % 60'000 == 0) return "INTERVAL '" + std::to_string(n / 60'000) + "' MINUTE";
  if (n % 1000 == 0) return "INTERVAL '" + std::to_string(n / 1000) + "' SECOND";
  uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  return std::string("INTERVAL '") + (n < 0 ? "-" : "") + std::to_string(magnitude / 1000) + "." +
         Pad(static_cast<int64_t>(magnitude % 1000), 3) + "' SECOND";
}

}  // namespace

int64_t DaysFromCivil(int64_t year, int month, int day) {
  // Days since 1970-01-01 of a proleptic Gregorian date, counting in 400-year eras starting 0000-03-01.
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  *day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

Result<int64_t> ParseDateText(std::string_view text) {
  size_t i = 0;
  FLOE_ASSIGN_OR_RETURN(int64_t days, ParseDatePart(text, &i));
  if (i != text.size()) return Malformed("'YYYY-MM-DD'");
  return days;
}

Result<int64_t> ParseTimeText(std::string_view text, int32_t* precision) {
  size_t i = 0;
  FLOE_ASSIGN_OR_RETURN(int64_t micros, ParseTimePart(text, &i, precision));
  if (i != text.size()) return Malformed("'HH:MM:SS[.fff]'");
  return micros;
}

Result<int64_t> ParseTimestampText(std::string_view text, int32_t* precision) {
  size_t i = 0;
  FLOE_ASSIGN_OR_RETURN(int64_t days, ParseDatePart(text, &i));
  if (i >= text.size() || text[i] != ' ') return Malformed("'YYYY-MM-DD HH:MM:SS[.fff]'");
  ++i;
  FLOE_ASSIGN_OR_RETURN(int64_t micros, ParseTimePart(text, &i, precision));
  if (i != text.size()) return Malformed("'YYYY-MM-DD HH:MM:SS[.fff]'");
  return days * kMicrosPerDay + micros;
}

std::string FormatDate(int64_t days) {
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  return Pad(year, 4) + "-" + Pad(month, 2) + "-" + Pad(day, 2);
}

std::string FormatTime(int64_t micros, int32_t precision) {
  int64_t seconds = micros / kMicrosPerSecond;
  std::string s = Pad(seconds / 3600, 2) + ":" + Pad(seconds / 60 % 60, 2) + ":" + Pad(seconds % 60, 2);
  if (precision > 0) {
    std::string fraction = Pad(micros % kMicrosPerSecond, 6);
    fraction.resize(static_cast<size_t>(std::min<int32_t>(precision, 6)));
    s += "." + fraction;
  }
  return s;
}

std::string FormatTimestamp(int64_t micros, int32_t precision) {
  int64_t days = micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
  return FormatDate(days) + " " + FormatTime(micros - days * kMicrosPerDay, precision);
}

std::string Int128ToString(Int128 v) {
  if (v == 0) return "0";
  bool negative = v < 0;
  unsigned __int128 u = negative ? static_cast<unsigned __int128>(0) - static_cast<unsigned __int128>(v)
                                 : static_cast<unsigned __int128>(v);
  std::string s;
  while (u > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (negative) s.insert(s.begin(), '-');
  return s;
}

std::optional<Value> WidenValue(const Value& v, const DataType& to) {
  const DataType& from = v.type();
  if (v.is_null()) return Value::Null(to);
  if (!CanWiden(from, to)) return std::nullopt;
  auto power_of_ten = [](int32_t n) {
    Int128 p = 1;
    for (int32_t i = 0; i < n; ++i) p *= 10;
    return p;
  };
  if (from.is_exact_integer() && to.is_exact_integer()) return Value::Int64(to, v.int64());
  if (from.is_exact_numeric() && to.is_decimal()) {
    Int128 unscaled = from.is_decimal() ? v.decimal_unscaled() : static_cast<Int128>(v.int64());
    int32_t scale = from.is_decimal() ? from.scale : 0;
    return Value::Decimal(to, unscaled * power_of_ten(to.scale - scale));  // CanWiden checked the digits
  }
  if (from.is_exact_numeric() && to.is_approximate()) {
    double d = from.is_decimal() ? static_cast<double>(static_cast<long double>(v.decimal_unscaled()) /
                                                       static_cast<long double>(power_of_ten(from.scale)))
                                 : static_cast<double>(v.int64());
    if (to.id == TypeId::kFloat) d = static_cast<double>(static_cast<float>(d));
    return Value::Approximate(to, d);
  }
  if (from.is_character_string() && to.id == TypeId::kVarChar) return Value::String(to, v.string());
  return std::nullopt;
}

std::string Value::ToSql() const {
  if (is_null()) return "NULL";
  switch (type_.id) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return boolean() ? "TRUE" : "FALSE";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInt:
    case TypeId::kBigInt: return std::to_string(int64());
    case TypeId::kFloat:
    case TypeId::kDouble: return FormatDouble(float64());
    case TypeId::kDecimal: {
      Int128 u = decimal_unscaled();
      bool negative = u < 0;
      std::string digits = Int128ToString(negative ? -u : u);
      if (type_.scale > 0) {
        if (static_cast<int32_t>(digits.size()) <= type_.scale) {
          digits.insert(0, static_cast<size_t>(type_.scale) - digits.size() + 1, '0');
        }
        digits.insert(digits.size() - static_cast<size_t>(type_.scale), ".");
      }
      return negative ? "-" + digits : digits;
    }
    case TypeId::kChar:
    case TypeId::kVarChar: return Quote(string());
    case TypeId::kBinary:
    case TypeId::kVarBinary: {
      static const char kHex[] = "0123456789abcdef";
      std::string out = "X'";
      for (unsigned char c : string()) {
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      return out + "'";
    }
    case TypeId::kDate: return "DATE '" + FormatDate(int64()) + "'";
    case TypeId::kTime: return "TIME '" + FormatTime(int64(), type_.precision) + "'";
    case TypeId::kTimestamp: return "TIMESTAMP '" + FormatTimestamp(int64(), type_.precision) + "'";
    case TypeId::kTimestampLtz: return "TO_TIMESTAMP_LTZ(" + std::to_string(int64() / 1000) + ", 3)";
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalYearMonth: return FormatInterval(*this);
  }
  return "?";
}

}  // namespace floe::sql
