#include "indicators/natr.h"

namespace kairos::indicators {
namespace {

Status NatrBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                 std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(NatrInfo(), inputs, params, outputs));
  return Natr(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), outputs[0]);
}

int NatrLookbackFn(std::span<const double> params) {
  if (!ValidateParams(NatrInfo(), params).ok()) return -1;
  return NatrLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> NatrStreamFn(std::span<const double> params) {
  if (!ValidateParams(NatrInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(NatrStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int NatrLookback(int period) {
  return kernel_util::CheckParams(NatrInfo(), period).ok() ? period : -1;
}

Status Natr(std::span<const double> high, std::span<const double> low,
            std::span<const double> close, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(NatrInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("natr", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return NatrStream::Create(period).value(); },
      [&](NatrStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<NatrStream> NatrStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(NatrInfo(), period));
  return NatrStream(AtrStream::Create(period).value());
}

const IndicatorInfo& NatrInfo() {
  static const IndicatorInfo info{
      .name = "natr",
      .description = "Normalized average true range: 100 * atr / close",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 14, 1, 100000, true, "number of true ranges averaged"}},
      .outputs = {"natr"},
      .lookback = NatrLookbackFn,
      .batch = NatrBatch,
      .stream = NatrStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
