#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Linear regression (TA-Lib LINEARREG): the least-squares line through the last `period` values
// (bars numbered 0 = oldest .. period-1 = newest), evaluated at the newest bar. O(1) per bar with
// running sums S = sum y and W = sum j*y: W' = W - (S - y_old) + (period-1) * y_new.
int LinearregLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Linearreg(std::span<const double> in, int period, std::span<double> out);

class LinearregStream {
 public:
  static Result<LinearregStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit LinearregStream(int period);

  long period_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;
  std::vector<double> window_;
  size_t head_ = 0;
  double sum_ = 0, weighted_ = 0;
  double value_;
};

const IndicatorInfo& LinearregInfo();

}  // namespace kairos::indicators
