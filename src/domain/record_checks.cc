#include "domain/record_checks.h"

#include <fmt/format.h>

namespace kairos {

Status CheckNewOrder(const Order& order) {
  const OrderRequest& r = order.request;
  if (r.client_order_id.empty()) {
    return Status::InvalidArgument("an order needs a client order id");
  }
  if (r.qty.units() <= 0) {
    return Status::InvalidArgument(
        fmt::format("order '{}': quantity {} is not positive", r.client_order_id, r.qty.units()));
  }
  if (order.filled_qty.units() < 0 || order.filled_qty.units() > r.qty.units()) {
    return Status::InvalidArgument(fmt::format("order '{}': filled quantity {} is outside 0..{}",
                                               r.client_order_id, order.filled_qty.units(),
                                               r.qty.units()));
  }
  return Status::Ok();
}

Status CheckOrderFilled(int64_t id, Quantity filled, Quantity qty) {
  if (filled.units() < 0 || filled.units() > qty.units()) {
    return Status::InvalidArgument(fmt::format("order {}: filled quantity {} is outside 0..{}", id,
                                               filled.units(), qty.units()));
  }
  return Status::Ok();
}

Status CheckNewFill(const Fill& fill) {
  if (fill.execution_id.empty()) return Status::InvalidArgument("a fill needs an execution id");
  if (fill.qty.units() <= 0) {
    return Status::InvalidArgument(
        fmt::format("fill '{}': quantity {} is not positive", fill.execution_id, fill.qty.units()));
  }
  if (fill.fees < 0) {
    return Status::InvalidArgument(
        fmt::format("fill '{}': fees {} are negative", fill.execution_id, fill.fees));
  }
  return Status::Ok();
}

Status CheckOpenPosition(const Position& p) {
  if (p.qty.units() != 0 && p.sessions_held < 0) {
    return Status::InvalidArgument(fmt::format("position {}/{}: sessions held {} is negative",
                                               p.strategy, p.symbol, p.sessions_held));
  }
  return Status::Ok();
}

}  // namespace kairos
