#pragma once

#include <span>

#include "indicators/indicator.h"
#include "indicators/rolling_extreme.h"

namespace kairos::indicators {

// Lowest value over the last `period` values (TA-Lib MIN). O(n) whatever the data: see
// rolling_extreme.h.
int MinLookback(int period);  // period - 1

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Min(std::span<const double> in, int period, std::span<double> out);

class MinStream {
 public:
  explicit MinStream(int period);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  kernel_util::RollingExtremeStream<kernel_util::TakeMin> window_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

IndicatorInfo MinInfo();

}  // namespace kairos::indicators
