#pragma once

#include <span>
#include <vector>

#include "indicators/indicator.h"

namespace kairos::indicators {

// Momentum (TA-Lib MOM): x - x[t-period].
int MomLookback(int period);  // period

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Mom(std::span<const double> in, int period, std::span<double> out);

class MomStream {
 public:
  explicit MomStream(int period);
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

IndicatorInfo MomInfo();

}  // namespace kairos::indicators
