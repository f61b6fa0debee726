#include "floe/base/crc32c.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace floe {
namespace {

std::span<const uint8_t> Bytes(const std::vector<uint8_t>& v) {
  return {v.data(), v.size()};
}

TEST(Crc32cTest, CheckValueOf123456789) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  std::vector<uint8_t> digits{'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(Crc32cSoftware(Bytes(digits)), 0xE3069283u);
}

TEST(Crc32cTest, EmptyInputIsZero) {
  EXPECT_EQ(Crc32c(std::span<const uint8_t>()), 0u);
  EXPECT_EQ(Crc32cSoftware(std::span<const uint8_t>()), 0u);
  EXPECT_EQ(Crc32cExtend(0x12345678, std::span<const uint8_t>()), 0x12345678u);
}

// RFC 3720 (iSCSI) appendix B.4 "CRC Examples".
TEST(Crc32cTest, MatchesRfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0x00);
  std::vector<uint8_t> ones(32, 0xFF);
  std::vector<uint8_t> ascending(32);
  std::iota(ascending.begin(), ascending.end(), 0);
  std::vector<uint8_t> descending(32);
  for (int i = 0; i < 32; ++i) descending[i] = static_cast<uint8_t>(31 - i);
  using CrcFn = uint32_t (*)(std::span<const uint8_t>);
  for (CrcFn crc : {static_cast<CrcFn>(&Crc32c), static_cast<CrcFn>(&Crc32cSoftware)}) {
    EXPECT_EQ(crc(Bytes(zeros)), 0x8A9136AAu);
    EXPECT_EQ(crc(Bytes(ones)), 0x62A8AB43u);
    EXPECT_EQ(crc(Bytes(ascending)), 0x46DD794Eu);
    EXPECT_EQ(crc(Bytes(descending)), 0x113FDB5Cu);
  }
}

TEST(Crc32cTest, ExtendOverRandomSplitsEqualsOneShot) {
  std::mt19937 rng(42);
  std::vector<uint8_t> data(4096);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  const uint32_t whole = Crc32c(Bytes(data));
  EXPECT_EQ(Crc32cSoftware(Bytes(data)), whole);
  for (int trial = 0; trial < 200; ++trial) {
    uint32_t crc = 0;
    uint32_t soft = 0;
    size_t pos = 0;
    while (pos < data.size()) {
      size_t n = std::min<size_t>(rng() % 67, data.size() - pos);  // includes empty pieces
      auto piece = Bytes(data).subspan(pos, n);
      crc = Crc32cExtend(crc, piece);
      soft = Crc32cExtendSoftware(soft, piece);
      pos += n;
    }
    ASSERT_EQ(crc, whole) << "trial " << trial;
    ASSERT_EQ(soft, whole) << "trial " << trial;
  }
}

TEST(Crc32cTest, HardwareEqualsSoftwareAtAllLengthsAndAlignments) {
  if (!Crc32cHardwareAvailable()) GTEST_SKIP() << "this CPU has no SSE4.2 crc32 instruction";
  std::mt19937 rng(7);
  std::vector<uint8_t> buffer(1000 + 16);
  for (auto& b : buffer) b = static_cast<uint8_t>(rng());
  for (size_t align = 0; align < 16; ++align) {
    for (size_t len = 0; len <= 1000; ++len) {
      auto data = Bytes(buffer).subspan(align, len);
      const uint32_t seed = static_cast<uint32_t>(len * 2654435761u);
      ASSERT_EQ(Crc32cExtendHardware(0, data), Crc32cExtendSoftware(0, data)) << "align " << align << " len " << len;
      ASSERT_EQ(Crc32cExtendHardware(seed, data), Crc32cExtendSoftware(seed, data))
          << "align " << align << " len " << len;
    }
  }
}

TEST(Crc32cTest, DetectsEverySingleBitFlip) {
  std::vector<uint8_t> data(64, 0x5A);
  const uint32_t good = Crc32c(Bytes(data));
  for (size_t i = 0; i < data.size() * 8; ++i) {
    data[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
    EXPECT_NE(Crc32c(Bytes(data)), good) << "bit " << i;
    data[i / 8] ^= static_cast<uint8_t>(1u << (i % 8));
  }
}

}  // namespace
}  // namespace floe
