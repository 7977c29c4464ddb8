#pragma once
// The Alpaca stand-in (tests/standins/alpaca_api.py) as a test fixture, with a fixed key pair.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "adapters/alpaca/alpaca_broker.h"
#include "adapters/http_client/testing/standin_process.h"

namespace kairos::alpaca::testing {

class AlpacaStandin {
 public:
  static constexpr std::string_view kKeyId = "PKSTANDIN0000000000A";
  static constexpr std::string_view kSecret = "standinSecretKey0000000000000000000000000";

  AlpacaStandin();

  bool ok() const { return process_.ok(); }
  const std::string& error() const { return process_.error(); }
  std::string base_url() const { return process_.base_url(); }
  // A broker configuration for this server: its URL, the key pair, a 2 s timeout, pacing off.
  AlpacaConfig Config() const;
  // POST /_test/<name>; the decoded answer or null.
  nlohmann::json Control(std::string_view name,
                         const nlohmann::json& body = nlohmann::json::object()) {
    return process_.Control(name, body);
  }
  // Every order the stand-in holds, visible or not.
  nlohmann::json Orders() { return Control("orders")["orders"]; }

 private:
  http::testing::StandinProcess process_;
};

}  // namespace kairos::alpaca::testing
