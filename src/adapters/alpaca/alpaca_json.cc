#include "adapters/alpaca/alpaca_json.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

#include "core/date.h"
#include "core/fixed_point.h"

namespace kairos::alpaca {
namespace {

using nlohmann::json;

constexpr int64_t kCentRaw = Price::kScale / 100;
constexpr int64_t kHundredthCentRaw = Price::kScale / 10'000;

// A string member of `o`, or "" when absent or not a string.
std::string Str(const json& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Flag(const json& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}

Status Malformed(std::string_view what, std::string_view key) {
  return Status::InvalidArgument(fmt::format("alpaca {}: malformed or missing \"{}\"", what, key));
}

// A decimal-string price member (or a JSON number written without exponent).
Result<Price> PriceField(const json& o, std::string_view what, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return Malformed(what, key);
  std::string text = it->is_string() ? it->get<std::string>() : std::string();
  if (it->is_number_integer()) text = it->dump();
  auto p = Price::Parse(text);
  if (!p.ok()) return Malformed(what, key);
  return *p;
}

// A whole-share quantity ("2", "-3", also "2.0"); fractional shares are refused.
Result<Quantity> QtyField(const json& o, std::string_view what, std::string_view key) {
  KAIROS_ASSIGN_OR_RETURN(Price as_decimal, PriceField(o, what, key));
  if (as_decimal.raw() % Price::kScale != 0) {
    return Status::InvalidArgument(
        fmt::format("alpaca {}: \"{}\" is fractional ({}); kairos trades whole shares", what, key,
                    as_decimal.ToString()));
  }
  return Quantity::FromUnits(as_decimal.raw() / Price::kScale);
}

// A money member in minor units of `currency` (rounded half-even past the minor unit).
Result<int64_t> MoneyField(const json& o, std::string_view what, std::string_view key,
                           const Currency& currency) {
  KAIROS_ASSIGN_OR_RETURN(Price amount, PriceField(o, what, key));
  return static_cast<int64_t>(
      DivideRounded(amount.raw(), Price::kScale / currency.minor_per_unit(), Rounding::kHalfEven));
}

}  // namespace

int64_t TickRawFor(Price price) {
  return price.raw() >= Price::kScale ? kCentRaw : kHundredthCentRaw;
}

Price RoundLimitToTick(Price price, Side side) {
  return price.RoundToTick(TickRawFor(price),
                           side == Side::kBuy ? Rounding::kFloor : Rounding::kCeiling);
}

Result<std::string> OrderBody(const OrderRequest& request) {
  if (request.client_order_id.empty() || request.client_order_id.size() > 48) {
    return Status::InvalidArgument(
        fmt::format("alpaca order: client order id must be 1 to 48 characters, not {}",
                    request.client_order_id.size()));
  }
  if (request.symbol.empty()) return Status::InvalidArgument("alpaca order: no symbol");
  if (request.qty.units() <= 0) {
    return Status::InvalidArgument(fmt::format("alpaca order {}: quantity must be positive, not {}",
                                               request.client_order_id, request.qty.units()));
  }
  json body = {{"symbol", request.symbol},
               {"qty", request.qty.ToString()},
               {"side", request.side == Side::kBuy ? "buy" : "sell"},
               {"time_in_force", TimeInForceName(request.tif)},
               {"client_order_id", request.client_order_id}};
  switch (request.type) {
    case OrderType::kMarket:
      body["type"] = "market";
      break;
    case OrderType::kLimit: {
      if (!request.limit_price || request.limit_price->raw() <= 0) {
        return Status::InvalidArgument(
            fmt::format("alpaca order {}: a limit order needs a positive limit price",
                        request.client_order_id));
      }
      body["type"] = "limit";
      body["limit_price"] = RoundLimitToTick(*request.limit_price, request.side).ToString();
      break;
    }
    default:
      return Status::InvalidArgument(
          fmt::format("alpaca order {}: kairos places market and limit orders, not {}",
                      request.client_order_id, OrderTypeName(request.type)));
  }
  return body.dump();
}

OrderStatus ParseOrderStatus(std::string_view s) {
  if (s == "filled") return OrderStatus::kFilled;
  if (s == "partially_filled") return OrderStatus::kPartiallyFilled;
  if (s == "canceled" || s == "replaced") return OrderStatus::kCancelled;
  if (s == "expired") return OrderStatus::kExpired;
  if (s == "rejected") return OrderStatus::kRejected;
  // new, accepted, pending_new, done_for_day, pending_cancel, ... and states Alpaca adds later:
  // at the broker and alive. Never a fill, never "not received".
  return OrderStatus::kAccepted;
}

std::string OrderId(const json& order) { return order.is_object() ? Str(order, "id") : ""; }

Result<BrokerOrder> ParseOrder(const json& o) {
  if (!o.is_object()) return Status::InvalidArgument("alpaca order: not a JSON object");
  BrokerOrder order;
  order.client_order_id = Str(o, "client_order_id");
  order.broker_order_id = Str(o, "id");
  if (order.client_order_id.empty()) return Malformed("order", "client_order_id");
  if (order.broker_order_id.empty()) return Malformed("order", "id");
  std::string status = Str(o, "status");
  if (status.empty()) return Malformed("order", "status");
  order.status = ParseOrderStatus(status);
  KAIROS_ASSIGN_OR_RETURN(order.filled_qty, QtyField(o, "order", "filled_qty"));
  if (auto it = o.find("filled_avg_price"); it != o.end() && !it->is_null()) {
    KAIROS_ASSIGN_OR_RETURN(Price avg, PriceField(o, "order", "filled_avg_price"));
    order.average_price = avg;
  }
  if (order.status == OrderStatus::kAccepted && order.filled_qty.units() > 0) {
    order.status = OrderStatus::kPartiallyFilled;  // done_for_day and the like, part filled
  }
  // The broker's word for the states kairos folds into its own, so the order's message says it.
  static constexpr std::string_view kPlain[] = {"new",    "accepted", "partially_filled",
                                                "filled", "canceled", "expired"};
  if (status == "rejected") {
    order.message = "rejected by alpaca";
  } else if (std::find(std::begin(kPlain), std::end(kPlain), status) == std::end(kPlain)) {
    order.message = "alpaca status " + status;
  }
  return order;
}

Result<std::vector<BrokerOrder>> ParseOrders(const json& orders) {
  if (!orders.is_array()) return Status::InvalidArgument("alpaca orders: not a JSON array");
  std::vector<BrokerOrder> out;
  for (const json& o : orders) {
    KAIROS_ASSIGN_OR_RETURN(BrokerOrder order, ParseOrder(o));
    out.push_back(std::move(order));
  }
  return out;
}

Result<std::vector<BrokerPosition>> ParsePositions(const json& positions) {
  if (!positions.is_array()) return Status::InvalidArgument("alpaca positions: not a JSON array");
  std::vector<BrokerPosition> out;
  for (const json& p : positions) {
    if (!p.is_object()) return Status::InvalidArgument("alpaca position: not a JSON object");
    BrokerPosition position;
    position.symbol = Str(p, "symbol");
    if (position.symbol.empty()) return Malformed("position", "symbol");
    KAIROS_ASSIGN_OR_RETURN(position.qty, QtyField(p, "position", "qty"));
    KAIROS_ASSIGN_OR_RETURN(position.average_price, PriceField(p, "position", "avg_entry_price"));
    // Short positions carry side "short" and a negative qty; a positive qty marked short is
    // read as short too.
    if (Str(p, "side") == "short" && position.qty.units() > 0) position.qty = -position.qty;
    out.push_back(std::move(position));
  }
  return out;
}

Result<AlpacaAccount> ParseAccount(const json& a) {
  if (!a.is_object()) return Status::InvalidArgument("alpaca account: not a JSON object");
  AlpacaAccount account;
  account.account_number = Str(a, "account_number");
  account.status = Str(a, "status");
  account.currency = Str(a, "currency");
  if (account.currency.empty()) account.currency = "USD";
  auto currency = Currency::FromCode(account.currency);
  if (!currency.ok()) {
    return Status::InvalidArgument(
        fmt::format("alpaca account: currency {} is not one kairos knows", account.currency));
  }
  KAIROS_ASSIGN_OR_RETURN(account.cash, MoneyField(a, "account", "cash", *currency));
  KAIROS_ASSIGN_OR_RETURN(account.equity, MoneyField(a, "account", "equity", *currency));
  KAIROS_ASSIGN_OR_RETURN(account.buying_power,
                          MoneyField(a, "account", "buying_power", *currency));
  account.trading_blocked = Flag(a, "trading_blocked") || Flag(a, "trade_suspended_by_user");
  account.account_blocked = Flag(a, "account_blocked");
  return account;
}

Result<std::vector<FillActivity>> ParseFillActivities(const json& activities) {
  if (!activities.is_array()) return Status::InvalidArgument("alpaca activities: not an array");
  std::vector<FillActivity> out;
  for (const json& a : activities) {
    if (!a.is_object()) return Status::InvalidArgument("alpaca activity: not a JSON object");
    if (Str(a, "activity_type") != "FILL") continue;
    FillActivity fill;
    fill.id = Str(a, "id");
    fill.order_id = Str(a, "order_id");
    fill.symbol = Str(a, "symbol");
    if (fill.id.empty()) return Malformed("fill", "id");
    if (fill.order_id.empty()) return Malformed("fill", "order_id");
    if (fill.symbol.empty()) return Malformed("fill", "symbol");
    std::string side = Str(a, "side");
    if (side != "buy" && side != "sell" && side != "sell_short") return Malformed("fill", "side");
    fill.side = side == "buy" ? Side::kBuy : Side::kSell;
    KAIROS_ASSIGN_OR_RETURN(fill.qty, QtyField(a, "fill", "qty"));
    KAIROS_ASSIGN_OR_RETURN(fill.price, PriceField(a, "fill", "price"));
    if (fill.qty.units() <= 0 || fill.price.raw() <= 0) return Malformed("fill", "qty");
    auto t = ParseTimeNs(Str(a, "transaction_time"));
    if (!t.ok()) return Malformed("fill", "transaction_time");
    fill.time_ns = *t;
    out.push_back(std::move(fill));
  }
  return out;
}

Result<int64_t> ParseTimeNs(std::string_view text) {
  KAIROS_ASSIGN_OR_RETURN(Timestamp t, Timestamp::Parse(text));
  return t.nanos();
}

std::string FormatTimeNs(int64_t ns) { return Timestamp::FromNanos(ns).ToString(); }

std::string ErrorMessage(int status, const json& body) {
  if (body.is_object()) {
    std::string message = Str(body, "message");
    if (!message.empty()) return message;
  }
  return fmt::format("HTTP {}", status);
}

bool IsDuplicateClientId(int status, const json& body) {
  if (status != 422) return false;
  std::string message = ErrorMessage(status, body);
  std::string squeezed;
  for (char c : message) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      squeezed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return squeezed.find("clientorderidmustbeunique") != std::string::npos;
}

}  // namespace kairos::alpaca
