#include "indicators/aroon.h"

namespace kairos::indicators {
namespace {

Status AroonBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                  std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(AroonInfo(), inputs, params, outputs));
  return Aroon(inputs[0], inputs[1], kernel_util::Period(params[0]), outputs[0], outputs[1]);
}

int AroonLookbackFn(std::span<const double> params) {
  if (!ValidateParams(AroonInfo(), params).ok()) return -1;
  return AroonLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> AroonStreamFn(std::span<const double> params) {
  if (!ValidateParams(AroonInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<2, 2>(AroonStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int AroonLookback(int period) {
  return kernel_util::CheckParams(AroonInfo(), period).ok() ? period : -1;
}

Status Aroon(std::span<const double> high, std::span<const double> low, int period,
             std::span<double> down, std::span<double> up) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(AroonInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("aroon", high.size(), {low.size(), down.size(), up.size()}));
  kernel_util::RunFreshStreams(
      {high, low}, {down, up}, [&] { return AroonStream::Create(period).value(); },
      [&](AroonStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i]);
        down[i] = stream.value(0);
        up[i] = stream.value(1);
      });
  return Status::Ok();
}

Result<AroonStream> AroonStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(AroonInfo(), period));
  return AroonStream(period);
}

const IndicatorInfo& AroonInfo() {
  static const IndicatorInfo info{
      .name = "aroon",
      .description = "Aroon down/up: recency of the lowest low / highest high, 0..100",
      .inputs = {Input::kHigh, Input::kLow},
      .params = {{"period", 14, 2, 100000, true, "bars looked back (the window has period + 1)"}},
      .outputs = {"down", "up"},
      .lookback = AroonLookbackFn,
      .batch = AroonBatch,
      .stream = AroonStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
