#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Slow stochastic oscillator, as TA-Lib's STOCH with both moving averages fixed to SMA (TA-Lib's
// default MA type; the MA types are not parameters here).
//   fastk = 100 * (close - LL) / (HH - LL), HH/LL = highest high / lowest low of the last
//           fastk_period bars (computed as (close - LL) / ((HH - LL) / 100), TA-Lib's form);
//   slowk = SMA(fastk, slowk_period); slowd = SMA(slowk, slowd_period).
// Lookback: (fastk_period - 1) + (slowk_period - 1) + (slowd_period - 1).
// Flat input: fastk is 0 when HH == LL (TA-Lib's convention), never a division by zero.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: fastk_period (default 5), slowk_period (3), slowd_period (3), each in [1, 100000].
// Cost: O(1) amortized per bar (block extremes for HH/LL, window_extreme.h, running sums for the
// SMAs).

// -1 when a parameter is invalid.
int StochLookback(int fastk_period, int slowk_period, int slowd_period);

Status Stoch(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, int fastk_period, int slowk_period, int slowd_period,
             std::span<double> slowk, std::span<double> slowd);

// fastk = 100 * (x - lowest) / (highest - lowest) in TA-Lib's form, 0 when the range is zero.
inline double StochFastK(double x, double highest, double lowest) {
  double diff = (highest - lowest) / 100.0;
  return diff != 0.0 ? (x - lowest) / diff : 0.0;
}

class StochStream {
 public:
  static Result<StochStream> Create(int fastk_period, int slowk_period, int slowd_period);

  void Update(double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &StochStream::seen_, [this] {
          return StochStream(fastk_period_, slowk_period_, slowd_period_);
        });
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    int64_t bar = count_++;
    double highest = highest_.Push(high);
    double lowest = lowest_.Push(low);
    if (bar < fastk_period_ - 1) return;
    double k = slowk_sma_.Push(StochFastK(close, highest, lowest));
    if (bar < fastk_period_ + slowk_period_ - 2) return;
    double d = slowd_sma_.Push(k);
    if (bar < lookback_) return;
    slowk_ = k;
    slowd_ = d;
  }
  bool ready() const { return seen_ > lookback_; }
  // 0: slowk, 1: slowd; NaN during the warm-up (also the one after a non-finite input).
  double value(size_t index) const { return index == 0 ? slowk_ : slowd_; }

 private:
  StochStream(int fastk_period, int slowk_period, int slowd_period)
      : fastk_period_(fastk_period),
        slowk_period_(slowk_period),
        slowd_period_(slowd_period),
        lookback_(fastk_period + slowk_period + slowd_period - 3),
        highest_(fastk_period),
        lowest_(fastk_period),
        slowk_sma_(slowk_period),
        slowd_sma_(slowd_period) {}

  int64_t fastk_period_;
  int64_t slowk_period_;
  int slowd_period_;
  int64_t lookback_;
  kernel_util::BlockExtreme<kernel_util::TakeMax> highest_;
  kernel_util::BlockExtreme<kernel_util::TakeMin> lowest_;
  kernel_util::RunningSma slowk_sma_;
  kernel_util::RunningSma slowd_sma_;
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double slowk_ = kernel_util::kNaN;
  double slowd_ = kernel_util::kNaN;
};

const IndicatorInfo& StochInfo();

}  // namespace kairos::indicators
