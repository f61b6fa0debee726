#include "floe/base/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

namespace floe::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<Format> g_format{Format::kText};

spdlog::level::level_enum ToSpd(Level level) {
  switch (level) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return true;
  }
  return false;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::shared_ptr<spdlog::logger> MakeLogger() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("floe", sink);
  logger->flush_on(spdlog::level::trace);
  return logger;
}

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = MakeLogger();
  return *logger;
}

}  // namespace

Result<Level> ParseLevel(std::string_view name) {
  if (name == "trace") return Level::kTrace;
  if (name == "debug") return Level::kDebug;
  if (name == "info") return Level::kInfo;
  if (name == "warn" || name == "warning") return Level::kWarn;
  if (name == "error") return Level::kError;
  if (name == "off") return Level::kOff;
  return Status::InvalidArgument(
      fmt::format("unknown log level '{}' (expected trace, debug, info, warn, error or off)", name));
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kOff: return "off";
  }
  return "info";
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return Status::InvalidArgument(fmt::format("unknown log format '{}' (expected text or json)", name));
}

void Init(Level level, Format format) {
  g_level = level;
  g_format = format;
  auto& logger = Logger();
  logger.set_level(ToSpd(level));
  if (format == Format::kJson) {
    logger.set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ",%v})", spdlog::pattern_time_type::utc);
  } else {
    logger.set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5!l %v", spdlog::pattern_time_type::utc);
  }
}

Level CurrentLevel() {
  return g_level;
}
bool Enabled(Level level) {
  return level >= g_level.load(std::memory_order_relaxed) && level != Level::kOff;
}

std::string FormatFieldsText(Fields fields) {
  std::string out;
  for (const Field& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    if (NeedsQuotes(f.value)) {
      AppendJsonString(out, f.value);
    } else {
      out += f.value;
    }
  }
  return out;
}

std::string FormatJsonLine(Level level, std::string_view message, Fields fields) {
  std::string out = "\"level\":";
  AppendJsonString(out, LevelName(level));
  out += ",\"msg\":";
  AppendJsonString(out, message);
  for (const Field& f : fields) {
    out += ',';
    AppendJsonString(out, f.key);
    out += ':';
    AppendJsonString(out, f.value);
  }
  return out;
}

void Write(Level level, std::string_view message, Fields fields) {
  if (!Enabled(level)) return;
  auto& logger = Logger();
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) {
    logger.log(ToSpd(level), "{}", FormatJsonLine(level, message, fields));
  } else {
    logger.log(ToSpd(level), "{}{}", message, FormatFieldsText(fields));
  }
}

}  // namespace floe::log
