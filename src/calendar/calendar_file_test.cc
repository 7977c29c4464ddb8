// Data-file format: rules, validation and error messages.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "calendar/calendar.h"
#include "calendar/calendar_spec.h"

namespace kairos::calendar {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

Date D(const char* text) { return Date::Parse(text).value(); }

// A small valid calendar; tests append to it.
constexpr const char* kBase = R"(
name = "TEST"
time_zone = "America/New_York"
first_year = 2024
last_year = 2025
weekend = ["Saturday", "Sunday"]
[hours]
open = "09:30"
close = "16:00"
early_close = "13:00"
)";

std::unique_ptr<ExchangeCalendar> Parse(const std::string& extra) {
  auto r = ParseCalendar(std::string(kBase) + extra, "t.toml");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : nullptr;
}

// The error message of parsing `text` (which must fail with InvalidArgument).
std::string Error(const std::string& text) {
  auto r = ParseCalendar(text, "t.toml");
  if (r.ok()) return "(parsed fine)";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}
std::string ErrorWith(const std::string& extra) { return Error(std::string(kBase) + extra); }

// A copy of kBase with the line starting with `key` replaced by `line` (or removed if empty).
std::string BaseWith(const std::string& key, const std::string& line) {
  std::string text = kBase;
  size_t pos = text.find("\n" + key + " ");
  EXPECT_NE(pos, std::string::npos) << key;
  size_t end = text.find('\n', pos + 1);
  text.replace(pos + 1, end - pos, line.empty() ? "" : line + "\n");
  return text;
}

// ---- rules
// ---------------------------------------------------------------------------------------

TEST(Easter, KnownDates) {
  EXPECT_EQ(internal::EasterSunday(1990), D("1990-04-15"));
  EXPECT_EQ(internal::EasterSunday(2000), D("2000-04-23"));
  EXPECT_EQ(internal::EasterSunday(2008), D("2008-03-23"));
  EXPECT_EQ(internal::EasterSunday(2011), D("2011-04-24"));
  EXPECT_EQ(internal::EasterSunday(2024), D("2024-03-31"));
  EXPECT_EQ(internal::EasterSunday(2025), D("2025-04-20"));
  EXPECT_EQ(internal::EasterSunday(2026), D("2026-04-05"));
  EXPECT_EQ(internal::EasterSunday(2038), D("2038-04-25"));
}

TEST(Rules, FixedDateObservances) {
  auto c = Parse(R"(
[[holiday_rules]]
name = "A"
month = 6
day = 1
observance = "none"
[[holiday_rules]]
name = "B"
month = 9
day = 14
observance = "sunday_to_monday"
[[holiday_rules]]
name = "C"
month = 12
day = 28
observance = "sunday_to_monday"
[[holiday_rules]]
name = "D"
month = 3
day = 16
observance = "nearest_weekday"
[[holiday_rules]]
name = "E"
month = 3
day = 17
observance = "nearest_weekday"
)");
  ASSERT_NE(c, nullptr);
  // A: 2024-06-01 is a Saturday: no day off.
  EXPECT_TRUE(c->IsSession(D("2024-05-31")));
  EXPECT_TRUE(c->IsSession(D("2024-06-03")));
  // B: 2025-09-14 is a Sunday -> Monday 15th. C: 2024-12-28 is a Saturday -> nothing.
  EXPECT_THAT(c->ClosedReason(D("2025-09-15")), Optional(std::string("B")));
  EXPECT_TRUE(c->IsSession(D("2024-12-27")));
  // D: 2024-03-16 Saturday -> Friday 15th. E: 2024-03-17 Sunday -> Monday 18th.
  EXPECT_THAT(c->ClosedReason(D("2024-03-15")), Optional(std::string("D")));
  EXPECT_THAT(c->ClosedReason(D("2024-03-18")), Optional(std::string("E")));
}

TEST(Rules, NthWeekdayEasterOffsetAndYears) {
  auto c = Parse(R"(
[[holiday_rules]]
name = "Last Monday of May"
month = 5
weekday = "Monday"
nth = -1
[[holiday_rules]]
name = "Second Tuesday of October"
month = 10
weekday = "Tuesday"
nth = 2
from = 2025
[[holiday_rules]]
name = "Easter Monday"
easter_offset = 1
to = 2024
[[early_close_rules]]
name = "Day after 4th Thursday of November"
month = 11
weekday = "Thursday"
nth = 4
offset_days = 1
[[early_close_rules]]
name = "Christmas Eve"
month = 12
day = 24
weekdays = ["Tuesday"]
close = "12:00"
)");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->IsSession(D("2024-05-27")));
  EXPECT_FALSE(c->IsSession(D("2025-05-26")));
  EXPECT_TRUE(c->IsSession(D("2024-10-08")));  // before from
  EXPECT_FALSE(c->IsSession(D("2025-10-14")));
  EXPECT_FALSE(c->IsSession(D("2024-04-01")));  // Easter Monday 2024
  EXPECT_TRUE(c->IsSession(D("2025-04-21")));   // after to
  EXPECT_EQ(c->SessionOf(D("2024-11-29")).value().close_minute_local, 13 * 60);
  EXPECT_EQ(c->SessionOf(D("2025-11-28")).value().close_minute_local, 13 * 60);
  EXPECT_EQ(c->SessionOf(D("2024-12-24")).value().close_minute_local, 12 * 60);  // Tuesday
  EXPECT_FALSE(c->SessionOf(D("2025-12-24")).value().early_close);               // Wednesday
}

TEST(Rules, FifthWeekdayOnlyWhenTheMonthHasOne) {
  auto c = Parse(R"(
[[holiday_rules]]
name = "Fifth Friday of March"
month = 3
weekday = "Friday"
nth = 5
)");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->IsSession(D("2024-03-29")));  // March 2024 has five Fridays
  EXPECT_EQ(c->Sessions(D("2025-03-01"), D("2025-03-31")).size(), 21u);  // it has four
}

TEST(Rules, ExplicitEntriesOverrideRules) {
  auto c = Parse(R"(
[[holiday_rules]]
name = "Rule"
month = 7
day = 4
[[holidays]]
date = "2024-07-04"
name = "Explicit"
[[holidays]]
date = 2024-07-05
name = "A TOML date"
[[early_closes]]
date = "2024-07-03"
name = "Early"
[[late_opens]]
date = "2024-07-08"
open = "10:30"
name = "Late"
[[special_sessions]]
date = "2024-07-06"
open = "10:00"
close = "11:00"
name = "Saturday session"
)");
  ASSERT_NE(c, nullptr);
  EXPECT_THAT(c->ClosedReason(D("2024-07-04")), Optional(std::string("Explicit")));
  EXPECT_THAT(c->ClosedReason(D("2024-07-05")), Optional(std::string("A TOML date")));
  EXPECT_EQ(FormatSessionLine(c->SessionOf(D("2024-07-03")).value()), "2024-07-03,09:30,13:00");
  EXPECT_EQ(FormatSessionLine(c->SessionOf(D("2024-07-08")).value()), "2024-07-08,10:30,16:00");
  EXPECT_EQ(c->SessionOf(D("2024-07-08")).value().open.ToString(), "2024-07-08T14:30:00Z");
  Session s = c->SessionOf(D("2024-07-06")).value();
  EXPECT_TRUE(s.special);
  EXPECT_EQ(FormatSessionLine(s), "2024-07-06,10:00,11:00");
}

TEST(Rules, AWeekWithoutSessions) {
  auto c = Parse(R"(
[[holidays]]
date = "2024-06-03"
name = "Closed"
[[holidays]]
date = "2024-06-04"
name = "Closed"
[[holidays]]
date = "2024-06-05"
name = "Closed"
[[holidays]]
date = "2024-06-06"
name = "Closed"
[[holidays]]
date = "2024-06-07"
name = "Closed"
)");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->LastSessionOfWeek(D("2024-06-05")), std::nullopt);
  EXPECT_FALSE(c->IsLastSessionOfWeek(D("2024-06-05")));
  EXPECT_THAT(c->LastSessionOfWeek(D("2024-06-10")), Optional(D("2024-06-14")));
  EXPECT_EQ(c->NextSession(D("2024-05-31")), D("2024-06-10"));
}

TEST(Rules, WeekendIsConfigurable) {
  auto c = ParseCalendar(R"(
name = "FRISAT"
time_zone = "Asia/Dubai"
weekend = ["Friday", "Saturday"]
[hours]
open = "10:00"
close = "14:00"
)",
                         "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE((*c)->IsSession(D("2024-12-01")));   // Sunday
  EXPECT_FALSE((*c)->IsSession(D("2024-11-29")));  // Friday
  EXPECT_TRUE((*c)->Covers(D("1800-01-01")));
  EXPECT_EQ((*c)->SessionOf(D("2024-12-01")).value().open.ToString(), "2024-12-01T06:00:00Z");
}

// ---- errors
// --------------------------------------------------------------------------------------

TEST(Coverage, AFileCalendarNamesItsFileForTheYearsItLacks) {
  auto c = Parse("");
  Status s = c->CheckCovers(D("2026-01-02"));
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.message(),
            "2026-01-02 is outside the years the TEST calendar covers (2024-2025); to add years, "
            "extend t.toml as src/calendar/README.md (\"Adding a year\") describes");
  EXPECT_FALSE(c->IsSession(D("2026-01-02")));
  EXPECT_EQ(c->SessionOf(D("2026-01-02")).status(), s);
}

TEST(Errors, TomlSyntax) {
  EXPECT_THAT(Error("name = \"X\"\nfirst_year = \n"),
              ::testing::StartsWith("t.toml: line 2, column 14: "));
}

TEST(Errors, MissingOrWrongTypedTopLevelKeys) {
  EXPECT_EQ(Error(BaseWith("name", "")), "t.toml: name: missing");
  EXPECT_EQ(Error(BaseWith("name", "name = 3")), "t.toml: name: expected a string, got an integer");
  EXPECT_EQ(Error(BaseWith("name", "name = \"\"")), "t.toml: name: must not be empty");
  EXPECT_EQ(Error(BaseWith("first_year", "first_year = \"2024\"")),
            "t.toml: first_year: expected an integer, got a string");
  EXPECT_EQ(Error(BaseWith("first_year", "")),
            "t.toml: first_year: missing (give both first_year and last_year, or neither)");
  EXPECT_EQ(Error(BaseWith("last_year", "last_year = 2023")),
            "t.toml: last_year: 2023 is before first_year 2024");
  EXPECT_EQ(Error(BaseWith("first_year", "first_year = 1066")),
            "t.toml: first_year: 1066 is not in 1900..2200");
  EXPECT_EQ(Error(BaseWith("weekend", "weekend = [\"Saturday\", \"Sun\"]")),
            "t.toml: weekend[1]: unknown weekday \"Sun\" (expected Monday..Sunday)");
  EXPECT_EQ(Error(BaseWith("weekend",
                           "weekend = [\"Monday\", \"Tuesday\", \"Wednesday\", "
                           "\"Thursday\", \"Friday\", \"Saturday\", \"Sunday\"]")),
            "t.toml: weekend: every day is a weekend day");
  EXPECT_EQ(Error(BaseWith("time_zone", "time_zone = \"Mars/Olympus_Mons\"")),
            "t.toml: time_zone: unknown time zone \"Mars/Olympus_Mons\"");
  EXPECT_EQ(ErrorWith("colour = \"blue\"\n"), "t.toml: hours.colour: unknown key");
  EXPECT_EQ(Error(std::string("colour = 1\n") + kBase), "t.toml: colour: unknown key");
  EXPECT_EQ(Error(BaseWith("open", "")), "t.toml: hours.open: missing");
}

TEST(Errors, Hours) {
  EXPECT_EQ(Error(BaseWith("open", "open = \"9:30\"")),
            "t.toml: hours.open: expected a time HH:MM between 00:00 and 24:00, got \"9:30\"");
  EXPECT_EQ(Error(BaseWith("close", "close = \"24:30\"")),
            "t.toml: hours.close: expected a time HH:MM between 00:00 and 24:00, got \"24:30\"");
  EXPECT_EQ(Error(BaseWith("close", "close = \"09:00\"")),
            "t.toml: hours.close: 09:00 is not after open 09:30");
  EXPECT_EQ(Error(BaseWith("early_close", "early_close = \"17:00\"")),
            "t.toml: hours.early_close: 17:00 is not between open 09:30 and close 16:00");
}

TEST(Errors, DatedEntries) {
  EXPECT_EQ(ErrorWith("[[holidays]]\ndate = \"2024-13-01\"\nname = \"X\"\n"),
            "t.toml: holidays[0].date: expected a date YYYY-MM-DD, got \"2024-13-01\"");
  EXPECT_EQ(ErrorWith("[[holidays]]\ndate = 20240101\nname = \"X\"\n"),
            "t.toml: holidays[0].date: expected a date YYYY-MM-DD, got an integer");
  EXPECT_EQ(ErrorWith("[[holidays]]\ndate = \"2024-01-01\"\n"),
            "t.toml: holidays[0].name: missing");
  EXPECT_EQ(ErrorWith("[[holidays]]\ndate = \"2024-01-01\"\nname = \"X\"\nnmae = \"Y\"\n"),
            "t.toml: holidays[0].nmae: unknown key");
  EXPECT_EQ(Error("holidays = \"2024-01-01\"\n" + std::string(kBase)),
            "t.toml: holidays: expected an array of tables ([[holidays]]), got a string");
  EXPECT_EQ(ErrorWith("[[holidays]]\ndate = \"2024-01-01\"\nname = \"X\"\n"
                      "[[holidays]]\ndate = \"2027-01-01\"\nname = \"Y\"\n"),
            "t.toml: holidays[1].date: 2027-01-01 is outside the covered years 2024..2025");
  EXPECT_EQ(ErrorWith("[[holidays]]\ndate = \"2024-01-01\"\nname = \"X\"\n"
                      "[[holidays]]\ndate = \"2024-01-01\"\nname = \"Y\"\n"),
            "t.toml: holidays[1].date: 2024-01-01 is listed twice (also holidays[0])");
  EXPECT_EQ(ErrorWith("[[holidays]]\ndate = \"2024-12-25\"\nname = \"Christmas\"\n"
                      "[[early_closes]]\ndate = \"2024-12-25\"\nname = \"E\"\n"),
            "t.toml: early_closes[0].date: 2024-12-25 is not a session (Christmas)");
  EXPECT_EQ(ErrorWith("[[early_closes]]\ndate = \"2024-12-28\"\nname = \"E\"\n"),
            "t.toml: early_closes[0].date: 2024-12-28 is not a session (weekend)");
  EXPECT_EQ(ErrorWith("[[early_closes]]\ndate = \"2024-12-24\"\nname = \"E\"\nclose = \"16:30\"\n"),
            "t.toml: early_closes[0].close: 16:30 is not between the open 09:30 and the regular "
            "close 16:00");
  EXPECT_EQ(ErrorWith("[[late_opens]]\ndate = \"2024-12-24\"\nname = \"L\"\n"),
            "t.toml: late_opens[0].open: missing");
  EXPECT_EQ(ErrorWith("[[late_opens]]\ndate = \"2024-12-24\"\nname = \"L\"\nopen = \"09:00\"\n"),
            "t.toml: late_opens[0].open: 09:00 is not between the regular open 09:30 and the close "
            "16:00");
  EXPECT_EQ(ErrorWith("[[special_sessions]]\ndate = \"2024-12-24\"\nname = \"S\"\n"
                      "open = \"18:00\"\nclose = \"19:00\"\n"),
            "t.toml: special_sessions[0].date: 2024-12-24 is already a regular session");
  EXPECT_EQ(ErrorWith("[[special_sessions]]\ndate = \"2024-12-28\"\nname = \"S\"\n"
                      "open = \"19:00\"\nclose = \"18:00\"\n"),
            "t.toml: special_sessions[0].close: 18:00 is not after open 19:00");
}

TEST(Errors, EarlyCloseNeedsACloseTime) {
  std::string text = BaseWith("early_close", "");
  EXPECT_EQ(Error(text + "[[early_closes]]\ndate = \"2024-12-24\"\nname = \"E\"\n"),
            "t.toml: early_closes[0].close: missing (and there is no hours.early_close)");
  EXPECT_EQ(Error(text + "[[early_close_rules]]\nname = \"E\"\nmonth = 12\nday = 24\n"),
            "t.toml: early_close_rules[0]: no close time (give close here or hours.early_close)");
}

TEST(Errors, Rules) {
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 7\nday = 4\nweekday = \"Monday\"\n"
                      "nth = 1\n"),
            "t.toml: holiday_rules[0]: give exactly one of: day (with month), weekday and nth "
            "(with month), easter_offset");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 7\n"),
            "t.toml: holiday_rules[0]: give exactly one of: day (with month), weekday and nth "
            "(with month), easter_offset");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 13\nday = 4\n"),
            "t.toml: holiday_rules[0].month: 13 is not in 1..12");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 2\nday = 30\n"),
            "t.toml: holiday_rules[0].day: month 2 has no day 30");
  EXPECT_EQ(
      ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 1\nweekday = \"Monday\"\nnth = 0\n"),
      "t.toml: holiday_rules[0].nth: must be 1..5 or -1 (the last)");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 1\nnth = 3\n"),
            "t.toml: holiday_rules[0].weekday: missing (nth needs a weekday)");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 1\nday = 1\n"
                      "observance = \"saturday_to_friday\"\n"),
            "t.toml: holiday_rules[0].observance: unknown observance \"saturday_to_friday\" "
            "(expected none, sunday_to_monday, nearest_weekday)");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\neaster_offset = -2\n"
                      "observance = \"nearest_weekday\"\n"),
            "t.toml: holiday_rules[0].observance: only fixed-date rules (month and day) have one");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\neaster_offset = -2\nmonth = 4\n"),
            "t.toml: holiday_rules[0].month: not allowed with easter_offset");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 1\nday = 1\nfrom = 2020\n"
                      "to = 2010\n"),
            "t.toml: holiday_rules[0].to: 2010 is before from = 2020");
  EXPECT_EQ(ErrorWith("[[holiday_rules]]\nname = \"R\"\nmonth = 1\nday = 1\nclose = \"13:00\"\n"),
            "t.toml: holiday_rules[0].close: unknown key");
  EXPECT_EQ(ErrorWith("[[early_close_rules]]\nname = \"R\"\nmonth = 1\nday = 2\n"
                      "weekdays = \"Monday\"\n"),
            "t.toml: early_close_rules[0].weekdays: expected an array of weekday names");
  EXPECT_EQ(ErrorWith("[[early_close_rules]]\nname = \"R\"\nmonth = 1\nday = 2\n"
                      "close = \"16:00\"\n"),
            "t.toml: early_close_rules[0].close: 16:00 is not between the open 09:30 and the "
            "regular close 16:00");
}

TEST(Errors, CoverageIsNeededForDatedData) {
  std::string text = BaseWith("first_year", "");
  text = text.substr(0, text.find("last_year")) + text.substr(text.find("weekend"));
  EXPECT_EQ(Error(text + "[[holidays]]\ndate = \"2024-01-01\"\nname = \"X\"\n"),
            "t.toml: holidays[0].date: dated entries need a covered year range (first_year, "
            "last_year)");
  EXPECT_EQ(Error(text + "[[holiday_rules]]\nname = \"R\"\nmonth = 1\nday = 1\n"),
            "t.toml: first_year: missing (rules need a covered year range)");
}

}  // namespace
}  // namespace kairos::calendar
