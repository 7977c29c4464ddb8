#include "indicators/min.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status MinBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("min", in, 1, out, 1));
  Min(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

int MinLookback(int period) { return MinKernel::Lookback(period); }

void Min(std::span<const double> in, int period, std::span<double> out) {
  MinKernel::Batch(in, period, out);
}

IndicatorInfo MinInfo() {
  return IndicatorInfo{
      .name = "min",
      .description = "Lowest value over a window",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "window in bars"}},
      .outputs = {"min"},
      .lookback = [](std::span<const double> p) { return MinLookback(kernel_util::Period(p[0])); },
      .batch = MinBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<MinStream>(kernel_util::Period(p[0]));
          },
  };
}

}  // namespace kairos::indicators
