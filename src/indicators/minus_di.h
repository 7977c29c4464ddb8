#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/directional_movement.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// -DI, as TA-Lib's MINUS_DI: 100 * smoothed(-DM) / smoothed(TR), see directional_movement.h.
// Lookback: period.
// Flat input: 0 when the smoothed true range is zero (TA-Lib's convention).
// Non-finite input: that bar and every later bar give NaN.
// Params: period in [1, 100000], default 14 (period 1 gives 100 * -DM / TR of each bar).

// -1 when the period is invalid.
int MinusDiLookback(int period);

Status MinusDi(std::span<const double> high, std::span<const double> low,
               std::span<const double> close, int period, std::span<double> out);

class MinusDiStream {
 public:
  static Result<MinusDiStream> Create(int period);

  void Update(double high, double low, double close) {
    value_ = dm_.Update(high, low, close) ? dm_.MinusDi() : group_b::kNaN;
  }
  bool ready() const { return dm_.count() > period_; }
  double value() const { return value_; }

 private:
  explicit MinusDiStream(int period) : period_(period), dm_(period) {}

  int64_t period_;
  group_b::DirectionalMovement dm_;
  double value_ = group_b::kNaN;
};

const IndicatorInfo& MinusDiInfo();

}  // namespace kairos::indicators
