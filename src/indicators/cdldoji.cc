#include "indicators/cdldoji.h"

namespace kairos::indicators {
namespace {

Status CdlDojiBatch(std::span<const std::span<const double>> inputs, std::span<const double> params,
                    std::span<const std::span<double>> outputs) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckShapes(CdlDojiInfo(), inputs, params, outputs));
  return CdlDoji(inputs[0], inputs[1], inputs[2], inputs[3], outputs[0]);
}

int CdlDojiLookbackFn(std::span<const double> params) {
  return ValidateParams(CdlDojiInfo(), params).ok() ? CdlDojiLookback() : -1;
}

std::unique_ptr<Stream> CdlDojiStreamFn(std::span<const double> params) {
  if (!ValidateParams(CdlDojiInfo(), params).ok()) return nullptr;
  return kernel_util::AdaptStream<4, 1>(CdlDojiStream::Create());
}

}  // namespace

int CdlDojiLookback() { return kernel_util::kBodyDoji.period; }

Status CdlDoji(std::span<const double> open, std::span<const double> high,
               std::span<const double> low, std::span<const double> close, std::span<double> out) {
  KAIROS_RETURN_IF_ERROR(kernel_util::CheckLengths(
      "cdldoji", close.size(), {open.size(), high.size(), low.size(), out.size()}));
  kernel_util::RunFreshStreams(
      {open, high, low, close}, {out}, [&] { return CdlDojiStream::Create().value(); },
      [&](CdlDojiStream& stream, size_t i) {
        stream.UpdateFinite(open[i], high[i], low[i], close[i]);
        out[i] = stream.value();
      });
  return Status::Ok();
}

const IndicatorInfo& CdlDojiInfo() {
  static const IndicatorInfo info{
      .name = "cdldoji",
      .description = "Doji bar pattern: 100 when the body is tiny, else 0",
      .inputs = {Input::kOpen, Input::kHigh, Input::kLow, Input::kClose},
      .params = {},
      .outputs = {"cdldoji"},
      .lookback = CdlDojiLookbackFn,
      .batch = CdlDojiBatch,
      .stream = CdlDojiStreamFn,
  };
  return info;
}

}  // namespace kairos::indicators
