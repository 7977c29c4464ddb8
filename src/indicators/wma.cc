#include "indicators/wma.h"

#include <algorithm>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

double Divisor(int period) { return period * (period + 1.0) / 2.0; }

void WmaRun(std::span<const double> x, int period, std::span<double> out) {
  const size_t n = x.size();
  const size_t p = static_cast<size_t>(period);
  const double divisor = Divisor(period);
  const double weight = period;
  double sum = 0;
  double weighted = 0;
  for (size_t i = 0; i < std::min(n, p); ++i) {
    sum += x[i];
    weighted += static_cast<double>(i + 1) * x[i];
    out[i] = kNaN;
  }
  if (n < p) return;
  out[p - 1] = weighted / divisor;
  for (size_t i = p; i < n; ++i) {
    weighted = weighted - sum + weight * x[i];
    sum = sum - x[i - p] + x[i];
    out[i] = weighted / divisor;
  }
}

Status WmaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(WmaInfo(), in, params, out));
  return Wma(in[0], kernel_util::Period(params[0]), out[0]);
}

int WmaLookbackFn(std::span<const double> params) {
  if (!ValidateParams(WmaInfo(), params).ok()) return -1;
  return WmaLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> WmaStreamFn(std::span<const double> params) {
  if (!ValidateParams(WmaInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(WmaStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int WmaLookback(int period) {
  return kernel_util::CheckParams(WmaInfo(), period).ok() ? period - 1 : -1;
}

Status Wma(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(WmaInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("wma", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    WmaRun(in.subspan(b, e - b), period, out.subspan(b, e - b));
  });
  return Status::Ok();
}

Result<WmaStream> WmaStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(WmaInfo(), period));
  return WmaStream(period);
}

WmaStream::WmaStream(int period)
    : period_(period),
      divisor_(Divisor(period)),
      lookback_(WmaLookback(period)),
      window_(period),
      value_(kNaN) {}

void WmaStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    count_ = 0;
    sum_ = 0;
    weighted_ = 0;
    value_ = kNaN;
    return;
  }
  const size_t p = window_.size();
  double oldest = window_[head_];
  window_[head_] = x;
  head_ = head_ + 1 == p ? 0 : head_ + 1;
  ++count_;
  if (count_ <= period_) {
    sum_ += x;
    weighted_ += static_cast<double>(count_) * x;
    value_ = count_ == period_ ? weighted_ / divisor_ : kNaN;
    return;
  }
  weighted_ = weighted_ - sum_ + static_cast<double>(period_) * x;
  sum_ = sum_ - oldest + x;
  value_ = weighted_ / divisor_;
}

const IndicatorInfo& WmaInfo() {
  static const IndicatorInfo info{
      .name = "wma",
      .description = "Weighted moving average (linear weights 1..period)",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "number of bars weighted"}},
      .outputs = {"wma"},
      .lookback = WmaLookbackFn,
      .batch = WmaBatch,
      .stream = WmaStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
