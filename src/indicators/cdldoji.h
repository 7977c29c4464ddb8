#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/candle_settings.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// Doji, as TA-Lib's CDLDOJI with its default candle settings (candle_settings.h): 100 when the
// real body |close - open| is at most BodyDoji = 0.1 * the average high - low range of the 10
// previous bars, else 0 (never -100).
// Lookback: 10.
// Flat input: a bar with open == close is a doji whenever it is not above the threshold, which
// includes a series of identical bars (0 <= 0).
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: none.

int CdlDojiLookback();

Status CdlDoji(std::span<const double> open, std::span<const double> high,
               std::span<const double> low, std::span<const double> close, std::span<double> out);

class CdlDojiStream {
 public:
  static Result<CdlDojiStream> Create() { return CdlDojiStream(); }

  void Update(double open, double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(open, high, low, close)) {
      if (history_.count() != 0)
        kernel_util::Restart(*this, &CdlDojiStream::seen_, [] { return CdlDojiStream(); });
      return;
    }
    UpdateFinite(open, high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double open, double high, double low, double close) {
    using kernel_util::CandleRange;
    using kernel_util::kBodyDoji;
    history_.Push({open, high, low, close});
    int64_t bar = history_.count() - 1;
    const kernel_util::OhlcBar& now = history_.Ago(0);
    if (bar < kBodyDoji.period) {
      body_doji_total_ += CandleRange(kBodyDoji.range, now);
      return;
    }
    value_ =
        now.RealBody() <= kernel_util::CandleAverage(kBodyDoji, body_doji_total_, now) ? 100 : 0;
    body_doji_total_ += CandleRange(kBodyDoji.range, now) -
                        CandleRange(kBodyDoji.range, history_.Ago(kBodyDoji.period));
  }
  bool ready() const { return seen_ > kernel_util::kBodyDoji.period; }
  double value() const { return value_; }

 private:
  CdlDojiStream() = default;

  int64_t seen_ = 0;                 // bars fed
  kernel_util::BarHistory history_;  // since the start or the last non-finite input
  double body_doji_total_ = 0;
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& CdlDojiInfo();

}  // namespace kairos::indicators
