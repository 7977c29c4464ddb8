#include "app/api_routes.h"

#include "app/api_ops.h"
#include "app/api_trading.h"
#include "app/auth_routes.h"
#include "server/auth.h"
#include "server/openapi.h"

namespace kairos::app {

std::unique_ptr<ApiRoutes> BuildApiRoutes(ApiEnv& env) {
  auto api = std::make_unique<ApiRoutes>();
  auto auth = std::make_unique<server::AccountAuthenticator>(
      env.store, *env.clock,
      server::SessionLimits{env.settings.session_idle_ns, env.settings.session_absolute_ns});
  AddAuthRoutes(api->router, *auth, env);
  api->auth = std::move(auth);
  AddStrategyRoutes(api->router, env);
  AddTradingRoutes(api->router, env);
  AddPnlRoutes(api->router, env);
  AddJobsRoutes(api->router, env);
  AddMarketRoutes(api->router, env);
  AddBacktestRoutes(api->router, env);
  server::AddHealthRoutes(api->router, env.version);
  return api;
}

}  // namespace kairos::app
