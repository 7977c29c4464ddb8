#pragma once

#include <cstdint>

#include "core/fixed_point.h"
#include "core/status.h"
#include "domain/trading.h"

namespace kairos {

// The invariants of stored trading records, as the SQLite schema's CHECK constraints state them.
// A store without SQL (the in-process store, the engine's test fake) checks them with these,
// before its duplicate-key test as SQLite does; each refusal is InvalidArgument (the SQLite
// store's own texts name the constraint).

// A new order: a client order id, a positive quantity, a filled quantity within 0..quantity.
Status CheckNewOrder(const Order& order);
// An update of stored order `id` (quantity `qty`) to `filled`: within 0..qty.
Status CheckOrderFilled(int64_t id, Quantity filled, Quantity qty);
// A new fill: an execution id, a positive quantity, fees not negative.
Status CheckNewFill(const Fill& fill);
// An open position (qty != 0): sessions held not negative. A closed one is deleted, never stored.
Status CheckOpenPosition(const Position& position);

}  // namespace kairos
