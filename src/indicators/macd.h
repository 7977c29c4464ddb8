#pragma once

#include <span>

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

int MacdLookback(MacdParams params);  // (max(fast, slow) - 1) + (signal - 1)

// REQUIRES: periods >= 1, every output the size of `in`. NaN rule: README.md.
// One pass, each EMA computed once.
void Macd(std::span<const double> in, MacdParams params, std::span<double> macd,
          std::span<double> signal, std::span<double> hist);

class MacdStream {
 public:
  explicit MacdStream(MacdParams params);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  // 0 macd, 1 signal, 2 hist.
  double value(size_t index) const;
  double macd() const { return macd_; }
  double signal() const { return signal_; }
  double hist() const { return hist_; }

 private:
  int fast_, slow_;
  using Core = BasicEmaCore<EmaForm::kTaLib>;
  Core fast_ema_, slow_ema_, signal_ema_;
  long lookback_;
  long seen_ = 0;
  long count_ = 0;
  double macd_, signal_, hist_;
};

IndicatorInfo MacdInfo();

}  // namespace kairos::indicators
