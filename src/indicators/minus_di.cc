#include "indicators/minus_di.h"

namespace kairos::indicators {
namespace {

Status MinusDiBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                    std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(MinusDiInfo(), inputs, params, outputs));
  return MinusDi(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), outputs[0]);
}

int MinusDiLookbackFn(std::span<const double> params) {
  if (!ValidateParams(MinusDiInfo(), params).ok()) return -1;
  return MinusDiLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> MinusDiStreamFn(std::span<const double> params) {
  if (!ValidateParams(MinusDiInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(MinusDiStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int MinusDiLookback(int period) {
  return kernel_util::CheckParams(MinusDiInfo(), period).ok() ? period : -1;
}

Status MinusDi(std::span<const double> high, std::span<const double> low,
               std::span<const double> close, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MinusDiInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("minus_di", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return MinusDiStream::Create(period).value(); },
      [&](MinusDiStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<MinusDiStream> MinusDiStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MinusDiInfo(), period));
  return MinusDiStream(period);
}

const IndicatorInfo& MinusDiInfo() {
  static const IndicatorInfo info{
      .name = "minus_di",
      .description = "Minus directional indicator -DI (Wilder), 0..100",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 14, 1, 100000, true, "Wilder smoothing period"}},
      .outputs = {"minus_di"},
      .lookback = MinusDiLookbackFn,
      .batch = MinusDiBatch,
      .stream = MinusDiStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
