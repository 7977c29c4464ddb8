#include "indicators/trima.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

int FirstLength(int period) { return period % 2 == 1 ? (period + 1) / 2 : period / 2; }
int SecondLength(int period) { return period % 2 == 1 ? (period + 1) / 2 : period / 2 + 1; }

Status TrimaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                  std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(TrimaInfo(), in, params, out));
  return Trima(in[0], kernel_util::Period(params[0]), out[0]);
}

int TrimaLookbackFn(std::span<const double> params) {
  if (!ValidateParams(TrimaInfo(), params).ok()) return -1;
  return TrimaLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> TrimaStreamFn(std::span<const double> params) {
  if (!ValidateParams(TrimaInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(TrimaStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int TrimaLookback(int period) {
  return kernel_util::CheckParams(TrimaInfo(), period).ok() ? period - 1 : -1;
}

// Not on a hot path: the batch kernel runs the streaming recursion (bit-identical results).
Status Trima(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(TrimaInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("trima", in.size(), {out.size()}));
  TrimaStream stream = TrimaStream::Create(period).value();
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    stream.Update(kernel_util::kNaN);  // restart
    for (size_t i = b; i < e; ++i) {
      stream.Update(in[i]);
      out[i] = stream.value();
    }
  });
  return Status::Ok();
}

Result<TrimaStream> TrimaStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(TrimaInfo(), period));
  return TrimaStream(period);
}

TrimaStream::TrimaStream(int period)
    : a_(FirstLength(period)),
      b_(SecondLength(period)),
      lookback_(TrimaLookback(period)),
      xs_(a_),
      s1s_(b_),
      value_(kNaN) {}

void TrimaStream::Update(double x) {
  ++seen_;
  value_ = kNaN;
  if (!kernel_util::IsFinite(x)) {
    count_ = 0;
    s1_ = 0;
    s2_ = 0;
    return;
  }
  ++count_;
  double x_old = xs_[x_head_];
  xs_[x_head_] = x;
  x_head_ = x_head_ + 1 == xs_.size() ? 0 : x_head_ + 1;
  if (count_ <= a_) {
    s1_ += x;
    if (count_ < a_) return;
  } else {
    s1_ += x - x_old;
  }
  // s1_ is now the sum of the last a_ inputs; its index among the first-stage sums:
  long k = count_ - a_ + 1;
  double s1_old = s1s_[s1_head_];
  s1s_[s1_head_] = s1_;
  s1_head_ = s1_head_ + 1 == s1s_.size() ? 0 : s1_head_ + 1;
  if (k <= b_) {
    s2_ += s1_;
    if (k < b_) return;
  } else {
    s2_ += s1_ - s1_old;
  }
  value_ = s2_ / (static_cast<double>(a_) * static_cast<double>(b_));
}

const IndicatorInfo& TrimaInfo() {
  static const IndicatorInfo info{
      .name = "trima",
      .description = "Triangular moving average (SMA of SMA)",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "total span of the triangle in bars"}},
      .outputs = {"trima"},
      .lookback = TrimaLookbackFn,
      .batch = TrimaBatch,
      .stream = TrimaStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
