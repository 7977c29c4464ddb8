#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/ema.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Triple EMA (TA-Lib TEMA): e1 = EMA(x), e2 = EMA(e1), e3 = EMA(e2), each seeded on the first
// `period` values of its input; tema = 3*e1 - 3*e2 + e3.
int TemaLookback(int period);  // 3 * (period - 1); -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Tema(std::span<const double> in, int period, std::span<double> out);

class TemaStream {
 public:
  static Result<TemaStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit TemaStream(int period);

  EmaCore e1_, e2_, e3_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

const IndicatorInfo& TemaInfo();

}  // namespace kairos::indicators
