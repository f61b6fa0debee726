// A blocking raw-socket HTTP exchange for tests: sends bytes exactly as given (so tests can send malformed
// requests) and returns everything the server sent until it closed the connection or `timeout_ms` passed.
#pragma once

#include <cstdint>
#include <string>

namespace floe::testing {

std::string RawHttpExchange(const std::string& host, uint16_t port, const std::string& request, int timeout_ms = 5000);

}  // namespace floe::testing
