#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "domain/trading.h"

// The Alpaca Trading API's JSON, both ways, with no I/O (VENDOR_APIS.md §1). Money and
// quantities travel as decimal strings and are parsed exactly, never through a double. Unknown
// fields are ignored (Alpaca adds fields and enum values as "backwards compatible"); parsers
// never throw (alpaca_json_fuzzer).
namespace kairos::alpaca {

// US equities quote in cents from $1 up and in hundredths of a cent below (Reg NMS rule 612).
int64_t TickRawFor(Price price);

// A limit price on the tick: down for a buy (never pay more than asked), up for a sell.
Price RoundLimitToTick(Price price, Side side);

// The body of POST /v2/orders for `request`. Market and limit orders only; whole shares;
// time_in_force day/opg/cls/gtc as the request says. InvalidArgument (naming the field) for
// what Alpaca would refuse or kairos does not place.
Result<std::string> OrderBody(const OrderRequest& request);

// An Order object as kairos's BrokerOrder. `status` strings Alpaca may add later read as
// kAccepted for a live order and never as filled (an unknown state is not a fill).
Result<BrokerOrder> ParseOrder(const nlohmann::json& order);
OrderStatus ParseOrderStatus(std::string_view status);
// The Order object's `id` and `symbol` (for mapping fills to client ids).
std::string OrderId(const nlohmann::json& order);

Result<std::vector<BrokerOrder>> ParseOrders(const nlohmann::json& orders);
Result<std::vector<BrokerPosition>> ParsePositions(const nlohmann::json& positions);

// GET /v2/account, the fields `kairos broker status` and the pre-trade checks read.
struct AlpacaAccount {
  std::string account_number;
  std::string status;  // ACTIVE, ...
  std::string currency;
  int64_t cash = 0;  // minor units
  int64_t equity = 0;
  int64_t buying_power = 0;
  bool trading_blocked = false;
  bool account_blocked = false;
};
Result<AlpacaAccount> ParseAccount(const nlohmann::json& account);

// One FILL activity (GET /v2/account/activities/FILL).
struct FillActivity {
  std::string id;  // the execution id
  std::string order_id;
  std::string symbol;
  Side side = Side::kBuy;
  Quantity qty;
  Price price;
  int64_t time_ns = 0;
};
Result<std::vector<FillActivity>> ParseFillActivities(const nlohmann::json& activities);

// An RFC 3339 UTC time with up to nanoseconds ("2023-12-12T22:31:24.668464435Z").
Result<int64_t> ParseTimeNs(std::string_view text);
// The `after` parameter of the activities endpoint.
std::string FormatTimeNs(int64_t ns);

// The `message` of an error body ({"code":N,"message":"..."}), or a description of the status
// when the body has none.
std::string ErrorMessage(int status, const nlohmann::json& body);
// True for the 422 that says a client order id was used before on the account (the wording
// has varied: "client_order_id must be unique", "client order id must be unique").
bool IsDuplicateClientId(int status, const nlohmann::json& body);

}  // namespace kairos::alpaca
