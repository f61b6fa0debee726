#include "floe/sql/types.h"

#include <algorithm>

namespace floe::sql {
namespace {

int IntegerRank(TypeId id) {
  return static_cast<int>(id) - static_cast<int>(TypeId::kTinyInt);
}

int32_t IntegerDigits(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt: return 3;
    case TypeId::kSmallInt: return 5;
    case TypeId::kInt: return 10;
    default: return 19;
  }
}

// Flink's adjustPrecisionScale: above 38 digits keep the integer part and at least min(scale, 6) fraction digits.
DataType AdjustedDecimal(int32_t precision, int32_t scale) {
  if (precision <= DataType::kMaxDecimalPrecision) return DataType::Decimal(precision, scale);
  int32_t integer_digits = precision - scale;
  int32_t min_scale = std::min(scale, 6);
  int32_t adjusted_scale = std::max(DataType::kMaxDecimalPrecision - integer_digits, min_scale);
  return DataType::Decimal(DataType::kMaxDecimalPrecision, adjusted_scale);
}

std::optional<DataType> CommonNotNull(const DataType& a, const DataType& b) {
  if (a.is_null()) return b;
  if (b.is_null()) return a;
  if (a.is_character_string() && b.is_character_string()) {
    if (a.id == TypeId::kChar && b.id == TypeId::kChar && a.length == b.length) return a;
    return DataType::VarChar(std::max(a.length, b.length));
  }
  if (a.is_binary_string() && b.is_binary_string()) {
    if (a.id == TypeId::kBinary && b.id == TypeId::kBinary && a.length == b.length) return a;
    return DataType::VarBinary(std::max(a.length, b.length));
  }
  if (a.is_numeric() && b.is_numeric()) {
    if (a.is_exact_integer() && b.is_exact_integer()) return IntegerRank(a.id) >= IntegerRank(b.id) ? a : b;
    if (a.is_exact_numeric() && b.is_exact_numeric()) {
      DataType da = AsDecimal(a);
      DataType db = AsDecimal(b);
      int32_t scale = std::max(da.scale, db.scale);
      int32_t integer_digits = std::max(da.precision - da.scale, db.precision - db.scale);
      int32_t precision = std::min(integer_digits + scale, DataType::kMaxDecimalPrecision);
      return DataType::Decimal(precision, std::min(scale, precision));
    }
    if (a.is_approximate() && b.is_approximate()) {
      return a.id == TypeId::kDouble || b.id == TypeId::kDouble ? DataType::Double() : DataType::Float();
    }
    const DataType& exact = a.is_exact_numeric() ? a : b;
    const DataType& approximate = a.is_approximate() ? a : b;
    if (exact.is_decimal()) return DataType::Double();
    return approximate;
  }
  if (a.id != b.id && !(a.is_timestamp() && b.is_timestamp())) return std::nullopt;
  switch (a.id) {
    case TypeId::kBoolean:
    case TypeId::kDate:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalYearMonth: return a;
    case TypeId::kTime: return DataType::Time(std::max(a.precision, b.precision));
    case TypeId::kTimestamp:
    case TypeId::kTimestampLtz: {
      int32_t p = std::max(a.precision, b.precision);
      return a.id == b.id ? (a.id == TypeId::kTimestamp ? DataType::Timestamp(p) : DataType::TimestampLtz(p))
                          : DataType::TimestampLtz(p);
    }
    default: return std::nullopt;
  }
}

}  // namespace

DataType DataType::Decimal(int32_t precision, int32_t scale) {
  DataType t = Of(TypeId::kDecimal);
  t.precision = precision;
  t.scale = scale;
  return t;
}
DataType DataType::Char(int32_t length) {
  DataType t = Of(TypeId::kChar);
  t.length = length;
  return t;
}
DataType DataType::VarChar(int32_t length) {
  DataType t = Of(TypeId::kVarChar);
  t.length = length;
  return t;
}
DataType DataType::Binary(int32_t length) {
  DataType t = Of(TypeId::kBinary);
  t.length = length;
  return t;
}
DataType DataType::VarBinary(int32_t length) {
  DataType t = Of(TypeId::kVarBinary);
  t.length = length;
  return t;
}
DataType DataType::Time(int32_t precision) {
  DataType t = Of(TypeId::kTime);
  t.precision = precision;
  return t;
}
DataType DataType::Timestamp(int32_t precision) {
  DataType t = Of(TypeId::kTimestamp);
  t.precision = precision;
  return t;
}
DataType DataType::TimestampLtz(int32_t precision) {
  DataType t = Of(TypeId::kTimestampLtz);
  t.precision = precision;
  return t;
}

std::string DataType::Name() const {
  auto with = [](const char* name, int32_t n) { return std::string(name) + "(" + std::to_string(n) + ")"; };
  switch (id) {
    case TypeId::kNull: return "NULL";
    case TypeId::kBoolean: return "BOOLEAN";
    case TypeId::kTinyInt: return "TINYINT";
    case TypeId::kSmallInt: return "SMALLINT";
    case TypeId::kInt: return "INT";
    case TypeId::kBigInt: return "BIGINT";
    case TypeId::kFloat: return "FLOAT";
    case TypeId::kDouble: return "DOUBLE";
    case TypeId::kDecimal: return "DECIMAL(" + std::to_string(precision) + ", " + std::to_string(scale) + ")";
    case TypeId::kChar: return with("CHAR", length);
    case TypeId::kVarChar: return length == kMaxLength ? "STRING" : with("VARCHAR", length);
    case TypeId::kBinary: return with("BINARY", length);
    case TypeId::kVarBinary: return length == kMaxLength ? "BYTES" : with("VARBINARY", length);
    case TypeId::kDate: return "DATE";
    case TypeId::kTime: return with("TIME", precision);
    case TypeId::kTimestamp: return with("TIMESTAMP", precision);
    case TypeId::kTimestampLtz: return with("TIMESTAMP_LTZ", precision);
    case TypeId::kIntervalDayTime: return "INTERVAL DAY TO SECOND(3)";
    case TypeId::kIntervalYearMonth: return "INTERVAL YEAR TO MONTH";
  }
  return "?";
}

std::string DataType::ToString() const {
  // The NULL type is nullable by definition; saying so would only confuse.
  return nullable || id == TypeId::kNull ? Name() : Name() + " NOT NULL";
}

bool DataType::SameAs(const DataType& other) const {
  return id == other.id && precision == other.precision && scale == other.scale && length == other.length;
}

std::optional<DataType> CommonType(const DataType& a, const DataType& b) {
  std::optional<DataType> common = CommonNotNull(a, b);
  if (!common) return std::nullopt;
  return common->WithNullable(a.nullable || b.nullable);
}

bool CanWiden(const DataType& from, const DataType& to) {
  if (from.is_null() || from.SameAs(to)) return true;
  if (from.is_exact_integer() && to.is_exact_integer()) return IntegerRank(from.id) <= IntegerRank(to.id);
  if (from.is_exact_numeric() && to.is_decimal()) {
    DataType d = AsDecimal(from);
    return to.scale >= d.scale && to.precision - to.scale >= d.precision - d.scale;
  }
  if (from.is_numeric() && to.is_approximate()) return !(from.id == TypeId::kDouble && to.id == TypeId::kFloat);
  if (from.is_character_string() && to.is_character_string()) {
    if (to.id == TypeId::kVarChar) return to.length >= from.length;
    return from.id == TypeId::kChar && to.length >= from.length;
  }
  if (from.is_binary_string() && to.is_binary_string()) {
    if (to.id == TypeId::kVarBinary) return to.length >= from.length;
    return from.id == TypeId::kBinary && to.length >= from.length;
  }
  if (from.is_timestamp() && to.is_timestamp()) return to.precision >= from.precision;
  if (from.id == TypeId::kTime && to.id == TypeId::kTime) return to.precision >= from.precision;
  return false;
}

bool CanCast(const DataType& from, const DataType& to) {
  if (from.is_null() || from.SameAs(to)) return true;
  if (to.is_character_string()) return true;  // everything has a text form
  if (from.is_character_string()) return to.id != TypeId::kNull;
  if (from.is_numeric() && to.is_numeric()) return true;
  if (from.is_boolean() || to.is_boolean()) {
    return (from.is_boolean() && to.is_exact_numeric()) || (from.is_exact_numeric() && to.is_boolean());
  }
  if (from.is_binary_string() && to.is_binary_string()) return true;
  if (to.is_timestamp()) return from.is_datetime() || from.is_numeric();
  if (to.id == TypeId::kDate) return from.is_timestamp();
  if (to.id == TypeId::kTime) return from.id == TypeId::kTime || from.is_timestamp();
  if (to.is_interval()) return from.id == to.id || from.is_exact_numeric();
  return false;
}

DataType AsDecimal(const DataType& exact) {
  if (exact.is_decimal()) return exact;
  return DataType::Decimal(IntegerDigits(exact.id), 0).WithNullable(exact.nullable);
}

DataType DecimalAdditionType(const DataType& a, const DataType& b) {
  int32_t scale = std::max(a.scale, b.scale);
  int32_t precision = std::max(a.precision - a.scale, b.precision - b.scale) + scale + 1;
  return AdjustedDecimal(precision, scale);
}

DataType DecimalMultiplicationType(const DataType& a, const DataType& b) {
  return AdjustedDecimal(a.precision + b.precision + 1, a.scale + b.scale);
}

DataType DecimalDivisionType(const DataType& a, const DataType& b) {
  int32_t scale = std::max(6, a.scale + b.precision + 1);
  int32_t precision = a.precision - a.scale + b.scale + scale;
  return AdjustedDecimal(precision, scale);
}

DataType DecimalModuloType(const DataType& a, const DataType& b) {
  int32_t scale = std::max(a.scale, b.scale);
  int32_t precision = std::min(a.precision - a.scale, b.precision - b.scale) + scale;
  return AdjustedDecimal(precision, scale);
}

DataType DecimalRoundType(const DataType& a, int32_t digits) {
  if (digits >= a.scale) return DataType::Decimal(a.precision, a.scale);
  if (digits < 0) return DataType::Decimal(std::min(DataType::kMaxDecimalPrecision, 1 + a.precision - a.scale), 0);
  // Rounding may carry into one more integer digit.
  return DataType::Decimal(std::min(DataType::kMaxDecimalPrecision, 1 + a.precision - a.scale + digits), digits);
}

Result<std::string> IcebergTypeName(const DataType& type) {
  switch (type.id) {
    case TypeId::kBoolean: return std::string("boolean");
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInt: return std::string("int");
    case TypeId::kBigInt: return std::string("long");
    case TypeId::kFloat: return std::string("float");
    case TypeId::kDouble: return std::string("double");
    case TypeId::kDecimal: return "decimal(" + std::to_string(type.precision) + "," + std::to_string(type.scale) + ")";
    case TypeId::kDate: return std::string("date");
    case TypeId::kTime: return std::string("time");
    case TypeId::kTimestamp: return std::string(type.precision > 6 ? "timestamp_ns" : "timestamp");
    case TypeId::kTimestampLtz: return std::string(type.precision > 6 ? "timestamptz_ns" : "timestamptz");
    case TypeId::kChar:
    case TypeId::kVarChar: return std::string("string");
    case TypeId::kBinary: return "fixed[" + std::to_string(type.length) + "]";
    case TypeId::kVarBinary: return std::string("binary");
    case TypeId::kNull:
    case TypeId::kIntervalDayTime:
    case TypeId::kIntervalYearMonth: break;
  }
  return Status::InvalidArgument("type " + type.Name() + " has no Iceberg equivalent: CAST it to a storable type");
}

Result<DataType> DataTypeFromIcebergName(std::string_view name, bool required) {
  auto done = [required](DataType t) -> Result<DataType> { return t.WithNullable(!required); };
  if (name == "boolean") return done(DataType::Boolean());
  if (name == "int") return done(DataType::Int());
  if (name == "long") return done(DataType::BigInt());
  if (name == "float") return done(DataType::Float());
  if (name == "double") return done(DataType::Double());
  if (name == "date") return done(DataType::Date());
  if (name == "time") return done(DataType::Time(6));
  if (name == "timestamp") return done(DataType::Timestamp(6));
  if (name == "timestamptz") return done(DataType::TimestampLtz(6));
  if (name == "timestamp_ns") return done(DataType::Timestamp(9));
  if (name == "timestamptz_ns") return done(DataType::TimestampLtz(9));
  if (name == "string") return done(DataType::String());
  if (name == "uuid") return done(DataType::Binary(16));
  if (name == "binary") return done(DataType::Bytes());
  auto number_in = [&](std::string_view prefix, char close, std::string_view& rest) {
    if (name.substr(0, prefix.size()) != prefix || name.back() != close) return false;
    rest = name.substr(prefix.size(), name.size() - prefix.size() - 1);
    return true;
  };
  std::string_view inner;
  if (number_in("fixed[", ']', inner)) {
    int32_t length = 0;
    for (char c : inner) {
      if (c < '0' || c > '9' || length > 100000000)
        return Status::InvalidArgument("bad Iceberg type '" + std::string(name) + "'");
      length = length * 10 + (c - '0');
    }
    if (length <= 0) return Status::InvalidArgument("bad Iceberg type '" + std::string(name) + "'");
    return done(DataType::Binary(length));
  }
  if (number_in("decimal(", ')', inner)) {
    int32_t p = 0, s = 0;
    int32_t* cur = &p;
    bool comma = false;
    for (char c : inner) {
      if (c == ' ') continue;
      if (c == ',' && !comma) {
        comma = true;
        cur = &s;
        continue;
      }
      if (c < '0' || c > '9' || *cur > 1000)
        return Status::InvalidArgument("bad Iceberg type '" + std::string(name) + "'");
      *cur = *cur * 10 + (c - '0');
    }
    if (!comma || p < 1 || p > DataType::kMaxDecimalPrecision || s > p) {
      return Status::InvalidArgument("bad Iceberg type '" + std::string(name) + "'");
    }
    return done(DataType::Decimal(p, s));
  }
  return Status::InvalidArgument("Iceberg type '" + std::string(name) + "' has no SQL equivalent in floe");
}

}  // namespace floe::sql
