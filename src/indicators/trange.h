#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/group_b_util.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// True range, as TA-Lib's TRANGE: max(high, previous close) - min(low, previous close), i.e. the
// largest of high - low, |high - prev close| and |low - prev close|.
// Lookback: 1 (the first bar has no previous close, so no value, as in TA-Lib).
// Non-finite input: that bar and every later bar give NaN (the rule shared by all group-B
// indicators, even though TRANGE itself only looks one bar back).
// Params: none.

int TrangeLookback();

// The true range of bar i given the previous close.
inline double TrueRange(double high, double low, double prev_close) {
  double top = high > prev_close ? high : prev_close;
  double bottom = low < prev_close ? low : prev_close;
  return top - bottom;
}

Status Trange(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<double> out);

class TrangeStream {
 public:
  static Result<TrangeStream> Create() { return TrangeStream(); }

  void Update(double high, double low, double close) {
    if (group_b::IsBad(high) || group_b::IsBad(low) || group_b::IsBad(close)) poisoned_ = true;
    int64_t bar = count_++;
    if (poisoned_ || bar == 0) {
      value_ = group_b::kNaN;
    } else {
      value_ = TrueRange(high, low, prev_close_);
    }
    prev_close_ = close;
  }
  bool ready() const { return count_ > 1; }
  double value() const { return value_; }

 private:
  TrangeStream() = default;

  int64_t count_ = 0;
  double prev_close_ = 0;
  double value_ = group_b::kNaN;
  bool poisoned_ = false;
};

const IndicatorInfo& TrangeInfo();

}  // namespace kairos::indicators
