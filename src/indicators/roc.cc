#include "indicators/roc.h"

#include <algorithm>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

double Formula(double x, double base) {
  return base != 0.0 ? (x / base - 1.0) * 100.0 : kernel_util::kNaN;
}

void RocRun(std::span<const double> x, size_t period, std::span<double> out) {
  const size_t n = x.size();
  for (size_t i = 0; i < std::min(n, period); ++i) out[i] = kernel_util::kNaN;
  for (size_t i = period; i < n; ++i) out[i] = Formula(x[i], x[i - period]);
}

Status RocBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes("roc", in, 1, out, 1));
  Roc(in[0], kernel_util::Period(params[0]), out[0]);
  return Status::Ok();
}

}  // namespace

int RocLookback(int period) { return period; }

void Roc(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_CHECK(period >= 1 && out.size() == in.size()) << "roc: bad period or output size";
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    RocRun(in.subspan(b, e - b), static_cast<size_t>(period), out.subspan(b, e - b));
  });
}

RocStream::RocStream(int period)
    : period_(period),
      lookback_(RocLookback(period)),
      window_(static_cast<size_t>(period) + 1),
      value_(kernel_util::kNaN) {
  KAIROS_CHECK(period >= 1) << "roc: period " << period;
}

void RocStream::Update(double x) {
  ++seen_;
  value_ = kernel_util::kNaN;
  if (!kernel_util::IsFinite(x)) {
    count_ = 0;
    return;
  }
  window_[head_] = x;
  head_ = head_ + 1 == window_.size() ? 0 : head_ + 1;
  ++count_;
  // Once full, head_ points at the oldest of the last period+1 values: x[t-period].
  if (count_ > period_) value_ = Formula(x, window_[head_]);
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
