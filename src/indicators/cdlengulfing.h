#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/candle_settings.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// Engulfing, as the TA-Lib build behind testdata/shared/reference computes CDLENGULFING (no
// candle-setting averages; the same rule as TA-Lib's current sources, which added the 80s to 0.4's
// strict rule). A bar is white when close >= open, black otherwise (TA-Lib's colour rule).
// On bar i:
// - bullish: bar i-1 black, bar i white, and its body engulfs the previous body with at most one
//   end equal: (close[i] >= open[i-1] and open[i] < close[i-1]) or
//   (close[i] > open[i-1] and open[i] <= close[i-1]);
// - bearish: bar i-1 white, bar i black, (open[i] >= close[i-1] and close[i] < open[i-1]) or
//   (open[i] > close[i-1] and close[i] <= open[i-1]);
// - the value is +-100 when neither end is equal (a full engulfing) and +-80 when one is, else 0.
// Lookback: 2, as TA-Lib 0.4 reports (although only bars i-1 and i are read).
// Flat input: identical bars are all white, so never engulfing.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: none.

int CdlEngulfingLookback();

Status CdlEngulfing(std::span<const double> open, std::span<const double> high,
                    std::span<const double> low, std::span<const double> close,
                    std::span<double> out);

class CdlEngulfingStream {
 public:
  static constexpr int kLookback = 2;

  static Result<CdlEngulfingStream> Create() { return CdlEngulfingStream(); }

  void Update(double open, double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(open, high, low, close)) {
      if (history_.count() != 0)
        kernel_util::Restart(*this, &CdlEngulfingStream::seen_,
                             [] { return CdlEngulfingStream(); });
      return;
    }
    UpdateFinite(open, high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double open, double high, double low, double close) {
    history_.Push({open, high, low, close});
    if (history_.count() <= kLookback) {
      value_ = kernel_util::kNaN;
      return;
    }
    value_ = Pattern(history_.Ago(1), history_.Ago(0));
  }
  bool ready() const { return seen_ > kLookback; }
  double value() const { return value_; }

 private:
  CdlEngulfingStream() = default;

  static double Pattern(const kernel_util::OhlcBar& prev, const kernel_util::OhlcBar& now) {
    bool bullish = now.Color() == 1 && prev.Color() == -1 &&
                   ((now.close >= prev.open && now.open < prev.close) ||
                    (now.close > prev.open && now.open <= prev.close));
    bool bearish = now.Color() == -1 && prev.Color() == 1 &&
                   ((now.open >= prev.close && now.close < prev.open) ||
                    (now.open > prev.close && now.close <= prev.open));
    if (!bullish && !bearish) return 0;
    bool full = now.open != prev.close && now.close != prev.open;
    return now.Color() * (full ? 100.0 : 80.0);
  }

  int64_t seen_ = 0;                 // bars fed
  kernel_util::BarHistory history_;  // since the start or the last non-finite input
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& CdlEngulfingInfo();

}  // namespace kairos::indicators
