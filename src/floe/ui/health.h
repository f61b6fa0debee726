// Health and metrics endpoints on the HTTP door, for load balancers, orchestrators and Prometheus:
//   GET /healthz  200 {"status":"ok","version":...,"uptime_seconds":...,"doors":[...]}
//   GET /metrics  Prometheus text format: build info, uptime, resident memory, CPU seconds
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "floe/io/http_server.h"

namespace floe::ui {

class HealthEndpoints {
 public:
  // `doors` are the doors this process serves, reported by /healthz.
  explicit HealthEndpoints(std::vector<std::string> doors);

  void Register(io::HttpServer& server);

  std::string HealthJson() const;
  std::string MetricsText() const;

 private:
  std::vector<std::string> doors_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace floe::ui
