#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// Population standard deviation over the last `period` values, times `nbdev` (TA-Lib STDDEV).
//
// Running sums of d = x - K and d^2 about an anchor K (a recent input) instead of TA-Lib's plain
// sums of x and x^2: var = mean(d^2) - mean(d)^2 then loses far fewer digits when the price is
// large against its spread, and re-anchoring every ReanchorInterval(period) bars (recomputing
// the window's sums) stops the running sums from drifting. Flat rule: a window whose values are
// all equal gives exactly 0; a variance that rounds below 0 gives 0.
int StddevLookback(int period);  // period - 1; -1 when the period is invalid

// InvalidArgument for parameters out of range or an output of another length. NaN rule:
// README.md.
Status Stddev(std::span<const double> in, int period, double nbdev, std::span<double> out);

inline size_t ReanchorInterval(int period) { return std::max<size_t>(128, 4 * size_t(period)); }

// The window standard deviation for every bar t >= period-1 of a series, in order:
// emit(t, sd). Returns false if an input was not finite (the outputs are then meaningless).
// The arithmetic here is shared by STDDEV, BBANDS and their streams.
template <typename Emit>
bool WindowStddevRun(std::span<const double> x, int period, Emit&& emit) {
  const size_t n = x.size();
  const size_t p = static_cast<size_t>(period);
  uint64_t bad = 0;
  for (size_t t = 0; t < std::min(n, p); ++t) bad |= kernel_util::NonFinite(x[t]);
  if (n < p) return bad == 0;
  const double inv_p = 1.0 / period;
  const size_t interval = ReanchorInterval(period);
  double anchor = x[0];
  double s = 0, q = 0;
  size_t equal_run = 0;  // consecutive bars equal to the bar before
  for (size_t t = 0; t < p; ++t) {
    double d = x[t] - anchor;
    s += d;
    q += d * d;
    if (t > 0) equal_run = x[t] == x[t - 1] ? equal_run + 1 : 0;
  }
  auto sd = [&] {
    double ms = s * inv_p;
    double var = q * inv_p - ms * ms;
    return equal_run + 1 >= p || !(var > 0) ? 0.0 : std::sqrt(var);
  };
  emit(p - 1, sd());
  size_t next_anchor = interval;  // the multiples of interval (> p), as the stream does
  for (size_t t = p; t < n; ++t) {
    bad |= kernel_util::NonFinite(x[t]);
    equal_run = x[t] == x[t - 1] ? equal_run + 1 : 0;
    if (t == next_anchor) {
      next_anchor += interval;
      anchor = x[t];
      s = q = 0;
      for (size_t j = t + 1 - p; j <= t; ++j) {
        double d = x[j] - anchor;
        s += d;
        q += d * d;
      }
    } else {
      double d = x[t] - anchor, o = x[t - p] - anchor;
      s += d - o;
      q += d * d - o * o;
    }
    emit(t, sd());
  }
  return bad == 0;
}

// Streaming twin of WindowStddevRun plus the plain window sum (for BBANDS' middle = SMA).
class RollingMoments {
 public:
  explicit RollingMoments(int period);
  // Returns true when the window is full after `x`.
  bool Add(double x);
  void Reset() { count_ = 0; }
  double sd() const;                             // REQUIRES: Add returned true
  double mean() const { return sum_ * inv_p_; }  // exactly as SMA computes it

 private:
  int period_;
  double inv_p_;
  size_t interval_;
  size_t count_ = 0;
  std::vector<double> window_;
  size_t head_ = 0;
  double anchor_ = 0, s_ = 0, q_ = 0, sum_ = 0;
  size_t equal_run_ = 0;
};

class StddevStream {
 public:
  static Result<StddevStream> Create(int period, double nbdev);

  void Update(double x);
  bool ready() const { return seen_ > lookback_; }
  double value() const { return value_; }

 private:
  StddevStream(int period, double nbdev);

  RollingMoments moments_;
  double nbdev_;
  long lookback_;
  long seen_ = 0;
  double value_;
};

const IndicatorInfo& StddevInfo();

}  // namespace kairos::indicators
