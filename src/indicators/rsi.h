#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// RSI, as TA-Lib's RSI (Wilder 1978, unstable period 0). Over the changes d = x[i] - x[i-1]:
// average gain and average loss are seeded with the plain means of the first `period` changes and
// then smoothed the Wilder way, avg = (avg * (period - 1) + x) / period;
// rsi = 100 * avg_gain / (avg_gain + avg_loss).
// Lookback: period (the first value is at row `period`).
// Flat input: when avg_gain + avg_loss is zero (TA-Lib's test, |v| < 1e-8), RSI is 0, as in TA-Lib.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [2, 100000], default 14.

// -1 when the period is invalid.
int RsiLookback(int period);

// `out` receives RSI aligned with `x` (NaN during the warm-up). InvalidArgument for a bad period or
// lengths that differ.
Status Rsi(std::span<const double> x, int period, std::span<double> out);

const IndicatorInfo& RsiInfo();

// kTaLibOrder = false (RsiStream, the `rsi` indicator): the smoothing is
// avg * ((period - 1) / period) + x * (1 / period), which agrees with TA-Lib to ~1e-15 and keeps
// the division off the bar-to-bar dependency chain (about twice as fast).
// kTaLibOrder = true (inside STOCHRSI): TA-Lib's exact operations, (avg * (period - 1) + x) /
// period. STOCHRSI compares RSI values with each other, and TA-Lib gets exact ties (fast %K = 0)
// where the faster form leaves 1e-13.
template <bool kTaLibOrder>
class BasicRsiStream {
 public:
  static Result<BasicRsiStream> Create(int period) {
    KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(RsiInfo(), period));
    return BasicRsiStream(period);
  }

  void Update(double x) {
    ++seen_;
    if (kernel_util::AnyNonFinite(x)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &BasicRsiStream::seen_,
                             [this] { return BasicRsiStream(period_); });
      return;
    }
    UpdateFinite(x);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double x) {
    int64_t bar = count_++;
    if (bar == 0) {
      prev_ = x;
      return;
    }
    double d = x - prev_;
    prev_ = x;
    if (bar < period_) {
      Accumulate(d);
      return;
    }
    if (bar == period_) {
      Accumulate(d);
      gain_ /= period_f_;
      loss_ /= period_f_;
    } else if constexpr (kTaLibOrder) {
      gain_ *= period_minus_one_;
      loss_ *= period_minus_one_;
      Accumulate(d);
      gain_ /= period_f_;
      loss_ /= period_f_;
    } else {
      gain_ = gain_ * keep_ + (d > 0 ? d : 0.0) * inv_;
      loss_ = loss_ * keep_ + (d < 0 ? -d : 0.0) * inv_;
    }
    value_ = Value(gain_, loss_);
  }
  bool ready() const { return seen_ > period_; }
  // NaN during the warm-up (the first one and the one after a non-finite input).
  double value() const { return value_; }

  // 100 * gain / (gain + loss), 0 when the sum is (TA-Lib's) zero.
  static double Value(double gain, double loss) {
    double sum = gain + loss;
    return kernel_util::TaIsZero(sum) ? 0.0 : 100.0 * (gain / sum);
  }

 private:
  explicit BasicRsiStream(int period)
      : period_(period),
        period_f_(period),
        period_minus_one_(period - 1.0),
        keep_((period - 1.0) / period),
        inv_(1.0 / period) {}

  void Accumulate(double d) {
    if (d < 0) {
      loss_ -= d;
    } else {
      gain_ += d;
    }
  }

  int64_t period_;
  double period_f_;
  double period_minus_one_;
  double keep_;        // (period - 1) / period
  double inv_;         // 1 / period
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double prev_ = 0;
  double gain_ = 0;  // sums during the warm-up, then averages
  double loss_ = 0;
  double value_ = kernel_util::kNaN;
};

using RsiStream = BasicRsiStream<false>;

}  // namespace kairos::indicators
