#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "core/check.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators {

// The shape MOM and ROC share: out[t] = F(x[t], x[t - period]), lookback `period`, NaN rule of
// README.md (a non-finite input restarts the count). F is a pure function of the two values.
template <double (*F)(double x, double base)>
struct LaggedChange {
  static int Lookback(int period) { return period; }

  // REQUIRES: period >= 1, out.size() == in.size().
  static void Batch(std::span<const double> in, int period, std::span<double> out) {
    KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "bad period or output size";
    const std::span<double> outs[] = {out};
    const size_t p = static_cast<size_t>(period);
    kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
      std::span<const double> x = in.subspan(b, e - b);
      std::span<double> o = out.subspan(b, e - b);
      for (size_t i = 0; i < std::min(x.size(), p); ++i) o[i] = kernel_util::kNaN;
      for (size_t i = p; i < x.size(); ++i) o[i] = F(x[i], x[i - p]);
    });
  }

  class Stream {
   public:
    explicit Stream(int period)
        : period_(period), window_(static_cast<size_t>(period) + 1), value_(kernel_util::kNaN) {
      KAIROS_CHECK(period >= 1) << "period " << period;
    }
    void Update(double x) {
      ++seen_;
      value_ = kernel_util::kNaN;
      if (!kernel_util::IsFinite(x)) {
        count_ = 0;
        return;
      }
      window_[head_] = x;
      head_ = head_ + 1 == window_.size() ? 0 : head_ + 1;
      ++count_;
      // Once full, head_ points at the oldest of the last period+1 values: x[t-period].
      if (count_ > period_) value_ = F(x, window_[head_]);
    }
    bool ready() const { return seen_ > period_; }
    double value() const { return value_; }

   private:
    long period_;
    long seen_ = 0;
    long count_ = 0;
    std::vector<double> window_;  // ring of the last period+1 inputs
    size_t head_ = 0;
    double value_;
  };
};

}  // namespace kairos::indicators
