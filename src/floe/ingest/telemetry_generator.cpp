#include "floe/ingest/telemetry_generator.h"

#include <algorithm>

namespace floe::ingest {

TelemetryGenerator::TelemetryGenerator(const TelemetryOptions& options) : options_(options) {
  options_.sensors = std::max<int32_t>(options_.sensors, 1);
  options_.interval_ms = std::max<int64_t>(options_.interval_ms, 1);
  sensors_.resize(static_cast<size_t>(options_.sensors));
  for (int32_t s = 0; s < options_.sensors; ++s) {
    Sensor& sensor = sensors_[static_cast<size_t>(s)];
    sensor.rng = SplitMix64(options_.seed ^ (static_cast<uint64_t>(s + 1) * 0xD1B54A32D192ED03ULL));
    const uint64_t r1 = sensor.rng.Next();
    sensor.base_temperature_centi = static_cast<int32_t>(1500 + r1 % 1500);
    sensor.amplitude_centi = static_cast<int32_t>(100 + (r1 >> 16) % 400);
    sensor.period_ticks = static_cast<int64_t>(600 + (r1 >> 32) % 3000);
    sensor.phase_ticks = static_cast<int64_t>((r1 >> 48) % static_cast<uint64_t>(sensor.period_ticks));
    const uint64_t r2 = sensor.rng.Next();
    sensor.base_humidity_deci = static_cast<int32_t>(300 + r2 % 400);
    sensor.base_pressure_deci = static_cast<int32_t>(9900 + (r2 >> 16) % 400);
    sensor.battery_micro = static_cast<int64_t>(600000 + (r2 >> 32) % 400000);
    sensor.drain_micro = static_cast<int32_t>(1 + (r2 >> 52) % 4);
  }
  disorder_ = options_.out_of_order_ms > 0 || options_.late_fraction > 0;
  disorder_rng_ = SplitMix64(options_.seed ^ 0x6A09E667F3BCC909ULL);
  late_threshold_ = static_cast<uint64_t>(std::clamp(options_.late_fraction, 0.0, 1.0) * 1e6 + 0.5);
}

TelemetryEvent TelemetryGenerator::NextInTimeOrder() {
  for (;;) {
    const int32_t s = next_sensor_;
    const int64_t tick = tick_;
    if (++next_sensor_ == options_.sensors) {
      next_sensor_ = 0;
      ++tick_;
    }
    Sensor& sensor = sensors_[static_cast<size_t>(s)];
    if (sensor.dropout_left > 0) {
      --sensor.dropout_left;
      continue;
    }
    const uint64_t b = sensor.rng.Next();
    if (b % 5000 == 0) {  // dropout: silent for this tick and 4..60 more
      sensor.dropout_left = static_cast<int32_t>(4 + (b >> 13) % 57);
      continue;
    }
    sensor.drift_centi = std::clamp<int32_t>(sensor.drift_centi + static_cast<int32_t>((b >> 16) % 5) - 2, -500, 500);
    // A triangle wave stands in for the daily cycle: tri runs 0..half and back.
    const int64_t pos = (tick + sensor.phase_ticks) % sensor.period_ticks;
    const int64_t half = sensor.period_ticks / 2;
    const int64_t tri = pos < half ? pos : sensor.period_ticks - pos;
    const int64_t wave = (2 * sensor.amplitude_centi * tri) / half - sensor.amplitude_centi;
    const int64_t noise = static_cast<int64_t>((b >> 24) % 41) - 20;
    int64_t spike = 0;
    if ((b >> 32) % 1000 == 0) {
      spike = static_cast<int64_t>(500 + (b >> 42) % 1500);
      if (b >> 63) spike = -spike;
    }
    // Humidity falls as the cycle warms.
    const int64_t humidity_wave = (60 * (half + 1 - tri)) / (half + 1);
    const int64_t humidity = sensor.base_humidity_deci - 30 + humidity_wave + static_cast<int64_t>((b >> 40) % 21) - 10;
    sensor.battery_micro = std::max<int64_t>(sensor.battery_micro - sensor.drain_micro, 0);

    TelemetryEvent e;
    e.sensor = s;
    e.ts_ms = options_.start_ms + tick * options_.interval_ms + (s * options_.interval_ms) / options_.sensors;
    e.temperature_centi =
        static_cast<int32_t>(sensor.base_temperature_centi + wave + sensor.drift_centi + noise + spike);
    e.humidity_deci = static_cast<int32_t>(std::clamp<int64_t>(humidity, 0, 1000));
    e.pressure_deci = static_cast<int32_t>(sensor.base_pressure_deci + static_cast<int64_t>((b >> 48) % 11) - 5);
    e.battery_milli = static_cast<int32_t>(sensor.battery_micro / 1000);
    return e;
  }
}

TelemetryEvent TelemetryGenerator::Next() {
  if (!disorder_) return NextInTimeOrder();
  for (;;) {
    if (!pending_.empty() && pending_.top().release_ms <= frontier_ms_) {
      TelemetryEvent e = pending_.top().event;
      pending_.pop();
      return e;
    }
    const TelemetryEvent e = NextInTimeOrder();
    frontier_ms_ = e.ts_ms;
    const uint64_t d = disorder_rng_.Next();
    const bool late = d % 1000000 < late_threshold_;
    int64_t delay = 0;
    if (late) {
      delay =
          options_.late_delay_ms + static_cast<int64_t>((d >> 20) % static_cast<uint64_t>(options_.late_delay_ms + 1));
    } else if (options_.out_of_order_ms > 0) {
      delay = static_cast<int64_t>((d >> 20) % static_cast<uint64_t>(options_.out_of_order_ms + 1));
    }
    pending_.push(Pending{e.ts_ms + delay, sequence_++, e});
  }
}

}  // namespace floe::ingest
