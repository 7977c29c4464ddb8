#include "indicators/ad.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

double Step(double ad, double high, double low, double close, double volume) {
  double range = high - low;
  if (range > 0.0) ad += (((close - low) - (high - close)) / range) * volume;
  return ad;
}

Status AdBatch(std::span<const std::span<const double>> in, std::span<const double> params,
               std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(AdInfo(), in, params, out));
  return Ad(in[0], in[1], in[2], in[3], out[0]);
}

int AdLookbackFn(std::span<const double> params) {
  return ValidateParams(AdInfo(), params).ok() ? AdLookback() : -1;
}

std::unique_ptr<Stream> AdStreamFn(std::span<const double> params) {
  if (!ValidateParams(AdInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<4, 1>(AdStream::Create());
}

}  // namespace

int AdLookback() { return 0; }

Status Ad(std::span<const double> high, std::span<const double> low, std::span<const double> close,
          std::span<const double> volume, std::span<double> out) {
  const size_t n = close.size();
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("ad", n, {high.size(), low.size(), volume.size(), out.size()}));
  const std::span<const double> ins[] = {high, low, close, volume};
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(ins, outs, n, [&](size_t b, size_t e) {
    double ad = 0;
    for (size_t i = b; i < e; ++i) {
      ad = Step(ad, high[i], low[i], close[i], volume[i]);
      out[i] = ad;
    }
  });
  return Status::Ok();
}

void AdStream::Update(double high, double low, double close, double volume) {
  ++seen_;
  if (!kernel_util::IsFinite(high) || !kernel_util::IsFinite(low) ||
      !kernel_util::IsFinite(close) || !kernel_util::IsFinite(volume)) {
    ad_ = 0;
    value_ = kernel_util::kNaN;
    return;
  }
  ad_ = Step(ad_, high, low, close, volume);
  value_ = ad_;
}

const IndicatorInfo& AdInfo() {
  static const IndicatorInfo info{
      .name = "ad",
      .description = "Chaikin accumulation/distribution line",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose, Input::kVolume},
      .params = {},
      .outputs = {"ad"},
      .lookback = AdLookbackFn,
      .batch = AdBatch,
      .stream = AdStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
