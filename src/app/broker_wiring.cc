#include "app/broker_wiring.h"

#include "adapters/http_client/curl_transport.h"

namespace kairos::app {

Result<std::unique_ptr<alpaca::AlpacaBroker>> MakeAlpacaBroker(const BrokerSettings& settings,
                                                               const alpaca::EnvLookup& env) {
  alpaca::AlpacaConfig config;
  if (!settings.base_url.empty()) config.base_url = settings.base_url;
  KAIROS_ASSIGN_OR_RETURN(
      config.credentials,
      alpaca::LoadCredentials(settings.key_id_file, settings.secret_key_file, env));
  return std::make_unique<alpaca::AlpacaBroker>(std::move(config), http::MakeCurlTransport());
}

}  // namespace kairos::app
