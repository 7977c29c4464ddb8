#include "indicators/willr.h"

namespace kairos::indicators {
namespace {

Status WillrBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                  std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(WillrInfo(), inputs, params, outputs));
  return Willr(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), outputs[0]);
}

int WillrLookbackFn(std::span<const double> params) {
  if (!ValidateParams(WillrInfo(), params).ok()) return -1;
  return WillrLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> WillrStreamFn(std::span<const double> params) {
  if (!ValidateParams(WillrInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(WillrStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int WillrLookback(int period) {
  return kernel_util::CheckParams(WillrInfo(), period).ok() ? period - 1 : -1;
}

Status Willr(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(WillrInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("willr", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return WillrStream::Create(period).value(); },
      [&](WillrStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<WillrStream> WillrStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(WillrInfo(), period));
  return WillrStream(period);
}

const IndicatorInfo& WillrInfo() {
  static const IndicatorInfo info{
      .name = "willr",
      .description = "Williams %R, -100..0",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 14, 2, 100000, true, "bars of the highest high / lowest low"}},
      .outputs = {"willr"},
      .lookback = WillrLookbackFn,
      .batch = WillrBatch,
      .stream = WillrStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
