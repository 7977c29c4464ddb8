#include "indicators/max.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

Status MaxBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("max", in, 1, out, 1));
  Max(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

int MaxLookback(int period) { return period - 1; }

void Max(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "max: bad period or output size";
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
    return kernel_util::RollingExtreme<kernel_util::TakeMax>(
        in.subspan(b, e - b), static_cast<size_t>(period), out.subspan(b, e - b));
  });
}

MaxStream::MaxStream(int period)
    : window_(static_cast<size_t>(period)),
      lookback_(MaxLookback(period)),
      value_(kernel_util::kNaN) {}

void MaxStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    window_.Reset();
    value_ = kernel_util::kNaN;
    return;
  }
  value_ = window_.Add(x);
}

IndicatorInfo MaxInfo() {
  return IndicatorInfo{
      .name = "max",
      .description = "Highest value over a window",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "window in bars"}},
      .outputs = {"max"},
      .lookback = [](std::span<const double> p) { return MaxLookback(kernel_util::Period(p[0])); },
      .batch = MaxBatch,
      .stream =
          [](std::span<const double> p) {
            return kernel_util::MakeStream<MaxStream>(kernel_util::Period(p[0]));
          },
  };
}

}  // namespace kairos::indicators
