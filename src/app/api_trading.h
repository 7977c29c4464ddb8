#pragma once

#include "app/api_routes.h"
#include "server/router.h"

// The trading resources of the HTTP API. Each mirrors a CLI command and runs the same functions
// (strategy_actions.h, trading_actions.h, trading_tables.h); lists answer the CLI's
// `--format json` items; every change is audited as request.Actor().
namespace kairos::app {

// /api/v1/strategies[/{name}[/enable|/disable|/allocation]], /api/v1/rules/validate
// (api_strategies.cc).
void AddStrategyRoutes(server::Router& router, ApiEnv& env);
// /api/v1/signals[/{id}[/approve|/reject]], /orders, /fills, /positions, /halt, /resume
// (api_trading.cc).
void AddTradingRoutes(server::Router& router, ApiEnv& env);
// /api/v1/pnl/daily|monthly|cumulative|summary (api_pnl.cc).
void AddPnlRoutes(server::Router& router, ApiEnv& env);

}  // namespace kairos::app
