#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// Money flow index, as TA-Lib's MFI: typical price tp = (high + low + close) / 3; money flow
// tp * volume counts as positive when tp rose from the previous bar, negative when it fell, and
// not at all when it is unchanged; over the last `period` flows
// mfi = 100 * positive / (positive + negative). The sums are running sums (subtract the flow
// leaving, add the one entering), as in TA-Lib.
// Lookback: period.
// Flat input: 0 when positive + negative < 1 (TA-Lib's test; it also covers no flow at all).
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: period in [2, 100000], default 14.

// -1 when the period is invalid.
int MfiLookback(int period);

Status Mfi(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           std::span<const double> volume, int period, std::span<double> out);

class MfiStream {
 public:
  static Result<MfiStream> Create(int period);

  void Update(double high, double low, double close, double volume) {
    ++seen_;
    if (kernel_util::AnyNonFinite(high, low, close, volume)) {
      if (count_ != 0)
        kernel_util::Restart(*this, &MfiStream::seen_,
                             [this] { return MfiStream(static_cast<int>(period_)); });
      return;
    }
    UpdateFinite(high, low, close, volume);
  }
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low, double close, double volume) {
    int64_t bar = count_++;
    double tp = (high + low + close) / 3.0;
    double change = tp - prev_tp_;
    prev_tp_ = tp;
    if (bar == 0) return;
    Flow& slot = ring_[pos_];
    pos_ = pos_ + 1 == ring_.size() ? 0 : pos_ + 1;
    if (bar > period_) {  // the slot holds the flow leaving the window
      positive_ -= slot.positive;
      negative_ -= slot.negative;
    }
    double flow = tp * volume;
    slot = {change > 0 ? flow : 0.0, change < 0 ? flow : 0.0};
    positive_ += slot.positive;
    negative_ += slot.negative;
    if (bar < period_) return;
    double total = positive_ + negative_;
    value_ = total < 1.0 ? 0.0 : 100.0 * (positive_ / total);
  }
  bool ready() const { return seen_ > period_; }
  double value() const { return value_; }

 private:
  struct Flow {
    double positive = 0;
    double negative = 0;
  };
  explicit MfiStream(int period) : period_(period), ring_(static_cast<size_t>(period)) {}

  int64_t period_;
  std::vector<Flow> ring_;  // flow of bar b (b >= 1) at (b - 1) % period
  size_t pos_ = 0;
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  double prev_tp_ = 0;
  double positive_ = 0;
  double negative_ = 0;
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& MfiInfo();

}  // namespace kairos::indicators
