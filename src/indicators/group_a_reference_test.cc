// Group A against TA-Lib 0.4 (/work/shared/reference): same first valid row and relative error
// at most 1e-9 (1e-6 for KAMA) on both data sets; and every entry's stream against its batch.

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "indicators/indicator.h"
#include "indicators/testing/compare.h"
#include "indicators/testing/random_data.h"
#include "indicators/testing/reference_data.h"

namespace kairos::indicators {
namespace {

using testing::InputsFor;
using testing::LoadOhlcv;
using testing::LoadReference;
using testing::ReferencePath;

struct Case {
  std::string column;
  std::string indicator;
  std::vector<double> params;
  size_t output;
  double tolerance;
};

std::vector<Case> Cases() {
  return {
      {"sma_5", "sma", {5}, 0, 1e-9},
      {"sma_20", "sma", {20}, 0, 1e-9},
      {"sma_200", "sma", {200}, 0, 1e-9},
      {"ema_10", "ema", {10}, 0, 1e-9},
      {"ema_50", "ema", {50}, 0, 1e-9},
      {"wma_10", "wma", {10}, 0, 1e-9},
      {"dema_20", "dema", {20}, 0, 1e-9},
      {"tema_20", "tema", {20}, 0, 1e-9},
      {"trima_20", "trima", {20}, 0, 1e-9},
      {"kama_30", "kama", {30}, 0, 1e-6},
      {"macd_12_26_9_macd", "macd", {12, 26, 9}, 0, 1e-9},
      {"macd_12_26_9_signal", "macd", {12, 26, 9}, 1, 1e-9},
      {"macd_12_26_9_hist", "macd", {12, 26, 9}, 2, 1e-9},
      {"bbands_20_2_upper", "bbands", {20, 2, 2}, 0, 1e-9},
      {"bbands_20_2_middle", "bbands", {20, 2, 2}, 1, 1e-9},
      {"bbands_20_2_lower", "bbands", {20, 2, 2}, 2, 1e-9},
      {"stddev_20", "stddev", {20, 1}, 0, 1e-9},
      {"max_20", "max", {20}, 0, 1e-9},
      {"min_20", "min", {20}, 0, 1e-9},
      {"roc_10", "roc", {10}, 0, 1e-9},
      {"mom_10", "mom", {10}, 0, 1e-9},
      {"linearreg_14", "linearreg", {14}, 0, 1e-9},
      {"obv", "obv", {}, 0, 1e-9},
      {"ad", "ad", {}, 0, 1e-9},
  };
}

class ReferenceTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceTest, MatchesTaLib) {
  const std::string set = GetParam();
  auto bars = LoadOhlcv(ReferencePath(set + ".csv"));
  ASSERT_TRUE(bars.ok()) << bars.status().ToString();
  auto ref = LoadReference(ReferencePath(set + "_talib.csv"));
  ASSERT_TRUE(ref.ok()) << ref.status().ToString();
  for (const Case& c : Cases()) {
    SCOPED_TRACE(set + " " + c.column);
    const IndicatorInfo* info = FindIndicator(c.indicator);
    ASSERT_NE(info, nullptr) << c.indicator;
    auto inputs = InputsFor(*info, *bars);
    auto out = testing::RunBatch(*info, c.params, inputs);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ::testing::AssertionResult r =
        testing::MatchesReference((*out)[c.output], ref->Column(c.column), c.tolerance);
    EXPECT_TRUE(r);
    if (r) std::cout << "[ reference ] " << set << " " << c.column << ": " << r.message() << "\n";
    // The first valid row is the registry's lookback.
    auto column = ref->Column(c.column);
    size_t first = 0;
    while (first < column.size() && std::isnan(column[first])) ++first;
    EXPECT_EQ(static_cast<int>(first), info->lookback(c.params));
    // The registry stream gives the same numbers on the real series too.
    EXPECT_TRUE(testing::StreamMatchesBatch(*info, c.params, inputs, 11, 0));
  }
}

INSTANTIATE_TEST_SUITE_P(BothSets, ReferenceTest, ::testing::Values("sp500", "ttrc"));

}  // namespace
}  // namespace kairos::indicators
