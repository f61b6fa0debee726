#include "floe/stream/datum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace floe::stream {
namespace {

using sql::DataType;

// One type and a few of its values (non-null) for the generic round-trip and order tests.
struct Case {
  DataType type;
  std::vector<Datum> values;  // in ascending order
};

std::vector<Case> AllTypes() {
  const double inf = std::numeric_limits<double>::infinity();
  const Int128 big = static_cast<Int128>(INT64_MAX) * 1000000 + 7;
  return {
      {DataType::Boolean(), {Datum::Bool(false), Datum::Bool(true)}},
      {DataType::TinyInt(), {Datum::Int(-128), Datum::Int(0), Datum::Int(127)}},
      {DataType::SmallInt(), {Datum::Int(-32768), Datum::Int(5), Datum::Int(32767)}},
      {DataType::Int(), {Datum::Int(INT32_MIN), Datum::Int(-1), Datum::Int(0), Datum::Int(42)}},
      {DataType::BigInt(), {Datum::Int(INT64_MIN), Datum::Int(-300), Datum::Int(1), Datum::Int(INT64_MAX)}},
      {DataType::Float(), {Datum::Double(-inf), Datum::Double(-1.5), Datum::Double(0.25), Datum::Double(inf)}},
      {DataType::Double(),
       {Datum::Double(-inf), Datum::Double(-1e300), Datum::Double(0), Datum::Double(21.5), Datum::Double(inf),
        Datum::Double(std::nan(""))}},
      {DataType::Decimal(38, 4), {Datum::Decimal(-big), Datum::Decimal(-1), Datum::Decimal(0), Datum::Decimal(big)}},
      {DataType::Char(3), {Datum::String("ab "), Datum::String("abc")}},
      {DataType::String(),
       {Datum::String(""), Datum::String("a"), Datum::String("a long string beyond sso"), Datum::String("b"),
        Datum::String("\xc3\xa9t\xc3\xa9")}},
      {DataType::Bytes(), {Datum::String(std::string("\0\x01", 2)), Datum::String("\x7f\xff")}},
      {DataType::Date(), {Datum::Int(-719528), Datum::Int(0), Datum::Int(20052)}},
      {DataType::Time(3), {Datum::Int(0), Datum::Int(45'000'123'000)}},
      {DataType::Timestamp(3), {Datum::Int(-1'000), Datum::Int(0), Datum::Int(1'732'537'800'123'000)}},
      {DataType::TimestampLtz(3), {Datum::Int(0), Datum::Int(1'732'537'800'123'000)}},
      {DataType::IntervalDayTime(), {Datum::Int(-86'400'000), Datum::Int(10'000)}},
      {DataType::IntervalYearMonth(), {Datum::Int(-14), Datum::Int(14)}},
  };
}

TEST(DatumTest, EncodeDecodeRoundTripsEveryTypeAndNull) {
  for (const Case& c : AllTypes()) {
    std::string buffer;
    std::vector<Datum> all = c.values;
    all.push_back(Datum::Null());
    for (const Datum& d : all) EncodeDatum(d, c.type, &buffer);
    size_t pos = 0;
    for (const Datum& d : all) {
      Datum back = Datum::String("garbage");
      ASSERT_TRUE(DecodeDatum(buffer, &pos, c.type, &back).ok()) << c.type.Name();
      EXPECT_TRUE(DatumEquals(back, d, c.type)) << c.type.Name() << " " << DatumToString(d, c.type);
      EXPECT_EQ(back.null, d.null);
    }
    EXPECT_EQ(pos, buffer.size()) << c.type.Name();
  }
}

TEST(DatumTest, EncodingIsCompact) {
  std::string buffer;
  EncodeDatum(Datum::Int(5), DataType::BigInt(), &buffer);
  EXPECT_EQ(buffer.size(), 2u);  // flag + one varint byte
  buffer.clear();
  EncodeDatum(Datum::Bool(true), DataType::Boolean(), &buffer);
  EXPECT_EQ(buffer.size(), 1u);
  buffer.clear();
  EncodeDatum(Datum::Null(), DataType::String(), &buffer);
  EXPECT_EQ(buffer.size(), 1u);
}

TEST(DatumTest, DecodeOfTruncatedBytesIsCorruption) {
  for (const Case& c : AllTypes()) {
    for (const Datum& d : c.values) {
      std::string buffer;
      EncodeDatum(d, c.type, &buffer);
      for (size_t cut = 0; cut < buffer.size(); ++cut) {
        if (c.type.is_boolean() && cut == 1) continue;
        size_t pos = 0;
        Datum back;
        Status st = DecodeDatum(std::string_view(buffer).substr(0, cut), &pos, c.type, &back);
        // A truncated varint may still read as a shorter value only if the cut falls after the last byte.
        ASSERT_FALSE(st.ok()) << c.type.Name() << " cut at " << cut;
        EXPECT_EQ(st.code(), StatusCode::kCorruption);
        EXPECT_NE(st.message().find(c.type.Name()), std::string::npos) << st.message();
      }
    }
  }
}

TEST(DatumTest, DecodeRejectsABadNullFlag) {
  std::string buffer = "\x07";
  size_t pos = 0;
  Datum d;
  Status st = DecodeDatum(buffer, &pos, DataType::Int(), &d);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("null flag 7"), std::string::npos) << st.message();
}

TEST(DatumTest, CompareOrdersValuesAndPutsNullFirst) {
  for (const Case& c : AllTypes()) {
    for (size_t i = 0; i < c.values.size(); ++i) {
      EXPECT_EQ(DatumCompare(c.values[i], c.values[i], c.type), 0) << c.type.Name() << " " << i;
      EXPECT_LT(DatumCompare(Datum::Null(), c.values[i], c.type), 0);
      EXPECT_GT(DatumCompare(c.values[i], Datum::Null(), c.type), 0);
      for (size_t j = i + 1; j < c.values.size(); ++j) {
        EXPECT_LT(DatumCompare(c.values[i], c.values[j], c.type), 0) << c.type.Name() << " " << i << " " << j;
        EXPECT_GT(DatumCompare(c.values[j], c.values[i], c.type), 0) << c.type.Name() << " " << i << " " << j;
        EXPECT_FALSE(DatumEquals(c.values[i], c.values[j], c.type));
      }
    }
    EXPECT_EQ(DatumCompare(Datum::Null(), Datum::Null(), c.type), 0);
    EXPECT_TRUE(DatumEquals(Datum::Null(), Datum::Null(), c.type));
  }
}

TEST(DatumTest, NanEqualsItselfAndIsAboveInfinity) {
  const DataType t = DataType::Double();
  Datum nan1 = Datum::Double(std::nan(""));
  Datum nan2 = Datum::Double(-std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(DatumEquals(nan1, nan2, t));
  EXPECT_EQ(DatumCompare(nan1, nan2, t), 0);
  EXPECT_EQ(DatumHash(nan1, t), DatumHash(nan2, t));
  EXPECT_GT(DatumCompare(nan1, Datum::Double(std::numeric_limits<double>::infinity()), t), 0);
  // -0.0 and 0.0 are one value.
  EXPECT_TRUE(DatumEquals(Datum::Double(-0.0), Datum::Double(0.0), t));
  EXPECT_EQ(DatumHash(Datum::Double(-0.0), t), DatumHash(Datum::Double(0.0), t));
}

TEST(DatumTest, HashIsConsistentWithEquals) {
  for (const Case& c : AllTypes()) {
    for (const Datum& d : c.values) {
      Datum copy = d;
      copy.i = c.type.is_boolean() || c.type.is_approximate() || c.type.is_decimal() || c.type.is_character_string() ||
                       c.type.is_binary_string()
                   ? 12345  // members the type does not use do not matter
                   : copy.i;
      EXPECT_EQ(DatumHash(d, c.type), DatumHash(copy, c.type)) << c.type.Name();
    }
    EXPECT_EQ(DatumHash(Datum::Null(), c.type), DatumHash(Datum::Null(), c.type));
  }
  EXPECT_NE(DatumHash(Datum::String("a"), DataType::String()), DatumHash(Datum::String("b"), DataType::String()));
  EXPECT_NE(DatumHash(Datum::Int(1), DataType::Int()), DatumHash(Datum::Int(2), DataType::Int()));
  EXPECT_NE(DatumHash(Datum::Int(0), DataType::Int()), DatumHash(Datum::Null(), DataType::Int()));
}

TEST(DatumTest, ToStringFormatsEachType) {
  EXPECT_EQ(DatumToString(Datum::Null(), DataType::Int()), "NULL");
  EXPECT_EQ(DatumToString(Datum::Bool(true), DataType::Boolean()), "TRUE");
  EXPECT_EQ(DatumToString(Datum::Int(42), DataType::Int()), "42");
  EXPECT_EQ(DatumToString(Datum::Double(21.5), DataType::Double()), "21.5");
  EXPECT_EQ(DatumToString(Datum::Double(42), DataType::Double()), "42.0");
  EXPECT_EQ(DatumToString(Datum::Double(1e10), DataType::Double()), "1.0E10");
  EXPECT_EQ(DatumToString(Datum::Double(1.5e-5), DataType::Double()), "1.5E-5");
  EXPECT_EQ(DatumToString(Datum::Double(0.001), DataType::Double()), "0.001");
  EXPECT_EQ(DatumToString(Datum::Double(1234567.0), DataType::Double()), "1234567.0");
  EXPECT_EQ(DatumToString(Datum::Double(-0.0), DataType::Double()), "-0.0");
  EXPECT_EQ(DatumToString(Datum::Double(std::nan("")), DataType::Double()), "NaN");
  EXPECT_EQ(DatumToString(Datum::Double(-std::numeric_limits<double>::infinity()), DataType::Double()), "-Infinity");
  EXPECT_EQ(DatumToString(Datum::Double(0.1f), DataType::Float()), "0.1");
  EXPECT_EQ(DatumToString(Datum::Decimal(1230), DataType::Decimal(4, 2)), "12.30");
  EXPECT_EQ(DatumToString(Datum::Decimal(-5), DataType::Decimal(4, 2)), "-0.05");
  EXPECT_EQ(DatumToString(Datum::Decimal(7), DataType::Decimal(4, 0)), "7");
  EXPECT_EQ(DatumToString(Datum::String("text"), DataType::String()), "text");
  EXPECT_EQ(DatumToString(Datum::String("\x0a\xff"), DataType::Bytes()), "x'0aff'");
  EXPECT_EQ(DatumToString(Datum::Int(20052), DataType::Date()), "2024-11-25");
  EXPECT_EQ(DatumToString(Datum::Int(45'000'123'000), DataType::Time(3)), "12:30:00.123");
  EXPECT_EQ(DatumToString(Datum::Int(1'732'537'800'123'000), DataType::Timestamp(3)), "2024-11-25 12:30:00.123");
  EXPECT_EQ(DatumToString(Datum::Int(1'732'537'800'123'456), DataType::Timestamp(6)), "2024-11-25 12:30:00.123456");
  EXPECT_EQ(DatumToString(Datum::Int(1'732'537'800'000'000), DataType::TimestampLtz(0)), "2024-11-25 12:30:00");
  EXPECT_EQ(DatumToString(Datum::Int(-1'000), DataType::Timestamp(3)), "1969-12-31 23:59:59.999");
  EXPECT_EQ(DatumToString(Datum::Int(90'061'001), DataType::IntervalDayTime()), "+1 01:01:01.001");
  EXPECT_EQ(DatumToString(Datum::Int(-10'000), DataType::IntervalDayTime()), "-0 00:00:10.000");
  EXPECT_EQ(DatumToString(Datum::Int(14), DataType::IntervalYearMonth()), "+1-02");
}

TEST(DatumTest, ConvertsToAndFromValues) {
  std::vector<sql::Value> values = {
      sql::Value::Boolean(true),
      sql::Value::Int64(DataType::Int(), -7),
      sql::Value::Double(2.5),
      sql::Value::Decimal(DataType::Decimal(10, 2), 1230),
      sql::Value::String(DataType::String(), "hi"),
      sql::Value::Int64(DataType::Timestamp(3), 1'732'537'800'123'000),
      sql::Value::Null(DataType::Int()),
  };
  for (const sql::Value& v : values) {
    Datum d = DatumFromValue(v);
    EXPECT_EQ(d.null, v.is_null());
    sql::Value back = ValueFromDatum(d, v.type());
    EXPECT_EQ(back.ToSql(), v.ToSql());
  }
  EXPECT_EQ(DatumFromValue(sql::Value::Int64(DataType::BigInt(), 9)).i, 9);
  EXPECT_EQ(DatumFromValue(sql::Value::String(DataType::String(), "long enough to leave the small buffer")).s,
            "long enough to leave the small buffer");
}

}  // namespace
}  // namespace floe::stream
