// Every indicator TA-Lib 0.4 computes, against TA-Lib's outputs on both shared series
// (testdata/shared/reference/README.md): same first valid row (the registry's lookback), relative
// difference <= 1e-9 after it (1e-6 for KAMA, SAR and STOCHRSI, whose recursions amplify rounding;
// candlesticks exactly equal), and the registry stream equal to the batch on the real series.

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "indicators/indicator.h"
#include "indicators/testing/compare.h"
#include "indicators/testing/reference_data.h"

namespace kairos::indicators {
namespace {

using testing::InputsFor;
using testing::LoadOhlcv;
using testing::LoadReference;
using testing::MatchesReference;
using testing::ReferencePath;
using testing::RunBatch;

struct ReferenceCase {
  std::string indicator;
  std::vector<double> params;
  std::vector<std::string> columns;  // reference column per output
  double rel_tol;
};

std::vector<ReferenceCase> Cases() {
  return {
      {"sma", {5}, {"sma_5"}, 1e-9},
      {"sma", {20}, {"sma_20"}, 1e-9},
      {"sma", {200}, {"sma_200"}, 1e-9},
      {"ema", {10}, {"ema_10"}, 1e-9},
      {"ema", {50}, {"ema_50"}, 1e-9},
      {"wma", {10}, {"wma_10"}, 1e-9},
      {"dema", {20}, {"dema_20"}, 1e-9},
      {"tema", {20}, {"tema_20"}, 1e-9},
      {"trima", {20}, {"trima_20"}, 1e-9},
      {"kama", {30}, {"kama_30"}, 1e-6},
      {"macd",
       {12, 26, 9},
       {"macd_12_26_9_macd", "macd_12_26_9_signal", "macd_12_26_9_hist"},
       1e-9},
      {"bbands",
       {20, 2, 2},
       {"bbands_20_2_upper", "bbands_20_2_middle", "bbands_20_2_lower"},
       1e-9},
      {"stddev", {20, 1}, {"stddev_20"}, 1e-9},
      {"max", {20}, {"max_20"}, 1e-9},
      {"min", {20}, {"min_20"}, 1e-9},
      {"roc", {10}, {"roc_10"}, 1e-9},
      {"mom", {10}, {"mom_10"}, 1e-9},
      {"linearreg", {14}, {"linearreg_14"}, 1e-9},
      {"obv", {}, {"obv"}, 1e-9},
      {"ad", {}, {"ad"}, 1e-9},
      {"rsi", {14}, {"rsi_14"}, 1e-9},
      {"rsi", {2}, {"rsi_2"}, 1e-9},
      {"trange", {}, {"trange"}, 1e-9},
      {"atr", {14}, {"atr_14"}, 1e-9},
      {"natr", {14}, {"natr_14"}, 1e-9},
      {"adx", {14}, {"adx_14"}, 1e-9},
      {"plus_di", {14}, {"plus_di_14"}, 1e-9},
      {"minus_di", {14}, {"minus_di_14"}, 1e-9},
      {"stoch", {14, 3, 3}, {"stoch_14_3_3_slowk", "stoch_14_3_3_slowd"}, 1e-9},
      {"stochrsi", {14, 14, 3}, {"stochrsi_14_14_3_fastk", "stochrsi_14_14_3_fastd"}, 1e-6},
      {"cci", {20}, {"cci_20"}, 1e-9},
      {"mfi", {14}, {"mfi_14"}, 1e-9},
      {"willr", {14}, {"willr_14"}, 1e-9},
      {"sar", {0.02, 0.2}, {"sar_0.02_0.2"}, 1e-6},
      {"aroon", {14}, {"aroon_14_down", "aroon_14_up"}, 1e-9},
      {"cdlengulfing", {}, {"cdlengulfing"}, 0},
      {"cdldoji", {}, {"cdldoji"}, 0},
      {"cdlhammer", {}, {"cdlhammer"}, 0},
  };
}

class ReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceTest, MatchesTaLib) {
  const std::string set = GetParam();
  auto bars = LoadOhlcv(ReferencePath(set + ".csv"));
  ASSERT_TRUE(bars.ok()) << bars.status().ToString();
  auto ref = LoadReference(ReferencePath(set + "_talib.csv"));
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  for (const ReferenceCase& c : Cases()) {
    const IndicatorInfo* info = FindIndicator(c.indicator);
    if (info == nullptr) {
      ADD_FAILURE() << "not registered: " << c.indicator;
      continue;
    }
    ASSERT_EQ(info->outputs.size(), c.columns.size()) << c.indicator;
    auto inputs = InputsFor(*info, *bars);
    auto out = RunBatch(*info, c.params, inputs);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    for (size_t j = 0; j < c.columns.size(); ++j) {
      SCOPED_TRACE(set + " " + c.columns[j]);
      ::testing::AssertionResult match =
          MatchesReference((*out)[j], ref->Column(c.columns[j]), c.rel_tol);
      EXPECT_TRUE(match);
      if (match) {
        std::cout << "[ reference ] " << set << " " << c.columns[j] << ": " << match.message()
                  << "\n";
        RecordProperty(set + "." + c.columns[j], match.message());  // the margin
      }
      // The first valid row is the registry's lookback.
      auto column = ref->Column(c.columns[j]);
      size_t first = 0;
      while (first < column.size() && std::isnan(column[first])) ++first;
      EXPECT_EQ(static_cast<int>(first), info->lookback(c.params));
    }
    // The registry stream gives the same numbers on the real series too.
    EXPECT_TRUE(testing::StreamMatchesBatch(*info, c.params, inputs, 11, 0)) << c.indicator;
  }
}

INSTANTIATE_TEST_SUITE_P(BothSeries, ReferenceTest, ::testing::Values("sp500", "ttrc"));

}  // namespace
}  // namespace kairos::indicators
