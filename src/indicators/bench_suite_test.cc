#include "indicators/bench_suite.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

namespace kairos::indicators {
namespace {

// Functional checks only: speed is measured in bench/, never asserted in a unit test.

TEST(RandomWalkOhlcv, IsDeterministicPerSeed) {
  OhlcvColumns a = RandomWalkOhlcv(5000, 7);
  OhlcvColumns b = RandomWalkOhlcv(5000, 7);
  OhlcvColumns c = RandomWalkOhlcv(5000, 8);
  EXPECT_EQ(a.close, b.close);
  EXPECT_EQ(a.high, b.high);
  EXPECT_EQ(a.volume, b.volume);
  EXPECT_NE(a.close, c.close);
}

TEST(RandomWalkOhlcv, BarsAreConsistentAndPricesStayRealistic) {
  OhlcvColumns d = RandomWalkOhlcv(200'000);
  ASSERT_EQ(d.size(), 200'000u);
  ASSERT_EQ(d.open.size(), d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    ASSERT_GT(d.low[i], 0) << i;
    ASSERT_LE(d.low[i], std::min(d.open[i], d.close[i])) << i;
    ASSERT_GE(d.high[i], std::max(d.open[i], d.close[i])) << i;
    ASSERT_GT(d.volume[i], 0) << i;
    if (i > 0) {
      ASSERT_EQ(d.open[i], d.close[i - 1]) << i;
    }
  }
  auto [lo, hi] = std::minmax_element(d.close.begin(), d.close.end());
  EXPECT_GT(*lo, 5.0);
  EXPECT_LT(*hi, 2000.0);
}

TEST(StandardBenchCases, AreTheTenNamedCases) {
  std::set<std::string> labels;
  for (const BenchCase& c : StandardBenchCases()) labels.emplace(c.label);
  EXPECT_EQ(labels,
            (std::set<std::string>{"sma_20", "ema_20", "rsi_14", "macd_12_26_9", "bbands_20_2",
                                   "atr_14", "adx_14", "stoch_14_3_3", "max_20", "stddev_20"}));
}

TEST(PreparedCase, UnknownIndicatorIsNotFound) {
  OhlcvColumns d = RandomWalkOhlcv(1000);
  BenchCase unknown{"nope_1", "no_such_indicator", {{"period", 1}}};
  Result<PreparedCase> p = PreparedCase::Prepare(unknown, d);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

TEST(PreparedCase, RunsTheRegisteredKernelAlignedWithTheInput) {
  OhlcvColumns d = RandomWalkOhlcv(3000);
  for (const BenchCase& c : StandardBenchCases()) {
    Result<PreparedCase> p = PreparedCase::Prepare(c, d);
    if (!p.ok() && p.status().code() == StatusCode::kNotFound) continue;  // not registered yet
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    ASSERT_TRUE(p->Run().ok()) << c.label;
    int lookback = p->info().lookback(p->params());
    for (size_t k = 0; k < p->info().outputs.size(); ++k) {
      std::span<const double> out = p->output(k);
      ASSERT_EQ(out.size(), d.size());
      EXPECT_FALSE(std::isnan(out.back())) << c.label << " output " << k;
      ASSERT_LT(static_cast<size_t>(lookback), out.size()) << c.label;
      EXPECT_FALSE(std::isnan(out[lookback])) << c.label << " output " << k;
      if (lookback > 0) {
        EXPECT_TRUE(std::isnan(out[lookback - 1])) << c.label << " output " << k;
      }
    }
  }
}

TEST(RunIndicatorBench, RejectsTooFewBarsOrRuns) {
  EXPECT_EQ(RunIndicatorBench({.bars = 999}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(RunIndicatorBench({.bars = 1000, .runs = 0}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RunIndicatorBench, ReportsEveryCaseAsARowOrSkipped) {
  Result<IndicatorBenchReport> report = RunIndicatorBench({.bars = 2000, .runs = 2});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows.size() + report->skipped.size(), StandardBenchCases().size());
  for (const IndicatorBenchRow& row : report->rows) {
    EXPECT_TRUE(std::isfinite(row.ns_per_bar)) << row.label;
    EXPECT_GT(row.ns_per_bar, 0) << row.label;
  }
  for (const BenchCase& c : StandardBenchCases()) {
    bool registered = FindIndicator(c.indicator) != nullptr;
    bool skipped = std::find(report->skipped.begin(), report->skipped.end(),
                             std::string(c.label)) != report->skipped.end();
    EXPECT_NE(registered, skipped) << c.label;
  }
}

}  // namespace
}  // namespace kairos::indicators
