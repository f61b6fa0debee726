#include "floe/kafka/request_header.h"

#include <gtest/gtest.h>

namespace floe::kafka {
namespace {

TEST(RequestHeaderTest, RoundTripsV1AndV2) {
  for (int16_t version : {int16_t{1}, int16_t{9}}) {  // Metadata v1 (header v1), v9 (flexible: header v2)
    RequestHeader h;
    h.api_key = 3;
    h.api_version = version;
    h.correlation_id = 42;
    h.client_id = "rdkafka";
    ByteWriter w;
    WriteRequestHeader(w, h);
    w.WriteBytes(std::string_view("body"));
    ByteReader r(w.buffer());
    auto back = ReadRequestHeader(r);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->correlation_id, 42);
    EXPECT_EQ(back->client_id, "rdkafka");
    EXPECT_TRUE(back->version_supported);
    EXPECT_EQ(r.remaining(), 4u);
  }
}

TEST(RequestHeaderTest, UnknownApiAndUnsupportedVersionKeepTheCorrelationId) {
  std::vector<uint8_t> bytes = {0x03, 0xe7, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07};  // api 999 v1, correlation 7
  ByteReader r(bytes);
  auto h = ReadRequestHeader(r);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->api, nullptr);
  EXPECT_FALSE(h->version_supported);
  EXPECT_EQ(h->correlation_id, 7);

  std::vector<uint8_t> produce_v0 = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08};
  ByteReader r2(produce_v0);
  auto h2 = ReadRequestHeader(r2);
  ASSERT_TRUE(h2.ok());
  EXPECT_NE(h2->api, nullptr);
  EXPECT_FALSE(h2->version_supported);
}

TEST(RequestHeaderTest, ShortFrameIsAnError) {
  std::vector<uint8_t> bytes = {0x00, 0x12, 0x00};
  ByteReader r(bytes);
  auto h = ReadRequestHeader(r);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("truncated"), std::string::npos);
}

TEST(RequestHeaderTest, ApiVersionsResponseHeaderIsAlwaysV0) {
  ByteWriter w;
  WriteResponseHeader(w, 5, 18, 3);
  EXPECT_EQ(w.size(), 4u);
  ByteWriter w2;
  WriteResponseHeader(w2, 5, 3, 9);  // Metadata v9: flexible, header v1
  EXPECT_EQ(w2.size(), 5u);
}

}  // namespace
}  // namespace floe::kafka
