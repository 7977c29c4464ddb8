#pragma once

// The window maximum/minimum shared by MAX and MIN (and usable by any rolling extreme).
//
// Batch: van Herk / Gil-Werman. Cut the series into blocks of `period`; with g = running best
// from each block's start and h = running best to each block's end, the window ending at i is
// best(h[i-period+1], g[i]). Three comparisons per bar whatever the data (TA-Lib's rescan is
// O(period) per bar on a falling series for MAX). Tiles of kGroup blocks keep the scratch small;
// blocks inside a tile are scanned interleaved so that the compare chains overlap.
// Stream: a monotonic deque in a fixed ring (amortised O(1), no allocation per bar).

#include <algorithm>
#include <limits>
#include <span>
#include <vector>

#include "core/check.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators::kernel_util {

struct TakeMax {
  static double Best(double a, double b) { return a < b ? b : a; }
  static bool Dominates(double a, double b) { return a >= b; }  // b can never be the max again
};
struct TakeMin {
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

// Streaming twin. Holds indices and values of the candidates in a ring of `period` slots.
template <typename Take>
class RollingExtremeStream {
 public:
  explicit RollingExtremeStream(size_t period) : period_(period), values_(period), index_(period) {
    KAIROS_CHECK(period >= 1) << "rolling extreme: period " << period;
  }
  // Returns the extreme of the last `period` values, or NaN while fewer were added.
  double Add(double x) {
    // Drop the candidate that leaves the window [count_ - period + 1, count_].
    if (size_ > 0 && index_[front_] + static_cast<long>(period_) <= count_) {
      front_ = front_ + 1 == period_ ? 0 : front_ + 1;
      --size_;
    }
    while (size_ > 0 && Take::Dominates(x, values_[Slot(size_ - 1)])) --size_;
    values_[Slot(size_)] = x;
    index_[Slot(size_)] = count_;
    ++size_;
    ++count_;
    return count_ >= static_cast<long>(period_) ? values_[front_]
                                                : std::numeric_limits<double>::quiet_NaN();
  }
  void Reset() {
    size_ = 0;
    front_ = 0;
    count_ = 0;
  }

 private:
  size_t Slot(size_t k) const {
    size_t s = front_ + k;
    return s >= period_ ? s - period_ : s;
  }
  size_t period_;
  std::vector<double> values_;
  std::vector<long> index_;
  size_t front_ = 0;
  size_t size_ = 0;
  long count_ = 0;
};

}  // namespace kairos::indicators::kernel_util
