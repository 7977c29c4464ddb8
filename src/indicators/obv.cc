#include "indicators/obv.h"

#include "indicators/kernel_util.h"

namespace kairos::indicators {
namespace {

void ObvRun(std::span<const double> price, std::span<const double> volume, std::span<double> out) {
  const size_t n = price.size();
  if (n == 0) return;
  double obv = volume[0];
  out[0] = obv;
  for (size_t i = 1; i < n; ++i) {
    if (price[i] > price[i - 1]) {
      obv += volume[i];
    } else if (price[i] < price[i - 1]) {
      obv -= volume[i];
    }
    out[i] = obv;
  }
}

Status ObvBatch(std::span<const std::span<const double>> in, std::span<const double> params,
                std::span<const std::span<double>> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(ObvInfo(), in, params, out));
  return Obv(in[0], in[1], out[0]);
}

int ObvLookbackFn(std::span<const double> params) {
  return ValidateParams(ObvInfo(), params).ok() ? ObvLookback() : -1;
}

std::unique_ptr<Stream> ObvStreamFn(std::span<const double> params) {
  if (!ValidateParams(ObvInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<2, 1>(ObvStream::Create());
}

}  // namespace

int ObvLookback() { return 0; }

Status Obv(std::span<const double> price, std::span<const double> volume, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(
      kernel_util::CheckLengths("obv", price.size(), {volume.size(), out.size()}));
  const std::span<const double> ins[] = {price, volume};
  const std::span<double> outs[] = {out};
  kernel_util::ForEachFiniteRun(ins, outs, price.size(), [&](size_t b, size_t e) {
    ObvRun(price.subspan(b, e - b), volume.subspan(b, e - b), out.subspan(b, e - b));
  });
  return Status::Ok();
}

void ObvStream::Update(double price, double volume) {
  ++seen_;
  if (!kernel_util::IsFinite(price) || !kernel_util::IsFinite(volume)) {
    started_ = false;
    value_ = kernel_util::kNaN;
    return;
  }
  if (!started_) {
    started_ = true;
    obv_ = volume;
  } else if (price > prev_price_) {
    obv_ += volume;
  } else if (price < prev_price_) {
    obv_ -= volume;
  }
  prev_price_ = price;
  value_ = obv_;
}

const IndicatorInfo& ObvInfo() {
  static const IndicatorInfo info{
      .name = "obv",
      .description = "On-balance volume",
      .inputs = {Input::kSeries, Input::kVolume},
      .params = {},
      .outputs = {"obv"},
      .lookback = ObvLookbackFn,
      .batch = ObvBatch,
      .stream = ObvStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
