#include "indicators/dema.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

Status DemaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                 std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(DemaInfo(), in, params, out));
  return Dema(in[0], kernel_util::Period(params[0]), out[0]);
}

int DemaLookbackFn(std::span<const double> params) {
  if (!ValidateParams(DemaInfo(), params).ok()) return -1;
  return DemaLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> DemaStreamFn(std::span<const double> params) {
  if (!ValidateParams(DemaInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(DemaStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int DemaLookback(int period) {
  return kernel_util::CheckParams(DemaInfo(), period).ok() ? 2 * (period - 1) : -1;
}

// DEMA is not on a hot path: the batch kernel runs the streaming recursion, which makes the two
// agree bit for bit.
Status Dema(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(DemaInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("dema", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    EmaCore e1(period), e2(period);
    for (size_t i = b; i < e; ++i) {
      out[i] = e1.Add(in[i]) && e2.Add(e1.value()) ? 2.0 * e1.value() - e2.value() : kNaN;
    }
  });
  return Status::Ok();
}

Result<DemaStream> DemaStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(DemaInfo(), period));
  return DemaStream(period);
}

DemaStream::DemaStream(int period)
    : e1_(period), e2_(period), lookback_(DemaLookback(period)), value_(kNaN) {}

void DemaStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    e1_.Reset();
    e2_.Reset();
    value_ = kNaN;
    return;
  }
  value_ = e1_.Add(x) && e2_.Add(e1_.value()) ? 2.0 * e1_.value() - e2_.value() : kNaN;
}

const IndicatorInfo& DemaInfo() {
  static const IndicatorInfo info{
      .name = "dema",
      .description = "Double exponential moving average: 2*EMA - EMA(EMA)",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "period of each EMA"}},
      .outputs = {"dema"},
      .lookback = DemaLookbackFn,
      .batch = DemaBatch,
      .stream = DemaStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
