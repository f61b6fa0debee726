#include "floe/iceberg/transforms.h"

#include <gtest/gtest.h>

#include <limits>

namespace floe::iceberg {
namespace {

// 2017-11-16 and 22:31:08, the spec's Appendix B test values.
constexpr int32_t kDay20171116 = 17486;
constexpr int64_t kTime223108 = 81'068'000'000;
constexpr int64_t kTs20171116T223108 = 1'510'871'468'000'000;
// 2026-11-25
constexpr int32_t kDay20261125 = 20782;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

Literal Uuid(std::string bytes) {
  return Literal::Of(Type::Primitive(TypeId::kUuid), std::move(bytes));
}

Literal Of(TypeId id, int64_t v) {
  return Literal::Of(Type::Primitive(id), v);
}

std::optional<Literal> Apply(const Transform& t, const Literal& v) {
  auto r = ApplyTransform(t, v);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::nullopt;
}

int32_t ApplyInt(const Transform& t, const Literal& v) {
  auto r = Apply(t, v);
  EXPECT_TRUE(r.has_value());
  return r.has_value() ? r->as_int() : 0;
}

TEST(Murmur3Hash32, MatchesReferenceVectors) {
  EXPECT_EQ(Murmur3Hash32(""), 0);
  // Appendix B: the 4 bytes 00 01 02 03, and "iceberg".
  EXPECT_EQ(Murmur3Hash32(Bytes({0, 1, 2, 3})), -188683207);
  EXPECT_EQ(Murmur3Hash32("iceberg"), 1210000089);
}

TEST(BucketHash, MatchesTheSpecTestValuesOfAppendixB) {
  EXPECT_EQ(BucketHash(Literal::Int(34)), 2017239379);
  EXPECT_EQ(BucketHash(Literal::Long(34)), 2017239379);
  EXPECT_EQ(BucketHash(Literal::Decimal(1420, 9, 2)), -500754589);  // 14.20
  EXPECT_EQ(BucketHash(Literal::Date(kDay20171116)), -653330422);
  EXPECT_EQ(BucketHash(Literal::Time(kTime223108)), -662762989);
  EXPECT_EQ(BucketHash(Literal::Timestamp(kTs20171116T223108)), -2047944441);
  EXPECT_EQ(BucketHash(Literal::Timestamp(kTs20171116T223108 + 1)), -1207196810);
  // 2017-11-16T14:31:08-08:00 is the same instant.
  EXPECT_EQ(BucketHash(Literal::TimestampTz(kTs20171116T223108)), -2047944441);
  EXPECT_EQ(BucketHash(Literal::TimestampTz(kTs20171116T223108 + 1)), -1207196810);
  // Nanosecond timestamps hash at microsecond precision: .000001001 hashes like .000001.
  EXPECT_EQ(BucketHash(Of(TypeId::kTimestampNs, kTs20171116T223108 * 1000)), -2047944441);
  EXPECT_EQ(BucketHash(Of(TypeId::kTimestampNs, kTs20171116T223108 * 1000 + 1001)), -1207196810);
  EXPECT_EQ(BucketHash(Of(TypeId::kTimestampTzNs, kTs20171116T223108 * 1000 + 1001)), -1207196810);
  EXPECT_EQ(BucketHash(Literal::String("iceberg")), 1210000089);
  EXPECT_EQ(BucketHash(Uuid(Bytes(
                {0xF7, 0x9C, 0x3E, 0x09, 0x67, 0x7C, 0x4B, 0xBD, 0xA4, 0x79, 0x3F, 0x34, 0x9C, 0xB7, 0x85, 0xE7}))),
            1488055340);
  EXPECT_EQ(BucketHash(Literal::Of(Type::Fixed(4), Bytes({0, 1, 2, 3}))), -188683207);
  EXPECT_EQ(BucketHash(Literal::Binary(Bytes({0, 1, 2, 3}))), -188683207);
}

TEST(BucketHash, HashesTheNonBucketTypesAsAppendixBSays) {
  EXPECT_EQ(BucketHash(Literal::Boolean(true)), 1392991556);
  EXPECT_EQ(BucketHash(Literal::Float(1.0f)), -142385009);
  EXPECT_EQ(BucketHash(Literal::Float(0.0f)), 1669671676);
  EXPECT_EQ(BucketHash(Literal::Float(-0.0f)), 1669671676);
  EXPECT_EQ(BucketHash(Literal::Double(1.0)), -142385009);
  EXPECT_EQ(BucketHash(Literal::Double(-0.0)), 1669671676);
  // Every NaN hashes as the canonical one.
  EXPECT_EQ(BucketHash(Literal::Double(std::numeric_limits<double>::quiet_NaN())),
            BucketHash(Literal::Double(-std::numeric_limits<double>::quiet_NaN())));
}

TEST(BucketHash, DecimalsHashTheirMinimalBytesWhateverTheScale) {
  // The hash depends on the unscaled value only.
  EXPECT_EQ(BucketHash(Literal::Decimal(1420, 9, 2)), BucketHash(Literal::Decimal(1420, 20, 4)));
  // Zero is the single byte 00; -1 the single byte ff; 128 needs a leading 00.
  EXPECT_EQ(BucketHash(Literal::Decimal(0, 9, 2)), Murmur3Hash32(Bytes({0})));
  EXPECT_EQ(BucketHash(Literal::Decimal(-1, 9, 2)), Murmur3Hash32(Bytes({0xff})));
  EXPECT_EQ(BucketHash(Literal::Decimal(128, 9, 2)), Murmur3Hash32(Bytes({0x00, 0x80})));
  EXPECT_EQ(BucketHash(Literal::Decimal(-129, 9, 2)), Murmur3Hash32(Bytes({0xff, 0x7f})));
}

TEST(ApplyTransform, BucketIsTheHashWithoutSignModN) {
  EXPECT_EQ(ApplyInt(Transform::Bucket(16), Literal::Int(34)), 2017239379 % 16);
  EXPECT_EQ(ApplyInt(Transform::Bucket(16), Literal::Long(34)), 3);
  // A negative hash loses its sign bit first: (-188683207 & INT_MAX) % 100.
  EXPECT_EQ(ApplyInt(Transform::Bucket(100), Literal::Binary(Bytes({0, 1, 2, 3}))), (-188683207 & 0x7fffffff) % 100);
  auto r = Apply(Transform::Bucket(16), Literal::String("iceberg"));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->type_id(), TypeId::kInt);
  EXPECT_EQ(ApplyTransform(Transform::Bucket(0), Literal::Int(1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ApplyTransform(Transform::Bucket(4), Literal::Double(1.0)).status().message(),
            "transform bucket[4] cannot be applied to type double");
}

TEST(ApplyTransform, TruncateKeepsAPositiveRemainderAsTheSpecIllustrates) {
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Int(1))->as_int(), 0);
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Int(-1))->as_int(), -10);
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Int(-10))->as_int(), -10);
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Int(-11))->as_int(), -20);
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Long(1))->as_long(), 0);
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::Long(-1))->as_long(), -10);
  EXPECT_EQ(Apply(Transform::Truncate(3), Literal::Long(std::numeric_limits<int64_t>::max()))->as_long(),
            std::numeric_limits<int64_t>::max() - 1);  // 2^63-1 = 3 * 3074457345618258602 + 1
  // Decimals truncate the unscaled value: W=50, s=2: 10.65 -> 10.50; -0.05 -> -0.50.
  auto d = Apply(Transform::Truncate(50), Literal::Decimal(1065, 9, 2));
  EXPECT_EQ(d->as_decimal().unscaled, 1050);
  EXPECT_EQ(d->type->ToString(), "decimal(9,2)");
  EXPECT_EQ(Apply(Transform::Truncate(50), Literal::Decimal(-5, 9, 2))->as_decimal().unscaled, -50);
  // Strings by code points, binary by bytes.
  EXPECT_EQ(Apply(Transform::Truncate(3), Literal::String("iceberg"))->as_bytes(), "ice");
  EXPECT_EQ(Apply(Transform::Truncate(2), Literal::String("\xC3\xA9\xC3\xA0x"))->as_bytes(), "\xC3\xA9\xC3\xA0");
  EXPECT_EQ(Apply(Transform::Truncate(1), Literal::String("\xF0\x9F\x98\x80z"))->as_bytes(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Apply(Transform::Truncate(10), Literal::String("ice"))->as_bytes(), "ice");
  EXPECT_EQ(Apply(Transform::Truncate(3), Literal::Binary(Bytes({1, 2, 3, 4, 5})))->as_bytes(), Bytes({1, 2, 3}));
  EXPECT_EQ(ApplyTransform(Transform::Truncate(0), Literal::Int(1)).status().code(), StatusCode::kInvalidArgument);
}

TEST(ApplyTransform, TimeTransformsCountUnitsFrom1970) {
  const Literal ts = Literal::Timestamp(kTs20171116T223108);
  EXPECT_EQ(ApplyInt(Transform::Year(), ts), 47);
  EXPECT_EQ(ApplyInt(Transform::Month(), ts), 47 * 12 + 10);
  auto day = Apply(Transform::Day(), ts);
  EXPECT_EQ(day->type_id(), TypeId::kDate);
  EXPECT_EQ(day->as_int(), kDay20171116);
  EXPECT_EQ(ApplyInt(Transform::Hour(), ts), kDay20171116 * 24 + 22);
  const Literal date = Literal::Date(kDay20171116);
  EXPECT_EQ(ApplyInt(Transform::Year(), date), 47);
  EXPECT_EQ(ApplyInt(Transform::Month(), date), 574);
  EXPECT_EQ(ApplyInt(Transform::Day(), date), kDay20171116);
  EXPECT_EQ(ApplyInt(Transform::Day(), Of(TypeId::kTimestampTzNs, kTs20171116T223108 * 1000)), kDay20171116);
  EXPECT_EQ(ApplyInt(Transform::Hour(), Of(TypeId::kTimestampNs, kTs20171116T223108 * 1000)), 419686);
  EXPECT_EQ(ApplyTransform(Transform::Hour(), date).status().code(), StatusCode::kInvalidArgument);
}

TEST(ApplyTransform, TimeTransformsRoundBefore1970TowardNegativeInfinity) {
  // 1969-12-31T23:59:59.999999 is in year -1, month -1, day -1, hour -1.
  for (const Literal& v : {Literal::Timestamp(-1), Literal::TimestampTz(-1), Of(TypeId::kTimestampNs, -1)}) {
    EXPECT_EQ(ApplyInt(Transform::Year(), v), -1);
    EXPECT_EQ(ApplyInt(Transform::Month(), v), -1);
    EXPECT_EQ(ApplyInt(Transform::Day(), v), -1);
    EXPECT_EQ(ApplyInt(Transform::Hour(), v), -1);
  }
  EXPECT_EQ(ApplyInt(Transform::Year(), Literal::Timestamp(0)), 0);
  EXPECT_EQ(ApplyInt(Transform::Hour(), Literal::Timestamp(-3'600'000'000)), -1);
  EXPECT_EQ(ApplyInt(Transform::Hour(), Literal::Timestamp(-3'600'000'001)), -2);
  EXPECT_EQ(ApplyInt(Transform::Year(), Literal::Date(-1)), -1);
  EXPECT_EQ(ApplyInt(Transform::Month(), Literal::Date(-1)), -1);
  EXPECT_EQ(ApplyInt(Transform::Year(), Literal::Date(-366)), -2);               // 1968-12-31
  EXPECT_EQ(ApplyInt(Transform::Month(), Literal::Date(-25508)), -70 * 12 + 2);  // 1900-03-01
}

TEST(ApplyTransform, NullGivesNullAndVoidAlwaysNull) {
  for (const Transform& t :
       {Transform::Identity(), Transform::Bucket(4), Transform::Truncate(3), Transform::Year(), Transform::Void()}) {
    auto r = ApplyTransform(t, std::nullopt);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->has_value()) << t.ToString();
  }
  auto v = ApplyTransform(Transform::Void(), Literal::Int(3));
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->has_value());
  EXPECT_EQ(Apply(Transform::Identity(), Literal::String("x")), Literal::String("x"));
}

TEST(PartitionPathValue, WritesTimeOrdinalsAsJavaDoes) {
  EXPECT_EQ(PartitionPathValue(Transform::Year(), Literal::Int(56)), "2026");
  EXPECT_EQ(PartitionPathValue(Transform::Month(), Literal::Int(682)), "2026-11");
  EXPECT_EQ(PartitionPathValue(Transform::Day(), Literal::Date(kDay20261125)), "2026-11-25");
  EXPECT_EQ(PartitionPathValue(Transform::Hour(), Literal::Int(kDay20261125 * 24 + 10)), "2026-11-25-10");
  EXPECT_EQ(PartitionPathValue(Transform::Year(), Literal::Int(-1)), "1969");
  EXPECT_EQ(PartitionPathValue(Transform::Month(), Literal::Int(-1)), "1969-12");
  EXPECT_EQ(PartitionPathValue(Transform::Hour(), Literal::Int(-1)), "1969-12-31-23");
  EXPECT_EQ(PartitionPathValue(Transform::Bucket(16), Literal::Int(3)), "3");
  EXPECT_EQ(PartitionPathValue(Transform::Day(), std::nullopt), "null");
}

TEST(PartitionPathValue, WritesIdentityValuesByTheirType) {
  const Transform id = Transform::Identity();
  EXPECT_EQ(PartitionPathValue(id, Literal::Date(kDay20261125)), "2026-11-25");
  const int64_t ts = static_cast<int64_t>(kDay20261125) * 86'400'000'000 + 36'000'000'000;  // 10:00
  EXPECT_EQ(PartitionPathValue(id, Literal::Timestamp(ts)), "2026-11-25T10:00:00");
  EXPECT_EQ(PartitionPathValue(id, Literal::Timestamp(ts + 123'000)), "2026-11-25T10:00:00.123");
  EXPECT_EQ(PartitionPathValue(id, Literal::Timestamp(ts + 1)), "2026-11-25T10:00:00.000001");
  EXPECT_EQ(PartitionPathValue(id, Literal::TimestampTz(ts)), "2026-11-25T10:00:00+00:00");
  EXPECT_EQ(PartitionPathValue(id, Of(TypeId::kTimestampNs, ts * 1000 + 1)), "2026-11-25T10:00:00.000000001");
  EXPECT_EQ(PartitionPathValue(id, Literal::Timestamp(-1)), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(PartitionPathValue(id, Literal::Time(kTime223108)), "22:31:08");
  EXPECT_EQ(PartitionPathValue(id, Literal::Time(22 * 3'600'000'000LL)), "22:00");
  EXPECT_EQ(PartitionPathValue(id, Literal::Time(kTime223108 + 500'000)), "22:31:08.500");
  EXPECT_EQ(PartitionPathValue(id, Literal::Time(kTime223108 + 1)), "22:31:08.000001");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(1.0)), "1.0");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(-2.5)), "-2.5");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(0.001)), "0.001");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(0.0001)), "1.0E-4");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(1234567.0)), "1234567.0");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(1e7)), "1.0E7");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(1.5e10)), "1.5E10");
  EXPECT_EQ(PartitionPathValue(id, Literal::Float(0.1f)), "0.1");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(std::numeric_limits<double>::quiet_NaN())), "NaN");
  EXPECT_EQ(PartitionPathValue(id, Literal::Double(-std::numeric_limits<double>::infinity())), "-Infinity");
  EXPECT_EQ(PartitionPathValue(id, Literal::Decimal(1420, 9, 2)), "14.20");
  EXPECT_EQ(PartitionPathValue(id, Literal::Decimal(-5, 9, 2)), "-0.05");
  EXPECT_EQ(PartitionPathValue(id, Literal::Decimal(1, 20, 8)), "1E-8");  // BigDecimal.toString
  EXPECT_EQ(PartitionPathValue(id, Literal::Decimal(42, 9, 0)), "42");
  EXPECT_EQ(PartitionPathValue(id, Literal::Binary(Bytes({0, 1, 2, 3}))), "AAECAw==");
  EXPECT_EQ(PartitionPathValue(id, Literal::Binary("ab")), "YWI=");
  EXPECT_EQ(PartitionPathValue(id, Literal::Binary("abc")), "YWJj");
  EXPECT_EQ(PartitionPathValue(id, Uuid(Bytes({0xF7, 0x9C, 0x3E, 0x09, 0x67, 0x7C, 0x4B, 0xBD, 0xA4, 0x79, 0x3F, 0x34,
                                               0x9C, 0xB7, 0x85, 0xE7}))),
            "f79c3e09-677c-4bbd-a479-3f349cb785e7");
  EXPECT_EQ(PartitionPathValue(id, Literal::Boolean(false)), "false");
  EXPECT_EQ(PartitionPathValue(id, Literal::Long(-7)), "-7");
  EXPECT_EQ(PartitionPathValue(Transform::Truncate(3), Literal::String("ice")), "ice");
}

TEST(PartitionPath, JoinsUrlEncodedNamesAndValues) {
  PartitionSpec spec;
  spec.fields = {{1, 1000, "ts_day", Transform::Day()},
                 {2, 1001, "host name", Transform::Identity()},
                 {3, 1002, "id_bucket", Transform::Bucket(16)}};
  EXPECT_EQ(PartitionPath(spec, {Literal::Date(kDay20261125), Literal::String("a b/c&\xC3\xA9*.-_~"), Literal::Int(3)}),
            "ts_day=2026-11-25/host+name=a+b%2Fc%26%C3%A9*.-_%7E/id_bucket=3");
  EXPECT_EQ(PartitionPath(spec, {std::nullopt, std::nullopt, Literal::Int(0)}),
            "ts_day=null/host+name=null/id_bucket=0");
  // A timestamp's ':' and '+' are encoded too.
  PartitionSpec by_ts;
  by_ts.fields = {{1, 1000, "ts", Transform::Identity()}};
  EXPECT_EQ(PartitionPath(by_ts, {Literal::TimestampTz(0)}), "ts=1970-01-01T00%3A00%3A00%2B00%3A00");
  EXPECT_EQ(PartitionPath(PartitionSpec{}, {}), "");
}

}  // namespace
}  // namespace floe::iceberg
