#include "floe/ingest/telemetry_json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace floe::ingest {
namespace {

std::string Shortest(int64_t v, int decimals) {
  char buf[64];
  return std::string(buf, FormatFixedShortest(v, decimals, buf));
}

std::string Fixed(int64_t v, int decimals) {
  char buf[64];
  return std::string(buf, FormatFixed(v, decimals, buf));
}

std::string Json(const TelemetryEvent& e) {
  char buf[kMaxEventJsonBytes];
  return std::string(buf, FormatEventJson(e, buf));
}

TEST(TelemetryJson, NumbersAreWrittenAsPythonReprWritesTheDouble) {
  EXPECT_EQ(Shortest(2153, 2), "21.53");
  EXPECT_EQ(Shortest(2150, 2), "21.5");
  EXPECT_EQ(Shortest(2100, 2), "21.0");
  EXPECT_EQ(Shortest(0, 2), "0.0");
  EXPECT_EQ(Shortest(-5, 2), "-0.05");
  EXPECT_EQ(Shortest(-120, 2), "-1.2");
  EXPECT_EQ(Shortest(1, 3), "0.001");
  EXPECT_EQ(Shortest(870, 3), "0.87");
  EXPECT_EQ(Shortest(1000, 3), "1.0");
  EXPECT_EQ(Shortest(10132, 1), "1013.2");
  EXPECT_EQ(Shortest(10130, 1), "1013.0");
}

// The plain definition (printf's fixed decimals, trailing zeros dropped but one kept) for every digit count and
// both signs: the formatter writes two digits per step, so each length and odd/even split is a case of its own.
TEST(TelemetryJson, ShortestMatchesPrintfWithTrailingZerosDroppedAtEveryLength) {
  const int64_t scales[] = {1, 10, 100, 1000};
  for (int decimals = 1; decimals <= 3; ++decimals) {
    for (int64_t base = 1; base <= 100000000000000LL; base *= 10) {
      for (int64_t v : {base - 1, base, base + 1, base * 7 + 3, base * 9 + 9 * (base / 10)}) {
        for (int64_t signed_v : {v, -v}) {
          const int64_t scale = scales[decimals];
          const uint64_t mag = static_cast<uint64_t>(signed_v < 0 ? -signed_v : signed_v);
          char want[64];
          std::snprintf(want, sizeof want, "%s%llu.%0*llu", signed_v < 0 ? "-" : "",
                        static_cast<unsigned long long>(mag / scale), decimals,
                        static_cast<unsigned long long>(mag % scale));
          std::string w(want);
          while (w.back() == '0' && w[w.size() - 2] != '.') w.pop_back();
          ASSERT_EQ(Shortest(signed_v, decimals), w) << signed_v << " / 10^" << decimals;
        }
      }
    }
  }
}

TEST(TelemetryJson, FixedKeepsEveryDecimal) {
  EXPECT_EQ(Fixed(123450, 2), "1234.50");
  EXPECT_EQ(Fixed(-5, 2), "-0.05");
  EXPECT_EQ(Fixed(0, 2), "0.00");
  EXPECT_EQ(Fixed(INT64_MIN + 1, 2), "-92233720368547758.07");
}

TEST(TelemetryJson, SensorIdsArePaddedToFiveDigits) {
  char buf[kMaxSensorIdBytes];
  EXPECT_EQ(std::string(buf, FormatSensorId(42, buf)), "s-00042");
  EXPECT_EQ(std::string(buf, FormatSensorId(0, buf)), "s-00000");
  EXPECT_EQ(std::string(buf, FormatSensorId(123456, buf)), "s-123456");
  EXPECT_EQ(*ParseSensorId("s-00042"), 42);
  EXPECT_EQ(*ParseSensorId("s-123456"), 123456);
  EXPECT_FALSE(ParseSensorId("s-42").ok());
  EXPECT_FALSE(ParseSensorId("x-00042").ok());
  EXPECT_FALSE(ParseSensorId("s-0004a").ok());
}

TEST(TelemetryJson, EventHasTheArchitectureSchemaInOrder) {
  TelemetryEvent e{42, 1732480000123, 2153, 452, 10132, 870};
  EXPECT_EQ(Json(e),
            R"({"sensor_id":"s-00042","ts":1732480000123,"temperature":21.53,"humidity":45.2,"pressure":1013.2,)"
            R"("battery":0.87})");
}

TEST(TelemetryJson, EveryGeneratedEventRoundTrips) {
  TelemetryOptions o;
  o.seed = 11;
  o.sensors = 300;
  o.start_ms = 1732480000000;
  TelemetryGenerator gen(o);
  for (int i = 0; i < 100000; ++i) {
    const TelemetryEvent e = gen.Next();
    const std::string json = Json(e);
    ASSERT_LE(json.size(), kMaxEventJsonBytes);
    auto back = ParseEventJson(json);
    ASSERT_TRUE(back.ok()) << json << ": " << back.status().ToString();
    EXPECT_EQ(back->sensor, e.sensor);
    EXPECT_EQ(back->ts_ms, e.ts_ms);
    EXPECT_EQ(back->temperature_centi, e.temperature_centi);
    EXPECT_EQ(back->humidity_deci, e.humidity_deci);
    EXPECT_EQ(back->pressure_deci, e.pressure_deci);
    EXPECT_EQ(back->battery_milli, e.battery_milli);
  }
}

TEST(TelemetryJson, ExtremeValuesFitTheBuffer) {
  TelemetryEvent e{INT32_MAX, INT64_MIN + 1, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN};
  EXPECT_LE(Json(e).size(), kMaxEventJsonBytes);
}

TEST(TelemetryJson, RepeatedAndChangingTimestampsAreWrittenAlike) {
  // The formatter keeps the last timestamp's digits: a run of equal, changing, negative and extreme values must each
  // come out as printf writes them, with the sensor id given or formatted.
  const int64_t stamps[] = {1732480000000, 1732480000000, 1732480000100, -5, -5, 0, INT64_MIN + 1, 7, 7};
  for (int64_t ts : stamps) {
    TelemetryEvent e{42, ts, 2153, 455, 10132, 3700};
    char buf[kMaxEventJsonBytes];
    const std::string with_id(buf, FormatEventJson(e, "s-00042", buf));
    EXPECT_EQ(with_id, Json(e));
    EXPECT_NE(with_id.find(fmt::format("\"ts\":{},", ts)), std::string::npos) << with_id;
  }
}

TEST(TelemetryJson, MalformedEventsSayWhereAndWhy) {
  auto bad = [](std::string_view json) { return ParseEventJson(json).status().message(); };
  EXPECT_EQ(bad(""), "telemetry event: byte 0: expected '{\"sensor_id\":\"'");
  EXPECT_EQ(bad(R"({"sensor_id":"s-00001","ts":x})"), "telemetry event: byte 28: expected a number");
  EXPECT_NE(bad(R"({"sensor_id":"s-00001","ts":1,"temperature":1.234)").find("more than 2 decimals"),
            std::string::npos);
  EXPECT_NE(bad(R"({"sensor_id":"s-00001","ts":1,"temperature":1.2,"humidity":1.0,"pressure":1.0,"battery":1.0}x)")
                .find("trailing bytes"),
            std::string::npos);
  EXPECT_NE(bad(R"({"sensor_id":"sensor-1","ts":1})").find("is not s-NNNNN"), std::string::npos);
}

}  // namespace
}  // namespace floe::ingest
