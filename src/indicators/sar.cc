#include "indicators/sar.h"

namespace kairos::indicators {
namespace {

Status SarBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(SarInfo(), inputs, params, outputs));
  return Sar(inputs[0], inputs[1], params[0], params[1], outputs[0]);
}

int SarLookbackFn(std::span<const double> params) { return SarLookback(params[0], params[1]); }

std::unique_ptr<Stream> SarStreamFn(std::span<const double> params) {
  if (!ValidateParams(SarInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<2, 1>(SarStream::Create(params[0], params[1]));
}

}  // namespace

void SarStream::Update(double high, double low) {
  ++seen_;
  if (kernel_util::AnyNonFinite(high, low)) {
    if (count_ != 0)
      kernel_util::Restart(*this, &SarStream::seen_,
                           [this] { return SarStream(acceleration_arg_, maximum_); });
    return;
  }
  UpdateFinite(high, low);
}

void SarStream::UpdateFinite(double high, double low) {
  int64_t bar = count_++;
  if (bar == 0) {
    value_ = kernel_util::kNaN;
    prev_high_ = high;
    prev_low_ = low;
    return;
  }
  if (bar == 1) {
    double up = high - prev_high_;
    double down = prev_low_ - low;
    is_long_ = !(down > 0 && down > up);
    if (is_long_) {
      ep_ = high;
      sar_ = prev_low_;
    } else {
      ep_ = low;
      sar_ = prev_high_;
    }
    prev_high_ = high;  // bar 1 is its own previous bar
    prev_low_ = low;
  }
  if (is_long_) {
    if (low <= sar_) {  // flip to short
      is_long_ = false;
      sar_ = ep_;
      if (sar_ < prev_high_) sar_ = prev_high_;
      if (sar_ < high) sar_ = high;
      value_ = sar_;
      af_ = acceleration_;
      ep_ = low;
      sar_ = sar_ + af_ * (ep_ - sar_);
      if (sar_ < prev_high_) sar_ = prev_high_;
      if (sar_ < high) sar_ = high;
    } else {
      value_ = sar_;
      if (high > ep_) {
        ep_ = high;
        af_ += acceleration_;
        if (af_ > maximum_) af_ = maximum_;
      }
      sar_ = sar_ + af_ * (ep_ - sar_);
      if (sar_ > prev_low_) sar_ = prev_low_;
      if (sar_ > low) sar_ = low;
    }
  } else {
    if (high >= sar_) {  // flip to long
      is_long_ = true;
      sar_ = ep_;
      if (sar_ > prev_low_) sar_ = prev_low_;
      if (sar_ > low) sar_ = low;
      value_ = sar_;
      af_ = acceleration_;
      ep_ = high;
      sar_ = sar_ + af_ * (ep_ - sar_);
      if (sar_ > prev_low_) sar_ = prev_low_;
      if (sar_ > low) sar_ = low;
    } else {
      value_ = sar_;
      if (low < ep_) {
        ep_ = low;
        af_ += acceleration_;
        if (af_ > maximum_) af_ = maximum_;
      }
      sar_ = sar_ + af_ * (ep_ - sar_);
      if (sar_ < prev_high_) sar_ = prev_high_;
      if (sar_ < high) sar_ = high;
    }
  }
  prev_high_ = high;
  prev_low_ = low;
}

int SarLookback(double acceleration, double maximum) {
  return kernel_util::CheckParams(SarInfo(), acceleration, maximum).ok() ? 1 : -1;
}

Status Sar(std::span<const double> high, std::span<const double> low, double acceleration,
           double maximum, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(SarInfo(), acceleration, maximum));
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths("sar", high.size(), {low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {high, low}, {out}, [&] { return SarStream::Create(acceleration, maximum).value(); },
      [&](SarStream& stream, size_t i) {
        stream.UpdateFinite(high[i], low[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

Result<SarStream> SarStream::Create(double acceleration, double maximum) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckParams(SarInfo(), acceleration, maximum));
  return SarStream(acceleration, maximum);
}

const IndicatorInfo& SarInfo() {
  static const IndicatorInfo info{
      .name = "sar",
      .description = "Parabolic SAR (Wilder): trailing stop-and-reverse level",
      .inputs = {Input::kHigh, Input::kLow},
      .params = {{"acceleration", 0.02, 0, 1, false, "acceleration factor step (and start)"},
                 {"maximum", 0.2, 0, 1, false, "acceleration factor cap"}},
      .outputs = {"sar"},
      .lookback = SarLookbackFn,
      .batch = SarBatch,
      .stream = SarStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
