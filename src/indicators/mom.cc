#include "indicators/mom.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status MomBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(MomInfo(), in, params, out));
  return Mom(in[0], kernel_util::Period(params[0]), out[0]);
}

int MomLookbackFn(std::span<const double> params) {
  if (!ValidateParams(MomInfo(), params).ok()) return -1;
  return MomLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> MomStreamFn(std::span<const double> params) {
  if (!ValidateParams(MomInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(MomStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

double MomFormula(double x, double base) { return x - base; }

int MomLookback(int period) {
  return kernel_util::CheckParams(MomInfo(), period).ok() ? MomKernel::Lookback(period) : -1;
}

Status Mom(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MomInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("mom", in.size(), {out.size()}));
  MomKernel::Batch(in, period, out);
  return Status::Ok();
}

Result<MomStream> MomStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(MomInfo(), period));
  return MomStream(period);
}

const IndicatorInfo& MomInfo() {
  static const IndicatorInfo info{
      .name = "mom",
      .description = "Momentum: change over a period",
      .inputs = {Input::kSeries},
      .params = {{"period", 10, 1, 100000, true, "bars back"}},
      .outputs = {"mom"},
      .lookback = MomLookbackFn,
      .batch = MomBatch,
      .stream = MomStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
