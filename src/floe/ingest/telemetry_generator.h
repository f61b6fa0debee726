// The simulated IoT telemetry stream that `floe produce` and ingestion/producer.py both send: N sensors, each with
// its own deterministic (seeded) temperature, humidity, pressure and battery signals, drift, noise, occasional
// spikes and dropouts, plus optional delivery disorder (bounded jitter and a fraction of late events).
//
// The stream is defined bit for bit (docs/ingestion.md, "The simulation") so that the Python producer yields the
// same events for the same options: integer arithmetic only (fixed-point readings, splitmix64 randomness, one draw
// per emitted reading), no floating point except the one documented conversion of --late-fraction.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

namespace floe::ingest {

// One reading in fixed point, exactly as the JSON event carries it (telemetry_json.h):
// temperature = temperature_centi / 100 °C, humidity = humidity_deci / 10 %, pressure = pressure_deci / 10 hPa,
// battery = battery_milli / 1000.
struct TelemetryEvent {
  int32_t sensor = 0;  // 0-based; its id string is FormatSensorId(sensor)
  int64_t ts_ms = 0;   // event time, epoch milliseconds
  int32_t temperature_centi = 0;
  int32_t humidity_deci = 0;
  int32_t pressure_deci = 0;
  int32_t battery_milli = 0;
};

struct TelemetryOptions {
  uint64_t seed = 1;
  int32_t sensors = 1000;
  int64_t start_ms = 0;        // event time of the first tick
  int64_t interval_ms = 1000;  // each sensor reports once per interval of event time (>= 1)
  // Delivery disorder: an event is sent once the stream's event time has passed ts + delay. Normal events get a
  // delay in [0, out_of_order_ms]; a fraction `late_fraction` get a delay in [late_delay_ms, 2 * late_delay_ms].
  int64_t out_of_order_ms = 0;
  double late_fraction = 0;
  int64_t late_delay_ms = 20000;
};

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and trivially identical in Python.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

class TelemetryGenerator {
 public:
  explicit TelemetryGenerator(const TelemetryOptions& options);

  // The next event in send order. The stream never ends; the caller stops after --count or --duration.
  TelemetryEvent Next();

  const TelemetryOptions& options() const { return options_; }

 private:
  struct Sensor {
    SplitMix64 rng{0};
    int32_t base_temperature_centi = 0;
    int32_t amplitude_centi = 0;
    int64_t period_ticks = 1;
    int64_t phase_ticks = 0;
    int32_t base_humidity_deci = 0;
    int32_t base_pressure_deci = 0;
    int64_t battery_micro = 0;
    int32_t drain_micro = 0;
    int32_t drift_centi = 0;
    int32_t dropout_left = 0;
  };
  struct Pending {
    int64_t release_ms;
    uint64_t sequence;
    TelemetryEvent event;
    bool operator>(const Pending& o) const {
      return release_ms != o.release_ms ? release_ms > o.release_ms : sequence > o.sequence;
    }
  };

  // The next reading in event-time order, before any disorder.
  TelemetryEvent NextInTimeOrder();

  TelemetryOptions options_;
  std::vector<Sensor> sensors_;
  int64_t tick_ = 0;
  int32_t next_sensor_ = 0;
  bool disorder_ = false;
  SplitMix64 disorder_rng_{0};
  uint64_t late_threshold_ = 0;  // late when (draw % 1'000'000) < threshold
  uint64_t sequence_ = 0;
  int64_t frontier_ms_ = 0;  // event time of the newest reading generated so far
  std::priority_queue<Pending, std::vector<Pending>, std::greater<Pending>> pending_;
};

}  // namespace floe::ingest
