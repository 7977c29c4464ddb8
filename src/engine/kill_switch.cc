#include "engine/kill_switch.h"

#include <cstdlib>

#include <fmt/format.h>

#include "engine/alerts.h"

namespace kairos::engine {

namespace {

Status AppendAudit(ports::Store& store, int64_t time_ns, std::string_view actor,
                   std::string_view action, std::string subject, std::string detail) {
  AuditEntry e;
  e.time_ns = time_ns;
  e.actor = std::string(actor);
  e.action = std::string(action);
  e.subject = std::move(subject);
  e.detail = std::move(detail);
  return store.audit().Append(e);
}

bool Working(OrderStatus s) { return !IsTerminal(s); }

constexpr int kMaxSquareOffAttempts = 99;

// The client id attempt of the n-th square-off of a session: "sq", "sq2", "sq3", ...
std::string SquareOffAttempt(int n) { return n == 1 ? "sq" : fmt::format("sq{}", n); }

// What one Halt works with: who halts and why, and the session its square-off exits are for.
struct HaltContext {
  ports::Store& store;
  OrderManager& orders;
  int64_t now;  // ns since epoch, UTC: the clock at the halt
  std::string_view actor, reason;
  Date day;
};

// Cancels every open order but the working square-off orders of an earlier halt: cancelling
// them would only resend them as the next attempt (and race the market); they reduce exposure.
// A failure is a problem of the report, not an error: the halt is stored already.
void CancelOpenOrders(OrderManager& orders, std::string_view actor, HaltReport& report) {
  Result<int> cancelled =
      orders.CancelOpen(actor, [](const Order& order) { return IsSquareOffOrder(order); });
  if (cancelled.ok()) {
    report.cancelled = *cancelled;
    report.cancelled_ids = orders.last_cancelled();
  } else {
    report.problems.push_back(
        fmt::format("cancelling open orders: {}", cancelled.status().ToString()));
  }
}

struct SquareOffId {
  std::string cid;     // empty: every attempt of the session is taken
  bool reuse = false;  // a working order has this id already
};

// "sq", then "sq2", ...: an earlier square-off of the same session that ended unfilled must not
// block this one, and a working one is reused rather than doubled.
Result<SquareOffId> FindSquareOffId(const HaltContext& h, const Position& p, Side side) {
  SquareOffId id;
  for (int attempt = 1; attempt <= kMaxSquareOffAttempts && id.cid.empty(); ++attempt) {
    std::string candidate =
        ClientOrderId(p.strategy, p.symbol, h.day, side, SquareOffAttempt(attempt));
    KAIROS_ASSIGN_OR_RETURN(auto existing, h.store.orders().GetByClientId(candidate));
    if (!existing || Working(existing->status)) {
      id.cid = candidate;
      id.reuse = existing.has_value();
    }
  }
  return id;
}

// Stores the approved "squareoff" exit signal of `p`; its id, or 0 when an exit signal of that
// session exists already and is no longer waiting for its order.
Result<int64_t> ApproveSquareOffSignal(const HaltContext& h, const Position& p, Side side) {
  Signal signal;
  signal.strategy = p.strategy;
  signal.symbol = p.symbol;
  signal.session = h.day;
  signal.side = side;
  signal.kind = SignalKind::kExit;
  signal.status = SignalStatus::kApproved;
  signal.reason = "squareoff";
  signal.execute_on = h.day;
  signal.created_ns = signal.decided_ns = h.now;
  signal.decided_by = std::string(h.actor);
  signal.note = std::string(h.reason);
  KAIROS_ASSIGN_OR_RETURN(auto inserted, h.store.signals().Insert(signal));
  // An exit signal of that session may exist already (a stop hit today): reuse it only when it
  // is still waiting for its order.
  if (inserted.second || inserted.first.status == SignalStatus::kApproved) {
    return inserted.first.id;
  }
  return int64_t{0};
}

// Creates (and audits) the market exit intent that closes the open position `p`.
Status SquareOffPosition(const HaltContext& h, const Position& p, HaltReport& report) {
  const Side side = p.qty.units() > 0 ? Side::kSell : Side::kBuy;
  KAIROS_ASSIGN_OR_RETURN(SquareOffId id, FindSquareOffId(h, p, side));
  if (id.cid.empty()) {
    report.problems.push_back(
        fmt::format("{} {}: too many square-off attempts", p.strategy, p.symbol));
    return Status::Ok();
  }
  int64_t signal_id = 0;
  if (!id.reuse) {
    KAIROS_ASSIGN_OR_RETURN(signal_id, ApproveSquareOffSignal(h, p, side));
  }
  OrderRequest request;
  request.client_order_id = id.cid;
  request.symbol = p.symbol;
  request.side = side;
  request.qty = Quantity::FromUnits(std::abs(p.qty.units()));
  request.type = OrderType::kMarket;
  request.tif = TimeInForce::kDay;
  request.session = h.day;
  KAIROS_ASSIGN_OR_RETURN(Order order, h.orders.CreateIntent(request, p.strategy, signal_id));
  (void)order;
  KAIROS_RETURN_IF_ERROR(AppendAudit(
      h.store, h.now, h.actor, "squareoff", fmt::format("order:{}", id.cid),
      fmt::format("{} {} {} {}", p.strategy, SideName(side), request.qty.units(), p.symbol)));
  report.squareoff_ids.push_back(id.cid);
  return Status::Ok();
}

// Submits the square-off intents and counts those the broker took; the others are problems.
Status SubmitSquareOffs(const HaltContext& h, HaltReport& report) {
  Result<SubmitReport> sent = h.orders.SubmitPendingReport();
  if (!sent.ok())
    report.problems.push_back(fmt::format("submitting: {}", sent.status().ToString()));
  for (const std::string& cid : report.squareoff_ids) {
    KAIROS_ASSIGN_OR_RETURN(auto order, h.store.orders().GetByClientId(cid));
    if (!order) continue;
    switch (order->status) {
      case OrderStatus::kAccepted:
      case OrderStatus::kPartiallyFilled:
      case OrderStatus::kFilled:
        ++report.squareoff_submitted;
        break;
      default:
        report.problems.push_back(fmt::format("{}: {}{}{}", cid, OrderStatusName(order->status),
                                              order->message.empty() ? "" : ": ", order->message));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<HaltReport> Halt(ports::Store& store, OrderManager& orders, ports::Broker& broker,
                        bool squareoff, std::string_view actor, std::string_view reason,
                        std::optional<Date> session) {
  (void)broker;  // every broker call goes through the order manager (one path, one audit)
  HaltReport report;
  const int64_t now = orders.clock().NowNs();
  // First the halt itself: once it is stored nothing new reaches the broker, even if the rest
  // fails halfway.
  KAIROS_ASSIGN_OR_RETURN(report.already_halted,
                          StoreHalt(store, now, actor, reason, orders.alerts()));
  CancelOpenOrders(orders, actor, report);
  if (!squareoff) return report;

  const Date day = session.value_or(Timestamp::FromNanos(now).UtcDate());
  const HaltContext h{store, orders, now, actor, reason, day};
  KAIROS_ASSIGN_OR_RETURN(auto positions, store.ledger().Positions(""));
  for (const Position& p : positions) {
    if (p.qty.units() == 0) continue;
    KAIROS_RETURN_IF_ERROR(SquareOffPosition(h, p, report));
  }
  KAIROS_RETURN_IF_ERROR(SubmitSquareOffs(h, report));
  return report;
}

bool IsSquareOffOrder(const Order& order) {
  const OrderRequest& r = order.request;
  for (int attempt = 1; attempt <= kMaxSquareOffAttempts; ++attempt) {
    if (ClientOrderId(order.strategy, r.symbol, r.session, r.side, SquareOffAttempt(attempt)) ==
        r.client_order_id) {
      return true;
    }
  }
  return false;
}

Result<bool> Resume(ports::Store& store, std::string_view actor, int64_t time_ns, Alerts* alerts) {
  KAIROS_ASSIGN_OR_RETURN(std::optional<HaltRecord> halt, GetHalt(store));
  if (!halt) return false;
  KAIROS_RETURN_IF_ERROR(store.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store.state().Erase(kHaltKey));
    if (alerts != nullptr) KAIROS_RETURN_IF_ERROR(alerts->Resumed(*halt, actor));
    return AppendAudit(store, time_ns, actor, "resume", "system:halt", "halt lifted");
  }));
  return true;
}

}  // namespace kairos::engine
