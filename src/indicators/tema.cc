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
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(TemaInfo(), in, params, out));
  return Tema(in[0], kernel_util::Period(params[0]), out[0]);
}

int TemaLookbackFn(std::span<const double> params) {
  if (!ValidateParams(TemaInfo(), params).ok()) return -1;
  return TemaLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> TemaStreamFn(std::span<const double> params) {
  if (!ValidateParams(TemaInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(TemaStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int TemaLookback(int period) {
  return kernel_util::CheckParams(TemaInfo(), period).ok() ? 3 * (period - 1) : -1;
}

// Not on a hot path: the batch kernel runs the streaming recursion (bit-identical results).
Status Tema(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(TemaInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("tema", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    EmaCore e1(period), e2(period), e3(period);
    for (size_t i = b; i < e; ++i) out[i] = Step(e1, e2, e3, in[i]);
  });
  return Status::Ok();
}

Result<TemaStream> TemaStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(TemaInfo(), period));
  return TemaStream(period);
}

TemaStream::TemaStream(int period)
    : e1_(period), e2_(period), e3_(period), lookback_(TemaLookback(period)), value_(kNaN) {}

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

const IndicatorInfo& TemaInfo() {
  static const IndicatorInfo info{
      .name = "tema",
      .description = "Triple exponential moving average: 3*EMA - 3*EMA(EMA) + EMA(EMA(EMA))",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "period of each EMA"}},
      .outputs = {"tema"},
      .lookback = TemaLookbackFn,
      .batch = TemaBatch,
      .stream = TemaStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
