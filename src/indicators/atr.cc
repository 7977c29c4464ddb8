#include "indicators/atr.h"

namespace kairos::indicators {
namespace {

Status AtrBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(AtrInfo(), inputs, params, outputs));
  return Atr(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), outputs[0]);
}

int AtrLookbackFn(std::span<const double> params) {
  if (!ValidateParams(AtrInfo(), params).ok()) return -1;
  return AtrLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> AtrStreamFn(std::span<const double> params) {
  if (!ValidateParams(AtrInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(AtrStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int AtrLookback(int period) {
  return kernel_util::CheckParams(AtrInfo(), period).ok() ? period : -1;
}

Status Atr(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(AtrInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("atr", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return AtrStream::Create(period).value(); },
      [&](AtrStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<AtrStream> AtrStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(AtrInfo(), period));
  return AtrStream(period);
}

const IndicatorInfo& AtrInfo() {
  static const IndicatorInfo info{
      .name = "atr",
      .description = "Average true range (Wilder smoothing)",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 14, 1, 100000, true, "number of true ranges averaged"}},
      .outputs = {"atr"},
      .lookback = AtrLookbackFn,
      .batch = AtrBatch,
      .stream = AtrStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
