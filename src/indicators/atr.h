#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"
#include "indicators/trange.h"

namespace kairos::indicators {

// Average true range, as TA-Lib's ATR (Wilder, unstable period 0): the first value is the plain
// mean of the first `period` true ranges (bars 1..period), then
// atr = (atr * (period - 1) + tr) / period. With period 1 it is the true range.
// Lookback: period.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [1, 100000], default 14.

// -1 when the period is invalid.
int AtrLookback(int period);

Status Atr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out);

class AtrStream {
 public:
  static Result<AtrStream> Create(int period);

  void Update(double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &AtrStream::seen_,
                             [this] { return AtrStream(static_cast<int>(period_)); });
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    int64_t bar = count_++;
    double prev_close = prev_close_;
    prev_close_ = close;
    if (bar == 0) return;
    double tr = TrueRange(high, low, prev_close);
    if (bar < period_) {
      atr_ += tr;
    } else if (bar == period_) {
      atr_ += tr;
      atr_ /= period_;
      value_ = atr_;
    } else {
      atr_ = atr_ * keep_ + tr * inv_;
      value_ = atr_;
    }
  }
  bool ready() const { return seen_ > period_; }
  double value() const { return value_; }

 private:
  explicit AtrStream(int period)
      : period_(period), keep_((period - 1.0) / period), inv_(1.0 / period) {}

  int64_t period_;
  double keep_;        // (period - 1) / period
  double inv_;         // 1 / period
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double prev_close_ = 0;
  double atr_ = 0;  // the sum of true ranges during the warm-up
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& AtrInfo();

}  // namespace kairos::indicators
