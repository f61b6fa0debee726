// One value of a stream row, and rows. A Datum holds a value in the representation sql::Value uses for its type
// (value.h), but without the type: the plan knows each column's type, so a row carries none of it. This keeps rows
// small and copying them cheap (strings up to 15 bytes, such as sensor ids, stay inside the Datum).
//
// Representation by SQL type (sql/types.h):
//   BOOLEAN                              b
//   TINYINT, SMALLINT, INT, BIGINT       i
//   DATE (days), TIME (micros of day),
//   TIMESTAMP, TIMESTAMP_LTZ (micros),
//   INTERVAL DAY TO SECOND (ms),
//   INTERVAL YEAR TO MONTH (months)      i
//   FLOAT, DOUBLE                        d
//   DECIMAL(p, s)                        dec (the unscaled value)
//   CHAR, VARCHAR, BINARY, VARBINARY     s (UTF-8 text or the bytes)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "floe/sql/types.h"
#include "floe/sql/value.h"

namespace floe::stream {

using Int128 = __int128;

struct Datum {
  bool null = true;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  Int128 dec = 0;
  std::string s;

  static Datum Null() { return Datum{}; }
  static Datum Bool(bool v) {
    Datum x;
    x.null = false;
    x.b = v;
    return x;
  }
  static Datum Int(int64_t v) {
    Datum x;
    x.null = false;
    x.i = v;
    return x;
  }
  static Datum Double(double v) {
    Datum x;
    x.null = false;
    x.d = v;
    return x;
  }
  static Datum Decimal(Int128 v) {
    Datum x;
    x.null = false;
    x.dec = v;
    return x;
  }
  static Datum String(std::string_view v) {
    Datum x;
    x.null = false;
    x.s.assign(v);
    return x;
  }

  void SetNull() { null = true; }
  void SetBool(bool v) {
    null = false;
    b = v;
  }
  void SetInt(int64_t v) {
    null = false;
    i = v;
  }
  void SetDouble(double v) {
    null = false;
    d = v;
  }
  void SetDecimal(Int128 v) {
    null = false;
    dec = v;
  }
  void SetString(std::string_view v) {
    null = false;
    s.assign(v);
  }
};

using Row = std::vector<Datum>;

// Conversions between a typed sql::Value and a Datum of that type.
Datum DatumFromValue(const sql::Value& value);
sql::Value ValueFromDatum(const Datum& datum, const sql::DataType& type);

// Equality and order of two non-null datums of one type (`type` says which member to compare; FLOAT/DOUBLE compare
// with NaN equal to itself and greater than every other number, as Flink orders them). Nulls: equal to each other,
// smaller than any value.
bool DatumEquals(const Datum& a, const Datum& b, const sql::DataType& type);
int DatumCompare(const Datum& a, const Datum& b, const sql::DataType& type);
// A hash consistent with DatumEquals for one type.
uint64_t DatumHash(const Datum& a, const sql::DataType& type);

// The datum as text for messages and tests: NULL, TRUE, 42, 21.5, 12.30 (DECIMAL), 'text' unquoted,
// 2024-11-25 12:30:00.123 (timestamps with their precision), 2024-11-25 (dates).
std::string DatumToString(const Datum& datum, const sql::DataType& type);

// Serialization of datums for checkpointed state: a type-directed, compact, little-endian encoding appended to
// `out`; Decode reads one back from `in` at *pos and advances it (Corruption when the bytes end early).
void EncodeDatum(const Datum& datum, const sql::DataType& type, std::string* out);
Status DecodeDatum(std::string_view in, size_t* pos, const sql::DataType& type, Datum* out);

}  // namespace floe::stream
