#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/http_client/answer.h"
#include "adapters/http_client/http_transport.h"
#include "adapters/http_client/request_pacer.h"
#include "ports/broker.h"

namespace kairos::kite {

struct KiteConfig {
  std::string base_url = "https://api.kite.trade";
  std::string api_key;
  std::string access_token;  // from Login; expires every morning (06:00 IST)
  std::string exchange = "NSE";
  std::string product = "CNC";  // delivery; "MIS" for intraday strategies
  int64_t request_timeout_ms = 10'000;
  // Kite's published limits: 10 order placements per second and 10 other requests per second
  // (VENDOR_APIS.md §2.9). 0 turns pacing off.
  int orders_per_second = 10;
  int requests_per_second = 10;
};

// The order's tag on Kite: alphanumeric, at most 20 characters (VENDOR_APIS.md §2.4), the same
// for the same client order id: "k" and 16 hex digits of the id's FNV-1a hash.
std::string KiteTag(std::string_view client_order_id);

// The login checksum: hex SHA-256 of api_key + request_token + api_secret.
std::string SessionChecksum(std::string_view api_key, std::string_view request_token,
                            std::string_view api_secret);

// ports::Broker over Kite Connect v3 (VENDOR_APIS.md §2). Kite does not de-duplicate orders, so
// every order carries KiteTag(client id) and Submit searches the day's order book for that tag
// BEFORE posting (Submit with a known id is a query) and after a send without an answer (found:
// adopted; not found: kUnavailable, never a blind resend). Next-open orders go as AMO, others
// as regular; market orders carry market_protection=-1 (required since April 2026); limit
// prices are rounded to the 0.05 tick. An expired session (403 TokenException) is
// kUnavailable saying to log in: nothing is sent and the outcome stays resolvable.
class KiteBroker final : public ports::Broker {
 public:
  KiteBroker(KiteConfig config, std::unique_ptr<http::HttpTransport> transport);

  Result<BrokerOrder> Submit(const OrderRequest& request) override;
  Status Cancel(std::string_view client_order_id) override;
  Result<std::optional<BrokerOrder>> OrderByClientId(std::string_view client_order_id) override;
  Result<std::vector<BrokerOrder>> OpenOrders() override;
  Result<std::vector<BrokerPosition>> Positions() override;
  Result<std::vector<Fill>> FillsSince(int64_t since_ns) override;
  Result<Account> GetAccount() override;

  // POST /session/token: exchanges a request token (from the login redirect) for the day's
  // access token, which it keeps and returns.
  Result<std::string> Login(std::string_view request_token, std::string_view api_secret);

 private:
  Result<http::JsonAnswer> Call(std::string_view method, const std::string& path,
                                const std::string& form = "", bool authorized = true);
  // `data` of a success envelope, or the error it carries.
  Result<nlohmann::json> Data(std::string_view what, const http::JsonAnswer& answer);
  Result<nlohmann::json> OrderBook();
  // The order with `tag` in the day's book (the latest one), with its client id.
  Result<std::optional<BrokerOrder>> FindByTag(std::string_view client_order_id);

  KiteConfig config_;
  std::unique_ptr<http::HttpTransport> transport_;
  http::RequestPacer order_pacer_;
  http::RequestPacer read_pacer_;
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> client_id_by_tag_;
};

}  // namespace kairos::kite
