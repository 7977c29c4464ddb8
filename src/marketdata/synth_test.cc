#include "marketdata/synth.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kairos::marketdata {
namespace {

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// n consecutive weekdays from `first`.
std::vector<Date> Weekdays(Date first, int n) {
  std::vector<Date> out;
  for (Date d = first; static_cast<int>(out.size()) < n; d = d.AddDays(1)) {
    if (!d.IsWeekend()) out.push_back(d);
  }
  return out;
}

bool SameBits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
bool SameBits(const BarSeries& a, const BarSeries& b) {
  return a.instrument == b.instrument && a.dates == b.dates && SameBits(a.open, b.open) &&
         SameBits(a.high, b.high) && SameBits(a.low, b.low) && SameBits(a.close, b.close) &&
         SameBits(a.volume, b.volume);
}

TEST(SynthRngTest, IsPinned) {
  // Reproducibility across builds and platforms: these must never change.
  SynthRng rng(42);
  std::vector<uint64_t> first;
  for (int i = 0; i < 3; ++i) first.push_back(rng.Next());
  EXPECT_EQ(first, (std::vector<uint64_t>{1546998764402558742u, 6990951692964543102u,
                                          12544586762248559009u}));
}

TEST(SynthRngTest, UniformAndNormalLookRight) {
  SynthRng rng(7);
  double sum = 0, sum_sq = 0, u_min = 1, u_max = 0;
  constexpr int kN = 200'000;
  for (int i = 0; i < kN; ++i) {
    double u = rng.Uniform();
    u_min = std::min(u_min, u);
    u_max = std::max(u_max, u);
    double z = rng.Normal();
    sum += z;
    sum_sq += z * z;
  }
  EXPECT_GE(u_min, 0.0);
  EXPECT_LT(u_max, 1.0);
  EXPECT_LT(u_min, 1e-3);
  EXPECT_GT(u_max, 1 - 1e-3);
  EXPECT_NEAR(sum / kN, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / kN, 1.0, 0.01);
}

TEST(SynthSeriesTest, SameSeedSameBitsOtherSeedDiffers) {
  std::vector<Date> sessions = Weekdays(D(2020, 1, 1), 500);
  BarSeries a = SynthSeries("SYN0001", "NYSE", sessions, 123);
  BarSeries b = SynthSeries("SYN0001", "NYSE", sessions, 123);
  BarSeries c = SynthSeries("SYN0001", "NYSE", sessions, 124);
  EXPECT_TRUE(SameBits(a, b));
  EXPECT_FALSE(SameBits(a.close, c.close));
  EXPECT_FALSE(SameBits(a.volume, c.volume));
  EXPECT_EQ(a.dates, sessions);
  EXPECT_EQ(a.instrument, (Instrument{"SYN0001", "NYSE"}));
  EXPECT_FALSE(a.close_only);
}

TEST(SynthSeriesTest, IsPinned) {
  std::vector<Date> sessions = Weekdays(D(2020, 1, 1), 3);
  BarSeries s = SynthSeries("X", "NYSE", sessions, 1);
  EXPECT_EQ(s.close, (std::vector<double>{125.33, 127.35, 126.71}));
  EXPECT_EQ(s.volume, (std::vector<double>{1100893, 1670062, 770506}));
}

TEST(SynthSeriesTest, BarsAreConsistentPositiveCentsAndFinite) {
  std::vector<Date> sessions = Weekdays(D(2010, 1, 1), 2500);
  int64_t jumps = 0, bars = 0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    BarSeries s = SynthSeries("S", "NYSE", sessions, seed);
    ASSERT_EQ(s.size(), sessions.size());
    for (size_t i = 0; i < s.size(); ++i) {
      Bar b = s.bar(i);
      for (double v : {b.open, b.high, b.low, b.close, b.volume}) ASSERT_TRUE(std::isfinite(v));
      ASSERT_GE(b.low, 0.01) << seed << " " << i;
      ASSERT_LE(b.low, std::min(b.open, b.close)) << seed << " " << i;
      ASSERT_LE(std::max(b.open, b.close), b.high) << seed << " " << i;
      ASSERT_GE(b.volume, 1);
      ASSERT_EQ(b.volume, std::round(b.volume));
      for (double p : {b.open, b.high, b.low, b.close}) {
        // In cents, and the text form reads back as the same double.
        ASSERT_EQ(p, std::round(p * 100) / 100) << p;
        ASSERT_EQ(std::strtod(fmt::format("{:.2f}", p).c_str(), nullptr), p);
      }
      if (i > 0 && std::fabs(b.open / s.close[i - 1] - 1) > 0.045) ++jumps;
      ++bars;
    }
  }
  // About 0.4% of days gap by 5..30%.
  EXPECT_GT(jumps, bars / 1000);
  EXPECT_LT(jumps, bars / 100);
}

TEST(SynthSeriesTest, VolumeRisesWithTheSizeOfTheMove) {
  std::vector<Date> sessions = Weekdays(D(2010, 1, 1), 5000);
  BarSeries s = SynthSeries("S", "NYSE", sessions, 99);
  // Correlation of |log return| with log volume.
  std::vector<double> x, y;
  for (size_t i = 1; i < s.size(); ++i) {
    x.push_back(std::fabs(std::log(s.close[i] / s.close[i - 1])));
    y.push_back(std::log(s.volume[i]));
  }
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= x.size();
  my /= y.size();
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  EXPECT_GT(sxy / std::sqrt(sxx * syy), 0.3);
}

TEST(SynthSymbolTest, NamesAreZeroPadded) {
  EXPECT_EQ(SynthSymbol(1, 5000), "SYN0001");
  EXPECT_EQ(SynthSymbol(5000, 5000), "SYN5000");
  EXPECT_EQ(SynthSymbol(7, 20000), "SYN00007");
  EXPECT_EQ(SynthSymbol(3, 3), "SYN0003");
  EXPECT_NE(SynthSymbolSeed(1, 1), SynthSymbolSeed(1, 2));
  EXPECT_NE(SynthSymbolSeed(1, 1), SynthSymbolSeed(2, 1));
}

TEST(SynthUniverseTest, DefaultEndIsAFixedDay) {
  EXPECT_EQ(SynthUniverseSpec{}.end, D(2026, 11, 27));
}

TEST(SynthUniverseTest, AnEndOutsideTheCalendarIsOutOfRange) {
  const calendar::ExchangeCalendar& nse = *calendar::ExchangeCalendar::ForExchange("NSE").value();
  Result<std::vector<Date>> sessions = LastSessions(nse, D(2030, 6, 3), 10);
  ASSERT_FALSE(sessions.ok());
  EXPECT_EQ(sessions.status().code(), StatusCode::kOutOfRange);
  // The default end works for every built-in calendar, far back enough for long histories.
  EXPECT_EQ(LastSessions(nse, SynthUniverseSpec{}.end, 5000).value().size(), 5000u);
}

TEST(SynthUniverseTest, IsDeterministicWhateverTheThreads) {
  Result<const calendar::ExchangeCalendar*> cal = calendar::ExchangeCalendar::ForExchange("NYSE");
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  SynthUniverseSpec spec{.symbols = 9, .sessions = 60, .seed = 5, .threads = 1};
  Result<std::vector<BarSeries>> one = SynthUniverse(**cal, spec);
  spec.threads = 4;
  Result<std::vector<BarSeries>> four = SynthUniverse(**cal, spec);
  ASSERT_TRUE(one.ok() && four.ok());
  ASSERT_EQ(one->size(), 9u);
  for (size_t i = 0; i < 9; ++i) EXPECT_TRUE(SameBits((*one)[i], (*four)[i])) << i;

  const BarSeries& third = (*one)[2];
  EXPECT_EQ(third.instrument, (Instrument{"SYN0003", "NYSE"}));
  ASSERT_EQ(third.size(), 60u);
  EXPECT_EQ(third.dates.back(), D(2026, 11, 27));
  EXPECT_TRUE(SameBits(third, SynthSeries("SYN0003", "NYSE", third.dates, SynthSymbolSeed(5, 3))));
  EXPECT_FALSE(SameBits((*one)[0].close, (*one)[1].close));
}

TEST(SynthUniverseTest, ForEachStreamsTheSameSeries) {
  Result<const calendar::ExchangeCalendar*> cal = calendar::ExchangeCalendar::ForExchange("NYSE");
  ASSERT_TRUE(cal.ok());
  SynthUniverseSpec spec{.symbols = 12, .sessions = 30, .seed = 8, .threads = 3};
  Result<std::vector<BarSeries>> all = SynthUniverse(**cal, spec);
  ASSERT_TRUE(all.ok());
  std::mutex mu;
  std::vector<BarSeries> streamed(12);
  Status s = ForEachSynthSeries(**cal, spec, [&](int index, const BarSeries& series) {
    std::lock_guard lock(mu);
    streamed[static_cast<size_t>(index)] = series;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok());
  for (size_t i = 0; i < 12; ++i) EXPECT_TRUE(SameBits(streamed[i], (*all)[i])) << i;
}

TEST(SynthUniverseTest, ForEachStopsAtTheFirstSinkError) {
  Result<const calendar::ExchangeCalendar*> cal = calendar::ExchangeCalendar::ForExchange("NYSE");
  ASSERT_TRUE(cal.ok());
  std::atomic<int> calls{0};
  Status s = ForEachSynthSeries(**cal, {.symbols = 1000, .sessions = 10, .threads = 2},
                                [&](int index, const BarSeries&) {
                                  ++calls;
                                  return index == 3 ? Status::IOError("disk full") : Status::Ok();
                                });
  EXPECT_EQ(s, Status::IOError("disk full"));
  EXPECT_LT(calls.load(), 1000);
}

TEST(SynthUniverseTest, BadSpecIsInvalidArgument) {
  Result<const calendar::ExchangeCalendar*> cal = calendar::ExchangeCalendar::ForExchange("NYSE");
  ASSERT_TRUE(cal.ok());
  EXPECT_EQ(SynthUniverse(**cal, {.symbols = 0}).status().message(),
            "need at least one symbol, not 0");
  EXPECT_EQ(SynthUniverse(**cal, {.symbols = 1, .sessions = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(LastSessionsTest, SkipsHolidaysAndEndsOnTheEndDay) {
  Result<const calendar::ExchangeCalendar*> cal = calendar::ExchangeCalendar::ForExchange("NYSE");
  ASSERT_TRUE(cal.ok());
  Result<std::vector<Date>> sessions = LastSessions(**cal, D(2026, 11, 27), 5);
  ASSERT_TRUE(sessions.ok());
  // Thanksgiving 2026 is Thursday 11-26.
  EXPECT_EQ(*sessions, (std::vector<Date>{D(2026, 11, 20), D(2026, 11, 23), D(2026, 11, 24),
                                          D(2026, 11, 25), D(2026, 11, 27)}));
  Result<std::vector<Date>> many = LastSessions(**cal, D(2026, 11, 29), 5000);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->size(), 5000u);
  EXPECT_EQ(many->back(), D(2026, 11, 27));  // a Sunday end day: the last session before it
  EXPECT_TRUE(std::is_sorted(many->begin(), many->end()));
  EXPECT_EQ(LastSessions(**cal, D(2026, 11, 27), 0).status().message(),
            "need at least one session, not 0");
}

}  // namespace
}  // namespace kairos::marketdata
