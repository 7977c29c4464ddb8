#include "indicators/rsi.h"

#include <array>

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

Status RsiBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(RsiInfo(), inputs, params, outputs));
  return Rsi(inputs[0], kernel_util::Period(params[0]), outputs[0]);
}

int RsiLookbackFn(std::span<const double> params) {
  if (!ValidateParams(RsiInfo(), params).ok()) return -1;
  return RsiLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> RsiStreamFn(std::span<const double> params) {
  if (!ValidateParams(RsiInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(RsiStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int RsiLookback(int period) {
  return kernel_util::CheckParams(RsiInfo(), period).ok() ? period : -1;
}

Status Rsi(std::span<const double> x, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(RsiInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("rsi", x.size(), {out.size()}));
  kernel_util::RunFreshStreams(
      {x}, {out}, [&] { return RsiStream::Create(period).value(); },
      [&](RsiStream& stream, size_t i) {
        stream.UpdateFinite(x[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

const IndicatorInfo& RsiInfo() {
  static const IndicatorInfo info{
      .name = "rsi",
      .description = "Relative Strength Index (Wilder), 0..100",
      .inputs = {Input::kSeries},
      .params = {{"period", 14, 2, 100000, true, "number of changes averaged"}},
      .outputs = {"rsi"},
      .lookback = RsiLookbackFn,
      .batch = RsiBatch,
      .stream = RsiStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
