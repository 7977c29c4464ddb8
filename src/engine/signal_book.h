#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace kairos::engine {

class Alerts;

// The signal life cycle over the SignalRepository, with an audit row for
// every decision:
//   pending_review -> approved | rejected | expired (review cut-off passed)
//   approved -> ordered (OrderManager::CreateIntent) | failed (not selected, size 0, missed)
// Every transition is a compare-and-set in the store, so two deciders (CLI and Telegram, or a
// person and the expiry) cannot both win.
//
// With `alerts` (not owned; nullptr in backtests), Record enqueues signal.pending for a signal
// left for review and exit.stop_hit for an exit from a stop, with the signal (engine/alerts.h).
class SignalBook {
 public:
  SignalBook(ports::Store& store, const ports::Clock& clock, Alerts* alerts = nullptr);

  // Stores a new signal once per (strategy, symbol, session, side). `approval` kAuto (and every
  // exit signal) stores it approved by "auto"; kManual leaves it pending_review. .second is
  // false when it was already stored (then nothing changes, whatever its status).
  Result<std::pair<Signal, bool>> Record(Signal signal, Approval approval);

  // Decisions by a person. NotFound "no signal 99"; FailedPrecondition
  // "signal 12 is expired, not pending_review" (nothing changes).
  Status Approve(int64_t id, std::string_view by, std::string_view note);
  Status Reject(int64_t id, std::string_view by, std::string_view note);

  // approved -> failed by the engine, with the reason (not selected, size 0, missed session).
  Status Fail(int64_t id, std::string_view note);

  // Expires every pending_review signal whose review cut-off is at or before the clock's time
  // (decided_by "expiry"). The cut-off of a signal is its execute_on session at the strategy's
  // review_cutoff (exchange-local), through `cal`. With `mine`, only the signals of the
  // strategies it accepts (those trading on `cal`). Returns how many expired.
  Result<int> ExpireDue(const calendar::ExchangeCalendar& cal,
                        const std::function<Result<bool>(std::string_view strategy)>& mine = {});

 private:
  Status Decide(int64_t id, SignalStatus from, SignalStatus to, std::string_view by,
                std::string_view note);

  ports::Store& store_;
  const ports::Clock& clock_;
  Alerts* alerts_;
};

// The review cut-off of a signal to be executed on `execute_on`: that session's date at
// `cutoff_minute_local` exchange-local time, in ns since the epoch (UTC). The local->UTC offset
// is the session's own (open - open_minute_local), so DST is handled by the calendar.
// NotFound when execute_on is not a session.
Result<int64_t> ReviewCutoffNs(const calendar::ExchangeCalendar& cal, Date execute_on,
                               int cutoff_minute_local);

}  // namespace kairos::engine
