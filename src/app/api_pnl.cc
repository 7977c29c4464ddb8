// P&L of the HTTP API: daily, monthly, cumulative and the summary metrics, per strategy, as
// `kairos pnl daily|monthly|cumulative|summary --format json` print them.
#include <functional>
#include <string>

#include "app/api_support.h"
#include "app/api_trading.h"
#include "app/strategy_actions.h"
#include "app/trading_tables.h"

namespace kairos::app {
namespace {

using server::Method;
using server::Request;
using server::Response;

// The rows `request` asks for: ?strategy=, ?from=, ?to=.
Result<PnlRows> RowsOf(ports::Store& store, const Request& request) {
  return LoadPnlBetween(store, request.Query("strategy").value_or(""),
                        request.Query("from").value_or(""), request.Query("to").value_or(""),
                        "from", "to");
}

// A route answering the page of `table` over the rows asked for.
server::Route PnlRoute(ApiEnv& env, std::string path, std::string summary,
                       std::function<Result<Table>(ports::Store&, const PnlRows&)> table,
                       server::ItemKey key) {
  return {Method::kGet,
          std::move(path),
          server::Access::AtLeast(server::Role::kViewer),
          "pnl",
          std::move(summary),
          server::PageParams({{"strategy", "Only this strategy"},
                              {"from", "First session (YYYY-MM-DD)"},
                              {"to", "Last session (YYYY-MM-DD)"}}),
          nullptr,
          [&env, table = std::move(table), key = std::move(key)](Request& r) -> Response {
            ports::Store& store = env.store();
            auto rows = RowsOf(store, r);
            if (!rows.ok()) return server::ErrorFrom(rows.status());
            return TablePage(r, table(store, *rows), key);
          }};
}

}  // namespace

void AddPnlRoutes(server::Router& router, ApiEnv& env) {
  router.Add(PnlRoute(
      env, "/api/v1/pnl/daily", "One row per strategy and session: realized, unrealized, equity",
      [](ports::Store&, const PnlRows& p) -> Result<Table> { return DailyPnlTable(p); },
      KeyOf({"date", "strategy"})));
  router.Add(PnlRoute(
      env, "/api/v1/pnl/monthly", "Realized, fees, end equity and return by month",
      [](ports::Store&, const PnlRows& p) -> Result<Table> { return MonthlyPnlTable(p); },
      KeyOf({"month", "strategy"})));
  router.Add(PnlRoute(
      env, "/api/v1/pnl/cumulative", "Realized and fees summed session by session, with equity",
      [](ports::Store&, const PnlRows& p) -> Result<Table> { return CumulativePnlTable(p); },
      KeyOf({"date", "strategy"})));
  router.Add(PnlRoute(
      env, "/api/v1/pnl/summary",
      "Metrics per strategy: return, CAGR, drawdown, Sharpe, Sortino, win rate, ...",
      [](ports::Store& s, const PnlRows& p) { return PnlSummaryTable(s, p, ""); },
      KeyOf({"strategy"})));
}

}  // namespace kairos::app
