#include "floe/base/logging.h"

#include <gtest/gtest.h>

namespace floe::log {
namespace {

TEST(LoggingTest, ParsesLevelsAndRejectsUnknownOnes) {
  EXPECT_EQ(*ParseLevel("debug"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("warning"), Level::kWarn);
  Result<Level> bad = ParseLevel("loud");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'loud'"), std::string::npos);
  EXPECT_NE(bad.status().message().find("trace, debug, info"), std::string::npos);
}

TEST(LoggingTest, FieldsAreKeyValueAndQuotedWhenNeeded) {
  EXPECT_EQ(FormatFieldsText({{"topic", "telemetry"}, {"partition", 2}, {"why", "crc mismatch"}, {"e", ""}}),
            R"( topic=telemetry partition=2 why="crc mismatch" e="")");
}

TEST(LoggingTest, JsonLineEscapes) {
  EXPECT_EQ(FormatJsonLine(Level::kWarn, "bad \"frame\"", {{"peer", "127.0.0.1:5"}, {"n", 3}}),
            R"("level":"warn","msg":"bad \"frame\"","peer":"127.0.0.1:5","n":"3")");
}

TEST(LoggingTest, LevelFiltering) {
  Init(Level::kWarn);
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  Init(Level::kInfo);
  EXPECT_TRUE(Enabled(Level::kInfo));
}

}  // namespace
}  // namespace floe::log
