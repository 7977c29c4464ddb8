#include "engine/ledger.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

namespace kairos::engine {

namespace {

int64_t Sign(int64_t v) { return (v > 0) - (v < 0); }

// Price P&L of `qty` units (signed: negative for a short lot) entered at `entry` and valued at
// `exit`: (exit - entry) x qty, one rounding of the exact product.
Result<int64_t> LotPnl(Price entry, Price exit, int64_t qty, Currency currency) {
  KAIROS_ASSIGN_OR_RETURN(Money pnl, CheckedNotional(exit - entry, Quantity::FromUnits(qty),
                                                     currency, Rounding::kHalfEven));
  return pnl.minor();
}

void StartPosition(Position& position, Date session) {
  position.entry_session = session;
  position.sessions_held = 0;
  position.realized = 0;
  position.stop.reset();
  position.target.reset();
  position.high_water.reset();
}

// InvalidArgument for a quantity or price that is not positive, or a fill of another symbol.
Status CheckFill(const Position& position, const Fill& fill) {
  if (fill.qty.units() <= 0) {
    return Status::InvalidArgument(
        fmt::format("fill {}: quantity {} is not positive", fill.execution_id, fill.qty.units()));
  }
  if (fill.price.raw() <= 0) {
    return Status::InvalidArgument(
        fmt::format("fill {}: price {} is not positive", fill.execution_id, fill.price.ToString()));
  }
  if (!position.symbol.empty() && position.symbol != fill.symbol) {
    return Status::InvalidArgument(fmt::format("fill {} is for {}, the position for {}",
                                               fill.execution_id, fill.symbol, position.symbol));
  }
  return Status::Ok();
}

// The price P&L of the `units` a fill closes, oldest lot first, each lot's share rounded once.
Result<int64_t> RealizedPnl(const std::vector<Lot>& lots, int64_t units, Price price,
                            Currency currency) {
  int64_t realized = 0;
  int64_t to_close = units;
  for (const Lot& lot : lots) {
    if (to_close == 0) break;
    const int64_t take = std::min(std::abs(lot.qty.units()), to_close);
    KAIROS_ASSIGN_OR_RETURN(int64_t pnl,
                            LotPnl(lot.price, price, Sign(lot.qty.units()) * take, currency));
    KAIROS_ASSIGN_OR_RETURN(realized, CheckedAdd(realized, pnl, "the realised P&L of a fill"));
    to_close -= take;
  }
  return realized;
}

struct LotsClosed {
  int64_t remaining = 0;     // units of the fill still to place (positive)
  int64_t signed_units = 0;  // the lots' signed units closed
};

// Closes up to `units` of the position's lots, oldest first; lots closed entirely are removed.
LotsClosed CloseOldestLots(Position& position, int64_t units) {
  LotsClosed closed;
  closed.remaining = units;
  size_t closed_lots = 0;
  for (Lot& lot : position.lots) {
    if (closed.remaining == 0) break;
    const int64_t lot_units = std::abs(lot.qty.units());
    const int64_t take = std::min(lot_units, closed.remaining);
    const int64_t take_signed = Sign(lot.qty.units()) * take;
    if (take == lot_units) {
      ++closed_lots;
      lot.fees = 0;
    } else {
      // The closed part takes its pro-rata share of the entry fees; the remainder stays with the
      // lot, so the lots' fees always sum to what was charged for the open units.
      const int64_t share = static_cast<int64_t>(
          DivideRounded(static_cast<Int128>(lot.fees) * take, lot_units, Rounding::kHalfEven));
      lot.fees -= share;
    }
    lot.qty = Quantity::FromUnits(lot.qty.units() - take_signed);
    closed.remaining -= take;
    closed.signed_units += take_signed;
  }
  position.lots.erase(position.lots.begin(),
                      position.lots.begin() + static_cast<std::ptrdiff_t>(closed_lots));
  return closed;
}

// Flip through zero: the `units` of the fill left after closing the position open the other
// side, with their pro-rata share of the fill's fees. Returns the new signed quantity.
int64_t OpenOtherSide(Position& position, const Fill& fill, int64_t units) {
  const int64_t open_signed = fill.side == Side::kBuy ? units : -units;
  const int64_t open_fees = static_cast<int64_t>(
      DivideRounded(static_cast<Int128>(fill.fees) * units, fill.qty.units(), Rounding::kHalfEven));
  StartPosition(position, fill.session);
  position.lots.push_back(
      Lot{fill.session, Quantity::FromUnits(open_signed), fill.price, open_fees});
  return open_signed;
}

}  // namespace

Result<FillEffect> ApplyFill(Position& position, const Fill& fill, Currency currency) {
  KAIROS_RETURN_IF_ERROR(CheckFill(position, fill));
  if (position.symbol.empty()) position.symbol = fill.symbol;

  const int64_t signed_qty = fill.side == Side::kBuy ? fill.qty.units() : -fill.qty.units();
  FillEffect effect;
  effect.fees = fill.fees;
  int64_t qty = position.qty.units();

  if (qty == 0 || Sign(qty) == Sign(signed_qty)) {
    if (qty == 0) StartPosition(position, fill.session);
    position.lots.push_back(
        Lot{fill.session, Quantity::FromUnits(signed_qty), fill.price, fill.fees});
    position.qty = Quantity::FromUnits(qty + signed_qty);
    return effect;
  }

  // The P&L of the units closed, before anything changes (so a value beyond the ledger's range
  // leaves the position as it was).
  KAIROS_ASSIGN_OR_RETURN(effect.realized,
                          RealizedPnl(position.lots, std::abs(signed_qty), fill.price, currency));
  KAIROS_ASSIGN_OR_RETURN(
      const int64_t position_realized,
      CheckedAdd(position.realized, effect.realized, "the realised P&L of a position"));

  const LotsClosed closed = CloseOldestLots(position, std::abs(signed_qty));
  qty -= closed.signed_units;
  position.realized = position_realized;

  if (qty == 0) {
    effect.closed_position = true;
    const int64_t realized = position.realized;
    StartPosition(position, Date());
    position.realized = realized;  // what the closed position earned, until the next entry
  }
  if (closed.remaining > 0) qty = OpenOtherSide(position, fill, closed.remaining);
  position.qty = Quantity::FromUnits(qty);
  return effect;
}

Result<int64_t> Unrealized(const Position& position, Price close, Currency currency) {
  int64_t total = 0;
  for (const Lot& lot : position.lots) {
    KAIROS_ASSIGN_OR_RETURN(int64_t pnl, LotPnl(lot.price, close, lot.qty.units(), currency));
    KAIROS_ASSIGN_OR_RETURN(total, CheckedAdd(total, pnl, "the unrealised P&L of a position"));
  }
  return total;
}

Status CheckPosition(const Position& position, std::span<const Fill> fills_of_it) {
  const std::string name = fmt::format("{}/{}", position.strategy, position.symbol);
  int64_t sum = 0;
  for (const Fill& f : fills_of_it) sum += f.side == Side::kBuy ? f.qty.units() : -f.qty.units();
  if (sum != position.qty.units()) {
    return Status::Corruption(fmt::format("position {}: qty {} but its fills sum to {}", name,
                                          position.qty.units(), sum));
  }
  int64_t lots = 0;
  for (const Lot& lot : position.lots) {
    if (lot.qty.units() == 0 || Sign(lot.qty.units()) != Sign(position.qty.units())) {
      return Status::Corruption(fmt::format("position {}: lot of {} opened {} in a position of {}",
                                            name, lot.qty.units(), lot.opened.ToString(),
                                            position.qty.units()));
    }
    lots += lot.qty.units();
  }
  if (lots != position.qty.units()) {
    return Status::Corruption(fmt::format("position {}: qty {} but its lots sum to {}", name,
                                          position.qty.units(), lots));
  }
  return Status::Ok();
}

}  // namespace kairos::engine
