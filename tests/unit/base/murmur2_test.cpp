#include "floe/base/murmur2.h"

#include <gtest/gtest.h>

namespace floe {
namespace {

// Reference values from the Java client's own unit test of Utils.murmur2 (kafka-clients UtilsTest). The interop test
// tests/interop/test_partitioner.py checks many more keys against the Java client itself.
TEST(Murmur2Test, MatchesJavaClientReferenceValues) {
  EXPECT_EQ(Murmur2("21"), -973932308);
  EXPECT_EQ(Murmur2("foobar"), -790332482);
  EXPECT_EQ(Murmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(Murmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(Murmur2("abc"), 479470107);
}

TEST(Murmur2Test, EmptyKeyHashesLikeJava) {
  // Java: murmur2(new byte[0]) == 275646681.
  EXPECT_EQ(Murmur2(""), 275646681);
}

TEST(Murmur2Test, PartitionIsNonNegativeAndInRange) {
  for (int i = 0; i < 10000; ++i) {
    std::string key = "s-" + std::to_string(i);
    int32_t p = PartitionForKey(key, 3);
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 3);
  }
}

TEST(Murmur2Test, NegativeHashUsesSignBitMaskNotAbs) {
  // toPositive(h) = h & 0x7fffffff, which differs from abs(h) for negative h.
  int32_t h = Murmur2("21");
  ASSERT_LT(h, 0);
  EXPECT_EQ(PartitionForKey("21", 1000), static_cast<int32_t>((static_cast<uint32_t>(h) & 0x7fffffffu) % 1000));
}

}  // namespace
}  // namespace floe
