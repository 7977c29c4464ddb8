#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/lagged_change.h"

namespace kairos::indicators {

// Momentum (TA-Lib MOM): x - x[t-period].
double MomFormula(double x, double base);
using MomKernel = LaggedChange<MomFormula>;

int MomLookback(int period);  // period; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Mom(std::span<const double> in, int period, std::span<double> out);

class MomStream : public MomKernel::Stream {
 public:
  static Result<MomStream> Create(int period);

 private:
  explicit MomStream(int period) : MomKernel::Stream(period) {}
};

const IndicatorInfo& MomInfo();

}  // namespace kairos::indicators
