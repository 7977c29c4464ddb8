#include "core/date.h"

#include <gtest/gtest.h>

namespace kairos {
namespace {

TEST(DateTest, ParseFormatRoundTrip) {
  for (const char* text : {"1970-01-01", "2000-02-29", "2024-11-29", "1899-12-31", "2099-12-31"}) {
    Result<Date> d = Date::Parse(text);
    ASSERT_TRUE(d.ok()) << text;
    EXPECT_EQ(d->ToString(), text);
  }
  EXPECT_EQ(Date::Parse("1970-01-02")->days(), 1);
  EXPECT_EQ(Date::Parse("1969-12-31")->days(), -1);
}

TEST(DateTest, RejectsBadText) {
  EXPECT_EQ(Date::Parse("2023-02-29").status().message(),
            "'2023-02-29' is not a day of the calendar");
  for (const char* text : {"", "2024-1-01", "2024/01/01", "2024-01-01x", "20240101", "2024-13-01",
                           "2024-00-10", "abcd-ef-gh", " 2024-01-01"}) {
    Result<Date> d = Date::Parse(text);
    EXPECT_FALSE(d.ok()) << text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(DateTest, FieldsAndWeekdays) {
  Date d = Date::FromYmd(2024, 11, 29);
  EXPECT_EQ(d.year(), 2024);
  EXPECT_EQ(d.month(), 11u);
  EXPECT_EQ(d.day(), 29u);
  EXPECT_EQ(d.iso_weekday(), 5u);  // Friday
  EXPECT_FALSE(d.IsWeekend());
  EXPECT_TRUE(d.AddDays(1).IsWeekend());
  EXPECT_EQ(Date::FromYmd(2024, 3, 1) - Date::FromYmd(2024, 2, 28), 2);  // leap year
  EXPECT_LT(Date::FromYmd(2001, 9, 10), Date::FromYmd(2001, 9, 17));
}

TEST(TimestampTest, ADateBeyondTheNanosecondRangeIsOutOfRangeNotAnOverflow) {
  for (const char* far : {"1009-02-24T15:34:06.977Z", "1677-09-21T23:59:59Z",
                          "2262-04-11T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    auto t = Timestamp::Parse(far);
    ASSERT_FALSE(t.ok()) << far;
    EXPECT_EQ(t.status().code(), StatusCode::kOutOfRange) << far;
  }
  EXPECT_TRUE(Timestamp::Parse("1677-09-22T00:00:00Z").ok());
  EXPECT_TRUE(Timestamp::Parse("2262-04-10T23:59:59.999999999Z").ok());
}

TEST(TimestampTest, FormatAndParse) {
  Timestamp t = Timestamp::FromSeconds(1732903200);  // 2024-11-29T18:00:00Z
  EXPECT_EQ(t.ToString(), "2024-11-29T18:00:00Z");
  EXPECT_EQ(t.UtcDate(), Date::FromYmd(2024, 11, 29));
  EXPECT_EQ(*Timestamp::Parse("2024-11-29T18:00:00Z"), t);
  Timestamp frac = *Timestamp::Parse("2024-11-29T18:00:00.5Z");
  EXPECT_EQ(frac.nanos() - t.nanos(), 500'000'000);
  EXPECT_EQ(frac.ToString(), "2024-11-29T18:00:00.500000000Z");
  EXPECT_EQ(Timestamp::FromNanos(-1).UtcDate(), Date::FromYmd(1969, 12, 31));
  for (const char* bad : {"2024-11-29 18:00:00Z", "2024-11-29T25:00:00Z", "2024-11-29T18:00:00",
                          "2024-11-29T18:00:00.Z", "2024-11-29T18:00:00.1234567890Z"}) {
    EXPECT_FALSE(Timestamp::Parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace kairos
