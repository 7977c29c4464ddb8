#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
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

int BbandsLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for parameters out of range or an output of another length. NaN rule:
// README.md.
Status Bbands(std::span<const double> in, BbandsParams params, std::span<double> upper,
              std::span<double> middle, std::span<double> lower);

class BbandsStream {
 public:
  static Result<BbandsStream> Create(BbandsParams params);
  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  // 0 upper, 1 middle, 2 lower.
  double value(size_t index) const;

 private:
  explicit BbandsStream(BbandsParams params);

  BbandsParams params_;
  RollingMoments moments_;
  long lookback_;
  long seen_ = 0;
  double upper_, middle_, lower_;
};

const IndicatorInfo& BbandsInfo();

}  // namespace kairos::indicators
