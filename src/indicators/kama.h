#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Kaufman adaptive moving average as TA-Lib defines it. At bar t (t >= period):
//   er   = |x[t] - x[t-period]| / sum of |x[j] - x[j-1]| over the last `period` changes
//          (1 when the window is flat or moves in one direction),
//   sc   = (er * (2/3 - 2/31) + 2/31)^2          (fast 2, slow 30),
//   kama = kama + sc * (x[t] - kama), starting from kama = x[period-1].
int KamaLookback(int period);  // period; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Kama(std::span<const double> in, int period, std::span<double> out);

class KamaStream {
 public:
  static Result<KamaStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit KamaStream(int period);

  int period_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;
  std::vector<double> window_;  // ring of the last period+1 inputs
  size_t head_ = 0;
  double sum_changes_ = 0;
  double kama_ = 0;
  double value_;
};

const IndicatorInfo& KamaInfo();

}  // namespace kairos::indicators
