#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/fixed_point.h"
#include "domain/trading.h"

namespace kairos::engine {

// P&L analytics over what the ledger stores: round-trip trades from fills, and from the daily P&L
// rows (DailyPnl: realised that session, unrealised at the close, fees that session, equity after
// both) the monthly table, the equity curve and the metrics traders expect. Money is int64 minor
// units; ratios are doubles.

// One round trip: an entry lot (or the part of it one exit closed) and the exit that closed it.
struct Trade {
  std::string strategy, symbol;
  Side side = Side::kBuy;  // of the entry: kBuy is a long trade, kSell a short one
  Date entry_date;
  Price entry_price;
  std::optional<Date> exit_date;  // nullopt: still open
  Price exit_price;               // zero while open
  Quantity qty;                   // positive
  // Net P&L in minor units: the price P&L (exit - entry) x qty (sign flipped for a short) minus
  // `fees`. 0 while open (not realised yet).
  int64_t pnl = 0;
  // The entry fill's fees in proportion to this trade's quantity, plus (once closed) the exit
  // fill's fees in proportion. Pieces of one fill sum exactly to its fees (the last piece takes
  // the rounding remainder).
  int64_t fees = 0;
  std::string exit_reason;  // from the reason lookup; "" when unknown or open
  bool closed() const { return exit_date.has_value(); }
};

// A fill with the strategy it belongs to (LedgerRepository::ListFills' shape).
using StrategyFill = std::pair<std::string, Fill>;

// FIFO-matches each (strategy, symbol)'s fills, in session then time order, into trades. An exit
// that closes part of an entry lot splits it (the remainder stays open); an exit larger than the
// position closes it and opens the opposite side with the rest. An open remainder is a trade with
// no exit. Closed trades come in the order they were closed, then open ones by entry date and
// symbol. `exit_reason` (optional) maps an exit fill to its reason ("stop_loss", ...), e.g. via
// the order's signal. `currency` gives the minor unit of the amounts.
std::vector<Trade> RoundTrips(std::span<const StrategyFill> fills,
                              const std::function<std::string(const Fill&)>& exit_reason = {},
                              Currency currency = Currency::Usd());

// The equity the rows start from: the first row's equity minus what that session added
// (equity = allocation + cumulative realised + unrealised - cumulative fees, so for the first row
// allocation = equity - realized - unrealized + fees). REQUIRES: !rows.empty().
int64_t StartingEquity(std::span<const DailyPnl> rows);

struct MonthlyPnl {
  int year = 0;
  unsigned month = 0;  // 1..12
  int64_t realized = 0;
  int64_t fees = 0;
  int64_t end_equity = 0;  // equity at the month's last row
  // 100 * (end_equity / the previous month's end equity (the starting equity for the first
  // month) - 1).
  double return_percent = 0;
  std::string Label() const;  // "2024-03"
};

// REQUIRES: rows of one strategy, sorted by session.
std::vector<MonthlyPnl> Monthly(std::span<const DailyPnl> rows);

struct EquityPoint {
  Date date;
  int64_t equity = 0;
  int64_t drawdown = 0;  // peak equity so far (the start included) minus this equity, >= 0
};
std::vector<EquityPoint> EquityCurve(std::span<const DailyPnl> rows);

struct Drawdown {
  int64_t value = 0;   // peak - trough, minor units, >= 0 (0: never below a peak)
  double percent = 0;  // 100 * value / peak
  Date peak_date;      // the session of the peak; the first session when the peak is the start
  Date trough_date;
  std::optional<Date> recovery_date;  // first session back at or above the peak; nullopt: not yet
};

// Conventions (docs/STRATEGIES.md "P&L and metrics"):
// - Daily returns r_i = E_i / E_{i-1} - 1 over the rows, E_0 = StartingEquity.
// - CAGR uses calendar time: years = (last session - first session + 1 day) / 365.25.
// - Sharpe = mean(r) / sample stdev(r) * sqrt(252), risk-free rate 0; nullopt with fewer than
//   two returns or zero stdev (flat equity).
// - Sortino = mean(r) / downside deviation * sqrt(252), downside deviation =
//   sqrt(sum(min(r, 0)^2) / n) (target 0); nullopt when no return is negative.
// - Trades: closed ones only. A win has pnl > 0, a loss pnl < 0 (a zero trade is neither but
//   counts in the win rate's denominator). Profit factor = sum of wins / |sum of losses|;
//   nullopt when there is no loss (not infinity), and when there is no trade.
// - Exposure: share of the rows' sessions at whose close some trade was open
//   (entry_date <= session < exit_date, or still open).
struct Metrics {
  int64_t starting_equity = 0;
  int64_t ending_equity = 0;
  int64_t net_pnl = 0;  // ending - starting
  int64_t total_fees = 0;
  double total_return_percent = 0;
  std::optional<double> cagr_percent;  // nullopt without rows
  Drawdown max_drawdown;
  std::optional<double> sharpe, sortino;
  int sessions = 0;
  int trades = 0;  // closed
  int wins = 0, losses = 0;
  std::optional<double> win_rate_percent;  // nullopt without trades
  std::optional<double> profit_factor;
  std::optional<int64_t> average_win, average_loss;  // minor units (average_loss < 0)
  double exposure_percent = 0;
};

// REQUIRES: rows of one strategy sorted by session; trades of that strategy.
Metrics ComputeMetrics(std::span<const DailyPnl> rows, std::span<const Trade> trades);

}  // namespace kairos::engine
