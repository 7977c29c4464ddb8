#pragma once

// Sliding-window maximum and minimum, in the three forms the indicators need:
// - RollingExtreme: a whole series at once (MAX, MIN), van Herk / Gil-Werman blocks, tiled.
// - BlockExtreme: the same block method pushed one value at a time (the streams of MAX and MIN,
//   STOCH, STOCHRSI, WILLR): values only, no data-dependent branch.
// - ExtremeWithBar: a monotonic deque that also gives the bar of the extreme, ties to the most
//   recent bar (AROON needs the bar; the block method cannot give it).
// All are O(1) amortized per value and allocate only when constructed.
//
// RollingExtreme: cut the series into blocks of `period`; with g = running best from each block's
// start and h = running best to each block's end, the window ending at i is
// best(h[i-period+1], g[i]). Three comparisons per bar whatever the data (TA-Lib's rescan is
// O(period) per bar on a falling series for MAX). Tiles of kGroup blocks keep the scratch small;
// blocks inside a tile are scanned interleaved so that the compare chains overlap.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/check.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators::kernel_util {

// What "extreme" means: Best(a, b) keeps the better value, Dominates(a, b) says that b (older)
// can never be the extreme again once a (newer) is in the window, kIdentity loses to any value.
struct TakeMax {
  static constexpr double kIdentity = -std::numeric_limits<double>::infinity();
  static double Best(double a, double b) { return a < b ? b : a; }
  static bool Dominates(double a, double b) { return a >= b; }
};
struct TakeMin {
  static constexpr double kIdentity = std::numeric_limits<double>::infinity();
  static double Best(double a, double b) { return b < a ? b : a; }
  static bool Dominates(double a, double b) { return a <= b; }
};

// REQUIRES: out.size() == x.size(), period >= 1. out[i] for i < period-1 is NaN. Returns false if
// an input was not finite (the outputs are then meaningless).
template <typename Take>
bool RollingExtreme(std::span<const double> x, size_t period, std::span<double> out) {
  const size_t n = x.size();
  const size_t p = period;
  uint64_t bad = 0;
  for (size_t i = 0; i < std::min(n, p - 1); ++i) out[i] = std::numeric_limits<double>::quiet_NaN();
  if (n < p || p == 1) {
    for (size_t i = 0; i < n; ++i) bad |= NonFinite(x[i]);
    if (p == 1) std::copy(x.begin(), x.end(), out.begin());
    return bad == 0;
  }
  constexpr size_t kGroup = 8;
  const size_t tile = kGroup * p;
  // hbuf[0, p) holds h of the block before the tile; hbuf[p + k] is h at tile offset k.
  std::vector<double> hbuf(std::min(n, tile) + p);
  std::vector<double> g(std::min(n, tile));
  for (size_t t0 = 0; t0 < n; t0 += tile) {
    const size_t len = std::min(tile, n - t0);
    const double* xs = x.data() + t0;
    double* h = hbuf.data() + p;
    const size_t full = len / p;  // complete blocks in this tile
    if (full == kGroup) {
      // Eight independent chains per step.
      for (size_t k = 0; k < tile; ++k) bad |= NonFinite(xs[k]);
      for (size_t b = 0; b < kGroup; ++b) {
        g[b * p] = xs[b * p];
        h[b * p + p - 1] = xs[b * p + p - 1];
      }
      for (size_t k = 1; k < p; ++k) {
        for (size_t b = 0; b < kGroup; ++b) {
          g[b * p + k] = Take::Best(g[b * p + k - 1], xs[b * p + k]);
          size_t r = p - 1 - k;
          h[b * p + r] = Take::Best(h[b * p + r + 1], xs[b * p + r]);
        }
      }
    } else {
      for (size_t k = 0; k < len; ++k) bad |= NonFinite(xs[k]);
      for (size_t b0 = 0; b0 < len; b0 += p) {
        const size_t b1 = std::min(len, b0 + p);
        g[b0] = xs[b0];
        for (size_t k = b0 + 1; k < b1; ++k) g[k] = Take::Best(g[k - 1], xs[k]);
        h[b1 - 1] = xs[b1 - 1];
        for (size_t k = b1 - 1; k-- > b0;) h[k] = Take::Best(h[k + 1], xs[k]);
      }
    }
    // Window ending at tile offset k starts at k - p + 1, i.e. hbuf[k + 1].
    const size_t first = t0 == 0 ? p - 1 : 0;
    double* o = out.data() + t0;
    const double* hb = hbuf.data();
    for (size_t k = first; k < len; ++k) o[k] = Take::Best(hb[k + 1], g[k]);
    if (len == tile) std::copy(h + tile - p, h + tile, hbuf.begin());
  }
  return bad == 0;
}

// Sliding-window maximum (Take = TakeMax) or minimum over the last `window` pushed values, O(1)
// amortized per push (monotonic deque in a ring allocated once). Ties resolve to the most recent
// bar, as TA-Lib's highest/lowest index tracking does (AROON depends on it).
template <typename Take>
class ExtremeWithBar {
 public:
  explicit ExtremeWithBar(int window) : window_(window) {
    KAIROS_CHECK(window >= 1) << "window " << window;
    // The deque briefly holds window + 1 entries (the expiring front and the new value).
    size_t cap = 1;
    while (cap < static_cast<size_t>(window) + 1) cap <<= 1;
    mask_ = cap - 1;
    values_.resize(cap);
    bars_.resize(cap);
  }

  // Pushes the value of the next bar (bar numbers count pushes from 0).
  void Push(double v) {
    while (tail_ != head_ && Take::Dominates(v, values_[(tail_ - 1) & mask_])) --tail_;
    values_[tail_ & mask_] = v;
    bars_[tail_ & mask_] = count_;
    ++tail_;
    ++count_;
    if (bars_[head_ & mask_] + window_ <= count_ - 1) ++head_;
  }
  // REQUIRES: at least one Push.
  double value() const { return values_[head_ & mask_]; }
  // Bar number of value().
  int64_t bar() const { return bars_[head_ & mask_]; }
  int64_t count() const { return count_; }

 private:
  int64_t window_;
  size_t mask_ = 0;
  std::vector<double> values_;
  std::vector<int64_t> bars_;
  size_t head_ = 0;  // ring positions grow without bound and are masked on use
  size_t tail_ = 0;
  int64_t count_ = 0;
};

// Sliding-window maximum (Take = TakeMax) or minimum of the last `window` pushed values, by van
// Herk and Gil-Werman's block method: the window is split at multiples of `window` into a suffix of
// the previous block and a prefix of the current one, so each push costs one comparison for the
// prefix, one (amortized) for the block's suffix extremes and one to combine them: O(1) amortized
// with no data-dependent branch, which makes it faster than a monotonic deque on noisy prices.
// It gives values only (ExtremeWithBar also gives the bar of the extreme).
template <typename Take>
class BlockExtreme {
 public:
  explicit BlockExtreme(int window)
      : window_(window), block_(static_cast<size_t>(window)), suffix_(window + 1, kIdentity) {
    KAIROS_CHECK(window >= 1) << "window " << window;
  }

  // Pushes the next value and returns the extreme of the last `window` values (of all values so
  // far while fewer were pushed).
  double Push(double v) {
    block_[pos_] = v;
    prefix_ = Better(prefix_, v);
    double extreme = Better(suffix_[pos_ + 1], prefix_);
    if (++pos_ == window_) {  // the block is complete: its suffix extremes serve the next one
      double run = kIdentity;
      for (size_t t = window_; t-- > 0;) {
        run = Better(run, block_[t]);
        suffix_[t] = run;
      }
      prefix_ = kIdentity;
      pos_ = 0;
    }
    return extreme;
  }

 private:
  static constexpr double kIdentity = Take::kIdentity;
  static double Better(double a, double b) { return Take::Best(a, b); }

  size_t window_;
  std::vector<double> block_;  // the current block
  std::vector<double>
      suffix_;  // suffix_[t]: extreme of the previous block from t on; [window] none
  size_t pos_ = 0;
  double prefix_ = kIdentity;
};

}  // namespace kairos::indicators::kernel_util

namespace kairos::indicators {

// The shape MAX and MIN share: the extreme (Take = kernel_util::TakeMax or TakeMin) of the last
// `period` values, lookback period - 1, O(n) whatever the data (RollingExtreme), NaN rule of
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
    explicit Stream(int period) : period_(period), window_(period), value_(kernel_util::kNaN) {}
    void Update(double x) {
      ++seen_;
      if (!kernel_util::IsFinite(x)) {
        if (count_ != 0) window_ = kernel_util::BlockExtreme<Take>(static_cast<int>(period_));
        count_ = 0;
        value_ = kernel_util::kNaN;
        return;
      }
      double extreme = window_.Push(x);
      value_ = ++count_ >= period_ ? extreme : kernel_util::kNaN;
    }
    bool ready() const { return seen_ > period_ - 1; }
    double value() const { return value_; }

   private:
    int64_t period_;
    kernel_util::BlockExtreme<Take> window_;
    int64_t seen_ = 0;
    int64_t count_ = 0;  // finite values since the start or the last non-finite one
    double value_;
  };
};

}  // namespace kairos::indicators
