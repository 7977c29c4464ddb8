#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/fixed_point.h"
#include "core/result.h"
#include "domain/strategy.h"

namespace kairos::engine {

// Selection and sizing of a strategy's entry signals for one session.
//
// Money is int64 minor units of the strategy's currency; prices are fixed-point Price; quantities
// whole units. The only doubles are the spec's percentages, turned into integer rates of
// 1e-6 percent once (PercentMicros) so every amount below is exact integer arithmetic.

// One approved entry signal competing for the session's slots.
struct EntryCandidate {
  int64_t signal_id = 0;
  std::string symbol;
  double rank_value = 0;  // the strategy's rank expression; NaN = no rank (sorts last)
  // The price the size is computed at: the decision bar's close (next_open market orders and
  // same_close orders) or the limit price (limit orders).
  Price reference;
  std::optional<Price> stop;  // the stop level the entry would get (risk sizing)
};

// What the strategy already has when the session's candidates are considered.
struct BookState {
  int64_t cash = 0;            // allocation + realised - fees - cost of open lots - reserved
  int open_positions = 0;      // open positions plus pending (not yet filled) entry orders
  int new_today = 0;           // entries already ordered for this session (a re-run counts them)
  std::set<std::string> held;  // symbols held or with a pending entry: never bought twice
};

struct SizedEntry {
  int64_t signal_id = 0;
  std::string symbol;
  Quantity qty;
  int64_t reserved = 0;  // cash set aside for the order (minor units)
};

struct RefusedEntry {
  int64_t signal_id = 0;
  std::string symbol;
  std::string note;  // "size 0: ...", "not selected: max_new_per_day 2 reached", ...
};

struct Selection {
  std::vector<SizedEntry> entries;  // in rank order
  std::vector<RefusedEntry> refused;
};

// Buffer on top of the reference price for the cash a market order reserves: the strategy's
// slippage plus 1 % (100 bps), because a next_open market order fills at a price not known when
// it is sized (the next open may gap up). Limit orders reserve exactly their limit.
constexpr int64_t kMarketReserveBufferBps = 100;

// A percentage as an integer count of 1e-6 percent: 2.5 -> 2'500'000.
int64_t PercentMicros(double percent);

// The quantity the sizing method gives at `reference` (before cash limits). kRisk needs `stop`
// on the losing side of `reference`. A result of 0 comes with the reason in `why`.
Quantity SizeByMethod(const SizingSpec& sizing, int64_t allocation, const Currency& currency,
                      PositionSide side, Price reference, std::optional<Price> stop,
                      std::string* why);

// The cash reserved for `qty` at `price` (rounded up to the minor unit), with `buffer_bps`.
int64_t ReserveFor(Price price, Quantity qty, const Currency& currency, int64_t buffer_bps);

// Orders the candidates by rank (ascending rank value, NaN last; ties by symbol), then takes them
// while the limits allow: max_new_per_day (minus new_today), max_positions (minus open_positions),
// one position per symbol, and cash (the quantity is cut to what the cash affords at the reserve
// price). A candidate sized to 0 is refused with note "size 0: <why>".
// `reserve_buffer_bps`: kMarketReserveBufferBps + slippage for market orders, 0 for limits.
Selection SelectEntries(const StrategySpec& spec, int64_t allocation, const Currency& currency,
                        const BookState& book, std::vector<EntryCandidate> candidates,
                        int64_t reserve_buffer_bps);

}  // namespace kairos::engine
