#include "adapters/sim_broker/fill_model.h"

#include "adapters/sim_broker/slippage.h"

namespace kairos::sim_broker {
namespace {

// Buy limit: the price is at or below the limit; sell limit: at or above.
bool Through(Side side, Price price, Price limit) {
  return side == Side::kBuy ? price <= limit : price >= limit;
}
// Buy stop: the price reached the stop from below; sell stop: from above.
bool Triggered(Side side, Price price, Price stop) {
  return side == Side::kBuy ? price >= stop : price <= stop;
}

std::optional<Price> AtTheOpen(const OrderRequest& r, const BarPrices& bar, double bps,
                               int64_t tick) {
  const bool cls = r.tif == TimeInForce::kCls;
  switch (r.type) {
    case OrderType::kMarket:
      if (!cls) return WithSlippage(bar.open, r.side, bps, tick);
      break;
    case OrderType::kLimit:
      if (!cls && Through(r.side, bar.open, *r.limit_price)) return bar.open;
      break;
    case OrderType::kStop:
      if (Triggered(r.side, bar.open, *r.stop_price)) {
        return WithSlippage(bar.open, r.side, bps, tick);
      }
      break;
    case OrderType::kStopLimit:
      if (Triggered(r.side, bar.open, *r.stop_price) && Through(r.side, bar.open, *r.limit_price)) {
        return bar.open;
      }
      break;
  }
  return std::nullopt;
}

std::optional<Price> AtTheClose(const OrderRequest& r, const BarPrices& bar, double bps,
                                int64_t tick) {
  const Price reach = r.side == Side::kBuy ? bar.low : bar.high;    // best the bar offered
  const Price extreme = r.side == Side::kBuy ? bar.high : bar.low;  // worst it went
  switch (r.type) {
    case OrderType::kMarket:
      return WithSlippage(bar.close, r.side, bps, tick);
    case OrderType::kLimit:
      if (r.tif == TimeInForce::kCls) {
        if (Through(r.side, bar.close, *r.limit_price)) return bar.close;
      } else if (Through(r.side, reach, *r.limit_price)) {
        return *r.limit_price;
      }
      break;
    case OrderType::kStop:
      if (Triggered(r.side, extreme, *r.stop_price)) {
        return WithSlippage(*r.stop_price, r.side, bps, tick);
      }
      break;
    case OrderType::kStopLimit:
      if (Triggered(r.side, extreme, *r.stop_price) && Through(r.side, reach, *r.limit_price)) {
        return *r.limit_price;
      }
      break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Price> FillPrice(const OrderRequest& order, const BarPrices& bar, Auction auction,
                               double slippage_bps, int64_t tick) {
  return auction == Auction::kOpen ? AtTheOpen(order, bar, slippage_bps, tick)
                                   : AtTheClose(order, bar, slippage_bps, tick);
}

}  // namespace kairos::sim_broker
