#include "indicators/registry_groups.h"

namespace kairos::indicators {

void RegisterGroupB(std::vector<IndicatorInfo>& out) { (void)out; }

}  // namespace kairos::indicators
