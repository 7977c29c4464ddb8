#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli.h"
#include "core/date.h"
#include "core/fixed_point.h"
#include "core/result.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "marketdata/bar_store.h"
#include "ports/store.h"

// The listings of the trading records, built once for the two places that show them: the CLI
// (`kairos signals list`, `orders list`, `fills list`, `positions`, `pnl daily|monthly|
// cumulative`) and the HTTP API answer them prints them, the
// Telegram bot sends a few of their columns. Amounts are in each strategy's currency.
namespace kairos::app {

// "1234.50" rounded to `decimals` (a rounded zero prints without its sign).
std::string FormatNumber(double v, int decimals = 2);

// The currency of each stored strategy, by name.
std::map<std::string, Currency> Currencies(const std::vector<StrategyRecord>& strategies);
std::map<std::string, Currency> Currencies(ports::Store& store);
// The currency of `strategy`; one not stored (an order placed by hand) is in the default
// currency, as the order manager books it.
Currency CurrencyIn(const std::map<std::string, Currency>& currencies, const std::string& strategy);

// id, date, strategy, symbol, side, kind, status, reason, terms, rank, execute_on, decided_by,
// note; by id.
Result<Table> SignalsTable(ports::Store& store, const ports::SignalFilter& filter);
// The same columns for `signals`, in their order.
Table SignalsTableOf(const std::vector<Signal>& signals);
// The rows of `table` whose `column` (a date "YYYY-MM-DD") is within [from, to] (each optional).
Table RowsBetween(const Table& table, std::string_view column, std::optional<Date> from,
                  std::optional<Date> to);
// id, session, strategy, client_order_id, symbol, side, qty, type, tif, limit, status, filled,
// signal, message; by id.
Result<Table> OrdersTable(ports::Store& store, const ports::OrderFilter& filter);
// date, strategy, symbol, side, qty, price, fees, execution_id; by session then time.
Result<Table> FillsTable(ports::Store& store, const ports::FillFilter& filter);
// strategy, symbol, qty, avg_price, entry_session, sessions_held, stop, target, high_water,
// lots, mark, mark_date, unrealized; by strategy then symbol. The mark is the last close of the
// symbol in `bars` (null: none), unrealized the open lots marked at it (engine::Unrealized);
// both empty for a symbol without bars, unrealized empty when beyond the ledger's range.
Result<Table> PositionsTable(ports::Store& store, const marketdata::BarStore* bars = nullptr);

// Daily P&L rows asked for, grouped by strategy, with each strategy's currency.
struct PnlRows {
  std::map<std::string, std::vector<DailyPnl>> rows;
  std::map<std::string, Currency> currency;
  std::optional<Date> from, to;
  Currency CurrencyFor(const std::string& strategy) const;
};
// NotFound "no strategy named 'x'" when `strategy` (non-empty) is not stored.
Result<PnlRows> LoadPnl(ports::Store& store, std::string_view strategy, std::optional<Date> from,
                        std::optional<Date> to);
// date, strategy, realized, unrealized, fees, equity; by date then strategy.
Table DailyPnlTable(const PnlRows& pnl);
// date, strategy, realized, cumulative_realized, fees, cumulative_fees, equity: each strategy's
// running sums from the first row asked for; by date then strategy.
Table CumulativePnlTable(const PnlRows& pnl);
// month, strategy, realized, fees, end_equity, return_pct; by month.
Table MonthlyPnlTable(const PnlRows& pnl);

}  // namespace kairos::app
