#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/directional_movement.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// +DI, as TA-Lib's PLUS_DI: 100 * smoothed(+DM) / smoothed(TR), see directional_movement.h.
// Lookback: period.
// Flat input: 0 when the smoothed true range is zero (TA-Lib's convention).
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [1, 100000], default 14 (period 1 gives 100 * +DM / TR of each bar).

// -1 when the period is invalid.
int PlusDiLookback(int period);

Status PlusDi(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, int period, std::span<double> out);

class PlusDiStream {
 public:
  static Result<PlusDiStream> Create(int period);

  void Update(double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (dm_.count() != 0) {
        kernel_util::Restart(*this, &PlusDiStream::seen_,
                             [this] { return PlusDiStream(static_cast<int>(period_)); });
      }
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    value_ = dm_.Update(high, low, close) ? dm_.PlusDi() : kernel_util::kNaN;
  }
  bool ready() const { return seen_ > period_; }
  double value() const { return value_; }

 private:
  explicit PlusDiStream(int period) : period_(period), dm_(period) {}

  int64_t period_;
  int64_t seen_ = 0;                     // bars fed
  kernel_util::DirectionalMovement dm_;  // restarted with the stream
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& PlusDiInfo();

}  // namespace kairos::indicators
