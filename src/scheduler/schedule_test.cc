#include "scheduler/schedule.h"

#include <string>

#include <gtest/gtest.h>

namespace kairos::scheduler {
namespace {

Timestamp T(const char* iso) { return Timestamp::Parse(iso).value(); }

ScheduleSpec Cron(std::string expr, std::string zone = "UTC") {
  ScheduleSpec spec;
  spec.cron = std::move(expr);
  spec.time_zone = std::move(zone);
  return spec;
}

ScheduleSpec At(std::string at, std::string calendar) {
  ScheduleSpec spec;
  spec.at = std::move(at);
  spec.calendar = std::move(calendar);
  return spec;
}

Schedule Parsed(const ScheduleSpec& spec) {
  Result<Schedule> s = Schedule::Parse(spec);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

// The next instant after `after`, as ISO text ("none" when there is none).
std::string Next(const Schedule& s, const char* after) {
  std::optional<Timestamp> t = s.NextAfter(T(after));
  return t ? t->ToString() : "none";
}

std::string ParseError(const ScheduleSpec& spec) {
  Result<Schedule> s = Schedule::Parse(spec);
  return s.ok() ? "parsed" : s.status().message();
}

// ---- Cron ----------------------------------------------------------------------------------

TEST(CronSchedule, WeekdayEveningInNewYork) {
  Schedule s = Parsed(Cron("30 18 * * 1-5", "America/New_York"));
  EXPECT_EQ(Next(s, "2024-11-29T00:00:00Z"), "2024-11-29T23:30:00Z");
  EXPECT_EQ(Next(s, "2024-11-29T23:30:00Z"), "2024-12-02T23:30:00Z");  // strictly after; Monday
}

TEST(CronSchedule, NextIsStrictlyAfterEvenWithinTheSecond) {
  Schedule s = Parsed(Cron("0 10 * * *"));
  EXPECT_EQ(Next(s, "2024-01-01T09:59:59.999999999Z"), "2024-01-01T10:00:00Z");
  EXPECT_EQ(Next(s, "2024-01-01T10:00:00Z"), "2024-01-02T10:00:00Z");
  EXPECT_EQ(Next(s, "2024-01-01T10:00:00.5Z"), "2024-01-02T10:00:00Z");
}

TEST(CronSchedule, SixFieldsHaveALeadingSecondsField) {
  Schedule s = Parsed(Cron("*/15 * * * * *"));
  EXPECT_EQ(Next(s, "2024-01-01T10:00:07Z"), "2024-01-01T10:00:15Z");
  EXPECT_EQ(Next(s, "2024-01-01T10:00:45Z"), "2024-01-01T10:01:00Z");
}

TEST(CronSchedule, ListsRangesStepsAndNames) {
  Schedule s = Parsed(Cron("0 9-17/4 * JAN,jul MON-FRI"));  // 9, 13, 17
  EXPECT_EQ(Next(s, "2024-01-31T17:00:00Z"), "2024-07-01T09:00:00Z");
  EXPECT_EQ(Next(s, "2024-07-01T09:00:00Z"), "2024-07-01T13:00:00Z");
  Schedule every_day = Parsed(Cron("0 12 * * MON-SUN"));
  EXPECT_EQ(Next(every_day, "2024-07-06T13:00:00Z"), "2024-07-07T12:00:00Z");  // a Sunday
  Schedule from_value = Parsed(Cron("50/5 * * * *"));
  EXPECT_EQ(Next(from_value, "2024-07-06T13:56:00Z"), "2024-07-06T14:50:00Z");
}

TEST(CronSchedule, SundayIsZeroOrSeven) {
  Schedule zero = Parsed(Cron("0 0 * * 0"));
  Schedule seven = Parsed(Cron("0 0 * * 7"));
  EXPECT_EQ(Next(zero, "2024-10-01T00:00:00Z"), "2024-10-06T00:00:00Z");
  EXPECT_EQ(Next(seven, "2024-10-01T00:00:00Z"), "2024-10-06T00:00:00Z");
}

// Both day fields restricted: either matches. One of them `*`-led: both must.
TEST(CronSchedule, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  Schedule s = Parsed(Cron("0 0 13 * 5"));                             // the 13th, and every Friday
  EXPECT_EQ(Next(s, "2024-10-05T00:00:00Z"), "2024-10-11T00:00:00Z");  // Friday
  EXPECT_EQ(Next(s, "2024-10-11T00:00:00Z"), "2024-10-13T00:00:00Z");  // Sunday the 13th
  EXPECT_EQ(Next(s, "2024-10-13T00:00:00Z"), "2024-10-18T00:00:00Z");
  Schedule both = Parsed(Cron("0 0 */2 * 5"));  // Fridays on odd days
  EXPECT_EQ(Next(both, "2024-10-05T00:00:00Z"), "2024-10-11T00:00:00Z");
  EXPECT_EQ(Next(both, "2024-10-11T00:00:00Z"), "2024-10-25T00:00:00Z");
}

TEST(CronSchedule, TwentyNinthOfFebruaryWaitsForALeapYear) {
  Schedule s = Parsed(Cron("0 0 29 2 *"));
  EXPECT_EQ(Next(s, "2025-01-01T00:00:00Z"), "2028-02-29T00:00:00Z");
}

TEST(CronSchedule, SpringForwardRunsAtTheFirstInstantAfterTheGap) {
  // 2024-03-10 in New York: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
  Schedule s = Parsed(Cron("30 2 * * *", "America/New_York"));
  EXPECT_EQ(Next(s, "2024-03-10T05:00:00Z"), "2024-03-10T07:00:00Z");  // 03:00 EDT
  EXPECT_EQ(Next(s, "2024-03-10T07:00:00Z"), "2024-03-11T06:30:00Z");  // 02:30 EDT
  Schedule hourly = Parsed(Cron("0 * * * *", "America/New_York"));
  EXPECT_EQ(Next(hourly, "2024-03-10T06:00:00Z"), "2024-03-10T07:00:00Z");  // once, 03:00 EDT
  EXPECT_EQ(Next(hourly, "2024-03-10T07:00:00Z"), "2024-03-10T08:00:00Z");
}

TEST(CronSchedule, FallBackRunsARepeatedTimeOnceAtItsFirstOccurrence) {
  // 2024-11-03 in New York: 01:00-02:00 happens in EDT (05:00Z-06:00Z), then again in EST.
  Schedule s = Parsed(Cron("30 1 * * *", "America/New_York"));
  EXPECT_EQ(Next(s, "2024-11-03T04:00:00Z"), "2024-11-03T05:30:00Z");
  EXPECT_EQ(Next(s, "2024-11-03T05:30:00Z"), "2024-11-04T06:30:00Z");  // not 06:30Z today
  Schedule hourly = Parsed(Cron("0 * * * *", "America/New_York"));
  EXPECT_EQ(Next(hourly, "2024-11-03T05:00:00Z"), "2024-11-03T07:00:00Z");  // 02:00 EST
  EXPECT_EQ(Next(hourly, "2024-11-03T06:15:00Z"), "2024-11-03T07:00:00Z");  // inside the repeat
}

TEST(CronSchedule, KolkataHasNoDaylightSaving) {
  Schedule s = Parsed(Cron("15 9 * * 1-5", "Asia/Kolkata"));
  EXPECT_EQ(Next(s, "2024-03-10T00:00:00Z"), "2024-03-11T03:45:00Z");
  EXPECT_EQ(Next(s, "2024-11-03T00:00:00Z"), "2024-11-04T03:45:00Z");
}

TEST(CronSchedule, ZoneDefaultsToTheCalendarsThenUtc) {
  ScheduleSpec spec = Cron("0 18 * * *", "");
  EXPECT_EQ(Parsed(spec).Describe(), "cron 0 18 * * * UTC");
  spec.calendar = "NSE";
  spec.sessions_only = true;
  EXPECT_EQ(Parsed(spec).Describe(), "cron 0 18 * * * Asia/Kolkata sessions_only NSE");
}

TEST(CronSchedule, SessionsOnlySkipsHolidaysAndWeekends) {
  ScheduleSpec spec = Cron("0 18 * * *", "America/New_York");
  spec.calendar = "NYSE";
  spec.sessions_only = true;
  Schedule s = Parsed(spec);
  // Wednesday 18:30 -> Thanksgiving (Thursday) is closed -> Friday 18:00 EST.
  EXPECT_EQ(Next(s, "2024-11-27T23:30:00Z"), "2024-11-29T23:00:00Z");
  EXPECT_EQ(Next(s, "2024-11-29T23:00:00Z"), "2024-12-02T23:00:00Z");  // weekend skipped
}

TEST(CronSchedule, SessionsOnlyEndsWithTheCalendarsCoverage) {
  ScheduleSpec spec = Cron("0 18 * * *", "America/New_York");
  spec.calendar = "NYSE";
  spec.sessions_only = true;
  Schedule s = Parsed(spec);
  EXPECT_EQ(Next(s, "2028-12-29T12:00:00Z"), "2028-12-29T23:00:00Z");
  EXPECT_EQ(Next(s, "2028-12-30T00:00:00Z"), "none");
}

TEST(CronSchedule, FarInstantsStayInRange) {
  Schedule s = Parsed(Cron("0 0 * * *"));
  EXPECT_EQ(s.NextAfter(Timestamp::FromNanos(INT64_MAX)), std::nullopt);
  EXPECT_EQ(Next(s, "2199-12-31T12:00:00Z"), "2200-01-01T00:00:00Z");
  EXPECT_EQ(Next(s, "2200-01-01T00:00:00Z"), "none");
  std::optional<Timestamp> early = s.NextAfter(Timestamp::FromNanos(INT64_MIN));
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(early->ToString(), "1800-01-02T00:00:00Z");  // after the earliest instant handled
}

TEST(CronSchedule, SessionsOnlyGivesUpWhenNoInstantIsASession) {
  ScheduleSpec spec = Cron("0 12 * * SAT");
  spec.calendar = "WEEKDAYS";  // covers every date: without a limit this would search forever
  spec.sessions_only = true;
  EXPECT_EQ(Next(Parsed(spec), "2024-01-01T00:00:00Z"), "none");
}

TEST(CronSchedule, AYearOfMinutesIsQuick) {
  Schedule s = Parsed(Cron("*/5 * * * *", "America/New_York"));
  Timestamp t = T("2024-01-01T00:00:00Z");
  int n = 0;
  while (t < T("2025-01-01T00:00:00Z")) {
    t = *s.NextAfter(t);
    ++n;
  }
  // Spring forward: 02:00-02:55 all run as the one 03:00 EDT; fall back: 01:xx runs once.
  EXPECT_EQ(n, 366 * 24 * 12 - 12);
}

// ---- Session-relative ----------------------------------------------------------------------

TEST(AtSchedule, FollowsTheEarlyCloseAndSkipsTheHoliday) {
  Schedule s = Parsed(At("close+20m", "NYSE"));
  // Thanksgiving 2024 (Thursday 28th) is closed; Friday 29th closes at 13:00 EST.
  EXPECT_EQ(Next(s, "2024-11-27T22:00:00Z"), "2024-11-29T18:20:00Z");
  EXPECT_EQ(Next(s, "2024-11-29T18:20:00Z"), "2024-12-02T21:20:00Z");
}

TEST(AtSchedule, OpenMinusOffsetAcrossDaylightSaving) {
  Schedule s = Parsed(At("open-15m", "NYSE"));
  EXPECT_EQ(Next(s, "2024-03-08T00:00:00Z"), "2024-03-08T14:15:00Z");  // 09:15 EST
  EXPECT_EQ(Next(s, "2024-03-08T14:15:00Z"), "2024-03-11T13:15:00Z");  // 09:15 EDT
}

TEST(AtSchedule, HoursAndMinutesOffset) {
  Schedule s = Parsed(At("close-1h30m", "NYSE"));
  EXPECT_EQ(Next(s, "2024-12-02T00:00:00Z"), "2024-12-02T19:30:00Z");
  EXPECT_EQ(s.Describe(), "at close-1h30m NYSE");
}

TEST(AtSchedule, KolkataSessions) {
  Schedule s = Parsed(At("close+20m", "NSE"));
  EXPECT_EQ(Next(s, "2024-03-11T00:00:00Z"), "2024-03-11T10:20:00Z");  // 15:50 IST
  EXPECT_EQ(Next(s, "2024-07-01T00:00:00Z"), "2024-07-01T10:20:00Z");
}

TEST(AtSchedule, NseSpecialSessionRuns) {
  // 2024-11-01 is a holiday with the Diwali Muhurat session 18:00-19:00 IST.
  Schedule s = Parsed(At("open", "NSE"));
  EXPECT_EQ(Next(s, "2024-10-31T04:00:00Z"), "2024-11-01T12:30:00Z");
  EXPECT_EQ(Next(s, "2024-11-01T12:30:00Z"), "2024-11-04T03:45:00Z");
}

TEST(AtSchedule, LastSessionOfWeekSkipsToTheWeeksLastSession) {
  ScheduleSpec spec = At("close+55m", "NYSE");
  spec.last_session_of_week = true;
  Schedule s = Parsed(spec);
  // Good Friday 2024-03-29 is closed: Thursday is the week's last session.
  EXPECT_EQ(Next(s, "2024-03-25T00:00:00Z"), "2024-03-28T20:55:00Z");
  EXPECT_EQ(Next(s, "2024-03-28T20:55:00Z"), "2024-04-05T20:55:00Z");
  EXPECT_EQ(s.Describe(), "at close+55m NYSE last_session_of_week");
}

TEST(AtSchedule, NoneAfterTheCalendarsCoverage) {
  Schedule s = Parsed(At("close", "NYSE"));
  EXPECT_EQ(Next(s, "2028-12-29T12:00:00Z"), "2028-12-29T21:00:00Z");
  EXPECT_EQ(Next(s, "2028-12-29T21:00:00Z"), "none");
}

TEST(AtSchedule, DescribeIsCanonical) {
  EXPECT_EQ(Parsed(At(" open ", "nyse")).Describe(), "at open NYSE");
  EXPECT_EQ(Parsed(At("close+90s", "NSE")).Describe(), "at close+1m30s NSE");
  EXPECT_EQ(Parsed(At("open-60m", "NYSE")).Describe(), "at open-1h NYSE");
  EXPECT_EQ(Parsed(Cron(" 30  18 * *   1-5 ", "America/New_York")).Describe(),
            "cron 30 18 * * 1-5 America/New_York");
}

// ---- Errors --------------------------------------------------------------------------------

TEST(ScheduleErrors, CronOrAtButNotBoth) {
  EXPECT_EQ(ParseError(ScheduleSpec{}), "schedule: give cron or at");
  ScheduleSpec both = At("close", "NYSE");
  both.cron = "* * * * *";
  EXPECT_EQ(ParseError(both), "schedule: give cron or at, not both");
}

TEST(ScheduleErrors, CronFieldCount) {
  EXPECT_EQ(ParseError(Cron("0 18 * *")),
            "cron: expected 5 fields (minute hour day-of-month month day-of-week) or 6 with a "
            "leading second, got 4");
  EXPECT_EQ(ParseError(Cron("0 0 0 18 * * * *")),
            "cron: expected 5 fields (minute hour day-of-month month day-of-week) or 6 with a "
            "leading second, got 8");
}

TEST(ScheduleErrors, CronValuesOutOfRange) {
  EXPECT_EQ(ParseError(Cron("0 25 * * *")), "cron: field 2 (hour): 25 is out of 0-23");
  EXPECT_EQ(ParseError(Cron("60 * * * *")), "cron: field 1 (minute): 60 is out of 0-59");
  EXPECT_EQ(ParseError(Cron("0 0 0 * *")), "cron: field 3 (day-of-month): 0 is out of 1-31");
  EXPECT_EQ(ParseError(Cron("0 0 * 13 *")), "cron: field 4 (month): 13 is out of 1-12");
  EXPECT_EQ(ParseError(Cron("0 0 * * 8")), "cron: field 5 (day-of-week): 8 is out of 0-7");
  EXPECT_EQ(ParseError(Cron("61 0 0 * * *")), "cron: field 1 (second): 61 is out of 0-59");
}

TEST(ScheduleErrors, CronSyntax) {
  EXPECT_EQ(ParseError(Cron("x * * * *")), "cron: field 1 (minute): expected a number, got \"x\"");
  EXPECT_EQ(ParseError(Cron("0 0 * * FUNDAY")),
            "cron: field 5 (day-of-week): expected a number or a name, got \"FUNDAY\"");
  EXPECT_EQ(ParseError(Cron("0 0 * MON *")),
            "cron: field 4 (month): expected a number or a name, got \"MON\"");
  EXPECT_EQ(ParseError(Cron("1,,2 * * * *")), "cron: field 1 (minute): empty list item");
  EXPECT_EQ(ParseError(Cron("*/0 * * * *")), "cron: field 1 (minute): step 0 must be at least 1");
  EXPECT_EQ(ParseError(Cron("*/ * * * *")),
            "cron: field 1 (minute): expected a step number after /, got \"\"");
  EXPECT_EQ(ParseError(Cron("0 5-1 * * *")), "cron: field 2 (hour): range 5-1 goes backwards");
  EXPECT_EQ(ParseError(Cron("0 -1 * * *")), "cron: field 2 (hour): expected a number, got \"\"");
  EXPECT_EQ(ParseError(Cron("99999 * * * *")),
            "cron: field 1 (minute): expected a number, got \"99999\"");
}

TEST(ScheduleErrors, CronDateThatNeverOccurs) {
  EXPECT_EQ(ParseError(Cron("0 0 30 2 *")),
            "cron: no date matches: day-of-month 30 never occurs in month 2");
  EXPECT_EQ(ParseError(Cron("0 0 31 APR,JUN *")),
            "cron: no date matches: day-of-month 31 never occurs in month APR,JUN");
  EXPECT_EQ(ParseError(Cron("0 0 30 2 MON")), "parsed");  // or Mondays in February
}

TEST(ScheduleErrors, UnknownTimeZoneAndCalendar) {
  EXPECT_EQ(ParseError(Cron("0 0 * * *", "Mars/Olympus")),
            "time_zone: unknown time zone \"Mars/Olympus\"");
  std::string error = ParseError(At("close", "LSE"));
  EXPECT_EQ(error.rfind("calendar: unknown exchange \"LSE\"", 0), 0u) << error;
}

TEST(ScheduleErrors, AtSyntax) {
  EXPECT_EQ(ParseError(At("noon", "NYSE")),
            "at: expected open or close, then an optional offset such as +20m or -1h30m; got "
            "\"noon\"");
  EXPECT_EQ(ParseError(At("close*20m", "NYSE")), "at: expected + or - after close, got \"*20m\"");
  EXPECT_EQ(ParseError(At("close+20x", "NYSE")),
            "at: bad offset \"20x\": expected a duration such as 20m, 1h30m or 90s");
  EXPECT_EQ(ParseError(At("open-", "NYSE")),
            "at: bad offset \"\": expected a duration such as 20m, 1h30m or 90s");
  EXPECT_EQ(ParseError(At("open-m", "NYSE")),
            "at: bad offset \"m\": expected a duration such as 20m, 1h30m or 90s");
  EXPECT_EQ(ParseError(At("open-13h", "NYSE")), "at: offset 13h is more than 12h from the open");
}

TEST(ScheduleErrors, OptionsThatDoNotFitTheKind) {
  EXPECT_EQ(ParseError(At("close", "")), "at: needs a calendar (an exchange such as NYSE or NSE)");
  ScheduleSpec at = At("close", "NYSE");
  at.sessions_only = true;
  EXPECT_EQ(ParseError(at),
            "sessions_only: applies to cron schedules (an at schedule runs on sessions only)");
  at = At("close", "NYSE");
  at.time_zone = "UTC";
  EXPECT_EQ(ParseError(at),
            "time_zone: applies to cron schedules (an at schedule follows its calendar)");
  ScheduleSpec cron = Cron("0 0 * * *");
  cron.last_session_of_week = true;
  EXPECT_EQ(ParseError(cron), "last_session_of_week: applies to at schedules");
  cron = Cron("0 0 * * *");
  cron.sessions_only = true;
  EXPECT_EQ(ParseError(cron), "sessions_only: needs a calendar (an exchange such as NYSE)");
}

}  // namespace
}  // namespace kairos::scheduler
