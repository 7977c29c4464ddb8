#include "app/api_routes.h"

#include "server/openapi.h"

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
  server::AddHealthRoutes(api->router, env.version);
  return api;
}

}  // namespace kairos::app
