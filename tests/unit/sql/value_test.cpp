#include "floe/sql/value.h"

#include <gtest/gtest.h>

namespace floe::sql {
namespace {

TEST(ValueTest, CalendarRoundTripsAcrossEras) {
  for (int64_t days : {-719528, -1, 0, 1, 10957, 20052, 2932896}) {  // 0000-01-01 .. 9999-12-31
    int64_t y;
    int m, d;
    CivilFromDays(days, &y, &m, &d);
    EXPECT_EQ(DaysFromCivil(y, m, d), days);
  }
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(FormatDate(DaysFromCivil(2024, 2, 29)), "2024-02-29");
}

TEST(ValueTest, ParsesAndFormatsDatesTimesAndTimestamps) {
  auto days = ParseDateText("2024-11-25");
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(FormatDate(*days), "2024-11-25");

  int32_t precision = -1;
  auto micros = ParseTimestampText("2024-11-25 12:30:05.123", &precision);
  ASSERT_TRUE(micros.ok());
  EXPECT_EQ(precision, 3);
  EXPECT_EQ(*micros, (*days * 86400 + 12 * 3600 + 30 * 60 + 5) * 1'000'000 + 123'000);
  EXPECT_EQ(FormatTimestamp(*micros, 3), "2024-11-25 12:30:05.123");
  EXPECT_EQ(FormatTimestamp(*micros, 0), "2024-11-25 12:30:05");

  auto before_epoch = ParseTimestampText("1969-12-31 23:59:59.5", &precision);
  ASSERT_TRUE(before_epoch.ok());
  EXPECT_EQ(*before_epoch, -500'000);
  EXPECT_EQ(FormatTimestamp(*before_epoch, 1), "1969-12-31 23:59:59.5");

  auto time = ParseTimeText("07:05", &precision);
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(precision, 0);
  EXPECT_EQ(FormatTime(*time, 0), "07:05:00");
}

TEST(ValueTest, RejectsImpossibleDatesAndTimes) {
  int32_t p;
  EXPECT_EQ(ParseDateText("2024-13-01").status().message(), "month 13 is out of range");
  EXPECT_EQ(ParseDateText("2023-02-29").status().message(), "day 29 is out of range for 2023-02");
  EXPECT_EQ(ParseDateText("2024/01/01").status().message(), "expected 'YYYY-MM-DD'");
  EXPECT_EQ(ParseTimeText("24:00:00", &p).status().message(), "hour 24 is out of range");
  EXPECT_EQ(ParseTimestampText("2024-01-01", &p).status().message(), "expected 'YYYY-MM-DD HH:MM:SS[.fff]'");
  EXPECT_EQ(ParseTimestampText("2024-01-01 00:00:00.1234567", &p).status().message(),
            "more than 6 fractional digits (floe keeps timestamps in microseconds)");
}

TEST(ValueTest, LiteralsPrintAsSqlThatReadsBack) {
  EXPECT_EQ(Value::Int64(DataType::Int(), -42).ToSql(), "-42");
  EXPECT_EQ(Value::Decimal(DataType::Decimal(4, 2), 1230).ToSql(), "12.30");
  EXPECT_EQ(Value::Decimal(DataType::Decimal(3, 3), -5).ToSql(), "-0.005");
  EXPECT_EQ(Value::Double(1.5).ToSql(), "1.5E0");
  EXPECT_EQ(Value::Double(1e300).ToSql(), "1E+300");
  EXPECT_EQ(Value::String(DataType::Char(4), "it's").ToSql(), "'it''s'");
  EXPECT_EQ(Value::Boolean(true).ToSql(), "TRUE");
  EXPECT_EQ(Value::Null(DataType::Int()).ToSql(), "NULL");
  EXPECT_EQ(Value::Int64(DataType::IntervalDayTime(), 10'000).ToSql(), "INTERVAL '10' SECOND");
  EXPECT_EQ(Value::Int64(DataType::IntervalDayTime(), 1'500).ToSql(), "INTERVAL '1.500' SECOND");
  EXPECT_EQ(Value::Int64(DataType::IntervalDayTime(), -300'000).ToSql(), "INTERVAL '-5' MINUTE");
  EXPECT_EQ(Value::Int64(DataType::IntervalDayTime(), 7'200'000).ToSql(), "INTERVAL '2' HOUR");
  EXPECT_EQ(Value::Int64(DataType::IntervalDayTime(), 86'400'000).ToSql(), "INTERVAL '1' DAY");
  EXPECT_EQ(Value::Int64(DataType::IntervalYearMonth(), 14).ToSql(), "INTERVAL '14' MONTH");
  EXPECT_EQ(Value::Int64(DataType::IntervalYearMonth(), 24).ToSql(), "INTERVAL '2' YEAR");
  EXPECT_EQ(Value::Int64(DataType::Date(), 0).ToSql(), "DATE '1970-01-01'");
  EXPECT_EQ(Value::Int64(DataType::Timestamp(3), 1'000).ToSql(), "TIMESTAMP '1970-01-01 00:00:00.001'");
  EXPECT_EQ(Int128ToString(static_cast<Int128>(1) << 100), "1267650600228229401496703205376");
}

}  // namespace
}  // namespace floe::sql
