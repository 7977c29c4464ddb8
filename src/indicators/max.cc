#include "indicators/max.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status MaxBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(MaxInfo(), in, params, out));
  return Max(in[0], kernel_util::Period(params[0]), out[0]);
}

int MaxLookbackFn(std::span<const double> params) {
  if (!ValidateParams(MaxInfo(), params).ok()) return -1;
  return MaxLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> MaxStreamFn(std::span<const double> params) {
  if (!ValidateParams(MaxInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(MaxStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int MaxLookback(int period) {
  return kernel_util::CheckParams(MaxInfo(), period).ok() ? MaxKernel::Lookback(period) : -1;
}

Status Max(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MaxInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("max", in.size(), {out.size()}));
  MaxKernel::Batch(in, period, out);
  return Status::Ok();
}

Result<MaxStream> MaxStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MaxInfo(), period));
  return MaxStream(period);
}

const IndicatorInfo& MaxInfo() {
  static const IndicatorInfo info{
      .name = "max",
      .description = "Highest value over a window",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "window in bars"}},
      .outputs = {"max"},
      .lookback = MaxLookbackFn,
      .batch = MaxBatch,
      .stream = MaxStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
