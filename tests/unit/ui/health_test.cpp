#include "floe/ui/health.h"

#include <gtest/gtest.h>

namespace floe::ui {
namespace {

TEST(HealthTest, HealthJsonReportsStatusVersionAndDoors) {
  HealthEndpoints health({"http", "kafka"});
  std::string json = health.HealthJson();
  EXPECT_NE(json.find("\"status\":\"ok\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"doors\":[\"http\",\"kafka\"]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"version\":"), std::string::npos) << json;
}

TEST(HealthTest, MetricsAreValidPrometheusText) {
  HealthEndpoints health({"http"});
  std::string text = health.MetricsText();
  EXPECT_NE(text.find("# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("floe_build_info{version=\""), std::string::npos);
  // Every sample line is `name[{labels}] value`, and resident memory of a live process is above zero.
  EXPECT_EQ(text.find("process_resident_memory_bytes 0\n"), std::string::npos);
}

}  // namespace
}  // namespace floe::ui
