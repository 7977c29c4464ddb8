#include "indicators/supertrend.h"

namespace kairos::indicators {
namespace {

Status SupertrendBatch(std::span<const std::span<const double>> inputs,
                       std::span<const double> params, std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(SupertrendInfo(), inputs, params, outputs));
  return Supertrend(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), params[1],
                    outputs[0], outputs[1]);
}

int SupertrendLookbackFn(std::span<const double> params) {
  if (!ValidateParams(SupertrendInfo(), params).ok()) return -1;
  return SupertrendLookback(kernel_util::Period(params[0]), params[1]);
}

std::unique_ptr<Stream> SupertrendStreamFn(std::span<const double> params) {
  if (!ValidateParams(SupertrendInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 2>(
      SupertrendStream::Create(kernel_util::Period(params[0]), params[1]));
}

}  // namespace

int SupertrendLookback(int period, double multiplier) {
  return kernel_util::CheckParams(SupertrendInfo(), period, multiplier).ok() ? period : -1;
}

Status Supertrend(std::span<const double> high, std::span<const double> low,
                  std::span<const double> close, int period, double multiplier,
                  std::span<double> supertrend, std::span<double> direction) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(SupertrendInfo(), period, multiplier));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths(
      "supertrend", close.size(), {high.size(), low.size(), supertrend.size(), direction.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {supertrend, direction},
      [&] { return SupertrendStream::Create(period, multiplier).value(); },
      [&](SupertrendStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        supertrend[i] = stream.value(0);
        direction[i] = stream.value(1);
      });
  return Status::Ok();
}

Result<SupertrendStream> SupertrendStream::Create(int period, double multiplier) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(SupertrendInfo(), period, multiplier));
  return SupertrendStream(AtrStream::Create(period).value(), period, multiplier);
}

const IndicatorInfo& SupertrendInfo() {
  static const IndicatorInfo info{
      .name = "supertrend",
      .description = "SuperTrend: ATR trailing band on hl2; direction +1 up, -1 down",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 10, 1, 100000, true, "ATR period"},
                 {"multiplier", 3, 0, 100, false, "ATR multiple between hl2 and the bands"}},
      .outputs = {"supertrend", "direction"},
      .lookback = SupertrendLookbackFn,
      .batch = SupertrendBatch,
      .stream = SupertrendStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
