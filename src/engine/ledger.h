#pragma once

#include <cstdint>
#include <span>

#include "core/fixed_point.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/trading.h"

namespace kairos::engine {

// The FIFO ledger: pure functions over a Position; OrderManager::Sync stores the result.
// Every amount is int64 minor units of the strategy's currency.

struct FillEffect {
  int64_t realized = 0;          // price P&L realised by this fill (FIFO), before fees
  int64_t fees = 0;              // the fill's fees (charged separately; DailyPnl.fees)
  bool closed_position = false;  // the position went flat, or flipped through zero
};

// Applies one fill to `position` (strategy/symbol set by the caller; an empty symbol is taken
// from the fill). A buy on a flat or long position adds a lot; a sell closes lots oldest first,
// realising (exit - entry) x qty per lot, rounded half-even once per lot (a lot's P&L is one
// amount of money; half-even keeps the rounding unbiased across many lots). Shorts are
// symmetric. A fill larger than the open position closes it and opens the other side with the
// rest. A new position (from flat or after a flip) gets entry_session = fill.session,
// sessions_held = 0, realized = 0 and no stop/target/high water: the caller sets those, and
// counts sessions_held at each end of day (it needs the calendar). Lot.fees keeps the entry fees
// not yet attributed to a closed part (split pro rata, remainder stays, so they sum exactly).
// InvalidArgument (position unchanged) for qty <= 0, a price <= 0 or another symbol; OutOfRange
// (position unchanged) when the realised P&L does not fit 64-bit minor units.
Result<FillEffect> ApplyFill(Position& position, const Fill& fill, Currency currency);

// The open lots marked at `close`: sum over lots of (close - entry) x signed qty, rounded
// half-even once per lot. OutOfRange when that does not fit 64-bit minor units.
Result<int64_t> Unrealized(const Position& position, Price close, Currency currency);

// Invariants: position.qty is the signed sum of `fills_of_it` (every fill ever of this strategy
// and symbol; closed positions net to zero), the lots sum to qty, every lot has the sign of qty
// and a non-zero qty. Corruption naming the position and both numbers otherwise.
Status CheckPosition(const Position& position, std::span<const Fill> fills_of_it);

}  // namespace kairos::engine
