#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Williams' %R, as TA-Lib's WILLR: -100 * (HH - close) / (HH - LL) over the last `period` bars
// (computed as (HH - close) / ((HH - LL) / -100), TA-Lib's form), in [-100, 0].
// Lookback: period - 1.
// Flat input: 0 when HH == LL (TA-Lib's convention), never a division by zero.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [2, 100000], default 14. O(1) amortized per bar (block extremes,
// window_extreme.h).

// -1 when the period is invalid.
int WillrLookback(int period);

Status Willr(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, int period, std::span<double> out);

class WillrStream {
 public:
  static Result<WillrStream> Create(int period);

  void Update(double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &WillrStream::seen_,
                             [this] { return WillrStream(static_cast<int>(period_)); });
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    int64_t bar = count_++;
    double hh = highest_.Push(high);
    double ll = lowest_.Push(low);
    if (bar < period_ - 1) return;
    double diff = (hh - ll) / -100.0;
    value_ = diff != 0.0 ? (hh - close) / diff : 0.0;
  }
  bool ready() const { return seen_ > period_ - 1; }
  double value() const { return value_; }

 private:
  explicit WillrStream(int period) : period_(period), highest_(period), lowest_(period) {}

  int64_t period_;
  kernel_util::BlockExtreme<kernel_util::TakeMax> highest_;
  kernel_util::BlockExtreme<kernel_util::TakeMin> lowest_;
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& WillrInfo();

}  // namespace kairos::indicators
