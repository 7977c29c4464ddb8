#include "indicators/ad.h"
#include "indicators/bbands.h"
#include "indicators/dema.h"
#include "indicators/ema.h"
#include "indicators/kama.h"
#include "indicators/linearreg.h"
#include "indicators/macd.h"
#include "indicators/max.h"
#include "indicators/min.h"
#include "indicators/mom.h"
#include "indicators/obv.h"
#include "indicators/registry_groups.h"
#include "indicators/roc.h"
#include "indicators/sma.h"
#include "indicators/stddev.h"
#include "indicators/tema.h"
#include "indicators/trima.h"
#include "indicators/wma.h"

namespace kairos::indicators {

void RegisterGroupA(std::vector<IndicatorInfo>& out) {
  for (IndicatorInfo (*info)() :
       {SmaInfo, EmaInfo, WmaInfo, DemaInfo, TemaInfo, TrimaInfo, KamaInfo, MacdInfo, BbandsInfo,
        StddevInfo, MaxInfo, MinInfo, RocInfo, MomInfo, LinearregInfo, ObvInfo, AdInfo}) {
    out.push_back(info());
  }
}

}  // namespace kairos::indicators
