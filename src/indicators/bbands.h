#pragma once

#include <span>

#include "indicators/indicator.h"
#include "indicators/stddev.h"

namespace kairos::indicators {

// Bollinger bands (TA-Lib BBANDS with MA type fixed to SMA): middle = SMA(period),
// upper = middle + nbdevup * sd, lower = middle - nbdevdn * sd, sd the population standard
// deviation of the same window (flat windows: sd = 0, see stddev.h). One pass, running sums.
struct BbandsParams {
  int period = 5;
  double nbdevup = 2;
  double nbdevdn = 2;
};

int BbandsLookback(int period);  // period - 1

// REQUIRES: period >= 1, every output the size of `in`. NaN rule: README.md.
void Bbands(std::span<const double> in, BbandsParams params, std::span<double> upper,
            std::span<double> middle, std::span<double> lower);

class BbandsStream {
 public:
  explicit BbandsStream(BbandsParams params);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  // 0 upper, 1 middle, 2 lower.
  double value(size_t index) const;

 private:
  BbandsParams params_;
  RollingMoments moments_;
  long lookback_;
  long seen_ = 0;
  double upper_, middle_, lower_;
};

IndicatorInfo BbandsInfo();

}  // namespace kairos::indicators
