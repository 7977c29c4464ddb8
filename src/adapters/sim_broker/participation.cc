#include "adapters/sim_broker/participation.h"

#include <cmath>
#include <limits>

namespace kairos::sim_broker {

int64_t VolumeCap(double volume, double max_participation) {
  if (!(max_participation > 0)) return std::numeric_limits<int64_t>::max();
  double cap = std::floor(volume * max_participation);
  return std::isfinite(cap) && cap > 0 ? static_cast<int64_t>(cap) : 0;
}

}  // namespace kairos::sim_broker
