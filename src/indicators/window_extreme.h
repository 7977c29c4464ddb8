#pragma once

#include <cstddef>
#include <span>

#include "core/check.h"
#include "indicators/kernel_util.h"
#include "indicators/rolling_extreme.h"

namespace kairos::indicators {

// The shape MAX and MIN share: the extreme (Take = kernel_util::TakeMax or TakeMin) of the last
// `period` values, lookback period - 1, O(n) whatever the data (rolling_extreme.h), NaN rule of
// README.md (a non-finite input restarts the window).
template <typename Take>
struct WindowExtreme {
  static int Lookback(int period) { return period - 1; }

  // REQUIRES: period >= 1, out.size() == in.size().
  static void Batch(std::span<const double> in, int period, std::span<double> out) {
    KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "bad period or output size";
    const std::span<double> outs[] = {out};
    kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
      return kernel_util::RollingExtreme<Take>(in.subspan(b, e - b), static_cast<size_t>(period),
                                               out.subspan(b, e - b));
    });
  }

  class Stream {
   public:
    explicit Stream(int period)
        : window_(static_cast<size_t>(period)),
          lookback_(Lookback(period)),
          value_(kernel_util::kNaN) {}
    void Update(double x) {
      ++seen_;
      if (!kernel_util::IsFinite(x)) {
        window_.Reset();
        value_ = kernel_util::kNaN;
        return;
      }
      value_ = window_.Add(x);
    }
    bool ready() const { return seen_ > lookback_; }
    double value() const { return value_; }

   private:
    kernel_util::RollingExtremeStream<Take> window_;
    long lookback_;
    long seen_ = 0;
    double value_;
  };
};

}  // namespace kairos::indicators
