#include "indicators/trange.h"

namespace kairos::indicators {
namespace {

Status TrangeBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                   std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(TrangeInfo(), inputs, params, outputs));
  return Trange(inputs[0], inputs[1], inputs[2], outputs[0]);
}

int TrangeLookbackFn(std::span<const double> params) {
  return ValidateParams(TrangeInfo(), params).ok() ? TrangeLookback() : -1;
}

std::unique_ptr<Stream> TrangeStreamFn(std::span<const double> params) {
  if (!ValidateParams(TrangeInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(TrangeStream::Create());
}

}  // namespace

int TrangeLookback() { return 1; }

Status Trange(std::span<const double> high, std::span<const double> low,
              std::span<const double> close, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("trange", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return TrangeStream::Create().value(); },
      [&](TrangeStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

const IndicatorInfo& TrangeInfo() {
  static const IndicatorInfo info{
      .name = "trange",
      .description = "True range: max(high, prev close) - min(low, prev close)",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {},
      .outputs = {"trange"},
      .lookback = TrangeLookbackFn,
      .batch = TrangeBatch,
      .stream = TrangeStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
