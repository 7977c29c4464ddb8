#include "indicators/mom.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status MomBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("mom", in, 1, out, 1));
  Mom(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

double MomFormula(double x, double base) { return x - base; }

int MomLookback(int period) { return MomKernel::Lookback(period); }

void Mom(std::span<const double> in, int period, std::span<double> out) {
  MomKernel::Batch(in, period, out);
}

IndicatorInfo MomInfo() {
  return IndicatorInfo{
      .name = "mom",
      .description = "Momentum: change over a period",
      .inputs = {Input::kSeries},
      .params = {{"period", 10, 1, 100000, true, "bars back"}},
      .outputs = {"mom"},
      .lookback = [](std::span<const double> p) { return MomLookback(kernel_util::Period(p[0])); },
      .batch = MomBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<MomStream>(kernel_util::Period(p[0]));
          },
  };
}

}  // namespace kairos::indicators
