#include "indicators/bench_suite.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include <fmt/core.h>

namespace kairos::indicators {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): tiny, fast, and the same sequence everywhere.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1): never 0, so log() is safe.
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal (Box-Muller, one value per call; the second is dropped for simplicity).
  double Normal() {
    double u1 = Uniform();
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  uint64_t state_;
};

}  // namespace

std::span<const BenchCase> StandardBenchCases() {
  static const std::vector<BenchCase> cases = {
      {"sma_20", "sma", {{"period", 20}}},
      {"ema_20", "ema", {{"period", 20}}},
      {"rsi_14", "rsi", {{"period", 14}}},
      {"macd_12_26_9", "macd", {{"fast", 12}, {"slow", 26}, {"signal", 9}}},
      {"bbands_20_2", "bbands", {{"period", 20}, {"nbdevup", 2}, {"nbdevdn", 2}}},
      {"atr_14", "atr", {{"period", 14}}},
      {"adx_14", "adx", {{"period", 14}}},
      {"stoch_14_3_3", "stoch", {{"fastk_period", 14}, {"slowk_period", 3}, {"slowd_period", 3}}},
      {"max_20", "max", {{"period", 20}}},
      {"stddev_20", "stddev", {{"period", 20}, {"nbdev", 1}}},
  };
  return cases;
}

std::span<const double> OhlcvColumns::column(Input input) const {
  switch (input) {
    case Input::kOpen:
      return open;
    case Input::kHigh:
      return high;
    case Input::kLow:
      return low;
    case Input::kVolume:
      return volume;
    case Input::kSeries:
    case Input::kClose:
      break;
  }
  return close;
}

OhlcvColumns RandomWalkOhlcv(int64_t bars, uint64_t seed) {
  OhlcvColumns d;
  size_t n = bars > 0 ? static_cast<size_t>(bars) : 0;
  d.open.resize(n);
  d.high.resize(n);
  d.low.resize(n);
  d.close.resize(n);
  d.volume.resize(n);
  SplitMix64 rng(seed);
  // Log price with a weak pull towards log(100), so 10M bars stay within a realistic price range
  // (stationary sd of the log price ~0.34) while every bar still moves ~1.5%.
  const double anchor = std::log(100.0);
  double log_price = anchor;
  double prev_close = 100.0;
  for (size_t i = 0; i < n; ++i) {
    log_price += -0.001 * (log_price - anchor) + 0.015 * rng.Normal();
    double close = std::exp(log_price);
    double open = prev_close;
    double top = std::max(open, close);
    double bottom = std::min(open, close);
    d.open[i] = open;
    d.close[i] = close;
    d.high[i] = top * (1.0 + 0.005 * std::abs(rng.Normal()));
    d.low[i] = bottom * (1.0 - 0.005 * std::abs(rng.Normal()));
    d.volume[i] = std::round(1e6 * std::exp(0.5 * rng.Normal()));
    prev_close = close;
  }
  return d;
}

Result<PreparedCase> PreparedCase::Prepare(const BenchCase& bench_case, const OhlcvColumns& data) {
  const IndicatorInfo* info = FindIndicator(bench_case.indicator);
  if (info == nullptr) {
    return Status::NotFound(fmt::format("indicator '{}' is not registered", bench_case.indicator));
  }
  PreparedCase p;
  p.info_ = info;
  for (const ParamSpec& spec : info->params) p.params_.push_back(spec.default_value);
  for (size_t i = 0; i < bench_case.params.size(); ++i) {
    const BenchParam& param = bench_case.params[i];
    auto named = std::find_if(info->params.begin(), info->params.end(),
                              [&](const ParamSpec& spec) { return spec.name == param.name; });
    size_t index = named != info->params.end() ? named - info->params.begin() : i;
    if (index >= p.params_.size()) {
      return Status::InvalidArgument(
          fmt::format("{}: '{}' has no parameter '{}'", bench_case.label, info->name, param.name));
    }
    p.params_[index] = param.value;
  }
  KAIROS_RETURN_IF_ERROR(ValidateParams(*info, p.params_).WithContext(bench_case.label));
  for (Input input : info->inputs) p.inputs_.push_back(data.column(input));
  p.outputs_.resize(info->outputs.size());
  for (std::vector<double>& out : p.outputs_) {
    out.assign(data.size(), std::numeric_limits<double>::quiet_NaN());
  }
  return p;
}

Status PreparedCase::Run() {
  // The spans are rebuilt here rather than in Prepare(), so moving a PreparedCase (which moves
  // the output vectors) can never leave them dangling.
  output_spans_.clear();
  for (std::vector<double>& out : outputs_) output_spans_.emplace_back(out);
  return info_->batch(inputs_, params_, output_spans_);
}

Result<IndicatorBenchReport> RunIndicatorBench(const IndicatorBenchOptions& options) {
  if (options.bars < 1000) {
    return Status::InvalidArgument(
        fmt::format("--bars must be at least 1000, got {}", options.bars));
  }
  if (options.runs < 1) {
    return Status::InvalidArgument(fmt::format("runs must be at least 1, got {}", options.runs));
  }
  OhlcvColumns data = RandomWalkOhlcv(options.bars, options.seed);
  IndicatorBenchReport report;
  for (const BenchCase& bench_case : StandardBenchCases()) {
    Result<PreparedCase> prepared = PreparedCase::Prepare(bench_case, data);
    if (!prepared.ok() && prepared.status().code() == StatusCode::kNotFound) {
      report.skipped.emplace_back(bench_case.label);
      continue;
    }
    if (!prepared.ok()) return prepared.status();
    double best_ns = std::numeric_limits<double>::infinity();
    for (int run = 0; run < options.runs; ++run) {
      auto start = std::chrono::steady_clock::now();
      Status status = prepared->Run();
      auto stop = std::chrono::steady_clock::now();
      KAIROS_RETURN_IF_ERROR(status.WithContext(bench_case.label));
      best_ns = std::min(best_ns, std::chrono::duration<double, std::nano>(stop - start).count());
    }
    report.rows.push_back(
        {std::string(bench_case.label), best_ns / static_cast<double>(options.bars)});
  }
  return report;
}

}  // namespace kairos::indicators
