#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/ema.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Double EMA (TA-Lib DEMA): e1 = EMA(x), e2 = EMA(e1) (seeded on the first `period` values of
// e1), dema = 2*e1 - e2.
int DemaLookback(int period);  // 2 * (period - 1); -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Dema(std::span<const double> in, int period, std::span<double> out);

class DemaStream {
 public:
  static Result<DemaStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit DemaStream(int period);

  EmaCore e1_, e2_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

const IndicatorInfo& DemaInfo();

}  // namespace kairos::indicators
