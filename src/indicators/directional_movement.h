#pragma once

// Wilder's directional movement as TA-Lib computes it for PLUS_DI, MINUS_DI and ADX (shared by
// plus_di.h, minus_di.h and adx.h; not a registry entry of its own).
//
// For bar i >= 1: up = high[i] - high[i-1], down = low[i-1] - low[i];
//   +DM = up   when up > 0 and up > down, else 0;
//   -DM = down when down > 0 and down > up, else 0;
//   TR as in trange.h.
// The three are summed over bars 1..period-1, and from bar `period` on every bar updates each sum
// Wilder's way, S = S - S / period + x (TA-Lib's form, unstable period 0). +DI = 100 * S(+DM) /
// S(TR) and -DI likewise, 0 when S(TR) is zero (|v| < 1e-8, TA-Lib's test).

#include <cstdint>

#include "indicators/kernel_util.h"
#include "indicators/trange.h"

namespace kairos::indicators::kernel_util {

class DirectionalMovement {
 public:
  // REQUIRES: period >= 1.
  explicit DirectionalMovement(int period) : period_(period), keep_((period - 1.0) / period) {}

  // Feeds one bar. Returns true when the smoothed sums are defined (from bar `period` on).
  // REQUIRES: finite values (the streams restart on a non-finite bar, kernel_util.h).
  bool Update(double high, double low, double close) {
    int64_t bar = count_++;
    double prev_high = prev_high_, prev_low = prev_low_, prev_close = prev_close_;
    prev_high_ = high;
    prev_low_ = low;
    prev_close_ = close;
    if (bar == 0) return false;
    double up = high - prev_high;
    double down = prev_low - low;
    // Branch-free (a multiply by 0 or 1): the sign of up - down is a coin flip on real prices,
    // and mispredicted branches cost more than the whole rest of the bar.
    double plus = up * static_cast<double>((up > 0) & (up > down));
    double minus = down * static_cast<double>((down > 0) & (down > up));
    double tr = TrueRange(high, low, prev_close);
    if (bar < period_) {
      plus_ += plus;
      minus_ += minus;
      tr_ += tr;
      return false;
    }
    plus_ = plus_ * keep_ + plus;
    minus_ = minus_ * keep_ + minus;
    tr_ = tr_ * keep_ + tr;
    return true;
  }

  // From the latest Update that returned true.
  double PlusDi() const { return TaIsZero(tr_) ? 0.0 : 100.0 * (plus_ / tr_); }
  double MinusDi() const { return TaIsZero(tr_) ? 0.0 : 100.0 * (minus_ / tr_); }
  // DX = 100 * |+DI - -DI| / (+DI + -DI), computed as 100 * |S(+DM) - S(-DM)| / (S(+DM) + S(-DM))
  // (S(TR) cancels; one division instead of three, within a few ulps of TA-Lib). False (and `dx`
  // untouched) where TA-Lib skips the bar: S(TR) zero, or +DI + -DI zero (|v| < 1e-8).
  bool Dx(double& dx) const {
    double sum = plus_ + minus_;
    if (TaIsZero(tr_) || !(100.0 * sum >= 1e-8 * tr_)) return false;
    dx = 100.0 * (std::fabs(plus_ - minus_) / sum);
    return true;
  }
  // Bars fed.
  int64_t count() const { return count_; }

 private:
  int64_t period_;
  double keep_;  // (period - 1) / period
  int64_t count_ = 0;
  double prev_high_ = 0, prev_low_ = 0, prev_close_ = 0;
  double plus_ = 0, minus_ = 0, tr_ = 0;
};

}  // namespace kairos::indicators::kernel_util
