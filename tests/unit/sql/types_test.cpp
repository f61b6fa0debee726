#include "floe/sql/types.h"

#include <gtest/gtest.h>

#include "floe/sql/parser.h"

namespace floe::sql {
namespace {

DataType T(const char* sql) {
  auto t = ParseDataType(sql);
  EXPECT_TRUE(t.ok()) << sql << ": " << t.status().ToString();
  return t.ok() ? *t : DataType::Null();
}

std::string Common(const char* a, const char* b) {
  auto c = CommonType(T(a), T(b));
  return c ? c->ToString() : "none";
}

TEST(TypesTest, NamesAsFlinkPrintsThem) {
  EXPECT_EQ(DataType::String().ToString(), "STRING");
  EXPECT_EQ(DataType::VarChar(10).NotNull().ToString(), "VARCHAR(10) NOT NULL");
  EXPECT_EQ(DataType::Bytes().ToString(), "BYTES");
  EXPECT_EQ(DataType::Decimal(10, 2).ToString(), "DECIMAL(10, 2)");
  EXPECT_EQ(DataType::TimestampLtz(3).ToString(), "TIMESTAMP_LTZ(3)");
  EXPECT_EQ(DataType::IntervalDayTime().ToString(), "INTERVAL DAY TO SECOND(3)");
  EXPECT_EQ(DataType::Null().NotNull().ToString(), "NULL");
}

TEST(TypesTest, CommonTypeFollowsFlinksPromotion) {
  EXPECT_EQ(Common("INT", "BIGINT"), "BIGINT");
  EXPECT_EQ(Common("TINYINT NOT NULL", "SMALLINT NOT NULL"), "SMALLINT NOT NULL");
  EXPECT_EQ(Common("INT NOT NULL", "BIGINT"), "BIGINT");
  EXPECT_EQ(Common("INT", "DOUBLE"), "DOUBLE");
  EXPECT_EQ(Common("BIGINT", "FLOAT"), "FLOAT");
  EXPECT_EQ(Common("FLOAT", "DOUBLE"), "DOUBLE");
  EXPECT_EQ(Common("DECIMAL(5, 2)", "INT"), "DECIMAL(12, 2)");
  EXPECT_EQ(Common("DECIMAL(5, 2)", "DECIMAL(10, 4)"), "DECIMAL(10, 4)");
  EXPECT_EQ(Common("DECIMAL(5, 2)", "DOUBLE"), "DOUBLE");
  EXPECT_EQ(Common("DECIMAL(5, 2)", "FLOAT"), "DOUBLE");
  EXPECT_EQ(Common("CHAR(3)", "CHAR(3)"), "CHAR(3)");
  EXPECT_EQ(Common("CHAR(3)", "CHAR(5)"), "VARCHAR(5)");
  EXPECT_EQ(Common("CHAR(3)", "STRING"), "STRING");
  EXPECT_EQ(Common("TIMESTAMP(3)", "TIMESTAMP(6)"), "TIMESTAMP(6)");
  EXPECT_EQ(Common("TIMESTAMP(3)", "TIMESTAMP_LTZ(3)"), "TIMESTAMP_LTZ(3)");
  EXPECT_EQ(Common("DATE", "DATE NOT NULL"), "DATE");
  EXPECT_EQ(Common("BOOLEAN", "BOOLEAN"), "BOOLEAN");
  EXPECT_EQ(Common("STRING", "INT"), "none");
  EXPECT_EQ(Common("DATE", "TIMESTAMP(3)"), "none");
  EXPECT_EQ(Common("BOOLEAN", "INT"), "none");
  EXPECT_EQ(CommonType(DataType::Null(), DataType::Int().NotNull())->ToString(), "INT");
}

TEST(TypesTest, WideningNeverLosesRange) {
  EXPECT_TRUE(CanWiden(T("INT"), T("BIGINT")));
  EXPECT_FALSE(CanWiden(T("BIGINT"), T("INT")));
  EXPECT_TRUE(CanWiden(T("INT"), T("DECIMAL(10, 0)")));
  EXPECT_FALSE(CanWiden(T("INT"), T("DECIMAL(9, 0)")));
  EXPECT_TRUE(CanWiden(T("DECIMAL(5, 2)"), T("DECIMAL(10, 2)")));
  EXPECT_FALSE(CanWiden(T("DECIMAL(5, 2)"), T("DECIMAL(10, 1)")));
  EXPECT_TRUE(CanWiden(T("BIGINT"), T("DOUBLE")));
  EXPECT_TRUE(CanWiden(T("FLOAT"), T("DOUBLE")));
  EXPECT_FALSE(CanWiden(T("DOUBLE"), T("FLOAT")));
  EXPECT_FALSE(CanWiden(T("DOUBLE"), T("DECIMAL(38, 10)")));
  EXPECT_TRUE(CanWiden(T("VARCHAR(5)"), T("VARCHAR(10)")));
  EXPECT_TRUE(CanWiden(T("CHAR(5)"), T("STRING")));
  EXPECT_FALSE(CanWiden(T("STRING"), T("VARCHAR(10)")));
  EXPECT_FALSE(CanWiden(T("VARCHAR(3)"), T("CHAR(3)")));
  EXPECT_TRUE(CanWiden(T("TIMESTAMP(3)"), T("TIMESTAMP(6)")));
  EXPECT_TRUE(CanWiden(T("TIMESTAMP(3)"), T("TIMESTAMP_LTZ(3)")));
  EXPECT_FALSE(CanWiden(T("TIMESTAMP(6)"), T("TIMESTAMP(3)")));
  EXPECT_FALSE(CanWiden(T("DATE"), T("TIMESTAMP(3)")));
  EXPECT_FALSE(CanWiden(T("INT"), T("STRING")));
  EXPECT_TRUE(CanWiden(DataType::Null(), T("INT NOT NULL")));
  EXPECT_TRUE(CanWiden(T("INT"), T("INT NOT NULL")));  // nullability is checked when rows are written
}

TEST(TypesTest, ExplicitCasts) {
  EXPECT_TRUE(CanCast(T("STRING"), T("INT")));
  EXPECT_TRUE(CanCast(T("INT"), T("STRING")));
  EXPECT_TRUE(CanCast(T("DOUBLE"), T("INT")));
  EXPECT_TRUE(CanCast(T("STRING"), T("TIMESTAMP(3)")));
  EXPECT_TRUE(CanCast(T("TIMESTAMP(3)"), T("DATE")));
  EXPECT_TRUE(CanCast(T("BIGINT"), T("TIMESTAMP_LTZ(3)")));
  EXPECT_TRUE(CanCast(T("INT"), T("BOOLEAN")));
  EXPECT_FALSE(CanCast(T("DATE"), T("INT")));
  EXPECT_FALSE(CanCast(T("BOOLEAN"), T("TIMESTAMP(3)")));
  EXPECT_FALSE(CanCast(T("DOUBLE"), T("BOOLEAN")));
}

TEST(TypesTest, DecimalArithmeticTypesAreFlinks) {
  DataType a = DataType::Decimal(10, 2);
  DataType b = DataType::Decimal(5, 3);
  EXPECT_EQ(DecimalAdditionType(a, b).Name(), "DECIMAL(12, 3)");
  EXPECT_EQ(DecimalMultiplicationType(a, b).Name(), "DECIMAL(16, 5)");
  EXPECT_EQ(DecimalDivisionType(a, b).Name(), "DECIMAL(19, 8)");
  EXPECT_EQ(DecimalModuloType(a, b).Name(), "DECIMAL(5, 3)");
  EXPECT_EQ(DecimalMultiplicationType(DataType::Decimal(38, 10), DataType::Decimal(38, 10)).Name(), "DECIMAL(38, 6)");
  EXPECT_EQ(DecimalRoundType(a, 1).Name(), "DECIMAL(10, 1)");
  EXPECT_EQ(DecimalRoundType(a, 5).Name(), "DECIMAL(10, 2)");
  EXPECT_EQ(DecimalRoundType(a, -1).Name(), "DECIMAL(9, 0)");
  EXPECT_EQ(AsDecimal(DataType::BigInt()).Name(), "DECIMAL(19, 0)");
}

TEST(TypesTest, IcebergNames) {
  const std::pair<const char*, const char*> cases[] = {
      {"BOOLEAN", "boolean"},
      {"TINYINT", "int"},
      {"INT", "int"},
      {"BIGINT", "long"},
      {"FLOAT", "float"},
      {"DOUBLE", "double"},
      {"DECIMAL(9, 2)", "decimal(9,2)"},
      {"DATE", "date"},
      {"TIME", "time"},
      {"TIMESTAMP(3)", "timestamp"},
      {"TIMESTAMP(9)", "timestamp_ns"},
      {"TIMESTAMP_LTZ(3)", "timestamptz"},
      {"TIMESTAMP_LTZ(9)", "timestamptz_ns"},
      {"STRING", "string"},
      {"CHAR(2)", "string"},
      {"BINARY(16)", "fixed[16]"},
      {"BYTES", "binary"},
  };
  for (const auto& [sql, iceberg] : cases) {
    auto name = IcebergTypeName(T(sql));
    ASSERT_TRUE(name.ok()) << sql;
    EXPECT_EQ(*name, iceberg) << sql;
  }
  auto interval = IcebergTypeName(DataType::IntervalDayTime());
  ASSERT_FALSE(interval.ok());
  EXPECT_EQ(interval.status().message(),
            "type INTERVAL DAY TO SECOND(3) has no Iceberg equivalent: CAST it to a storable type");
}

TEST(TypesTest, FromIcebergNames) {
  const std::pair<const char*, const char*> cases[] = {
      {"int", "INT"},
      {"long", "BIGINT NOT NULL"},
      {"timestamptz", "TIMESTAMP_LTZ(6)"},
      {"timestamp", "TIMESTAMP(6)"},
      {"decimal(9, 2)", "DECIMAL(9, 2)"},
      {"fixed[16]", "BINARY(16)"},
      {"uuid", "BINARY(16)"},
      {"string", "STRING"},
      {"binary", "BYTES"},
  };
  for (const auto& [iceberg, sql] : cases) {
    auto type = DataTypeFromIcebergName(iceberg, std::string(sql).find("NOT NULL") != std::string::npos);
    ASSERT_TRUE(type.ok()) << iceberg;
    EXPECT_EQ(type->ToString(), sql) << iceberg;
  }
  EXPECT_FALSE(DataTypeFromIcebergName("struct<1: a: int>", false).ok());
  EXPECT_FALSE(DataTypeFromIcebergName("decimal(40,2)", false).ok());
  // Every SQL type that maps to Iceberg maps back to a type it widens to.
  for (const char* sql : {"INT", "BIGINT", "DOUBLE", "DECIMAL(9, 2)", "TIMESTAMP(3)", "TIMESTAMP_LTZ(3)", "STRING",
                          "DATE", "BOOLEAN", "BINARY(4)"}) {
    auto back = DataTypeFromIcebergName(*IcebergTypeName(T(sql)), false);
    ASSERT_TRUE(back.ok()) << sql;
    EXPECT_TRUE(CanWiden(T(sql), *back)) << sql << " -> " << back->ToString();
  }
}

}  // namespace
}  // namespace floe::sql
