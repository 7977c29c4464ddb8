#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Aroon, as TA-Lib's AROON: over the last period + 1 bars,
//   up   = (100 / period) * (period - bars since the highest high),
//   down = (100 / period) * (period - bars since the lowest low),
// where ties go to the most recent bar (TA-Lib's rule). Both in [0, 100].
// Lookback: period.
// Flat input: a constant series has its extreme on the latest bar, so up = down = 100.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [2, 100000], default 14. O(1) amortized per bar (monotonic deques).
// Outputs: down, up (TA-Lib's order).

// -1 when the period is invalid.
int AroonLookback(int period);

Status Aroon(std::span<const double> high, std::span<const double> low, int period,
             std::span<double> down, std::span<double> up);

class AroonStream {
 public:
  static Result<AroonStream> Create(int period);

  void Update(double high, double low) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &AroonStream::seen_,
                             [this] { return AroonStream(static_cast<int>(period_)); });
      return;
    }
    UpdateFinite(high, low);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low) {
    int64_t bar = count_++;
    highest_.Push(high);
    lowest_.Push(low);
    if (bar < period_) return;
    up_ = factor_ * static_cast<double>(period_ - (bar - highest_.bar()));
    down_ = factor_ * static_cast<double>(period_ - (bar - lowest_.bar()));
  }
  bool ready() const { return seen_ > period_; }
  // 0: down, 1: up; NaN during the warm-up (also the one after a non-finite input).
  double value(size_t index) const { return index == 0 ? down_ : up_; }

 private:
  explicit AroonStream(int period)
      : period_(period), factor_(100.0 / period), highest_(period + 1), lowest_(period + 1) {}

  int64_t period_;
  double factor_;  // 100 / period
  kernel_util::ExtremeWithBar<kernel_util::TakeMax> highest_;
  kernel_util::ExtremeWithBar<kernel_util::TakeMin> lowest_;
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double down_ = kernel_util::kNaN;
  double up_ = kernel_util::kNaN;
};

const IndicatorInfo& AroonInfo();

}  // namespace kairos::indicators
