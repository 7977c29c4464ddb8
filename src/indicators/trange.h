#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// True range, as TA-Lib's TRANGE: max(high, previous close) - min(low, previous close), i.e. the
// largest of high - low, |high - prev close| and |low - prev close|.
// Lookback: 1 (the first bar has no previous close, so no value, as in TA-Lib).
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs"): the bar after
// a gap has no previous close, so no value.
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
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &TrangeStream::seen_, [] { return TrangeStream(); });
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    int64_t bar = count_++;
    value_ = bar == 0 ? kernel_util::kNaN : TrueRange(high, low, prev_close_);
    prev_close_ = close;
  }
  bool ready() const { return seen_ > 1; }
  double value() const { return value_; }

 private:
  TrangeStream() = default;

  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double prev_close_ = 0;
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& TrangeInfo();

}  // namespace kairos::indicators
