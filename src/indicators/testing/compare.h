#pragma once

// Test-only checks shared by every indicator test.
//
//   // Same first valid row as TA-Lib and max relative difference <= 1e-9 after it:
//   EXPECT_TRUE(MatchesReference(actual, ref.Column("sma_20"), 1e-9));
//
//   // Run an indicator through the registry on bars (kSeries reads close):
//   const IndicatorInfo* info = FindIndicator("sma");
//   auto out = RunBatch(*info, std::vector<double>{20}, InputsFor(*info, bars));  // Result<...>
//
//   // Feed two Stream instances from the registry alternately in random chunk sizes and check
//   // every bar: ready() == (bar >= Lookback), and each output equals batch (NaN == NaN):
//   EXPECT_TRUE(StreamMatchesBatch(*info, params, InputsFor(*info, bars), /*seed=*/1, 1e-12));
//
// MatchesReference prints the maximum relative error it saw, so test logs show the margin.

#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "core/result.h"
#include "indicators/indicator.h"
#include "indicators/testing/reference_data.h"

namespace kairos::indicators::testing {

struct SeriesDiff {
  long first_valid_actual = -1;  // first non-NaN row, -1 when none
  long first_valid_expected = -1;
  long first_nan_mismatch = -1;  // first row where exactly one side is NaN, -1 when none
  double max_rel_error = 0;      // over rows where both are numbers
  long worst_row = -1;
};

// rel_error(a, e) = |a - e| / max(|a|, |e|), 0 when a == e; an absolute difference of at most
// `abs_tol` counts as 0 (for values that cross zero, e.g. a MACD histogram).
SeriesDiff CompareSeries(std::span<const double> actual, std::span<const double> expected,
                         double abs_tol = 0);

// Passes when lengths match, both sides have the same NaN pattern (so the same first valid row)
// and max_rel_error <= rel_tol.
::testing::AssertionResult MatchesReference(std::span<const double> actual,
                                            std::span<const double> expected, double rel_tol,
                                            double abs_tol = 0);

// Maps IndicatorInfo::inputs to the bar columns (kSeries -> close).
std::vector<std::span<const double>> InputsFor(const IndicatorInfo& info, const OhlcvSeries& bars);

// Validates params, allocates the outputs and runs info.batch.
Result<std::vector<std::vector<double>>> RunBatch(const IndicatorInfo& info,
                                                  std::span<const double> params,
                                                  std::span<const std::span<const double>> inputs);

::testing::AssertionResult StreamMatchesBatch(const IndicatorInfo& info,
                                              std::span<const double> params,
                                              std::span<const std::span<const double>> inputs,
                                              uint64_t seed, double rel_tol);

}  // namespace kairos::indicators::testing
