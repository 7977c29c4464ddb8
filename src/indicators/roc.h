#pragma once

#include <span>
#include <vector>

#include "indicators/indicator.h"

namespace kairos::indicators {

// Rate of change in percent (TA-Lib ROC): (x / x[t-period] - 1) * 100. A zero base gives NaN
// (TA-Lib writes 0 there; NaN keeps a rule such as `roc > 5` from firing on a bad price).
int RocLookback(int period);  // period

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Roc(std::span<const double> in, int period, std::span<double> out);

class RocStream {
 public:
  explicit RocStream(int period);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  long period_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;
  std::vector<double> window_;  // ring of the last period+1 inputs
  size_t head_ = 0;
  double value_;
};

IndicatorInfo RocInfo();

}  // namespace kairos::indicators
