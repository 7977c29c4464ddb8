#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "domain/bar.h"
#include "indicators/indicator.h"

namespace kairos::app {

// An indicator of the registry (indicators/indicator.h, the one the rules read) computed over a
// symbol's bars: what `kairos ta` prints and the HTTP API's bar overlays.

// `words` as parameters of `info`: positional values in TA-Lib's order, then name=value pairs;
// omitted ones take the defaults, every one checked against its range. InvalidArgument naming
// the indicator and the parameter.
Result<std::vector<double>> ParseIndicatorParams(const indicators::IndicatorInfo& info,
                                                 std::span<const std::string> words);

// The name of an input ("close").
std::string InputName(indicators::Input input);

// One series per output of `info` over `bars`, aligned with bars.dates; NaN where undefined
// (the warm-up). InvalidArgument when `info` reads a column a close-only series lacks
// ("<info> reads high, but <source> has closes only").
Result<std::vector<std::vector<double>>> ComputeIndicator(const indicators::IndicatorInfo& info,
                                                          const std::vector<double>& params,
                                                          const BarSeries& bars,
                                                          std::string_view source);

}  // namespace kairos::app
