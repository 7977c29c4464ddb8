#include "adapters/kite/kite_broker.h"

#include <openssl/evp.h>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <utility>

#include "adapters/http_client/url.h"
#include "core/date.h"
#include "core/fixed_point.h"

namespace kairos::kite {
namespace {

using nlohmann::json;

constexpr int64_t kTickRaw = Price::kScale / 20;  // 0.05, NSE/BSE equities
constexpr int64_t kIstOffsetNs = (5 * 3600 + 1800) * 1'000'000'000LL;

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += k + "=" + http::UrlEscape(v);
  }
  return out;
}

std::string Str(const json& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A JSON number as an exact decimal: Kite sends prices as numbers ("420.65").
Result<Price> PriceOf(const json& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number()) {
    return Status::InvalidArgument(fmt::format("kite: malformed or missing \"{}\"", key));
  }
  if (it->is_number_integer()) return Price::FromRaw(it->get<int64_t>() * Price::kScale);
  return Price::FromDouble(it->get<double>(), Rounding::kHalfEven);
}

Result<Quantity> QtyOf(const json& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer()) {
    return Status::InvalidArgument(fmt::format("kite: malformed or missing \"{}\"", key));
  }
  return Quantity::FromUnits(it->get<int64_t>());
}

OrderStatus StatusOf(std::string_view s, int64_t filled) {
  if (s == "COMPLETE") return OrderStatus::kFilled;
  if (s == "CANCELLED") return OrderStatus::kCancelled;
  if (s == "REJECTED") return OrderStatus::kRejected;
  // OPEN, TRIGGER PENDING, AMO REQ RECEIVED, the transient OMS states and any new one: alive.
  return filled > 0 ? OrderStatus::kPartiallyFilled : OrderStatus::kAccepted;
}

// "YYYY-MM-DD HH:MM:SS" in IST, no zone marker, as ns since the epoch.
Result<int64_t> IstTimeNs(std::string_view text) {
  if (text.size() != 19) return Status::InvalidArgument("kite: malformed timestamp");
  std::string iso = std::string(text.substr(0, 10)) + "T" + std::string(text.substr(11)) + "Z";
  KAIROS_ASSIGN_OR_RETURN(Timestamp t, Timestamp::Parse(iso));
  return t.nanos() - kIstOffsetNs;
}

}  // namespace

std::string KiteTag(std::string_view client_order_id) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : client_order_id) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("k{:016x}", h);
}

std::string SessionChecksum(std::string_view api_key, std::string_view request_token,
                            std::string_view api_secret) {
  std::string input = std::string(api_key) + std::string(request_token) + std::string(api_secret);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

namespace {
void SleepFor(std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }
}  // namespace

KiteBroker::KiteBroker(KiteConfig config, std::unique_ptr<http::HttpTransport> transport)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      order_pacer_(config_.orders_per_second, std::chrono::seconds(1), SleepFor),
      read_pacer_(config_.requests_per_second, std::chrono::seconds(1), SleepFor) {}

Result<http::JsonAnswer> KiteBroker::Call(std::string_view method, const std::string& path,
                                          const std::string& form, bool authorized) {
  http::HttpRequest request;
  request.method = std::string(method);
  request.url = config_.base_url + path;
  request.headers = {"X-Kite-Version: 3"};
  if (authorized) {
    std::lock_guard lock(mu_);
    request.headers.push_back("Authorization: token " + config_.api_key + ":" +
                              config_.access_token);
  }
  request.body = form;
  request.content_type = "application/x-www-form-urlencoded";
  request.timeout_ms = config_.request_timeout_ms;
  (method == "POST" && path.starts_with("/orders/") ? order_pacer_ : read_pacer_).Acquire();
  return http::ReadJsonAnswer(transport_->Send(request));
}

Result<json> KiteBroker::Data(std::string_view what, const http::JsonAnswer& answer) {
  const json& b = answer.body;
  if (answer.status == 200 && b.is_object() && Str(b, "status") == "success" &&
      b.contains("data")) {
    return b["data"];
  }
  std::string type = b.is_object() ? Str(b, "error_type") : "";
  std::string message = b.is_object() ? Str(b, "message") : "";
  if (message.empty()) message = fmt::format("HTTP {}", answer.status);
  if (answer.status == 403 || type == "TokenException") {
    return Status::Unavailable(
        fmt::format("kite {}: session expired or invalid ({}); log in again: kairos broker login",
                    what, message));
  }
  if (answer.status == 429) {
    return Status::Unavailable(fmt::format("kite {}: rate limited (HTTP 429)", what));
  }
  if (answer.status == 200)
    return Status::Unavailable(fmt::format("kite {}: malformed answer", what));
  std::string text = fmt::format("kite refused {}: {} ({})", what, message, type);
  if (type == "MarginException" || type == "HoldingException" || type == "UserException") {
    return Status::FailedPrecondition(text);
  }
  return Status::InvalidArgument(text);
}

Result<json> KiteBroker::OrderBook() {
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer a, Call("GET", "/orders"));
  KAIROS_ASSIGN_OR_RETURN(json orders, Data("order book", a));
  if (!orders.is_array()) return Status::Unavailable("kite order book: not an array");
  return orders;
}

Result<std::optional<BrokerOrder>> KiteBroker::FindByTag(std::string_view client_order_id) {
  const std::string tag = KiteTag(client_order_id);
  KAIROS_ASSIGN_OR_RETURN(json orders, OrderBook());
  const json* found = nullptr;
  for (const json& o : orders) {
    if (o.is_object() && Str(o, "tag") == tag) found = &o;
  }
  if (found == nullptr) return std::optional<BrokerOrder>();
  BrokerOrder order;
  order.client_order_id = std::string(client_order_id);
  order.broker_order_id = Str(*found, "order_id");
  auto filled = QtyOf(*found, "filled_quantity");
  if (!filled.ok() || order.broker_order_id.empty()) {
    return Status::Unavailable("kite order book: malformed order");
  }
  order.filled_qty = *filled;
  order.status = StatusOf(Str(*found, "status"), filled->units());
  if (filled->units() > 0) {
    if (auto avg = PriceOf(*found, "average_price"); avg.ok()) order.average_price = *avg;
  }
  order.message = Str(*found, "status_message");
  std::lock_guard lock(mu_);
  client_id_by_tag_[tag] = order.client_order_id;
  return std::optional<BrokerOrder>(std::move(order));
}

Result<BrokerOrder> KiteBroker::Submit(const OrderRequest& request) {
  if (request.qty.units() <= 0 || request.symbol.empty() || request.client_order_id.empty()) {
    return Status::InvalidArgument("kite order: needs a client id, a symbol and a quantity > 0");
  }
  if (request.type != OrderType::kMarket && request.type != OrderType::kLimit) {
    return Status::InvalidArgument(fmt::format(
        "kite order {}: kairos places market and limit orders", request.client_order_id));
  }
  if (request.tif == TimeInForce::kGtc) {
    return Status::InvalidArgument(
        fmt::format("kite order {}: Kite has no good-till-cancelled", request.client_order_id));
  }
  // Kite keeps no client ids: the day's book is the only way to know it was sent before.
  KAIROS_ASSIGN_OR_RETURN(std::optional<BrokerOrder> existing, FindByTag(request.client_order_id));
  if (existing) return *existing;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"tradingsymbol", request.symbol},
      {"exchange", config_.exchange},
      {"transaction_type", request.side == Side::kBuy ? "BUY" : "SELL"},
      {"order_type", request.type == OrderType::kMarket ? "MARKET" : "LIMIT"},
      {"quantity", request.qty.ToString()},
      {"product", config_.product},
      {"validity", "DAY"},
      {"tag", KiteTag(request.client_order_id)}};
  if (request.type == OrderType::kMarket) {
    fields.emplace_back("market_protection", "-1");
  } else {
    if (!request.limit_price) {
      return Status::InvalidArgument(
          fmt::format("kite order {}: a limit order needs a price", request.client_order_id));
    }
    Rounding mode = request.side == Side::kBuy ? Rounding::kFloor : Rounding::kCeiling;
    fields.emplace_back("price", request.limit_price->RoundToTick(kTickRaw, mode).ToString());
  }
  // The next open: an after-market order; the close: a regular order sent before it.
  std::string variety = request.tif == TimeInForce::kOpg ? "amo" : "regular";
  Result<http::JsonAnswer> answer = Call("POST", "/orders/" + variety, Form(fields));
  Result<json> data = answer.ok() ? Data("order " + request.client_order_id, *answer)
                                  : Result<json>(answer.status());
  if (data.ok() && data->is_object() && !Str(*data, "order_id").empty()) {
    {
      std::lock_guard lock(mu_);
      client_id_by_tag_[KiteTag(request.client_order_id)] = request.client_order_id;
    }
    return BrokerOrder{request.client_order_id,
                       Str(*data, "order_id"),
                       OrderStatus::kAccepted,
                       Quantity(),
                       std::nullopt,
                       ""};
  }
  if (!data.ok() && data.status().code() != StatusCode::kUnavailable) return data.status();
  // No answer (or one that does not say): look for the tag; never post again from here.
  Result<std::optional<BrokerOrder>> found = FindByTag(request.client_order_id);
  if (found.ok() && *found) return **found;
  return Status::Unavailable(fmt::format(
      "kite order {}: no answer and not in the order book yet: {}", request.client_order_id,
      data.ok() ? "malformed answer" : data.status().message()));
}

Result<std::optional<BrokerOrder>> KiteBroker::OrderByClientId(std::string_view client_order_id) {
  return FindByTag(client_order_id);
}

Status KiteBroker::Cancel(std::string_view client_order_id) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<BrokerOrder> order, FindByTag(client_order_id));
  if (!order) return Status::NotFound(fmt::format("kite has no order {}", client_order_id));
  if (IsTerminal(order->status)) {
    return Status::FailedPrecondition(fmt::format("kite order {} is already {}", client_order_id,
                                                  OrderStatusName(order->status)));
  }
  KAIROS_ASSIGN_OR_RETURN(json book, OrderBook());
  std::string variety = "regular";
  for (const json& o : book) {
    if (o.is_object() && Str(o, "order_id") == order->broker_order_id) variety = Str(o, "variety");
  }
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer a,
                          Call("DELETE", "/orders/" + variety + "/" + order->broker_order_id));
  Result<json> data = Data(fmt::format("cancel of {}", client_order_id), a);
  if (!data.ok() && data.status().code() == StatusCode::kInvalidArgument) {
    return Status::FailedPrecondition(data.status().message());
  }
  return data.status();
}

Result<std::vector<BrokerOrder>> KiteBroker::OpenOrders() {
  KAIROS_ASSIGN_OR_RETURN(json book, OrderBook());
  std::vector<BrokerOrder> out;
  std::lock_guard lock(mu_);
  for (const json& o : book) {
    if (!o.is_object()) continue;
    auto filled = QtyOf(o, "filled_quantity");
    OrderStatus s = StatusOf(Str(o, "status"), filled.ok() ? filled->units() : 0);
    if (IsTerminal(s)) continue;
    auto known = client_id_by_tag_.find(Str(o, "tag"));
    BrokerOrder order;
    order.client_order_id = known != client_id_by_tag_.end() ? known->second : Str(o, "tag");
    order.broker_order_id = Str(o, "order_id");
    order.status = s;
    order.filled_qty = filled.value_or(Quantity());
    out.push_back(std::move(order));
  }
  return out;
}

Result<std::vector<BrokerPosition>> KiteBroker::Positions() {
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer a, Call("GET", "/portfolio/positions"));
  KAIROS_ASSIGN_OR_RETURN(json data, Data("positions", a));
  if (!data.is_object() || !data.contains("net") || !data["net"].is_array()) {
    return Status::Unavailable("kite positions: no \"net\" list");  // never read as flat
  }
  std::vector<BrokerPosition> out;
  for (const json& p : data["net"]) {
    if (!p.is_object()) return Status::Unavailable("kite positions: malformed row");
    auto qty = QtyOf(p, "quantity");
    auto avg = PriceOf(p, "average_price");
    if (!qty.ok() || !avg.ok() || Str(p, "tradingsymbol").empty()) {
      return Status::Unavailable("kite positions: malformed row");
    }
    if (qty->units() == 0) continue;
    out.push_back({Str(p, "tradingsymbol"), *qty, *avg});
  }
  return out;
}

Result<std::vector<Fill>> KiteBroker::FillsSince(int64_t since_ns) {
  KAIROS_ASSIGN_OR_RETURN(json book, OrderBook());
  std::map<std::string, std::string, std::less<>> client_by_order;
  {
    std::lock_guard lock(mu_);
    for (const json& o : book) {
      if (!o.is_object()) continue;
      auto known = client_id_by_tag_.find(Str(o, "tag"));
      if (known != client_id_by_tag_.end()) client_by_order[Str(o, "order_id")] = known->second;
    }
  }
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer a, Call("GET", "/trades"));
  KAIROS_ASSIGN_OR_RETURN(json trades, Data("trades", a));
  if (!trades.is_array()) return Status::Unavailable("kite trades: not an array");
  std::vector<Fill> out;
  std::set<std::string, std::less<>> seen;
  for (const json& t : trades) {
    if (!t.is_object()) return Status::Unavailable("kite trades: malformed trade");
    Fill f;
    f.execution_id = Str(t, "trade_id");
    auto qty = QtyOf(t, "quantity");
    auto price = PriceOf(t, "average_price");
    auto time = IstTimeNs(Str(t, "fill_timestamp"));
    if (f.execution_id.empty() || !qty.ok() || !price.ok() || !time.ok()) {
      return Status::Unavailable("kite trades: malformed trade");
    }
    if (*time < since_ns || !seen.insert(f.execution_id).second) continue;
    auto client = client_by_order.find(Str(t, "order_id"));
    f.client_order_id = client != client_by_order.end() ? client->second : Str(t, "order_id");
    f.symbol = Str(t, "tradingsymbol");
    f.side = Str(t, "transaction_type") == "SELL" ? Side::kSell : Side::kBuy;
    f.qty = *qty;
    f.price = *price;
    f.time_ns = *time;
    f.session = Timestamp::FromNanos(*time + kIstOffsetNs).UtcDate();
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const Fill& x, const Fill& y) { return x.time_ns < y.time_ns; });
  return out;
}

Result<Account> KiteBroker::GetAccount() {
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer a, Call("GET", "/user/margins"));
  KAIROS_ASSIGN_OR_RETURN(json data, Data("margins", a));
  if (!data.is_object() || !data.contains("equity") || !data["equity"].is_object()) {
    return Status::Unavailable("kite margins: no equity segment");
  }
  const json& eq = data["equity"];
  auto net = PriceOf(eq, "net");
  if (!net.ok() || !eq.contains("available") || !eq["available"].is_object()) {
    return Status::Unavailable("kite margins: malformed equity segment");
  }
  auto cash = PriceOf(eq["available"], "cash");
  if (!cash.ok()) return Status::Unavailable("kite margins: malformed cash");
  auto minor = [](Price p) {
    return static_cast<int64_t>(DivideRounded(p.raw(), Price::kScale / 100, Rounding::kHalfEven));
  };
  return Account{"INR", minor(*cash), minor(*net)};
}

Result<std::string> KiteBroker::Login(std::string_view request_token, std::string_view api_secret) {
  std::string form =
      Form({{"api_key", config_.api_key},
            {"request_token", std::string(request_token)},
            {"checksum", SessionChecksum(config_.api_key, request_token, api_secret)}});
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer a, Call("POST", "/session/token", form, false));
  KAIROS_ASSIGN_OR_RETURN(json data, Data("login", a));
  std::string token = data.is_object() ? Str(data, "access_token") : "";
  if (token.empty()) return Status::Unavailable("kite login: no access_token in the answer");
  std::lock_guard lock(mu_);
  config_.access_token = token;
  return token;
}

}  // namespace kairos::kite
