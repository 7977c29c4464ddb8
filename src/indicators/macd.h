#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/ema.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// MACD with TA-Lib's alignment. The slow EMA is seeded on x[0..slow-1]; the fast EMA is seeded on
// x[slow-fast..slow-1] so that both start at bar slow-1 (not on x[0..fast-1]: that is why this
// differs from a naive EMA difference early on). macd = fast - slow; signal = EMA(macd, signal)
// seeded on the first `signal` macd values; hist = macd - signal. If fast > slow they are swapped,
// as TA-Lib does. All three outputs start at bar Lookback. Each EMA step is written in TA-Lib's
// operation order (EmaForm::kTaLib), so the numbers match TA-Lib's to the last bit.
struct MacdParams {
  int fast = 12;
  int slow = 26;
  int signal = 9;
};

// (max(fast, slow) - 1) + (signal - 1); -1 when a period is invalid.
int MacdLookback(MacdParams params);

// InvalidArgument for periods out of range or an output of another length. NaN rule: README.md.
// One pass, each EMA computed once.
Status Macd(std::span<const double> in, MacdParams params, std::span<double> macd,
            std::span<double> signal, std::span<double> hist);

class MacdStream {
 public:
  static Result<MacdStream> Create(MacdParams params);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  // 0 macd, 1 signal, 2 hist.
  double value(size_t index) const;
  double macd() const { return macd_; }
  double signal() const { return signal_; }
  double hist() const { return hist_; }

 private:
  explicit MacdStream(MacdParams params);

  int fast_, slow_;
  using Core = BasicEmaCore<EmaForm::kTaLib>;
  Core fast_ema_, slow_ema_, signal_ema_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;
  double macd_, signal_, hist_;
};

const IndicatorInfo& MacdInfo();

}  // namespace kairos::indicators
