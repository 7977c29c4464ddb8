#pragma once

#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/window_extreme.h"

namespace kairos::indicators {

// Lowest value over the last `period` values (TA-Lib MIN). O(n) whatever the data: see
// window_extreme.h.
using MinKernel = WindowExtreme<kernel_util::TakeMin>;

int MinLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Min(std::span<const double> in, int period, std::span<double> out);

class MinStream : public MinKernel::Stream {
 public:
  static Result<MinStream> Create(int period);

 private:
  explicit MinStream(int period) : MinKernel::Stream(period) {}
};

const IndicatorInfo& MinInfo();

}  // namespace kairos::indicators
