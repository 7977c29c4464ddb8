#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Weighted moving average (TA-Lib WMA): weights 1..period, newest heaviest, divided by
// period*(period+1)/2. O(1) per bar: W' = W - S + period * x_new, S' = S - x_old + x_new.
int WmaLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Wma(std::span<const double> in, int period, std::span<double> out);

class WmaStream {
 public:
  static Result<WmaStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit WmaStream(int period);

  int period_;
  double divisor_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;
  std::vector<double> window_;
  size_t head_ = 0;
  double sum_ = 0;
  double weighted_ = 0;
  double value_;
};

const IndicatorInfo& WmaInfo();

}  // namespace kairos::indicators
