#include "indicators/mfi.h"

namespace kairos::indicators {
namespace {

Status MfiBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(MfiInfo(), inputs, params, outputs));
  return Mfi(inputs[0], inputs[1], inputs[2], inputs[3], kernel_util::Period(params[0]),
             outputs[0]);
}

int MfiLookbackFn(std::span<const double> params) {
  if (!ValidateParams(MfiInfo(), params).ok()) return -1;
  return MfiLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> MfiStreamFn(std::span<const double> params) {
  if (!ValidateParams(MfiInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<4, 1>(MfiStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int MfiLookback(int period) {
  return kernel_util::CheckParams(MfiInfo(), period).ok() ? period : -1;
}

Status Mfi(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           std::span<const double> volume, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MfiInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths(
      "mfi", close.size(), {high.size(), low.size(), volume.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close, volume}, {out}, [&] { return MfiStream::Create(period).value(); },
      [&](MfiStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i], volume[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<MfiStream> MfiStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MfiInfo(), period));
  return MfiStream(period);
}

const IndicatorInfo& MfiInfo() {
  static const IndicatorInfo info{
      .name = "mfi",
      .description = "Money flow index (volume-weighted RSI), 0..100",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose, Input::kVolume},
      .params = {{"period", 14, 2, 100000, true, "number of money flows summed"}},
      .outputs = {"mfi"},
      .lookback = MfiLookbackFn,
      .batch = MfiBatch,
      .stream = MfiStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
