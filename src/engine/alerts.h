#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/fixed_point.h"
#include "core/status.h"
#include "domain/trading.h"
#include "engine/halt_state.h"
#include "ports/clock.h"
#include "ports/outbox.h"
#include "ports/store.h"

namespace kairos::engine {

// The engine's events a person should hear about, each formatted once (Telegram HTML, user text
// escaped) and enqueued in the store's outbox (ports/outbox.h), from where a delivery worker
// sends it. Kinds, and the idempotency key of each (one message per key, ever, so a phase run
// again enqueues nothing new):
//   signal.pending   "signal.pending:<signal id>"     a signal waits for review; payload
//                                                      {"signal":<id>} (Approve/Reject buttons)
//   exit.stop_hit    "exit.stop_hit:<signal id>"      an exit signal from a stop or trailing stop
//   order.sent       "order.sent:<client order id>"   the broker took the order
//   order.filled     "order.filled:<execution id>"    one execution applied
//   order.rejected   "order.rejected:<client order id>"
//   halt             "halt:<time ns>"                 the kill switch went on
//   resume           "resume:<halt's time ns>"        the halt of that time was lifted
// REQUIRES: each call runs inside the Store::InTransaction that makes the change it reports, so
// the message is stored with the change or not at all. Not thread-safe (the engine thread's).
// Who holds one: paper run-day, halt and resume, and the daemon; a backtest passes none (the
// OrderManager, SignalBook and TradingDay options default to nullptr), so it pays nothing.
class Alerts {
 public:
  struct Options {
    std::set<std::string, std::less<>> off;     // kinds kept in the outbox, never delivered
    std::set<std::string, std::less<>> silent;  // kinds delivered without a sound
  };
  Alerts(ports::Store& store, const ports::Clock& clock, Options options = {});

  Status SignalPending(const Signal& signal);
  Status StopHit(const Signal& exit);  // nothing for an exit of another reason
  Status OrderSent(const Order& order);
  Status OrderFilled(const Order& order, const Fill& fill, const Currency& currency);
  Status OrderRejected(const Order& order);
  Status Halted(const HaltRecord& halt);
  Status Resumed(const HaltRecord& lifted, std::string_view actor);

  // Any other event (the daemon's jobs, the Telegram bot), through the same levels: `text` is
  // Telegram HTML with user text escaped; one message per `key`, ever. A kind that is "off" is
  // stored already marked delivered with external id "off", so `kairos alerts list` still
  // shows it and no deliverer sends it.
  Status Notify(std::string_view kind, std::string key, std::string text, std::string payload = "");

 private:
  ports::Store& store_;
  const ports::Clock& clock_;
  Options options_;
};

// The external id of a message whose kind is switched off: stored, never delivered.
inline constexpr std::string_view kOffDelivery = "off";

// Whether an exit signal's reason is a stop (an exit.stop_hit alert).
bool IsStopExit(const Signal& signal);

}  // namespace kairos::engine
