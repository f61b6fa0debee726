#include "floe/stream/window_aggregator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "floe/base/crc32c.h"
#include "floe/sql/functions.h"

namespace floe::stream {
namespace {

using sql::DataType;
using sql::WindowKind;

constexpr int64_t kNoWatermark = WindowAggregator::kNoWatermark;

WindowSpec Tumble(int64_t size, int64_t offset = 0) {
  return {WindowKind::kTumble, size, 0, offset};
}
WindowSpec Hop(int64_t size, int64_t slide, int64_t offset = 0) {
  return {WindowKind::kHop, size, slide, offset};
}
WindowSpec Cumulate(int64_t size, int64_t step, int64_t offset = 0) {
  return {WindowKind::kCumulate, size, step, offset};
}

// An aggregate typed as the binder types it (sql::TypeAggregateCall, with GROUP BY).
AggregateSpec Agg(const std::string& function, DataType arg, bool distinct = false) {
  AggregateSpec spec;
  spec.function = function;
  spec.distinct = distinct;
  spec.arg_type = arg;
  auto result = sql::TypeAggregateCall(function, false, {arg}, true);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (result.ok()) spec.result_type = *result;
  return spec;
}

AggregateSpec CountStar() {
  AggregateSpec spec;
  spec.function = "COUNT";
  spec.star = true;
  spec.result_type = DataType::BigInt().NotNull();
  return spec;
}

Datum I(int64_t v) {
  return Datum::Int(v);
}
Datum D(double v) {
  return Datum::Double(v);
}
Datum Dec(Int128 v) {
  return Datum::Decimal(v);
}
Datum S(std::string_view v) {
  return Datum::String(v);
}
Datum N() {
  return Datum::Null();
}

std::vector<WindowBounds> W(std::initializer_list<std::pair<int64_t, int64_t>> bounds) {
  std::vector<WindowBounds> out;
  for (auto [s, e] : bounds) out.push_back({s, e});
  return out;
}

// Runs the aggregator's output into lines "[start, end) key1|key2: result1 result2".
class Collector {
 public:
  // Copies the types: the aggregator may be replaced (restored) while the collector lives.
  explicit Collector(const WindowAggregator& agg) : key_types_(agg.key_types()), aggregates_(agg.aggregates()) {}

  WindowAggregator::EmitFn Fn() {
    return [this](int64_t start, int64_t end, const Row& keys, const Row& results) {
      std::string line = "[" + std::to_string(start) + ", " + std::to_string(end) + ")";
      for (size_t k = 0; k < keys.size(); ++k) {
        line += (k == 0 ? " " : "|") + DatumToString(keys[k], key_types_[k]);
      }
      line += ":";
      for (size_t i = 0; i < results.size(); ++i) {
        line += " " + DatumToString(results[i], aggregates_[i].result_type);
      }
      lines.push_back(line);
    };
  }

  std::vector<std::string> lines;

 private:
  std::vector<DataType> key_types_;
  std::vector<AggregateSpec> aggregates_;
};

std::vector<std::string> Fire(WindowAggregator& agg, int64_t watermark) {
  Collector c(agg);
  agg.AdvanceWatermark(watermark, c.Fn());
  return c.lines;
}

// --- window assignment ---

TEST(WindowAssignmentTest, TumbleIsEpochAlignedForNegativeTimesAndOffsets) {
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000), 12345), W({{10000, 20000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000), 10000), W({{10000, 20000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000), 9999), W({{0, 10000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000), 0), W({{0, 10000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000), -1), W({{-10000, 0}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000), -10000), W({{-10000, 0}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000), -10001), W({{-20000, -10000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000, 3000), 12345), W({{3000, 13000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000, 3000), 2999), W({{-7000, 3000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000, 3000), 3000), W({{3000, 13000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(10000, -3000), -3001), W({{-13000, -3000}}));
  // One day in ms, as TUMBLE(..., INTERVAL '1' DAY) over 2024-11-25 12:30 UTC.
  EXPECT_EQ(WindowAggregator::WindowsOf(Tumble(86400000), 1732537800000), W({{1732492800000, 1732579200000}}));
}

TEST(WindowAssignmentTest, HopGivesSizeOverSlideWindowsLatestFirst) {
  EXPECT_EQ(WindowAggregator::WindowsOf(Hop(10000, 5000), 12000), W({{10000, 20000}, {5000, 15000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Hop(10000, 5000), 10000), W({{10000, 20000}, {5000, 15000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Hop(10000, 5000), -1), W({{-5000, 5000}, {-10000, 0}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Hop(10000, 5000, 1000), 12000), W({{11000, 21000}, {6000, 16000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Hop(3000, 1000), 2500), W({{2000, 5000}, {1000, 4000}, {0, 3000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Hop(4000, 4000), -4000), W({{-4000, 0}}));
}

TEST(WindowAssignmentTest, CumulateGivesGrowingWindowsFromTheSizeAlignedStart) {
  EXPECT_EQ(WindowAggregator::WindowsOf(Cumulate(10000, 2000), 13500),
            W({{10000, 14000}, {10000, 16000}, {10000, 18000}, {10000, 20000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Cumulate(10000, 2000), 10000),
            W({{10000, 12000}, {10000, 14000}, {10000, 16000}, {10000, 18000}, {10000, 20000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Cumulate(10000, 2000), 19999), W({{10000, 20000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Cumulate(10000, 2000), -1), W({{-10000, 0}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Cumulate(10000, 2000), -10000),
            W({{-10000, -8000}, {-10000, -6000}, {-10000, -4000}, {-10000, -2000}, {-10000, 0}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Cumulate(10000, 5000, 1000), 7000), W({{1000, 11000}}));
  EXPECT_EQ(WindowAggregator::WindowsOf(Cumulate(10000, 5000, 1000), 3000), W({{1000, 6000}, {1000, 11000}}));
}

TEST(WindowAggregatorCheckTest, RejectsUnusableSpecs) {
  std::vector<AggregateSpec> count = {CountStar()};
  EXPECT_TRUE(WindowAggregator::Check(Tumble(1000), count).ok());
  EXPECT_EQ(WindowAggregator::Check(Tumble(0), count).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WindowAggregator::Check(Hop(1000, 0), count).code(), StatusCode::kInvalidArgument);
  Status hop = WindowAggregator::Check(Hop(1000, 300), count);
  EXPECT_EQ(hop.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(hop.message().find("integral multiple"), std::string::npos) << hop.message();
  EXPECT_EQ(WindowAggregator::Check(Cumulate(1000, 300), count).code(), StatusCode::kInvalidArgument);

  AggregateSpec median = Agg("SUM", DataType::Int());
  median.function = "MEDIAN";
  EXPECT_EQ(WindowAggregator::Check(Tumble(1000), {median}).code(), StatusCode::kInvalidArgument);
  AggregateSpec sum_star = CountStar();
  sum_star.function = "SUM";
  EXPECT_EQ(WindowAggregator::Check(Tumble(1000), {sum_star}).code(), StatusCode::kInvalidArgument);
  AggregateSpec sum_string = Agg("MIN", DataType::String());
  sum_string.function = "SUM";
  EXPECT_EQ(WindowAggregator::Check(Tumble(1000), {sum_string}).code(), StatusCode::kInvalidArgument);
  AggregateSpec sum_as_int = Agg("SUM", DataType::Int());
  sum_as_int.result_type = DataType::Int();
  EXPECT_EQ(WindowAggregator::Check(Tumble(1000), {sum_as_int}).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      WindowAggregator::Check(Tumble(1000), {Agg("SUM", DataType::Decimal(10, 2)), Agg("AVG", DataType::Decimal(10, 2)),
                                             Agg("AVG", DataType::TinyInt()), Agg("MAX", DataType::Timestamp(3)),
                                             Agg("COUNT", DataType::String(), true), Agg("AVG", DataType::Float())})
          .ok());
}

// --- aggregates ---

TEST(WindowAggregatorTest, NullsAreSkippedAndEmptyAggregatesAreNull) {
  std::vector<AggregateSpec> aggs = {CountStar(),
                                     Agg("COUNT", DataType::Int()),
                                     Agg("SUM", DataType::Int()),
                                     Agg("MIN", DataType::Int()),
                                     Agg("MAX", DataType::Int()),
                                     Agg("AVG", DataType::Int())};
  WindowAggregator agg(Tumble(10000), {DataType::String()}, aggs);
  auto args = [](Datum v) { return Row{N(), v, v, v, v, v}; };
  agg.Add(1000, {S("a")}, args(I(5)));
  agg.Add(2000, {S("a")}, args(N()));
  agg.Add(3000, {S("a")}, args(I(3)));
  agg.Add(4000, {S("b")}, args(N()));
  agg.Add(5000, {S("b")}, args(N()));
  EXPECT_EQ(Fire(agg, 9999),
            (std::vector<std::string>{"[0, 10000) a: 3 2 8 3 5 4", "[0, 10000) b: 2 0 NULL NULL NULL NULL"}));
}

TEST(WindowAggregatorTest, AvgOfIntTruncatesTowardZeroInTheArgumentType) {
  WindowAggregator agg(Tumble(10), {DataType::Int()},
                       {Agg("AVG", DataType::Int()), Agg("AVG", DataType::TinyInt()), Agg("SUM", DataType::TinyInt())});
  ASSERT_EQ(agg.aggregates()[0].result_type.id, sql::TypeId::kInt);
  ASSERT_EQ(agg.aggregates()[2].result_type.id, sql::TypeId::kBigInt);
  for (int64_t v : {1, 2}) agg.Add(0, {I(1)}, {I(v), I(v), I(v)});
  for (int64_t v : {-1, -2}) agg.Add(0, {I(2)}, {I(v), I(v), I(v)});
  for (int64_t v : {7, 7, 6}) agg.Add(0, {I(3)}, {I(v), I(v), I(v)});
  // TINYINT values whose SUM leaves TINYINT's range: the sum is BIGINT and the mean is still exact.
  for (int64_t v : {120, 120, 121}) agg.Add(0, {I(4)}, {I(v), I(v), I(v)});
  EXPECT_EQ(Fire(agg, 9), (std::vector<std::string>{"[0, 10) 1: 1 1 3", "[0, 10) 2: -1 -1 -3", "[0, 10) 3: 6 6 20",
                                                    "[0, 10) 4: 120 120 361"}));
}

TEST(WindowAggregatorTest, SumOfBigintWrapsLikeJavaLong) {
  WindowAggregator agg(Tumble(10), {}, {Agg("SUM", DataType::BigInt())});
  agg.Add(0, {}, {I(std::numeric_limits<int64_t>::max())});
  agg.Add(0, {}, {I(2)});
  EXPECT_EQ(Fire(agg, 9), (std::vector<std::string>{"[0, 10): -9223372036854775807"}));
}

TEST(WindowAggregatorTest, DecimalSumKeepsScaleAndAvgRoundsHalfUp) {
  DataType dec = DataType::Decimal(10, 2);
  WindowAggregator agg(Tumble(10), {DataType::Int()}, {Agg("SUM", dec), Agg("AVG", dec)});
  EXPECT_EQ(agg.aggregates()[0].result_type.Name(), "DECIMAL(38, 2)");
  EXPECT_EQ(agg.aggregates()[1].result_type.Name(), "DECIMAL(38, 6)");
  for (Int128 v : {100, 200, 200}) agg.Add(0, {I(1)}, {Dec(v), Dec(v)});     // 5.00 / 3
  for (Int128 v : {-100, -200, -200}) agg.Add(0, {I(2)}, {Dec(v), Dec(v)});  // -5.00 / 3
  for (Int128 v : {125, 250}) agg.Add(0, {I(3)}, {Dec(v), Dec(v)});
  EXPECT_EQ(Fire(agg, 9), (std::vector<std::string>{"[0, 10) 1: 5.00 1.666667", "[0, 10) 2: -5.00 -1.666667",
                                                    "[0, 10) 3: 3.75 1.875000"}));
}

TEST(WindowAggregatorTest, DecimalAvgRoundsExactHalvesAwayFromZero) {
  DataType dec = DataType::Decimal(10, 6);
  WindowAggregator agg(Tumble(10), {DataType::Int()}, {Agg("AVG", dec)});
  ASSERT_EQ(agg.aggregates()[0].result_type.scale, 6);
  for (Int128 v : {1, 0}) agg.Add(0, {I(1)}, {Dec(v)});     // 0.0000005
  for (Int128 v : {-1, 0}) agg.Add(0, {I(2)}, {Dec(v)});    // -0.0000005
  for (Int128 v : {1, 0, 0}) agg.Add(0, {I(3)}, {Dec(v)});  // 0.00000033
  EXPECT_EQ(Fire(agg, 9),
            (std::vector<std::string>{"[0, 10) 1: 0.000001", "[0, 10) 2: -0.000001", "[0, 10) 3: 0.000000"}));
}

TEST(WindowAggregatorTest, DecimalSumOverflowIsNull) {
  DataType dec = DataType::Decimal(38, 0);
  WindowAggregator agg(Tumble(10), {}, {Agg("SUM", dec), Agg("AVG", dec), CountStar()});
  Int128 big = 1;
  for (int i = 0; i < 37; ++i) big *= 10;
  big *= 9;  // 9 * 10^37
  agg.Add(0, {}, {Dec(big), Dec(big), N()});
  agg.Add(0, {}, {Dec(big), Dec(big), N()});
  agg.Add(0, {}, {Dec(-big), Dec(-big), N()});
  EXPECT_EQ(Fire(agg, 9), (std::vector<std::string>{"[0, 10): NULL NULL 3"}));
}

TEST(WindowAggregatorTest, DoubleAndFloatSumAndAvg) {
  WindowAggregator agg(Tumble(10), {},
                       {Agg("SUM", DataType::Double()), Agg("AVG", DataType::Double()), Agg("AVG", DataType::Float()),
                        Agg("MIN", DataType::Double()), Agg("MAX", DataType::Double())});
  for (double v : {1.5, 2.0, -0.5}) agg.Add(0, {}, {D(v), D(v), D(v), D(v), D(v)});
  agg.Add(0, {}, {N(), N(), N(), N(), N()});
  EXPECT_EQ(Fire(agg, 9), (std::vector<std::string>{"[0, 10): 3.0 1.0 1.0 -0.5 2.0"}));

  WindowAggregator thirds(Tumble(10), {}, {Agg("AVG", DataType::Float()), Agg("AVG", DataType::Double())});
  for (double v : {0.0, 0.0, 1.0}) thirds.Add(0, {}, {D(v), D(v)});
  std::vector<Datum> got;
  thirds.AdvanceWatermark(9, [&](int64_t, int64_t, const Row&, const Row& r) { got = r; });
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].d, static_cast<double>(1.0f / 3.0f));  // a FLOAT result holds a float value
  EXPECT_EQ(got[1].d, 1.0 / 3.0);
}

TEST(WindowAggregatorTest, MinMaxOfStringsTimestampsAndNaN) {
  WindowAggregator agg(
      Tumble(10), {},
      {Agg("MIN", DataType::String()), Agg("MAX", DataType::String()), Agg("MIN", DataType::Timestamp(3)),
       Agg("MAX", DataType::Double()), Agg("MIN", DataType::Boolean()), Agg("MIN", DataType::Decimal(20, 3)),
       Agg("MAX", DataType::Decimal(20, 3)), Agg("MIN", DataType::Float())});
  std::string long_value(40, 'z');
  agg.Add(0, {}, {S("pear"), S("pear"), I(5000), D(1.0), Datum::Bool(true), Dec(5), Dec(5), D(2.5)});
  agg.Add(0, {},
          {S("apple"), S(long_value), I(-3000), D(std::numeric_limits<double>::quiet_NaN()), Datum::Bool(false),
           Dec(-7), Dec(-7), D(std::numeric_limits<double>::quiet_NaN())});
  agg.Add(0, {}, {S("banana"), S("b"), I(0), D(1e300), N(), Dec(Int128{1} << 100), Dec(Int128{1} << 100), D(-1.5)});
  std::vector<Datum> got;
  agg.AdvanceWatermark(9, [&](int64_t, int64_t, const Row&, const Row& r) { got = r; });
  ASSERT_EQ(got.size(), 8u);
  EXPECT_EQ(got[0].s, "apple");
  EXPECT_EQ(got[1].s, long_value);
  EXPECT_EQ(got[2].i, -3000);
  EXPECT_TRUE(std::isnan(got[3].d));  // NaN is above every number, as Flink orders doubles
  EXPECT_FALSE(got[4].b);
  EXPECT_TRUE(got[5].dec == -7);
  EXPECT_TRUE(got[6].dec == Int128{1} << 100);
  EXPECT_EQ(got[7].d, -1.5);
}

TEST(WindowAggregatorTest, DistinctAggregatesCountEachValueOnce) {
  DataType dec = DataType::Decimal(5, 1);
  WindowAggregator agg(
      Tumble(10), {DataType::String()},
      {Agg("COUNT", DataType::Int(), true), Agg("SUM", DataType::Int(), true), Agg("AVG", DataType::Int(), true),
       Agg("COUNT", DataType::Int()), Agg("MAX", DataType::Int(), true), Agg("COUNT", DataType::String(), true),
       Agg("SUM", dec, true)});
  const char* names[] = {"x", "y", "x", "z", "y", "x"};
  int i = 0;
  for (Datum v : {I(1), I(1), I(2), N(), I(3), I(3)}) {
    Datum dec_v = v.null ? N() : Dec(v.i * 10);
    agg.Add(0, {S("k")}, {v, v, v, v, v, S(names[i++]), dec_v});
  }
  agg.Add(0, {S("empty")}, {N(), N(), N(), N(), N(), N(), N()});
  EXPECT_EQ(Fire(agg, 9),
            (std::vector<std::string>{"[0, 10) empty: 0 NULL NULL 0 NULL 0 NULL", "[0, 10) k: 3 6 2 5 3 3 6.0"}));
}

TEST(WindowAggregatorTest, CompositeAndNullKeysGroupByEquality) {
  WindowAggregator agg(Tumble(10), {DataType::String(), DataType::Double()}, {CountStar()});
  agg.Add(0, {S("a"), D(0.0)}, {N()});
  agg.Add(1, {S("a"), D(-0.0)}, {N()});  // -0.0 = 0.0
  agg.Add(2, {S("a"), N()}, {N()});
  agg.Add(3, {S("a"), N()}, {N()});
  agg.Add(4, {N(), D(1.0)}, {N()});
  agg.Add(5, {S("a"), D(std::numeric_limits<double>::quiet_NaN())}, {N()});
  agg.Add(6, {S("a"), D(-std::numeric_limits<double>::quiet_NaN())}, {N()});
  EXPECT_EQ(agg.groups(), 4u);
  EXPECT_EQ(Fire(agg, 9), (std::vector<std::string>{"[0, 10) NULL|1.0: 1", "[0, 10) a|NULL: 2", "[0, 10) a|0.0: 2",
                                                    "[0, 10) a|NaN: 2"}));
}

TEST(WindowAggregatorTest, ManyKeysGrowTheIndexAndEachFiresOnce) {
  WindowAggregator agg(Tumble(100), {DataType::BigInt()}, {CountStar(), Agg("SUM", DataType::BigInt())});
  constexpr int kKeys = 5000;
  for (int round = 0; round < 3; ++round) {
    for (int k = kKeys - 1; k >= 0; --k) agg.Add(round, {I(k * 7919 % kKeys)}, {N(), I(round)});
  }
  EXPECT_EQ(agg.groups(), static_cast<size_t>(kKeys));
  std::vector<int64_t> keys;
  agg.AdvanceWatermark(99, [&](int64_t, int64_t, const Row& k, const Row& r) {
    keys.push_back(k[0].i);
    EXPECT_EQ(r[0].i, 3);
    EXPECT_EQ(r[1].i, 3);
  });
  ASSERT_EQ(keys.size(), static_cast<size_t>(kKeys));
  for (int k = 0; k < kKeys; ++k) EXPECT_EQ(keys[k], k);
}

// --- firing, lateness, state ---

TEST(WindowAggregatorTest, FiresWhenWatermarkReachesEndMinusOne) {
  WindowAggregator agg(Tumble(10000), {DataType::String()}, {CountStar()});
  agg.Add(500, {S("a")}, {N()});
  agg.Add(10500, {S("a")}, {N()});
  EXPECT_TRUE(Fire(agg, 9998).empty());
  EXPECT_EQ(agg.open_windows(), 2u);
  EXPECT_EQ(Fire(agg, 9999), (std::vector<std::string>{"[0, 10000) a: 1"}));
  EXPECT_EQ(agg.open_windows(), 1u);
  EXPECT_TRUE(Fire(agg, 5000).empty());  // a lower watermark is ignored
  EXPECT_EQ(agg.watermark(), 9999);
  EXPECT_TRUE(Fire(agg, 9999).empty());  // fired once only
  EXPECT_EQ(Fire(agg, std::numeric_limits<int64_t>::max()), (std::vector<std::string>{"[10000, 20000) a: 1"}));
}

TEST(WindowAggregatorTest, FiringOrderIsEndThenStartThenKeyWithOneRowPerWindowAndKey) {
  WindowAggregator agg(Hop(20, 10), {DataType::String(), DataType::Int()}, {CountStar()});
  // Events in an order unrelated to the output's.
  agg.Add(25, {S("b"), I(1)}, {N()});
  agg.Add(5, {S("b"), I(1)}, {N()});
  agg.Add(12, {S("a"), I(2)}, {N()});
  agg.Add(15, {S("a"), I(1)}, {N()});
  agg.Add(3, {S("b"), I(1)}, {N()});
  agg.Add(14, {S("a"), I(2)}, {N()});
  EXPECT_EQ(agg.open_windows(), 4u);
  EXPECT_EQ(Fire(agg, 1000), (std::vector<std::string>{
                                 "[-10, 10) b|1: 2",
                                 "[0, 20) a|1: 1",
                                 "[0, 20) a|2: 2",
                                 "[0, 20) b|1: 2",
                                 "[10, 30) a|1: 1",
                                 "[10, 30) a|2: 2",
                                 "[10, 30) b|1: 1",
                                 "[20, 40) b|1: 1",
                             }));
  EXPECT_EQ(agg.open_windows(), 0u);
}

TEST(WindowAggregatorTest, CumulateEmitsEachPrefixWindow) {
  WindowAggregator agg(Cumulate(30, 10), {}, {CountStar(), Agg("SUM", DataType::Int())});
  agg.Add(1, {}, {N(), I(1)});
  agg.Add(15, {}, {N(), I(10)});
  agg.Add(29, {}, {N(), I(100)});
  agg.Add(30, {}, {N(), I(1000)});
  EXPECT_EQ(Fire(agg, 19), (std::vector<std::string>{"[0, 10): 1 1", "[0, 20): 2 11"}));
  EXPECT_EQ(Fire(agg, 39), (std::vector<std::string>{"[0, 30): 3 111", "[30, 40): 1 1000"}));
  EXPECT_EQ(agg.open_windows(), 2u);  // [30, 50) and [30, 60)
}

TEST(WindowAggregatorTest, LateEventsAreCountedPerFiredWindow) {
  WindowAggregator agg(Hop(20, 10), {DataType::Int()}, {CountStar()});
  agg.Add(5, {I(1)}, {N()});
  EXPECT_EQ(Fire(agg, 9).size(), 1u);  // [-10, 10)
  auto r = agg.Add(7, {I(1)}, {N()});  // late for [-10, 10), on time for [0, 20)
  EXPECT_EQ(r.added, 1);
  EXPECT_EQ(r.late, 1);
  EXPECT_EQ(r.late_window_end, 10);
  EXPECT_EQ(Fire(agg, 19), (std::vector<std::string>{"[0, 20) 1: 2"}));
  r = agg.Add(8, {I(1)}, {N()});
  EXPECT_EQ(r.added, 0);
  EXPECT_EQ(r.late, 2);
  EXPECT_EQ(r.late_window_end, 20);
  r = agg.Add(20, {I(1)}, {N()});
  EXPECT_EQ(r.added, 2);
  EXPECT_EQ(r.late, 0);
  EXPECT_EQ(r.late_window_end, 0);
  EXPECT_EQ(agg.groups(), 2u);
}

TEST(WindowAggregatorTest, StateIsFreedWhenWindowsFire) {
  WindowAggregator agg(Tumble(100), {DataType::String()},
                       {CountStar(), Agg("COUNT", DataType::String(), true), Agg("MAX", DataType::String())});
  EXPECT_EQ(agg.EstimatedStateBytes(), 0u);
  for (int k = 0; k < 100; ++k) {
    std::string key = "a-rather-long-sensor-identifier-" + std::to_string(k);
    agg.Add(k, {S(key)}, {N(), S(key), S(key)});
    agg.Add(150, {S(key)}, {N(), S(key), S(key)});
  }
  EXPECT_EQ(agg.open_windows(), 2u);
  EXPECT_EQ(agg.groups(), 200u);
  size_t both = agg.EstimatedStateBytes();
  EXPECT_GT(both, 200u * (3 * 34 + 2 * sizeof(Datum)));  // three heap copies of each key string, two Datums
  EXPECT_EQ(Fire(agg, 99).size(), 100u);
  EXPECT_EQ(agg.open_windows(), 1u);
  EXPECT_EQ(agg.groups(), 100u);
  size_t one = agg.EstimatedStateBytes();
  EXPECT_LT(one, both);
  EXPECT_GT(one, 0u);
  EXPECT_EQ(Fire(agg, 199).size(), 100u);
  EXPECT_EQ(agg.open_windows(), 0u);
  EXPECT_EQ(agg.groups(), 0u);
  EXPECT_EQ(agg.EstimatedStateBytes(), 0u);
}

// --- checkpoints ---

struct Event {
  int64_t ts;
  Row keys;
  Row args;
};

std::vector<AggregateSpec> RichAggregates() {
  return {CountStar(),
          Agg("SUM", DataType::BigInt()),
          Agg("AVG", DataType::Int()),
          Agg("AVG", DataType::Decimal(10, 2)),
          Agg("SUM", DataType::Decimal(10, 2), true),
          Agg("COUNT", DataType::String(), true),
          Agg("MIN", DataType::String()),
          Agg("MAX", DataType::Double())};
}

// A deterministic stream with out-of-order events, null arguments and a few keys; a watermark after every 10.
std::vector<Event> RichEvents(int n) {
  std::vector<Event> events;
  uint64_t x = 12345;
  auto next = [&x](uint64_t mod) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (x >> 33) % mod;
  };
  for (int i = 0; i < n; ++i) {
    int64_t ts = i * 7 - static_cast<int64_t>(next(150)) - 200;  // crosses zero, up to 150 ms out of order
    std::string key = "sensor-" + std::to_string(next(6));
    int64_t v = static_cast<int64_t>(next(1000)) - 500;
    bool null = next(10) == 0;
    Row args = {N(),
                null ? N() : I(v),
                null ? N() : I(v),
                null ? N() : Dec(v * 3),
                null ? N() : Dec(v % 7),
                S("item-with-a-long-name-" + std::to_string(next(5))),
                S("s" + std::to_string(v)),
                null ? N() : D(v / 8.0)};
    events.push_back({ts, {S(key), I(static_cast<int64_t>(next(2)))}, args});
  }
  return events;
}

std::vector<std::string> RunWithRestart(const WindowSpec& spec, const std::vector<Event>& events, int restart_at,
                                        WindowAggregator::AddResult* totals) {
  std::vector<DataType> keys = {DataType::String(), DataType::Int()};
  auto agg = std::make_unique<WindowAggregator>(spec, keys, RichAggregates());
  Collector out(*agg);
  int64_t max_ts = kNoWatermark;
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    if (i == restart_at) {
      std::string snapshot = agg->Snapshot();
      auto restored = std::make_unique<WindowAggregator>(spec, keys, RichAggregates());
      Status s = restored->Restore(snapshot);
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(restored->open_windows(), agg->open_windows());
      EXPECT_EQ(restored->groups(), agg->groups());
      EXPECT_EQ(restored->watermark(), agg->watermark());
      EXPECT_EQ(restored->Snapshot().size(), snapshot.size());
      agg = std::move(restored);
    }
    auto r = agg->Add(events[i].ts, events[i].keys, events[i].args);
    totals->added += r.added;
    totals->late += r.late;
    max_ts = std::max(max_ts, events[i].ts);
    if (i % 10 == 9) agg->AdvanceWatermark(max_ts - 20, out.Fn());
  }
  agg->AdvanceWatermark(std::numeric_limits<int64_t>::max(), out.Fn());
  EXPECT_EQ(agg->open_windows(), 0u);
  return out.lines;
}

TEST(WindowAggregatorSnapshotTest, RestoreMidStreamGivesTheUninterruptedOutput) {
  std::vector<Event> events = RichEvents(600);
  for (const WindowSpec& spec : {Tumble(50), Hop(60, 20, 5), Cumulate(100, 25)}) {
    SCOPED_TRACE(sql::WindowKindName(spec.kind));
    WindowAggregator::AddResult plain_totals;
    std::vector<std::string> plain = RunWithRestart(spec, events, -1, &plain_totals);
    EXPECT_GT(plain_totals.late, 0);  // the stream exercises lateness
    EXPECT_GT(plain.size(), 50u);
    for (int restart_at : {1, 255, 333, 599}) {
      WindowAggregator::AddResult totals;
      EXPECT_EQ(RunWithRestart(spec, events, restart_at, &totals), plain) << "restart at " << restart_at;
      EXPECT_EQ(totals.added, plain_totals.added);
      EXPECT_EQ(totals.late, plain_totals.late);
    }
  }
}

std::string SnapshotWithState(WindowAggregator& agg) {
  std::vector<Event> events = RichEvents(40);
  for (const Event& e : events) agg.Add(e.ts, e.keys, e.args);
  agg.AdvanceWatermark(-100, [](int64_t, int64_t, const Row&, const Row&) {});
  return agg.Snapshot();
}

TEST(WindowAggregatorSnapshotTest, CorruptSnapshotIsRejectedAndStateKept) {
  std::vector<DataType> keys = {DataType::String(), DataType::Int()};
  WindowAggregator source(Tumble(50), keys, RichAggregates());
  std::string good = SnapshotWithState(source);
  ASSERT_GT(source.groups(), 0u);

  WindowAggregator target(Tumble(50), keys, RichAggregates());
  target.Add(1000000, {S("only"), I(0)}, {N(), N(), N(), N(), N(), N(), N(), N()});
  // Every single flipped byte is caught (magic, version, length, or the body's crc32c).
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_EQ(target.Restore(bad).code(), StatusCode::kCorruption) << "byte " << i;
  }
  for (size_t n : {size_t{0}, size_t{10}, good.size() - 1}) {
    EXPECT_EQ(target.Restore(std::string_view(good).substr(0, n)).code(), StatusCode::kCorruption) << n;
  }
  Status magic = target.Restore("NOPE" + good.substr(4));
  EXPECT_NE(magic.message().find("magic"), std::string::npos) << magic.message();
  Status crc = target.Restore(good.substr(0, good.size() - 1) + static_cast<char>(good.back() ^ 0x80));
  EXPECT_NE(crc.message().find("crc32c"), std::string::npos) << crc.message();
  EXPECT_EQ(target.groups(), 1u);
  EXPECT_EQ(target.open_windows(), 1u);
  EXPECT_EQ(target.watermark(), kNoWatermark);
  ASSERT_TRUE(target.Restore(good).ok());
  EXPECT_EQ(target.groups(), source.groups());
}

// A body cut short, with a consistent length and checksum, is caught by the decoder itself.
TEST(WindowAggregatorSnapshotTest, TruncatedBodyWithValidChecksumIsRejected) {
  std::vector<DataType> keys = {DataType::String(), DataType::Int()};
  WindowAggregator source(Tumble(50), keys, RichAggregates());
  std::string good = SnapshotWithState(source);
  constexpr size_t kHeader = 16;
  std::string body = good.substr(kHeader, good.size() - kHeader - 4);
  WindowAggregator target(Tumble(50), keys, RichAggregates());
  int rejected = 0;
  for (size_t cut : {body.size() - 1, body.size() - 9, body.size() / 2}) {
    std::string short_body = body.substr(0, cut);
    std::string bytes = good.substr(0, 8);
    uint64_t len = short_body.size();
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(len >> (8 * i)));
    bytes += short_body;
    uint32_t crc = Crc32c(short_body);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>(crc >> (8 * i)));
    Status s = target.Restore(bytes);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << cut;
    rejected += s.code() == StatusCode::kCorruption;
  }
  EXPECT_EQ(rejected, 3);
  EXPECT_EQ(target.groups(), 0u);
}

TEST(WindowAggregatorSnapshotTest, SnapshotOfAnotherJobShapeIsRefused) {
  std::vector<DataType> keys = {DataType::String(), DataType::Int()};
  WindowAggregator source(Tumble(50), keys, RichAggregates());
  std::string good = SnapshotWithState(source);
  WindowAggregator other_size(Tumble(60), keys, RichAggregates());
  EXPECT_EQ(other_size.Restore(good).code(), StatusCode::kInvalidArgument);
  std::vector<AggregateSpec> fewer = RichAggregates();
  fewer.pop_back();
  WindowAggregator other_aggs(Tumble(50), keys, fewer);
  EXPECT_EQ(other_aggs.Restore(good).code(), StatusCode::kInvalidArgument);
  WindowAggregator other_keys(Tumble(50), {DataType::String(), DataType::BigInt()}, RichAggregates());
  EXPECT_EQ(other_keys.Restore(good).code(), StatusCode::kInvalidArgument);
}

TEST(WindowAggregatorSnapshotTest, EmptyAggregatorRoundTrips) {
  WindowAggregator agg(Cumulate(100, 10), {}, {CountStar()});
  agg.AdvanceWatermark(42, [](int64_t, int64_t, const Row&, const Row&) {});
  WindowAggregator restored(Cumulate(100, 10), {}, {CountStar()});
  ASSERT_TRUE(restored.Restore(agg.Snapshot()).ok());
  EXPECT_EQ(restored.watermark(), 42);
  EXPECT_EQ(restored.open_windows(), 0u);
  auto r = restored.Add(5, {}, {N()});  // [0, 10) .. [0, 40) have fired at 42
  EXPECT_EQ(r.late, 4);
  EXPECT_EQ(r.added, 6);
  EXPECT_EQ(r.late_window_end, 40);
}

}  // namespace
}  // namespace floe::stream
