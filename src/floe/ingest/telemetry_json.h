// The telemetry event as JSON, one object per Kafka record (ARCHITECTURE.md, "Events"), byte for byte what the
// Python producer's msgspec encoder writes for the same reading:
//   {"sensor_id":"s-00042","ts":1732480000123,"temperature":21.53,"humidity":45.2,"pressure":1013.2,"battery":0.87}
// Numbers are the shortest decimal that reads back as the same double (Python's repr): 21.5 not 21.50, 21.0 not
// 21. Formatting writes into the caller's buffer and never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "floe/base/status.h"
#include "floe/ingest/telemetry_generator.h"

namespace floe::ingest {

// Longest possible event: every number at its widest.
inline constexpr size_t kMaxEventJsonBytes = 192;
inline constexpr size_t kMaxSensorIdBytes = 16;

// "s-" and the 0-based sensor number, zero-padded to at least 5 digits: s-00000, s-00042, s-123456.
size_t FormatSensorId(int32_t sensor, char* out);

// `value / 10^decimals` as Python's repr of that double writes it (decimals 1..3, |value| < 10^15).
size_t FormatFixedShortest(int64_t value, int decimals, char* out);

// `value / 10^decimals` with exactly `decimals` digits after the point: 1234.50 (the truth file's format).
size_t FormatFixed(int64_t value, int decimals, char* out);

// Writes the event's JSON into `out` (at least kMaxEventJsonBytes); returns its length.
size_t FormatEventJson(const TelemetryEvent& event, char* out);
// The same with the sensor's id already formatted (FormatSensorId of event.sensor), as a producer keeps them.
size_t FormatEventJson(const TelemetryEvent& event, std::string_view sensor_id, char* out);

// Reads back an event that FormatEventJson (or msgspec) wrote: the six fields in that order, no spaces. Anything
// else is an error saying which field and at which byte.
Result<TelemetryEvent> ParseEventJson(std::string_view json);

// The sensor number of an id FormatSensorId wrote ("s-00042" -> 42), or an error.
Result<int32_t> ParseSensorId(std::string_view id);

}  // namespace floe::ingest
