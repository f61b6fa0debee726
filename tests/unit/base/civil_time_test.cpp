#include "floe/base/civil_time.h"

#include <gtest/gtest.h>

namespace floe {
namespace {

TEST(CivilTime, FloorDivisionRoundsDown) {
  EXPECT_EQ(FloorDiv(-1, 10), -1);
  EXPECT_EQ(FloorDiv(-10, 10), -1);
  EXPECT_EQ(FloorDiv(9, 10), 0);
  EXPECT_EQ(FloorMod(-1, 10), 9);
  EXPECT_EQ(FloorMod(20, 10), 0);
}

TEST(CivilTime, KnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2017, 11, 16), 17486);
  EXPECT_EQ(DaysFromCivil(2000, 2, 29), 11016);
  EXPECT_EQ(DaysFromCivil(2026, 11, 25), 20782);
  EXPECT_FALSE(DaysFromCivil(2023, 2, 29));
  EXPECT_FALSE(DaysFromCivil(1900, 2, 29));
  EXPECT_FALSE(DaysFromCivil(2024, 13, 1));
  EXPECT_FALSE(DaysFromCivil(2024, 4, 31));
  const CivilDate d = CivilFromDays(-719528);  // 0000-01-01
  EXPECT_EQ(d.year, 0);
  EXPECT_EQ(d.month, 1);
  EXPECT_EQ(d.day, 1);
}

TEST(CivilTime, RoundTripsEveryDayOfFourHundredYearsAroundTheEpoch) {
  for (int64_t days = -80'000; days <= 80'000; ++days) {
    const CivilDate c = CivilFromDays(days);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), days) << days;
  }
}

}  // namespace
}  // namespace floe
