#pragma once

#include <span>
#include <vector>

#include "indicators/indicator.h"

namespace kairos::indicators {

// Weighted moving average (TA-Lib WMA): weights 1..period, newest heaviest, divided by
// period*(period+1)/2. O(1) per bar: W' = W - S + period * x_new, S' = S - x_old + x_new.
int WmaLookback(int period);  // period - 1

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Wma(std::span<const double> in, int period, std::span<double> out);

class WmaStream {
 public:
  explicit WmaStream(int period);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
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

IndicatorInfo WmaInfo();

}  // namespace kairos::indicators
