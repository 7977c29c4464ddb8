#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/fixed_point.h"

namespace kairos {

// The trading records that flow from a rule match to a day's P&L (ARCHITECTURE.md, "A trading
// day"). Money amounts are int64 minor units of the strategy's currency, prices fixed-point Price,
// quantities whole units: nothing on the order path is a double.

enum class Side : uint8_t { kBuy, kSell };

constexpr std::string_view SideName(Side s) { return s == Side::kBuy ? "buy" : "sell"; }

// Signal life cycle:
//   pending_review -> approved | rejected | expired
//   approved -> ordered -> filled | partially_filled | cancelled | failed
// Auto-approval and exit signals start at approved.
enum class SignalStatus : uint8_t {
  kPendingReview,
  kApproved,
  kRejected,
  kExpired,
  kOrdered,
  kFilled,
  kPartiallyFilled,
  kCancelled,
  kFailed,
};

constexpr std::string_view SignalStatusName(SignalStatus s) {
  constexpr std::string_view kNames[] = {"pending_review", "approved",  "rejected",
                                         "expired",        "ordered",   "filled",
                                         "partially_filled", "cancelled", "failed"};
  return kNames[static_cast<int>(s)];
}

enum class SignalKind : uint8_t { kEntry, kExit };

struct Signal {
  int64_t id = 0;  // assigned by the store
  std::string strategy;
  int strategy_version = 0;
  std::string symbol;
  Date session;  // the session whose bar produced the match
  Side side = Side::kBuy;
  SignalKind kind = SignalKind::kEntry;
  SignalStatus status = SignalStatus::kPendingReview;
  // The rule's term values that made it match: {"rsi", 27.31}, {"sma_200", 101.2}.
  std::vector<std::pair<std::string, double>> terms;
  double rank_value = 0;      // the strategy's rank expression on that bar (NaN when none)
  std::string reason;         // exits: "stop_loss", "take_profit", "trailing_stop", "max_hold",
                              // "exit_rule", "squareoff"; entries: "entry_rule"
  Date execute_on;            // the session whose open/close the order is for
  int64_t created_ns = 0;     // clock time of creation
  std::string decided_by;     // "auto", "cli:<user>", "telegram:<id>", "expiry"
  int64_t decided_ns = 0;
  std::string note;
};

// Order life cycle: new (intent stored, not yet sent) -> submitted (sent, no answer yet) ->
// accepted -> partially_filled -> filled; or cancelled / rejected / expired. `unknown`: the send
// failed without an answer (timeout, crash); it is resolved by asking the broker for the client
// order id, never by sending again under a new id.
enum class OrderStatus : uint8_t {
  kNew,
  kSubmitted,
  kAccepted,
  kPartiallyFilled,
  kFilled,
  kCancelled,
  kRejected,
  kExpired,
  kUnknown,
};

constexpr std::string_view OrderStatusName(OrderStatus s) {
  constexpr std::string_view kNames[] = {"new",       "submitted", "accepted",
                                         "partially_filled", "filled", "cancelled",
                                         "rejected",  "expired",   "unknown"};
  return kNames[static_cast<int>(s)];
}
constexpr bool IsTerminal(OrderStatus s) {
  return s == OrderStatus::kFilled || s == OrderStatus::kCancelled ||
         s == OrderStatus::kRejected || s == OrderStatus::kExpired;
}

enum class OrderType : uint8_t { kMarket, kLimit, kStop, kStopLimit };
// kDay: the session it is submitted for; kOpg: at that session's opening auction (market on
// open); kCls: at its closing auction (market on close); kGtc: until filled or cancelled.
enum class TimeInForce : uint8_t { kDay, kOpg, kCls, kGtc };

constexpr std::string_view OrderTypeName(OrderType t) {
  constexpr std::string_view kNames[] = {"market", "limit", "stop", "stop_limit"};
  return kNames[static_cast<int>(t)];
}
constexpr std::string_view TimeInForceName(TimeInForce t) {
  constexpr std::string_view kNames[] = {"day", "opg", "cls", "gtc"};
  return kNames[static_cast<int>(t)];
}

// What goes to a broker. The client order id is deterministic (engine/order_manager.h: derived
// from strategy, symbol, session, side and attempt), so a resend after a crash is recognisable.
struct OrderRequest {
  std::string client_order_id;
  std::string symbol;
  Side side = Side::kBuy;
  Quantity qty;
  OrderType type = OrderType::kMarket;
  TimeInForce tif = TimeInForce::kDay;
  std::optional<Price> limit_price;
  std::optional<Price> stop_price;
  Date session;  // the session the order is meant for (the paper broker fills on that session)
};

// The engine's record of an order (an order intent once stored with status kNew).
struct Order {
  int64_t id = 0;  // assigned by the store
  OrderRequest request;
  std::string strategy;
  int64_t signal_id = 0;
  OrderStatus status = OrderStatus::kNew;
  Quantity filled_qty;
  std::string broker_order_id;
  std::string message;  // the broker's reason on reject / cancel
  int64_t created_ns = 0;
  int64_t updated_ns = 0;
};

// One execution reported by a broker, applied once (keyed by execution_id).
struct Fill {
  std::string execution_id;
  std::string client_order_id;
  std::string symbol;
  Side side = Side::kBuy;
  Quantity qty;
  Price price;
  int64_t fees = 0;   // minor units, every fee and tax of this execution
  Date session;
  int64_t time_ns = 0;
};

// The broker's view of an order (Broker::Submit / OrderByClientId / OpenOrders).
struct BrokerOrder {
  std::string client_order_id;
  std::string broker_order_id;
  OrderStatus status = OrderStatus::kAccepted;
  Quantity filled_qty;
  std::optional<Price> average_price;
  std::string message;
};

struct BrokerPosition {
  std::string symbol;
  Quantity qty;  // signed: negative is short
  Price average_price;
};

struct Account {
  std::string currency;
  int64_t cash = 0;  // minor units
  int64_t equity = 0;
};

// One open lot (FIFO): what is left of one entry fill.
struct Lot {
  Date opened;
  Quantity qty;   // signed: negative for a short lot
  Price price;
  int64_t fees = 0;  // entry fees not yet charged against a closed part (minor units)
};

// A strategy's position in one symbol, with the state its exits need.
struct Position {
  std::string strategy;
  std::string symbol;
  Quantity qty;  // signed: the sum of the lots = the sum of the fills
  std::vector<Lot> lots;
  Date entry_session;             // first fill of the current position
  int sessions_held = 0;          // sessions since entry_session, entry day excluded
  std::optional<Price> stop;      // current stop level (trailing stops move it)
  std::optional<Price> target;
  std::optional<Price> high_water;  // best close since entry (trailing stops)
  int64_t realized = 0;           // gross price P&L realised since the position opened
};

// One row per strategy and session, written at the end of the day.
struct DailyPnl {
  Date session;
  std::string strategy;
  // Invariant: equity = allocation + cumulative realized + unrealized - cumulative fees.
  int64_t realized = 0;    // price P&L realised that session (FIFO), before fees
  int64_t unrealized = 0;  // open positions marked at the session's close
  int64_t fees = 0;        // fees charged that session (entries and exits)
  int64_t equity = 0;      // after both, at the close
  int64_t cash = 0;        // allocation + realised - fees - cost of the open lots
};

// Who did what, when: signal decisions, orders sent, halts (ARCHITECTURE.md audit log).
struct AuditEntry {
  int64_t id = 0;
  int64_t time_ns = 0;
  std::string actor;   // "auto", "cli", "engine", "telegram:<id>"
  std::string action;  // "signal.approve", "order.submit", "halt", ...
  std::string subject; // "signal:12", "order:ABC-1", ...
  std::string detail;
};

}  // namespace kairos
