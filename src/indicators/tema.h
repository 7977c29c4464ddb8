#pragma once

#include <span>

#include "indicators/ema.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Triple EMA (TA-Lib TEMA): e1 = EMA(x), e2 = EMA(e1), e3 = EMA(e2), each seeded on the first
// `period` values of its input; tema = 3*e1 - 3*e2 + e3.
int TemaLookback(int period);  // 3 * (period - 1)

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Tema(std::span<const double> in, int period, std::span<double> out);

class TemaStream {
 public:
  explicit TemaStream(int period);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  EmaCore e1_, e2_, e3_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

IndicatorInfo TemaInfo();

}  // namespace kairos::indicators
