#include "floe/iceberg/literal_codec.h"

#include <gtest/gtest.h>

namespace floe::iceberg {
namespace {

std::string Bytes(std::initializer_list<uint8_t> b) {
  return std::string(b.begin(), b.end());
}

TEST(LiteralCodec, BinaryFormsFromTheSpec) {
  EXPECT_EQ(SerializeValue(Literal::Boolean(true)), Bytes({1}));
  EXPECT_EQ(SerializeValue(Literal::Int(34)), Bytes({34, 0, 0, 0}));
  EXPECT_EQ(SerializeValue(Literal::Long(-2)), Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(SerializeValue(Literal::Float(1.0f)), Bytes({0, 0, 0x80, 0x3f}));
  EXPECT_EQ(SerializeValue(Literal::String("iceberg")), "iceberg");
  // Decimals: unscaled, big-endian two's complement, fewest bytes.
  EXPECT_EQ(SerializeValue(Literal::Decimal(1420, 9, 2)), Bytes({0x05, 0x8c}));
  EXPECT_EQ(SerializeValue(Literal::Decimal(127, 9, 2)), Bytes({0x7f}));
  EXPECT_EQ(SerializeValue(Literal::Decimal(128, 9, 2)), Bytes({0x00, 0x80}));
  EXPECT_EQ(SerializeValue(Literal::Decimal(-1, 9, 2)), Bytes({0xff}));
  EXPECT_EQ(SerializeValue(Literal::Decimal(-129, 9, 2)), Bytes({0xff, 0x7f}));
  EXPECT_EQ(SerializeValue(Literal::Decimal(0, 9, 2)), Bytes({0x00}));
}

TEST(LiteralCodec, BinaryRoundTrips) {
  std::vector<Literal> values = {
      Literal::Boolean(false),
      Literal::Int(-7),
      Literal::Long(1LL << 40),
      Literal::Float(-2.5f),
      Literal::Double(21.53),
      Literal::Date(-3),
      Literal::Time(1),
      Literal::Timestamp(-1),
      Literal::TimestampTz(5),
      Literal::String("s-00042"),
      Literal::Binary(Bytes({0, 1, 2})),
      Literal::Decimal(-123456789, 18, 4),
      Literal::Decimal(static_cast<__int128>(1) << 100, 38, 0),
      Literal::Of(Type::Fixed(3), Bytes({9, 8, 7})),
  };
  for (const Literal& v : values) {
    auto back = DeserializeValue(v.type, SerializeValue(v));
    ASSERT_TRUE(back.ok()) << v.ToString() << ": " << back.status().ToString();
    EXPECT_EQ(*back, v) << v.ToString();
  }
}

TEST(LiteralCodec, WrongLengthsAreCorruption) {
  auto r = DeserializeValue(Type::Primitive(TypeId::kLong), "abc");
  EXPECT_EQ(r.status().message(), "value of type long: 3 bytes, expected 8");
  EXPECT_FALSE(DeserializeValue(Type::Fixed(4), "abc").ok());
  EXPECT_FALSE(DeserializeValue(Type::Primitive(TypeId::kString), "\xff").ok());
  EXPECT_FALSE(DeserializeValue(Type::Decimal(9, 2), "").ok());
  // A long column promoted from int may still carry 4-byte bounds.
  EXPECT_EQ(DeserializeValue(Type::Primitive(TypeId::kLong), Bytes({0xff, 0xff, 0xff, 0xff}))->as_long(), -1);
}

TEST(LiteralCodec, JsonFormsFromTheSpec) {
  EXPECT_EQ(ValueToJson(Literal::Int(34)), "34");
  EXPECT_EQ(ValueToJson(Literal::Date(17486)), "\"2017-11-16\"");
  EXPECT_EQ(ValueToJson(Literal::Timestamp(1510871468000001)), "\"2017-11-16T22:31:08.000001\"");
  EXPECT_EQ(ValueToJson(Literal::TimestampTz(1510871468000001)), "\"2017-11-16T22:31:08.000001+00:00\"");
  EXPECT_EQ(ValueToJson(Literal::Decimal(1420, 9, 2)), "\"14.20\"");
  EXPECT_EQ(ValueToJson(Literal::Binary(Bytes({0, 1, 0xab}))), "\"0001AB\"");
  EXPECT_EQ(ValueToJson(Literal::String("a\"b")), "\"a\\\"b\"");
}

TEST(LiteralCodec, JsonRoundTripsAndParsesOffsets) {
  std::vector<Literal> values = {Literal::Boolean(true),  Literal::Int(-7),          Literal::Long(1LL << 40),
                                 Literal::Double(21.53),  Literal::Date(-3),         Literal::Time(81068000001),
                                 Literal::Timestamp(-1),  Literal::TimestampTz(5),   Literal::String("x"),
                                 Literal::Binary("\x01"), Literal::Decimal(-5, 9, 3)};
  for (const Literal& v : values) {
    auto back = ValueFromJson(v.type, ValueToJson(v));
    ASSERT_TRUE(back.ok()) << v.ToString() << ": " << back.status().ToString();
    EXPECT_EQ(*back, v) << ValueToJson(v);
  }
  auto tz = ValueFromJson(Type::Primitive(TypeId::kTimestampTz), "\"2017-11-16T23:31:08+01:00\"");
  ASSERT_TRUE(tz.ok());
  EXPECT_EQ(tz->as_long(), 1510871468000000);
  EXPECT_EQ(ValueFromJson(Type::Primitive(TypeId::kDate), "\"2017-13-01\"").status().message(),
            "'2017-13-01' is not a date value");
  EXPECT_EQ(ValueFromJson(Type::Decimal(9, 2), "\"1.5\"").status().message(),
            "'1.5' has scale 1, the type decimal(9,2) needs scale 2");
  EXPECT_FALSE(ValueFromJson(Type::Primitive(TypeId::kInt), "3000000000").ok());
  EXPECT_FALSE(ValueFromJson(Type::Primitive(TypeId::kInt), "\"3\"").ok());
  EXPECT_FALSE(ValueFromJson(Type::Primitive(TypeId::kLong), "{").ok());
}

}  // namespace
}  // namespace floe::iceberg
