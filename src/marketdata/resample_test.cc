#include "marketdata/resample.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kairos::marketdata {
namespace {

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// Weekdays except `holidays`; enough of ExchangeCalendar for resampling.
class FakeCalendar final : public calendar::ExchangeCalendar {
 public:
  explicit FakeCalendar(std::set<Date> holidays) : holidays_(std::move(holidays)) {}
  std::string_view name() const override { return "FAKE"; }
  std::string_view time_zone() const override { return "UTC"; }
  bool Covers(Date) const override { return true; }
  bool IsSession(Date d) const override { return !d.IsWeekend() && !holidays_.contains(d); }
  std::optional<std::string> ClosedReason(Date d) const override {
    if (IsSession(d)) return std::nullopt;
    return "closed";
  }
  Result<calendar::Session> SessionOf(Date d) const override {
    if (!IsSession(d)) return Status::NotFound("no session");
    return calendar::Session{.date = d};
  }
  Date NextSession(Date d) const override {
    do d = d.AddDays(1);
    while (!IsSession(d));
    return d;
  }
  Date PreviousSession(Date d) const override {
    do d = d.AddDays(-1);
    while (!IsSession(d));
    return d;
  }
  std::vector<Date> Sessions(Date from, Date to) const override {
    std::vector<Date> out;
    for (Date d = from; d <= to; d = d.AddDays(1)) {
      if (IsSession(d)) out.push_back(d);
    }
    return out;
  }
  std::optional<Date> LastSessionOfWeek(Date d) const override {
    Date sunday = d.AddDays(7 - static_cast<int32_t>(d.iso_weekday()));
    for (Date x = sunday; x > sunday.AddDays(-7); x = x.AddDays(-1)) {
      if (IsSession(x)) return x;
    }
    return std::nullopt;
  }
  std::optional<Date> LastSessionOfMonth(Date) const override { return std::nullopt; }

 private:
  std::set<Date> holidays_;
};

// Daily bars on the given dates; row i has open 10+i, high 20+i, low 5-i/10, close 11+i,
// volume 100*(i+1).
BarSeries Daily(const std::vector<Date>& dates, bool close_only = false) {
  BarSeries s;
  s.instrument = {"AAPL", "FAKE"};
  s.close_only = close_only;
  for (size_t i = 0; i < dates.size(); ++i) {
    double x = static_cast<double>(i);
    s.Append({dates[i], 10 + x, 20 + x, 5 - x / 10, 11 + x, 100 * (x + 1)});
  }
  return s;
}

TEST(ResampleWeeklyTest, AggregatesEachWeek) {
  FakeCalendar cal({});
  // Mon 2024-06-03 .. Fri 06-07, then Mon 06-10 .. Fri 06-14.
  BarSeries daily = Daily(cal.Sessions(D(2024, 6, 3), D(2024, 6, 14)));
  daily.high[2] = 99;  // Wednesday of week 1
  daily.low[8] = -1;   // Thursday of week 2
  Result<WeeklyBars> weekly = ResampleWeekly(daily, cal);
  ASSERT_TRUE(weekly.ok()) << weekly.status().ToString();
  const BarSeries& w = weekly->bars;
  EXPECT_EQ(w.instrument, daily.instrument);
  EXPECT_FALSE(w.close_only);
  EXPECT_EQ(w.dates, (std::vector<Date>{D(2024, 6, 7), D(2024, 6, 14)}));
  EXPECT_EQ(w.open, (std::vector<double>{10, 15}));
  EXPECT_EQ(w.high, (std::vector<double>{99, 29}));
  EXPECT_EQ(w.low, (std::vector<double>{4.6, -1}));
  EXPECT_EQ(w.close, (std::vector<double>{15, 20}));
  EXPECT_EQ(w.volume, (std::vector<double>{1500, 4000}));
  EXPECT_EQ(weekly->complete, (std::vector<bool>{true, true}));
  Result<BarSeries> plain = ToWeekly(daily, cal);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->close, w.close);
  EXPECT_EQ(plain->dates, w.dates);
}

TEST(ResampleWeeklyTest, WeekInProgressIsDatedByItsLastSessionAndIncomplete) {
  FakeCalendar cal({});
  BarSeries daily = Daily(cal.Sessions(D(2024, 6, 3), D(2024, 6, 12)));  // ends Wednesday
  Result<WeeklyBars> weekly = ResampleWeekly(daily, cal);
  ASSERT_TRUE(weekly.ok());
  EXPECT_EQ(weekly->bars.dates, (std::vector<Date>{D(2024, 6, 7), D(2024, 6, 14)}));
  EXPECT_EQ(weekly->bars.close.back(), 18);  // Wednesday's close so far
  EXPECT_EQ(weekly->complete, (std::vector<bool>{true, false}));
  EXPECT_EQ(LastCompletedWeek(*weekly), 0u);
  EXPECT_FALSE(IsWeekComplete(D(2024, 6, 12), cal));
  EXPECT_TRUE(IsWeekComplete(D(2024, 6, 14), cal));
  EXPECT_TRUE(IsWeekComplete(D(2024, 6, 15), cal));  // Saturday, after the last session
}

TEST(ResampleWeeklyTest, HolidayFridayDatesTheWeekOnThursday) {
  FakeCalendar cal({D(2024, 3, 29)});
  BarSeries daily = Daily(cal.Sessions(D(2024, 3, 25), D(2024, 4, 5)));
  Result<WeeklyBars> weekly = ResampleWeekly(daily, cal);
  ASSERT_TRUE(weekly.ok());
  EXPECT_EQ(weekly->bars.dates, (std::vector<Date>{D(2024, 3, 28), D(2024, 4, 5)}));
  EXPECT_EQ(weekly->bars.volume[0], 100 + 200 + 300 + 400);
  EXPECT_EQ(weekly->complete, (std::vector<bool>{true, true}));
  EXPECT_TRUE(IsWeekComplete(D(2024, 3, 28), cal));
}

TEST(ResampleWeeklyTest, WeeksWithoutDataHaveNoBar) {
  FakeCalendar cal({});
  BarSeries daily = Daily({D(2024, 6, 4), D(2024, 6, 19), D(2024, 6, 21)});
  Result<WeeklyBars> weekly = ResampleWeekly(daily, cal);
  ASSERT_TRUE(weekly.ok());
  EXPECT_EQ(weekly->bars.dates, (std::vector<Date>{D(2024, 6, 7), D(2024, 6, 21)}));
  // The first week's data stops on Tuesday (a gap): not complete.
  EXPECT_EQ(weekly->complete, (std::vector<bool>{false, true}));
}

TEST(ResampleWeeklyTest, WeekendBarCountsTowardItsWeek) {
  FakeCalendar cal({});
  // Saturday 06-08 belongs to the week of Mon 06-03; Sunday 06-09 too.
  BarSeries daily = Daily({D(2024, 6, 7), D(2024, 6, 8), D(2024, 6, 9), D(2024, 6, 10)});
  Result<WeeklyBars> weekly = ResampleWeekly(daily, cal);
  ASSERT_TRUE(weekly.ok());
  EXPECT_EQ(weekly->bars.dates, (std::vector<Date>{D(2024, 6, 7), D(2024, 6, 14)}));
  EXPECT_EQ(weekly->bars.close, (std::vector<double>{13, 14}));
  EXPECT_EQ(weekly->complete, (std::vector<bool>{true, false}));
}

TEST(ResampleWeeklyTest, CloseOnlyGivesCloseOnly) {
  FakeCalendar cal({});
  BarSeries daily = Daily(cal.Sessions(D(2024, 6, 3), D(2024, 6, 11)), true);
  Result<BarSeries> weekly = ToWeekly(daily, cal);
  ASSERT_TRUE(weekly.ok()) << weekly.status().ToString();
  EXPECT_TRUE(weekly->close_only);
  EXPECT_EQ(weekly->close, (std::vector<double>{15, 17}));
  EXPECT_TRUE(weekly->open.empty() && weekly->high.empty() && weekly->low.empty() &&
              weekly->volume.empty());
}

TEST(ResampleWeeklyTest, EmptyGivesEmpty) {
  FakeCalendar cal({});
  Result<WeeklyBars> weekly = ResampleWeekly(Daily({}), cal);
  ASSERT_TRUE(weekly.ok());
  EXPECT_TRUE(weekly->bars.empty());
  EXPECT_TRUE(weekly->complete.empty());
  EXPECT_EQ(LastCompletedWeek(*weekly), std::nullopt);
}

TEST(ResampleWeeklyTest, LastCompletedWeekSkipsTrailingIncompleteWeeks) {
  WeeklyBars weekly;
  weekly.complete = {true, true, false};
  EXPECT_EQ(LastCompletedWeek(weekly), 1u);
  weekly.complete = {false};
  EXPECT_EQ(LastCompletedWeek(weekly), std::nullopt);
  weekly.complete = {true, false, true};
  EXPECT_EQ(LastCompletedWeek(weekly), 2u);
}

TEST(ResampleWeeklyTest, BadInputIsInvalidArgument) {
  FakeCalendar cal({});
  BarSeries unsorted = Daily({D(2024, 6, 4), D(2024, 6, 3)});
  Status s = ToWeekly(unsorted, cal).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "AAPL: daily dates not strictly increasing at row 1: 2024-06-03 after "
            "2024-06-04");
  BarSeries ragged = Daily({D(2024, 6, 3), D(2024, 6, 4)});
  ragged.high.pop_back();
  EXPECT_EQ(ToWeekly(ragged, cal).status().message(),
            "AAPL: daily column 'high' has 1 values, expected 2");
  FakeCalendar closed_week(
      {D(2024, 6, 3), D(2024, 6, 4), D(2024, 6, 5), D(2024, 6, 6), D(2024, 6, 7)});
  EXPECT_EQ(ToWeekly(Daily({D(2024, 6, 5)}), closed_week).status().message(),
            "AAPL: daily bar on 2024-06-05 falls in a week with no FAKE session");
}

// The real NYSE calendar (data/calendars), as the scanner uses it.
class NyseWeeklyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<const calendar::ExchangeCalendar*> cal = calendar::ExchangeCalendar::ForExchange("NYSE");
    ASSERT_TRUE(cal.ok()) << cal.status().ToString();
    cal_ = *cal;
  }
  const calendar::ExchangeCalendar* cal_ = nullptr;
};

TEST_F(NyseWeeklyTest, ThanksgivingWeek2024EndsFriday) {
  std::vector<Date> sessions = cal_->Sessions(D(2024, 11, 18), D(2024, 12, 6));
  ASSERT_EQ(sessions.size(), 14u);  // no session on Thanksgiving, 2024-11-28
  Result<WeeklyBars> weekly = ResampleWeekly(Daily(sessions), *cal_);
  ASSERT_TRUE(weekly.ok()) << weekly.status().ToString();
  EXPECT_EQ(weekly->bars.dates,
            (std::vector<Date>{D(2024, 11, 22), D(2024, 11, 29), D(2024, 12, 6)}));
  EXPECT_EQ(weekly->bars.open[1], 15);   // Monday 11-25
  EXPECT_EQ(weekly->bars.close[1], 19);  // Friday 11-29, the early close
  EXPECT_EQ(weekly->bars.volume[1], 600 + 700 + 800 + 900);
  EXPECT_EQ(weekly->complete, (std::vector<bool>{true, true, true}));
}

TEST_F(NyseWeeklyTest, GoodFridayWeekIsDatedThursday) {
  std::vector<Date> sessions = cal_->Sessions(D(2024, 3, 25), D(2024, 4, 5));
  Result<WeeklyBars> weekly = ResampleWeekly(Daily(sessions), *cal_);
  ASSERT_TRUE(weekly.ok()) << weekly.status().ToString();
  EXPECT_EQ(weekly->bars.dates, (std::vector<Date>{D(2024, 3, 28), D(2024, 4, 5)}));
  EXPECT_EQ(weekly->complete, (std::vector<bool>{true, true}));
  EXPECT_TRUE(IsWeekComplete(D(2024, 3, 28), *cal_));
}

TEST_F(NyseWeeklyTest, DailyBarsOutsideTheCalendarAreOutOfRange) {
  // Bars the calendar cannot place in a week (no session is known there), e.g. from a store
  // written before imports checked coverage: no week is invented for them.
  Result<WeeklyBars> weekly = ResampleWeekly(Daily({D(2028, 12, 29), D(2099, 12, 31)}), *cal_);
  ASSERT_FALSE(weekly.ok());
  EXPECT_EQ(weekly.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(
      weekly.status().message(),
      ::testing::StartsWith("AAPL: 2099-12-31 is outside the years the NYSE calendar covers "
                            "(1990-2028)"));
}

TEST_F(NyseWeeklyTest, LastWeekInProgressIsIncomplete) {
  // Data through Wednesday 2024-11-27, the day before Thanksgiving.
  std::vector<Date> sessions = cal_->Sessions(D(2024, 11, 18), D(2024, 11, 27));
  Result<WeeklyBars> weekly = ResampleWeekly(Daily(sessions), *cal_);
  ASSERT_TRUE(weekly.ok());
  EXPECT_EQ(weekly->bars.dates.back(), D(2024, 11, 29));
  EXPECT_EQ(weekly->complete, (std::vector<bool>{true, false}));
  EXPECT_FALSE(IsWeekComplete(D(2024, 11, 27), *cal_));
}

}  // namespace
}  // namespace kairos::marketdata
