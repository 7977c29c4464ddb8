#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/atr.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Normalized ATR, as TA-Lib's NATR: (atr / close) * 100, with ATR as in atr.h.
// Lookback: period.
// Zero close: when |close| < 1e-8 (TA-Lib's zero test) NATR is 0, as in TA-Lib.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [1, 100000], default 14.

// -1 when the period is invalid.
int NatrLookback(int period);

Status Natr(std::span<const double> high, std::span<const double> low,
            std::span<const double> close, int period, std::span<double> out);

class NatrStream {
 public:
  static Result<NatrStream> Create(int period);

  void Update(double high, double low, double close) {
    atr_.Update(high, low, close);  // restarts on a non-finite input (value NaN)
    SetValue(close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    atr_.UpdateFinite(high, low, close);
    SetValue(close);
  }
  bool ready() const { return atr_.ready(); }
  double value() const { return value_; }

 private:
  explicit NatrStream(AtrStream atr) : atr_(atr) {}

  void SetValue(double close) {
    double atr = atr_.value();
    value_ = (atr == atr && kernel_util::TaIsZero(close)) ? 0.0 : (atr / close) * 100.0;
  }

  AtrStream atr_;
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& NatrInfo();

}  // namespace kairos::indicators
