#include "indicators/testing/compare.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "indicators/testing/random_data.h"

namespace kairos::indicators::testing {
namespace {

double RelError(double a, double e, double abs_tol) {
  double diff = std::fabs(a - e);
  if (diff <= abs_tol || a == e) return 0;
  return diff / std::max(std::fabs(a), std::fabs(e));
}

}  // namespace

SeriesDiff CompareSeries(std::span<const double> actual, std::span<const double> expected,
                         double abs_tol) {
  SeriesDiff d;
  size_t n = std::min(actual.size(), expected.size());
  for (size_t i = 0; i < n; ++i) {
    bool an = std::isnan(actual[i]);
    bool en = std::isnan(expected[i]);
    if (!an && d.first_valid_actual < 0) d.first_valid_actual = static_cast<long>(i);
    if (!en && d.first_valid_expected < 0) d.first_valid_expected = static_cast<long>(i);
    if (an != en) {
      if (d.first_nan_mismatch < 0) d.first_nan_mismatch = static_cast<long>(i);
      continue;
    }
    if (an) continue;
    double r = RelError(actual[i], expected[i], abs_tol);
    if (r > d.max_rel_error || std::isnan(r)) {
      d.max_rel_error = r;
      d.worst_row = static_cast<long>(i);
    }
  }
  return d;
}

::testing::AssertionResult MatchesReference(std::span<const double> actual,
                                            std::span<const double> expected, double rel_tol,
                                            double abs_tol) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "length " << actual.size() << " != expected " << expected.size();
  }
  SeriesDiff d = CompareSeries(actual, expected, abs_tol);
  if (d.first_valid_actual != d.first_valid_expected) {
    return ::testing::AssertionFailure()
           << "first valid row " << d.first_valid_actual << ", expected " << d.first_valid_expected;
  }
  if (d.first_nan_mismatch >= 0) {
    size_t i = static_cast<size_t>(d.first_nan_mismatch);
    return ::testing::AssertionFailure()
           << "NaN mismatch at row " << i << ": " << actual[i] << " vs expected " << expected[i];
  }
  if (!(d.max_rel_error <= rel_tol)) {
    size_t i = static_cast<size_t>(d.worst_row);
    return ::testing::AssertionFailure()
           << "max relative error " << d.max_rel_error << " > " << rel_tol << " at row " << i
           << ": " << fmt::format("{:.17g} vs expected {:.17g}", actual[i], expected[i]);
  }
  return ::testing::AssertionSuccess() << "first valid row " << d.first_valid_actual
                                       << ", max relative error " << d.max_rel_error;
}

std::vector<std::span<const double>> InputsFor(const IndicatorInfo& info, const OhlcvSeries& bars) {
  std::vector<std::span<const double>> in;
  for (Input kind : info.inputs) {
    switch (kind) {
      case Input::kSeries:
      case Input::kClose:
        in.emplace_back(bars.close);
        break;
      case Input::kOpen:
        in.emplace_back(bars.open);
        break;
      case Input::kHigh:
        in.emplace_back(bars.high);
        break;
      case Input::kLow:
        in.emplace_back(bars.low);
        break;
      case Input::kVolume:
        in.emplace_back(bars.volume);
        break;
    }
  }
  return in;
}

Result<std::vector<std::vector<double>>> RunBatch(const IndicatorInfo& info,
                                                  std::span<const double> params,
                                                  std::span<const std::span<const double>> inputs) {
  KAIROS_RETURN_IF_ERROR(ValidateParams(info, params));
  if (inputs.size() != info.inputs.size()) {
    return Status::InvalidArgument(
        fmt::format("{}: {} inputs, expects {}", info.name, inputs.size(), info.inputs.size()));
  }
  size_t n = inputs.empty() ? 0 : inputs[0].size();
  std::vector<std::vector<double>> out(info.outputs.size(), std::vector<double>(n));
  std::vector<std::span<double>> out_spans(out.begin(), out.end());
  KAIROS_RETURN_IF_ERROR(info.batch(inputs, params, out_spans));
  return out;
}

::testing::AssertionResult StreamMatchesBatch(const IndicatorInfo& info,
                                              std::span<const double> params,
                                              std::span<const std::span<const double>> inputs,
                                              uint64_t seed, double rel_tol) {
  Result<std::vector<std::vector<double>>> batch = RunBatch(info, params, inputs);
  if (!batch.ok()) return ::testing::AssertionFailure() << batch.status().ToString();
  size_t n = inputs.empty() ? 0 : inputs[0].size();
  size_t lookback = static_cast<size_t>(info.lookback(params));
  // Two instances fed alternately chunk by chunk: hidden shared state would show up.
  std::unique_ptr<Stream> streams[2] = {info.stream(params), info.stream(params)};
  size_t fed[2] = {0, 0};
  std::vector<double> bar(inputs.size());
  auto feed = [&](int s, size_t until) -> ::testing::AssertionResult {
    for (; fed[s] < until; ++fed[s]) {
      size_t i = fed[s];
      for (size_t k = 0; k < inputs.size(); ++k) bar[k] = inputs[k][i];
      streams[s]->Update(bar);
      if (streams[s]->ready() != (i >= lookback)) {
        return ::testing::AssertionFailure()
               << info.name << ": stream " << s << " ready()=" << streams[s]->ready() << " at bar "
               << i << ", lookback " << lookback;
      }
      for (size_t j = 0; j < info.outputs.size(); ++j) {
        double want = (*batch)[j][i];
        double got = streams[s]->value(j);
        bool same = (std::isnan(want) && std::isnan(got)) || RelError(got, want, 0) <= rel_tol;
        if (!same) {
          return ::testing::AssertionFailure()
                 << info.name << "." << info.outputs[j] << ": stream " << s << " at bar " << i
                 << fmt::format(" gives {:.17g}, batch {:.17g}", got, want);
        }
      }
    }
    return ::testing::AssertionSuccess();
  };
  for (size_t len : ChunkSizes(n, seed)) {
    size_t until = fed[0] + len;
    for (int s : {0, 1}) {
      ::testing::AssertionResult r = feed(s, until);
      if (!r) return r;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace kairos::indicators::testing
