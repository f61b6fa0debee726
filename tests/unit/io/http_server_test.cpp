#include "floe/io/http_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "http_client_for_tests.h"

namespace floe::io {
namespace {

// Runs an HttpServer on its own loop thread for the life of the fixture.
class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options = {}) {
    server_ = std::make_unique<HttpServer>(loop_, "test", options);
    server_->Route("GET", "/hello",
                   [](const HttpRequest& r) { return HttpResponse::Text(200, "hello " + r.QueryParam("name")); });
    server_->Route("POST", "/echo", [](const HttpRequest& r) { return HttpResponse::Json(201, r.body); });
    server_->Route("GET", "/tree/*", [](const HttpRequest& r) { return HttpResponse::Text(200, r.path); });
    server_->Route("GET", "/throws", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
    auto bound = server_->Listen({"127.0.0.1", 0});
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    port_ = bound->port;
    ASSERT_NE(port_, 0);
    thread_ = std::thread([this] { loop_.Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    loop_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string Exchange(const std::string& request) { return testing::RawHttpExchange("127.0.0.1", port_, request); }

  EventLoop loop_{1};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTest, ServesARouteWithDecodedQuery) {
  Start();
  std::string res = Exchange("GET /hello?name=a%20b&x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(res.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << res;
  EXPECT_NE(res.find("\r\n\r\nhello a b"), std::string::npos) << res;
}

TEST_F(HttpServerTest, PostBodyRoundTrips) {
  Start();
  std::string res =
      Exchange("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{\"a\":1}");
  EXPECT_EQ(res.rfind("HTTP/1.1 201", 0), 0u) << res;
  EXPECT_NE(res.find("Content-Type: application/json"), std::string::npos) << res;
  EXPECT_NE(res.find("\r\n\r\n{\"a\":1}"), std::string::npos) << res;
}

TEST_F(HttpServerTest, PrefixRoutesAndNotFoundAndWrongMethod) {
  Start();
  EXPECT_NE(Exchange("GET /tree/a/b HTTP/1.1\r\nConnection: close\r\n\r\n").find("\r\n\r\n/tree/a/b"),
            std::string::npos);
  EXPECT_EQ(Exchange("GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(Exchange("DELETE /hello HTTP/1.1\r\nConnection: close\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  std::string res = Exchange(
      "GET /hello?name=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /hello?name=2 HTTP/1.1\r\nHost: x\r\nConnection: "
      "close\r\n\r\n");
  EXPECT_NE(res.find("hello 1"), std::string::npos) << res;
  EXPECT_NE(res.find("hello 2"), std::string::npos) << res;
}

TEST_F(HttpServerTest, MalformedRequestGets400AndServerKeepsServing) {
  Start();
  std::string bad = Exchange("GARBAGE\x01\x02 nonsense\r\n\r\n");
  EXPECT_EQ(bad.rfind("HTTP/1.1 400", 0), 0u) << bad;
  std::string good = Exchange("GET /hello?name=ok HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_NE(good.find("hello ok"), std::string::npos) << good;
}

TEST_F(HttpServerTest, OversizedBodyGets413) {
  HttpServerOptions options;
  options.max_body_bytes = 10;
  Start(options);
  // Only the header: the limit applies as soon as Content-Length is known, before any body byte is read.
  std::string res = Exchange("POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n");
  EXPECT_EQ(res.rfind("HTTP/1.1 413", 0), 0u) << res;
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndServerSurvives) {
  Start();
  std::string res = Exchange("GET /throws HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(res.rfind("HTTP/1.1 500", 0), 0u) << res;
  EXPECT_NE(res.find("boom"), std::string::npos);
  EXPECT_NE(Exchange("GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n").find("200 OK"), std::string::npos);
}

TEST(HttpServerListenTest, BusyPortIsAnErrorNamingTheAddress) {
  EventLoop loop(1);
  HttpServer a(loop, "a"), b(loop, "b");
  auto first = a.Listen({"127.0.0.1", 0});
  ASSERT_TRUE(first.ok());
  auto second = b.Listen(*first);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("b door: cannot listen on 127.0.0.1:" + std::to_string(first->port)),
            std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace floe::io

TEST(DecodePathSegmentTest, DecodesEscapesAndRefusesMalformedOnes) {
  EXPECT_EQ(*floe::io::DecodePathSegment("a%20b%2Fc+d"), "a b/c+d");
  EXPECT_EQ(*floe::io::DecodePathSegment("%e2%82%AC"), "\xe2\x82\xac");
  EXPECT_EQ(*floe::io::DecodePathSegment(""), "");
  for (const char* bad : {"%", "%4", "a%zz", "%g1"}) {
    auto r = floe::io::DecodePathSegment(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), std::string("path segment '") + bad + "': malformed percent-escape");
  }
}
