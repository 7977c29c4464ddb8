#include "indicators/roc.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status RocBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(RocInfo(), in, params, out));
  return Roc(in[0], kernel_util::Period(params[0]), out[0]);
}

int RocLookbackFn(std::span<const double> params) {
  if (!ValidateParams(RocInfo(), params).ok()) return -1;
  return RocLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> RocStreamFn(std::span<const double> params) {
  if (!ValidateParams(RocInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(RocStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

double RocFormula(double x, double base) {
  return base != 0.0 ? (x / base - 1.0) * 100.0 : kernel_util::kNaN;
}

int RocLookback(int period) {
  return kernel_util::CheckParams(RocInfo(), period).ok() ? RocKernel::Lookback(period) : -1;
}

Status Roc(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(RocInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("roc", in.size(), {out.size()}));
  RocKernel::Batch(in, period, out);
  return Status::Ok();
}

Result<RocStream> RocStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(RocInfo(), period));
  return RocStream(period);
}

const IndicatorInfo& RocInfo() {
  static const IndicatorInfo info{
      .name = "roc",
      .description = "Rate of change in percent over a period",
      .inputs = {Input::kSeries},
      .params = {{"period", 10, 1, 100000, true, "bars back"}},
      .outputs = {"roc"},
      .lookback = RocLookbackFn,
      .batch = RocBatch,
      .stream = RocStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
