#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/candle_settings.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// Hammer, as TA-Lib's CDLHAMMER with its default candle settings (candle_settings.h): 100 when
// all of these hold for bar i, else 0 (never -100; the trend before it is not checked, as in
// TA-Lib):
// - small real body: body < BodyShort = the average real body of the 10 previous bars;
// - long lower shadow: lower shadow > ShadowLong = the bar's own real body;
// - very short upper shadow: upper shadow < ShadowVeryShort = 0.1 * the average high - low range
//   of the 10 previous bars;
// - body near the previous low: min(open, close) <= low[i-1] + Near, where Near = 0.2 * the
//   average high - low range of the 5 bars before bar i-1.
// Lookback: 11.
// Flat input: a series of identical bars never matches (0 < 0 is false).
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: none.

int CdlHammerLookback();

Status CdlHammer(std::span<const double> open, std::span<const double> high,
                 std::span<const double> low, std::span<const double> close, std::span<double> out);

class CdlHammerStream {
 public:
  static constexpr int kLookback = 11;

  static Result<CdlHammerStream> Create() { return CdlHammerStream(); }

  void Update(double open, double high, double low, double close);
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double open, double high, double low, double close);
  bool ready() const { return seen_ > kLookback; }
  double value() const { return value_; }

 private:
  CdlHammerStream() = default;

  int64_t seen_ = 0;                 // bars fed
  kernel_util::BarHistory history_;  // since the start or the last non-finite input
  double body_short_total_ = 0;
  double shadow_very_short_total_ = 0;
  double near_total_ = 0;
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& CdlHammerInfo();

}  // namespace kairos::indicators
