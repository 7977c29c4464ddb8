#include "app/api_routes.h"

#include "app/api_trading.h"
#include "app/api_ops.h"

namespace kairos::app {
namespace {

// Until accounts exist nobody is let in.
class NoAccounts : public server::Authenticator {
 public:
  Result<std::optional<server::Principal>> Authenticate(const server::Request&) override {
    return std::optional<server::Principal>();
  }
  bool HasAccounts() override { return false; }
};

}  // namespace

std::unique_ptr<ApiRoutes> BuildApiRoutes(ApiEnv& env) {
  auto api = std::make_unique<ApiRoutes>();
  api->auth = std::make_unique<NoAccounts>();
  AddStrategyRoutes(api->router, env);
  AddTradingRoutes(api->router, env);
  AddPnlRoutes(api->router, env);
  AddJobsRoutes(api->router, env);
  AddMarketRoutes(api->router, env);
  AddBacktestRoutes(api->router, env);
  return api;
}

}  // namespace kairos::app
