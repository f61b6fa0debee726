#include "floe/iceberg/row_filter.h"

#include <gtest/gtest.h>

#include <limits>

namespace floe::iceberg {
namespace {

using formats::ColumnType;
using formats::ColumnVector;

constexpr int64_t kTs20261125 = 20782LL * 86'400'000'000;
constexpr int64_t kHour = 3'600'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

NestedField Field(int32_t id, std::string name, TypePtr type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.type = std::move(type);
  return f;
}

Schema TestSchema() {
  return Schema(
      0,
      {Field(1, "id", Type::Primitive(TypeId::kLong)), Field(2, "temperature", Type::Primitive(TypeId::kDouble)),
       Field(3, "host", Type::Primitive(TypeId::kString)), Field(4, "ts", Type::Primitive(TypeId::kTimestampTz)),
       Field(5, "count", Type::Primitive(TypeId::kInt)), Field(6, "price", Type::Decimal(9, 2)),
       Field(7, "flag", Type::Primitive(TypeId::kBoolean)), Field(8, "fine_price", Type::Decimal(12, 3)),
       Field(9, "ts_ns", Type::Primitive(TypeId::kTimestampTzNs)), Field(10, "day", Type::Primitive(TypeId::kDate))});
}

// Five rows:
//   id  temperature  host      ts              count  price  flag   fine_price(col scale 2)  ts_ns(col micros)  day
//   1   10.0         web-1     2026-11-25      1      1.00   true   1.00                     = ts              20782
//   2   null         db-1      +1h             2      2.50   false  2.50                                       null
//   3   NaN          null      -1 micro        3      -0.05  null   -0.05                                      20781
//   4   35.5         web-2     null            null   1.99   true   1.99                                       20783
//   5   -0.0         web-10    +1 micro        5      null   false  null                                       20782
struct Batch {
  std::vector<int32_t> ids;
  std::vector<ColumnVector> columns;
};

Batch TestBatch() {
  Batch b;
  auto add = [&](int32_t id, ColumnVector c) {
    b.ids.push_back(id);
    b.columns.push_back(std::move(c));
  };
  ColumnVector id({ColumnType::kInt64});
  for (int64_t v = 1; v <= 5; ++v) id.Append<int64_t>(v);
  add(1, std::move(id));

  ColumnVector temp({ColumnType::kDouble});
  temp.Append<double>(10.0);
  temp.AppendNull();
  temp.Append<double>(kNaN);
  temp.Append<double>(35.5);
  temp.Append<double>(-0.0);
  add(2, std::move(temp));

  ColumnVector host({ColumnType::kString});
  host.AppendString("web-1");
  host.AppendString("db-1");
  host.AppendNull();
  host.AppendString("web-2");
  host.AppendString("web-10");
  add(3, std::move(host));

  ColumnVector ts({ColumnType::kTimestampTz});
  ts.Append<int64_t>(kTs20261125);
  ts.Append<int64_t>(kTs20261125 + kHour);
  ts.Append<int64_t>(kTs20261125 - 1);
  ts.AppendNull();
  ts.Append<int64_t>(kTs20261125 + 1);
  ColumnVector ts_ns = ts;
  add(4, std::move(ts));

  ColumnVector count({ColumnType::kInt32});
  count.Append<int32_t>(1);
  count.Append<int32_t>(2);
  count.Append<int32_t>(3);
  count.AppendNull();
  count.Append<int32_t>(5);
  add(5, std::move(count));

  ColumnVector price({ColumnType::kDecimal, 9, 2});
  for (int64_t v : {100, 250, -5, 199}) price.Append<int64_t>(v);
  price.AppendNull();
  ColumnVector fine_price = price;
  add(6, std::move(price));

  ColumnVector flag({ColumnType::kBoolean});
  flag.Append<uint8_t>(1);
  flag.Append<uint8_t>(0);
  flag.AppendNull();
  flag.Append<uint8_t>(1);
  flag.Append<uint8_t>(0);
  add(7, std::move(flag));

  add(8, std::move(fine_price));
  add(9, std::move(ts_ns));

  ColumnVector day({ColumnType::kDate});
  day.Append<int32_t>(20782);
  day.AppendNull();
  day.Append<int32_t>(20781);
  day.Append<int32_t>(20783);
  day.Append<int32_t>(20782);
  add(10, std::move(day));
  return b;
}

std::vector<uint8_t> Select(const ExpressionPtr& unbound) {
  auto bound = Bind(TestSchema(), unbound);
  EXPECT_TRUE(bound.ok()) << bound.status().ToString();
  if (!bound.ok()) return {};
  const Batch b = TestBatch();
  auto r = EvaluateBatch(*bound, b.ids, b.columns);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<uint8_t>{};
}

std::vector<uint8_t> Select(std::string_view filter) {
  auto e = ParseFilter(filter);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return e.ok() ? Select(*e) : std::vector<uint8_t>{};
}

using Rows = std::vector<uint8_t>;

TEST(EvaluateBatch, ComparesNumbersAndSkipsNullsAndNaN) {
  EXPECT_EQ(Select("temperature > 30"), (Rows{0, 0, 0, 1, 0}));
  EXPECT_EQ(Select("temperature <= 10"), (Rows{1, 0, 0, 0, 1}));
  EXPECT_EQ(Select("temperature = 10"), (Rows{1, 0, 0, 0, 0}));
  // Null and NaN satisfy the negations.
  EXPECT_EQ(Select("temperature != 10"), (Rows{0, 1, 1, 1, 1}));
  EXPECT_EQ(Select("temperature NOT IN (10, 35.5)"), (Rows{0, 1, 1, 0, 1}));
  EXPECT_EQ(Select("temperature IS NAN"), (Rows{0, 0, 1, 0, 0}));
  EXPECT_EQ(Select("temperature IS NOT NAN"), (Rows{1, 1, 0, 1, 1}));
  EXPECT_EQ(Select("temperature IS NULL"), (Rows{0, 1, 0, 0, 0}));
  // The spec's order: -0.0 < 0.0, as file bounds assume.
  EXPECT_EQ(Select("temperature < 0.0"), (Rows{0, 0, 0, 0, 1}));
  EXPECT_EQ(Select("count >= 3"), (Rows{0, 0, 1, 0, 1}));
  EXPECT_EQ(Select("count IN (1, 5, 7)"), (Rows{1, 0, 0, 0, 1}));
  EXPECT_EQ(Select("count < 2.5"), (Rows{1, 1, 0, 0, 0}));
  EXPECT_EQ(Select("count < 3000000000"), (Rows{1, 1, 1, 0, 1}));  // count IS NOT NULL
  EXPECT_EQ(Select("id > 3"), (Rows{0, 0, 0, 1, 1}));
  EXPECT_EQ(Select("flag = true"), (Rows{1, 0, 0, 1, 0}));
  EXPECT_EQ(Select("flag != true"), (Rows{0, 1, 1, 0, 1}));
}

TEST(EvaluateBatch, ComparesStringsAndPrefixes) {
  EXPECT_EQ(Select("host LIKE 'web%'"), (Rows{1, 0, 0, 1, 1}));
  EXPECT_EQ(Select("host NOT LIKE 'web%'"), (Rows{0, 1, 1, 0, 0}));
  EXPECT_EQ(Select("host LIKE 'web-1%'"), (Rows{1, 0, 0, 0, 1}));
  EXPECT_EQ(Select("host IN ('db-1', 'web-2')"), (Rows{0, 1, 0, 1, 0}));
  EXPECT_EQ(Select("host > 'web-1'"), (Rows{0, 0, 0, 1, 1}));
  EXPECT_EQ(Select("host = 'web-10'"), (Rows{0, 0, 0, 0, 1}));
}

TEST(EvaluateBatch, ComparesDecimalsTimestampsAndDatesByValue) {
  EXPECT_EQ(Select("price > 1.995"), (Rows{0, 1, 0, 0, 0}));  // price > 1.99
  EXPECT_EQ(Select("price = 1.99"), (Rows{0, 0, 0, 1, 0}));
  EXPECT_EQ(Select("price < 0"), (Rows{0, 0, 1, 0, 0}));
  // A decimal(12,3) field read from a column written at scale 2.
  EXPECT_EQ(Select("fine_price = 2.5"), (Rows{0, 1, 0, 0, 0}));
  EXPECT_EQ(Select("fine_price > 1.991"), (Rows{0, 1, 0, 0, 0}));
  EXPECT_EQ(Select("fine_price >= 1.99"), (Rows{0, 1, 0, 1, 0}));
  EXPECT_EQ(Select("ts >= '2026-11-25'"), (Rows{1, 1, 0, 0, 1}));
  EXPECT_EQ(Select("ts < '2026-11-25T01:00:00+01:00'"), (Rows{0, 0, 1, 0, 0}));
  EXPECT_EQ(Select("ts = '2026-11-25T00:00:00.000001Z'"), (Rows{0, 0, 0, 0, 1}));
  // A nanosecond field read from a micros column.
  EXPECT_EQ(Select("ts_ns > '2026-11-25T00:00:00.000000999'"), (Rows{0, 1, 0, 0, 1}));
  EXPECT_EQ(Select("ts_ns = '2026-11-25T00:00:00.000001'"), (Rows{0, 0, 0, 0, 1}));
  EXPECT_EQ(Select("day = '2026-11-25'"), (Rows{1, 0, 0, 0, 1}));
  EXPECT_EQ(Select("day < '2026-11-25'"), (Rows{0, 0, 1, 0, 0}));
}

TEST(EvaluateBatch, CombinesAndOrNot) {
  EXPECT_EQ(Select("count >= 3 OR host IS NULL"), (Rows{0, 0, 1, 0, 1}));
  EXPECT_EQ(Select("host LIKE 'web%' AND temperature > 0"), (Rows{1, 0, 0, 1, 0}));
  // NOT is pushed into the predicates: NOT (count >= 3) is count < 3, which a null count fails.
  EXPECT_EQ(Select("NOT (count >= 3)"), (Rows{1, 1, 0, 0, 0}));
  EXPECT_EQ(Select("NOT (count >= 3 OR host = 'db-1')"), (Rows{1, 0, 0, 0, 0}));
  // The same when a NOT is put over an already bound expression.
  auto bound = Bind(TestSchema(), Expr::GtEq("count", 3));
  ASSERT_TRUE(bound.ok());
  const Batch b = TestBatch();
  auto r = EvaluateBatch(Expr::Not(*bound), b.ids, b.columns);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (Rows{1, 1, 0, 0, 0}));
  EXPECT_EQ(*EvaluateBatch(Expr::True(), b.ids, b.columns), (Rows{1, 1, 1, 1, 1}));
  EXPECT_EQ(*EvaluateBatch(Expr::False(), b.ids, b.columns), (Rows{0, 0, 0, 0, 0}));
  EXPECT_EQ(*EvaluateBatch(Expr::Not(Expr::False()), b.ids, b.columns), (Rows{1, 1, 1, 1, 1}));
  EXPECT_TRUE(EvaluateBatch(Expr::True(), {}, {})->empty());
}

TEST(EvaluateBatch, RefusesBatchesThatDoNotFitTheFilter) {
  const Batch b = TestBatch();
  auto bound = Bind(TestSchema(), Expr::Gt("count", 1)).value();
  // No column for the field.
  std::vector<int32_t> ids = b.ids;
  ids[4] = 99;
  EXPECT_EQ(EvaluateBatch(bound, ids, b.columns).status().message(),
            "row filter: the batch has no column for field 5 ('count')");
  // A column of another type.
  std::vector<int32_t> swapped = b.ids;
  std::swap(swapped[2], swapped[4]);  // field 5 now names the string column
  EXPECT_EQ(EvaluateBatch(bound, swapped, b.columns).status().message(),
            "row filter: field 5 ('count') is int but its column is string");
  // Columns of different lengths.
  std::vector<ColumnVector> columns = b.columns;
  columns[3].AppendNull();
  EXPECT_EQ(EvaluateBatch(bound, b.ids, columns).status().message(), "row filter: column 3 has 6 rows, column 0 has 5");
  // An unbound expression.
  EXPECT_EQ(EvaluateBatch(Expr::Gt("count", 1), b.ids, b.columns).status().message(),
            "row filter: predicate on 'count' is not bound to a schema");
}

}  // namespace
}  // namespace floe::iceberg
