#include "floe/base/uuid.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace floe {
namespace {

TEST(Uuid, IsVersion4InCanonicalForm) {
  const std::regex form("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    EXPECT_TRUE(std::regex_match(u, form)) << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Uuid, FormatsKnownBytes) {
  UuidBytes b = {0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7};
  EXPECT_EQ(UuidToString(b), "f79c3e09-677c-4bbd-a479-3f349cb785e7");
}

TEST(Uuid, PositiveIdsArePositive) {
  for (int i = 0; i < 1000; ++i) EXPECT_GT(NewPositiveId(), 0);
}

}  // namespace
}  // namespace floe
