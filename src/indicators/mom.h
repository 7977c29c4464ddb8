#pragma once

#include <span>

#include "indicators/indicator.h"
#include "indicators/lagged_change.h"

namespace kairos::indicators {

// Momentum (TA-Lib MOM): x - x[t-period].
double MomFormula(double x, double base);
using MomKernel = LaggedChange<MomFormula>;

int MomLookback(int period);  // period

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Mom(std::span<const double> in, int period, std::span<double> out);

using MomStream = MomKernel::Stream;

IndicatorInfo MomInfo();

}  // namespace kairos::indicators
