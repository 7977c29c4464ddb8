#pragma once

#include "app/api_routes.h"
#include "server/router.h"

namespace kairos::app {

// The operational and market resources of the HTTP API (BuildApiRoutes adds them). Each
// mutation writes an audit row (actor request.Actor()); POST /api/v1/scan only reads (a POST for
// its body) and writes none. REQUIRES: env.clock is set.

// jobs (list, history, run now, enable, disable), alerts, the audit log and the live events
// (api_jobs.cc).
void AddJobsRoutes(server::Router& router, ApiEnv& env);

// symbols, bars with indicator overlays, scan (api_market.cc).
void AddMarketRoutes(server::Router& router, ApiEnv& env);

// backtests started in the background, their status and reports (api_backtests.cc).
void AddBacktestRoutes(server::Router& router, ApiEnv& env);

}  // namespace kairos::app
