#pragma once

// Internal helpers shared by the group-B indicator files (RSI ... SUPERTREND): input checks, the
// NaN rule (README.md), TA-Lib's zero test, a sliding-window extreme, TA-Lib's running SMA and the
// adapters from typed kernels/streams to the registry's BatchFn/Stream. Not a public API.

#include <array>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "core/check.h"
#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"
#include "indicators/kernel_util.h"

namespace kairos::indicators::group_b {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The NaN rule, shared with group A (README.md, "NaN and non-finite inputs"): a bar where any
// input is NaN or infinite restarts the indicator. Its outputs are NaN, and the bars after it are
// computed as if the series began at the next finite bar (NaN for Lookback bars, then values that
// use no bar from before the gap). Batch kernels get it from RunFreshStreams, streams from
// AnyNonFinite + Restart.

// True when any argument is NaN or infinite (kernel_util::NonFinite, branch-free).
template <typename... X>
inline bool AnyNonFinite(X... x) {
  return (kernel_util::NonFinite(x) | ...) != 0;
}

// The batch kernels: each maximal range of bars whose inputs are all finite is fed to a new
// stream, make(), with step(stream, i) feeding bar i and storing its outputs; bars with a
// non-finite input get NaN (kernel_util::ForEachFiniteRun). So the output on a range equals the
// indicator computed on that range alone, by construction. As kernel_util::ForEachFiniteRunFused
// does for group A, the whole series is first run by one stream, checking the inputs as it reads
// them: in the common all-finite case that is the result, with no separate scan of the data; only
// if a non-finite value was met is the series redone range by range.
// REQUIRES: every input and output has the length of inputs[0].
template <size_t kIn, size_t kOut, typename MakeFn, typename StepFn>
void RunFreshStreams(const std::span<const double> (&inputs)[kIn],
                     const std::span<double> (&outputs)[kOut], MakeFn&& make, StepFn&& step) {
  const size_t n = inputs[0].size();
  if (n == 0) return;
  {
    auto stream = make();
    uint64_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
      for (size_t k = 0; k < kIn; ++k) bad |= kernel_util::NonFinite(inputs[k][i]);
      step(stream, i);
    }
    if (bad == 0) return;
  }
  kernel_util::ForEachFiniteRun(inputs, outputs, n, [&](size_t begin, size_t end) {
    auto stream = make();
    for (size_t i = begin; i < end; ++i) step(stream, i);
  });
}

// The streams: on a bar with a non-finite input, `stream` becomes make() (a stream just created
// with the same parameters: value NaN, warm-up from the next bar) except for its count of all bars
// fed, `seen`, which ready() uses (as in group A, ready() is not reset by a gap). Out of line and
// cold: it keeps the constructors out of the streams' inlined Update.
template <typename S, typename MakeFn>
[[gnu::noinline, gnu::cold]] void Restart(S& stream, int64_t S::*seen, MakeFn&& make) {
  S fresh = make();
  fresh.*seen = stream.*seen;
  stream = std::move(fresh);
}

// TA-Lib's TA_IS_ZERO: |v| < 1e-8. Used where TA-Lib uses it, so that flat series give TA-Lib's
// numbers (0) instead of a division by (almost) zero.
inline bool TaIsZero(double v) { return -1e-8 < v && v < 1e-8; }

// InvalidArgument unless every span in `spans` has length n.
inline Status CheckLengths(std::string_view name, size_t n, std::initializer_list<size_t> lengths) {
  for (size_t len : lengths) {
    if (len != n) {
      return Status::InvalidArgument(fmt::format(
          "{}: all inputs and outputs must have the same length ({} vs {})", name, n, len));
    }
  }
  return Status::Ok();
}

// Checks of a registry BatchFn call: input/output/param counts, parameter values, equal lengths.
inline Status CheckShapes(const IndicatorInfo& info,
                          std::span<const std::span<const double>> inputs,
                          std::span<const double> params,
                          std::span<const std::span<double>> outputs) {
  if (inputs.size() != info.inputs.size() || outputs.size() != info.outputs.size() ||
      params.size() != info.params.size()) {
    return Status::InvalidArgument(
        fmt::format("{}: expects {} input(s), {} parameter(s), {} output(s); got {}, {}, {}",
                    info.name, info.inputs.size(), info.params.size(), info.outputs.size(),
                    inputs.size(), params.size(), outputs.size()));
  }
  // Raw values: a period of 2.5 must be refused, not truncated.
  KAIROS_RETURN_IF_ERROR(ValidateParams(info, params));
  size_t n = inputs.empty() ? 0 : inputs[0].size();
  for (auto in : inputs) {
    if (in.size() != n) return CheckLengths(info.name, n, {in.size()});
  }
  for (auto out : outputs) {
    if (out.size() != n) return CheckLengths(info.name, n, {out.size()});
  }
  return Status::Ok();
}

// Validates typed parameters against the registry entry (same ranges, same messages).
template <typename... T>
Status CheckParams(const IndicatorInfo& info, T... params) {
  std::array<double, sizeof...(T)> values{static_cast<double>(params)...};
  return ValidateParams(info, values);
}

// Sliding-window maximum (kMax) or minimum over the last `window` pushed values, O(1) amortized
// per push (monotonic deque in a ring allocated once). Ties resolve to the most recent bar, as
// TA-Lib's highest/lowest index tracking does (AROON depends on it).
template <bool kMax>
class WindowExtreme {
 public:
  explicit WindowExtreme(int window) : window_(window) {
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
    while (tail_ != head_ && Dominated(values_[(tail_ - 1) & mask_], v)) --tail_;
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
  static bool Dominated(double old_value, double v) {
    if constexpr (kMax) {
      return old_value <= v;
    } else {
      return old_value >= v;
    }
  }

  int64_t window_;
  size_t mask_ = 0;
  std::vector<double> values_;
  std::vector<int64_t> bars_;
  size_t head_ = 0;  // ring positions grow without bound and are masked on use
  size_t tail_ = 0;
  int64_t count_ = 0;
};

// Sliding-window maximum (kMax) or minimum of the last `window` pushed values, by van Herk and
// Gil-Werman's block method: the window is split at multiples of `window` into a suffix of the
// previous block and a prefix of the current one, so each push costs one comparison for the
// prefix, one (amortized) for the block's suffix extremes and one to combine them: O(1) amortized
// with no data-dependent branch, which makes it faster than a monotonic deque on noisy prices.
// It gives values only (WindowExtreme also gives the bar of the extreme).
template <bool kMax>
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
  static constexpr double kIdentity =
      kMax ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  static double Better(double a, double b) {
    if constexpr (kMax) {
      return a < b ? b : a;
    } else {
      return b < a ? b : a;
    }
  }

  size_t window_;
  std::vector<double> block_;  // the current block
  std::vector<double>
      suffix_;  // suffix_[t]: extreme of the previous block from t on; [window] none
  size_t pos_ = 0;
  double prefix_ = kIdentity;
};

// TA-Lib's simple moving average as a running total: the window sum is built by adding each value,
// divided for the output, and then the oldest value of the window is subtracted, in TA-Lib's order.
// The same operations keep the same rounding: over 10M bars the running sums drift (as TA-Lib's
// do), and a multiply by 1/period instead of the division let STOCH's slow %D drift 2.5e-9 away
// from TA-Lib's.
class RunningSma {
 public:
  explicit RunningSma(int period)
      : period_(period), period_f_(period), ring_(static_cast<size_t>(period)) {
    KAIROS_CHECK(period >= 1) << "period " << period;
  }
  // Returns the mean of the last `period` values, NaN before `period` values were pushed.
  double Push(double v) {
    total_ += v;
    ring_[pos_] = v;
    pos_ = pos_ + 1 == ring_.size() ? 0 : pos_ + 1;
    ++count_;
    if (count_ < period_) return kNaN;
    double mean = total_ / period_f_;
    total_ -= ring_[pos_];  // the oldest value of the window just used
    return mean;
  }

 private:
  int64_t period_;
  double period_f_;
  std::vector<double> ring_;
  size_t pos_ = 0;
  int64_t count_ = 0;
  double total_ = 0;
};

// Adapts a typed stream class S (Update(double...) with kInputs arguments; value() when it has one
// output, value(size_t) otherwise) to the registry's Stream interface.
template <typename S, size_t kInputs, size_t kOutputs>
class StreamAdapter final : public Stream {
 public:
  explicit StreamAdapter(S stream) : stream_(std::move(stream)) {}

  void Update(std::span<const double> inputs) override {
    KAIROS_CHECK(inputs.size() == kInputs) << "expected " << kInputs << " inputs";
    [&]<size_t... I>(std::index_sequence<I...>) { stream_.Update(inputs[I]...); }
    (std::make_index_sequence<kInputs>{});
  }
  bool ready() const override { return stream_.ready(); }
  double value(size_t index) const override {
    KAIROS_CHECK(index < kOutputs) << "output " << index;
    if constexpr (kOutputs == 1) {
      return stream_.value();
    } else {
      return stream_.value(index);
    }
  }

 private:
  S stream_;
};

// The registry's StreamFactory body: nullptr when the parameters are invalid.
template <size_t kInputs, size_t kOutputs, typename S>
std::unique_ptr<Stream> AdaptStream(Result<S> created) {
  if (!created.ok()) return nullptr;
  return std::make_unique<StreamAdapter<S, kInputs, kOutputs>>(std::move(created).value());
}

inline int IntParam(std::span<const double> params, size_t i) {
  return static_cast<int>(params[i]);
}

}  // namespace kairos::indicators::group_b
