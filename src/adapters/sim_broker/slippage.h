#pragma once

#include <cstdint>

#include "core/fixed_point.h"
#include "domain/trading.h"

namespace kairos::sim_broker {

// Price ticks of one minor unit of `c` (1'000'000 for cents).
int64_t TickOf(const Currency& c);

// `price` moved against the order by `bps` basis points (buys pay up, sells receive less),
// rounded half-even to a multiple of `tick`. The factor is an exact ratio: bps are taken in
// hundredths of a basis point.
Price WithSlippage(Price price, Side side, double bps, int64_t tick);

}  // namespace kairos::sim_broker
