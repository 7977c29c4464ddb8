#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "indicators/indicator.h"

// The in-product indicator benchmark behind `kairos bench indicators [--bars N]`, and the pieces
// that bench/indicators_bench.cc shares with it (the same cases on the same data), so the CLI
// figures and the Google Benchmark figures measure the same thing.
namespace kairos::indicators {

// A parameter by its registry name ("period", "nbdevup").
struct BenchParam {
  std::string_view name;
  double value;
};

// One benchmarked indicator call: a registry name and parameters by name. Parameters the case
// does not name take the registry's defaults (TA-Lib's); a name the registry does not know falls
// back to the same position in the registry's list (TA-Lib's order).
struct BenchCase {
  std::string_view label;      // "sma_20", "macd_12_26_9"
  std::string_view indicator;  // registry name: "sma", "macd"
  std::vector<BenchParam> params;
};

// The ten standard cases: sma_20, ema_20, rsi_14, macd_12_26_9, bbands_20_2, atr_14, adx_14,
// stoch_14_3_3, max_20, stddev_20. Moving averages inside them are simple (TA-Lib's matype 0).
std::span<const BenchCase> StandardBenchCases();

// A deterministic daily OHLCV random walk (own splitmix64 PRNG, no std:: distributions, so every
// platform gets the same numbers): log-normal closes starting at 100, open = previous close,
// high >= max(open, close), low <= min(open, close), positive volumes.
struct OhlcvColumns {
  std::vector<double> open, high, low, close, volume;
  size_t size() const { return close.size(); }
  // The column read by `input`; kSeries reads close.
  std::span<const double> column(Input input) const;
};
OhlcvColumns RandomWalkOhlcv(int64_t bars, uint64_t seed = 42);

// A case bound to the registry and to data: input spans and output buffers prepared once, so
// Run() measures only the batch kernel. Keeps references to `data`, which must outlive it.
class PreparedCase {
 public:
  // NotFound when the indicator is not registered; InvalidArgument when the parameters do not fit
  // the registry entry.
  static Result<PreparedCase> Prepare(const BenchCase& bench_case, const OhlcvColumns& data);

  Status Run();
  const IndicatorInfo& info() const { return *info_; }
  std::span<const double> params() const { return params_; }
  // Output `index` of the last Run(), aligned with the input (NaN during the warm-up).
  std::span<const double> output(size_t index) const { return outputs_[index]; }

 private:
  const IndicatorInfo* info_ = nullptr;
  std::vector<double> params_;
  std::vector<std::span<const double>> inputs_;
  std::vector<std::vector<double>> outputs_;
  std::vector<std::span<double>> output_spans_;
};

struct IndicatorBenchOptions {
  int64_t bars = 10'000'000;
  int runs = 5;  // best of
  uint64_t seed = 42;
};

struct IndicatorBenchRow {
  std::string label;  // "sma_20"
  double ns_per_bar = 0;
};

struct IndicatorBenchReport {
  std::vector<IndicatorBenchRow> rows;  // StandardBenchCases() order, registered ones only
  std::vector<std::string> skipped;     // labels whose indicator is not registered
};

// Runs every standard case `runs` times on one random walk of `bars` bars and keeps the fastest
// run (std::chrono::steady_clock). InvalidArgument for bars < 1000 or runs < 1; a kernel error is
// returned with the case label as context. Single-threaded; takes about
// bars * 10 * runs * ~10 ns plus ~0.1 s per million bars to generate the data.
Result<IndicatorBenchReport> RunIndicatorBench(const IndicatorBenchOptions& options);

}  // namespace kairos::indicators
