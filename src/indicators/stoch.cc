#include "indicators/stoch.h"

namespace kairos::indicators {
namespace {

Status StochBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                  std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(StochInfo(), inputs, params, outputs));
  return Stoch(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]),
               kernel_util::Period(params[1]), kernel_util::Period(params[2]), outputs[0],
               outputs[1]);
}

int StochLookbackFn(std::span<const double> params) {
  if (!ValidateParams(StochInfo(), params).ok()) return -1;
  return StochLookback(kernel_util::Period(params[0]), kernel_util::Period(params[1]),
                       kernel_util::Period(params[2]));
}

std::unique_ptr<Stream> StochStreamFn(std::span<const double> params) {
  if (!ValidateParams(StochInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 2>(StochStream::Create(kernel_util::Period(params[0]),
                                                            kernel_util::Period(params[1]),
                                                            kernel_util::Period(params[2])));
}

}  // namespace

int StochLookback(int fastk_period, int slowk_period, int slowd_period) {
  if (!kernel_util::CheckParams(StochInfo(), fastk_period, slowk_period, slowd_period).ok())
    return -1;
  return fastk_period + slowk_period + slowd_period - 3;
}

Status Stoch(std::span<const double> high, std::span<const double> low,
             std::span<const double> close, int fastk_period, int slowk_period, int slowd_period,
             std::span<double> slowk, std::span<double> slowd) {
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckParams(StochInfo(), fastk_period, slowk_period, slowd_period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths(
      "stoch", close.size(), {high.size(), low.size(), slowk.size(), slowd.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {slowk, slowd},
      [&] { return StochStream::Create(fastk_period, slowk_period, slowd_period).value(); },
      [&](StochStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        slowk[i] = stream.value(0);
        slowd[i] = stream.value(1);
      });
  return Status::Ok();
}

Result<StochStream> StochStream::Create(int fastk_period, int slowk_period, int slowd_period) {
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckParams(StochInfo(), fastk_period, slowk_period, slowd_period));
  return StochStream(fastk_period, slowk_period, slowd_period);
}

const IndicatorInfo& StochInfo() {
  static const IndicatorInfo info{
      .name = "stoch",
      .description = "Slow stochastic oscillator %K/%D (SMA smoothing), 0..100",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"fastk_period", 5, 1, 100000, true, "bars of the highest high / lowest low"},
                 {"slowk_period", 3, 1, 100000, true, "SMA period of fast %K (gives slow %K)"},
                 {"slowd_period", 3, 1, 100000, true, "SMA period of slow %K (gives slow %D)"}},
      .outputs = {"slowk", "slowd"},
      .lookback = StochLookbackFn,
      .batch = StochBatch,
      .stream = StochStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
