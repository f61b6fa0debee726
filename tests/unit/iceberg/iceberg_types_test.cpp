#include "floe/iceberg/iceberg_types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "iceberg_test_util.h"

namespace floe::iceberg {
namespace {

using testing::Field;

Schema TelemetrySchema() {
  auto location = Type::Struct({Field(7, "lat", true, Type::Primitive(TypeId::kDouble)),
                                Field(8, "lon", true, Type::Primitive(TypeId::kDouble))});
  return Schema(3,
                {Field(1, "sensor_id", true, Type::Primitive(TypeId::kString)),
                 Field(2, "ts", true, Type::Primitive(TypeId::kTimestampTz)),
                 Field(3, "temperature", false, Type::Decimal(9, 2)), Field(4, "location", false, location),
                 Field(5, "tags", false, Type::List(9, false, Type::Primitive(TypeId::kString))),
                 Field(6, "a.b", false, Type::Primitive(TypeId::kInt))},
                {1});
}

TEST(IcebergTypes, PrimitiveNamesRoundTrip) {
  for (std::string name :
       {"boolean", "int", "long", "float", "double", "date", "time", "timestamp", "timestamptz", "timestamp_ns",
        "timestamptz_ns", "string", "uuid", "binary", "decimal(38,0)", "decimal(9,2)", "fixed[16]"}) {
    auto t = Type::ParsePrimitive(name);
    ASSERT_TRUE(t.ok()) << name << ": " << t.status().ToString();
    EXPECT_EQ((*t)->ToString(), name);
  }
  EXPECT_EQ((*Type::ParsePrimitive(" decimal( 10 , 3 ) "))->ToString(), "decimal(10,3)");
}

TEST(IcebergTypes, BadTypeNamesAreRefused) {
  EXPECT_EQ(Type::ParsePrimitive("lnog").status().message(), "unknown type 'lnog'");
  EXPECT_FALSE(Type::ParsePrimitive("decimal(39,0)").ok());
  EXPECT_FALSE(Type::ParsePrimitive("decimal(5,6)").ok());
  EXPECT_FALSE(Type::ParsePrimitive("fixed[0]").ok());
  EXPECT_FALSE(Type::ParsePrimitive("fixed[x]").ok());
  EXPECT_FALSE(Type::ParsePrimitive("struct").ok());
}

TEST(IcebergTypes, NestedTypesPrintReadably) {
  Schema s = TelemetrySchema();
  EXPECT_EQ(s.FindById(4)->type->ToString(), "struct<7: lat: required double, 8: lon: required double>");
  EXPECT_EQ(s.FindById(5)->type->ToString(), "list<string>");
  EXPECT_EQ(Type::Map(10, Type::Primitive(TypeId::kString), 11, true, Type::Primitive(TypeId::kLong))->ToString(),
            "map<string, long>");
}

TEST(IcebergSchema, FindsFieldsByIdAndName) {
  Schema s = TelemetrySchema();
  EXPECT_EQ(s.FindById(8)->name, "lon");
  EXPECT_EQ(s.FindById(9)->name, "element");
  EXPECT_EQ(s.FindById(99), nullptr);
  EXPECT_EQ(s.FindByName("location.lat")->id, 7);
  EXPECT_EQ(s.FindByName("a.b")->id, 6);  // a top-level name with a dot
  EXPECT_EQ(s.FindByName("Sensor_id"), nullptr);
  EXPECT_EQ(s.FindByName("location.x"), nullptr);
  EXPECT_EQ(s.FindByName("sensor_id.x"), nullptr);
  EXPECT_EQ(s.NameOf(8), "location.lon");
  EXPECT_EQ(s.NameOf(42), "");
  EXPECT_EQ(s.HighestFieldId(), 9);
  EXPECT_TRUE(s.Validate().ok());
}

TEST(IcebergSchema, ValidateNamesTheProblem) {
  Schema dup_id(
      0, {Field(1, "a", true, Type::Primitive(TypeId::kInt)), Field(1, "b", true, Type::Primitive(TypeId::kInt))});
  EXPECT_EQ(dup_id.Validate().message(), "schema: field id 1 of 'b' is used by another field");
  Schema dup_name(
      0, {Field(1, "a", true, Type::Primitive(TypeId::kInt)), Field(2, "a", true, Type::Primitive(TypeId::kInt))});
  EXPECT_EQ(dup_name.Validate().message(), "schema: field name 'a' appears twice");
  Schema bad_identifier(0, {Field(1, "a", false, Type::Primitive(TypeId::kInt))}, {1});
  EXPECT_EQ(bad_identifier.Validate().message(), "schema: identifier field 'a' must be a required primitive column");
  Schema missing_identifier(0, {Field(1, "a", true, Type::Primitive(TypeId::kInt))}, {5});
  EXPECT_FALSE(missing_identifier.Validate().ok());
}

TEST(IcebergSchema, SameStructureIgnoresTheSchemaId) {
  Schema a = TelemetrySchema();
  Schema b = TelemetrySchema();
  b.set_schema_id(9);
  EXPECT_TRUE(a.SameStructure(b));
  Schema c(3, {Field(1, "sensor_id", false, Type::Primitive(TypeId::kString))});
  EXPECT_FALSE(a.SameStructure(c));
}

TEST(IcebergLiteral, ToStringForPeople) {
  EXPECT_EQ(Literal::Date(0).ToString(), "1970-01-01");
  EXPECT_EQ(Literal::Date(-1).ToString(), "1969-12-31");
  EXPECT_EQ(Literal::Date(20782).ToString(), "2026-11-25");
  EXPECT_EQ(Literal::Timestamp(1'764'064'800'123'456).ToString(), "2025-11-25T10:00:00.123456");
  EXPECT_EQ(Literal::TimestampTz(-1).ToString(), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(Literal::Time(81'068'000'000).ToString(), "22:31:08");
  EXPECT_EQ(Literal::Decimal(1420, 9, 2).ToString(), "14.20");
  EXPECT_EQ(Literal::Decimal(-5, 9, 3).ToString(), "-0.005");
  EXPECT_EQ(Literal::Decimal(7, 9, 0).ToString(), "7");
  EXPECT_EQ(Literal::Binary(std::string("\x00\xff", 2)).ToString(), "00ff");
  EXPECT_EQ(Literal::Of(Type::Primitive(TypeId::kUuid),
                        std::string("\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16))
                .ToString(),
            "f79c3e09-677c-4bbd-a479-3f349cb785e7");
  EXPECT_EQ(Literal::Double(21.53).ToString(), "21.53");
  EXPECT_EQ(Literal::Float(0.5f).ToString(), "0.5");
}

TEST(IcebergLiteral, CompareFollowsTheSpecOrder) {
  EXPECT_LT(CompareLiterals(Literal::Int(-5), Literal::Int(3)), 0);
  EXPECT_EQ(CompareLiterals(Literal::Long(7), Literal::Long(7)), 0);
  // Strings compare as unsigned bytes: "é" (0xc3 0xa9) sorts after "z".
  EXPECT_GT(CompareLiterals(Literal::String("\xc3\xa9"), Literal::String("z")), 0);
  EXPECT_LT(CompareLiterals(Literal::String("ab"), Literal::String("abc")), 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> ordered = {-nan, -inf, -1.0, -0.0, 0.0, 1.0, inf, nan};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(CompareLiterals(Literal::Double(ordered[i]), Literal::Double(ordered[i + 1])), 0) << i;
  }
  EXPECT_LT(CompareLiterals(Literal::Decimal(-100, 9, 2), Literal::Decimal(1, 9, 2)), 0);
}

TEST(IcebergLiteral, EqualityIsByTypeAndBits) {
  EXPECT_EQ(Literal::Double(std::nan("")), Literal::Double(std::nan("")));
  EXPECT_FALSE(Literal::Double(0.0) == Literal::Double(-0.0));
  EXPECT_FALSE(Literal::Int(1) == Literal::Date(1));
  EXPECT_FALSE(Literal::Decimal(1, 9, 2) == Literal::Decimal(1, 9, 3));
}

}  // namespace
}  // namespace floe::iceberg
