#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// On-balance volume (TA-Lib OBV): starts at the first bar's volume; then adds the volume when the
// price closes higher than the bar before, subtracts it when lower, keeps it when equal.
int ObvLookback();  // 0

// InvalidArgument for spans of different lengths. NaN rule: README.md (a bar with a NaN price or
// volume restarts the line at the next bar's volume).
Status Obv(std::span<const double> price, std::span<const double> volume, std::span<double> out);

class ObvStream {
 public:
  static Result<ObvStream> Create() { return ObvStream(); }
  void Update(double price, double volume);
  bool ready() const { return seen_ > 0; }
  double value() const { return value_; }

 private:
  ObvStream() = default;

  long seen_ = 0;
  bool started_ = false;
  double prev_price_ = 0;
  double obv_ = 0;
  double value_ = 0;
};

const IndicatorInfo& ObvInfo();

}  // namespace kairos::indicators
