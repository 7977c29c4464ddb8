#include "indicators/min.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status MinBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(MinInfo(), in, params, out));
  return Min(in[0], kernel_util::Period(params[0]), out[0]);
}

int MinLookbackFn(std::span<const double> params) {
  if (!ValidateParams(MinInfo(), params).ok()) return -1;
  return MinLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> MinStreamFn(std::span<const double> params) {
  if (!ValidateParams(MinInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(MinStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int MinLookback(int period) {
  return kernel_util::CheckParams(MinInfo(), period).ok() ? MinKernel::Lookback(period) : -1;
}

Status Min(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MinInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("min", in.size(), {out.size()}));
  MinKernel::Batch(in, period, out);
  return Status::Ok();
}

Result<MinStream> MinStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MinInfo(), period));
  return MinStream(period);
}

const IndicatorInfo& MinInfo() {
  static const IndicatorInfo info{
      .name = "min",
      .description = "Lowest value over a window",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "window in bars"}},
      .outputs = {"min"},
      .lookback = MinLookbackFn,
      .batch = MinBatch,
      .stream = MinStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
