#include "indicators/cdlhammer.h"

namespace kairos::indicators {
namespace {

using kernel_util::CandleAverage;
using kernel_util::CandleRange;
using kernel_util::kBodyShort;
using kernel_util::kNear;
using kernel_util::kShadowLong;
using kernel_util::kShadowVeryShort;
using kernel_util::OhlcBar;

Status CdlHammerBatch(std::span<const std::span<const double>> inputs,
                      std::span<const double> params, std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(CdlHammerInfo(), inputs, params, outputs));
  return CdlHammer(inputs[0], inputs[1], inputs[2], inputs[3], outputs[0]);
}

int CdlHammerLookbackFn(std::span<const double> params) {
  return ValidateParams(CdlHammerInfo(), params).ok() ? CdlHammerLookback() : -1;
}

std::unique_ptr<Stream> CdlHammerStreamFn(std::span<const double> params) {
  if (!ValidateParams(CdlHammerInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<4, 1>(CdlHammerStream::Create());
}

}  // namespace

void CdlHammerStream::Update(double open, double high, double low, double close) {
  ++seen_;
  if (kernel_util::AnyNonFinite(open, high, low, close)) {
    if (history_.count() != 0)
      kernel_util::Restart(*this, &CdlHammerStream::seen_, [] { return CdlHammerStream(); });
    return;
  }
  UpdateFinite(open, high, low, close);
}

void CdlHammerStream::UpdateFinite(double open, double high, double low, double close) {
  history_.Push({open, high, low, close});
  int64_t bar = history_.count() - 1;
  const OhlcBar& now = history_.Ago(0);
  if (bar < kLookback) {
    // The totals start as plain sums over the bars the first evaluation (bar kLookback) uses:
    // BodyShort and ShadowVeryShort over the 10 bars before it, Near over the 5 bars before
    // bar kLookback - 1.
    if (bar >= kLookback - kBodyShort.period)
      body_short_total_ += CandleRange(kBodyShort.range, now);
    if (bar >= kLookback - kShadowVeryShort.period) {
      shadow_very_short_total_ += CandleRange(kShadowVeryShort.range, now);
    }
    if (bar >= kLookback - 1 - kNear.period && bar < kLookback - 1) {
      near_total_ += CandleRange(kNear.range, now);
    }
    return;
  }
  const OhlcBar& prev = history_.Ago(1);
  bool hammer =
      now.RealBody() < CandleAverage(kBodyShort, body_short_total_, now) &&
      now.LowerShadow() > CandleAverage(kShadowLong, 0, now) &&
      now.UpperShadow() < CandleAverage(kShadowVeryShort, shadow_very_short_total_, now) &&
      now.BodyBottom() <= prev.low + CandleAverage(kNear, near_total_, prev);
  value_ = hammer ? 100 : 0;
  body_short_total_ += CandleRange(kBodyShort.range, now) -
                       CandleRange(kBodyShort.range, history_.Ago(kBodyShort.period));
  shadow_very_short_total_ +=
      CandleRange(kShadowVeryShort.range, now) -
      CandleRange(kShadowVeryShort.range, history_.Ago(kShadowVeryShort.period));
  near_total_ +=
      CandleRange(kNear.range, prev) - CandleRange(kNear.range, history_.Ago(kNear.period + 1));
}

int CdlHammerLookback() { return CdlHammerStream::kLookback; }

Status CdlHammer(std::span<const double> open, std::span<const double> high,
                 std::span<const double> low, std::span<const double> close,
                 std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths(
      "cdlhammer", close.size(), {open.size(), high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {open, high, low, close}, {out}, [&] { return CdlHammerStream::Create().value(); },
      [&](CdlHammerStream& stream, size_t i) {
        stream.UpdateFinite(open[i], high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

const IndicatorInfo& CdlHammerInfo() {
  static const IndicatorInfo info{
      .name = "cdlhammer",
      .description = "Hammer bar pattern: 100 on a small body with a long lower shadow, else 0",
      .inputs = {Input::kOpen, Input::kHigh, Input::kLow, Input::kClose},
      .params = {},
      .outputs = {"cdlhammer"},
      .lookback = CdlHammerLookbackFn,
      .batch = CdlHammerBatch,
      .stream = CdlHammerStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
