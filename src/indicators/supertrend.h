#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/atr.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// SuperTrend (not in TA-Lib; the definition is in README.md, "SUPERTREND", with its source):
// ATR(period) as atr.h (TA-Lib's Wilder ATR), hl2 = (high + low) / 2,
//   basic upper = hl2 + multiplier * atr, basic lower = hl2 - multiplier * atr;
//   final upper = basic upper if it is below the previous final upper or the previous close was
//                 above the previous final upper, else the previous final upper;
//   final lower = basic lower if it is above the previous final lower or the previous close was
//                 below the previous final lower, else the previous final lower;
//   direction: the first bar is a downtrend; a downtrend turns up when close > final upper, an
//              uptrend turns down when close < final lower;
//   supertrend = final lower in an uptrend, final upper in a downtrend.
// Outputs: supertrend, direction (+1 uptrend, -1 downtrend).
// Lookback: period (the first ATR), where both final bands start as the basic bands.
// Flat input: ATR 0 makes both bands hl2; nothing divides, so no special case.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [1, 100000] (default 10), multiplier in [0, 100] (default 3).

// -1 when a parameter is invalid.
int SupertrendLookback(int period, double multiplier);

Status Supertrend(std::span<const double> high, std::span<const double> low,
                  std::span<const double> close, int period, double multiplier,
                  std::span<double> supertrend, std::span<double> direction);

class SupertrendStream {
 public:
  static Result<SupertrendStream> Create(int period, double multiplier);

  void Update(double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (count_ != 0) {
        kernel_util::Restart(*this, &SupertrendStream::seen_, [this] {
          return SupertrendStream(AtrStream::Create(period_).value(), period_, multiplier_);
        });
      }
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    ++count_;
    atr_.UpdateFinite(high, low, close);
    double atr = atr_.value();
    double prev_close = prev_close_;
    prev_close_ = close;
    if (atr != atr) {  // warm-up
      supertrend_ = direction_ = kernel_util::kNaN;
      return;
    }
    double hl2 = (high + low) / 2.0;
    double upper = hl2 + multiplier_ * atr;
    double lower = hl2 - multiplier_ * atr;
    if (!started_) {
      started_ = true;
      up_ = false;
    } else {
      if (!(upper < upper_ || prev_close > upper_)) upper = upper_;
      if (!(lower > lower_ || prev_close < lower_)) lower = lower_;
      up_ = up_ ? !(close < lower) : close > upper;
    }
    upper_ = upper;
    lower_ = lower;
    supertrend_ = up_ ? lower_ : upper_;
    direction_ = up_ ? 1.0 : -1.0;
  }
  bool ready() const { return seen_ > period_; }
  // 0: supertrend, 1: direction; NaN during the warm-up (also the one after a non-finite input).
  double value(size_t index) const { return index == 0 ? supertrend_ : direction_; }

 private:
  SupertrendStream(AtrStream atr, int period, double multiplier)
      : atr_(atr), period_(period), multiplier_(multiplier) {}

  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  AtrStream atr_;      // restarted with the stream
  int period_;
  double multiplier_;
  bool started_ = false;
  bool up_ = false;
  double upper_ = 0;  // final bands of the previous bar
  double lower_ = 0;
  double prev_close_ = 0;
  double supertrend_ = kernel_util::kNaN;
  double direction_ = kernel_util::kNaN;
};

const IndicatorInfo& SupertrendInfo();

}  // namespace kairos::indicators
