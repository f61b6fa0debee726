#include "floe/io/listen_address.h"

#include <fmt/format.h>

#include <charconv>

namespace floe::io {

std::string ListenAddress::ToString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("listen address '{}': {} (expected HOST:PORT, e.g. 127.0.0.1:9092)", text, why));
  };
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']' after an IPv6 address");
    out.host = std::string(text.substr(1, close - 1));
    if (out.host.empty()) return bad("empty IPv6 address in brackets");
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("missing ':PORT' after ']'");
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("missing ':PORT'");
    out.host = std::string(text.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return bad("an IPv6 address must be written in brackets");
    if (out.host.empty()) out.host = "0.0.0.0";
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty()) return bad("empty port");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc() || end != port_text.data() + port_text.size()) {
    return bad(fmt::format("port '{}' is not a number", port_text));
  }
  if (value > 65535) return bad(fmt::format("port {} is out of range 0-65535", value));
  out.port = static_cast<uint16_t>(value);
  return out;
}

Status ReadListenAddress(const ConfigSection& section, std::string_view key, ListenAddress* out) {
  std::string text;
  FLOE_RETURN_IF_ERROR(section.Read(key, &text));
  if (!section.Has(key)) return Status::Ok();
  auto parsed = ParseListenAddress(text);
  if (!parsed.ok()) return parsed.status().WithContext("config " + section.Where(key));
  *out = *parsed;
  return Status::Ok();
}

}  // namespace floe::io
