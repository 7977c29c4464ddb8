#include "indicators/linearreg.h"

#include <algorithm>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

// With x_j = j, j = 0..n-1: slope = (n*W - Sx*S) / (n*Sxx - Sx^2), intercept = (S - slope*Sx)/n.
struct Line {
  explicit Line(long period)
      : n(static_cast<double>(period)),
        sx(n * (n - 1) / 2),
        divisor(n * (n - 1) * n * (n + 1) / 12),  // n*Sxx - Sx^2 = n^2 (n^2 - 1) / 12 > 0
        last(n - 1) {}
  double At(double sum, double weighted) const {
    double slope = (n * weighted - sx * sum) / divisor;
    double intercept = (sum - slope * sx) / n;
    return intercept + slope * last;
  }
  double n, sx, divisor, last;
};

void LinearregRun(std::span<const double> y, int period, std::span<double> out) {
  const size_t n = y.size();
  const size_t p = static_cast<size_t>(period);
  const Line line(period);
  const double newest = period - 1;
  double sum = 0, weighted = 0;
  for (size_t i = 0; i < std::min(n, p); ++i) {
    sum += y[i];
    weighted += static_cast<double>(i) * y[i];
    out[i] = kernel_util::kNaN;
  }
  if (n < p) return;
  out[p - 1] = line.At(sum, weighted);
  for (size_t i = p; i < n; ++i) {
    weighted = weighted - (sum - y[i - p]) + newest * y[i];
    sum = sum - y[i - p] + y[i];
    out[i] = line.At(sum, weighted);
  }
}

Status LinearregBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                      std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(LinearregInfo(), in, params, out));
  return Linearreg(in[0], kernel_util::Period(params[0]), out[0]);
}

int LinearregLookbackFn(std::span<const double> params) {
  if (!ValidateParams(LinearregInfo(), params).ok()) return -1;
  return LinearregLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> LinearregStreamFn(std::span<const double> params) {
  if (!ValidateParams(LinearregInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(LinearregStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int LinearregLookback(int period) {
  return kernel_util::CheckParams(LinearregInfo(), period).ok() ? period - 1 : -1;
}

Status Linearreg(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(LinearregInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("linearreg", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    LinearregRun(in.subspan(b, e - b), period, out.subspan(b, e - b));
  });
  return Status::Ok();
}

Result<LinearregStream> LinearregStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(LinearregInfo(), period));
  return LinearregStream(period);
}

LinearregStream::LinearregStream(int period)
    : period_(period),
      lookback_(LinearregLookback(period)),
      window_(static_cast<size_t>(period)),
      value_(kernel_util::kNaN) {}

void LinearregStream::Update(double x) {
  ++seen_;
  value_ = kernel_util::kNaN;
  if (!kernel_util::IsFinite(x)) {
    count_ = 0;
    sum_ = weighted_ = 0;
    return;
  }
  double oldest = window_[head_];
  window_[head_] = x;
  head_ = head_ + 1 == window_.size() ? 0 : head_ + 1;
  if (count_ < period_) {
    sum_ += x;
    weighted_ += static_cast<double>(count_) * x;
  } else {
    weighted_ = weighted_ - (sum_ - oldest) + static_cast<double>(period_ - 1) * x;
    sum_ = sum_ - oldest + x;
  }
  ++count_;
  if (count_ >= period_) value_ = Line(period_).At(sum_, weighted_);
}

const IndicatorInfo& LinearregInfo() {
  static const IndicatorInfo info{
      .name = "linearreg",
      .description = "Linear regression value at the newest bar of a window",
      .inputs = {Input::kSeries},
      .params = {{"period", 14, 2, 100000, true, "window in bars"}},
      .outputs = {"linearreg"},
      .lookback = LinearregLookbackFn,
      .batch = LinearregBatch,
      .stream = LinearregStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
