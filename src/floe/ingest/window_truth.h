// Ground truth for the stream layer: the exact per-sensor, per-window aggregates of temperature over the events a
// producer had acknowledged. Later layers (the stream job's TUMBLE windows, the Iceberg table, queries) are
// checked against this file row for row.
//
// CSV, header `window_start_ms,sensor_id,count,sum_temperature,min_temperature,max_temperature`, rows sorted by
// window then sensor number, temperatures with exactly two decimals from integer centi-degree sums (exact).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "floe/base/status.h"
#include "floe/ingest/telemetry_generator.h"

namespace floe::ingest {

class WindowTruth {
 public:
  explicit WindowTruth(int32_t sensors, int64_t window_ms = 10000);

  void Add(const TelemetryEvent& event);

  // Writes the CSV to `path` (through a temporary file renamed into place, so a reader never sees half a file).
  Status WriteCsv(const std::string& path) const;
  // The CSV as a string (tests).
  std::string ToCsv() const;

  int64_t events() const { return events_; }

 private:
  struct Aggregate {
    int64_t count = 0;
    int64_t sum_centi = 0;
    int32_t min_centi = 0;
    int32_t max_centi = 0;
  };
  using Window = std::vector<Aggregate>;  // indexed by sensor

  int32_t sensors_;
  int64_t window_ms_;
  int64_t events_ = 0;
  std::map<int64_t, Window> windows_;  // window start -> per-sensor aggregates
  int64_t last_start_ = INT64_MIN;     // cache: events arrive mostly in window order
  Window* last_window_ = nullptr;
};

}  // namespace floe::ingest
