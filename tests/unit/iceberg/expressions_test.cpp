#include "floe/iceberg/expressions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "floe/iceberg/literal_codec.h"
#include "floe/iceberg/transforms.h"

namespace floe::iceberg {
namespace {

constexpr int32_t kDay20261125 = 20782;
constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kMicrosPerHour = 3'600'000'000;
constexpr int64_t kTs20261125 = static_cast<int64_t>(kDay20261125) * kMicrosPerDay;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

NestedField Field(int32_t id, std::string name, TypePtr type, bool required = false) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = required;
  f.type = std::move(type);
  return f;
}

Schema TestSchema() {
  return Schema(0, {
                       Field(1, "id", Type::Primitive(TypeId::kLong), true),
                       Field(2, "temperature", Type::Primitive(TypeId::kDouble)),
                       Field(3, "host", Type::Primitive(TypeId::kString)),
                       Field(4, "ts", Type::Primitive(TypeId::kTimestampTz)),
                       Field(5, "count", Type::Primitive(TypeId::kInt)),
                       Field(6, "price", Type::Decimal(9, 2)),
                       Field(7, "day", Type::Primitive(TypeId::kDate)),
                       Field(8, "flag", Type::Primitive(TypeId::kBoolean)),
                       Field(9, "location",
                             Type::Struct({Field(10, "lat", Type::Primitive(TypeId::kFloat), true),
                                           Field(11, "lon", Type::Primitive(TypeId::kFloat))})),
                       Field(12, "uid", Type::Primitive(TypeId::kUuid)),
                       Field(13, "f", Type::Primitive(TypeId::kFloat)),
                       Field(14, "local_ts", Type::Primitive(TypeId::kTimestamp)),
                       Field(15, "tags", Type::List(16, false, Type::Primitive(TypeId::kString))),
                       Field(17, "name", Type::Primitive(TypeId::kString), true),
                   });
}

ExpressionPtr MustBind(const ExpressionPtr& e, bool case_sensitive = true) {
  auto r = Bind(TestSchema(), e, case_sensitive);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Expr::True();
}

std::string BoundString(const ExpressionPtr& e) {
  return ExpressionToString(MustBind(e));
}

std::string BindError(const ExpressionPtr& e) {
  auto r = Bind(TestSchema(), e);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

// ---------------------------------------------------------------------------------------------------------------
// Building and rewriting

TEST(Expr, FoldsConstantsInAndOrNot) {
  const ExpressionPtr a = Expr::Eq("count", 1);
  EXPECT_EQ(Expr::And(Expr::True(), a), a);
  EXPECT_EQ(Expr::And(a, Expr::False())->op, ExprOp::kFalse);
  EXPECT_EQ(Expr::Or(Expr::False(), a), a);
  EXPECT_EQ(Expr::Or(a, Expr::True())->op, ExprOp::kTrue);
  EXPECT_EQ(Expr::Not(Expr::True())->op, ExprOp::kFalse);
  EXPECT_EQ(Expr::Not(Expr::Not(a)), a);
}

TEST(Expr, UnboundValuesComeFromPlainCppValues) {
  EXPECT_EQ(Expr::Gt("temperature", 30.5)->values[0], UnboundValue(30.5));
  EXPECT_TRUE(std::holds_alternative<int64_t>(Expr::Gt("count", 30)->values[0].value));
  EXPECT_TRUE(std::holds_alternative<int64_t>(Expr::Gt("count", 30LL)->values[0].value));
  EXPECT_TRUE(std::holds_alternative<std::string>(Expr::Eq("ts", "2026-11-25T10:00:00")->values[0].value));
  EXPECT_TRUE(std::holds_alternative<bool>(Expr::Eq("flag", true)->values[0].value));
  EXPECT_EQ(ExpressionToString(Expr::In("host", {"a", "b"})), "host IN ('a', 'b')");
}

TEST(RewriteNot, PushesNotIntoPredicates) {
  EXPECT_EQ(ExpressionToString(RewriteNot(Expr::Not(Expr::Lt("a", 5)))), "a >= 5");
  EXPECT_EQ(ExpressionToString(RewriteNot(Expr::Not(Expr::And(Expr::Eq("a", 1), Expr::IsNull("b"))))),
            "a != 1 OR b IS NOT NULL");
  EXPECT_EQ(ExpressionToString(RewriteNot(Expr::Not(Expr::Or(Expr::In("a", {1, 2}), Expr::StartsWith("s", "x"))))),
            "a NOT IN (1, 2) AND s NOT LIKE 'x%'");
  EXPECT_EQ(ExpressionToString(RewriteNot(Expr::Not(Expr::Not(Expr::IsNan("f"))))), "f IS NAN");
  EXPECT_EQ(ExpressionToString(RewriteNot(Expr::Not(Expr::NotNan("f")))), "f IS NAN");
}

// ---------------------------------------------------------------------------------------------------------------
// Binding

TEST(Bind, ResolvesColumnsToFieldIdsAndTypes) {
  ExpressionPtr b = MustBind(Expr::Gt("temperature", 30.5));
  ASSERT_TRUE(b->is_bound_predicate());
  EXPECT_EQ(b->op, ExprOp::kGt);
  EXPECT_EQ(b->ref->field_id, 2);
  EXPECT_EQ(b->ref->position, -1);
  EXPECT_EQ(b->ref->type->id, TypeId::kDouble);
  EXPECT_EQ(b->literals[0], Literal::Double(30.5));
  EXPECT_EQ(ExpressionToString(b), "temperature > 30.5");

  ExpressionPtr nested = MustBind(Expr::GtEq("location.lat", 1));
  EXPECT_EQ(nested->ref->field_id, 10);
  EXPECT_EQ(nested->ref->name, "location.lat");
  EXPECT_EQ(nested->literals[0], Literal::Float(1.0f));
  EXPECT_EQ(ReferencedFieldIds(MustBind(Expr::And(Expr::Eq("host", "a"), Expr::Gt("location.lat", 1)))),
            (std::vector<int32_t>{3, 10}));
}

TEST(Bind, MatchesNamesCaseInsensitivelyOnlyWhenAsked) {
  EXPECT_EQ(BindError(Expr::Eq("HOST", "a")), "cannot find field 'HOST' in schema");
  EXPECT_EQ(ExpressionToString(MustBind(Expr::Eq("HOST", "a"), false)), "host = 'a'");
  EXPECT_EQ(MustBind(Expr::Eq("Location.LAT", 1), false)->ref->field_id, 10);
  Schema twins(0, {Field(1, "a", Type::Primitive(TypeId::kInt)), Field(2, "A", Type::Primitive(TypeId::kInt))});
  EXPECT_EQ(Bind(twins, Expr::Eq("a", 1), false).value()->ref->field_id, 1);  // exact match wins
  Schema twins2(0, {Field(1, "Ab", Type::Primitive(TypeId::kInt)), Field(2, "aB", Type::Primitive(TypeId::kInt))});
  EXPECT_EQ(Bind(twins2, Expr::Eq("ab", 1), false).status().message(),
            "column 'ab' is ambiguous: it matches 'Ab' and 'aB'");
}

TEST(Bind, ReportsWhatCannotBeBound) {
  EXPECT_EQ(BindError(Expr::Gt("tempx", 1)), "cannot find field 'tempx' in schema");
  EXPECT_EQ(BindError(Expr::Eq("count", "abc")), "cannot compare column 'count' of type int with 'abc'");
  EXPECT_EQ(BindError(Expr::Eq("host", 42)), "cannot compare column 'host' of type string with 42");
  EXPECT_EQ(BindError(Expr::Eq("day", 1.5)), "cannot compare column 'day' of type date with 1.5");
  EXPECT_EQ(BindError(Expr::Eq("flag", 1)), "cannot compare column 'flag' of type boolean with 1");
  EXPECT_EQ(BindError(Expr::Eq("ts", "yesterday")), "cannot compare column 'ts' of type timestamptz with 'yesterday'");
  EXPECT_EQ(BindError(Expr::Eq("ts", "2026-02-30")),
            "cannot compare column 'ts' of type timestamptz with '2026-02-30'");
  EXPECT_EQ(BindError(Expr::Eq("uid", "not-a-uuid")), "cannot compare column 'uid' of type uuid with 'not-a-uuid'");
  EXPECT_EQ(BindError(Expr::Eq("temperature", kNaN)), "cannot compare column 'temperature' with NaN: use is_nan");
  EXPECT_EQ(BindError(Expr::IsNan("count")), "is_nan: column 'count' of type int is not float or double");
  EXPECT_EQ(BindError(Expr::StartsWith("count", "1")), "starts_with: column 'count' of type int is not a string");
  EXPECT_EQ(BindError(Expr::Eq("location", 1)).rfind("cannot filter on column 'location' of type struct<", 0), 0u);
  EXPECT_EQ(BindError(Expr::IsNull("tags")).find("not a primitive type") != std::string::npos, true);
  // A timestamp without zone takes no offset.
  EXPECT_EQ(BindError(Expr::Eq("local_ts", "2026-11-25T10:00:00+01:00")),
            "cannot compare column 'local_ts' of type timestamp with '2026-11-25T10:00:00+01:00'");
}

TEST(Bind, ConvertsDatesTimestampsAndUuidsFromStrings) {
  EXPECT_EQ(MustBind(Expr::Eq("day", "2026-11-25"))->literals[0], Literal::Date(kDay20261125));
  EXPECT_EQ(MustBind(Expr::Eq("day", kDay20261125))->literals[0], Literal::Date(kDay20261125));
  const int64_t ten = kTs20261125 + 10 * kMicrosPerHour;
  EXPECT_EQ(MustBind(Expr::Eq("ts", "2026-11-25T10:00:00"))->literals[0], Literal::TimestampTz(ten));
  EXPECT_EQ(MustBind(Expr::Eq("ts", "2026-11-25 10:00"))->literals[0], Literal::TimestampTz(ten));
  EXPECT_EQ(MustBind(Expr::Eq("ts", "2026-11-25T10:00:00Z"))->literals[0], Literal::TimestampTz(ten));
  EXPECT_EQ(MustBind(Expr::Eq("ts", "2026-11-25T11:00:00+01:00"))->literals[0], Literal::TimestampTz(ten));
  EXPECT_EQ(MustBind(Expr::Eq("ts", "2026-11-25T02:00:00-08:00"))->literals[0], Literal::TimestampTz(ten));
  EXPECT_EQ(MustBind(Expr::Eq("ts", "2026-11-25"))->literals[0], Literal::TimestampTz(kTs20261125));
  EXPECT_EQ(MustBind(Expr::Eq("ts", "2026-11-25T10:00:00.25"))->literals[0], Literal::TimestampTz(ten + 250'000));
  EXPECT_EQ(MustBind(Expr::Eq("ts", ten))->literals[0], Literal::TimestampTz(ten));
  EXPECT_EQ(MustBind(Expr::Eq("local_ts", "1969-12-31T23:59:59.999999"))->literals[0], Literal::Timestamp(-1));
  ExpressionPtr u = MustBind(Expr::Eq("uid", "F79C3E09-677C-4BBD-A479-3F349CB785E7"));
  EXPECT_EQ(u->literals[0].as_bytes(), std::string("\xF7\x9C\x3E\x09\x67\x7C\x4B\xBD\xA4\x79\x3F\x34\x9C\xB7\x85\xE7"));
  EXPECT_EQ(MustBind(Expr::Eq("flag", "TRUE"))->literals[0], Literal::Boolean(true));
  EXPECT_EQ(MustBind(Expr::Eq("price", "12.34"))->literals[0], Literal::Decimal(1234, 9, 2));
  EXPECT_EQ(MustBind(Expr::Eq("price", 12.5))->literals[0], Literal::Decimal(1250, 9, 2));
  EXPECT_EQ(MustBind(Expr::Eq("price", 12))->literals[0], Literal::Decimal(1200, 9, 2));
  EXPECT_EQ(MustBind(Expr::Eq("id", "9223372036854775807"))->literals[0],
            Literal::Long(std::numeric_limits<int64_t>::max()));
}

TEST(Bind, ValuesBetweenTwoValuesOfTheTypeCompareWithTheRightNeighbour) {
  EXPECT_EQ(BoundString(Expr::Lt("count", 30.5)), "count <= 30");
  EXPECT_EQ(BoundString(Expr::LtEq("count", 30.5)), "count <= 30");
  EXPECT_EQ(BoundString(Expr::Gt("count", 30.5)), "count > 30");
  EXPECT_EQ(BoundString(Expr::GtEq("count", 30.5)), "count > 30");
  EXPECT_EQ(BoundString(Expr::GtEq("count", -1.5)), "count > -2");
  EXPECT_EQ(BoundString(Expr::Eq("count", 30.5)), "false");
  EXPECT_EQ(BoundString(Expr::NotEq("count", 30.5)), "true");
  EXPECT_EQ(BoundString(Expr::Gt("price", 1.005)), "price > 1.00");
  EXPECT_EQ(BoundString(Expr::Lt("price", "-1.005")), "price <= -1.01");
  // A fraction finer than micros.
  EXPECT_EQ(MustBind(Expr::Gt("ts", "1970-01-01T00:00:00.0000015"))->literals[0], Literal::TimestampTz(1));
  EXPECT_EQ(BoundString(Expr::Eq("ts", "1970-01-01T00:00:00.0000015")), "false");
  // 0.1 written for a float column is the float 0.1f, whose shortest text it is.
  EXPECT_EQ(MustBind(Expr::Eq("f", 0.1))->literals[0], Literal::Float(0.1f));
  EXPECT_EQ(MustBind(Expr::Eq("f", 0.5))->literals[0], Literal::Float(0.5f));
  // 0.1000000001 is no float's text: f > it is f > the largest float below it (the one below 0.1f).
  ExpressionPtr f = MustBind(Expr::Gt("f", 0.1000000001));
  EXPECT_EQ(f->op, ExprOp::kGt);
  EXPECT_EQ(f->literals[0].as_float(), std::nextafter(0.1f, 0.0f));
  EXPECT_EQ(BoundString(Expr::Eq("f", 0.1000000001)), "false");
  EXPECT_EQ(BoundString(Expr::Gt("f", 1e39)), "f > 3.4028235e+38");  // only +inf is above
}

TEST(Bind, ValuesBeyondTheTypeMakeThePredicateConstant) {
  EXPECT_EQ(BoundString(Expr::Lt("count", 3'000'000'000LL)), "count IS NOT NULL");
  EXPECT_EQ(BoundString(Expr::LtEq("count", 3'000'000'000LL)), "count IS NOT NULL");
  EXPECT_EQ(BoundString(Expr::Gt("count", 3'000'000'000LL)), "false");
  EXPECT_EQ(BoundString(Expr::Eq("count", 3'000'000'000LL)), "false");
  EXPECT_EQ(BoundString(Expr::NotEq("count", 3'000'000'000LL)), "true");
  EXPECT_EQ(BoundString(Expr::Lt("count", -3'000'000'000LL)), "false");
  EXPECT_EQ(BoundString(Expr::GtEq("count", -3'000'000'000LL)), "count IS NOT NULL");
  EXPECT_EQ(BoundString(Expr::Gt("count", 2'147'483'647.5)), "false");
  EXPECT_EQ(BoundString(Expr::LtEq("price", 1e10)), "price IS NOT NULL");  // decimal(9,2) tops at 9999999.99
  EXPECT_EQ(BoundString(Expr::Gt("id", "9223372036854775808")), "false");
  EXPECT_EQ(BoundString(Expr::Lt("id", "9223372036854775808")), "true");  // id is required
  EXPECT_EQ(BoundString(Expr::Lt("count", std::numeric_limits<double>::infinity())), "count IS NOT NULL");
}

TEST(Bind, FoldsInListsAndRequiredColumns) {
  EXPECT_EQ(BoundString(Expr::In("count", {3, 1, 2, 2, 3.5, 5'000'000'000LL})), "count IN (1, 2, 3)");
  EXPECT_EQ(BoundString(Expr::In("count", {1, 3.5})), "count = 1");
  EXPECT_EQ(BoundString(Expr::In("count", {3.5})), "false");
  EXPECT_EQ(BoundString(Expr::NotIn("count", {3.5})), "true");
  EXPECT_EQ(BoundString(Expr::NotIn("count", {1, 1})), "count != 1");
  EXPECT_EQ(BoundString(Expr::IsNull("id")), "false");
  EXPECT_EQ(BoundString(Expr::NotNull("id")), "true");
  EXPECT_EQ(BoundString(Expr::Or(Expr::IsNull("id"), Expr::Eq("count", 1))), "count = 1");
  // A required field inside an optional struct can still be null.
  EXPECT_EQ(BoundString(Expr::IsNull("location.lat")), "location.lat IS NULL");
}

TEST(Bind, PushesNotDownFirst) {
  EXPECT_EQ(BoundString(Expr::Not(Expr::Lt("count", 5))), "count >= 5");
  EXPECT_EQ(BoundString(Expr::Not(Expr::And(Expr::Eq("host", "a"), Expr::IsNull("count")))),
            "host != 'a' OR count IS NOT NULL");
  // not(count < 3e9) is count >= 3e9: false, not is_null.
  EXPECT_EQ(BoundString(Expr::Not(Expr::Lt("count", 3'000'000'000LL))), "false");
}

TEST(Bind, BoundExpressionsPrintAndParseBackToThemselves) {
  for (const ExpressionPtr& e :
       {Expr::Eq("ts", "2026-11-25T10:00:00.25"), Expr::Eq("local_ts", "2026-11-25"), Expr::Eq("day", "2026-11-25"),
        Expr::Eq("uid", "f79c3e09-677c-4bbd-a479-3f349cb785e7"), Expr::Gt("price", "-12.05"),
        Expr::In("host", {"it's", "b"}), Expr::StartsWith("host", "50%_off"), Expr::Gt("f", 0.1),
        Expr::Gt("f", 0.1000000001), Expr::Lt("temperature", -1e-7), Expr::Eq("flag", false),
        Expr::IsNan("location.lon")}) {
    const std::string text = BoundString(e);
    auto parsed = ParseFilter(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(BoundString(*parsed), text);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics (data file stats)

DataFile File(int64_t records) {
  DataFile f;
  f.file_path = "s3://b/t/data/f.parquet";
  f.record_count = records;
  return f;
}

void SetBounds(DataFile* f, int32_t id, const Literal& lower, const Literal& upper) {
  f->lower_bounds[id] = SerializeValue(lower);
  f->upper_bounds[id] = SerializeValue(upper);
}

bool Might(const ExpressionPtr& e, const DataFile& f) {
  return MetricsMightMatch(MustBind(e), TestSchema(), f);
}

TEST(MetricsMightMatch, UsesBoundsForComparisons) {
  DataFile f = File(10);
  SetBounds(&f, 2, Literal::Double(10.0), Literal::Double(30.0));
  f.value_counts[2] = 10;
  f.null_value_counts[2] = 0;
  f.nan_value_counts[2] = 0;
  EXPECT_FALSE(Might(Expr::Gt("temperature", 30.0), f));
  EXPECT_TRUE(Might(Expr::GtEq("temperature", 30.0), f));
  EXPECT_TRUE(Might(Expr::Gt("temperature", 29.5), f));
  EXPECT_FALSE(Might(Expr::Lt("temperature", 10.0), f));
  EXPECT_TRUE(Might(Expr::LtEq("temperature", 10.0), f));
  EXPECT_FALSE(Might(Expr::Eq("temperature", 31.0), f));
  EXPECT_FALSE(Might(Expr::Eq("temperature", 9.0), f));
  EXPECT_TRUE(Might(Expr::Eq("temperature", 20.0), f));
  EXPECT_FALSE(Might(Expr::In("temperature", {1.0, 31.0, 40.0}), f));
  EXPECT_TRUE(Might(Expr::In("temperature", {1.0, 30.0}), f));
  EXPECT_TRUE(Might(Expr::NotEq("temperature", 20.0), f));  // bounds are not values
  EXPECT_FALSE(Might(Expr::IsNull("temperature"), f));
  EXPECT_TRUE(Might(Expr::NotNull("temperature"), f));
  EXPECT_FALSE(Might(Expr::IsNan("temperature"), f));
  EXPECT_FALSE(Might(Expr::And(Expr::Gt("temperature", 5.0), Expr::Lt("temperature", 6.0)), f));
  EXPECT_TRUE(Might(Expr::Or(Expr::Gt("temperature", 50.0), Expr::Lt("temperature", 11.0)), f));
  // NOT goes through RewriteNot: not(t <= 30) is t > 30.
  EXPECT_FALSE(Might(Expr::Not(Expr::LtEq("temperature", 30.0)), f));
  EXPECT_FALSE(MetricsMightMatch(Expr::True(), TestSchema(), File(0)));  // no rows
  EXPECT_TRUE(MetricsMightMatch(Expr::True(), TestSchema(), File(-1)));
}

TEST(MetricsMightMatch, MissingStatsMightMatch) {
  const DataFile f = File(10);
  for (const ExpressionPtr& e : {Expr::Gt("temperature", 30.0), Expr::Eq("host", "a"), Expr::IsNull("host"),
                                 Expr::NotNull("host"), Expr::IsNan("temperature"), Expr::NotNan("temperature"),
                                 Expr::In("count", {1, 2}), Expr::NotIn("count", {1, 2}), Expr::StartsWith("host", "a"),
                                 Expr::NotStartsWith("host", "a"), Expr::NotEq("count", 1)}) {
    EXPECT_TRUE(Might(e, f)) << ExpressionToString(e);
  }
  // A bound that does not decode is ignored.
  DataFile bad = File(10);
  bad.lower_bounds[5] = "xyz";
  bad.upper_bounds[5] = "xyz";
  EXPECT_TRUE(Might(Expr::Lt("count", 0), bad));
}

TEST(MetricsMightMatch, NullOnlyColumnsMatchOnlyIsNull) {
  DataFile f = File(10);
  f.value_counts[5] = 10;
  f.null_value_counts[5] = 10;
  EXPECT_TRUE(Might(Expr::IsNull("count"), f));
  EXPECT_FALSE(Might(Expr::NotNull("count"), f));
  EXPECT_FALSE(Might(Expr::Lt("count", 5), f));
  EXPECT_FALSE(Might(Expr::Gt("count", 5), f));
  EXPECT_FALSE(Might(Expr::Eq("count", 5), f));
  EXPECT_FALSE(Might(Expr::In("count", {5, 6}), f));
  EXPECT_TRUE(Might(Expr::NotEq("count", 5), f));  // nulls satisfy not_eq
  EXPECT_TRUE(Might(Expr::NotIn("count", {5, 6}), f));
  f.value_counts[3] = 10;
  f.null_value_counts[3] = 10;
  EXPECT_FALSE(Might(Expr::StartsWith("host", "a"), f));
  EXPECT_TRUE(Might(Expr::NotStartsWith("host", "a"), f));
  f.value_counts[2] = 10;
  f.null_value_counts[2] = 10;
  EXPECT_FALSE(Might(Expr::IsNan("temperature"), f));
}

TEST(MetricsMightMatch, NaNOnlyColumnsAndNaNBounds) {
  DataFile f = File(4);
  f.value_counts[2] = 4;
  f.null_value_counts[2] = 0;
  f.nan_value_counts[2] = 4;
  EXPECT_TRUE(Might(Expr::IsNan("temperature"), f));
  EXPECT_FALSE(Might(Expr::NotNan("temperature"), f));
  EXPECT_FALSE(Might(Expr::Lt("temperature", 1.0), f));
  EXPECT_FALSE(Might(Expr::Gt("temperature", 1.0), f));
  EXPECT_FALSE(Might(Expr::Eq("temperature", 1.0), f));
  EXPECT_FALSE(Might(Expr::In("temperature", {1.0, 2.0}), f));
  EXPECT_TRUE(Might(Expr::NotEq("temperature", 1.0), f));

  DataFile some_nan = File(4);
  some_nan.value_counts[2] = 4;
  some_nan.nan_value_counts[2] = 1;
  SetBounds(&some_nan, 2, Literal::Double(1.0), Literal::Double(2.0));
  EXPECT_TRUE(Might(Expr::IsNan("temperature"), some_nan));
  EXPECT_TRUE(Might(Expr::NotNan("temperature"), some_nan));
  EXPECT_FALSE(Might(Expr::Gt("temperature", 2.0), some_nan));  // NaNs fail comparisons

  // Old writers put NaN into bounds; such a lower bound is not trusted.
  DataFile nan_bounds = File(4);
  SetBounds(&nan_bounds, 2, Literal::Double(kNaN), Literal::Double(kNaN));
  EXPECT_TRUE(Might(Expr::Lt("temperature", 1.0), nan_bounds));
  EXPECT_TRUE(Might(Expr::Eq("temperature", 1.0), nan_bounds));
  EXPECT_TRUE(Might(Expr::Gt("temperature", 1.0), nan_bounds));
  EXPECT_TRUE(Might(Expr::In("temperature", {1.0, 2.0}), nan_bounds));
}

TEST(MetricsMightMatch, NotEqAndNotInPruneOnlyASingleValueColumn) {
  DataFile f = File(3);
  SetBounds(&f, 3, Literal::String("web"), Literal::String("web"));
  f.value_counts[3] = 3;
  f.null_value_counts[3] = 0;
  EXPECT_FALSE(Might(Expr::NotEq("host", "web"), f));
  EXPECT_FALSE(Might(Expr::NotIn("host", {"db", "web"}), f));
  EXPECT_TRUE(Might(Expr::NotEq("host", "db"), f));
  f.null_value_counts[3] = 1;  // a null row satisfies host != 'web'
  EXPECT_TRUE(Might(Expr::NotEq("host", "web"), f));
  // Floats need a known zero NaN count.
  DataFile g = File(3);
  SetBounds(&g, 2, Literal::Double(1.0), Literal::Double(1.0));
  g.null_value_counts[2] = 0;
  EXPECT_TRUE(Might(Expr::NotEq("temperature", 1.0), g));
  g.nan_value_counts[2] = 0;
  EXPECT_FALSE(Might(Expr::NotEq("temperature", 1.0), g));
}

TEST(MetricsMightMatch, StringPrefixesWorkWithTruncatedBounds) {
  DataFile f = File(10);
  // Values from "abcdef..." to "abczzz...": written truncated to 3 bytes, the upper bound incremented.
  SetBounds(&f, 3, Literal::String("abc"), Literal::String("abd"));
  f.null_value_counts[3] = 0;
  EXPECT_TRUE(Might(Expr::StartsWith("host", "ab"), f));
  EXPECT_TRUE(Might(Expr::StartsWith("host", "abcz"), f));
  EXPECT_TRUE(Might(Expr::StartsWith("host", "abd"), f));
  EXPECT_FALSE(Might(Expr::StartsWith("host", "abe"), f));
  EXPECT_FALSE(Might(Expr::StartsWith("host", "abb"), f));
  EXPECT_FALSE(Might(Expr::StartsWith("host", "b"), f));
  EXPECT_TRUE(Might(Expr::Eq("host", "abcdefghij"), f));
  EXPECT_FALSE(Might(Expr::Eq("host", "abd0"), f));
  EXPECT_TRUE(Might(Expr::NotStartsWith("host", "abc"), f));  // "abd" may be the upper bound's own value
  SetBounds(&f, 3, Literal::String("abc1"), Literal::String("abc9"));
  EXPECT_FALSE(Might(Expr::NotStartsWith("host", "abc"), f));
  EXPECT_TRUE(Might(Expr::NotStartsWith("host", "abc1"), f));
  f.null_value_counts[3] = 2;
  EXPECT_TRUE(Might(Expr::NotStartsWith("host", "abc"), f));
  // Unsigned byte order: "\xC3\xA9" (é) sorts after "z".
  SetBounds(&f, 3, Literal::String("a"), Literal::String("z"));
  EXPECT_FALSE(Might(Expr::StartsWith("host", "\xC3\xA9"), f));
}

TEST(MetricsMightMatch, InListsBeyondTheLimitMightMatch) {
  DataFile f = File(10);
  SetBounds(&f, 5, Literal::Int(0), Literal::Int(10));
  std::vector<UnboundValue> many;
  for (int i = 0; i < 201; ++i) many.emplace_back(100 + i);
  EXPECT_TRUE(Might(Expr::In("count", many), f));
  many.pop_back();
  EXPECT_FALSE(Might(Expr::In("count", many), f));
}

TEST(MetricsMightMatch, ReadsBoundsWrittenBeforeATypePromotion) {
  // id is a long now; the file was written when it was an int (4-byte bounds).
  DataFile f = File(10);
  SetBounds(&f, 1, Literal::Int(5), Literal::Int(9));
  EXPECT_FALSE(Might(Expr::Gt("id", 9), f));
  EXPECT_TRUE(Might(Expr::Gt("id", 8), f));
  DataFile g = File(10);
  SetBounds(&g, 2, Literal::Float(1.5f), Literal::Float(2.5f));
  EXPECT_FALSE(Might(Expr::Gt("temperature", 2.5), g));
  EXPECT_TRUE(Might(Expr::Gt("temperature", 2.0), g));
}

TEST(MetricsMightMatch, TimestampsAndDecimals) {
  DataFile f = File(10);
  SetBounds(&f, 4, Literal::TimestampTz(kTs20261125), Literal::TimestampTz(kTs20261125 + kMicrosPerDay - 1));
  SetBounds(&f, 6, Literal::Decimal(100, 9, 2), Literal::Decimal(200, 9, 2));
  EXPECT_TRUE(Might(Expr::GtEq("ts", "2026-11-25T23:00:00"), f));
  EXPECT_FALSE(Might(Expr::GtEq("ts", "2026-11-26"), f));
  EXPECT_FALSE(Might(Expr::Lt("ts", "2026-11-25"), f));
  EXPECT_FALSE(Might(Expr::Gt("price", 2.0), f));
  EXPECT_TRUE(Might(Expr::Gt("price", 1.995), f));  // price > 1.99
  EXPECT_FALSE(Might(Expr::Gt("price", 2.001), f));
}

// ---------------------------------------------------------------------------------------------------------------
// Inclusive projection and partition evaluation

PartitionSpec TestSpec() {
  PartitionSpec spec;
  spec.spec_id = 1;
  spec.fields = {{4, 1000, "ts_day", Transform::Day()},           {1, 1001, "id_bucket", Transform::Bucket(16)},
                 {3, 1002, "host", Transform::Identity()},        {5, 1003, "count_trunc", Transform::Truncate(10)},
                 {3, 1004, "host_trunc", Transform::Truncate(3)}, {14, 1005, "local_hour", Transform::Hour()}};
  return spec;
}

std::string Projected(const ExpressionPtr& e) {
  auto p = ProjectInclusive(MustBind(e), TestSchema(), TestSpec());
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? ExpressionToString(*p) : "";
}

TEST(ProjectInclusive, DayOfATimestampRange) {
  EXPECT_EQ(Projected(Expr::GtEq("ts", "2026-11-25T10:00:00")), "ts_day >= '2026-11-25'");
  EXPECT_EQ(Projected(Expr::Gt("ts", "2026-11-25T10:00:00")), "ts_day >= '2026-11-25'");
  // ts > the day's last micro: the next day.
  EXPECT_EQ(Projected(Expr::Gt("ts", "2026-11-25T23:59:59.999999")), "ts_day >= '2026-11-26'");
  // ts < midnight: the day before.
  EXPECT_EQ(Projected(Expr::Lt("ts", "2026-11-25")), "ts_day <= '2026-11-24'");
  EXPECT_EQ(Projected(Expr::LtEq("ts", "2026-11-25")), "ts_day <= '2026-11-25'");
  EXPECT_EQ(Projected(Expr::Eq("ts", "2026-11-25T10:00:00")), "ts_day = '2026-11-25'");
  EXPECT_EQ(Projected(Expr::In("ts", {"2026-11-25T10:00:00", "2026-11-25T11:00:00", "2026-11-26T00:00:00"})),
            "ts_day IN ('2026-11-25', '2026-11-26')");
  EXPECT_EQ(Projected(Expr::NotEq("ts", "2026-11-25T10:00:00")), "true");
  EXPECT_EQ(Projected(Expr::IsNull("ts")), "ts_day IS NULL");
  // Before 1970 the day rounds down.
  EXPECT_EQ(Projected(Expr::GtEq("ts", "1969-12-31T23:59:59")), "ts_day >= '1969-12-31'");
  EXPECT_EQ(Projected(Expr::Lt("local_ts", "1970-01-01T00:00:00")), "local_hour <= -1");
}

TEST(ProjectInclusive, BucketOnlyForEqualityAndIn) {
  EXPECT_EQ(Projected(Expr::Eq("id", 34)), "id_bucket = 3");
  auto b35 = ApplyTransform(Transform::Bucket(16), Literal::Long(35));
  const int32_t other = (*b35)->as_int();
  std::vector<int32_t> both = {3, other};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(Projected(Expr::In("id", {34, 35})),
            "id_bucket IN (" + std::to_string(both[0]) + ", " + std::to_string(both[1]) + ")");
  EXPECT_EQ(Projected(Expr::Gt("id", 34)), "true");
  EXPECT_EQ(Projected(Expr::NotEq("id", 34)), "true");
  EXPECT_EQ(Projected(Expr::NotIn("id", {34, 35})), "true");
}

TEST(ProjectInclusive, IdentityAndTruncateOfAString) {
  EXPECT_EQ(Projected(Expr::Eq("host", "abcdef")), "host = 'abcdef' AND host_trunc = 'abc'");
  EXPECT_EQ(Projected(Expr::NotEq("host", "abcdef")), "host != 'abcdef'");
  EXPECT_EQ(Projected(Expr::StartsWith("host", "ab")), "host LIKE 'ab%' AND host_trunc LIKE 'ab%'");
  EXPECT_EQ(Projected(Expr::StartsWith("host", "abc")), "host LIKE 'abc%' AND host_trunc = 'abc'");
  EXPECT_EQ(Projected(Expr::StartsWith("host", "abcd")), "host LIKE 'abcd%' AND host_trunc LIKE 'abc%'");
  EXPECT_EQ(Projected(Expr::NotStartsWith("host", "ab")), "host NOT LIKE 'ab%' AND host_trunc NOT LIKE 'ab%'");
  EXPECT_EQ(Projected(Expr::NotStartsWith("host", "abc")), "host NOT LIKE 'abc%' AND host_trunc != 'abc'");
  EXPECT_EQ(Projected(Expr::NotStartsWith("host", "abcd")), "host NOT LIKE 'abcd%'");
  EXPECT_EQ(Projected(Expr::Lt("host", "abcdef")), "host < 'abcdef' AND host_trunc <= 'abc'");
  EXPECT_EQ(Projected(Expr::Gt("host", "abcdef")), "host > 'abcdef' AND host_trunc >= 'abc'");
  EXPECT_EQ(Projected(Expr::In("host", {"abcd", "abce"})), "host IN ('abcd', 'abce') AND host_trunc = 'abc'");
}

TEST(ProjectInclusive, TruncateOfAnIntAdjustsOpenBounds) {
  EXPECT_EQ(Projected(Expr::Lt("count", 5)), "count_trunc <= 0");
  EXPECT_EQ(Projected(Expr::Lt("count", 10)), "count_trunc <= 0");
  EXPECT_EQ(Projected(Expr::LtEq("count", 10)), "count_trunc <= 10");
  EXPECT_EQ(Projected(Expr::Gt("count", 9)), "count_trunc >= 10");
  EXPECT_EQ(Projected(Expr::GtEq("count", 9)), "count_trunc >= 0");
  EXPECT_EQ(Projected(Expr::Lt("count", -1)), "count_trunc <= -10");
  EXPECT_EQ(Projected(Expr::Eq("count", -1)), "count_trunc = -10");
  EXPECT_EQ(Projected(Expr::Lt("count", std::numeric_limits<int32_t>::min())), "false");
  EXPECT_EQ(Projected(Expr::Gt("count", std::numeric_limits<int32_t>::max())), "false");
}

TEST(ProjectInclusive, CombinesAndOrAndColumnsWithoutPartitions) {
  EXPECT_EQ(Projected(Expr::Gt("temperature", 1.0)), "true");
  EXPECT_EQ(Projected(Expr::And(Expr::Eq("id", 34), Expr::Gt("temperature", 1.0))), "id_bucket = 3");
  EXPECT_EQ(Projected(Expr::Or(Expr::Eq("id", 34), Expr::Gt("temperature", 1.0))), "true");
  EXPECT_EQ(Projected(Expr::Or(Expr::Eq("id", 34), Expr::Eq("count", 15))), "id_bucket = 3 OR count_trunc = 10");
  EXPECT_EQ(Projected(Expr::Not(Expr::GtEq("count", 10))), "count_trunc <= 0");

  auto p = ProjectInclusive(MustBind(Expr::Eq("count", 15)), TestSchema(), TestSpec());
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE((*p)->is_bound_predicate());
  EXPECT_EQ((*p)->ref->field_id, 1003);
  EXPECT_EQ((*p)->ref->position, 3);
  EXPECT_EQ((*p)->ref->name, "count_trunc");

  PartitionSpec bad;
  bad.fields = {{99, 1000, "x", Transform::Identity()}};
  EXPECT_EQ(ProjectInclusive(Expr::True(), TestSchema(), bad).status().code(), StatusCode::kInvalidArgument);
}

PartitionValues Partition(std::optional<Literal> day, std::optional<Literal> bucket, std::optional<Literal> host,
                          std::optional<Literal> count_trunc) {
  const std::optional<Literal> host_trunc =
      host ? *ApplyTransform(Transform::Truncate(3), *host).value() : std::optional<Literal>();
  return {std::move(day), std::move(bucket), std::move(host), std::move(count_trunc), host_trunc, std::nullopt};
}

bool PartitionMatches(const ExpressionPtr& e, const PartitionValues& values) {
  auto p = ProjectInclusive(MustBind(e), TestSchema(), TestSpec());
  EXPECT_TRUE(p.ok());
  return PartitionMightMatch(*p, values);
}

TEST(PartitionMightMatch, EvaluatesTheProjectionOnOneTuple) {
  const PartitionValues p =
      Partition(Literal::Date(kDay20261125), Literal::Int(3), Literal::String("web-1"), Literal::Int(10));
  EXPECT_TRUE(PartitionMatches(Expr::GtEq("ts", "2026-11-25T10:00:00"), p));
  EXPECT_FALSE(PartitionMatches(Expr::GtEq("ts", "2026-11-26T00:00:00"), p));
  EXPECT_TRUE(PartitionMatches(Expr::Eq("id", 34), p));
  ASSERT_NE((*ApplyTransform(Transform::Bucket(16), Literal::Long(1)))->as_int(), 3);
  EXPECT_FALSE(PartitionMatches(Expr::Eq("id", 1), p));
  EXPECT_TRUE(PartitionMatches(Expr::StartsWith("host", "web"), p));
  EXPECT_FALSE(PartitionMatches(Expr::StartsWith("host", "db"), p));
  EXPECT_FALSE(PartitionMatches(Expr::Eq("host", "web-2"), p));
  EXPECT_TRUE(PartitionMatches(Expr::NotEq("host", "web-2"), p));
  EXPECT_FALSE(PartitionMatches(Expr::NotEq("host", "web-1"), p));
  EXPECT_TRUE(PartitionMatches(Expr::And(Expr::Gt("count", 12), Expr::Lt("count", 19)), p));
  EXPECT_FALSE(PartitionMatches(Expr::Gt("count", 19), p));
  EXPECT_FALSE(PartitionMatches(Expr::IsNull("host"), p));

  const PartitionValues nulls = Partition(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
  EXPECT_TRUE(PartitionMatches(Expr::IsNull("host"), nulls));
  EXPECT_FALSE(PartitionMatches(Expr::Eq("host", "x"), nulls));
  EXPECT_TRUE(PartitionMatches(Expr::NotEq("host", "x"), nulls));  // null satisfies not_eq
  EXPECT_FALSE(PartitionMatches(Expr::GtEq("ts", "2026-11-25"), nulls));
  EXPECT_TRUE(PartitionMatches(Expr::Gt("temperature", 1.0), nulls));  // not partitioned: true

  // A NOT built by hand over a projection is pushed into the predicate, not applied to its result.
  auto eq = ProjectInclusive(MustBind(Expr::Eq("host", "x")), TestSchema(), TestSpec());
  ASSERT_TRUE(eq.ok());
  auto host_only = (*eq)->left;  // host = 'x' (AND host_trunc = 'x')
  EXPECT_TRUE(PartitionMightMatch(Expr::Not(host_only), nulls));
  EXPECT_TRUE(PartitionMightMatch(Expr::Not(host_only), p));
}

TEST(PartitionMightMatch, FloatPartitionsAndNaN) {
  Schema schema(0, {Field(1, "v", Type::Primitive(TypeId::kDouble))});
  PartitionSpec spec;
  spec.fields = {{1, 1000, "v", Transform::Identity()}};
  auto project = [&](const ExpressionPtr& e) {
    return ProjectInclusive(Bind(schema, e).value(), schema, spec).value();
  };
  const PartitionValues nan = {Literal::Double(kNaN)};
  EXPECT_TRUE(PartitionMightMatch(project(Expr::IsNan("v")), nan));
  EXPECT_FALSE(PartitionMightMatch(project(Expr::NotNan("v")), nan));
  EXPECT_FALSE(PartitionMightMatch(project(Expr::Gt("v", 1.0)), nan));
  EXPECT_FALSE(PartitionMightMatch(project(Expr::Lt("v", 1.0)), nan));
  EXPECT_TRUE(PartitionMightMatch(project(Expr::NotEq("v", 1.0)), nan));
  const PartitionValues neg_zero = {Literal::Double(-0.0)};
  EXPECT_TRUE(PartitionMightMatch(project(Expr::Lt("v", 0.0)), neg_zero));  // the spec's order: -0.0 < 0.0
}

// ---------------------------------------------------------------------------------------------------------------
// Manifest partition summaries

PartitionFieldSummary Summary(bool contains_null, std::optional<bool> contains_nan, std::optional<Literal> lower,
                              std::optional<Literal> upper) {
  PartitionFieldSummary s;
  s.contains_null = contains_null;
  s.contains_nan = contains_nan;
  if (lower) s.lower_bound = SerializeValue(*lower);
  if (upper) s.upper_bound = SerializeValue(*upper);
  return s;
}

ManifestFile Manifest(std::vector<PartitionFieldSummary> summaries) {
  ManifestFile m;
  m.manifest_path = "s3://b/t/metadata/m0.avro";
  m.partitions = std::move(summaries);
  return m;
}

bool ManifestMatches(const ExpressionPtr& e, const ManifestFile& m) {
  const PartitionSpec spec = TestSpec();
  auto p = ProjectInclusive(MustBind(e), TestSchema(), spec);
  EXPECT_TRUE(p.ok());
  return ManifestMightMatch(*p, spec, spec.PartitionType(TestSchema()).value(), m);
}

ManifestFile TypicalManifest() {
  return Manifest({
      Summary(false, std::nullopt, Literal::Date(kDay20261125), Literal::Date(kDay20261125 + 2)),  // ts_day
      Summary(false, std::nullopt, Literal::Int(2), Literal::Int(5)),                              // id_bucket
      Summary(true, std::nullopt, Literal::String("db-1"), Literal::String("web-9")),              // host
      Summary(false, std::nullopt, Literal::Int(0), Literal::Int(20)),                             // count_trunc
      Summary(true, std::nullopt, Literal::String("db-"), Literal::String("web")),                 // host_trunc
      Summary(true, std::nullopt, std::nullopt, std::nullopt),                                     // local_hour
  });
}

TEST(ManifestMightMatch, UsesPartitionSummaryBounds) {
  const ManifestFile m = TypicalManifest();
  EXPECT_TRUE(ManifestMatches(Expr::GtEq("ts", "2026-11-27T10:00:00"), m));
  EXPECT_FALSE(ManifestMatches(Expr::GtEq("ts", "2026-11-28T00:00:00"), m));
  EXPECT_FALSE(ManifestMatches(Expr::Lt("ts", "2026-11-25"), m));
  EXPECT_TRUE(ManifestMatches(Expr::Eq("id", 34), m));  // bucket 3
  EXPECT_FALSE(ManifestMatches(Expr::Gt("count", 29), m));
  EXPECT_TRUE(ManifestMatches(Expr::Gt("count", 28), m));
  EXPECT_FALSE(ManifestMatches(Expr::Eq("host", "zzz"), m));
  EXPECT_FALSE(ManifestMatches(Expr::In("host", {"aaa", "zzz"}), m));
  EXPECT_TRUE(ManifestMatches(Expr::In("host", {"aaa", "web-1"}), m));
  EXPECT_FALSE(ManifestMatches(Expr::StartsWith("host", "x"), m));
  EXPECT_TRUE(ManifestMatches(Expr::StartsWith("host", "we"), m));
  EXPECT_TRUE(ManifestMatches(Expr::IsNull("host"), m));
  EXPECT_FALSE(ManifestMatches(Expr::IsNull("ts"), m));
  // local_hour is all null.
  EXPECT_FALSE(ManifestMatches(Expr::NotNull("local_ts"), m));
  EXPECT_FALSE(ManifestMatches(Expr::Gt("local_ts", "2026-11-25"), m));
  EXPECT_FALSE(ManifestMatches(Expr::Lt("local_ts", "2026-11-25"), m));
  EXPECT_TRUE(ManifestMatches(Expr::IsNull("local_ts"), m));
  // A manifest without summaries might hold anything.
  EXPECT_TRUE(ManifestMatches(Expr::Eq("host", "zzz"), Manifest({})));
}

TEST(ManifestMightMatch, NotEqAndNotStartsWithNeedASingleValue) {
  ManifestFile m = TypicalManifest();
  m.partitions[2] = Summary(false, std::nullopt, Literal::String("web-1"), Literal::String("web-1"));
  m.partitions[4] = Summary(false, std::nullopt, Literal::String("web"), Literal::String("web"));
  EXPECT_FALSE(ManifestMatches(Expr::NotEq("host", "web-1"), m));
  EXPECT_FALSE(ManifestMatches(Expr::NotIn("host", {"web-1", "x"}), m));
  EXPECT_TRUE(ManifestMatches(Expr::NotEq("host", "web-2"), m));
  EXPECT_FALSE(ManifestMatches(Expr::NotStartsWith("host", "we"), m));
  m.partitions[2].contains_null = true;
  m.partitions[4].contains_null = true;
  EXPECT_TRUE(ManifestMatches(Expr::NotEq("host", "web-1"), m));
  EXPECT_TRUE(ManifestMatches(Expr::NotStartsWith("host", "we"), m));
}

TEST(ManifestMightMatch, FloatSummariesAndNaN) {
  Schema schema(0, {Field(1, "v", Type::Primitive(TypeId::kDouble))});
  PartitionSpec spec;
  spec.fields = {{1, 1000, "v", Transform::Identity()}};
  const TypePtr ptype = spec.PartitionType(schema).value();
  auto matches = [&](const ExpressionPtr& e, const PartitionFieldSummary& s) {
    auto p = ProjectInclusive(Bind(schema, e).value(), schema, spec).value();
    return ManifestMightMatch(p, spec, ptype, Manifest({s}));
  };
  const PartitionFieldSummary only_nan = Summary(false, true, std::nullopt, std::nullopt);
  EXPECT_TRUE(matches(Expr::IsNan("v"), only_nan));
  EXPECT_FALSE(matches(Expr::NotNan("v"), only_nan));
  EXPECT_FALSE(matches(Expr::Gt("v", 1.0), only_nan));
  EXPECT_TRUE(matches(Expr::NotNull("v"), only_nan));
  const PartitionFieldSummary no_nan = Summary(false, false, Literal::Double(1.0), Literal::Double(2.0));
  EXPECT_FALSE(matches(Expr::IsNan("v"), no_nan));
  EXPECT_TRUE(matches(Expr::NotNan("v"), no_nan));
  // Null-only, NaN unknown: NaN may hide there (older writers).
  const PartitionFieldSummary nulls_unknown_nan = Summary(true, std::nullopt, std::nullopt, std::nullopt);
  EXPECT_TRUE(matches(Expr::NotNull("v"), nulls_unknown_nan));
  EXPECT_TRUE(matches(Expr::IsNan("v"), nulls_unknown_nan));
  const PartitionFieldSummary nulls_no_nan = Summary(true, false, std::nullopt, std::nullopt);
  EXPECT_FALSE(matches(Expr::NotNull("v"), nulls_no_nan));
  EXPECT_FALSE(matches(Expr::IsNan("v"), nulls_no_nan));
  // not_eq on a float needs contains_nan known false.
  const PartitionFieldSummary one = Summary(false, std::nullopt, Literal::Double(1.0), Literal::Double(1.0));
  EXPECT_TRUE(matches(Expr::NotEq("v", 1.0), one));
  EXPECT_FALSE(matches(Expr::NotEq("v", 1.0), Summary(false, false, Literal::Double(1.0), Literal::Double(1.0))));
}

// ---------------------------------------------------------------------------------------------------------------
// Printing and parsing

std::string Reprint(std::string_view text) {
  auto e = ParseFilter(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
  return e.ok() ? ExpressionToString(*e) : "";
}

std::string ParseError(std::string_view text) {
  auto e = ParseFilter(text);
  EXPECT_FALSE(e.ok()) << text;
  return e.ok() ? "" : e.status().message();
}

TEST(ParseFilter, CanonicalTextRoundTrips) {
  for (std::string_view text : {
           "temperature > 30.5",
           "temperature > 30.5 AND (host = 'a' OR host IS NULL)",
           "(a = 1 AND b = 2) OR c = 3",
           "a = 1 AND b = 2 AND c = 3",
           "count IN (1, 2, 3)",
           "host NOT IN ('a', 'b')",
           "host LIKE 'ab%'",
           "host NOT LIKE 'a\\_b\\%%'",
           "NOT (count = 5)",
           "NOT (a = 1 OR b = 2)",
           "x IS NOT NAN",
           "x IS NAN",
           "x IS NOT NULL",
           "\"my col\" = 'it''s'",
           "\"and\" = 1",
           "location.lat <= -1.5e-07",
           "flag = true",
           "flag != false",
           "true",
           "false",
           "ts >= '2026-11-25T10:00:00'",
           "v = 3.0",
       }) {
    EXPECT_EQ(Reprint(text), text);
  }
}

TEST(ParseFilter, AcceptsTheUsualSpellings) {
  EXPECT_EQ(Reprint("temperature>30.5 and host='a'"), "temperature > 30.5 AND host = 'a'");
  EXPECT_EQ(Reprint("x <> 1"), "x != 1");
  EXPECT_EQ(Reprint("x == 1"), "x = 1");
  EXPECT_EQ(Reprint("host like 'abc'"), "host = 'abc'");
  EXPECT_EQ(Reprint("host not like 'abc'"), "host != 'abc'");
  EXPECT_EQ(Reprint("a = 1 or b = 2 and c = 3"), "a = 1 OR (b = 2 AND c = 3)");
  EXPECT_EQ(Reprint("not not a = 1"), "NOT (NOT (a = 1))");
  EXPECT_EQ(Reprint("  ((x < -5))  "), "x < -5");
  EXPECT_EQ(Reprint("x >= .5"), "x >= 0.5");
  EXPECT_EQ(Reprint("x >= 1e3"), "x >= 1000.0");
  EXPECT_EQ(Reprint("x IN (1,'a',2.5,TRUE)"), "x IN (1, 'a', 2.5, true)");
  EXPECT_EQ(Reprint("x Is Not Null"), "x IS NOT NULL");
}

TEST(ParseFilter, KeepsNumbersTooLongForADoubleAsText) {
  auto e = ParseFilter("price = 12345678901234567.89");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->values[0], UnboundValue("12345678901234567.89"));
  auto big = ParseFilter("id < 99999999999999999999");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->values[0], UnboundValue("99999999999999999999"));
  EXPECT_EQ(BoundString(*big), "true");  // beyond every long (id is required)
}

TEST(ParseFilter, ReportsTheErrorPosition) {
  EXPECT_EQ(ParseError("temperature > "), "filter: at 15: expected a literal after '>'");
  EXPECT_EQ(ParseError("temperature > AND x = 1"), "filter: at 15: expected a literal after '>'");
  EXPECT_EQ(ParseError("(a = 1"), "filter: at 7: expected ')' but found end of filter");
  EXPECT_EQ(ParseError("a = 'abc"), "filter: at 5: unterminated string");
  EXPECT_EQ(ParseError("a IS 5"), "filter: at 6: expected NULL or NAN after 'IS' but found '5'");
  EXPECT_EQ(ParseError("a IS NOT x"), "filter: at 10: expected NULL or NAN after 'IS NOT' but found 'x'");
  EXPECT_EQ(ParseError("a LIKE '%abc'"), "filter: at 8: LIKE supports only a prefix pattern such as 'abc%'");
  EXPECT_EQ(ParseError("a LIKE 'a_c%'").rfind("filter: at 8: LIKE supports only a prefix pattern", 0), 0u);
  EXPECT_EQ(ParseError("a LIKE 5"), "filter: at 8: expected a quoted pattern after LIKE but found '5'");
  EXPECT_EQ(ParseError("a = 1 b = 2"), "filter: at 7: unexpected 'b' (expected AND, OR or the end)");
  EXPECT_EQ(ParseError(""), "filter: at 1: empty filter");
  EXPECT_EQ(ParseError("   "), "filter: at 4: empty filter");
  EXPECT_EQ(ParseError("a = NULL"), "filter: at 5: NULL is not a value: use IS NULL or IS NOT NULL");
  EXPECT_EQ(ParseError("a ~ 1"), "filter: at 3: unexpected character '~'");
  EXPECT_EQ(ParseError("= 1"), "filter: at 1: expected a column name but found '='");
  EXPECT_EQ(ParseError("a"), "filter: at 2: expected an operator after 'a' but found end of filter");
  EXPECT_EQ(ParseError("a IN 1"), "filter: at 6: expected '(' after IN but found '1'");
  EXPECT_EQ(ParseError("a IN (1 2)"), "filter: at 9: expected ',' or ')' in the IN list but found '2'");
  EXPECT_EQ(ParseError("a IN ()"), "filter: at 7: expected a literal after '('");
  EXPECT_EQ(ParseError("a = 1 AND"), "filter: at 10: expected a column name but found end of filter");
  EXPECT_EQ(ParseError("a. = 1"), "filter: at 1: invalid column name 'a.'");
  EXPECT_EQ(ParseError("a = 12abc"), "filter: at 5: malformed number");
  EXPECT_EQ(ParseError("a ! 1"), "filter: at 3: unexpected '!' (use != or NOT)");
  EXPECT_EQ(ParseError("\"a = 1"), "filter: at 1: unterminated quoted column name");
}

TEST(ParseFilter, ParsedFiltersBindToTheSchema) {
  auto e = ParseFilter("ts >= '2026-11-25' AND host LIKE 'web%' AND NOT (count IN (1, 2))");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(BoundString(*e), "ts >= '2026-11-25T00:00:00Z' AND host LIKE 'web%' AND count NOT IN (1, 2)");
}

}  // namespace
}  // namespace floe::iceberg
