#include "floe/ui/health.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "floe/base/version.h"

namespace floe::ui {

namespace {

// Resident set size from /proc/self/statm (pages), or 0 where /proc is unavailable.
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * sysconf(_SC_PAGESIZE);
}

double CpuSeconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

HealthEndpoints::HealthEndpoints(std::vector<std::string> doors)
    : doors_(std::move(doors)), started_(std::chrono::steady_clock::now()) {}

void HealthEndpoints::Register(io::HttpServer& server) {
  server.Route("GET", "/healthz", [this](const io::HttpRequest&) { return io::HttpResponse::Json(200, HealthJson()); });
  server.Route("HEAD", "/healthz",
               [this](const io::HttpRequest&) { return io::HttpResponse::Json(200, HealthJson()); });
  server.Route("GET", "/metrics", [this](const io::HttpRequest&) {
    io::HttpResponse r = io::HttpResponse::Text(200, MetricsText());
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return r;
  });
}

std::string HealthEndpoints::HealthJson() const {
  double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  nlohmann::json j = {
      {"status", "ok"},
      {"version", std::string(Version())},
      {"commit", std::string(GitCommit())},
      {"uptime_seconds", uptime},
      {"doors", doors_},
  };
  return j.dump() + "\n";
}

std::string HealthEndpoints::MetricsText() const {
  double uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string out;
  out += "# HELP floe_build_info The floe version serving this process.\n# TYPE floe_build_info gauge\n";
  out += fmt::format("floe_build_info{{version=\"{}\",commit=\"{}\"}} 1\n", Version(), GitCommit());
  out += "# HELP floe_uptime_seconds Seconds since the process started serving.\n# TYPE floe_uptime_seconds gauge\n";
  out += fmt::format("floe_uptime_seconds {:.3f}\n", uptime);
  out +=
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\n";
  out += fmt::format("process_resident_memory_bytes {}\n", ResidentBytes());
  out +=
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
      "# TYPE process_cpu_seconds_total counter\n";
  out += fmt::format("process_cpu_seconds_total {:.3f}\n", CpuSeconds());
  return out;
}

}  // namespace floe::ui
