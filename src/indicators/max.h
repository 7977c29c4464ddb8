#pragma once

#include <span>

#include "indicators/indicator.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Highest value over the last `period` values (TA-Lib MAX). O(n) whatever the data: see
// rolling_extreme.h.
using MaxKernel = WindowExtreme<kernel_util::TakeMax>;

int MaxLookback(int period);  // period - 1

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Max(std::span<const double> in, int period, std::span<double> out);

using MaxStream = MaxKernel::Stream;

IndicatorInfo MaxInfo();

}  // namespace kairos::indicators
