#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

namespace kairos::indicators {

// Exponential moving average as TA-Lib defines it: k = 2 / (period + 1); the first value is
// the SMA of the first `period` inputs, then ema = (1 - k) * ema + k * x. (TA-Lib writes
// (x - ema) * k + ema: the same value up to rounding, but one more operation on the loop-carried
// chain; this form is ~25% faster and differs from TA-Lib by ~1e-15.)
int EmaLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for a period out of range or an output of another length. NaN rule:
// README.md.
Status Ema(std::span<const double> in, int period, std::span<double> out);

// The smoothing weights; every EMA recursion in this module uses exactly these two numbers.
struct EmaWeights {
  explicit EmaWeights(int period) : k(2.0 / (period + 1.0)), keep(1.0 - k) {}
  double k, keep;
};

// How one EMA step is written. kKeep: (1 - k) * ema + k * x, the fast form used by EMA, DEMA
// and TEMA. kTaLib: (x - ema) * k + ema, TA-Lib's own operation order, used by MACD, whose
// line and histogram cross zero, where a last-bit difference would be a large relative one.
enum class EmaForm : uint8_t { kKeep, kTaLib };

// The recursion shared by EMA, DEMA, TEMA and MACD. Feeds finite values only.
template <EmaForm kForm>
class BasicEmaCore {
 public:
  explicit BasicEmaCore(int period) : period_(period), w_(period) {}
  // Returns true when value() is defined after `x` (from the period-th value on).
  bool Add(double x) {
    if (count_ >= period_) {
      value_ = Step(value_, x, w_);
      return true;
    }
    sum_ += x;
    if (++count_ < period_) return false;
    value_ = sum_ / static_cast<double>(period_);
    return true;
  }
  double value() const { return value_; }
  void Reset() {
    count_ = 0;
    sum_ = 0;
  }
  static double Step(double ema, double x, const EmaWeights& w) {
    if constexpr (kForm == EmaForm::kTaLib) {
      return (x - ema) * w.k + ema;
    } else {
      return w.keep * ema + w.k * x;
    }
  }

 private:
  int period_;
  EmaWeights w_;
  int count_ = 0;
  double sum_ = 0;
  double value_ = 0;
};

using EmaCore = BasicEmaCore<EmaForm::kKeep>;

class EmaStream {
 public:
  static Result<EmaStream> Create(int period);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  explicit EmaStream(int period);

  EmaCore core_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

const IndicatorInfo& EmaInfo();

}  // namespace kairos::indicators
