// A server door's address as users write it: `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces).
// Port 0 asks the OS for a free port; the server then reports the one it got.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "floe/base/config.h"
#include "floe/base/status.h"

namespace floe::io {

struct ListenAddress {
  std::string host;  // "0.0.0.0", "127.0.0.1", "::1", "localhost"
  uint16_t port = 0;

  // "127.0.0.1:9092", "[::1]:9092". Used for the `listening <door> HOST:PORT` lines.
  std::string ToString() const;
  bool operator==(const ListenAddress&) const = default;
};

// Errors say what was wrong with `text`: missing port, port not a number, port out of range, empty host in brackets.
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Reads a listen address from `key` of a config section, keeping *out when absent; errors name the file, line, key.
Status ReadListenAddress(const ConfigSection& section, std::string_view key, ListenAddress* out);

}  // namespace floe::io
