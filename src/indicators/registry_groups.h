#pragma once

#include <vector>

#include "indicators/indicator.h"

namespace kairos::indicators {

// Each group appends its registry entries (one per indicator file). Two groups so that two
// people can add indicators without editing the same file.
void RegisterGroupA(std::vector<IndicatorInfo>& out);  // registry_group_a.cc
void RegisterGroupB(std::vector<IndicatorInfo>& out);  // registry_group_b.cc

}  // namespace kairos::indicators
