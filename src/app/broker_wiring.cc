#include "app/broker_wiring.h"

#include <sys/stat.h>

#include <fstream>

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

Result<std::unique_ptr<kite::KiteBroker>> MakeKiteBroker(const BrokerSettings& settings,
                                                         const std::filesystem::path& home,
                                                         const alpaca::EnvLookup& env) {
  kite::KiteConfig config;
  if (!settings.base_url.empty()) config.base_url = settings.base_url;
  KAIROS_ASSIGN_OR_RETURN(config.api_key, alpaca::ReadSecret(settings.api_key_file, "api_key_file",
                                                             "KITE_API_KEY", env, "kite"));
  std::ifstream session(home / kKiteSessionFile);
  std::getline(session, config.access_token);
  return std::make_unique<kite::KiteBroker>(std::move(config), http::MakeCurlTransport());
}

Status KiteLogin(const BrokerSettings& settings, const std::filesystem::path& home,
                 const alpaca::EnvLookup& env, std::string_view request_token) {
  KAIROS_ASSIGN_OR_RETURN(auto broker, MakeKiteBroker(settings, home, env));
  KAIROS_ASSIGN_OR_RETURN(std::string secret,
                          alpaca::ReadSecret(settings.api_secret_file, "api_secret_file",
                                             "KITE_API_SECRET", env, "kite"));
  KAIROS_ASSIGN_OR_RETURN(std::string token, broker->Login(request_token, secret));
  std::filesystem::path path = home / kKiteSessionFile;
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    ::chmod(temp.c_str(), 0600);
    out << token << "\n";
    if (!out.flush()) return Status::IOError("cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status::IOError("cannot write " + path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace kairos::app
