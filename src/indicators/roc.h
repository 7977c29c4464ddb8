#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/lagged_change.h"

namespace kairos::indicators {

// Rate of change in percent (TA-Lib ROC): (x / x[t-period] - 1) * 100. A zero base gives NaN
// (TA-Lib writes 0 there; NaN keeps a rule such as `roc > 5` from firing on a bad price).
double RocFormula(double x, double base);
using RocKernel = LaggedChange<RocFormula>;

int RocLookback(int period);  // period; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Roc(std::span<const double> in, int period, std::span<double> out);

class RocStream : public RocKernel::Stream {
 public:
  static Result<RocStream> Create(int period);

 private:
  explicit RocStream(int period) : RocKernel::Stream(period) {}
};

const IndicatorInfo& RocInfo();

}  // namespace kairos::indicators
