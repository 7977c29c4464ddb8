#include "indicators/registry_groups.h"

#include "indicators/adx.h"
#include "indicators/aroon.h"
#include "indicators/atr.h"
#include "indicators/cci.h"
#include "indicators/cdldoji.h"
#include "indicators/cdlengulfing.h"
#include "indicators/cdlhammer.h"
#include "indicators/mfi.h"
#include "indicators/minus_di.h"
#include "indicators/natr.h"
#include "indicators/plus_di.h"
#include "indicators/rsi.h"
#include "indicators/sar.h"
#include "indicators/stoch.h"
#include "indicators/stochrsi.h"
#include "indicators/supertrend.h"
#include "indicators/trange.h"
#include "indicators/willr.h"

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
           &StochInfo(),
           &StochRsiInfo(),
           &CciInfo(),
           &MfiInfo(),
           &WillrInfo(),
           &AroonInfo(),
           &SarInfo(),
           &CdlEngulfingInfo(),
           &CdlDojiInfo(),
           &CdlHammerInfo(),
           &SupertrendInfo(),
       }) {
    out.push_back(*info);
  }
}

}  // namespace kairos::indicators
