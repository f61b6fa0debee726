#include "floe/ingest/window_truth.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace floe::ingest {
namespace {

TelemetryEvent Reading(int32_t sensor, int64_t ts, int32_t temperature_centi) {
  TelemetryEvent e;
  e.sensor = sensor;
  e.ts_ms = ts;
  e.temperature_centi = temperature_centi;
  return e;
}

TEST(WindowTruth, AggregatesPerWindowAndSensorExactly) {
  WindowTruth truth(3, 10000);
  truth.Add(Reading(2, 1732480005000, 2150));
  truth.Add(Reading(0, 1732480000000, 2000));
  truth.Add(Reading(0, 1732480009999, -5));
  truth.Add(Reading(0, 1732480010000, 1999));  // next window
  truth.Add(Reading(2, 1732480001000, 2149));  // out of order, same window
  EXPECT_EQ(truth.events(), 5);
  EXPECT_EQ(truth.ToCsv(),
            "window_start_ms,sensor_id,count,sum_temperature,min_temperature,max_temperature\n"
            "1732480000000,s-00000,2,19.95,-0.05,20.00\n"
            "1732480000000,s-00002,2,42.99,21.49,21.50\n"
            "1732480010000,s-00000,1,19.99,19.99,19.99\n");
}

TEST(WindowTruth, SumsStayExactOverMillionsOfReadings) {
  WindowTruth truth(1, 10000);
  for (int i = 0; i < 3000000; ++i) truth.Add(Reading(0, 1000, 1));  // 0.01 three million times
  EXPECT_EQ(truth.ToCsv().substr(truth.ToCsv().find('\n') + 1), "0,s-00000,3000000,30000.00,0.01,0.01\n");
}

TEST(WindowTruth, WritesTheFileWhole) {
  WindowTruth truth(1);
  truth.Add(Reading(0, 5, 100));
  const std::string path = ::testing::TempDir() + "/truth.csv";
  ASSERT_TRUE(truth.WriteCsv(path).ok());
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), truth.ToCsv());
  EXPECT_FALSE(truth.WriteCsv("/nonexistent-dir/truth.csv").ok());
  std::remove(path.c_str());
}

}  // namespace
}  // namespace floe::ingest
