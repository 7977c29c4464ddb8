#include "adapters/sim_broker/paper_broker.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "adapters/sim_broker/participation.h"
#include "adapters/sim_broker/slippage.h"
#include "core/check.h"
#include "domain/fees.h"

namespace kairos::sim_broker {
namespace {

using nlohmann::json;

constexpr std::string_view kStateFormat = "kairos.paper_broker";
constexpr int kStateVersion = 1;
// How far back Submit looks for a bar to decide that a symbol exists.
constexpr int kKnownSymbolLookback = 5;

Currency CurrencyOrDie(const std::string& code) {
  auto c = Currency::FromCode(code);
  KAIROS_CHECK(c.ok()) << "paper broker: " << c.status().message();
  return *c;
}

// Whether an order with time in force `tif` ends at `auction` (what is left of it expires):
// opg orders at the open, every order but gtc at the close.
bool EndsAt(TimeInForce tif, Auction auction) {
  return auction == Auction::kOpen ? tif == TimeInForce::kOpg : tif != TimeInForce::kGtc;
}

template <typename Enum, size_t N>
Result<Enum> EnumFromName(std::string_view name, std::string_view (*namer)(Enum),
                          std::string_view what) {
  for (size_t i = 0; i < N; ++i) {
    Enum e = static_cast<Enum>(i);
    if (namer(e) == name) return e;
  }
  return Status::InvalidArgument(fmt::format("paper broker state: unknown {} '{}'", what, name));
}

std::string_view SideNameFn(Side s) { return SideName(s); }
std::string_view OrderStatusNameFn(OrderStatus s) { return OrderStatusName(s); }
std::string_view OrderTypeNameFn(OrderType t) { return OrderTypeName(t); }
std::string_view TifNameFn(TimeInForce t) { return TimeInForceName(t); }
std::string_view FeeKindNameFn(FeeSpec::Kind k) { return FeeKindName(k); }

json OptionalPrice(const std::optional<Price>& p) { return p ? json(p->raw()) : json(nullptr); }
std::optional<Price> OptionalPriceFrom(const json& j) {
  if (j.is_null()) return std::nullopt;
  return Price::FromRaw(j.get<int64_t>());
}

// The refusal of a state that cannot be restored.
Status BadState(std::string_view why) {
  return Status::InvalidArgument(fmt::format("paper broker state: {}", why));
}

Result<Date> DateFromJson(const json& v) {
  auto d = Date::Parse(v.get<std::string>());
  if (!d.ok()) return BadState(d.status().message());
  return *d;
}

// The fields below read a stored order's JSON in the order StateJsonLocked writes them (json
// exceptions are the caller's to catch).
Result<OrderRequest> OrderRequestFromJson(const json& jo) {
  OrderRequest r;
  r.client_order_id = jo.at("client_order_id").get<std::string>();
  r.symbol = jo.at("symbol").get<std::string>();
  KAIROS_ASSIGN_OR_RETURN(
      r.side, (EnumFromName<Side, 2>(jo.at("side").get<std::string>(), SideNameFn, "side")));
  r.qty = Quantity::FromUnits(jo.at("qty").get<int64_t>());
  KAIROS_ASSIGN_OR_RETURN(r.type, (EnumFromName<OrderType, 4>(jo.at("type").get<std::string>(),
                                                              OrderTypeNameFn, "order type")));
  KAIROS_ASSIGN_OR_RETURN(r.tif, (EnumFromName<TimeInForce, 4>(jo.at("tif").get<std::string>(),
                                                               TifNameFn, "time in force")));
  r.limit_price = OptionalPriceFrom(jo.at("limit_price"));
  r.stop_price = OptionalPriceFrom(jo.at("stop_price"));
  KAIROS_ASSIGN_OR_RETURN(r.session, DateFromJson(jo.at("session")));
  return r;
}

Result<BrokerOrder> BrokerOrderFromJson(const json& jo, const std::string& client_order_id) {
  BrokerOrder view;
  view.client_order_id = client_order_id;
  view.broker_order_id = jo.at("broker_order_id").get<std::string>();
  KAIROS_ASSIGN_OR_RETURN(view.status,
                          (EnumFromName<OrderStatus, 9>(jo.at("status").get<std::string>(),
                                                        OrderStatusNameFn, "order status")));
  view.filled_qty = Quantity::FromUnits(jo.at("filled_qty").get<int64_t>());
  view.average_price = OptionalPriceFrom(jo.at("average_price"));
  view.message = jo.at("message").get<std::string>();
  return view;
}

Result<PaperBroker::CostModel> CostFromJson(const json& jo) {
  PaperBroker::CostModel cost;
  const json& jf = jo.at("fees");
  KAIROS_ASSIGN_OR_RETURN(cost.fees.kind,
                          (EnumFromName<FeeSpec::Kind, 5>(jf.at("kind").get<std::string>(),
                                                          FeeKindNameFn, "fee kind")));
  cost.fees.per_order = jf.at("per_order").get<int64_t>();
  cost.fees.percent = jf.at("percent").get<double>();
  cost.slippage_bps = jo.at("slippage_bps").get<double>();
  return cost;
}

Result<Fill> FillFromJson(const json& jf) {
  Fill f;
  f.execution_id = jf.at("execution_id").get<std::string>();
  f.client_order_id = jf.at("client_order_id").get<std::string>();
  f.symbol = jf.at("symbol").get<std::string>();
  KAIROS_ASSIGN_OR_RETURN(
      f.side, (EnumFromName<Side, 2>(jf.at("side").get<std::string>(), SideNameFn, "side")));
  f.qty = Quantity::FromUnits(jf.at("qty").get<int64_t>());
  f.price = Price::FromRaw(jf.at("price").get<int64_t>());
  f.fees = jf.at("fees").get<int64_t>();
  KAIROS_ASSIGN_OR_RETURN(f.session, DateFromJson(jf.at("session")));
  f.time_ns = jf.at("time_ns").get<int64_t>();
  return f;
}

}  // namespace

PaperBroker::PaperBroker(const ports::Clock& clock, ports::BarSource& bars,
                         const calendar::ExchangeCalendar& calendar, Options options)
    : PaperBroker(clock, bars, calendar, options, CurrencyOrDie(options.currency)) {}

PaperBroker::PaperBroker(const ports::Clock& clock, ports::BarSource& bars,
                         const calendar::ExchangeCalendar& calendar, Options options,
                         Currency currency)
    : clock_(clock),
      bars_(bars),
      calendar_(calendar),
      options_(std::move(options)),
      currency_(currency),
      starting_cash_(options_.starting_cash),
      cash_(options_.starting_cash),
      caught_up_ns_(clock.NowNs()) {}

Result<std::unique_ptr<PaperBroker>> PaperBroker::Restore(
    std::string_view state_json, const ports::Clock& clock, ports::BarSource& bars,
    const calendar::ExchangeCalendar& calendar, Options options) {
  std::string code;
  try {
    json j = json::parse(state_json);
    code = j.at("currency").get<std::string>();
  } catch (const json::exception& e) {
    return Status::InvalidArgument(fmt::format("paper broker state: {}", e.what()));
  }
  auto currency = Currency::FromCode(code);
  if (!currency.ok()) {
    return Status::InvalidArgument(
        fmt::format("paper broker state: {}", currency.status().message()));
  }
  options.currency = code;
  std::unique_ptr<PaperBroker> broker(
      new PaperBroker(clock, bars, calendar, std::move(options), *currency));
  KAIROS_RETURN_IF_ERROR(broker->RestoreFromJson(state_json));
  return broker;
}

void PaperBroker::InjectFault(Fault fault) {
  std::lock_guard lock(mu_);
  faults_.push_back(fault);
}

std::string PaperBroker::StateJson() const {
  std::lock_guard lock(mu_);
  return StateJsonLocked();
}

Status PaperBroker::PersistLocked() {
  if (!options_.persist) return Status::Ok();
  return options_.persist(StateJsonLocked());
}

size_t PaperBroker::FirstOpenLocked() {
  while (first_open_ < orders_.size() && IsTerminal(orders_[first_open_].view.status)) {
    ++first_open_;
  }
  return first_open_;
}

Status PaperBroker::CatchUpLocked() {
  const int64_t now = clock_.NowNs();
  if (now <= caught_up_ns_) return Status::Ok();
  std::optional<Date> first;
  for (size_t i = FirstOpenLocked(); i < orders_.size(); ++i) {
    const OrderState& o = orders_[i];
    if (IsTerminal(o.view.status)) continue;
    if (!first || o.request.session < *first) first = o.request.session;
  }
  if (!first) {
    // Nothing can happen at an open or close without an open order; skipping them is exact.
    caught_up_ns_ = now;
    return Status::Ok();
  }
  // Sessions are local days; their instants can fall on the UTC day before or after.
  Date from = Timestamp::FromNanos(caught_up_ns_).UtcDate().AddDays(-1);
  if (from < *first) from = *first;
  Date to = Timestamp::FromNanos(now).UtcDate().AddDays(1);
  bool processed = false;
  for (Date d : calendar_.Sessions(from, to)) {
    auto session = calendar_.SessionOf(d);
    if (!session.ok()) continue;
    for (Auction auction : {Auction::kOpen, Auction::kClose}) {
      int64_t t = auction == Auction::kOpen ? session->open.nanos() : session->close.nanos();
      if (t <= caught_up_ns_ || t > now) continue;
      Status s = ProcessEventLocked(*session, auction);
      if (!s.ok()) {
        // Keep what was done before the failing event; the next call retries from there.
        if (processed) (void)PersistLocked();
        return s;
      }
      caught_up_ns_ = t;
      processed = true;
    }
  }
  caught_up_ns_ = now;
  return processed ? PersistLocked() : Status::Ok();
}

Status PaperBroker::ProcessEventLocked(const calendar::Session& session, Auction auction) {
  const Date d = session.date;
  std::vector<size_t> active = ActiveOrdersLocked(d);
  if (active.empty()) return Status::Ok();
  // Every bar is read before anything changes, so a failing read leaves the event unprocessed.
  std::map<std::string, std::optional<SessionBar>, std::less<>> bars;
  for (size_t i : active) bars.emplace(orders_[i].request.symbol, std::nullopt);
  for (auto& [symbol, bar] : bars) {
    KAIROS_ASSIGN_OR_RETURN(bar, ReadBarLocked(symbol, d));
  }
  for (size_t i : active) {
    OrderState& o = orders_[i];
    const std::optional<SessionBar>& bar = bars[o.request.symbol];
    if (!bar) {
      // Not traded that session: day/opg/cls orders end with it; gtc orders wait.
      if (EndsAt(o.request.tif, auction)) {
        ExpireLocked(o, fmt::format("no bar for {} on {}", o.request.symbol, d));
      }
      continue;
    }
    KAIROS_RETURN_IF_ERROR(TradeLocked(o, *bar, session, auction));
    if (!IsTerminal(o.view.status) && EndsAt(o.request.tif, auction)) {
      ExpireUnfilledRestLocked(o, d, auction);
    }
  }
  return Status::Ok();
}

std::vector<size_t> PaperBroker::ActiveOrdersLocked(Date d) {
  std::vector<size_t> active;
  for (size_t i = FirstOpenLocked(); i < orders_.size(); ++i) {
    const OrderState& o = orders_[i];
    if (IsTerminal(o.view.status)) continue;
    if (o.request.session == d || (o.request.tif == TimeInForce::kGtc && o.request.session < d)) {
      active.push_back(i);
    }
  }
  return active;
}

Result<std::optional<PaperBroker::SessionBar>> PaperBroker::ReadBarLocked(std::string_view symbol,
                                                                          Date d) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<Bar> bar, bars_.BarOn(symbol, d));
  if (!bar) return std::optional<SessionBar>();
  const int64_t tick = TickOf(currency_);
  auto price = [&](double v, std::string_view what) -> Result<Price> {
    auto p = Price::FromDouble(v);
    if (!p.ok() || p->raw() <= 0) {
      return Status::InvalidArgument(
          fmt::format("paper broker: bar of {} on {} has a bad {}: {}", symbol, d, what, v));
    }
    return p->RoundToTick(tick, Rounding::kHalfEven);
  };
  SessionBar b;
  KAIROS_ASSIGN_OR_RETURN(b.prices.open, price(bar->open, "open"));
  KAIROS_ASSIGN_OR_RETURN(b.prices.high, price(bar->high, "high"));
  KAIROS_ASSIGN_OR_RETURN(b.prices.low, price(bar->low, "low"));
  KAIROS_ASSIGN_OR_RETURN(b.prices.close, price(bar->close, "close"));
  b.volume_cap = VolumeCap(bar->volume, options_.max_participation);
  return std::optional<SessionBar>(b);
}

Status PaperBroker::TradeLocked(OrderState& o, const SessionBar& bar,
                                const calendar::Session& session, Auction auction) {
  const int64_t t = auction == Auction::kOpen ? session.open.nanos() : session.close.nanos();
  // Only orders that were waiting before the open take part in it; an order fills at most once
  // at a session's close, and not after a fill at its open.
  const bool takes_part =
      auction == Auction::kOpen ? o.submitted_ns < t : o.last_fill_session != session.date.days();
  if (!takes_part) return Status::Ok();
  std::optional<Price> px =
      FillPrice(o.request, bar.prices, auction, o.cost.slippage_bps, TickOf(currency_));
  if (!px) return Status::Ok();
  int64_t remaining = o.request.qty.units() - o.view.filled_qty.units();
  int64_t qty = std::min(remaining, bar.volume_cap);
  if (qty <= 0) return Status::Ok();
  return FillLocked(o, Quantity::FromUnits(qty), *px, session, t);
}

void PaperBroker::ExpireUnfilledRestLocked(OrderState& o, Date d, Auction auction) {
  const OrderRequest& r = o.request;
  std::string when = auction == Auction::kOpen ? "open" : "close";
  if (o.view.filled_qty.units() > 0) {
    ExpireLocked(
        o, fmt::format("{} order for {} expired at the {}: {} of {} filled", TimeInForceName(r.tif),
                       d, when, o.view.filled_qty.units(), r.qty.units()));
  } else {
    ExpireLocked(o, fmt::format("{} order for {} expired at the {} unfilled",
                                TimeInForceName(r.tif), d, when));
  }
}

Status PaperBroker::FillLocked(OrderState& o, Quantity qty, Price price, const calendar::Session& s,
                               int64_t time_ns) {
  const OrderRequest& r = o.request;
  auto fees = ComputeFees(o.cost.fees, r.side, qty, price, currency_, s.date);
  // Submit checked the cost model; what can still fail here is a value beyond the ledger's range.
  if (!fees.ok()) return fees.status().WithContext("paper broker: the fees of a fill");
  KAIROS_ASSIGN_OR_RETURN(Money notional,
                          CheckedNotional(price, qty, currency_, Rounding::kHalfEven));
  const bool buy = r.side == Side::kBuy;
  KAIROS_ASSIGN_OR_RETURN(int64_t with_fees,
                          CheckedAdd(notional.minor(), buy ? fees->total : -fees->total,
                                     "a fill's value with its fees"));
  KAIROS_ASSIGN_OR_RETURN(
      cash_, CheckedAdd(cash_, buy ? -with_fees : with_fees, "the paper account's cash"));

  ++o.fill_count;
  Fill f;
  f.execution_id = fmt::format("{}-{}", r.client_order_id, o.fill_count);
  f.client_order_id = r.client_order_id;
  f.symbol = r.symbol;
  f.side = r.side;
  f.qty = qty;
  f.price = price;
  f.fees = fees->total;
  f.session = s.date;
  f.time_ns = time_ns;
  fills_.push_back(f);

  // Average price of the order over all its fills, exact then rounded once.
  o.fill_value += static_cast<Int128>(price.raw()) * qty.units();
  o.fill_units += qty.units();
  const Int128 value = o.fill_value;
  const int64_t filled = o.fill_units;
  o.view.filled_qty = Quantity::FromUnits(filled);
  o.view.average_price =
      Price::FromRaw(static_cast<int64_t>(DivideRounded(value, filled, Rounding::kHalfEven)));
  o.view.status = filled == r.qty.units() ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
  o.last_fill_session = s.date.days();

  PositionState& p = positions_[r.symbol];
  const int64_t old_qty = p.qty.units();
  const int64_t delta = r.side == Side::kBuy ? qty.units() : -qty.units();
  const int64_t new_qty = old_qty + delta;
  if (old_qty == 0 || (old_qty > 0) == (delta > 0)) {
    Int128 total = static_cast<Int128>(p.average_price.raw()) * std::abs(old_qty) +
                   static_cast<Int128>(price.raw()) * std::abs(delta);
    p.average_price = Price::FromRaw(static_cast<int64_t>(
        DivideRounded(total, std::abs(old_qty) + std::abs(delta), Rounding::kHalfEven)));
  } else if ((old_qty > 0) != (new_qty > 0) && new_qty != 0) {
    p.average_price = price;  // the fill closed the position and opened the other side
  }
  p.qty = Quantity::FromUnits(new_qty);
  p.last_price = price;
  if (new_qty == 0) positions_.erase(r.symbol);
  return Status::Ok();
}

void PaperBroker::ExpireLocked(OrderState& o, std::string message) {
  o.view.status = OrderStatus::kExpired;
  o.view.message = std::move(message);
}

Result<std::optional<std::string>> PaperBroker::RejectReasonLocked(const OrderRequest& r,
                                                                   const CostModel& cost) {
  if (r.qty.units() <= 0) {
    return std::optional<std::string>(
        fmt::format("quantity must be positive, got {}", r.qty.units()));
  }
  const bool needs_limit = r.type == OrderType::kLimit || r.type == OrderType::kStopLimit;
  const bool needs_stop = r.type == OrderType::kStop || r.type == OrderType::kStopLimit;
  if (needs_limit && !r.limit_price) {
    return std::optional<std::string>(
        fmt::format("{} order without a limit price", OrderTypeName(r.type)));
  }
  if (needs_stop && !r.stop_price) {
    return std::optional<std::string>(
        fmt::format("{} order without a stop price", OrderTypeName(r.type)));
  }
  if (needs_limit && r.limit_price->raw() <= 0) {
    return std::optional<std::string>(
        fmt::format("limit price must be positive, got {}", r.limit_price->ToString()));
  }
  if (needs_stop && r.stop_price->raw() <= 0) {
    return std::optional<std::string>(
        fmt::format("stop price must be positive, got {}", r.stop_price->ToString()));
  }
  if (r.type == OrderType::kStop && r.tif == TimeInForce::kCls) {
    return std::optional<std::string>("a stop order cannot be market-on-close (tif cls)");
  }
  if (!calendar_.IsSession(r.session)) {
    return std::optional<std::string>(
        fmt::format("{} is not a {} session ({})", r.session, calendar_.name(),
                    calendar_.ClosedReason(r.session).value_or("closed")));
  }
  auto session = calendar_.SessionOf(r.session);
  if (!session.ok()) return std::optional<std::string>(session.status().message());
  const int64_t now = clock_.NowNs();
  if (now >= session->close.nanos()) {
    return std::optional<std::string>(
        fmt::format("order for {} arrives after that session's close", r.session));
  }
  if (r.tif == TimeInForce::kOpg && now >= session->open.nanos()) {
    return std::optional<std::string>(
        fmt::format("opg order for {} arrives after that session's open", r.session));
  }
  if (!std::isfinite(cost.slippage_bps) || cost.slippage_bps < 0 || cost.slippage_bps >= 10'000) {
    return std::optional<std::string>(
        fmt::format("slippage must be between 0 and 10000 bps, got {}", cost.slippage_bps));
  }
  auto fee_check = ComputeFees(cost.fees, r.side, Quantity::FromUnits(1), Price::FromRaw(1),
                               currency_, r.session);
  if (!fee_check.ok()) return std::optional<std::string>(fee_check.status().message());
  // A symbol is known when it has a bar on the session or one of the sessions before it.
  Date d = r.session;
  for (int i = 0; i <= kKnownSymbolLookback; ++i) {
    KAIROS_ASSIGN_OR_RETURN(std::optional<Bar> bar, bars_.BarOn(r.symbol, d));
    if (bar) return std::optional<std::string>();
    d = calendar_.PreviousSession(d);
  }
  return std::optional<std::string>(
      fmt::format("unknown symbol {}: no bar on {} or the {} sessions before", r.symbol, r.session,
                  kKnownSymbolLookback));
}

Result<BrokerOrder> PaperBroker::Submit(const OrderRequest& request) {
  std::lock_guard lock(mu_);
  KAIROS_RETURN_IF_ERROR(CatchUpLocked());
  bool drop_answer = false;
  if (!faults_.empty()) {
    Fault f = faults_.front();
    faults_.pop_front();
    if (f == Fault::kFailNextSubmit) {
      return Status::Unavailable("paper broker: connection refused (injected)");
    }
    drop_answer = true;
  }
  const Status dropped = Status::Unavailable("paper broker: connection reset (injected)");
  if (request.client_order_id.empty()) {
    return Status::InvalidArgument("paper broker: the order has no client order id");
  }
  if (request.symbol.empty()) {
    return Status::InvalidArgument(
        fmt::format("paper broker: order '{}' has no symbol", request.client_order_id));
  }
  if (auto it = by_client_id_.find(request.client_order_id); it != by_client_id_.end()) {
    // A known id is a query for that order, never a second order (ports/broker.h).
    if (drop_answer) return dropped;
    return orders_[it->second].view;
  }
  OrderState o;
  o.request = request;
  o.cost = options_.costs ? options_.costs(request) : CostModel{};
  o.seq = next_seq_++;
  o.submitted_ns = clock_.NowNs();
  o.view.client_order_id = request.client_order_id;
  o.view.broker_order_id = fmt::format("paper-{}", o.seq);
  o.view.status = OrderStatus::kAccepted;
  KAIROS_ASSIGN_OR_RETURN(std::optional<std::string> reject, RejectReasonLocked(request, o.cost));
  if (reject) {
    o.view.status = OrderStatus::kRejected;
    o.view.message = std::move(*reject);
  }
  by_client_id_[request.client_order_id] = orders_.size();
  orders_.push_back(std::move(o));
  KAIROS_RETURN_IF_ERROR(PersistLocked());
  if (drop_answer) return dropped;
  return orders_.back().view;
}

Status PaperBroker::Cancel(std::string_view client_order_id) {
  std::lock_guard lock(mu_);
  KAIROS_RETURN_IF_ERROR(CatchUpLocked());
  auto it = by_client_id_.find(client_order_id);
  if (it == by_client_id_.end()) {
    return Status::NotFound(
        fmt::format("paper broker: no order with client order id '{}'", client_order_id));
  }
  OrderState& o = orders_[it->second];
  if (IsTerminal(o.view.status)) {
    return Status::FailedPrecondition(fmt::format("paper broker: order '{}' is already {}",
                                                  client_order_id, OrderStatusName(o.view.status)));
  }
  o.view.status = OrderStatus::kCancelled;
  o.view.message = o.view.filled_qty.units() > 0
                       ? fmt::format("cancelled by the client: {} of {} filled",
                                     o.view.filled_qty.units(), o.request.qty.units())
                       : "cancelled by the client";
  return PersistLocked();
}

Result<std::optional<BrokerOrder>> PaperBroker::OrderByClientId(std::string_view client_order_id) {
  std::lock_guard lock(mu_);
  KAIROS_RETURN_IF_ERROR(CatchUpLocked());
  auto it = by_client_id_.find(client_order_id);
  if (it == by_client_id_.end()) return std::optional<BrokerOrder>();
  return std::optional<BrokerOrder>(orders_[it->second].view);
}

Result<std::vector<BrokerOrder>> PaperBroker::OpenOrders() {
  std::lock_guard lock(mu_);
  KAIROS_RETURN_IF_ERROR(CatchUpLocked());
  std::vector<BrokerOrder> out;
  for (size_t i = FirstOpenLocked(); i < orders_.size(); ++i) {
    if (!IsTerminal(orders_[i].view.status)) out.push_back(orders_[i].view);
  }
  return out;
}

Result<std::vector<BrokerPosition>> PaperBroker::Positions() {
  std::lock_guard lock(mu_);
  KAIROS_RETURN_IF_ERROR(CatchUpLocked());
  std::vector<BrokerPosition> out;
  for (const auto& [symbol, p] : positions_) out.push_back({symbol, p.qty, p.average_price});
  return out;
}

Result<std::vector<Fill>> PaperBroker::FillsSince(int64_t since_ns) {
  std::lock_guard lock(mu_);
  KAIROS_RETURN_IF_ERROR(CatchUpLocked());
  // fills_ is in time order: only its tail can qualify.
  auto from = std::partition_point(fills_.begin(), fills_.end(),
                                   [&](const Fill& f) { return f.time_ns < since_ns; });
  return std::vector<Fill>(from, fills_.end());
}

Result<Account> PaperBroker::GetAccount() {
  std::lock_guard lock(mu_);
  KAIROS_RETURN_IF_ERROR(CatchUpLocked());
  Account a;
  a.currency = std::string(currency_.code());
  a.cash = cash_;
  a.equity = cash_;
  if (positions_.empty()) return a;
  // The last session that has closed by now (a few steps back at most: weekends, holidays).
  const int64_t now = clock_.NowNs();
  std::optional<Date> closed;
  Date d = Timestamp::FromNanos(now).UtcDate().AddDays(1);
  if (!calendar_.IsSession(d)) d = calendar_.PreviousSession(d);
  for (int i = 0; i < 3 && !closed; ++i, d = calendar_.PreviousSession(d)) {
    auto s = calendar_.SessionOf(d);
    if (s.ok() && s->close.nanos() <= now) closed = d;
  }
  for (const auto& [symbol, p] : positions_) {
    Price mark = p.last_price;
    if (closed) {
      KAIROS_ASSIGN_OR_RETURN(std::optional<Bar> bar, bars_.BarOn(symbol, *closed));
      if (bar) {
        auto close = Price::FromDouble(bar->close);
        if (close.ok()) mark = *close;
      }
    }
    KAIROS_ASSIGN_OR_RETURN(Money value,
                            CheckedNotional(mark, p.qty, currency_, Rounding::kHalfEven));
    KAIROS_ASSIGN_OR_RETURN(a.equity,
                            CheckedAdd(a.equity, value.minor(), "the paper account's equity"));
  }
  return a;
}

std::string PaperBroker::StateJsonLocked() const {
  json orders = json::array();
  for (const OrderState& o : orders_) {
    const OrderRequest& r = o.request;
    orders.push_back({
        {"client_order_id", r.client_order_id},
        {"symbol", r.symbol},
        {"side", SideName(r.side)},
        {"qty", r.qty.units()},
        {"type", OrderTypeName(r.type)},
        {"tif", TimeInForceName(r.tif)},
        {"limit_price", OptionalPrice(r.limit_price)},
        {"stop_price", OptionalPrice(r.stop_price)},
        {"session", r.session.ToString()},
        {"broker_order_id", o.view.broker_order_id},
        {"status", OrderStatusName(o.view.status)},
        {"filled_qty", o.view.filled_qty.units()},
        {"average_price", OptionalPrice(o.view.average_price)},
        {"message", o.view.message},
        {"fees",
         {{"kind", FeeKindName(o.cost.fees.kind)},
          {"per_order", o.cost.fees.per_order},
          {"percent", o.cost.fees.percent}}},
        {"slippage_bps", o.cost.slippage_bps},
        {"seq", o.seq},
        {"submitted_ns", o.submitted_ns},
        {"last_fill_session", o.last_fill_session},
        {"fill_count", o.fill_count},
    });
  }
  json fills = json::array();
  for (const Fill& f : fills_) {
    fills.push_back({
        {"execution_id", f.execution_id},
        {"client_order_id", f.client_order_id},
        {"symbol", f.symbol},
        {"side", SideName(f.side)},
        {"qty", f.qty.units()},
        {"price", f.price.raw()},
        {"fees", f.fees},
        {"session", f.session.ToString()},
        {"time_ns", f.time_ns},
    });
  }
  json positions = json::array();
  for (const auto& [symbol, p] : positions_) {
    positions.push_back({{"symbol", symbol},
                         {"qty", p.qty.units()},
                         {"average_price", p.average_price.raw()},
                         {"last_price", p.last_price.raw()}});
  }
  json j = {
      {"format", kStateFormat},
      {"version", kStateVersion},
      {"currency", currency_.code()},
      {"starting_cash", starting_cash_},
      {"cash", cash_},
      {"caught_up_ns", caught_up_ns_},
      {"next_seq", next_seq_},
      {"orders", std::move(orders)},
      {"fills", std::move(fills)},
      {"positions", std::move(positions)},
  };
  return j.dump();
}

Status PaperBroker::RestoreFromJson(std::string_view text) {
  try {
    json j = json::parse(text);
    if (j.at("format").get<std::string>() != kStateFormat) {
      return BadState("not a paper broker state");
    }
    if (j.at("version").get<int>() != kStateVersion) {
      return BadState(fmt::format("unsupported version {}", j.at("version").get<int>()));
    }
    starting_cash_ = j.at("starting_cash").get<int64_t>();
    cash_ = j.at("cash").get<int64_t>();
    caught_up_ns_ = j.at("caught_up_ns").get<int64_t>();
    next_seq_ = j.at("next_seq").get<int64_t>();
    for (const json& jo : j.at("orders")) {
      OrderState o;
      KAIROS_ASSIGN_OR_RETURN(o.request, OrderRequestFromJson(jo));
      const std::string& id = o.request.client_order_id;
      KAIROS_ASSIGN_OR_RETURN(o.view, BrokerOrderFromJson(jo, id));
      KAIROS_ASSIGN_OR_RETURN(o.cost, CostFromJson(jo));
      o.seq = jo.at("seq").get<int64_t>();
      o.submitted_ns = jo.at("submitted_ns").get<int64_t>();
      o.last_fill_session = jo.at("last_fill_session").get<int32_t>();
      o.fill_count = jo.at("fill_count").get<int>();
      if (by_client_id_.count(id)) {
        return BadState(fmt::format("client order id '{}' appears twice", id));
      }
      by_client_id_[id] = orders_.size();
      orders_.push_back(std::move(o));
    }
    for (const json& jf : j.at("fills")) {
      KAIROS_ASSIGN_OR_RETURN(Fill f, FillFromJson(jf));
      if (auto it = by_client_id_.find(f.client_order_id); it != by_client_id_.end()) {
        OrderState& o = orders_[it->second];
        o.fill_value += static_cast<Int128>(f.price.raw()) * f.qty.units();
        o.fill_units += f.qty.units();
      }
      fills_.push_back(std::move(f));
    }
    for (const json& jp : j.at("positions")) {
      PositionState p;
      p.qty = Quantity::FromUnits(jp.at("qty").get<int64_t>());
      p.average_price = Price::FromRaw(jp.at("average_price").get<int64_t>());
      p.last_price = Price::FromRaw(jp.at("last_price").get<int64_t>());
      positions_[jp.at("symbol").get<std::string>()] = p;
    }
  } catch (const json::exception& e) {
    return BadState(e.what());
  }
  return Status::Ok();
}

}  // namespace kairos::sim_broker
