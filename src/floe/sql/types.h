// SQL logical types (Flink's, the subset floe supports), their nullability, the rules that relate them, and their
// Iceberg names.
//
// Names print as Flink prints them: INT, BIGINT, DECIMAL(10, 2), STRING (= VARCHAR(2147483647)), BYTES
// (= VARBINARY(2147483647)), TIMESTAMP(3), TIMESTAMP_LTZ(3) (= TIMESTAMP(3) WITH LOCAL TIME ZONE), and " NOT NULL"
// after a type that excludes NULL. Defaults are Flink's: VARCHAR, CHAR, BINARY and VARBINARY without a length have
// length 1; DECIMAL is DECIMAL(10, 0); TIME is TIME(0); TIMESTAMP and TIMESTAMP_LTZ have precision 6.
//
// Three relations, after Flink's LogicalTypeMerging and LogicalTypeCasts:
//   CommonType   the type two values are compared or merged in (comparisons, IN, BETWEEN, CASE, COALESCE):
//                numbers with numbers (exact + exact stays exact, anything with DECIMAL and FLOAT/DOUBLE is DOUBLE),
//                strings with strings, timestamps with timestamps (TIMESTAMP with TIMESTAMP_LTZ is TIMESTAMP_LTZ),
//                dates, times, booleans, intervals each with their own kind. STRING with INT has none.
//   CanWiden     an implicit conversion that loses no range (INSERT into a sink column): INT to BIGINT, DECIMAL(5,2)
//                to DECIMAL(10,2), exact numbers to FLOAT/DOUBLE, FLOAT to DOUBLE, VARCHAR(n) to VARCHAR(m >= n) and
//                STRING, TIMESTAMP(p) to TIMESTAMP(q >= p) or TIMESTAMP_LTZ(q >= p) (and back: Flink converts between
//                the two implicitly in the session time zone). Never narrowing: BIGINT to INT, DOUBLE to FLOAT.
//   CanCast      an explicit CAST(x AS t).
// Nullability is ignored by all three; callers decide it (a result is nullable when an input is).
//
// Intervals have two types, as Flink's: INTERVAL DAY TO SECOND(3) (values in milliseconds) for SECOND, MINUTE, HOUR
// and DAY literals, and INTERVAL YEAR TO MONTH (values in months). The type of the NULL literal is NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "floe/base/status.h"

namespace floe::sql {

enum class TypeId : uint8_t {
  kNull,
  kBoolean,
  kTinyInt,
  kSmallInt,
  kInt,
  kBigInt,
  kFloat,
  kDouble,
  kDecimal,
  kChar,
  kVarChar,
  kBinary,
  kVarBinary,
  kDate,
  kTime,
  kTimestamp,     // TIMESTAMP(p): a wall-clock date and time, no time zone
  kTimestampLtz,  // TIMESTAMP_LTZ(p): an instant, shown in the session time zone
  kIntervalDayTime,
  kIntervalYearMonth,
};

struct DataType {
  static constexpr int32_t kMaxLength = 2147483647;  // STRING and BYTES
  static constexpr int32_t kMaxDecimalPrecision = 38;
  static constexpr int32_t kMaxTimePrecision = 9;

  TypeId id = TypeId::kNull;
  int32_t precision = 0;  // DECIMAL: digits; TIME, TIMESTAMP, TIMESTAMP_LTZ: fractional-second digits
  int32_t scale = 0;      // DECIMAL
  int32_t length = 0;     // CHAR, VARCHAR, BINARY, VARBINARY
  bool nullable = true;

  static DataType Null() { return {}; }
  static DataType Boolean() { return Of(TypeId::kBoolean); }
  static DataType TinyInt() { return Of(TypeId::kTinyInt); }
  static DataType SmallInt() { return Of(TypeId::kSmallInt); }
  static DataType Int() { return Of(TypeId::kInt); }
  static DataType BigInt() { return Of(TypeId::kBigInt); }
  static DataType Float() { return Of(TypeId::kFloat); }
  static DataType Double() { return Of(TypeId::kDouble); }
  static DataType Decimal(int32_t precision, int32_t scale);
  static DataType Char(int32_t length);
  static DataType VarChar(int32_t length);
  static DataType String() { return VarChar(kMaxLength); }
  static DataType Binary(int32_t length);
  static DataType VarBinary(int32_t length);
  static DataType Bytes() { return VarBinary(kMaxLength); }
  static DataType Date() { return Of(TypeId::kDate); }
  static DataType Time(int32_t precision);
  static DataType Timestamp(int32_t precision);
  static DataType TimestampLtz(int32_t precision);
  static DataType IntervalDayTime() { return Of(TypeId::kIntervalDayTime); }
  static DataType IntervalYearMonth() { return Of(TypeId::kIntervalYearMonth); }

  DataType WithNullable(bool n) const {
    DataType t = *this;
    t.nullable = n;
    return t;
  }
  DataType NotNull() const { return WithNullable(false); }

  bool is_null() const { return id == TypeId::kNull; }
  bool is_boolean() const { return id == TypeId::kBoolean; }
  bool is_exact_integer() const { return id >= TypeId::kTinyInt && id <= TypeId::kBigInt; }
  bool is_approximate() const { return id == TypeId::kFloat || id == TypeId::kDouble; }
  bool is_decimal() const { return id == TypeId::kDecimal; }
  bool is_exact_numeric() const { return is_exact_integer() || is_decimal(); }
  bool is_numeric() const { return is_exact_numeric() || is_approximate(); }
  bool is_character_string() const { return id == TypeId::kChar || id == TypeId::kVarChar; }
  bool is_binary_string() const { return id == TypeId::kBinary || id == TypeId::kVarBinary; }
  bool is_timestamp() const { return id == TypeId::kTimestamp || id == TypeId::kTimestampLtz; }
  bool is_datetime() const { return id == TypeId::kDate || id == TypeId::kTime || is_timestamp(); }
  bool is_interval() const { return id == TypeId::kIntervalDayTime || id == TypeId::kIntervalYearMonth; }

  // The type's name without nullability: "INT", "DECIMAL(10, 2)", "STRING", "TIMESTAMP_LTZ(3)".
  std::string Name() const;
  // Name() plus " NOT NULL" for a type that excludes NULL.
  std::string ToString() const;

  // Same type and parameters; nullability ignored.
  bool SameAs(const DataType& other) const;
  bool operator==(const DataType& other) const = default;

 private:
  static DataType Of(TypeId id) {
    DataType t;
    t.id = id;
    return t;
  }
};

// The relations described at the top. Each ignores nullability; CommonType's result is nullable when either is.
std::optional<DataType> CommonType(const DataType& a, const DataType& b);
bool CanWiden(const DataType& from, const DataType& to);
bool CanCast(const DataType& from, const DataType& to);

// The decimal an exact integer type converts to without loss: TINYINT DECIMAL(3, 0), SMALLINT (5, 0), INT (10, 0),
// BIGINT (19, 0); a DECIMAL is returned as is.
DataType AsDecimal(const DataType& exact);

// Flink's decimal result types (LogicalTypeMerging, after SQL Server's rules): a precision above 38 is cut to 38,
// keeping the integer digits and at least min(scale, 6) fractional digits.
DataType DecimalAdditionType(const DataType& a, const DataType& b);        // + and -
DataType DecimalMultiplicationType(const DataType& a, const DataType& b);  // *
DataType DecimalDivisionType(const DataType& a, const DataType& b);        // /
DataType DecimalModuloType(const DataType& a, const DataType& b);          // %
DataType DecimalRoundType(const DataType& a, int32_t digits);              // ROUND(a, digits)

// The Iceberg type name a column of this type is stored as (Apache Iceberg table spec v2, "Primitive Types"):
// BOOLEAN boolean; TINYINT, SMALLINT, INT int; BIGINT long; FLOAT float; DOUBLE double; DECIMAL(p, s) decimal(p,s);
// DATE date; TIME time; TIMESTAMP(p <= 6) timestamp, (p > 6) timestamp_ns; TIMESTAMP_LTZ(p <= 6) timestamptz,
// (p > 6) timestamptz_ns; CHAR, VARCHAR, STRING string; BINARY(n) fixed[n]; VARBINARY, BYTES binary (as Iceberg's
// Flink connector maps them). Unsupported for NULL and intervals, which Iceberg cannot store.
Result<std::string> IcebergTypeName(const DataType& type);
// The SQL type a column of this Iceberg type reads as: int INT, long BIGINT, timestamptz TIMESTAMP_LTZ(6),
// timestamp_ns TIMESTAMP(9), fixed[n] BINARY(n), uuid BINARY(16), binary BYTES, string STRING, ...; nullable unless
// `required`. InvalidArgument for nested or unknown names.
Result<DataType> DataTypeFromIcebergName(std::string_view iceberg_name, bool required);

}  // namespace floe::sql
