#include "floe/formats/column_vector.h"

#include <gtest/gtest.h>

namespace floe::formats {
namespace {

TEST(ColumnVector, FixedWidthValuesAndNulls) {
  ColumnVector c(DataType{ColumnType::kInt64});
  c.Append<int64_t>(7);
  c.AppendNull();
  c.Append<int64_t>(-3);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c.null_count(), 1u);
  EXPECT_FALSE(c.IsNull(0));
  EXPECT_TRUE(c.IsNull(1));
  EXPECT_EQ(c.value<int64_t>(0), 7);
  EXPECT_EQ(c.value<int64_t>(2), -3);
  EXPECT_EQ(c.values<int64_t>()[1], 0) << "null rows hold zero";
}

TEST(ColumnVector, StringsShareOneBuffer) {
  ColumnVector c(DataType{ColumnType::kString});
  c.AppendString("ab");
  c.AppendNull();
  c.AppendString("");
  c.AppendString("xyz");
  EXPECT_EQ(c.string(0), "ab");
  EXPECT_TRUE(c.IsNull(1));
  EXPECT_EQ(c.string(2), "");
  EXPECT_EQ(c.string(3), "xyz");
  EXPECT_EQ(c.bytes(), "abxyz");
  EXPECT_EQ(c.offsets(), (std::vector<int64_t>{0, 2, 2, 2, 5}));
}

TEST(ColumnVector, BulkAppendKeepsValidity) {
  ColumnVector c(DataType{ColumnType::kInt32});
  c.Append<int32_t>(1);
  const int32_t more[] = {2, 3, 4};
  const uint8_t valid[] = {1, 0, 1};
  c.AppendFixed(more, 3, valid);
  c.AppendFixed(more, 3);
  ASSERT_EQ(c.size(), 7u);
  EXPECT_EQ(c.null_count(), 1u);
  EXPECT_TRUE(c.IsNull(2));
  EXPECT_FALSE(c.IsNull(6));
  EXPECT_EQ(c.value<int32_t>(6), 4);
}

TEST(ColumnVector, AppendRangeCopiesRowsWithTheirNulls) {
  ColumnVector src(DataType{ColumnType::kString});
  src.AppendString("a");
  src.AppendNull();
  src.AppendString("bc");
  src.AppendString("def");
  ColumnVector dst(DataType{ColumnType::kString});
  dst.AppendString("z");
  dst.AppendRange(src, 1, 4);
  ASSERT_EQ(dst.size(), 4u);
  EXPECT_EQ(dst.null_count(), 1u);
  EXPECT_EQ(dst.string(0), "z");
  EXPECT_TRUE(dst.IsNull(1));
  EXPECT_EQ(dst.string(2), "bc");
  EXPECT_EQ(dst.string(3), "def");
  EXPECT_EQ(dst.bytes(), "zbcdef");
  dst.AppendRange(src, 2, 3);  // no nulls in the range: validity still grows
  EXPECT_EQ(dst.size(), 5u);
  EXPECT_FALSE(dst.IsNull(4));

  ColumnVector ints(DataType{ColumnType::kInt32});
  ColumnVector more(DataType{ColumnType::kInt32});
  more.Append<int32_t>(5);
  more.AppendNull();
  ints.AppendRange(more, 0, 2);
  EXPECT_EQ(ints, more);
}

TEST(ColumnVector, EqualityComparesValuesNotNullSlots) {
  ColumnVector a(DataType{ColumnType::kString}), b(DataType{ColumnType::kString});
  a.AppendString("x");
  a.AppendNull();
  b.AppendString("x");
  b.AppendNull();
  EXPECT_EQ(a, b);
  b.AppendString("y");
  EXPECT_FALSE(a == b);
}

TEST(DataType, IcebergNames) {
  EXPECT_EQ(TypeToString(DataType{ColumnType::kDecimal, 9, 2}), "decimal(9,2)");
  EXPECT_EQ(TypeToString(DataType{ColumnType::kTimestampTz}), "timestamptz");
  EXPECT_EQ(TypeToString(DataType{ColumnType::kInt64}), "long");
}

}  // namespace
}  // namespace floe::formats
