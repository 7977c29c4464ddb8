#pragma once

#include <span>

#include "indicators/indicator.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Lowest value over the last `period` values (TA-Lib MIN). O(n) whatever the data: see
// rolling_extreme.h.
using MinKernel = WindowExtreme<kernel_util::TakeMin>;

int MinLookback(int period);  // period - 1

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Min(std::span<const double> in, int period, std::span<double> out);

using MinStream = MinKernel::Stream;

IndicatorInfo MinInfo();

}  // namespace kairos::indicators
