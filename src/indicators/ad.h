#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Chaikin accumulation/distribution line (TA-Lib AD): the running sum of
// ((close - low) - (high - close)) / (high - low) * volume, starting from 0 before the first bar.
// A bar with high == low adds nothing (no division by zero).
int AdLookback();  // 0

// InvalidArgument for spans of different lengths. NaN rule: README.md (a bar with any NaN field
// restarts the line from 0).
Status Ad(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          std::span<const double> volume, std::span<double> out);

class AdStream {
 public:
  static Result<AdStream> Create() { return AdStream(); }
  void Update(double high, double low, double close, double volume);
  bool ready() const { return seen_ > 0; }
  double value() const { return value_; }

 private:
  AdStream() = default;

  long seen_ = 0;
  double ad_ = 0;
  double value_ = 0;
};

const IndicatorInfo& AdInfo();

}  // namespace kairos::indicators
