#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kairos::indicators {

// What an indicator reads. kSeries is "any number series", close by default: `rsi(close, 14)` or
// `rsi(hl2, 14)` in the rule language. The other kinds are fixed bar fields (ATR reads
// high, low, close itself).
enum class Input : uint8_t { kSeries, kOpen, kHigh, kLow, kClose, kVolume };

struct ParamSpec {
  std::string_view name;  // TA-Lib's name in lower case: "period", "fast", "nbdevup"
  double default_value;   // TA-Lib's default
  double min_value;       // inclusive
  double max_value;       // inclusive
  bool integer;           // periods are integers; multipliers are not
  std::string_view help;
};

// A streaming twin: fed one bar at a time, gives the same numbers as the batch kernel.
class Stream {
 public:
  virtual ~Stream() = default;
  // `inputs` holds one value per entry of IndicatorInfo::inputs, in that order.
  virtual void Update(std::span<const double> inputs) = 0;
  // True once the warm-up (lookback) is over and value() is defined.
  virtual bool ready() const = 0;
  // Output `index` (IndicatorInfo::outputs order) of the latest bar; NaN before ready().
  virtual double value(size_t index = 0) const = 0;
};

// Batch kernel. `inputs[k]` is the series for IndicatorInfo::inputs[k]; all have the same length n.
// `outputs[j]` has length n too and receives output j aligned with the input: NaN during the
// warm-up (the first Lookback(params) rows, when the input has no NaN).
// REQUIRES: params already validated by ValidateParams (the kernels do not re-check ranges).
using BatchFn = Status (*)(std::span<const std::span<const double>> inputs,
                           std::span<const double> params,
                           std::span<const std::span<double>> outputs);
using LookbackFn = int (*)(std::span<const double> params);
using StreamFactory = std::unique_ptr<Stream> (*)(std::span<const double> params);

// One registry entry (STYLE.md #12). The CLI, the rule language and the web forms read it.
struct IndicatorInfo {
  std::string_view name;         // lower case: "rsi", "macd", "cdlengulfing"
  std::string_view description;  // one line for `kairos ta --list`
  std::vector<Input> inputs;
  std::vector<ParamSpec> params;          // TA-Lib's positional order
  std::vector<std::string_view> outputs;  // {"rsi"}, {"macd","signal","hist"}, ...
  LookbackFn lookback;
  BatchFn batch;
  StreamFactory stream;
};

// Every registered indicator, sorted by name.
std::span<const IndicatorInfo> AllIndicators();
// nullptr when unknown. Case-insensitive.
const IndicatorInfo* FindIndicator(std::string_view name);

// Checks count, integrality and ranges: "rsi: period must be an integer in [2, 100000], got 0".
Status ValidateParams(const IndicatorInfo& info, std::span<const double> params);

}  // namespace kairos::indicators
