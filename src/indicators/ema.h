#pragma once

#include <span>

#include "indicators/indicator.h"

namespace kairos::indicators {

// Exponential moving average as TA-Lib computes it: k = 2 / (period + 1); the first value is
// the SMA of the first `period` inputs, then ema = (x - ema) * k + ema.
int EmaLookback(int period);  // period - 1

// REQUIRES: period >= 1, out.size() == in.size(). NaN rule: README.md.
void Ema(std::span<const double> in, int period, std::span<double> out);

// The recursion shared by EMA, DEMA, TEMA and MACD. Feeds finite values only.
class EmaCore {
 public:
  explicit EmaCore(int period) : period_(period), k_(2.0 / (period + 1.0)) {}
  // Returns true when value() is defined after `x` (from the period-th value on).
  bool Add(double x) {
    if (count_ >= period_) {
      value_ = (x - value_) * k_ + value_;
      return true;
    }
    sum_ += x;
    if (++count_ < period_) return false;
    value_ = sum_ / static_cast<double>(period_);
    return true;
  }
  double value() const { return value_; }
  void Reset() {
    count_ = 0;
    sum_ = 0;
  }

 private:
  int period_;
  double k_;
  int count_ = 0;
  double sum_ = 0;
  double value_ = 0;
};

class EmaStream {
 public:
  explicit EmaStream(int period);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  EmaCore core_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

IndicatorInfo EmaInfo();

}  // namespace kairos::indicators
