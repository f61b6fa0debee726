#include "floe/iceberg/partition_spec.h"

#include <gtest/gtest.h>

namespace floe::iceberg {
namespace {

NestedField Field(int32_t id, std::string name, TypePtr type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = true;
  f.type = std::move(type);
  return f;
}

TEST(Transform, ParsesAndPrintsEveryTransform) {
  for (std::string text : {"identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"}) {
    auto t = Transform::Parse(text);
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_EQ(t->ToString(), text);
  }
  EXPECT_EQ(Transform::Parse("bucket[0]").status().message(),
            "transform 'bucket[0]': the parameter must be a positive integer");
  EXPECT_FALSE(Transform::Parse("bucket[").ok());
  EXPECT_FALSE(Transform::Parse("truncate[x]").ok());
  EXPECT_EQ(Transform::Parse("days").status().message(), "unknown transform 'days'");
}

TEST(Transform, ResultTypesFollowTheSpec) {
  const TypePtr ts = Type::Primitive(TypeId::kTimestampTz);
  EXPECT_EQ((*Transform::Day().ResultType(ts))->id, TypeId::kDate);
  EXPECT_EQ((*Transform::Hour().ResultType(ts))->id, TypeId::kInt);
  EXPECT_EQ((*Transform::Month().ResultType(Type::Primitive(TypeId::kDate)))->id, TypeId::kInt);
  EXPECT_EQ((*Transform::Bucket(8).ResultType(Type::Primitive(TypeId::kString)))->id, TypeId::kInt);
  EXPECT_EQ((*Transform::Truncate(3).ResultType(Type::Decimal(9, 2)))->ToString(), "decimal(9,2)");
  EXPECT_EQ((*Transform::Identity().ResultType(ts))->id, TypeId::kTimestampTz);
  EXPECT_EQ(Transform::Day().ResultType(Type::Primitive(TypeId::kString)).status().message(),
            "transform day cannot be applied to type string");
  EXPECT_FALSE(Transform::Bucket(4).ResultType(Type::Primitive(TypeId::kDouble)).ok());
  EXPECT_FALSE(Transform::Hour().ResultType(Type::Primitive(TypeId::kDate)).ok());
  EXPECT_FALSE(Transform::Truncate(2).ResultType(Type::Primitive(TypeId::kTimestamp)).ok());
  EXPECT_TRUE(Transform::Day().PreservesOrder());
  EXPECT_FALSE(Transform::Bucket(2).PreservesOrder());
}

TEST(PartitionSpec, PartitionTypeIsAStructOfOptionalResults) {
  Schema schema(0, {Field(1, "sensor_id", Type::Primitive(TypeId::kString)),
                    Field(2, "window_start", Type::Primitive(TypeId::kTimestampTz))});
  PartitionSpec spec{
      0, {{2, 1000, "window_start_day", Transform::Day()}, {1, 1001, "sensor_bucket", Transform::Bucket(4)}}};
  auto type = spec.PartitionType(schema);
  ASSERT_TRUE(type.ok());
  EXPECT_EQ((*type)->ToString(), "struct<1000: window_start_day: optional date, 1001: sensor_bucket: optional int>");
  EXPECT_EQ(spec.LastFieldId(), 1001);
  EXPECT_FALSE(spec.unpartitioned());
  EXPECT_TRUE(PartitionSpec{}.unpartitioned());
  EXPECT_EQ(PartitionSpec{}.LastFieldId(), 999);

  PartitionSpec missing{1, {{9, 1000, "x", Transform::Identity()}}};
  EXPECT_EQ(missing.PartitionType(schema).status().message(),
            "partition field 'x': source column id 9 is not in the schema");
  PartitionSpec wrong{1, {{1, 1000, "d", Transform::Day()}}};
  EXPECT_EQ(wrong.PartitionType(schema).status().message(),
            "partition field 'd' on column 'sensor_id': transform day cannot be applied to type string");
}

}  // namespace
}  // namespace floe::iceberg
