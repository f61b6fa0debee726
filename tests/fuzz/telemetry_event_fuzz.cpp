// libFuzzer target: ParseEventJson over arbitrary bytes (`floe produce --verify` parses whatever a topic holds).
// Oracle: anything it accepts formats back to JSON that parses to the same event.
//
// Built and run by scripts/fuzz.sh; seeds in tests/fuzz/corpus/telemetry_event/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "floe/ingest/telemetry_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace floe::ingest;
  auto event = ParseEventJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!event.ok()) {
    if (event.status().message().empty()) std::abort();
    return 0;
  }
  char buf[kMaxEventJsonBytes];
  auto again = ParseEventJson(std::string_view(buf, FormatEventJson(*event, buf)));
  if (!again.ok() || again->sensor != event->sensor || again->ts_ms != event->ts_ms ||
      again->temperature_centi != event->temperature_centi || again->humidity_deci != event->humidity_deci ||
      again->pressure_deci != event->pressure_deci || again->battery_milli != event->battery_milli) {
    std::abort();
  }
  return 0;
}
