#pragma once

#include <optional>
#include <string>

#include "core/date.h"
#include "core/fixed_point.h"
#include "domain/strategy.h"

namespace kairos::engine {

// Exit decisions for one open position, decided on CLOSE prices.
//
// Why closing-basis and no resting stop orders at the broker: kairos is an end-of-day system; the
// exit is decided after the close on the session's bar like every other signal (and goes through
// the same signal -> intent -> order path, auditable and idempotent), then executed at the next
// open (next_open strategies) or at this close (same_close). A resting stop order would fill
// intraday at a price the rest of the system never sees, could not be reviewed, and would need a
// second order path per broker. The cost: a gap or an intraday move through the stop is realised
// at the next open / the close, not at the stop price.
//
// Levels are fixed at entry from the entry fill price and the decision bar's expression values:
//   "5%"          -> entry × (1 - 5 %) for a long stop (× (1 + 5 %) for a long target)
//   "2*atr(14)"   -> entry - value (a distance, evaluated on the decision bar)
//   "lowest(low, 10)" -> the value itself (a price, evaluated on the decision bar)
// Short positions mirror every level. A trailing stop follows the best close since entry: a
// percent trails by that percent, a distance by that distance; a price expression is turned into
// a distance at entry (decision close - value) and trails by it.

// The decision bar's values of the level expressions (only kDistance / kPrice use them).
struct LevelInputs {
  std::optional<double> stop_loss, take_profit, trailing_stop;
  double decision_close = 0;  // the decision bar's close (price-kind trailing stops)
};

struct FixedLevels {
  std::optional<Price> stop_loss;
  std::optional<Price> take_profit;
  std::optional<Price> trailing_distance;  // kDistance / kPrice trailing stops
};

// The levels of a position entered at `entry`. A level whose expression value is missing or not
// finite is left unset (the exit is not checked), never guessed.
FixedLevels LevelsAtEntry(const StrategySpec& spec, Price entry, const LevelInputs& inputs);

// The trailing stop level for the best close `high_water` (nullopt without a trailing stop).
std::optional<Price> TrailingLevel(const StrategySpec& spec, const FixedLevels& levels,
                                   Price high_water);

// The better of the two for the side: max for longs, min for shorts.
Price BestClose(PositionSide side, Price a, Price b);

struct ExitInput {
  Price close;            // the session's close
  Price high_water;       // best close since entry, including this session's
  int sessions_held = 0;  // sessions after the entry session up to this one
  bool exit_rule_matched = false;
};

struct ExitDecision {
  std::string reason;  // "stop_loss", "trailing_stop", "take_profit", "max_hold", "exit_rule"
  std::optional<Price> level;  // the level that was crossed (price exits)
};

// The first exit that applies, in this order: stop_loss, trailing_stop, take_profit, max_hold,
// exit_rule (a loss-limiting reason wins when several hold on the same close). nullopt: hold.
std::optional<ExitDecision> DecideExit(const StrategySpec& spec, const FixedLevels& levels,
                                       const ExitInput& in);

}  // namespace kairos::engine
