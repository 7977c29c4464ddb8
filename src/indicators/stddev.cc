#include "indicators/stddev.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

Status StddevBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                   std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(StddevInfo(), in, params, out));
  return Stddev(in[0], kernel_util::Period(params[0]), params[1], out[0]);
}

int StddevLookbackFn(std::span<const double> params) {
  if (!ValidateParams(StddevInfo(), params).ok()) return -1;
  return StddevLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> StddevStreamFn(std::span<const double> params) {
  if (!ValidateParams(StddevInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 1>(
      StddevStream::Create(kernel_util::Period(params[0]), params[1]));
}

}  // namespace

int StddevLookback(int period) {
  return kernel_util::CheckParam(StddevInfo(), 0, period).ok() ? period - 1 : -1;
}

Status Stddev(std::span<const double> in, int period, double nbdev, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(StddevInfo(), period, nbdev));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("stddev", in.size(), {out.size()}));
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
    std::span<const double> x = in.subspan(b, e - b);
    double* o = out.data() + b;
    std::fill(o, o + std::min(x.size(), size_t(period) - 1), kNaN);
    return WindowStddevRun(x, period, [&](size_t t, double sd) { o[t] = sd * nbdev; });
  });
  return Status::Ok();
}

RollingMoments::RollingMoments(int period)
    : period_(period), inv_p_(1.0 / period), interval_(ReanchorInterval(period)), window_(period) {
  KAIROS_CHECK(period >= 1) << "rolling moments: period " << period;
}

bool RollingMoments::Add(double x) {
  const size_t p = window_.size();
  size_t prev_slot = head_ == 0 ? p - 1 : head_ - 1;
  double prev = window_[prev_slot];
  double old = window_[head_];  // x[t-p] once full
  window_[head_] = x;
  head_ = head_ + 1 == p ? 0 : head_ + 1;
  const size_t t = count_++;
  if (t > 0) equal_run_ = x == prev ? equal_run_ + 1 : 0;
  if (t < p) {
    if (t == 0) {
      anchor_ = x;
      s_ = q_ = sum_ = 0;
      equal_run_ = 0;
    }
    double d = x - anchor_;
    s_ += d;
    q_ += d * d;
    sum_ += x;
    return t + 1 == p;
  }
  sum_ += x - old;
  if (t % interval_ == 0) {
    anchor_ = x;
    s_ = q_ = 0;
    for (size_t k = 0; k < p; ++k) {  // oldest to newest; head_ is the oldest
      size_t slot = head_ + k < p ? head_ + k : head_ + k - p;
      double d = window_[slot] - anchor_;
      s_ += d;
      q_ += d * d;
    }
  } else {
    double d = x - anchor_, o = old - anchor_;
    s_ += d - o;
    q_ += d * d - o * o;
  }
  return true;
}

double RollingMoments::sd() const {
  double ms = s_ * inv_p_;
  double var = q_ * inv_p_ - ms * ms;
  return equal_run_ + 1 >= window_.size() || !(var > 0) ? 0.0 : std::sqrt(var);
}

Result<StddevStream> StddevStream::Create(int period, double nbdev) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(StddevInfo(), period, nbdev));
  return StddevStream(period, nbdev);
}

StddevStream::StddevStream(int period, double nbdev)
    : moments_(period), nbdev_(nbdev), lookback_(StddevLookback(period)), value_(kNaN) {}

void StddevStream::Update(double x) {
  ++seen_;
  if (!kernel_util::IsFinite(x)) {
    moments_.Reset();
    value_ = kNaN;
    return;
  }
  value_ = moments_.Add(x) ? moments_.sd() * nbdev_ : kNaN;
}

const IndicatorInfo& StddevInfo() {
  static const IndicatorInfo info{
      .name = "stddev",
      .description = "Population standard deviation over a window, times nbdev",
      .inputs = {Input::kSeries},
      .params = {{"period", 5, 2, 100000, true, "window in bars"},
                 {"nbdev", 1, 0, 1e6, false, "multiplier (non-negative)"}},
      .outputs = {"stddev"},
      .lookback = StddevLookbackFn,
      .batch = StddevBatch,
      .stream = StddevStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
