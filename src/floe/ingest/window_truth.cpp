#include "floe/ingest/window_truth.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "floe/ingest/telemetry_json.h"

namespace floe::ingest {

WindowTruth::WindowTruth(int32_t sensors, int64_t window_ms)
    : sensors_(sensors < 1 ? 1 : sensors), window_ms_(window_ms < 1 ? 1 : window_ms) {}

void WindowTruth::Add(const TelemetryEvent& e) {
  if (e.sensor < 0 || e.sensor >= sensors_) return;
  // Floor division, so that windows are aligned to the epoch for negative times too.
  int64_t start = e.ts_ms / window_ms_ * window_ms_;
  if (start > e.ts_ms) start -= window_ms_;
  if (start != last_start_) {
    auto [it, inserted] = windows_.try_emplace(start);
    if (inserted) it->second.resize(static_cast<size_t>(sensors_));
    last_start_ = start;
    last_window_ = &it->second;
  }
  Aggregate& a = (*last_window_)[static_cast<size_t>(e.sensor)];
  if (a.count == 0) {
    a.min_centi = a.max_centi = e.temperature_centi;
  } else {
    a.min_centi = std::min(a.min_centi, e.temperature_centi);
    a.max_centi = std::max(a.max_centi, e.temperature_centi);
  }
  ++a.count;
  a.sum_centi += e.temperature_centi;
  ++events_;
}

std::string WindowTruth::ToCsv() const {
  std::string out = "window_start_ms,sensor_id,count,sum_temperature,min_temperature,max_temperature\n";
  char buf[64];
  for (const auto& [start, window] : windows_) {
    for (size_t s = 0; s < window.size(); ++s) {
      const Aggregate& a = window[s];
      if (a.count == 0) continue;
      out += fmt::format("{},", start);
      out.append(buf, FormatSensorId(static_cast<int32_t>(s), buf));
      out += fmt::format(",{},", a.count);
      out.append(buf, FormatFixed(a.sum_centi, 2, buf));
      out += ',';
      out.append(buf, FormatFixed(a.min_centi, 2, buf));
      out += ',';
      out.append(buf, FormatFixed(a.max_centi, 2, buf));
      out += '\n';
    }
  }
  return out;
}

Status WindowTruth::WriteCsv(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Status::FromErrno(errno, "truth file " + tmp);
  const std::string csv = ToCsv();
  const bool written = std::fwrite(csv.data(), 1, csv.size(), f) == csv.size();
  const int err = errno;
  if (std::fclose(f) != 0 || !written) {
    std::remove(tmp.c_str());
    return Status::FromErrno(written ? errno : err, "truth file " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno(errno, "truth file " + path);
  return Status::Ok();
}

}  // namespace floe::ingest
