#include "indicators/natr.h"

namespace kairos::indicators {
namespace {

Status NatrBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                 std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(group_b::CheckShapes(NatrInfo(), inputs, params, outputs));
  return Natr(inputs[0], inputs[1], inputs[2], group_b::IntParam(params, 0), outputs[0]);
}

int NatrLookbackFn(std::span<const double> params) {
  if (!ValidateParams(NatrInfo(), params).ok()) return -1;
  return NatrLookback(group_b::IntParam(params, 0));
}

std::unique_ptr<Stream> NatrStreamFn(std::span<const double> params) {
  if (!ValidateParams(NatrInfo(), params).ok()) return nullptr;
  return group_b::AdaptStream<3, 1>(NatrStream::Create(group_b::IntParam(params, 0)));
}

}  // namespace

int NatrLookback(int period) { return group_b::CheckParams(NatrInfo(), period).ok() ? period : -1; }

Status Natr(std::span<const double> high, std::span<const double> low,
            std::span<const double> close, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(group_b::CheckParams(NatrInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      group_b::CheckLengths("natr", close.size(), {high.size(), low.size(), out.size()}));
  group_b::RunFreshStreams(
      {high, low, close}, {out}, [&] { return NatrStream::Create(period).value(); },
      [&](NatrStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<NatrStream> NatrStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(group_b::CheckParams(NatrInfo(), period));
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
