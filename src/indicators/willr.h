#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/group_b_util.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Williams' %R, as TA-Lib's WILLR: -100 * (HH - close) / (HH - LL) over the last `period` bars
// (computed as (HH - close) / ((HH - LL) / -100), TA-Lib's form), in [-100, 0].
// Lookback: period - 1.
// Flat input: 0 when HH == LL (TA-Lib's convention), never a division by zero.
// Non-finite input: that bar and every later bar give NaN.
// Params: period in [2, 100000], default 14. O(1) amortized per bar (block extremes,
// group_b_util.h).

// -1 when the period is invalid.
int WillrLookback(int period);

Status Willr(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, int period, std::span<double> out);

class WillrStream {
 public:
  static Result<WillrStream> Create(int period);

  void Update(double high, double low, double close) {
    if (group_b::IsBad(high) || group_b::IsBad(low) || group_b::IsBad(close)) poisoned_ = true;
    int64_t bar = count_++;
    if (poisoned_) {
      value_ = group_b::kNaN;
      return;
    }
    double hh = highest_.Push(high);
    double ll = lowest_.Push(low);
    if (bar < period_ - 1) return;
    double diff = (hh - ll) / -100.0;
    value_ = diff != 0.0 ? (hh - close) / diff : 0.0;
  }
  bool ready() const { return count_ > period_ - 1; }
  double value() const { return value_; }

 private:
  explicit WillrStream(int period) : period_(period), highest_(period), lowest_(period) {}

  int64_t period_;
  group_b::BlockExtreme<true> highest_;
  group_b::BlockExtreme<false> lowest_;
  int64_t count_ = 0;
  double value_ = group_b::kNaN;
  bool poisoned_ = false;
};

const IndicatorInfo& WillrInfo();

}  // namespace kairos::indicators
