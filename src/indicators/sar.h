#pragma once

#include <cstdint>
#include <span>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// Parabolic SAR (Wilder), as TA-Lib's SAR:
// - Start (bar 1): short when bar 1 has a positive minus directional movement over bar 0
//   (low[0] - low[1] > 0 and > high[1] - high[0]), long otherwise. Long starts with
//   SAR = low[0] and extreme point EP = high[1]; short with SAR = high[0], EP = low[1].
//   The acceleration factor AF starts at `acceleration`.
// - Each bar (from bar 1, where the "previous bar" is bar 1 itself): while long, if low <= SAR the
//   position flips: the output is the old EP (raised to the previous and current high if below
//   them), AF resets, EP = low, and the next SAR = SAR + AF * (EP - SAR), raised likewise.
//   Otherwise the output is SAR; a new high raises EP and AF (by `acceleration`, at most
//   `maximum`); the next SAR = SAR + AF * (EP - SAR), lowered to the previous and current low if
//   above them. Short is the mirror image (flip when high >= SAR).
// - acceleration > maximum is clamped to maximum, as TA-Lib does.
// Lookback: 1.
// Non-finite input: restarts the indicator (README.md, "NaN and non-finite inputs").
// Params: acceleration in [0, 1] (default 0.02), maximum in [0, 1] (default 0.2). TA-Lib accepts
// any non-negative value; above 1 the SAR would jump past the extreme point, so we refuse it.

// -1 when a parameter is invalid.
int SarLookback(double acceleration, double maximum);

Status Sar(std::span<const double> high, std::span<const double> low, double acceleration,
           double maximum, std::span<double> out);

class SarStream {
 public:
  static Result<SarStream> Create(double acceleration, double maximum);

  void Update(double high, double low);
  // Update without the non-finite check, for the batch kernels (kernel_util::RunFreshStreams),
  // which feed it finite ranges only; ready() counts Update calls only.
  void UpdateFinite(double high, double low);
  bool ready() const { return seen_ > 1; }
  double value() const { return value_; }

 private:
  SarStream(double acceleration, double maximum)
      : acceleration_arg_(acceleration),
        acceleration_(acceleration > maximum ? maximum : acceleration),
        maximum_(maximum),
        af_(acceleration_) {}

  double acceleration_arg_;  // as given (a restart recreates the stream)
  double acceleration_;
  double maximum_;
  int64_t seen_ = 0;   // bars fed
  int64_t count_ = 0;  // bars since the start or the last non-finite input
  bool is_long_ = true;
  double sar_ = 0;
  double ep_ = 0;
  double af_;
  double prev_high_ = 0;  // the previous bar (bar 1 itself on bar 1)
  double prev_low_ = 0;
  double value_ = kernel_util::kNaN;
};

const IndicatorInfo& SarInfo();

}  // namespace kairos::indicators
