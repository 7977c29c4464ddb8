#pragma once

#include <span>

#include "indicators/indicator.h"
#include "indicators/lagged_change.h"

namespace kairos::indicators {

// Rate of change in percent (TA-Lib ROC): (x / x[t-period] - 1) * 100. A zero base gives NaN
// (TA-Lib writes 0 there; NaN keeps a rule such as `roc > 5` from firing on a bad price).
double RocFormula(double x, double base);
using RocKernel = LaggedChange<RocFormula>;

int RocLookback(int period);  // period

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Roc(std::span<const double> in, int period, std::span<double> out);

using RocStream = RocKernel::Stream;

IndicatorInfo RocInfo();

}  // namespace kairos::indicators
