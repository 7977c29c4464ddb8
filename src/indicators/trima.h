#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Triangular moving average, TA-Lib's way: an SMA of an SMA. Odd period: both of length
// (period+1)/2; even period: lengths period/2 and period/2 + 1 (weights 1,2,..,k,k,..,2,1).
// Computed as two running sums divided once: out = S2 / (a*b).
int TrimaLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Trima(std::span<const double> in, int period, std::span<double> out);

class TrimaStream {
 public:
  static Result<TrimaStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit TrimaStream(int period);

  int a_, b_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;
  std::vector<double> xs_;   // ring of the last a_ inputs
  std::vector<double> s1s_;  // ring of the last b_ first-stage sums
  size_t x_head_ = 0, s1_head_ = 0;
  double s1_ = 0, s2_ = 0;
  double value_;
};

const IndicatorInfo& TrimaInfo();

}  // namespace kairos::indicators
