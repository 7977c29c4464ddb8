#pragma once

// Plumbing shared by the group-A indicator files: the NaN rule (README.md), shape checks for the
// registry's BatchFn and the adapter from a typed streaming class to the generic Stream.

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

#include "core/check.h"
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

// Checks what ValidateParams does not: input/output counts and equal lengths.
inline Status CheckShapes(std::string_view name, std::span<const std::span<const double>> inputs,
                          size_t want_inputs, std::span<const std::span<double>> outputs,
                          size_t want_outputs) {
  if (inputs.size() != want_inputs || outputs.size() != want_outputs) {
    return Status::InvalidArgument(
        fmt::format("{}: expects {} input(s) and {} output(s), got {} and {}", name, want_inputs,
                    want_outputs, inputs.size(), outputs.size()));
  }
  size_t n = inputs.empty() ? 0 : inputs[0].size();
  for (std::span<const double> in : inputs) {
    if (in.size() != n)
      return Status::InvalidArgument(fmt::format("{}: inputs differ in length", name));
  }
  for (std::span<double> out : outputs) {
    if (out.size() != n) {
      return Status::InvalidArgument(
          fmt::format("{}: outputs must have the input length {}, got {}", name, n, out.size()));
    }
  }
  return Status::Ok();
}

// A period parameter (validated as an integer by ValidateParams).
inline int Period(double p) { return static_cast<int>(p); }

// Wraps a typed streaming class (Update with 1, 2 or 4 doubles; value() or value(size_t)) as a
// registry Stream.
template <typename Typed>
class StreamAdapter final : public Stream {
 public:
  explicit StreamAdapter(Typed typed) : typed_(std::move(typed)) {}

  void Update(std::span<const double> in) override {
    if constexpr (requires(Typed t) { t.Update(0.0); }) {
      typed_.Update(in[0]);
    } else if constexpr (requires(Typed t) { t.Update(0.0, 0.0); }) {
      typed_.Update(in[0], in[1]);
    } else {
      typed_.Update(in[0], in[1], in[2], in[3]);
    }
  }
  bool ready() const override { return typed_.ready(); }
  double value(size_t index) const override {
    if constexpr (requires(const Typed t) { t.value(size_t{0}); }) {
      return typed_.value(index);
    } else {
      KAIROS_CHECK(index == 0) << "single-output stream asked for output " << index;
      return typed_.value();
    }
  }

 private:
  Typed typed_;
};

template <typename Typed, typename... Args>
std::unique_ptr<Stream> MakeStream(Args&&... args) {
  return std::make_unique<StreamAdapter<Typed>>(Typed(std::forward<Args>(args)...));
}

}  // namespace kairos::indicators::kernel_util
