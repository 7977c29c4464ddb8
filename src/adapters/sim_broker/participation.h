#pragma once

#include <cstdint>

namespace kairos::sim_broker {

// The shares one order may take from a bar of `volume` shares in one session:
// floor(volume x max_participation), 0 when that is not a positive finite number, and no limit
// (the largest int64) when max_participation is 0 or less.
int64_t VolumeCap(double volume, double max_participation);

}  // namespace kairos::sim_broker
