#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/alpaca/alpaca_json.h"
#include "adapters/alpaca/credentials.h"
#include "adapters/http_client/answer.h"
#include "adapters/http_client/http_transport.h"
#include "adapters/http_client/request_pacer.h"
#include "ports/broker.h"

namespace kairos::alpaca {

struct AlpacaConfig {
  std::string base_url = "https://paper-api.alpaca.markets";  // live: https://api.alpaca.markets
  Credentials credentials;
  int64_t request_timeout_ms = 10'000;
  // Alpaca's published limit: 200 requests per minute per account. 0 turns pacing off (the
  // benchmark against the stand-in).
  int requests_per_minute = 200;
  // 429s waited out (Retry-After, else X-Ratelimit-Reset) per call before giving up, and the
  // longest single wait; a longer one is returned as kUnavailable at once.
  int max_rate_limited_waits = 3;
  int64_t max_rate_limit_wait_ms = 60'000;
  // How often Submit sends an order again under the same client id after an unanswered send
  // whose lookup found nothing (safe: Alpaca refuses a second order with that id).
  int resend_attempts = 1;
};

// ports::Broker over the Alpaca Trading API v2 (VENDOR_APIS.md §1).
//
// Exactly-once placement: every order carries kairos's client order id. An unanswered POST
// (timeout, reset, 5xx, an HTML page, a truncated body) is resolved by
// GET /v2/orders:by_client_order_id: found, it is adopted; not found, the same body with the
// same id is sent again (at most resend_attempts times); still unresolved, Submit returns
// kUnavailable and the caller resolves later with OrderByClientId. A 422 "client_order_id must
// be unique" is the order already there: it is fetched and returned, so Submit with a known id is
// a query. Refusals carry Alpaca's reason: 403 is kFailedPrecondition, 400/401/404/422
// kInvalidArgument or kFailedPrecondition. Thread-safe.
class AlpacaBroker final : public ports::Broker {
 public:
  using Sleep = http::RequestPacer::Sleep;

  AlpacaBroker(AlpacaConfig config, std::unique_ptr<http::HttpTransport> transport,
               Sleep sleep = nullptr);

  Result<BrokerOrder> Submit(const OrderRequest& request) override;
  Status Cancel(std::string_view client_order_id) override;
  Result<std::optional<BrokerOrder>> OrderByClientId(std::string_view client_order_id) override;
  Result<std::vector<BrokerOrder>> OpenOrders() override;
  Result<std::vector<BrokerPosition>> Positions() override;
  Result<std::vector<Fill>> FillsSince(int64_t since_ns) override;
  Result<Account> GetAccount() override;

  // The account as `kairos broker status` shows it (buying power, blocks).
  Result<AlpacaAccount> AccountDetails();

 private:
  // One API call, paced, with 429s waited out. An answer (any status below 500 with a JSON
  // body), or kUnavailable when there was none.
  Result<http::JsonAnswer> Call(std::string_view method, const std::string& path_and_query,
                                const std::string& body = "");
  // Submit's answer to a POST; `sent` is the body, for a resend under the same id.
  Result<BrokerOrder> PlaceOnce(const OrderRequest& request, const std::string& sent);
  Result<BrokerOrder> Adopt(const nlohmann::json& order);
  // The client order id of Alpaca order `order_id` (cached; fetched when unknown).
  Result<std::string> ClientIdOf(const std::string& order_id);

  const AlpacaConfig config_;
  std::unique_ptr<http::HttpTransport> transport_;
  Sleep sleep_;
  http::RequestPacer pacer_;
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> client_id_by_order_id_;
};

}  // namespace kairos::alpaca
