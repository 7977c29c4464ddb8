#include "indicators/bbands.h"

#include <algorithm>

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

using kernel_util::kNaN;

bool BbandsRun(std::span<const double> x, BbandsParams params, double* upper, double* middle,
               double* lower) {
  const size_t n = x.size();
  const size_t p = static_cast<size_t>(params.period);
  for (size_t i = 0; i < std::min(n, p - 1); ++i) upper[i] = middle[i] = lower[i] = kNaN;
  // The middle band is the SMA, computed exactly as Sma() does.
  const double inv = 1.0 / params.period;
  double sum = 0;
  for (size_t i = 0; i + 1 < std::min(n, p); ++i) sum += x[i];
  return WindowStddevRun(x, params.period, [&](size_t t, double sd) {
    sum += t == p - 1 ? x[t] : x[t] - x[t - p];
    double mean = sum * inv;
    middle[t] = mean;
    upper[t] = mean + params.nbdevup * sd;
    lower[t] = mean - params.nbdevdn * sd;
  });
}

BbandsParams FromParams(std::span<const double> p) {
  return {kernel_util::Period(p[0]), p[1], p[2]};
}

Status BbandsBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                   std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(BbandsInfo(), in, params, out));
  return Bbands(in[0], FromParams(params), out[0], out[1], out[2]);
}

Status CheckBbandsParams(BbandsParams params) {
  return kernel_util::CheckParams(BbandsInfo(), params.period, params.nbdevup, params.nbdevdn);
}

int BbandsLookbackFn(std::span<const double> params) {
  if (!ValidateParams(BbandsInfo(), params).ok()) return -1;
  return BbandsLookback(kernel_util::Period(params[0]));
}

std::unique_ptr<Stream> BbandsStreamFn(std::span<const double> params) {
  if (!ValidateParams(BbandsInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<1, 3>(BbandsStream::Create(FromParams(params)));
}

}  // namespace

int BbandsLookback(int period) {
  return kernel_util::CheckParam(BbandsInfo(), 0, period).ok() ? period - 1 : -1;
}

Status Bbands(std::span<const double> in, BbandsParams params, std::span<double> upper,
              std::span<double> middle, std::span<double> lower) {
  KAIROS_RETURN_IF_ERROR(CheckBbandsParams(params));
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("bbands", in.size(), {upper.size(), middle.size(), lower.size()}));
  const std::span<double> outs[] = {upper, middle, lower};
  kernel_util::ForEachFiniteRunFused(in, outs, [&](size_t b, size_t e) {
    return BbandsRun(in.subspan(b, e - b), params, upper.data() + b, middle.data() + b,
                     lower.data() + b);
  });
  return Status::Ok();
}

Result<BbandsStream> BbandsStream::Create(BbandsParams params) {
  KAIROS_RETURN_IF_ERROR(CheckBbandsParams(params));
  return BbandsStream(params);
}

BbandsStream::BbandsStream(BbandsParams params)
    : params_(params),
      moments_(params.period),
      lookback_(BbandsLookback(params.period)),
      upper_(kNaN),
      middle_(kNaN),
      lower_(kNaN) {}

void BbandsStream::Update(double x) {
  ++seen_;
  upper_ = middle_ = lower_ = kNaN;
  if (!kernel_util::IsFinite(x)) {
    moments_.Reset();
    return;
  }
  if (!moments_.Add(x)) return;
  double mean = moments_.mean();
  double sd = moments_.sd();
  middle_ = mean;
  upper_ = mean + params_.nbdevup * sd;
  lower_ = mean - params_.nbdevdn * sd;
}

double BbandsStream::value(size_t index) const {
  KAIROS_CHECK(index < 3) << "bbands has 3 outputs, asked for " << index;
  return index == 0 ? upper_ : index == 1 ? middle_ : lower_;
}

const IndicatorInfo& BbandsInfo() {
  static const IndicatorInfo info{
      .name = "bbands",
      .description = "Bollinger bands around an SMA (MA type fixed to SMA)",
      .inputs = {Input::kSeries},
      .params = {{"period", 5, 2, 100000, true, "window in bars"},
                 {"nbdevup", 2, 0, 1e6, false, "standard deviations above (non-negative)"},
                 {"nbdevdn", 2, 0, 1e6, false, "standard deviations below (non-negative)"}},
      .outputs = {"upper", "middle", "lower"},
      .lookback = BbandsLookbackFn,
      .batch = BbandsBatch,
      .stream = BbandsStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
