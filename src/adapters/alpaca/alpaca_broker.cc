#include "adapters/alpaca/alpaca_broker.h"

#include <fmt/core.h>

#include <cstdlib>
#include <set>
#include <thread>
#include <utility>

#include "adapters/http_client/url.h"
#include "core/date.h"

namespace kairos::alpaca {
namespace {

using nlohmann::json;

constexpr int64_t kNsPerSecond = 1'000'000'000;
// Exchange dates from UTC times: US regular hours (13:30-21:00 UTC) fall on the same date
// with either Eastern offset; five hours back keeps evening fills on their session too.
constexpr int64_t kEasternOffsetNs = 5 * 3'600 * kNsPerSecond;

http::RequestPacer::Sleep OrDefault(http::RequestPacer::Sleep sleep) {
  if (sleep) return sleep;
  return [](std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); };
}

// How long a 429 asks to wait: Retry-After (seconds), else X-Ratelimit-Reset (epoch seconds),
// else one second.
std::chrono::nanoseconds RateLimitWait(const http::HttpResponse& r) {
  auto number = [](std::string_view text) -> std::optional<int64_t> {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    std::string s(text);
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (end == s.c_str() || *end != '\0' || v < 0) return std::nullopt;
    return v;
  };
  if (auto s = number(r.Header("retry-after"))) return std::chrono::seconds(*s);
  if (auto reset = number(r.Header("x-ratelimit-reset"))) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    return std::chrono::seconds(std::max<int64_t>(*reset - now, 1));
  }
  return std::chrono::seconds(1);
}

Status Refusal(const http::JsonAnswer& a, std::string_view what) {
  std::string reason = ErrorMessage(a.status, a.body);
  std::string message = fmt::format("alpaca refused {}: {} (HTTP {})", what, reason, a.status);
  if (a.status == 401) {
    return Status::FailedPrecondition(
        fmt::format("alpaca refused {}: unauthorized; check the key id and secret (paper keys "
                    "work only on the paper host)",
                    what));
  }
  if (a.status == 403) return Status::FailedPrecondition(message);
  return Status::InvalidArgument(message);
}

// Anything an answer can be that is not what the call expects: unexpected, so no answer.
Status Unexpected(const http::JsonAnswer& a, std::string_view what) {
  return Status::Unavailable(fmt::format("alpaca {}: unexpected HTTP {}: {}", what, a.status,
                                         ErrorMessage(a.status, a.body)));
}

}  // namespace

AlpacaBroker::AlpacaBroker(AlpacaConfig config, std::unique_ptr<http::HttpTransport> transport,
                           Sleep sleep)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      sleep_(OrDefault(std::move(sleep))),
      pacer_(config_.requests_per_minute, std::chrono::minutes(1), sleep_) {}

Result<http::JsonAnswer> AlpacaBroker::Call(std::string_view method,
                                            const std::string& path_and_query,
                                            const std::string& body) {
  http::HttpRequest request;
  request.method = std::string(method);
  request.url = config_.base_url + path_and_query;
  request.headers = {"APCA-API-KEY-ID: " + config_.credentials.key_id,
                     "APCA-API-SECRET-KEY: " + config_.credentials.secret_key,
                     "Accept: application/json"};
  request.body = body;
  request.timeout_ms = config_.request_timeout_ms;
  for (int waits = 0;; ++waits) {
    pacer_.Acquire();
    http::HttpResponse response = transport_->Send(request);
    KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer, http::ReadJsonAnswer(response));
    if (answer.status != 429) return answer;
    // Refused unprocessed: the same request again is safe, a POST included.
    std::chrono::nanoseconds wait = RateLimitWait(response);
    if (waits >= config_.max_rate_limited_waits ||
        wait > std::chrono::milliseconds(config_.max_rate_limit_wait_ms)) {
      return Status::Unavailable(
          fmt::format("alpaca {} {}: rate limited (HTTP 429), retry after {} s", method,
                      path_and_query.substr(0, path_and_query.find('?')),
                      std::chrono::duration_cast<std::chrono::seconds>(wait).count()));
    }
    pacer_.Pause(wait);
  }
}

Result<BrokerOrder> AlpacaBroker::Adopt(const json& order) {
  KAIROS_ASSIGN_OR_RETURN(BrokerOrder parsed, ParseOrder(order));
  std::lock_guard lock(mu_);
  client_id_by_order_id_[parsed.broker_order_id] = parsed.client_order_id;
  return parsed;
}

Result<BrokerOrder> AlpacaBroker::Submit(const OrderRequest& request) {
  KAIROS_ASSIGN_OR_RETURN(std::string body, OrderBody(request));
  Result<BrokerOrder> placed = PlaceOnce(request, body);
  for (int resends = 0; !placed.ok() && placed.status().code() == StatusCode::kUnavailable;
       ++resends) {
    // No answer: the order may or may not be there. Ask by its id before anything else.
    Result<std::optional<BrokerOrder>> found = OrderByClientId(request.client_order_id);
    if (!found.ok()) return placed.status();  // still unknown: the caller resolves it later
    if (*found) return **found;
    if (resends >= config_.resend_attempts) return placed.status();
    // Not received (or not yet visible): the same body under the same id. A late copy of the
    // first one makes this a 422 duplicate, which reads the order back.
    placed = PlaceOnce(request, body);
  }
  return placed;
}

Result<BrokerOrder> AlpacaBroker::PlaceOnce(const OrderRequest& request, const std::string& sent) {
  Result<http::JsonAnswer> answer = Call("POST", "/v2/orders", sent);
  if (!answer.ok()) {
    return Status::Unavailable(
        fmt::format("alpaca order {}: {}", request.client_order_id, answer.status().message()));
  }
  if (answer->status == 200 || answer->status == 201) {
    Result<BrokerOrder> order = Adopt(answer->body);
    if (!order.ok()) {
      // A 200 that does not hold together: the order may exist. Unknown, never refused.
      return Status::Unavailable(
          fmt::format("alpaca order {}: {}", request.client_order_id, order.status().message()));
    }
    return order;
  }
  if (IsDuplicateClientId(answer->status, answer->body)) {
    Result<std::optional<BrokerOrder>> existing = OrderByClientId(request.client_order_id);
    if (!existing.ok()) return existing.status();
    if (*existing) return **existing;
    return Status::Unavailable(
        fmt::format("alpaca order {}: the id is taken but the order is not visible yet",
                    request.client_order_id));
  }
  return Refusal(*answer, "order " + request.client_order_id);
}

Result<std::optional<BrokerOrder>> AlpacaBroker::OrderByClientId(std::string_view client_order_id) {
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer,
                          Call("GET", "/v2/orders:by_client_order_id?client_order_id=" +
                                          http::UrlEscape(client_order_id)));
  if (answer.status == 404) return std::optional<BrokerOrder>();
  if (answer.status != 200) return Unexpected(answer, "order lookup");
  KAIROS_ASSIGN_OR_RETURN(BrokerOrder order, Adopt(answer.body));
  if (order.client_order_id != client_order_id) {
    return Status::Unavailable(fmt::format("alpaca order lookup for {} answered order {}",
                                           client_order_id, order.client_order_id));
  }
  return std::optional<BrokerOrder>(std::move(order));
}

Status AlpacaBroker::Cancel(std::string_view client_order_id) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<BrokerOrder> order, OrderByClientId(client_order_id));
  if (!order) return Status::NotFound(fmt::format("alpaca has no order {}", client_order_id));
  if (IsTerminal(order->status)) {
    return Status::FailedPrecondition(fmt::format("alpaca order {} is already {}", client_order_id,
                                                  OrderStatusName(order->status)));
  }
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer,
                          Call("DELETE", "/v2/orders/" + http::UrlEscape(order->broker_order_id)));
  if (answer.status == 204 || answer.status == 200) return Status::Ok();
  if (answer.status == 404) {
    return Status::NotFound(fmt::format("alpaca has no order {}", client_order_id));
  }
  if (answer.status == 422) {
    return Status::FailedPrecondition(fmt::format("alpaca cannot cancel order {}: {}",
                                                  client_order_id,
                                                  ErrorMessage(answer.status, answer.body)));
  }
  return Unexpected(answer, "cancel");
}

Result<std::vector<BrokerOrder>> AlpacaBroker::OpenOrders() {
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer,
                          Call("GET", "/v2/orders?status=open&limit=500&direction=asc"));
  if (answer.status != 200) return Unexpected(answer, "open orders");
  if (answer.body.is_array()) {
    for (const json& o : answer.body) (void)Adopt(o);
  }
  Result<std::vector<BrokerOrder>> orders = ParseOrders(answer.body);
  if (!orders.ok()) return Status::Unavailable(orders.status().message());
  return orders;
}

Result<std::vector<BrokerPosition>> AlpacaBroker::Positions() {
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer, Call("GET", "/v2/positions"));
  if (answer.status != 200) return Unexpected(answer, "positions");
  // A list that does not parse is no answer, never "flat".
  Result<std::vector<BrokerPosition>> positions = ParsePositions(answer.body);
  if (!positions.ok()) return Status::Unavailable(positions.status().message());
  return positions;
}

Result<std::string> AlpacaBroker::ClientIdOf(const std::string& order_id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = client_id_by_order_id_.find(order_id); it != client_id_by_order_id_.end()) {
      return it->second;
    }
  }
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer,
                          Call("GET", "/v2/orders/" + http::UrlEscape(order_id)));
  if (answer.status != 200) return Unexpected(answer, "order of a fill");
  Result<BrokerOrder> order = Adopt(answer.body);
  if (!order.ok()) return Status::Unavailable(order.status().message());
  return order->client_order_id;
}

Result<std::vector<Fill>> AlpacaBroker::FillsSince(int64_t since_ns) {
  std::vector<Fill> fills;
  std::set<std::string, std::less<>> seen;
  std::string page_token;
  // `after` is exclusive; since_ns is inclusive.
  const std::string base = "/v2/account/activities/FILL?direction=asc&page_size=100&after=" +
                           http::UrlEscape(FormatTimeNs(since_ns - 1));
  while (true) {
    std::string path = base;
    if (!page_token.empty()) path += "&page_token=" + http::UrlEscape(page_token);
    KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer, Call("GET", path));
    if (answer.status != 200) return Unexpected(answer, "fill activities");
    Result<std::vector<FillActivity>> page = ParseFillActivities(answer.body);
    if (!page.ok()) return Status::Unavailable(page.status().message());
    for (FillActivity& a : *page) {
      if (a.time_ns < since_ns || !seen.insert(a.id).second) continue;
      KAIROS_ASSIGN_OR_RETURN(std::string client_id, ClientIdOf(a.order_id));
      Fill fill;
      fill.execution_id = a.id;
      fill.client_order_id = std::move(client_id);
      fill.symbol = std::move(a.symbol);
      fill.side = a.side;
      fill.qty = a.qty;
      fill.price = a.price;
      fill.fees = 0;  // commission-free; regulatory fees are not reported per execution
      fill.session = Timestamp::FromNanos(a.time_ns - kEasternOffsetNs).UtcDate();
      fill.time_ns = a.time_ns;
      fills.push_back(std::move(fill));
    }
    if (answer.body.size() < 100) break;
    page_token = answer.body.back().value("id", "");
    if (page_token.empty()) break;
  }
  return fills;
}

Result<AlpacaAccount> AlpacaBroker::AccountDetails() {
  KAIROS_ASSIGN_OR_RETURN(http::JsonAnswer answer, Call("GET", "/v2/account"));
  if (answer.status == 401) return Refusal(answer, "the account request");
  if (answer.status != 200) return Unexpected(answer, "account");
  Result<AlpacaAccount> account = ParseAccount(answer.body);
  if (!account.ok()) return Status::Unavailable(account.status().message());
  return account;
}

Result<Account> AlpacaBroker::GetAccount() {
  KAIROS_ASSIGN_OR_RETURN(AlpacaAccount details, AccountDetails());
  return Account{details.currency, details.cash, details.equity};
}

}  // namespace kairos::alpaca
