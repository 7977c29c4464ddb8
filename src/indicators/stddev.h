#pragma once

#include <span>
#include <vector>

#include "indicators/indicator.h"

namespace kairos::indicators {

// Population standard deviation over the last `period` values times `nbdev` (TA-Lib STDDEV):
// running sums S = sum x and Q = sum x^2; var = Q/n - (S/n)^2. A variance at or below
// kFlatVariance * Q/n (cancellation noise of a flat window) is taken as exactly 0.
int StddevLookback(int period);  // period - 1

// Relative threshold under which a window counts as flat (zero variance).
inline constexpr double kFlatVariance = 1e-12;

// sqrt of the population variance from the two window means, with the flat rule above.
double StddevFromMoments(double mean, double mean_of_squares);

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Stddev(std::span<const double> in, int period, double nbdev, std::span<double> out);

// Running S and Q over a window; shared with BBANDS.
class RollingMoments {
 public:
  explicit RollingMoments(int period);
  // Returns true when the window is full after `x`.
  bool Add(double x);
  void Reset();
  double mean() const { return sum_ / period_; }
  double mean_of_squares() const { return sum_sq_ / period_; }

 private:
  double period_;
  long count_ = 0;
  std::vector<double> window_;
  size_t head_ = 0;
  double sum_ = 0, sum_sq_ = 0;
};

class StddevStream {
 public:
  StddevStream(int period, double nbdev);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  RollingMoments moments_;
  double nbdev_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

IndicatorInfo StddevInfo();

}  // namespace kairos::indicators
