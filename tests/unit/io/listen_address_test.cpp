#include "floe/io/listen_address.h"

#include <gtest/gtest.h>

namespace floe::io {
namespace {

TEST(ListenAddressTest, ParsesHostAndPort) {
  EXPECT_EQ(*ParseListenAddress("127.0.0.1:9092"), (ListenAddress{"127.0.0.1", 9092}));
  EXPECT_EQ(*ParseListenAddress("localhost:0"), (ListenAddress{"localhost", 0}));
  EXPECT_EQ(*ParseListenAddress(":8088"), (ListenAddress{"0.0.0.0", 8088}));
  EXPECT_EQ(*ParseListenAddress("[::1]:19120"), (ListenAddress{"::1", 19120}));
}

TEST(ListenAddressTest, PrintsIpv6InBrackets) {
  EXPECT_EQ((ListenAddress{"::1", 5433}).ToString(), "[::1]:5433");
  EXPECT_EQ((ListenAddress{"127.0.0.1", 5433}).ToString(), "127.0.0.1:5433");
}

void ExpectError(std::string_view text, std::string_view why) {
  auto r = ParseListenAddress(text);
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(std::string(text)), std::string::npos) << r.status().message();
}

TEST(ListenAddressTest, RejectsMalformedAddressesSayingWhy) {
  ExpectError("localhost", "missing ':PORT'");
  ExpectError("localhost:", "empty port");
  ExpectError("localhost:http", "port 'http' is not a number");
  ExpectError("localhost:70000", "out of range");
  ExpectError("localhost:-1", "not a number");
  ExpectError("::1:80", "must be written in brackets");
  ExpectError("[::1:80", "missing ']'");
  ExpectError("[::1]80", "missing ':PORT' after ']'");
}

}  // namespace
}  // namespace floe::io
