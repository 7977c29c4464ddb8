#include "engine/order_manager.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engine/alerts.h"
#include "engine/halt_state.h"
#include "engine/ledger.h"

namespace kairos::engine {

namespace {

constexpr std::string_view kCursorKey = "fills_cursor";
constexpr std::string_view kEngine = "engine";
constexpr size_t kMaxClientIdLength = 48;

// FNV-1a: stable across platforms and releases (std::hash is not), so the id stays the same.
uint64_t Fnv1a(std::string_view text) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool IsOpenStatus(OrderStatus s) { return !IsTerminal(s) && s != OrderStatus::kNew; }

int64_t Signed(Side side, int64_t units) { return side == Side::kBuy ? units : -units; }

// The status to store for a broker's answer. Filled and partially filled follow the fills we
// applied (Sync), never the answer, so that filled_qty is always the sum of applied fills.
OrderStatus StatusFromAnswer(const Order& order, OrderStatus answer) {
  switch (answer) {
    case OrderStatus::kCancelled:
    case OrderStatus::kRejected:
    case OrderStatus::kExpired:
      return answer;
    default:
      if (order.filled_qty.units() == 0) return OrderStatus::kAccepted;
      return order.filled_qty >= order.request.qty ? OrderStatus::kFilled
                                                   : OrderStatus::kPartiallyFilled;
  }
}

Result<int64_t> ReadCursor(ports::Store& store) {
  KAIROS_ASSIGN_OR_RETURN(auto text, store.state().Get(kCursorKey));
  if (!text) return int64_t{0};
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return Status::Corruption(fmt::format("state '{}' is not a number: '{}'", kCursorKey, *text));
  }
  return v;
}

}  // namespace

std::string ClientOrderId(std::string_view strategy, std::string_view symbol, Date session,
                          Side side, std::string_view attempt) {
  std::string id =
      fmt::format("{}-{}-{:04}{:02}{:02}-{}-{}", strategy, symbol, session.year(), session.month(),
                  session.day(), side == Side::kBuy ? 'b' : 's', attempt);
  if (id.size() <= kMaxClientIdLength) return id;
  // Keep a readable prefix; the hash of the whole id keeps distinct inputs distinct.
  std::string hash = fmt::format("{:016x}", Fnv1a(id));
  return id.substr(0, kMaxClientIdLength - hash.size() - 1) + "-" + hash;
}

std::string ClientOrderId(std::string_view strategy, std::string_view symbol, Date session,
                          Side side, int attempt) {
  return ClientOrderId(strategy, symbol, session, side, std::to_string(attempt));
}

OrderManager::OrderManager(ports::Store& store, ports::Broker& broker, const ports::Clock& clock,
                           Alerts* alerts)
    : store_(store), broker_(broker), clock_(clock), alerts_(alerts) {}

Status OrderManager::Audit(std::string_view actor, std::string_view action,
                           std::string_view client_order_id, std::string detail) {
  AuditEntry e;
  e.time_ns = clock_.NowNs();
  e.actor = std::string(actor);
  e.action = std::string(action);
  e.subject = fmt::format("order:{}", client_order_id);
  e.detail = std::move(detail);
  return store_.audit().Append(e);
}

Result<Order> OrderManager::CreateIntent(const OrderRequest& request, std::string_view strategy,
                                         int64_t signal_id) {
  if (request.client_order_id.empty()) {
    return Status::InvalidArgument("order intent: empty client order id");
  }
  if (request.client_order_id.size() > kMaxClientIdLength) {
    return Status::InvalidArgument(fmt::format("order intent {}: client order id longer than {}",
                                               request.client_order_id, kMaxClientIdLength));
  }
  if (request.symbol.empty()) {
    return Status::InvalidArgument(
        fmt::format("order intent {}: empty symbol", request.client_order_id));
  }
  if (request.qty.units() <= 0) {
    return Status::InvalidArgument(fmt::format("order intent {}: quantity {} is not positive",
                                               request.client_order_id, request.qty.units()));
  }
  const bool needs_limit =
      request.type == OrderType::kLimit || request.type == OrderType::kStopLimit;
  const bool needs_stop = request.type == OrderType::kStop || request.type == OrderType::kStopLimit;
  if (needs_limit && (!request.limit_price || request.limit_price->raw() <= 0)) {
    return Status::InvalidArgument(fmt::format("order intent {}: a {} order needs a limit price",
                                               request.client_order_id,
                                               OrderTypeName(request.type)));
  }
  if (needs_stop && (!request.stop_price || request.stop_price->raw() <= 0)) {
    return Status::InvalidArgument(fmt::format("order intent {}: a {} order needs a stop price",
                                               request.client_order_id,
                                               OrderTypeName(request.type)));
  }

  KAIROS_ASSIGN_OR_RETURN(auto existing, store_.orders().GetByClientId(request.client_order_id));
  if (existing) return *existing;

  Order order;
  order.request = request;
  order.strategy = std::string(strategy);
  order.signal_id = signal_id;
  order.status = OrderStatus::kNew;
  order.created_ns = order.updated_ns = clock_.NowNs();
  Order stored;
  Status st = store_.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(stored, store_.orders().Create(order));
    if (signal_id != 0) {
      KAIROS_ASSIGN_OR_RETURN(auto signal, store_.signals().Get(signal_id));
      if (!signal) {
        return Status::NotFound(fmt::format("order intent {}: signal {} not found",
                                            request.client_order_id, signal_id));
      }
      if (signal->status == SignalStatus::kApproved) {
        KAIROS_RETURN_IF_ERROR(store_.signals().Transition(
            signal_id, SignalStatus::kApproved, SignalStatus::kOrdered, kEngine,
            fmt::format("order {}", request.client_order_id), order.created_ns));
      }
    }
    return Audit(kEngine, "order.intent", request.client_order_id,
                 fmt::format("{} {} {} {} for {}", strategy, SideName(request.side),
                             request.qty.units(), request.symbol, request.session.ToString()));
  });
  if (st.code() == StatusCode::kAlreadyExists) {
    // Created by someone else between our read and our write: theirs is the intent.
    KAIROS_ASSIGN_OR_RETURN(auto again, store_.orders().GetByClientId(request.client_order_id));
    if (again) return *again;
  }
  KAIROS_RETURN_IF_ERROR(st);
  return stored;
}

Result<bool> OrderManager::ReducesExposure(const Order& order) {
  KAIROS_ASSIGN_OR_RETURN(auto held,
                          store_.ledger().GetPosition(order.strategy, order.request.symbol));
  const int64_t position = held ? held->qty.units() : 0;
  const int64_t change = Signed(order.request.side, order.request.qty.units());
  if (position == 0 || (position > 0) == (change > 0)) return false;
  // Orders already working in the same direction count against the position, so that two exits
  // cannot together turn a long into a short while halted.
  KAIROS_ASSIGN_OR_RETURN(
      auto working,
      store_.orders().List({.statuses = {OrderStatus::kSubmitted, OrderStatus::kAccepted,
                                         OrderStatus::kPartiallyFilled, OrderStatus::kUnknown},
                            .strategy = order.strategy}));
  int64_t pending = 0;
  for (const Order& o : working) {
    if (o.id == order.id || o.request.symbol != order.request.symbol ||
        o.request.side != order.request.side) {
      continue;
    }
    pending += o.request.qty.units() - o.filled_qty.units();
  }
  return std::abs(change) + pending <= std::abs(position);
}

Status OrderManager::FinishSignal(const Order& order) {
  if (order.signal_id == 0) return Status::Ok();
  KAIROS_ASSIGN_OR_RETURN(auto signal, store_.signals().Get(order.signal_id));
  if (!signal) return Status::Ok();
  std::optional<SignalStatus> to;
  if (order.status == OrderStatus::kFilled) {
    to = SignalStatus::kFilled;
  } else if (order.filled_qty.units() > 0) {
    to = SignalStatus::kPartiallyFilled;
  } else if (order.status == OrderStatus::kRejected) {
    to = SignalStatus::kFailed;
  } else if (order.status == OrderStatus::kCancelled || order.status == OrderStatus::kExpired) {
    to = SignalStatus::kCancelled;
  }
  if (!to || *to == signal->status) return Status::Ok();
  // Only the order path moves a signal past ordered; a signal elsewhere is left alone.
  if (signal->status != SignalStatus::kOrdered &&
      signal->status != SignalStatus::kPartiallyFilled) {
    return Status::Ok();
  }
  return store_.signals().Transition(
      order.signal_id, signal->status, *to, kEngine,
      fmt::format("order {} {}", order.request.client_order_id, OrderStatusName(order.status)),
      clock_.NowNs());
}

Status OrderManager::StoreOrder(const Order& order, std::string_view action, std::string detail,
                                Event event) {
  return store_.InTransaction([&]() -> Status {
    KAIROS_RETURN_IF_ERROR(store_.orders().Update(order));
    if (IsTerminal(order.status) || order.filled_qty.units() > 0) {
      KAIROS_RETURN_IF_ERROR(FinishSignal(order));
    }
    if (alerts_ != nullptr && event == Event::kSent) {
      KAIROS_RETURN_IF_ERROR(alerts_->OrderSent(order));
    } else if (alerts_ != nullptr && event == Event::kRejected) {
      KAIROS_RETURN_IF_ERROR(alerts_->OrderRejected(order));
    }
    if (action.empty()) return Status::Ok();
    return Audit(kEngine, action, order.request.client_order_id, std::move(detail));
  });
}

Status OrderManager::RecordAnswer(Order order, const BrokerOrder& answer) {
  if (IsTerminal(order.status)) {
    // Never regress a finished order; only learn the broker's id if a lost answer hid it.
    if (!order.broker_order_id.empty() || answer.broker_order_id.empty()) return Status::Ok();
    order.broker_order_id = answer.broker_order_id;
    return store_.orders().Update(order);
  }
  const OrderStatus before = order.status;
  order.status = StatusFromAnswer(order, answer.status);
  if (!answer.broker_order_id.empty()) order.broker_order_id = answer.broker_order_id;
  order.message = answer.message;
  order.updated_ns = clock_.NowNs();
  // The broker's first answer that it holds the order: sent. A rejection at any answer.
  Event event = Event::kNone;
  if (order.status == OrderStatus::kRejected) {
    event = Event::kRejected;
  } else if ((before == OrderStatus::kSubmitted || before == OrderStatus::kUnknown) &&
             !IsTerminal(order.status)) {
    event = Event::kSent;
  }
  return StoreOrder(order, before == order.status ? "" : "order.status",
                    fmt::format("{} -> {} (broker {}{}{})", OrderStatusName(before),
                                OrderStatusName(order.status), OrderStatusName(answer.status),
                                answer.message.empty() ? "" : ": ", answer.message),
                    event);
}

Status OrderManager::SubmitOne(Order order, SubmitReport& report) {
  // Marked submitted (durably) before the call: a crash from here on leaves a trace that the
  // next run resolves by asking the broker, never by sending blind under a new id. The first
  // send of an intent is "order.submit"; a send again of one the broker never received (after
  // a crash or an unanswered call) is "order.resend", so that the log holds one order.submit
  // per broker order however often the process died.
  const bool first = order.status == OrderStatus::kNew;
  std::string what =
      fmt::format("{} {} {} {}", SideName(order.request.side), order.request.qty.units(),
                  order.request.symbol, OrderTypeName(order.request.type));
  if (!first) what += ": not received by the broker, sent again under the same id";
  order.status = OrderStatus::kSubmitted;
  order.updated_ns = clock_.NowNs();
  KAIROS_RETURN_IF_ERROR(StoreOrder(order, first ? "order.submit" : "order.resend", what));
  Result<BrokerOrder> answer = broker_.Submit(order.request);
  if (answer.ok()) {
    ++report.sent;
    if (answer->status == OrderStatus::kRejected) ++report.rejected;
    return RecordAnswer(order, *answer);
  }
  const Status& err = answer.status();
  order.message = err.message();
  order.updated_ns = clock_.NowNs();
  if (err.code() == StatusCode::kInvalidArgument || err.code() == StatusCode::kFailedPrecondition) {
    ++report.sent;
    ++report.rejected;
    order.status = OrderStatus::kRejected;
    return StoreOrder(order, "order.rejected", err.message(), Event::kRejected);
  }
  ++report.unknown;
  order.status = OrderStatus::kUnknown;
  return StoreOrder(order, "order.unknown", err.ToString());
}

Status OrderManager::ResolveOne(Order order, bool halted, SubmitReport& report) {
  Result<std::optional<BrokerOrder>> found = broker_.OrderByClientId(order.request.client_order_id);
  if (!found.ok()) {
    ++report.unknown;
    if (order.status == OrderStatus::kUnknown) return Status::Ok();
    order.status = OrderStatus::kUnknown;
    order.message = found.status().message();
    order.updated_ns = clock_.NowNs();
    return StoreOrder(order, "order.unknown", found.status().ToString());
  }
  if (*found) {
    ++report.resolved;
    return RecordAnswer(order, **found);
  }
  // The broker never received it: send it again, under the same client id.
  if (halted) {
    KAIROS_ASSIGN_OR_RETURN(bool reduces, ReducesExposure(order));
    if (!reduces) {
      ++report.refused;
      return Status::Ok();
    }
  }
  return SubmitOne(std::move(order), report);
}

Result<SubmitReport> OrderManager::SubmitPendingReport() {
  SubmitReport report;
  const bool halted = IsHalted(store_);
  KAIROS_ASSIGN_OR_RETURN(
      auto pending,
      store_.orders().List({.statuses = {OrderStatus::kSubmitted, OrderStatus::kUnknown}}));
  for (Order& order : pending) {
    KAIROS_RETURN_IF_ERROR(ResolveOne(std::move(order), halted, report));
  }
  KAIROS_ASSIGN_OR_RETURN(auto fresh, store_.orders().List({.statuses = {OrderStatus::kNew}}));
  for (Order& order : fresh) {
    if (halted) {
      KAIROS_ASSIGN_OR_RETURN(bool reduces, ReducesExposure(order));
      if (!reduces) {
        ++report.refused;
        KAIROS_RETURN_IF_ERROR(Audit(kEngine, "order.refused", order.request.client_order_id,
                                     "kill switch on: order increases exposure"));
        continue;
      }
    }
    KAIROS_RETURN_IF_ERROR(SubmitOne(std::move(order), report));
  }
  return report;
}

Result<int> OrderManager::SubmitPending() {
  KAIROS_ASSIGN_OR_RETURN(SubmitReport report, SubmitPendingReport());
  return report.sent;
}

Result<Currency> OrderManager::CurrencyOf(std::string_view strategy) {
  KAIROS_ASSIGN_OR_RETURN(auto record, store_.strategies().Get(strategy));
  // A strategy that is not stored (an order placed by hand, a test) is in the default currency.
  if (!record) return Currency::Usd();
  return record->spec.currency;
}

Result<bool> OrderManager::ApplyOneFill(const Fill& fill, std::vector<std::string>& refused) {
  KAIROS_ASSIGN_OR_RETURN(auto found, store_.orders().GetByClientId(fill.client_order_id));
  if (!found) {
    KAIROS_RETURN_IF_ERROR(Audit(kEngine, "fill.unmatched", fill.client_order_id,
                                 fmt::format("execution {}: no such order", fill.execution_id)));
    return false;
  }
  Order order = *found;
  KAIROS_ASSIGN_OR_RETURN(Currency currency, CurrencyOf(order.strategy));

  // A refusal is decided after RecordFill, inside the transaction, so that a duplicate of a fill
  // already applied is recognised as a duplicate (not an overfill); the refusal then rolls the
  // transaction back, leaving nothing recorded.
  std::string refusal;
  bool applied = false;
  Status st = store_.InTransaction([&]() -> Status {
    KAIROS_ASSIGN_OR_RETURN(bool fresh, store_.ledger().RecordFill(fill, order.strategy));
    if (!fresh) return Status::Ok();
    if (fill.symbol != order.request.symbol || fill.side != order.request.side) {
      refusal =
          fmt::format("execution {} ({} {}) does not match order {} ({} {})", fill.execution_id,
                      SideName(fill.side), fill.symbol, fill.client_order_id,
                      SideName(order.request.side), order.request.symbol);
      return Status::Internal(refusal);
    }
    if (fill.qty.units() <= 0 ||
        order.filled_qty.units() + fill.qty.units() > order.request.qty.units()) {
      refusal = fmt::format("execution {} of {} would fill order {} to {} of {}", fill.execution_id,
                            fill.qty.units(), fill.client_order_id,
                            order.filled_qty.units() + fill.qty.units(), order.request.qty.units());
      return Status::Internal(refusal);
    }
    order.filled_qty = order.filled_qty + fill.qty;
    if (!IsTerminal(order.status) || order.status == OrderStatus::kFilled) {
      order.status = order.filled_qty == order.request.qty ? OrderStatus::kFilled
                                                           : OrderStatus::kPartiallyFilled;
    }
    order.updated_ns = clock_.NowNs();
    KAIROS_RETURN_IF_ERROR(store_.orders().Update(order));

    // One keyed read: listing every open position of the strategy per fill made a backtest
    // quadratic in the number of positions held.
    KAIROS_ASSIGN_OR_RETURN(auto held,
                            store_.ledger().GetPosition(order.strategy, order.request.symbol));
    Position position;
    if (held) {
      position = std::move(*held);
    } else {
      position.strategy = order.strategy;
      position.symbol = order.request.symbol;
    }
    KAIROS_ASSIGN_OR_RETURN(FillEffect effect, ApplyFill(position, fill, currency));
    (void)effect;  // realised P&L and fees are summed from the fills at the end of the day
    KAIROS_RETURN_IF_ERROR(store_.ledger().PutPosition(position));
    KAIROS_RETURN_IF_ERROR(FinishSignal(order));
    if (alerts_ != nullptr) KAIROS_RETURN_IF_ERROR(alerts_->OrderFilled(order, fill, currency));
    applied = true;
    return Status::Ok();
  });
  if (!refusal.empty()) {
    refused.push_back(refusal);
    KAIROS_RETURN_IF_ERROR(Audit(kEngine, "fill.refused", fill.client_order_id, refusal));
    return false;
  }
  KAIROS_RETURN_IF_ERROR(st);
  return applied;
}

Status OrderManager::RefreshOpen(const std::vector<std::string>& also) {
  KAIROS_ASSIGN_OR_RETURN(
      auto open,
      store_.orders().List({.statuses = {OrderStatus::kSubmitted, OrderStatus::kUnknown,
                                         OrderStatus::kAccepted, OrderStatus::kPartiallyFilled}}));
  for (const std::string& cid : also) {
    KAIROS_ASSIGN_OR_RETURN(auto order, store_.orders().GetByClientId(cid));
    if (order && IsTerminal(order->status)) open.push_back(*order);
  }
  for (const Order& order : open) {
    Result<std::optional<BrokerOrder>> found =
        broker_.OrderByClientId(order.request.client_order_id);
    // No answer, or not received (SubmitPending resends those): nothing to learn now.
    if (!found.ok() || !*found) continue;
    KAIROS_RETURN_IF_ERROR(RecordAnswer(order, **found));
  }
  return Status::Ok();
}

Result<int> OrderManager::Sync() {
  KAIROS_ASSIGN_OR_RETURN(int64_t cursor, ReadCursor(store_));
  KAIROS_ASSIGN_OR_RETURN(std::vector<Fill> fills, broker_.FillsSince(cursor));
  int applied = 0;
  int64_t next_cursor = cursor;
  std::vector<std::string> refused;
  std::vector<std::string> without_broker_id;  // filled before their answer was stored
  for (const Fill& fill : fills) {
    KAIROS_ASSIGN_OR_RETURN(bool done, ApplyOneFill(fill, refused));
    if (done) {
      ++applied;
      KAIROS_ASSIGN_OR_RETURN(auto order, store_.orders().GetByClientId(fill.client_order_id));
      if (order && order->broker_order_id.empty())
        without_broker_id.push_back(fill.client_order_id);
    }
    next_cursor = std::max(next_cursor, fill.time_ns);
  }
  // The cursor stays at the newest fill's time (FillsSince is inclusive): fills of that same
  // instant reported later are still seen, and the ones seen again are deduplicated.
  if (next_cursor != cursor) {
    KAIROS_RETURN_IF_ERROR(store_.state().Put(kCursorKey, std::to_string(next_cursor)));
  }
  KAIROS_RETURN_IF_ERROR(RefreshOpen(without_broker_id));
  if (!refused.empty()) {
    return Status::Internal(
        fmt::format("{} fill(s) refused: {}", refused.size(), fmt::join(refused, "; ")));
  }
  return applied;
}

Result<int> OrderManager::CancelOpen(std::string_view actor,
                                     const std::function<bool(const Order&)>& keep) {
  last_cancelled_.clear();
  KAIROS_ASSIGN_OR_RETURN(
      auto open, store_.orders().List({.statuses = {OrderStatus::kNew, OrderStatus::kSubmitted,
                                                    OrderStatus::kUnknown, OrderStatus::kAccepted,
                                                    OrderStatus::kPartiallyFilled}}));
  int cancelled = 0;
  for (Order order : open) {
    if (keep && keep(order)) continue;
    const std::string& cid = order.request.client_order_id;
    bool at_broker = IsOpenStatus(order.status) && order.status != OrderStatus::kSubmitted &&
                     order.status != OrderStatus::kUnknown;
    if (order.status == OrderStatus::kSubmitted || order.status == OrderStatus::kUnknown) {
      Result<std::optional<BrokerOrder>> found = broker_.OrderByClientId(cid);
      if (!found.ok()) continue;  // cannot know; it stays for the next attempt
      if (*found) {
        if (IsTerminal((*found)->status)) {
          KAIROS_RETURN_IF_ERROR(RecordAnswer(order, **found));
          continue;
        }
        at_broker = true;
      }
    }
    if (at_broker) {
      Status st = broker_.Cancel(cid);
      if (!st.ok()) {
        // Already finished at the broker (filled, expired): learn its status instead.
        Result<std::optional<BrokerOrder>> found = broker_.OrderByClientId(cid);
        if (found.ok() && *found) KAIROS_RETURN_IF_ERROR(RecordAnswer(order, **found));
        KAIROS_RETURN_IF_ERROR(Audit(actor, "order.cancel_failed", cid, st.ToString()));
        continue;
      }
    }
    order.status = OrderStatus::kCancelled;
    order.message = at_broker ? fmt::format("cancelled by {}", actor)
                              : fmt::format("cancelled by {} before it reached the broker", actor);
    order.updated_ns = clock_.NowNs();
    KAIROS_RETURN_IF_ERROR(StoreOrder(order, "", ""));
    KAIROS_RETURN_IF_ERROR(Audit(actor, "order.cancel", cid, order.message));
    last_cancelled_.push_back(cid);
    ++cancelled;
  }
  return cancelled;
}

}  // namespace kairos::engine
