#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Highest value over the last `period` values (TA-Lib MAX). O(n) whatever the data: see
// window_extreme.h.
using MaxKernel = WindowExtreme<kernel_util::TakeMax>;

int MaxLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Max(std::span<const double> in, int period, std::span<double> out);

class MaxStream : public MaxKernel::Stream {
 public:
  static Result<MaxStream> Create(int period);

 private:
  explicit MaxStream(int period) : MaxKernel::Stream(period) {}
};

const IndicatorInfo& MaxInfo();

}  // namespace kairos::indicators
