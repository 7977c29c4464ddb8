#include "indicators/ema.h"

#include <algorithm>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

bool EmaRun(std::span<const double> x, int period, std::span<double> out) {
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
  sum += x[p - 1];
  bad |= kernel_util::NonFinite(x[p - 1]);
  const EmaWeights w(period);
  double ema = sum / static_cast<double>(period);
  out[p - 1] = ema;
  for (size_t i = p; i < n; ++i) {
    ema = EmaCore::Step(ema, x[i], w);
    bad |= kernel_util::NonFinite(x[i]);
    out[i] = ema;
  }
  return bad == 0;
}

Status EmaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(EmaInfo(), in, params, out));
  return Ema(in[0], kernel_util::Period(params[0]), out[0]);
}

int EmaLookbackFn(std::span<const double> params) {
  if (!ValidateParams(EmaInfo(), params).ok()) return -1;
  return EmaLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> EmaStreamFn(std::span<const double> params) {
  if (!ValidateParams(EmaInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(EmaStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int EmaLookback(int period) {
  return kernel_util::CheckParams(EmaInfo(), period).ok() ? period - 1 : -1;
}

Status Ema(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(EmaInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("ema", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
    return EmaRun(in.subspan(b, e - b), period, out.subspan(b, e - b));
  });
  return Status::Ok();
}

Result<EmaStream> EmaStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(EmaInfo(), period));
  return EmaStream(period);
}

EmaStream::EmaStream(int period) : core_(period), lookback_(EmaLookback(period)), value_(kNaN) {}

void EmaStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    core_.Reset();
    value_ = kNaN;
    return;
  }
  value_ = core_.Add(x) ? core_.value() : kNaN;
}

const IndicatorInfo& EmaInfo() {
  static const IndicatorInfo info{
      .name = "ema",
      .description = "Exponential moving average (SMA-seeded, k = 2/(period+1))",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "number of bars; k = 2/(period+1)"}},
      .outputs = {"ema"},
      .lookback = EmaLookbackFn,
      .batch = EmaBatch,
      .stream = EmaStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
