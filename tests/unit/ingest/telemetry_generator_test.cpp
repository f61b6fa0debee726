#include "floe/ingest/telemetry_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

namespace floe::ingest {
namespace {

std::vector<TelemetryEvent> Take(const TelemetryOptions& o, int n) {
  TelemetryGenerator gen(o);
  std::vector<TelemetryEvent> out;
  for (int i = 0; i < n; ++i) out.push_back(gen.Next());
  return out;
}

auto Tuple(const TelemetryEvent& e) {
  return std::tuple(e.sensor, e.ts_ms, e.temperature_centi, e.humidity_deci, e.pressure_deci, e.battery_milli);
}

TelemetryOptions Options(uint64_t seed, int32_t sensors) {
  TelemetryOptions o;
  o.seed = seed;
  o.sensors = sensors;
  o.start_ms = 1732480000000;
  o.interval_ms = 1000;
  return o;
}

TEST(SplitMix64, MatchesTheReferenceSequence) {
  // The first outputs of splitmix64 from state 0, as in the reference implementation (Vigna, prng.di.unimi.it).
  SplitMix64 rng(0);
  EXPECT_EQ(rng.Next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(rng.Next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(rng.Next(), 0x06C45D188009454FULL);
}

TEST(TelemetryGenerator, SameSeedSameStreamOtherSeedOtherStream) {
  auto a = Take(Options(42, 50), 5000);
  auto b = Take(Options(42, 50), 5000);
  auto c = Take(Options(43, 50), 5000);
  int differing = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(Tuple(a[i]), Tuple(b[i])) << "event " << i;
    differing += Tuple(a[i]) != Tuple(c[i]);
  }
  EXPECT_GT(differing, 4500);
}

TEST(TelemetryGenerator, InOrderStreamIsSortedByEventTimeAndEachSensorReportsOncePerInterval) {
  auto events = Take(Options(1, 100), 200000);
  std::map<int32_t, int64_t> last_ts;
  int64_t gaps = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    ASSERT_GE(e.sensor, 0);
    ASSERT_LT(e.sensor, 100);
    if (i > 0) ASSERT_GE(e.ts_ms, events[i - 1].ts_ms);
    auto it = last_ts.find(e.sensor);
    if (it != last_ts.end()) {
      ASSERT_GE(e.ts_ms - it->second, 1000) << "sensor " << e.sensor;
      ASSERT_EQ((e.ts_ms - it->second) % 1000, 0);
      gaps += e.ts_ms - it->second > 1000;  // a dropout
    }
    last_ts[e.sensor] = e.ts_ms;
    // Sensor s reports at a fixed offset s * interval / sensors within each interval.
    ASSERT_EQ((e.ts_ms - 1732480000000) % 1000, e.sensor * 1000 / 100);
  }
  EXPECT_GT(gaps, 10) << "sensors drop out now and then";
  EXPECT_LT(gaps, 200);
}

TEST(TelemetryGenerator, ReadingsStayPlausibleWithOccasionalSpikes) {
  auto events = Take(Options(5, 20), 200000);
  std::map<int32_t, int32_t> previous;
  int spikes = 0;
  for (const auto& e : events) {
    EXPECT_GE(e.humidity_deci, 0);
    EXPECT_LE(e.humidity_deci, 1000);
    EXPECT_GE(e.pressure_deci, 9895);
    EXPECT_LE(e.pressure_deci, 10304);
    EXPECT_GE(e.battery_milli, 0);
    EXPECT_LE(e.battery_milli, 1000);
    EXPECT_GE(e.temperature_centi, -2000);
    EXPECT_LE(e.temperature_centi, 5500);
    auto it = previous.find(e.sensor);
    if (it != previous.end() && std::abs(e.temperature_centi - it->second) > 400) ++spikes;
    previous[e.sensor] = e.temperature_centi;
  }
  // About one reading in a thousand spikes (and the next one drops back): a few hundred jumps in 200k readings.
  EXPECT_GT(spikes, 100);
  EXPECT_LT(spikes, 1000);
}

TEST(TelemetryGenerator, BatteriesOnlyDrain) {
  auto events = Take(Options(9, 10), 100000);
  std::map<int32_t, int32_t> last;
  for (const auto& e : events) {
    auto it = last.find(e.sensor);
    if (it != last.end()) EXPECT_LE(e.battery_milli, it->second);
    last[e.sensor] = e.battery_milli;
  }
}

TEST(TelemetryGenerator, OutOfOrderDelaysAreBoundedAndLoseNothing) {
  TelemetryOptions o = Options(3, 50);
  o.out_of_order_ms = 3000;
  auto disordered = Take(o, 50000);
  auto in_order = Take(Options(3, 50), 60000);
  std::set<decltype(Tuple(in_order[0]))> all;
  for (const auto& e : in_order) all.insert(Tuple(e));
  int64_t max_ts = 1732480000000;  // the start: no event is earlier
  int64_t worst = 0;
  int out_of_order = 0;
  std::set<decltype(Tuple(in_order[0]))> seen;
  for (const auto& e : disordered) {
    EXPECT_TRUE(all.count(Tuple(e))) << "event not in the in-order stream";
    EXPECT_TRUE(seen.insert(Tuple(e)).second) << "event sent twice";
    if (e.ts_ms < max_ts) ++out_of_order;
    worst = std::max(worst, max_ts - e.ts_ms);
    max_ts = std::max(max_ts, e.ts_ms);
  }
  EXPECT_GT(out_of_order, 10000);
  EXPECT_LE(worst, 3000 + 1000);  // the jitter bound plus one step of the stream
  EXPECT_GT(worst, 2000);
}

TEST(TelemetryGenerator, LateFractionDelaysThatShareBeyondTheLateDelay) {
  TelemetryOptions o = Options(4, 100);
  o.late_fraction = 0.02;
  o.late_delay_ms = 20000;
  auto events = Take(o, 100000);
  int64_t max_ts = 1732480000000;  // the start: no event is earlier
  int late = 0;
  for (const auto& e : events) {
    if (max_ts - e.ts_ms >= 20000) ++late;
    EXPECT_LE(max_ts - e.ts_ms, 40000 + 1000);
    max_ts = std::max(max_ts, e.ts_ms);
  }
  EXPECT_GT(late, 1500);  // 2% of 100k, less those still held back at the end
  EXPECT_LT(late, 2500);
}

}  // namespace
}  // namespace floe::ingest
