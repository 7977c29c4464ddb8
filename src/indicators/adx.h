#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/directional_movement.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Average directional index, as TA-Lib's ADX (Wilder, unstable period 0). DX = 100 * |+DI - -DI| /
// (+DI + -DI) on each bar from `period` on (directional_movement.h); the first ADX, at bar
// 2 * period - 1, is the sum of the DX of bars period..2*period-1 divided by period, then
// adx = (adx * (period - 1) + dx) / period.
// Lookback: 2 * period - 1.
// Flat input: a bar whose DX is undefined (smoothed TR or +DI + -DI zero, |v| < 1e-8) adds 0 to
// the seeding sum and leaves ADX unchanged afterwards, as TA-Lib does; never a division by zero.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [2, 100000], default 14.

// -1 when the period is invalid.
int AdxLookback(int period);

Status Adx(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out);

class AdxStream {
 public:
  static Result<AdxStream> Create(int period);

  void Update(double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (dm_.count() != 0) {
        kernel_util::Restart(*this, &AdxStream::seen_,
                             [this] { return AdxStream(static_cast<int>(period_)); });
      }
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    if (!dm_.Update(high, low, close)) {
      value_ = kernel_util::kNaN;
      return;
    }
    double dx = 0;
    bool has_dx = dm_.Dx(dx);
    int64_t bar = dm_.count() - 1;
    if (bar < 2 * period_ - 1) {
      if (has_dx) adx_ += dx;
      return;
    }
    if (bar == 2 * period_ - 1) {
      if (has_dx) adx_ += dx;
      adx_ /= period_;
    } else if (has_dx) {
      adx_ = adx_ * keep_ + dx * inv_;
    }
    value_ = adx_;
  }
  bool ready() const { return seen_ > 2 * period_ - 1; }
  double value() const { return value_; }

 private:
  explicit AdxStream(int period)
      : period_(period), keep_((period - 1.0) / period), inv_(1.0 / period), dm_(period) {}

  int64_t period_;
  double keep_;                          // (period - 1) / period
  double inv_;                           // 1 / period
  int64_t seen_ = 0;                     // bars fed
  kernel_util::DirectionalMovement dm_;  // restarted with the stream
  double adx_ = 0;                       // the sum of DX during the warm-up
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& AdxInfo();

}  // namespace kairos::indicators
