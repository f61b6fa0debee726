// One SQL value of a known type: the literals of a statement, as the binder hands them to the planner.
//
// Representation by type:
//   BOOLEAN                        bool
//   TINYINT, SMALLINT, INT, BIGINT int64_t
//   FLOAT, DOUBLE                  double
//   DECIMAL(p, s)                  the unscaled value as a 128-bit integer (12.30 in DECIMAL(4, 2) is 1230)
//   CHAR, VARCHAR, BINARY, ...     std::string (UTF-8 text, or the bytes)
//   DATE                           int64_t days since 1970-01-01
//   TIME                           int64_t microseconds since midnight
//   TIMESTAMP, TIMESTAMP_LTZ       int64_t microseconds since 1970-01-01 00:00:00 (UTC for TIMESTAMP_LTZ; the wall
//                                  clock read as UTC for TIMESTAMP)
//   INTERVAL DAY TO SECOND         int64_t milliseconds
//   INTERVAL YEAR TO MONTH         int64_t months
// A null value has the type's id and no payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "floe/base/status.h"
#include "floe/sql/types.h"

namespace floe::sql {

using Int128 = __int128;

class Value {
 public:
  static Value Null(DataType type) { return Value(type.WithNullable(true), std::monostate{}); }
  static Value Boolean(bool v) { return Value(DataType::Boolean().NotNull(), v); }
  // An exact integer of type `type` (TINYINT .. BIGINT), a DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ or interval.
  static Value Int64(DataType type, int64_t v) { return Value(type.NotNull(), v); }
  static Value Double(double v) { return Value(DataType::Double().NotNull(), v); }
  // A FLOAT or DOUBLE.
  static Value Approximate(DataType type, double v) { return Value(type.NotNull(), v); }
  static Value Decimal(DataType type, Int128 unscaled) { return Value(type.NotNull(), unscaled); }
  static Value String(DataType type, std::string v) { return Value(type.NotNull(), std::move(v)); }

  const DataType& type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool boolean() const { return std::get<bool>(v_); }
  int64_t int64() const { return std::get<int64_t>(v_); }
  double float64() const { return std::get<double>(v_); }
  Int128 decimal_unscaled() const { return std::get<Int128>(v_); }
  const std::string& string() const { return std::get<std::string>(v_); }

  // The value as a SQL literal that reads back as the same value: NULL, TRUE, 42, 12.30, 1.5E0, 'it''s',
  // DATE '2024-11-25', TIME '12:30:00', TIMESTAMP '2024-11-25 12:30:00.123', INTERVAL '10' SECOND, X'0aff'.
  std::string ToSql() const;

  bool operator==(const Value& other) const = default;

 private:
  using Payload = std::variant<std::monostate, bool, int64_t, double, Int128, std::string>;
  Value(DataType type, Payload v) : type_(type), v_(std::move(v)) {}

  DataType type_;
  Payload v_;
};

// `v` converted to `to` exactly, when `to` widens v's type (types.h CanWiden) and the value keeps its representation:
// integers to wider integers, DECIMAL or FLOAT/DOUBLE; DECIMAL to a DECIMAL with at least its scale and integer
// digits, or to DOUBLE; strings to VARCHAR/STRING; NULL to any type. Nullopt otherwise (the caller keeps a CAST).
std::optional<Value> WidenValue(const Value& v, const DataType& to);

// Calendar arithmetic for the proleptic Gregorian calendar, years 0000 to 9999.
int64_t DaysFromCivil(int64_t year, int month, int day);
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);

// Parsers for the text of DATE, TIME and TIMESTAMP literals. Each returns the value and, through `precision`, the
// number of fractional-second digits written (at most 6: floe keeps microseconds). The error is a reason without
// position ("month 13 is out of range"); the caller adds where.
Result<int64_t> ParseDateText(std::string_view text);                           // 'YYYY-MM-DD' -> days
Result<int64_t> ParseTimeText(std::string_view text, int32_t* precision);       // 'HH:MM:SS[.f]' -> micros of day
Result<int64_t> ParseTimestampText(std::string_view text, int32_t* precision);  // 'YYYY-MM-DD HH:MM:SS[.f]' -> micros

// "2024-11-25", "12:30:00.123" (`precision` fraction digits), "2024-11-25 12:30:00.123".
std::string FormatDate(int64_t days);
std::string FormatTime(int64_t micros_of_day, int32_t precision);
std::string FormatTimestamp(int64_t micros, int32_t precision);

// Decimal text of a 128-bit integer.
std::string Int128ToString(Int128 v);

}  // namespace floe::sql
