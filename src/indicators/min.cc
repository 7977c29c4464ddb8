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

int MinLookback(int period) { return period - 1; }

void Min(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "min: bad period or output size";
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
    return kernel_util::RollingExtreme<kernel_util::TakeMin>(
        in.subspan(b, e - b), static_cast<size_t>(period), out.subspan(b, e - b));
  });
}

MinStream::MinStream(int period)
    : window_(static_cast<size_t>(period)),
      lookback_(MinLookback(period)),
      value_(kernel_util::kNaN) {}

void MinStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    window_.Reset();
    value_ = kernel_util::kNaN;
    return;
  }
  value_ = window_.Add(x);
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
