#include "floe/io/http_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <set>

#include "floe/base/logging.h"
#include "floe/base/version.h"
#include "floe/io/asio_pch.h"
#include "floe/io/tcp_acceptor.h"

namespace floe::io {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> CheckBearerToken(const HttpRequest& request, std::string_view token) {
  if (token.empty()) return std::nullopt;
  auto it = request.headers.find("authorization");
  if (it == request.headers.end()) return std::string("this catalog requires a bearer token (Authorization header)");
  std::string_view given = it->second;
  constexpr std::string_view kBearer = "Bearer ";
  const bool bearer =
      given.size() >= kBearer.size() && std::equal(kBearer.begin(), kBearer.end(), given.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
      });
  // Constant time in the token's bytes, so that timing does not tell how much of a guess was right.
  std::string_view got = bearer ? given.substr(kBearer.size()) : std::string_view();
  unsigned diff = bearer && got.size() == token.size() ? 0 : 1;
  const size_t n = std::max(got.size(), token.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < got.size() ? static_cast<unsigned char>(got[i]) : 0;
    const unsigned char y = i < token.size() ? static_cast<unsigned char>(token[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  if (diff != 0) return std::string("the bearer token is not valid for this catalog");
  return std::nullopt;
}

Result<std::string> DecodePathSegment(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
    const int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
    if (lo < 0) return Status::InvalidArgument(fmt::format("path segment '{}': malformed percent-escape", s));
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string HttpRequest::QueryParam(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (PercentDecode(key) == name) {
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return {};
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(EventLoop& loop, std::string door, HttpServerOptions options)
      : context(loop.context()), door(std::move(door)), options(options), acceptor(context) {}

  struct Route {
    std::string method;
    std::string path;
    bool prefix;
    HttpHandler handler;
  };

  asio::io_context& context;
  std::string door;
  HttpServerOptions options;
  tcp::acceptor acceptor;
  std::vector<Route> routes;
  std::mutex mu;  // guards connections and stopped
  std::set<std::shared_ptr<beast::tcp_stream>> connections;
  bool stopped = false;

  HttpResponse Dispatch(const HttpRequest& req) {
    bool path_matched = false;
    for (const Route& r : routes) {
      bool match = r.prefix ? req.path.compare(0, r.path.size(), r.path) == 0 : req.path == r.path;
      if (!match) continue;
      path_matched = true;
      if (r.method != req.method) continue;
      try {
        return r.handler(req);
      } catch (const std::exception& e) {
        FLOE_LOG_ERROR("http handler threw", {{"door", door}, {"path", req.path}, {"error", e.what()}});
        return HttpResponse::Text(500, fmt::format("internal error serving {}: {}\n", req.path, e.what()));
      }
    }
    if (path_matched) {
      return HttpResponse::Text(405, fmt::format("method {} not allowed on {}\n", req.method, req.path));
    }
    return HttpResponse::Text(404, fmt::format("no such path: {}\n", req.path));
  }

  asio::awaitable<void> Accept() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        FLOE_LOG_WARN("accept failed", {{"door", door}, {"error", ec.message()}});
        continue;
      }
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      {
        std::lock_guard lock(mu);
        if (stopped) co_return;
        if (connections.size() >= options.max_connections) {
          FLOE_LOG_WARN("connection limit reached, closing new connection",
                        {{"door", door}, {"max_connections", options.max_connections}});
          boost::system::error_code ignored;
          stream->socket().close(ignored);
          continue;
        }
        connections.insert(stream);
      }
      asio::co_spawn(context, Serve(stream), asio::detached);
    }
  }

  asio::awaitable<void> Serve(std::shared_ptr<beast::tcp_stream> stream) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    std::string peer;
    {
      boost::system::error_code ec;
      auto ep = stream->socket().remote_endpoint(ec);
      if (!ec) peer = fmt::format("{}:{}", ep.address().to_string(), ep.port());
    }
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      stream->expires_after(std::chrono::seconds(options.idle_timeout_seconds));
      auto [ec, n] = co_await http::async_read(*stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted && ec != beast::error::timeout &&
            ec != asio::error::connection_reset && ec != asio::error::eof) {
          // Malformed request: tell the client why, then close only this connection.
          int status = ec == http::error::body_limit ? 413 : 400;
          FLOE_LOG_WARN("bad http request", {{"door", door}, {"peer", peer}, {"error", ec.message()}});
          http::response<http::string_body> res{static_cast<http::status>(status), 11};
          res.set(http::field::content_type, "text/plain; charset=utf-8");
          res.set(http::field::connection, "close");
          res.body() = fmt::format("bad request: {}\n", ec.message());
          res.prepare_payload();
          co_await http::async_write(*stream, res, asio::as_tuple(asio::use_awaitable));
        }
        break;
      }
      const auto& msg = parser.get();
      HttpRequest req;
      req.method = std::string(msg.method_string());
      req.target = std::string(msg.target());
      size_t qm = req.target.find('?');
      req.path = req.target.substr(0, qm);
      if (qm != std::string::npos) req.query = req.target.substr(qm + 1);
      for (const auto& field : msg) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        req.headers.emplace(std::move(name), std::string(field.value()));
      }
      req.body = msg.body();
      HttpResponse out = Dispatch(req);
      bool head = req.method == "HEAD";

      http::response<http::string_body> res{static_cast<http::status>(out.status), msg.version()};
      res.set(http::field::server, fmt::format("floe/{}", Version()));
      res.set(http::field::content_type, out.content_type);
      for (const auto& [k, v] : out.headers) res.set(k, v);
      res.keep_alive(msg.keep_alive());
      res.body() = std::move(out.body);
      res.prepare_payload();
      if (head) res.body().clear();
      FLOE_LOG_DEBUG("http", {{"door", door}, {"method", req.method}, {"path", req.path}, {"status", out.status}});
      auto [wec, wn] = co_await http::async_write(*stream, res, asio::as_tuple(asio::use_awaitable));
      if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->socket().close(ignored);
    std::lock_guard lock(mu);
    connections.erase(stream);
  }
};

HttpServer::HttpServer(EventLoop& loop, std::string door, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(loop, std::move(door), options)) {}

HttpServer::~HttpServer() {
  Stop();
}

void HttpServer::Route(std::string method, std::string path, HttpHandler handler) {
  bool prefix = path.size() >= 2 && path.compare(path.size() - 2, 2, "/*") == 0;
  if (prefix) path.resize(path.size() - 1);  // keep the trailing '/'
  impl_->routes.push_back({std::move(method), std::move(path), prefix, std::move(handler)});
}

Result<ListenAddress> HttpServer::Listen(const ListenAddress& address) {
  FLOE_ASSIGN_OR_RETURN(ListenAddress out, OpenAcceptor(impl_->acceptor, address, impl_->door));
  asio::co_spawn(impl_->context, impl_->Accept(), asio::detached);
  return out;
}

void HttpServer::Stop() {
  auto impl = impl_;
  std::set<std::shared_ptr<beast::tcp_stream>> open;
  {
    std::lock_guard lock(impl->mu);
    if (impl->stopped) return;
    impl->stopped = true;
    open.swap(impl->connections);
  }
  auto close_all = [impl, open = std::move(open)] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    for (const auto& s : open) s->socket().close(ignored);
  };
  // Socket operations must run on the loop; post them so Stop() is safe from any thread. A loop that has already
  // stopped runs nothing more, so then close here.
  if (impl->context.stopped()) {
    close_all();
  } else {
    asio::post(impl->context, std::move(close_all));
  }
}

}  // namespace floe::io
