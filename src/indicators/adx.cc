#include "indicators/adx.h"

namespace kairos::indicators {
namespace {

Status AdxBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(AdxInfo(), inputs, params, outputs));
  return Adx(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), outputs[0]);
}

int AdxLookbackFn(std::span<const double> params) {
  if (!ValidateParams(AdxInfo(), params).ok()) return -1;
  return AdxLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> AdxStreamFn(std::span<const double> params) {
  if (!ValidateParams(AdxInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(AdxStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int AdxLookback(int period) {
  return kernel_util::CheckParams(AdxInfo(), period).ok() ? 2 * period - 1 : -1;
}

Status Adx(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(AdxInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("adx", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return AdxStream::Create(period).value(); },
      [&](AdxStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<AdxStream> AdxStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(AdxInfo(), period));
  return AdxStream(period);
}

const IndicatorInfo& AdxInfo() {
  static const IndicatorInfo info{
      .name = "adx",
      .description = "Average directional index (Wilder), 0..100",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 14, 2, 100000, true, "Wilder smoothing period"}},
      .outputs = {"adx"},
      .lookback = AdxLookbackFn,
      .batch = AdxBatch,
      .stream = AdxStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
