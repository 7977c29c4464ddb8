#include "indicators/plus_di.h"

namespace kairos::indicators {
namespace {

Status PlusDiBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                   std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(PlusDiInfo(), inputs, params, outputs));
  return PlusDi(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), outputs[0]);
}

int PlusDiLookbackFn(std::span<const double> params) {
  if (!ValidateParams(PlusDiInfo(), params).ok()) return -1;
  return PlusDiLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> PlusDiStreamFn(std::span<const double> params) {
  if (!ValidateParams(PlusDiInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(PlusDiStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int PlusDiLookback(int period) {
  return kernel_util::CheckParams(PlusDiInfo(), period).ok() ? period : -1;
}

Status PlusDi(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(PlusDiInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("plus_di", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return PlusDiStream::Create(period).value(); },
      [&](PlusDiStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<PlusDiStream> PlusDiStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(PlusDiInfo(), period));
  return PlusDiStream(period);
}

const IndicatorInfo& PlusDiInfo() {
  static const IndicatorInfo info{
      .name = "plus_di",
      .description = "Plus directional indicator +DI (Wilder), 0..100",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 14, 1, 100000, true, "Wilder smoothing period"}},
      .outputs = {"plus_di"},
      .lookback = PlusDiLookbackFn,
      .batch = PlusDiBatch,
      .stream = PlusDiStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
