// A small blocking HTTP/1.1 client over libcurl, for talking to REST services (an Iceberg REST catalog). One
// HttpClient keeps one connection alive between calls; it is not thread-safe (use one per thread).
//
// Network failures (refused, reset, timed out, name not resolved) are Unavailable naming the URL and libcurl's
// reason; an HTTP error status is not an error here: the caller reads `status` and the body.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "floe/base/status.h"

namespace floe::io {

struct HttpClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the last value of a repeated header
  std::string body;
};

struct HttpClientOptions {
  int connect_timeout_ms = 10'000;
  int request_timeout_ms = 60'000;
  std::string ca_bundle;  // a PEM file of CA certificates for https; empty: the system's
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `method` ("GET", "POST", "DELETE", "HEAD", ...) to `url` with `headers` ("Name: value" pairs) and `body`
  // (sent when non-empty, or always for POST/PUT).
  Result<HttpClientResponse> Send(const std::string& method, const std::string& url,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  const std::string& body = "");

  // Percent-encodes `s` for a URL path segment or query value (RFC 3986 unreserved characters kept).
  static std::string Escape(std::string_view s);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::io
