#include "indicators/registry_groups.h"

namespace kairos::indicators {

void RegisterGroupA(std::vector<IndicatorInfo>& out) { (void)out; }

}  // namespace kairos::indicators
