#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"
#include "indicators/rsi.h"
#include "indicators/stoch.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Stochastic RSI, as TA-Lib's STOCHRSI with the %D moving average fixed to SMA (TA-Lib's default):
// the fast stochastic (TA-Lib's STOCHF) applied to RSI(period) as high, low and close:
//   fastk = 100 * (rsi - min(rsi)) / (max(rsi) - min(rsi)) over the last fastk_period RSI values;
//   fastd = SMA(fastk, fastd_period).
// Lookback: period + (fastk_period - 1) + (fastd_period - 1).
// Flat input: fastk is 0 when the RSI range is zero (TA-Lib's convention); RSI itself follows
// rsi.h (0 when the series does not move).
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [2, 100000] (default 14), fastk_period (5) and fastd_period (3) in
// [1, 100000].

// -1 when a parameter is invalid.
int StochRsiLookback(int period, int fastk_period, int fastd_period);

Status StochRsi(std::span<const double> x, int period, int fastk_period, int fastd_period,
                std::span<double> fastk, std::span<double> fastd);

class StochRsiStream {
 public:
  static Result<StochRsiStream> Create(int period, int fastk_period, int fastd_period);

  void Update(double x) {
    ++seen_;
    if (kernel_util::AnyNonFinite(x)) {
      if (count_ != 0) {
        kernel_util::Restart(*this, &StochRsiStream::seen_, [this] {
          return StochRsiStream(BasicRsiStream<true>::Create(period_).value(), period_,
                                fastk_period_, fastd_period_);
        });
      }
      return;
    }
    UpdateFinite(x);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double x) {
    rsi_.UpdateFinite(x);
    int64_t bar = count_++;
    double rsi = rsi_.value();
    if (bar < period_ || rsi != rsi) {  // RSI's warm-up (or an RSI that overflowed to NaN)
      fastk_ = fastd_ = kernel_util::kNaN;
      return;
    }
    double highest = highest_.Push(rsi);
    double lowest = lowest_.Push(rsi);
    if (bar < period_ + fastk_period_ - 1) return;
    double k = StochFastK(rsi, highest, lowest);
    double d = fastd_sma_.Push(k);
    if (bar < lookback_) return;
    fastk_ = k;
    fastd_ = d;
  }
  bool ready() const { return seen_ > lookback_; }
  // 0: fastk, 1: fastd; NaN during the warm-up (also the one after a non-finite input).
  double value(size_t index) const { return index == 0 ? fastk_ : fastd_; }

 private:
  StochRsiStream(BasicRsiStream<true> rsi, int period, int fastk_period, int fastd_period)
      : rsi_(rsi),
        period_(period),
        fastk_period_(fastk_period),
        fastd_period_(fastd_period),
        lookback_(period + fastk_period + fastd_period - 2),
        highest_(fastk_period),
        lowest_(fastk_period),
        fastd_sma_(fastd_period) {}

  BasicRsiStream<true> rsi_;
  int period_;
  int fastk_period_;
  int fastd_period_;
  int64_t lookback_;
  kernel_util::BlockExtreme<kernel_util::TakeMax> highest_;
  kernel_util::BlockExtreme<kernel_util::TakeMin> lowest_;
  kernel_util::RunningSma fastd_sma_;
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double fastk_ = kernel_util::kNaN;
  double fastd_ = kernel_util::kNaN;
};

const IndicatorInfo& StochRsiInfo();

}  // namespace kairos::indicators
