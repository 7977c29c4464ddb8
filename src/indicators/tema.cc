#include "indicators/tema.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

// One bar of the chain; NaN until the third EMA has its seed.
double Step(EmaCore& e1, EmaCore& e2, EmaCore& e3, double x) {
  if (!(e1.Add(x) && e2.Add(e1.value()) && e3.Add(e2.value()))) return kNaN;
  return 3.0 * e1.value() - 3.0 * e2.value() + e3.value();
}

Status TemaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                 std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("tema", in, 1, out, 1));
  Tema(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

int TemaLookback(int period) { return 3 * (period - 1); }

// Not on a hot path: the batch kernel runs the streaming recursion (bit-identical results).
void Tema(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "tema: bad period or output size";
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    EmaCore e1(period), e2(period), e3(period);
    for (size_t i = b; i < e; ++i) out[i] = Step(e1, e2, e3, in[i]);
  });
}

TemaStream::TemaStream(int period)
    : e1_(period), e2_(period), e3_(period), lookback_(TemaLookback(period)), value_(kNaN) {
  KAIROS_CHECK(period >= 1) << "tema: period " << period;
}

void TemaStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    e1_.Reset();
    e2_.Reset();
    e3_.Reset();
    value_ = kNaN;
    return;
  }
  value_ = Step(e1_, e2_, e3_, x);
}

IndicatorInfo TemaInfo() {
  return IndicatorInfo{
      .name = "tema",
      .description = "Triple exponential moving average: 3*EMA - 3*EMA(EMA) + EMA(EMA(EMA))",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "period of each EMA"}},
      .outputs = {"tema"},
      .lookback = [](std::span<const double> p) { return TemaLookback(kernel_util::Period(p[0])); },
      .batch = TemaBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<TemaStream>(kernel_util::Period(p[0]));
          },
  };
}

}  // namespace kairos::indicators
