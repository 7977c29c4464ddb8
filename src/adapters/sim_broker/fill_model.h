#pragma once

#include <cstdint>
#include <optional>

#include "core/fixed_point.h"
#include "domain/trading.h"

namespace kairos::sim_broker {

// A session's bar as prices in ticks of the broker's currency.
struct BarPrices {
  Price open, high, low, close;
};

// The two moments of a session at which the paper broker trades.
enum class Auction : uint8_t { kOpen, kClose };

// The price at which an order fills against `bar` at `auction`, or nullopt when it does not fill
// there (README.md states the rules):
//  - at the open: market (not cls) and triggered stops fill at the open with slippage; limits
//    (not cls) and triggered stop-limits fill at the open when it is through the limit (a gap
//    through the limit gives the better price);
//  - at the close: market fills at the close with slippage; a cls limit fills at the close when
//    it is through; other limits fill at the limit when the bar reached it; stops triggered by the
//    bar's extreme fill at the stop with slippage; stop-limits at the limit when also reached.
// `slippage_bps` and `tick` are those of WithSlippage. REQUIRES: the order's limit/stop prices are
// present for its type.
std::optional<Price> FillPrice(const OrderRequest& order, const BarPrices& bar, Auction auction,
                               double slippage_bps, int64_t tick);

}  // namespace kairos::sim_broker
