// Logging: spdlog underneath, one line per event on stderr, with structured key=value context.
//
//   FLOE_LOG_INFO("segment rolled", {{"topic", topic}, {"partition", p}, {"base_offset", off}});
// prints
//   2026-11-25T18:00:00.123Z INFO  segment rolled topic=telemetry partition=2 base_offset=1200
//
// stdout is reserved for machine-readable output (`listening <door> HOST:PORT`, `ready`, query results), so logs
// never go there.
#pragma once

#include <fmt/format.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "floe/base/status.h"

namespace floe::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// "trace", "debug", "info", "warn", "error", "off"; anything else is InvalidArgument naming the accepted values.
Result<Level> ParseLevel(std::string_view name);
std::string_view LevelName(Level level);

enum class Format { kText, kJson };
Result<Format> ParseFormat(std::string_view name);

// Configures the process-wide logger. Safe to call more than once (the last call wins).
void Init(Level level, Format format = Format::kText);
Level CurrentLevel();
bool Enabled(Level level);

// One key=value pair of context. The value is formatted once, when the line is logged.
struct Field {
  template <typename T>
  Field(std::string_view k, const T& v) : key(k), value(fmt::format("{}", v)) {}
  std::string_view key;
  std::string value;
};
using Fields = std::initializer_list<Field>;

void Write(Level level, std::string_view message, Fields fields = {});

// Text form of the fields: ` k1=v1 k2="v 2"` (values with spaces, quotes or '=' are quoted). Exposed for tests.
std::string FormatFieldsText(Fields fields);
// JSON form of one whole line: {"level":"info","msg":"...","k1":"v1"}. Exposed for tests.
std::string FormatJsonLine(Level level, std::string_view message, Fields fields);

}  // namespace floe::log

#define FLOE_LOG_AT(level, ...)                                              \
  do {                                                                       \
    if (::floe::log::Enabled(level)) ::floe::log::Write(level, __VA_ARGS__); \
  } while (0)
#define FLOE_LOG_DEBUG(...) FLOE_LOG_AT(::floe::log::Level::kDebug, __VA_ARGS__)
#define FLOE_LOG_INFO(...) FLOE_LOG_AT(::floe::log::Level::kInfo, __VA_ARGS__)
#define FLOE_LOG_WARN(...) FLOE_LOG_AT(::floe::log::Level::kWarn, __VA_ARGS__)
#define FLOE_LOG_ERROR(...) FLOE_LOG_AT(::floe::log::Level::kError, __VA_ARGS__)
