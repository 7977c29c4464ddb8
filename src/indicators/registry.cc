#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include <fmt/core.h>

#include "indicators/ad.h"
#include "indicators/adx.h"
#include "indicators/aroon.h"
#include "indicators/atr.h"
#include "indicators/bbands.h"
#include "indicators/cci.h"
#include "indicators/cdldoji.h"
#include "indicators/cdlengulfing.h"
#include "indicators/cdlhammer.h"
#include "indicators/dema.h"
#include "indicators/ema.h"
#include "indicators/indicator.h"
#include "indicators/kama.h"
#include "indicators/linearreg.h"
#include "indicators/macd.h"
#include "indicators/max.h"
#include "indicators/mfi.h"
#include "indicators/min.h"
#include "indicators/minus_di.h"
#include "indicators/mom.h"
#include "indicators/natr.h"
#include "indicators/obv.h"
#include "indicators/plus_di.h"
#include "indicators/roc.h"
#include "indicators/rsi.h"
#include "indicators/sar.h"
#include "indicators/sma.h"
#include "indicators/stddev.h"
#include "indicators/stoch.h"
#include "indicators/stochrsi.h"
#include "indicators/supertrend.h"
#include "indicators/tema.h"
#include "indicators/trange.h"
#include "indicators/trima.h"
#include "indicators/willr.h"
#include "indicators/wma.h"

namespace kairos::indicators {
namespace {

const std::vector<IndicatorInfo>& Registry() {
  static const std::vector<IndicatorInfo> registry = [] {
    // One line per indicator file; adding an indicator adds its entry here.
    std::vector<IndicatorInfo> all;
    for (const IndicatorInfo* info : {
             &AdInfo(),   &AdxInfo(),     &AroonInfo(),        &AtrInfo(),       &BbandsInfo(),
             &CciInfo(),  &CdlDojiInfo(), &CdlEngulfingInfo(), &CdlHammerInfo(), &DemaInfo(),
             &EmaInfo(),  &KamaInfo(),    &LinearregInfo(),    &MacdInfo(),      &MaxInfo(),
             &MfiInfo(),  &MinInfo(),     &MinusDiInfo(),      &MomInfo(),       &NatrInfo(),
             &ObvInfo(),  &PlusDiInfo(),  &RocInfo(),          &RsiInfo(),       &SarInfo(),
             &SmaInfo(),  &StddevInfo(),  &StochInfo(),        &StochRsiInfo(),  &SupertrendInfo(),
             &TemaInfo(), &TrangeInfo(),  &TrimaInfo(),        &WillrInfo(),     &WmaInfo(),
         }) {
      all.push_back(*info);
    }
    std::sort(all.begin(), all.end(),
              [](const IndicatorInfo& a, const IndicatorInfo& b) { return a.name < b.name; });
    return all;
  }();
  return registry;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::span<const IndicatorInfo> AllIndicators() { return Registry(); }

const IndicatorInfo* FindIndicator(std::string_view name) {
  for (const IndicatorInfo& info : Registry()) {
    if (EqualsIgnoreCase(info.name, name)) return &info;
  }
  return nullptr;
}

Status ValidateParams(const IndicatorInfo& info, std::span<const double> params) {
  if (params.size() != info.params.size()) {
    return Status::InvalidArgument(fmt::format("{}: expects {} parameter(s), got {}", info.name,
                                               info.params.size(), params.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    const ParamSpec& spec = info.params[i];
    double v = params[i];
    bool integral = std::isfinite(v) && v == std::floor(v);
    bool in_range = std::isfinite(v) && v >= spec.min_value && v <= spec.max_value;
    if ((spec.integer && !integral) || !in_range) {
      return Status::InvalidArgument(
          fmt::format("{}: {} must be {} in [{}, {}], got {}", info.name, spec.name,
                      spec.integer ? "an integer" : "a number", spec.min_value, spec.max_value, v));
    }
  }
  return Status::Ok();
}

}  // namespace kairos::indicators
