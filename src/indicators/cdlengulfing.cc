#include "indicators/cdlengulfing.h"

namespace kairos::indicators {
namespace {

Status CdlEngulfingBatch(std::span<const std::span<const double>> inputs,
                         std::span<const double> params,
                         std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(CdlEngulfingInfo(), inputs, params, outputs));
  return CdlEngulfing(inputs[0], inputs[1], inputs[2], inputs[3], outputs[0]);
}

int CdlEngulfingLookbackFn(std::span<const double> params) {
  return ValidateParams(CdlEngulfingInfo(), params).ok() ? CdlEngulfingLookback() : -1;
}

std::unique_ptr<Stream> CdlEngulfingStreamFn(std::span<const double> params) {
  if (!ValidateParams(CdlEngulfingInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<4, 1>(CdlEngulfingStream::Create());
}

}  // namespace

int CdlEngulfingLookback() { return CdlEngulfingStream::kLookback; }

Status CdlEngulfing(std::span<const double> open, std::span<const double> high,
                    std::span<const double> low, std::span<const double> close,
                    std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths(
      "cdlengulfing", close.size(), {open.size(), high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {open, high, low, close}, {out}, [&] { return CdlEngulfingStream::Create().value(); },
      [&](CdlEngulfingStream& stream, size_t i) {
        stream.UpdateFinite(open[i], high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

const IndicatorInfo& CdlEngulfingInfo() {
  static const IndicatorInfo info{
      .name = "cdlengulfing",
      .description = "Engulfing bar pattern: +-100 full, +-80 one end equal, else 0",
      .inputs = {Input::kOpen, Input::kHigh, Input::kLow, Input::kClose},
      .params = {},
      .outputs = {"cdlengulfing"},
      .lookback = CdlEngulfingLookbackFn,
      .batch = CdlEngulfingBatch,
      .stream = CdlEngulfingStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
