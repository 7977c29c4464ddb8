#include "indicators/roc.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status RocBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("roc", in, 1, out, 1));
  Roc(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

double RocFormula(double x, double base) {
  return base != 0.0 ? (x / base - 1.0) * 100.0 : kernel_util::kNaN;
}

int RocLookback(int period) { return RocKernel::Lookback(period); }

void Roc(std::span<const double> in, int period, std::span<double> out) {
  RocKernel::Batch(in, period, out);
}

IndicatorInfo RocInfo() {
  return IndicatorInfo{
      .name = "roc",
      .description = "Rate of change in percent over a period",
      .inputs = {Input::kSeries},
      .params = {{"period", 10, 1, 100000, true, "bars back"}},
      .outputs = {"roc"},
      .lookback = [](std::span<const double> p) { return RocLookback(kernel_util::Period(p[0])); },
      .batch = RocBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<RocStream>(kernel_util::Period(p[0]));
          },
  };
}

}  // namespace kairos::indicators
