#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// Commodity channel index, as TA-Lib's CCI: with typical price tp = (high + low + close) / 3 and,
// over the last `period` bars, its mean m and mean absolute deviation
// md = sum |tp_j - m| / period, cci = (tp - m) / (0.015 * md).
// The sums run over a ring indexed by bar % period in ring order, as TA-Lib's circular buffer
// does, so the last bits agree with TA-Lib. O(period) per bar: the mean deviation around a moving
// mean has no O(1) update.
// Lookback: period - 1.
// Flat input: 0 when tp == m or md == 0 (TA-Lib's convention), never a division by zero.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [2, 100000], default 14.

// -1 when the period is invalid.
int CciLookback(int period);

Status Cci(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out);

class CciStream {
 public:
  static Result<CciStream> Create(int period);

  void Update(double high, double low, double close) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &CciStream::seen_,
                             [this] { return CciStream(static_cast<int>(period_)); });
      return;
    }
    UpdateFinite(high, low, close);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close) {
    int64_t bar = count_++;
    double tp = (high + low + close) / 3.0;
    ring_[pos_] = tp;
    pos_ = pos_ + 1 == ring_.size() ? 0 : pos_ + 1;
    if (bar < period_ - 1) return;
    double mean = 0;
    for (double v : ring_) mean += v;
    mean /= period_;
    double deviation = 0;
    for (double v : ring_) deviation += std::fabs(v - mean);
    double distance = tp - mean;
    value_ =
        (distance != 0.0 && deviation != 0.0) ? distance / (0.015 * (deviation / period_)) : 0.0;
  }
  bool ready() const { return seen_ > period_ - 1; }
  double value() const { return value_; }

 private:
  explicit CciStream(int period) : period_(period), ring_(static_cast<size_t>(period)) {}

  int64_t period_;
  std::vector<double> ring_;  // typical price of bar b at b % period
  size_t pos_ = 0;
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& CciInfo();

}  // namespace kairos::indicators
