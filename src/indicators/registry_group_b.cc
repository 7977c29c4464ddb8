#include "indicators/registry_groups.h"

#include "indicators/adx.h"
#include "indicators/atr.h"
#include "indicators/minus_di.h"
#include "indicators/natr.h"
#include "indicators/plus_di.h"
#include "indicators/rsi.h"
#include "indicators/trange.h"

namespace kairos::indicators {

void RegisterGroupB(std::vector<IndicatorInfo>& out) {
  for (const IndicatorInfo* info : {
           &RsiInfo(),
           &TrangeInfo(),
           &AtrInfo(),
           &NatrInfo(),
           &PlusDiInfo(),
           &MinusDiInfo(),
           &AdxInfo(),
       }) {
    out.push_back(*info);
  }
}

}  // namespace kairos::indicators
