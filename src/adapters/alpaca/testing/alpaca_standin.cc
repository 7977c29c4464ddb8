#include "adapters/alpaca/testing/alpaca_standin.h"

namespace kairos::alpaca::testing {

AlpacaStandin::AlpacaStandin()
    : process_("tests/standins/alpaca_api.py",
               {"--key-id", std::string(kKeyId), "--secret-key", std::string(kSecret)}) {}

AlpacaConfig AlpacaStandin::Config() const {
  AlpacaConfig config;
  config.base_url = base_url();
  config.credentials = {std::string(kKeyId), std::string(kSecret)};
  config.request_timeout_ms = 2'000;
  config.requests_per_minute = 0;
  return config;
}

}  // namespace kairos::alpaca::testing
