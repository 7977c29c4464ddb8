#pragma once

#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Simple moving average (TA-Lib SMA): mean of the last `period` values.
// Running sum: S[i] = S[i-1] + (x[i] - x[i-period]), out = S * (1/period).
int SmaLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Sma(std::span<const double> in, int period, std::span<double> out);

class SmaStream {
 public:
  static Result<SmaStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit SmaStream(int period);

  int period_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;              // finite bars since the last restart
  std::vector<double> window_;  // ring of the last `period` values
  size_t head_ = 0;
  double sum_ = 0;
  double value_;
};

const IndicatorInfo& SmaInfo();

}  // namespace kairos::indicators
