#include "calendar/calendar.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "calendar/embedded_calendars.h"

namespace kairos::calendar {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

Date D(const char* text) { return Date::Parse(text).value(); }

const ExchangeCalendar& Nyse() { return *ExchangeCalendar::ForExchange("NYSE").value(); }
const ExchangeCalendar& Nse() { return *ExchangeCalendar::ForExchange("NSE").value(); }
const ExchangeCalendar& Weekdays() { return *ExchangeCalendar::ForExchange("WEEKDAYS").value(); }

int SessionsInYear(const ExchangeCalendar& cal, int year) {
  return static_cast<int>(
      cal.Sessions(Date::FromYmd(year, 1, 1), Date::FromYmd(year, 12, 31)).size());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---- Registry --------------------------------------------------------------------------------

TEST(Registry, NamesAreTheCanonicalCalendars) {
  EXPECT_THAT(ExchangeCalendar::Names(), ElementsAre("NSE", "NYSE", "WEEKDAYS"));
}

TEST(Registry, NamesAndAliasesInAnyCase) {
  EXPECT_EQ(ExchangeCalendar::ForExchange("nyse").value()->name(), "NYSE");
  EXPECT_EQ(ExchangeCalendar::ForExchange("Nasdaq").value()->name(), "NYSE");
  EXPECT_EQ(ExchangeCalendar::ForExchange("AMEX").value()->name(), "NYSE");
  EXPECT_EQ(ExchangeCalendar::ForExchange("ARCA").value()->name(), "NYSE");
  EXPECT_EQ(ExchangeCalendar::ForExchange("bse").value()->name(), "NSE");
  EXPECT_EQ(ExchangeCalendar::ForExchange("weekdays").value()->name(), "WEEKDAYS");
  EXPECT_EQ(&Nyse(), ExchangeCalendar::ForExchange("NASDAQ").value());
}

TEST(Registry, UnknownExchangeListsTheKnownOnes) {
  Result<const ExchangeCalendar*> r = ExchangeCalendar::ForExchange("LSE");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "unknown exchange \"LSE\"; known: NSE, NYSE, WEEKDAYS (aliases: AMEX, ARCA, BATS, "
            "BSE, NASDAQ, NYSEAMERICAN, NYSEARCA, XBOM, XNSE)");
}

TEST(Registry, TimeZones) {
  EXPECT_EQ(Nyse().time_zone(), "America/New_York");
  EXPECT_EQ(Nse().time_zone(), "Asia/Kolkata");
  EXPECT_EQ(Weekdays().time_zone(), "UTC");
}

// The built-in calendars are compiled in; they must be the files in data/calendars/.
TEST(Registry, EmbeddedDataMatchesTheRepositoryFiles) {
  auto files = internal::EmbeddedCalendarFiles();
  ASSERT_EQ(files.size(), 3u);
  for (const internal::EmbeddedFile& f : files) {
    EXPECT_EQ(f.text,
              ReadFile(std::string(KAIROS_SOURCE_DIR) + "/data/calendars/" + std::string(f.name)))
        << f.name;
  }
}

TEST(LoadCalendarFile, LoadsADataFileFromAPath) {
  auto cal = LoadCalendarFile(std::string(KAIROS_SOURCE_DIR) + "/data/calendars/nyse.toml");
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_EQ((*cal)->name(), "NYSE");
  EXPECT_FALSE((*cal)->IsSession(D("2024-11-28")));
  EXPECT_EQ((*cal)->Sessions(D("2024-01-01"), D("2024-12-31")),
            Nyse().Sessions(D("2024-01-01"), D("2024-12-31")));
}

TEST(LoadCalendarFile, MissingFileIsNotFound) {
  auto cal = LoadCalendarFile("/nonexistent/x.toml");
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(cal.status().message(), "/nonexistent/x.toml: cannot open calendar file");
}

// ---- NYSE: holidays ----------------------------------------------------------------------------

TEST(Nyse, RegularHolidays2024) {
  const auto& c = Nyse();
  EXPECT_THAT(c.ClosedReason(D("2024-01-01")), Optional(std::string("New Year's Day")));
  EXPECT_THAT(c.ClosedReason(D("2024-01-15")),
              Optional(std::string("Martin Luther King, Jr. Day")));
  EXPECT_THAT(c.ClosedReason(D("2024-02-19")), Optional(std::string("Washington's Birthday")));
  EXPECT_THAT(c.ClosedReason(D("2024-03-29")), Optional(std::string("Good Friday")));
  EXPECT_THAT(c.ClosedReason(D("2024-05-27")), Optional(std::string("Memorial Day")));
  EXPECT_THAT(c.ClosedReason(D("2024-06-19")),
              Optional(std::string("Juneteenth National Independence Day")));
  EXPECT_THAT(c.ClosedReason(D("2024-07-04")), Optional(std::string("Independence Day")));
  EXPECT_THAT(c.ClosedReason(D("2024-09-02")), Optional(std::string("Labor Day")));
  EXPECT_THAT(c.ClosedReason(D("2024-11-28")), Optional(std::string("Thanksgiving Day")));
  EXPECT_THAT(c.ClosedReason(D("2024-12-25")), Optional(std::string("Christmas Day")));
  EXPECT_FALSE(c.IsSession(D("2024-11-28")));
  EXPECT_TRUE(c.IsSession(D("2024-11-27")));
  EXPECT_EQ(c.ClosedReason(D("2024-11-27")), std::nullopt);
  EXPECT_THAT(c.ClosedReason(D("2024-11-30")), Optional(std::string("weekend")));
}

TEST(Nyse, OneOffClosures) {
  const auto& c = Nyse();
  for (const char* d : {"2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14"}) {
    EXPECT_FALSE(c.IsSession(D(d))) << d;
    EXPECT_THAT(c.ClosedReason(D(d)), Optional(std::string("September 11 attacks")));
  }
  EXPECT_TRUE(c.IsSession(D("2001-09-10")));
  EXPECT_TRUE(c.IsSession(D("2001-09-17")));
  EXPECT_THAT(c.ClosedReason(D("2012-10-29")), Optional(std::string("Hurricane Sandy")));
  EXPECT_THAT(c.ClosedReason(D("2012-10-30")), Optional(std::string("Hurricane Sandy")));
  EXPECT_TRUE(c.IsSession(D("2012-10-31")));
  for (const char* d : {"1994-04-27", "2004-06-11", "2007-01-02", "2018-12-05", "2025-01-09"}) {
    EXPECT_FALSE(c.IsSession(D(d))) << d;
  }
  EXPECT_THAT(c.ClosedReason(D("2025-01-09")),
              Optional(std::string("National day of mourning for former President Jimmy Carter")));
}

TEST(Nyse, ObservanceRules) {
  const auto& c = Nyse();
  // New Year's Day on a Saturday is not observed on the Friday before (NYSE Rule 7.2).
  EXPECT_TRUE(c.IsSession(D("2021-12-31")));
  EXPECT_TRUE(c.IsSession(D("2010-12-31")));
  EXPECT_TRUE(c.IsSession(D("2004-12-31")));
  EXPECT_TRUE(c.IsSession(D("1999-12-31")));
  EXPECT_TRUE(c.IsSession(D("1993-12-31")));
  // ... but on a Sunday it is observed on the Monday.
  EXPECT_THAT(c.ClosedReason(D("2017-01-02")), Optional(std::string("New Year's Day")));
  EXPECT_THAT(c.ClosedReason(D("2023-01-02")), Optional(std::string("New Year's Day")));
  // Other Saturday holidays: the Friday before; Sunday holidays: the Monday after.
  EXPECT_THAT(c.ClosedReason(D("2022-12-26")), Optional(std::string("Christmas Day")));
  EXPECT_THAT(c.ClosedReason(D("2021-12-24")), Optional(std::string("Christmas Day")));
  EXPECT_THAT(c.ClosedReason(D("2020-07-03")), Optional(std::string("Independence Day")));
  EXPECT_THAT(c.ClosedReason(D("2026-07-03")), Optional(std::string("Independence Day")));
  EXPECT_THAT(c.ClosedReason(D("2021-07-05")), Optional(std::string("Independence Day")));
  EXPECT_THAT(c.ClosedReason(D("2022-06-20")),
              Optional(std::string("Juneteenth National Independence Day")));
  EXPECT_TRUE(c.IsSession(D("2022-06-17")));
}

TEST(Nyse, HolidaysStartWhenTheExchangeAdoptedThem) {
  const auto& c = Nyse();
  EXPECT_TRUE(c.IsSession(D("1997-01-20")));  // MLK Day, before 1998
  EXPECT_FALSE(c.IsSession(D("1998-01-19")));
  EXPECT_TRUE(c.IsSession(D("2021-06-18")));  // Juneteenth, before 2022
  EXPECT_FALSE(c.IsSession(D("2023-06-19")));
}

TEST(Nyse, GoodFridayFollowsEaster) {
  const auto& c = Nyse();
  for (const char* d :
       {"1990-04-13", "2000-04-21", "2019-04-19", "2024-03-29", "2025-04-18", "2026-04-03"}) {
    EXPECT_THAT(c.ClosedReason(D(d)), Optional(std::string("Good Friday"))) << d;
  }
}

// Published by NYSE Group for 2025 and 2026 (press releases of 2024-11-08 and 2025-12-23).
TEST(Nyse, PublishedHolidays2025And2026) {
  const auto& c = Nyse();
  std::vector<Date> closed_2025, closed_2026;
  for (Date d = D("2025-01-01"); d <= D("2026-12-31"); d = d.AddDays(1)) {
    if (!d.IsWeekend() && !c.IsSession(d))
      (d.year() == 2025 ? closed_2025 : closed_2026).push_back(d);
  }
  EXPECT_THAT(closed_2025,
              ElementsAre(D("2025-01-01"), D("2025-01-09"), D("2025-01-20"), D("2025-02-17"),
                          D("2025-04-18"), D("2025-05-26"), D("2025-06-19"), D("2025-07-04"),
                          D("2025-09-01"), D("2025-11-27"), D("2025-12-25")));
  EXPECT_THAT(closed_2026,
              ElementsAre(D("2026-01-01"), D("2026-01-19"), D("2026-02-16"), D("2026-04-03"),
                          D("2026-05-25"), D("2026-06-19"), D("2026-07-03"), D("2026-09-07"),
                          D("2026-11-26"), D("2026-12-25")));
}

// Weekdays of the year minus the published holidays, counted by hand:
// 2019: 261 - 9; 2023: 260 - 10; 2024: 262 - 10; 2025: 261 - 11 (incl. Carter); 2026: 261 - 10;
// 2027 and 2028 below.
// 2019 is also checked against the S&P 500 file below.
TEST(Nyse, SessionsPerYear) {
  EXPECT_EQ(SessionsInYear(Nyse(), 2019), 252);
  EXPECT_EQ(SessionsInYear(Nyse(), 2023), 250);
  EXPECT_EQ(SessionsInYear(Nyse(), 2024), 252);
  EXPECT_EQ(SessionsInYear(Nyse(), 2025), 250);
  EXPECT_EQ(SessionsInYear(Nyse(), 2026), 251);
  EXPECT_EQ(SessionsInYear(Nyse(), 2027), 251);  // 261 - 10
  EXPECT_EQ(SessionsInYear(Nyse(), 2028), 251);  // 260 - 9
}

// ---- NYSE: hours -------------------------------------------------------------------------------

TEST(Nyse, RegularSessionInUtcAcrossDst) {
  const auto& c = Nyse();
  Session s = c.SessionOf(D("2024-03-08")).value();  // EST, UTC-5
  EXPECT_EQ(s.open.ToString(), "2024-03-08T14:30:00Z");
  EXPECT_EQ(s.close.ToString(), "2024-03-08T21:00:00Z");
  s = c.SessionOf(D("2024-03-11")).value();  // EDT from 2024-03-10
  EXPECT_EQ(s.open.ToString(), "2024-03-11T13:30:00Z");
  EXPECT_EQ(s.close.ToString(), "2024-03-11T20:00:00Z");
  EXPECT_EQ(s.open_minute_local, 570);
  EXPECT_EQ(s.close_minute_local, 960);
  EXPECT_FALSE(s.early_close);
  EXPECT_FALSE(s.special);
  s = c.SessionOf(D("2024-11-01")).value();  // still EDT
  EXPECT_EQ(s.open.ToString(), "2024-11-01T13:30:00Z");
  s = c.SessionOf(D("2024-11-04")).value();  // EST from 2024-11-03
  EXPECT_EQ(s.open.ToString(), "2024-11-04T14:30:00Z");
  EXPECT_EQ(s.date, D("2024-11-04"));
}

TEST(Nyse, EarlyCloses) {
  const auto& c = Nyse();
  Session s = c.SessionOf(D("2024-11-29")).value();
  EXPECT_EQ(s.open.ToString(), "2024-11-29T14:30:00Z");
  EXPECT_EQ(s.close.ToString(), "2024-11-29T18:00:00Z");
  EXPECT_EQ(s.open_minute_local, 570);
  EXPECT_EQ(s.close_minute_local, 780);
  EXPECT_TRUE(s.early_close);
  EXPECT_EQ(FormatSessionLine(s), "2024-11-29,09:30,13:00");
  for (const char* d : {"2024-07-03", "2024-12-24", "2025-07-03", "2025-11-28", "2025-12-24",
                        "2026-11-27", "2026-12-24", "2023-07-03", "2019-07-03", "2018-07-03",
                        "2002-07-05", "2012-12-24", "1997-12-26", "2003-12-26"}) {
    Session e = c.SessionOf(D(d)).value();
    EXPECT_TRUE(e.early_close) << d;
    EXPECT_EQ(e.close_minute_local, 780) << d;
  }
  // Not early: July 3 on a Wednesday before 2013, July 2 before an observed July 3, Christmas Eve
  // on a Friday is the observed Christmas.
  for (const char* d : {"2002-07-03", "2026-07-02", "2015-07-02", "2024-12-23", "1991-07-03"}) {
    EXPECT_FALSE(c.SessionOf(D(d)).value().early_close) << d;
  }
  // 2 p.m. early closes before 1993.
  EXPECT_EQ(c.SessionOf(D("1992-11-27")).value().close_minute_local, 840);
  EXPECT_EQ(c.SessionOf(D("1991-12-24")).value().close_minute_local, 840);
  EXPECT_EQ(c.SessionOf(D("1993-11-26")).value().close_minute_local, 780);
}

TEST(Nyse, LateOpen) {
  Session s = Nyse().SessionOf(D("2002-09-11")).value();
  EXPECT_EQ(FormatSessionLine(s), "2002-09-11,12:00,16:00");
  EXPECT_EQ(s.open.ToString(), "2002-09-11T16:00:00Z");
  EXPECT_FALSE(s.early_close);
}

TEST(Nyse, SessionOfAClosedDayIsNotFound) {
  Result<Session> s = Nyse().SessionOf(D("2024-11-28"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.status().message(), "2024-11-28 is not a NYSE session (Thanksgiving Day)");
  s = Nyse().SessionOf(D("2024-11-30"));
  EXPECT_EQ(s.status().message(), "2024-11-30 is not a NYSE session (weekend)");
}

constexpr const char* kNyseNotCovered =
    " is outside the years the NYSE calendar covers (1990-2028); to add years, extend "
    "data/calendars/nyse.toml as src/calendar/README.md (\"Adding a year\") describes and rebuild";

TEST(Nyse, SessionOfAnUncoveredDayIsOutOfRangeSayingWhichYearsAreCovered) {
  for (const char* d : {"2030-06-01", "2029-01-02", "1989-12-29", "1899-12-29", "9999-12-31"}) {
    Result<Session> s = Nyse().SessionOf(D(d));
    ASSERT_FALSE(s.ok()) << d;
    EXPECT_EQ(s.status().code(), StatusCode::kOutOfRange);
    EXPECT_EQ(s.status().message(), std::string(d) + kNyseNotCovered);
  }
}

// ---- NYSE: navigation --------------------------------------------------------------------------

TEST(Nyse, NextAndPreviousSession) {
  const auto& c = Nyse();
  EXPECT_EQ(c.NextSession(D("2024-11-27")), D("2024-11-29"));
  EXPECT_EQ(c.NextSession(D("2024-11-28")), D("2024-11-29"));
  EXPECT_EQ(c.PreviousSession(D("2024-12-02")), D("2024-11-29"));
  EXPECT_EQ(c.PreviousSession(D("2024-11-29")), D("2024-11-27"));
  EXPECT_EQ(c.NextSession(D("2001-09-10")), D("2001-09-17"));
  EXPECT_EQ(c.PreviousSession(D("2001-09-17")), D("2001-09-10"));
  EXPECT_EQ(c.NextSession(D("2024-12-31")), D("2025-01-02"));
  EXPECT_EQ(c.NextSession(D("2026-12-31")), D("2027-01-04"));  // 2027-01-01 New Year's Day
  // Across the edges of the covered years: the next weekday, which is not a session.
  EXPECT_EQ(c.NextSession(D("2028-12-29")), D("2029-01-01"));
  EXPECT_FALSE(c.IsSession(D("2029-01-01")));
  EXPECT_EQ(c.NextSession(D("2029-01-01")), D("2029-01-02"));
  EXPECT_EQ(c.PreviousSession(D("1990-01-01")), D("1989-12-29"));
  EXPECT_EQ(c.PreviousSession(D("2029-01-01")), D("2028-12-29"));
  EXPECT_EQ(c.NextSession(D("1989-12-29")), D("1990-01-02"));  // 1990-01-01 New Year's Day
  EXPECT_EQ(c.NextSession(D("1989-12-28")), D("1989-12-29"));
}

TEST(Nyse, SessionsInARange) {
  const auto& c = Nyse();
  EXPECT_THAT(c.Sessions(D("2024-12-20"), D("2025-01-03")),
              ElementsAre(D("2024-12-20"), D("2024-12-23"), D("2024-12-24"), D("2024-12-26"),
                          D("2024-12-27"), D("2024-12-30"), D("2024-12-31"), D("2025-01-02"),
                          D("2025-01-03")));
  EXPECT_TRUE(c.Sessions(D("2024-11-30"), D("2024-12-01")).empty());
  EXPECT_TRUE(c.Sessions(D("2024-12-05"), D("2024-12-01")).empty());
  EXPECT_THAT(c.Sessions(D("2024-11-29"), D("2024-11-29")), ElementsAre(D("2024-11-29")));
  // Spanning the edges of the covered years: covered sessions only.
  EXPECT_THAT(c.Sessions(D("2028-12-28"), D("2029-01-03")),
              ElementsAre(D("2028-12-28"), D("2028-12-29")));
  EXPECT_THAT(c.Sessions(D("1989-12-28"), D("1990-01-03")),
              ElementsAre(D("1990-01-02"), D("1990-01-03")));
  EXPECT_TRUE(c.Sessions(D("1900-01-01"), D("1900-12-31")).empty());
}

TEST(Nyse, Coverage) {
  const auto& c = Nyse();
  EXPECT_FALSE(c.Covers(D("1989-12-31")));
  EXPECT_TRUE(c.Covers(D("1990-01-01")));
  EXPECT_TRUE(c.Covers(D("2028-12-31")));
  EXPECT_FALSE(c.Covers(D("2029-01-01")));
  // Outside the covered years nothing is known: no date is a session, and the reason says so.
  EXPECT_FALSE(c.IsSession(D("2029-01-02")));
  EXPECT_FALSE(c.IsSession(D("1899-12-29")));
  EXPECT_THAT(c.ClosedReason(D("1899-12-29")),
              Optional(std::string("1899-12-29") + kNyseNotCovered));
}

TEST(Nyse, CheckCoversNamesTheFirstUncoveredDate) {
  const auto& c = Nyse();
  EXPECT_TRUE(c.CheckCovers(D("1990-01-01"), D("2028-12-31")).ok());
  EXPECT_TRUE(c.CheckCovers(D("2027-06-01")).ok());
  Status s = c.CheckCovers(D("1900-01-01"), D("1900-12-31"));
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_EQ(s.message(), std::string("1900-01-01") + kNyseNotCovered);
  EXPECT_EQ(c.CheckCovers(D("2028-01-01"), D("2100-01-01")).message(),
            std::string("2100-01-01") + kNyseNotCovered);
}

// NYSE's calendar through 2028 (the 2025-12-23 release): every closure and early close.
TEST(Nyse, PublishedHolidaysAndEarlyCloses2027And2028) {
  const auto& c = Nyse();
  std::vector<Date> closed_2027, closed_2028, early;
  for (Date d = D("2027-01-01"); d <= D("2028-12-31"); d = d.AddDays(1)) {
    if (d.IsWeekend()) continue;
    if (!c.IsSession(d))
      (d.year() == 2027 ? closed_2027 : closed_2028).push_back(d);
    else if (c.SessionOf(d).value().early_close)
      early.push_back(d);
  }
  EXPECT_THAT(closed_2027,
              ElementsAre(D("2027-01-01"), D("2027-01-18"), D("2027-02-15"), D("2027-03-26"),
                          D("2027-05-31"), D("2027-06-18"), D("2027-07-05"), D("2027-09-06"),
                          D("2027-11-25"), D("2027-12-24")));
  EXPECT_THAT(closed_2028, ElementsAre(D("2028-01-17"), D("2028-02-21"), D("2028-04-14"),
                                       D("2028-05-29"), D("2028-06-19"), D("2028-07-04"),
                                       D("2028-09-04"), D("2028-11-23"), D("2028-12-25")));
  EXPECT_THAT(early, ElementsAre(D("2027-11-26"), D("2028-07-03"), D("2028-11-24")));
  EXPECT_THAT(c.ClosedReason(D("2027-06-18")),
              Optional(std::string("Juneteenth National Independence Day")));
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2028-07-03")).value()), "2028-07-03,09:30,13:00");
}

TEST(Nyse, LastSessionOfWeekAndMonth) {
  const auto& c = Nyse();
  EXPECT_THAT(c.LastSessionOfWeek(D("2024-03-25")), Optional(D("2024-03-28")));  // Good Friday
  EXPECT_THAT(c.LastSessionOfWeek(D("2024-03-31")), Optional(D("2024-03-28")));  // Sunday
  EXPECT_THAT(c.LastSessionOfWeek(D("2001-09-12")), Optional(D("2001-09-10")));
  EXPECT_THAT(c.LastSessionOfWeek(D("2024-11-25")), Optional(D("2024-11-29")));
  EXPECT_TRUE(c.IsLastSessionOfWeek(D("2024-03-28")));
  EXPECT_FALSE(c.IsLastSessionOfWeek(D("2024-03-27")));
  EXPECT_THAT(c.LastSessionOfMonth(D("2024-03-05")), Optional(D("2024-03-28")));
  EXPECT_THAT(c.LastSessionOfMonth(D("2021-12-01")), Optional(D("2021-12-31")));
  EXPECT_THAT(c.LastSessionOfMonth(D("2022-12-31")), Optional(D("2022-12-30")));
  EXPECT_THAT(c.LastSessionOfMonth(D("2024-02-10")), Optional(D("2024-02-29")));
  EXPECT_TRUE(c.IsLastSessionOfMonth(D("2024-02-29")));
  EXPECT_FALSE(c.IsLastSessionOfMonth(D("2024-02-28")));
}

// ---- NYSE against real data --------------------------------------------------------------------

// The distinct values of column `column` (0-based) of a CSV file with a header, quotes removed.
std::vector<Date> CsvDates(const std::string& path, size_t column) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::string line;
  std::getline(in, line);  // header
  std::set<Date> dates;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) {
      f.erase(std::remove(f.begin(), f.end(), '"'), f.end());
      fields.push_back(f);
    }
    if (fields.size() <= column) continue;
    Result<Date> d = Date::Parse(fields[column]);
    EXPECT_TRUE(d.ok()) << line;
    if (d.ok()) dates.insert(*d);
  }
  return {dates.begin(), dates.end()};
}

// The S&P 500 index file has every NYSE session from 2000-01-03 to 2020-04-17.
TEST(NyseRealData, Sp500IndexDatesAreExactlyTheSessions) {
  std::vector<Date> dates =
      CsvDates(std::string(KAIROS_SHARED_DIR) + "/data/sp500_index_ohlcv_2000_2020.csv", 1);
  ASSERT_EQ(dates.size(), 5105u);
  for (Date d : dates) EXPECT_TRUE(Nyse().IsSession(d)) << d.ToString();
  EXPECT_EQ(Nyse().Sessions(dates.front(), dates.back()), dates);
}

// The Dow Jones 30 file (1990-12-31 to 2001-01-02) also has every session of its range.
TEST(NyseRealData, DowJones30DatesAreExactlyTheSessions) {
  std::vector<Date> dates =
      CsvDates(std::string(KAIROS_SHARED_DIR) + "/data/dowjones30_close_1990_2001.csv", 1);
  ASSERT_FALSE(dates.empty());
  EXPECT_EQ(dates.front(), D("1990-12-31"));
  EXPECT_EQ(dates.back(), D("2001-01-02"));
  for (Date d : dates) EXPECT_TRUE(Nyse().IsSession(d)) << d.ToString();
  EXPECT_EQ(Nyse().Sessions(dates.front(), dates.back()), dates);
}

// ---- NSE ---------------------------------------------------------------------------------------

std::vector<Date> ClosedWeekdays(const ExchangeCalendar& c, int year) {
  std::vector<Date> out;
  for (Date d = Date::FromYmd(year, 1, 1); d <= Date::FromYmd(year, 12, 31); d = d.AddDays(1)) {
    if (!d.IsWeekend() && !c.IsSession(d)) out.push_back(d);
  }
  return out;
}

// The published lists (see nse.toml for the circulars). Diwali Laxmi Pujan is a holiday with a
// Muhurat session, so it counts as a session here.
TEST(Nse, Holidays2024) {
  EXPECT_THAT(ClosedWeekdays(Nse(), 2024),
              ElementsAre(D("2024-01-22"), D("2024-01-26"), D("2024-03-08"), D("2024-03-25"),
                          D("2024-03-29"), D("2024-04-11"), D("2024-04-17"), D("2024-05-01"),
                          D("2024-05-20"), D("2024-06-17"), D("2024-07-17"), D("2024-08-15"),
                          D("2024-10-02"), D("2024-11-15"), D("2024-11-20"), D("2024-12-25")));
  EXPECT_THAT(Nse().ClosedReason(D("2024-03-25")), Optional(std::string("Holi")));
}

TEST(Nse, Holidays2025) {
  EXPECT_THAT(ClosedWeekdays(Nse(), 2025),
              ElementsAre(D("2025-02-26"), D("2025-03-14"), D("2025-03-31"), D("2025-04-10"),
                          D("2025-04-14"), D("2025-04-18"), D("2025-05-01"), D("2025-08-15"),
                          D("2025-08-27"), D("2025-10-02"), D("2025-10-22"), D("2025-11-05"),
                          D("2025-12-25")));
  EXPECT_THAT(Nse().ClosedReason(D("2025-10-22")), Optional(std::string("Diwali Balipratipada")));
}

TEST(Nse, Holidays2026) {
  EXPECT_THAT(ClosedWeekdays(Nse(), 2026),
              ElementsAre(D("2026-01-15"), D("2026-01-26"), D("2026-03-03"), D("2026-03-26"),
                          D("2026-03-31"), D("2026-04-03"), D("2026-04-14"), D("2026-05-01"),
                          D("2026-05-28"), D("2026-06-26"), D("2026-09-14"), D("2026-10-02"),
                          D("2026-10-20"), D("2026-11-10"), D("2026-11-24"), D("2026-12-25")));
  EXPECT_THAT(Nse().ClosedReason(D("2026-01-15")),
              Optional(std::string("Municipal Corporation Election - Maharashtra")));
}

TEST(Nse, RegularSessionInUtc) {
  Session s = Nse().SessionOf(D("2024-11-04")).value();
  EXPECT_EQ(s.open.ToString(), "2024-11-04T03:45:00Z");
  EXPECT_EQ(s.close.ToString(), "2024-11-04T10:00:00Z");
  EXPECT_EQ(FormatSessionLine(s), "2024-11-04,09:15,15:30");
  EXPECT_FALSE(s.special);
  EXPECT_FALSE(s.early_close);
}

TEST(Nse, MuhuratSessions) {
  Session s = Nse().SessionOf(D("2024-11-01")).value();
  EXPECT_TRUE(s.special);
  EXPECT_FALSE(s.early_close);
  EXPECT_EQ(s.open_minute_local, 18 * 60);
  EXPECT_EQ(s.close_minute_local, 19 * 60);
  EXPECT_EQ(s.open.ToString(), "2024-11-01T12:30:00Z");
  EXPECT_EQ(s.close.ToString(), "2024-11-01T13:30:00Z");
  EXPECT_EQ(FormatSessionLine(s), "2024-11-01,18:00,19:00");
  EXPECT_TRUE(Nse().IsSession(D("2024-11-01")));
  EXPECT_EQ(Nse().ClosedReason(D("2024-11-01")), std::nullopt);

  s = Nse().SessionOf(D("2025-10-21")).value();
  EXPECT_TRUE(s.special);
  EXPECT_EQ(FormatSessionLine(s), "2025-10-21,13:45,14:45");
  EXPECT_EQ(s.open.ToString(), "2025-10-21T08:15:00Z");
}

TEST(Nse, WeekendSpecialSessions) {
  const auto& c = Nse();
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2024-01-20")).value()), "2024-01-20,09:15,15:30");
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2024-03-02")).value()), "2024-03-02,09:15,12:30");
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2024-05-18")).value()), "2024-05-18,09:15,12:30");
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2025-02-01")).value()), "2025-02-01,09:15,15:30");
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2026-02-01")).value()), "2026-02-01,09:15,15:30");
  EXPECT_TRUE(c.SessionOf(D("2024-01-20")).value().special);
  EXPECT_FALSE(c.IsSession(D("2024-01-27")));
  // Weekend sessions take part in navigation and in weekly grouping.
  EXPECT_EQ(c.NextSession(D("2024-01-19")), D("2024-01-20"));
  EXPECT_EQ(c.NextSession(D("2024-01-20")), D("2024-01-23"));
  EXPECT_THAT(c.LastSessionOfWeek(D("2024-01-15")), Optional(D("2024-01-20")));
  EXPECT_THAT(c.LastSessionOfWeek(D("2026-01-26")), Optional(D("2026-02-01")));  // Sunday
}

TEST(Nse, SessionsPerYear) {
  // 262 weekdays - 17 holidays + 1 Muhurat session (on a holiday) + 3 Saturday sessions.
  EXPECT_EQ(SessionsInYear(Nse(), 2024), 249);
  // 261 - 14 + 1 Muhurat + 1 Budget Saturday; 261 - 16 + 1 Budget Sunday.
  EXPECT_EQ(SessionsInYear(Nse(), 2025), 249);
  EXPECT_EQ(SessionsInYear(Nse(), 2026), 246);
}

TEST(Nse, Coverage) {
  EXPECT_FALSE(Nse().Covers(D("2004-12-31")));
  EXPECT_TRUE(Nse().Covers(D("2005-01-01")));
  EXPECT_TRUE(Nse().Covers(D("2026-12-31")));
  EXPECT_FALSE(Nse().Covers(D("2027-01-01")));
  EXPECT_FALSE(Nse().IsSession(D("2004-12-31")));
  EXPECT_EQ(Nse().CheckCovers(D("2004-12-31")).message(),
            "2004-12-31 is outside the years the NSE calendar covers (2005-2026); to add years, "
            "extend data/calendars/nse.toml as src/calendar/README.md (\"Adding a year\") "
            "describes and rebuild");
}

// 2005-2023 come from pandas_market_calendars' NSE list, cross-checked against exchange_calendars'
// XBOM list (nse.toml says where they differ). Weekday holidays per year, as in the NSE list;
// a Diwali Laxmi Pujan with a Muhurat session is a session here, as in both sources.
TEST(Nse, HolidayCountsPerYear2005To2023MatchTheSourceList) {
  const std::vector<std::pair<int, size_t>> counts = {
      {2005, 12}, {2006, 13}, {2007, 12}, {2008, 16}, {2009, 19}, {2010, 10}, {2011, 13},
      {2012, 14}, {2013, 13}, {2014, 18}, {2015, 14}, {2016, 15}, {2017, 12}, {2018, 15},
      {2019, 17}, {2020, 12}, {2021, 13}, {2022, 12}, {2023, 15}};
  for (auto [year, count] : counts) EXPECT_EQ(ClosedWeekdays(Nse(), year).size(), count) << year;
}

TEST(Nse, Holidays2005And2023) {
  EXPECT_THAT(ClosedWeekdays(Nse(), 2005),
              ElementsAre(D("2005-01-21"), D("2005-01-26"), D("2005-03-25"), D("2005-04-14"),
                          D("2005-07-27"), D("2005-07-28"), D("2005-08-15"), D("2005-09-07"),
                          D("2005-10-12"), D("2005-11-03"), D("2005-11-04"), D("2005-11-15")));
  EXPECT_THAT(ClosedWeekdays(Nse(), 2023),
              ElementsAre(D("2023-01-26"), D("2023-03-07"), D("2023-03-30"), D("2023-04-04"),
                          D("2023-04-07"), D("2023-04-14"), D("2023-05-01"), D("2023-06-29"),
                          D("2023-08-15"), D("2023-09-19"), D("2023-10-02"), D("2023-10-24"),
                          D("2023-11-14"), D("2023-11-27"), D("2023-12-25")));
}

TEST(Nse, KnownHolidaysOfEarlierYears) {
  const auto& c = Nse();
  for (const char* d : {"2008-10-09", "2009-12-28", "2010-12-17", "2013-11-15", "2016-10-31",
                        "2019-10-21", "2020-11-30", "2021-11-05", "2022-10-26"}) {
    EXPECT_FALSE(c.IsSession(D(d))) << d;
  }
  EXPECT_THAT(c.ClosedReason(D("2012-01-26")), Optional(std::string("Republic Day")));
  EXPECT_TRUE(c.IsSession(D("2013-11-14")));  // the BSE list's date; see nse.toml
  EXPECT_TRUE(c.IsSession(D("2020-03-23")));
}

TEST(Nse, MuhuratSessionsOfEarlierYears) {
  const auto& c = Nse();
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2005-11-01")).value()), "2005-11-01,18:05,19:20");
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2011-10-26")).value()), "2011-10-26,16:45,18:00");
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2012-11-13")).value()), "2012-11-13,15:45,17:00");
  EXPECT_EQ(FormatSessionLine(c.SessionOf(D("2022-10-24")).value()), "2022-10-24,18:15,19:15");
  EXPECT_TRUE(c.SessionOf(D("2014-10-23")).value().special);
  EXPECT_FALSE(c.IsSession(D("2023-11-12")));  // a Sunday Muhurat session: not recorded
}

// ---- WEEKDAYS ----------------------------------------------------------------------------------

TEST(WeekdaysCalendar, EveryWeekdayIsAWholeUtcDaySession) {
  const auto& c = Weekdays();
  EXPECT_TRUE(c.Covers(D("1900-01-01")));
  EXPECT_TRUE(c.Covers(D("2150-06-01")));
  EXPECT_TRUE(c.IsSession(D("1900-01-01")));   // Monday
  EXPECT_TRUE(c.IsSession(D("2024-12-25")));   // no holidays
  EXPECT_FALSE(c.IsSession(D("2024-11-30")));  // Saturday
  EXPECT_THAT(c.ClosedReason(D("2024-12-01")), Optional(std::string("weekend")));
  Session s = c.SessionOf(D("2024-03-11")).value();
  EXPECT_EQ(s.open.ToString(), "2024-03-11T00:00:00Z");
  EXPECT_EQ(s.close.ToString(), "2024-03-12T00:00:00Z");
  EXPECT_EQ(FormatSessionLine(s), "2024-03-11,00:00,24:00");
  EXPECT_FALSE(s.early_close);
  EXPECT_EQ(c.NextSession(D("2024-11-29")), D("2024-12-02"));
  EXPECT_EQ(c.PreviousSession(D("2024-12-02")), D("2024-11-29"));
  EXPECT_THAT(c.LastSessionOfWeek(D("2024-12-01")), Optional(D("2024-11-29")));
  EXPECT_THAT(c.LastSessionOfMonth(D("2024-11-03")), Optional(D("2024-11-29")));
  EXPECT_EQ(c.Sessions(D("2024-01-01"), D("2024-12-31")).size(), 262u);
}

}  // namespace
}  // namespace kairos::calendar
