#include "indicators/max.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status MaxBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("max", in, 1, out, 1));
  Max(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

int MaxLookback(int period) { return MaxKernel::Lookback(period); }

void Max(std::span<const double> in, int period, std::span<double> out) {
  MaxKernel::Batch(in, period, out);
}

IndicatorInfo MaxInfo() {
  return IndicatorInfo{
      .name = "max",
      .description = "Highest value over a window",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "window in bars"}},
      .outputs = {"max"},
      .lookback = [](std::span<const double> p) { return MaxLookback(kernel_util::Period(p[0])); },
      .batch = MaxBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<MaxStream>(kernel_util::Period(p[0]));
          },
  };
}

}  // namespace kairos::indicators
