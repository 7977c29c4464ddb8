#include "indicators/stochrsi.h"

namespace kairos::indicators {
namespace {

Status StochRsiBatch(std::span<const std::span<const double>> inputs,
                     std::span<const double> params, std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(StochRsiInfo(), inputs, params, outputs));
  return StochRsi(inputs[0], kernel_util::Period(params[0]), kernel_util::Period(params[1]),
                  kernel_util::Period(params[2]), outputs[0], outputs[1]);
}

int StochRsiLookbackFn(std::span<const double> params) {
  if (!ValidateParams(StochRsiInfo(), params).ok()) return -1;
  return StochRsiLookback(kernel_util::Period(params[0]), kernel_util::Period(params[1]),
                          kernel_util::Period(params[2]));
}

std::unique_ptr<Stream> StochRsiStreamFn(std::span<const double> params) {
  if (!ValidateParams(StochRsiInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 2>(StochRsiStream::Create(kernel_util::Period(params[0]),
                                                               kernel_util::Period(params[1]),
                                                               kernel_util::Period(params[2])));
}

}  // namespace

int StochRsiLookback(int period, int fastk_period, int fastd_period) {
  if (!kernel_util::CheckParams(StochRsiInfo(), period, fastk_period, fastd_period).ok()) return -1;
  return period + fastk_period + fastd_period - 2;
}

Status StochRsi(std::span<const double> x, int period, int fastk_period, int fastd_period,
                std::span<double> fastk, std::span<double> fastd) {
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckParams(StochRsiInfo(), period, fastk_period, fastd_period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("stochrsi", x.size(), {fastk.size(), fastd.size()}));
  kernel_util::RunFreshStreams(
      {x}, {fastk, fastd},
      [&] { return StochRsiStream::Create(period, fastk_period, fastd_period).value(); },
      [&](StochRsiStream& stream, size_t i) {
        stream.UpdateFinite(x[i]);
        fastk[i] = stream.value(0);
        fastd[i] = stream.value(1);
      });
  return Status::Ok();
}

Result<StochRsiStream> StochRsiStream::Create(int period, int fastk_period, int fastd_period) {
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckParams(StochRsiInfo(), period, fastk_period, fastd_period));
  return StochRsiStream(BasicRsiStream<true>::Create(period).value(), period, fastk_period,
                        fastd_period);
}

const IndicatorInfo& StochRsiInfo() {
  static const IndicatorInfo info{
      .name = "stochrsi",
      .description = "Stochastic RSI: fast stochastic of RSI (SMA for %D), 0..100",
      .inputs = {Input::kSeries},
      .params = {{"period", 14, 2, 100000, true, "RSI period"},
                 {"fastk_period", 5, 1, 100000, true, "bars of the RSI highest / lowest"},
                 {"fastd_period", 3, 1, 100000, true, "SMA period of fast %K (gives fast %D)"}},
      .outputs = {"fastk", "fastd"},
      .lookback = StochRsiLookbackFn,
      .batch = StochRsiBatch,
      .stream = StochRsiStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
