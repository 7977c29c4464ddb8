#include "indicators/dema.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

Status DemaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                 std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("dema", in, 1, out, 1));
  Dema(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

int DemaLookback(int period) { return 2 * (period - 1); }

// DEMA is not on a hot path: the batch kernel runs the streaming recursion, which makes the two
// agree bit for bit.
void Dema(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "dema: bad period or output size";
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    EmaCore e1(period), e2(period);
    for (size_t i = b; i < e; ++i) {
      out[i] = e1.Add(in[i]) && e2.Add(e1.value()) ? 2.0 * e1.value() - e2.value() : kNaN;
    }
  });
}

DemaStream::DemaStream(int period)
    : e1_(period), e2_(period), lookback_(DemaLookback(period)), value_(kNaN) {
  KAIROS_CHECK(period >= 1) << "dema: period " << period;
}

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

IndicatorInfo DemaInfo() {
  return IndicatorInfo{
      .name = "dema",
      .description = "Double exponential moving average: 2*EMA - EMA(EMA)",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "period of each EMA"}},
      .outputs = {"dema"},
      .lookback = [](std::span<const double> p) { return DemaLookback(kernel_util::Period(p[0])); },
      .batch = DemaBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<DemaStream>(kernel_util::Period(p[0]));
          },
  };
}

}  // namespace kairos::indicators
