#include "indicators/stddev.h"

#include <algorithm>
#include <cmath>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

void StddevRun(std::span<const double> x, int period, double nbdev, std::span<double> out) {
  const size_t n = x.size();
  const size_t p = static_cast<size_t>(period);
  const double divisor = period;
  double sum = 0, sum_sq = 0;
  for (size_t i = 0; i < std::min(n, p - 1); ++i) {
    sum += x[i];
    sum_sq += x[i] * x[i];
    out[i] = kNaN;
  }
  if (n < p) return;
  sum += x[p - 1];
  sum_sq += x[p - 1] * x[p - 1];
  out[p - 1] = StddevFromMoments(sum / divisor, sum_sq / divisor) * nbdev;
  for (size_t i = p; i < n; ++i) {
    const double add = x[i], drop = x[i - p];
    sum += add - drop;
    sum_sq += add * add - drop * drop;
    out[i] = StddevFromMoments(sum / divisor, sum_sq / divisor) * nbdev;
  }
}

Status StddevBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                   std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("stddev", in, 1, out, 1));
  Stddev(in[0], kernel_util::Period(params[0]), params[1], out[0]);
  return Status::Ok();
}

}  // namespace

int StddevLookback(int period) { return period - 1; }

double StddevFromMoments(double mean, double mean_of_squares) {
  double var = mean_of_squares - mean * mean;
  return var > kFlatVariance * mean_of_squares ? std::sqrt(var) : 0.0;
}

void Stddev(std::span<const double> in, int period, double nbdev, std::span<double> out) {
  KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "stddev: bad period or output size";
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    StddevRun(in.subspan(b, e - b), period, nbdev, out.subspan(b, e - b));
  });
}

RollingMoments::RollingMoments(int period) : period_(period), window_(period) {
  KAIROS_CHECK(period >= 1) << "rolling moments: period " << period;
}

bool RollingMoments::Add(double x) {
  double drop = window_[head_];
  window_[head_] = x;
  head_ = head_ + 1 == window_.size() ? 0 : head_ + 1;
  ++count_;
  if (count_ <= static_cast<long>(window_.size())) {
    sum_ += x;
    sum_sq_ += x * x;
    return count_ == static_cast<long>(window_.size());
  }
  sum_ += x - drop;
  sum_sq_ += x * x - drop * drop;
  return true;
}

void RollingMoments::Reset() {
  count_ = 0;
  sum_ = 0;
  sum_sq_ = 0;
}

StddevStream::StddevStream(int period, double nbdev)
    : moments_(period), nbdev_(nbdev), lookback_(StddevLookback(period)), value_(kNaN) {}

void StddevStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    moments_.Reset();
    value_ = kNaN;
    return;
  }
  value_ = moments_.Add(x) ? StddevFromMoments(moments_.mean(), moments_.mean_of_squares()) * nbdev_
                           : kNaN;
}

IndicatorInfo StddevInfo() {
  return IndicatorInfo{
      .name = "stddev",
      .description = "Population standard deviation over a window, times nbdev",
      .inputs = {Input::kSeries},
      .params = {{"period", 5, 2, 100000, true, "window in bars"},
                 {"nbdev", 1, 0, 1e6, false, "multiplier (non-negative)"}},
      .outputs = {"stddev"},
      .lookback =
          [](std::span<const double> p) { return StddevLookback(kernel_util::Period(p[0])); },
      .batch = StddevBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<StddevStream>(kernel_util::Period(p[0]), p[1]);
          },
  };
}

}  // namespace kairos::indicators
