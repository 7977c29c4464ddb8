#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "engine/halt_state.h"
#include "engine/order_manager.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace kairos::engine {

// The kill switch (ARCHITECTURE.md "Any time"): Halt stores the halt state (halt_state.h), cancels
// open orders and squares off; Resume lifts it.
struct HaltReport {
  bool already_halted = false;             // the halt was on before this call (kept as it was)
  int cancelled = 0;                       // open orders cancelled
  std::vector<std::string> cancelled_ids;  // their client order ids
  std::vector<std::string> squareoff_ids;  // exit intents created (client ids, attempt "sq")
  int squareoff_submitted = 0;             // of those, sent to the broker
  std::vector<std::string> problems;       // "GOOG: no answer from the broker (unknown)", …
};

// Stores the halt FIRST (so nothing new can be sent even if what follows fails), then cancels
// every open order, then with `squareoff` creates and submits a market exit intent for every
// open position of every strategy (client id attempt "sq", then "sq2", … when an earlier
// square-off order of that session ended without filling), each with an approved exit signal
// (reason "squareoff"). Open orders are cancelled except working square-off orders of an earlier
// halt (IsSquareOffOrder), which a second halt keeps and reuses. Writes audit rows ("halt",
// "order.cancel", "squareoff"). `session` is the session the exits are for (default: the clock's
// UTC date). The "halt" alert goes to the order manager's alerts (OrderManager::alerts()).
Result<HaltReport> Halt(ports::Store& store, OrderManager& orders, ports::Broker& broker,
                        bool squareoff, std::string_view actor, std::string_view reason,
                        std::optional<Date> session = std::nullopt);

// Whether `order` is one of Halt's square-off orders (its client id is a square-off attempt of
// its strategy, symbol, session and side). A halt while halted does not cancel these.
bool IsSquareOffOrder(const Order& order);

// Lifts the halt (audited at `time_ns`, the caller's clock). false when it was not halted.
// With `alerts`, a "resume" alert in the same transaction.
Result<bool> Resume(ports::Store& store, std::string_view actor, int64_t time_ns = 0,
                    Alerts* alerts = nullptr);

}  // namespace kairos::engine
