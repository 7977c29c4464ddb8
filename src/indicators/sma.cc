#include "indicators/sma.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

// One run: the sum of the first period-1 values, then one add per bar; multiplying by 1/period
// (not dividing) keeps the loop off the divider. Returns false if an input was not finite.
bool SmaRun(std::span<const double> x, int period, std::span<double> out) {
  const size_t n = x.size();
  const size_t p = static_cast<size_t>(period);
  const size_t warm = std::min(n, p - 1);
  uint64_t bad = 0;
  double sum = 0;
  for (size_t i = 0; i < warm; ++i) {
    sum += x[i];
    bad |= kernel_util::NonFinite(x[i]);
    out[i] = kNaN;
  }
  if (n < p) return bad == 0;
  const double inv = 1.0 / period;
  sum += x[p - 1];
  bad |= kernel_util::NonFinite(x[p - 1]);
  out[p - 1] = sum * inv;
  for (size_t i = p; i < n; ++i) {
    sum += x[i] - x[i - p];
    bad |= kernel_util::NonFinite(x[i]);
    out[i] = sum * inv;
  }
  return bad == 0;
}

Status SmaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(SmaInfo(), in, params, out));
  return Sma(in[0], kernel_util::Period(params[0]), out[0]);
}

int SmaLookbackFn(std::span<const double> params) {
  if (!ValidateParams(SmaInfo(), params).ok()) return -1;
  return SmaLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> SmaStreamFn(std::span<const double> params) {
  if (!ValidateParams(SmaInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(SmaStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int SmaLookback(int period) {
  return kernel_util::CheckParams(SmaInfo(), period).ok() ? period - 1 : -1;
}

Status Sma(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(SmaInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("sma", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
    return SmaRun(in.subspan(b, e - b), period, out.subspan(b, e - b));
  });
  return Status::Ok();
}

Result<SmaStream> SmaStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(SmaInfo(), period));
  return SmaStream(period);
}

SmaStream::SmaStream(int period)
    : period_(period), lookback_(SmaLookback(period)), window_(period), value_(kNaN) {}

void SmaStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    count_ = 0;
    sum_ = 0;
    value_ = kNaN;
    return;
  }
  const size_t p = window_.size();
  double oldest = window_[head_];  // x[i - period] once the ring is full
  window_[head_] = x;
  head_ = head_ + 1 == p ? 0 : head_ + 1;
  ++count_;
  if (count_ < period_) {
    sum_ += x;
    value_ = kNaN;
  } else {
    if (count_ == period_) {
      sum_ += x;
    } else {
      sum_ += x - oldest;
    }
    value_ = sum_ * (1.0 / period_);
  }
}

const IndicatorInfo& SmaInfo() {
  static const IndicatorInfo info{
      .name = "sma",
      .description = "Simple moving average",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "number of bars averaged"}},
      .outputs = {"sma"},
      .lookback = SmaLookbackFn,
      .batch = SmaBatch,
      .stream = SmaStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
