#pragma once

// Plumbing shared by the indicator files (not a public API): the NaN rule (README.md), parameter
// and shape checks (the error contract: a bad parameter or length is a Status, never an abort),
// TA-Lib's zero test and running SMA, and the adapter from a typed stream to the registry's
// Stream.

#include <array>
#include <bit>
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

namespace kairos::indicators::kernel_util {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline bool IsFinite(double x) { return std::isfinite(x); }

// 1 when v is NaN or infinite, else 0; branch-free, for kernels that check as they read.
inline uint64_t NonFinite(double v) {
  constexpr uint64_t kExponent = 0x7ff0000000000000ULL;
  return static_cast<uint64_t>((std::bit_cast<uint64_t>(v) & kExponent) == kExponent);
}

// True when no value is NaN or infinite. Integer bit test without early exit, so it vectorises.
inline bool AllFinite(std::span<const double> x) {
  constexpr uint64_t kExponent = 0x7ff0000000000000ULL;
  uint64_t bad = 0;
  for (double v : x)
    bad |= static_cast<uint64_t>((std::bit_cast<uint64_t>(v) & kExponent) == kExponent);
  return bad == 0;
}

// The NaN rule: a bar where any input is not finite restarts the indicator. Writes NaN to every
// output at such bars and calls run(begin, end) for each maximal range [begin, end) of bars whose
// inputs are all finite; `run` treats its range as a complete series (warm-up included).
// REQUIRES: every input and output has length n.
template <typename RunFn>
void ForEachFiniteRun(std::span<const std::span<const double>> inputs,
                      std::span<const std::span<double>> outputs, size_t n, RunFn&& run) {
  bool all_finite = true;
  for (std::span<const double> in : inputs) all_finite = all_finite && AllFinite(in);
  if (all_finite) {
    if (n > 0) run(size_t{0}, n);
    return;
  }
  auto bar_finite = [&](size_t i) {
    for (std::span<const double> in : inputs) {
      if (!IsFinite(in[i])) return false;
    }
    return true;
  };
  size_t i = 0;
  while (i < n) {
    if (!bar_finite(i)) {
      for (std::span<double> out : outputs) out[i] = kNaN;
      ++i;
      continue;
    }
    size_t begin = i;
    while (i < n && bar_finite(i)) ++i;
    run(begin, i);
  }
}

// Single input, any number of outputs.
template <typename RunFn>
void ForEachFiniteRun(std::span<const double> in, std::span<const std::span<double>> outputs,
                      RunFn&& run) {
  const std::span<const double> inputs[] = {in};
  ForEachFiniteRun(inputs, outputs, in.size(), std::forward<RunFn>(run));
}

// The NaN rule for single-input kernels that detect non-finite inputs while they compute:
// `run(begin, end)` returns false when it met one. The whole series is run first (one pass over
// the data in the common, all-finite case); only if that fails is it redone run by run.
template <typename RunFn>
void ForEachFiniteRunFused(std::span<const double> in, std::span<const std::span<double>> outputs,
                           RunFn&& run) {
  if (in.empty() || run(size_t{0}, in.size())) return;
  ForEachFiniteRun(in, outputs, [&](size_t b, size_t e) { (void)run(b, e); });
}

// A period parameter (validated as an integer by ValidateParams).
inline int Period(double p) { return static_cast<int>(p); }

// True when any argument is NaN or infinite (NonFinite, branch-free).
template <typename... X>
inline bool AnyNonFinite(X... x) {
  return (NonFinite(x) | ...) != 0;
}

// The batch kernels: each maximal range of bars whose inputs are all finite is fed to a new
// stream, make(), with step(stream, i) feeding bar i and storing its outputs; bars with a
// non-finite input get NaN (ForEachFiniteRun). So the output on a range equals the
// indicator computed on that range alone, by construction. As in ForEachFiniteRunFused, the
// whole series is first run by one stream, checking the inputs as it reads them: in the common
// all-finite case that is the result, with no separate scan of the data; only if a non-finite value
// was met is the series redone range by range. REQUIRES: every input and output has the length of
// inputs[0].
template <size_t kIn, size_t kOut, typename MakeFn, typename StepFn>
void RunFreshStreams(const std::span<const double> (&inputs)[kIn],
                     const std::span<double> (&outputs)[kOut], MakeFn&& make, StepFn&& step) {
  const size_t n = inputs[0].size();
  if (n == 0) return;
  {
    auto stream = make();
    uint64_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
      for (size_t k = 0; k < kIn; ++k) bad |= NonFinite(inputs[k][i]);
      step(stream, i);
    }
    if (bad == 0) return;
  }
  ForEachFiniteRun(inputs, outputs, n, [&](size_t begin, size_t end) {
    auto stream = make();
    for (size_t i = begin; i < end; ++i) step(stream, i);
  });
}

// The streams: on a bar with a non-finite input, `stream` becomes make() (a stream just created
// with the same parameters: value NaN, warm-up from the next bar) except for its count of all bars
// fed, `seen`, which ready() uses (ready() is not reset by a gap). Out of line and cold: it keeps
// the constructors out of the streams' inlined Update.
template <typename S, typename MakeFn>
[[gnu::noinline, gnu::cold]] void Restart(S& stream, int64_t S::*seen, MakeFn&& make) {
  S fresh = make();
  fresh.*seen = stream.*seen;
  stream = std::move(fresh);
}

// TA-Lib's TA_IS_ZERO: |v| < 1e-8. Used where TA-Lib uses it, so that flat series give TA-Lib's
// numbers (0) instead of a division by (almost) zero.
inline bool TaIsZero(double v) { return -1e-8 < v && v < 1e-8; }

// InvalidArgument unless every length in `lengths` is n.
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

// Validates parameter `i` of the entry alone (the others at their defaults): for a Lookback that
// takes only some of the parameters.
inline Status CheckParam(const IndicatorInfo& info, size_t i, double value) {
  std::vector<double> values;
  for (const ParamSpec& spec : info.params) values.push_back(spec.default_value);
  values.at(i) = value;
  return ValidateParams(info, values);
}

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

}  // namespace kairos::indicators::kernel_util
