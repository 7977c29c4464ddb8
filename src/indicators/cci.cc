#include "indicators/cci.h"

namespace kairos::indicators {
namespace {

Status CciBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(CciInfo(), inputs, params, outputs));
  return Cci(inputs[0], inputs[1], inputs[2], kernel_util::Period(params[0]), outputs[0]);
}

int CciLookbackFn(std::span<const double> params) {
  if (!ValidateParams(CciInfo(), params).ok()) return -1;
  return CciLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> CciStreamFn(std::span<const double> params) {
  if (!ValidateParams(CciInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<3, 1>(CciStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int CciLookback(int period) {
  return kernel_util::CheckParams(CciInfo(), period).ok() ? period - 1 : -1;
}

Status Cci(std::span<const double> high, std::span<const double> low, std::span<const double> close,
           int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(CciInfo(), period));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("cci", close.size(), {high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low, close}, {out}, [&] { return CciStream::Create(period).value(); },
      [&](CciStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<CciStream> CciStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(CciInfo(), period));
  return CciStream(period);
}

const IndicatorInfo& CciInfo() {
  static const IndicatorInfo info{
      .name = "cci",
      .description = "Commodity channel index (Lambert)",
      .inputs = {Input::kHigh, Input::kLow, Input::kClose},
      .params = {{"period", 14, 2, 100000, true, "bars of the mean and mean deviation"}},
      .outputs = {"cci"},
      .lookback = CciLookbackFn,
      .batch = CciBatch,
      .stream = CciStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
