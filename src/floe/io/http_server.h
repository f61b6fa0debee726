// A small HTTP/1.1 server on the event loop (Beast underneath), shared by every HTTP door: the dashboard and health
// endpoints now, the Iceberg REST catalog and the Trino protocol later.
//
// Handlers are plain functions from request to response, registered per method and path. A request that cannot be
// parsed gets 400 and its connection is closed; every other connection keeps being served.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "floe/base/status.h"
#include "floe/io/event_loop.h"
#include "floe/io/listen_address.h"

namespace floe::io {

struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as sent: "/v1/namespaces?parent=a"
  std::string path;                            // "/v1/namespaces"
  std::string query;                           // "parent=a" (undecoded)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The first value of `name` in the query string, percent-decoded; empty if absent.
  std::string QueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// RFC 3986 percent-decoding of one path segment ('+' stays '+', unlike in a query string). InvalidArgument
// "path segment '<s>': malformed percent-escape" for a '%' not followed by two hex digits.
Result<std::string> DecodePathSegment(std::string_view segment);

// Bearer-token auth for a door that requires `token` (empty: none required). Nullopt when the request may pass;
// otherwise why not: "this catalog requires a bearer token (Authorization header)" when the header is missing,
// "the bearer token is not valid for this catalog" when it is wrong. The scheme is matched case-insensitively and
// the token compared in constant time. The caller answers 401 in its own error model.
std::optional<std::string> CheckBearerToken(const HttpRequest& request, std::string_view token);

struct HttpServerOptions {
  size_t max_body_bytes = 16 << 20;  // larger bodies get 413
  size_t max_connections = 1024;     // beyond this, new connections are closed at once
  int idle_timeout_seconds = 60;     // a keep-alive connection with no request for this long is closed
};

class HttpServer {
 public:
  // `door` names the server in logs ("http", "catalog", "trino").
  HttpServer(EventLoop& loop, std::string door, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serves `method` on exactly `path`, or on every path under it when `path` ends with "/*". Register before Listen.
  void Route(std::string method, std::string path, HttpHandler handler);

  // Binds and starts accepting. Returns the bound address (the real port when the requested one was 0).
  Result<ListenAddress> Listen(const ListenAddress& address);

  // Stops accepting and closes every connection. Idempotent; safe from any loop thread.
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace floe::io
