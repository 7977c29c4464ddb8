#include "indicators/kama.h"

#include <cmath>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

constexpr double kSlow = 2.0 / (30.0 + 1.0);
constexpr double kFastMinusSlow = 2.0 / (2.0 + 1.0) - kSlow;

// The smoothing constant for one bar. A window whose changes sum to (almost) nothing relative to
// the price, or that moved in one direction only, has efficiency 1 (no 0/0).
double SmoothingConstant(double net_change, double sum_changes, double price) {
  double abs_net = std::fabs(net_change);
  double er = (sum_changes <= abs_net || sum_changes <= 1e-14 * std::fabs(price))
                  ? 1.0
                  : abs_net / sum_changes;
  double sc = er * kFastMinusSlow + kSlow;
  return sc * sc;
}

void KamaRun(std::span<const double> x, int period, std::span<double> out) {
  const size_t n = x.size();
  const size_t p = static_cast<size_t>(period);
  for (size_t i = 0; i < std::min(n, p); ++i) out[i] = kNaN;
  if (n <= p) return;
  double sum = 0;
  for (size_t j = 1; j <= p; ++j) sum += std::fabs(x[j] - x[j - 1]);
  double kama = x[p - 1];
  kama = (x[p] - kama) * SmoothingConstant(x[p] - x[0], sum, x[p]) + kama;
  out[p] = kama;
  for (size_t t = p + 1; t < n; ++t) {
    sum -= std::fabs(x[t - p] - x[t - p - 1]);
    sum += std::fabs(x[t] - x[t - 1]);
    kama = (x[t] - kama) * SmoothingConstant(x[t] - x[t - p], sum, x[t]) + kama;
    out[t] = kama;
  }
}

Status KamaBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                 std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(KamaInfo(), in, params, out));
  return Kama(in[0], kernel_util::Period(params[0]), out[0]);
}

int KamaLookbackFn(std::span<const double> params) {
  if (!ValidateParams(KamaInfo(), params).ok()) return -1;
  return KamaLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> KamaStreamFn(std::span<const double> params) {
  if (!ValidateParams(KamaInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(KamaStream::Create(kernel_util::Period(params[0])));
}

}  // namespace

int KamaLookback(int period) {
  return kernel_util::CheckParams(KamaInfo(), period).ok() ? period : -1;
}

Status Kama(std::span<const double> in, int period, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(KamaInfo(), period));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("kama", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(in, outs, [&](size_t b, size_t e) {
    KamaRun(in.subspan(b, e - b), period, out.subspan(b, e - b));
  });
  return Status::Ok();
}

Result<KamaStream> KamaStream::Create(int period) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(KamaInfo(), period));
  return KamaStream(period);
}

KamaStream::KamaStream(int period)
    : period_(period), lookback_(KamaLookback(period)), window_(period + 1), value_(kNaN) {}

void KamaStream::Update(double x) {
  ++seen_;
  value_ = kNaN;
  if (!kernel_util::IsFinite(x)) {
    count_ = 0;
    sum_changes_ = 0;
    return;
  }
  // Ring of period+1 inputs: after the write, head_ holds the oldest, x[t-period].
  const size_t size = window_.size();
  double prev = window_[head_ == 0 ? size - 1 : head_ - 1];  // x[t-1]
  double dropped = window_[head_];                           // x[t-period-1] once full
  window_[head_] = x;
  head_ = head_ + 1 == size ? 0 : head_ + 1;
  ++count_;
  if (count_ == period_) kama_ = x;  // the seed, x[period-1]
  if (count_ == 1) return;
  double change = std::fabs(x - prev);
  if (count_ <= period_ + 1) {
    sum_changes_ += change;
    if (count_ < period_ + 1) return;
  } else {
    sum_changes_ -= std::fabs(window_[head_] - dropped);
    sum_changes_ += change;
  }
  double base = window_[head_];
  kama_ = (x - kama_) * SmoothingConstant(x - base, sum_changes_, x) + kama_;
  value_ = kama_;
}

const IndicatorInfo& KamaInfo() {
  static const IndicatorInfo info{
      .name = "kama",
      .description = "Kaufman adaptive moving average (fast 2, slow 30)",
      .inputs = {Input::kSeries},
      .params = {{"period", 30, 2, 100000, true, "efficiency-ratio window in bars"}},
      .outputs = {"kama"},
      .lookback = KamaLookbackFn,
      .batch = KamaBatch,
      .stream = KamaStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
