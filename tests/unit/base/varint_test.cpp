#include "floe/base/varint.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

namespace floe {
namespace {

std::vector<uint8_t> EncodeUnsigned(uint64_t v) {
  std::vector<uint8_t> out;
  AppendUnsignedVarint(&out, v);
  return out;
}

TEST(VarintTest, ZigZagMapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(ZigZagEncode32(0), 0u);
  EXPECT_EQ(ZigZagEncode32(-1), 1u);
  EXPECT_EQ(ZigZagEncode32(1), 2u);
  EXPECT_EQ(ZigZagEncode32(-2), 3u);
  EXPECT_EQ(ZigZagEncode32(std::numeric_limits<int32_t>::max()), 0xFFFFFFFEu);
  EXPECT_EQ(ZigZagEncode32(std::numeric_limits<int32_t>::min()), 0xFFFFFFFFu);
  EXPECT_EQ(ZigZagEncode64(std::numeric_limits<int64_t>::min()), ~uint64_t{0});
  for (int32_t v :
       {0, 1, -1, 63, -64, 64, 1 << 20, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
    EXPECT_EQ(ZigZagDecode32(ZigZagEncode32(v)), v);
    EXPECT_EQ(ZigZagDecode64(ZigZagEncode64(v)), v);
  }
}

// Values from the protocol guide and Protocol Buffers' documentation of the same encoding.
TEST(VarintTest, EncodesKnownBytes) {
  EXPECT_EQ(EncodeUnsigned(0), (std::vector<uint8_t>{0x00}));
  EXPECT_EQ(EncodeUnsigned(1), (std::vector<uint8_t>{0x01}));
  EXPECT_EQ(EncodeUnsigned(127), (std::vector<uint8_t>{0x7F}));
  EXPECT_EQ(EncodeUnsigned(128), (std::vector<uint8_t>{0x80, 0x01}));
  EXPECT_EQ(EncodeUnsigned(300), (std::vector<uint8_t>{0xAC, 0x02}));
  EXPECT_EQ(EncodeUnsigned(0xFFFFFFFF), (std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
  std::vector<uint8_t> out;
  AppendVarint(&out, -1);  // a null key or value in a Kafka record
  EXPECT_EQ(out, (std::vector<uint8_t>{0x01}));
  out.clear();
  AppendVarlong(&out, -65);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x81, 0x01}));
  EXPECT_EQ(EncodeUnsigned(~uint64_t{0}).size(), kMaxVarint64Bytes);
}

TEST(VarintTest, SizesMatchEncodings) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{16383}, uint64_t{16384}, uint64_t{0xFFFFFFFF},
                     ~uint64_t{0}}) {
    EXPECT_EQ(UnsignedVarintSize(v), EncodeUnsigned(v).size()) << v;
  }
  EXPECT_EQ(VarintSize(-1), 1u);
  EXPECT_EQ(VarintSize(std::numeric_limits<int32_t>::min()), kMaxVarint32Bytes);
  EXPECT_EQ(VarlongSize(std::numeric_limits<int64_t>::min()), kMaxVarint64Bytes);
}

TEST(VarintTest, RoundTripsRandomValuesBackToBack) {
  std::mt19937_64 rng(1);
  std::vector<int32_t> ints;
  std::vector<int64_t> longs;
  std::vector<uint8_t> buf;
  for (int i = 0; i < 5000; ++i) {
    const int bits = static_cast<int>(rng() % 64);
    uint64_t magnitude = rng() >> bits;
    if (rng() & 1) magnitude = ~magnitude + 1;  // negative, without signed overflow
    const int64_t l = static_cast<int64_t>(magnitude);
    const int32_t n = static_cast<int32_t>(l);
    ints.push_back(n);
    longs.push_back(l);
    AppendVarint(&buf, n);
    AppendVarlong(&buf, l);
  }
  size_t pos = 0;
  for (size_t i = 0; i < ints.size(); ++i) {
    int32_t n;
    int64_t l;
    ASSERT_TRUE(DecodeVarint(buf, &pos, &n));
    ASSERT_EQ(n, ints[i]);
    ASSERT_TRUE(DecodeVarlong(buf, &pos, &l));
    ASSERT_EQ(l, longs[i]);
  }
  EXPECT_EQ(pos, buf.size());
}

TEST(VarintTest, TruncatedInputFailsWithoutMoving) {
  const std::vector<uint8_t> full = EncodeUnsigned(uint64_t{1} << 40);
  for (size_t len = 0; len < full.size(); ++len) {
    std::span<const uint8_t> cut(full.data(), len);
    size_t pos = 0;
    uint64_t v = 12345;
    EXPECT_FALSE(DecodeUnsignedVarint64(cut, &pos, &v)) << len;
    EXPECT_EQ(pos, 0u);
    EXPECT_EQ(v, 12345u);
    EXPECT_TRUE(VarintTruncated(cut, 0, kMaxVarint64Bytes)) << len;
  }
  size_t pos = 3;  // past the end
  uint32_t v;
  EXPECT_FALSE(DecodeUnsignedVarint32(std::span<const uint8_t>(full.data(), 2), &pos, &v));
}

TEST(VarintTest, OverlongEncodingsAreRejected) {
  // Six bytes for a 32-bit value.
  const std::vector<uint8_t> six{0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  size_t pos = 0;
  uint32_t v32;
  int32_t s32;
  EXPECT_FALSE(DecodeUnsignedVarint32(six, &pos, &v32));
  EXPECT_FALSE(DecodeVarint(six, &pos, &s32));
  EXPECT_EQ(pos, 0u);
  EXPECT_FALSE(VarintTruncated(six, 0, kMaxVarint32Bytes));
  // Five bytes whose last carries bits above bit 31.
  const std::vector<uint8_t> wide{0xFF, 0xFF, 0xFF, 0xFF, 0x1F};
  EXPECT_FALSE(DecodeUnsignedVarint32(wide, &pos, &v32));
  EXPECT_FALSE(VarintTruncated(wide, 0, kMaxVarint32Bytes));
  // The largest 32-bit value still decodes.
  const std::vector<uint8_t> max32{0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
  ASSERT_TRUE(DecodeUnsignedVarint32(max32, &pos, &v32));
  EXPECT_EQ(v32, 0xFFFFFFFFu);
  // Eleven bytes, or a tenth byte above bit 63, for a 64-bit value.
  std::vector<uint8_t> eleven(10, 0x80);
  eleven.push_back(0x00);
  pos = 0;
  uint64_t v64;
  EXPECT_FALSE(DecodeUnsignedVarint64(eleven, &pos, &v64));
  std::vector<uint8_t> wide64(9, 0xFF);
  wide64.push_back(0x02);
  EXPECT_FALSE(DecodeUnsignedVarint64(wide64, &pos, &v64));
  wide64.back() = 0x01;
  ASSERT_TRUE(DecodeUnsignedVarint64(wide64, &pos, &v64));
  EXPECT_EQ(v64, ~uint64_t{0});
}

TEST(VarintTest, PaddedEncodingsThatFitAreAccepted) {
  // Kafka's readers accept a value padded with continuation bytes; so do we.
  const std::vector<uint8_t> padded_zero{0x80, 0x80, 0x00};
  size_t pos = 0;
  uint32_t v;
  ASSERT_TRUE(DecodeUnsignedVarint32(padded_zero, &pos, &v));
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(pos, 3u);
}

TEST(VarintTest, DecodesAtAnOffset) {
  std::vector<uint8_t> buf{0xAA, 0xBB};
  AppendVarint(&buf, -300);
  size_t pos = 2;
  int32_t v;
  ASSERT_TRUE(DecodeVarint(buf, &pos, &v));
  EXPECT_EQ(v, -300);
  EXPECT_EQ(pos, buf.size());
}

}  // namespace
}  // namespace floe
