#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "engine/market_reader.h"
#include "engine/order_manager.h"
#include "engine/scanner.h"
#include "marketdata/bar_store.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace kairos::engine {

// One strategy's session, as the store shows it after the session ran (so a re-run reports the
// same numbers).
struct StrategySessionReport {
  std::string strategy;
  int signals = 0;   // entry signals generated on the session
  int approved = 0;  // of those, approved (auto, or by a person already)
  int pending = 0;   // of those, waiting for review
  int orders = 0;    // orders for this session (entries and exits)
  int fills = 0;     // fills on this session
  int exits = 0;     // exit signals generated on the session
  std::optional<DailyPnl> pnl;
};

// Where a TradingDay keeps its session markers (the done marker of each session and the last
// session run) in the state repository.
struct SessionMarkers {
  // Empty: "run_day.done:<date>" and "run_day.last", one calendar per store (backtests). A
  // calendar's name: "run_day.done:<NAME>:<date>" and "run_day.last:<NAME>", so that one
  // TradingDay per exchange can trade on one store, each on its own calendar.
  std::string exchange;
  // With an exchange: a keyed marker that is absent is read from the unkeyed one instead. The
  // unkeyed markers of a home were written by run-day on the calendar of its first strategy
  // (by name) before markers were keyed; only a TradingDay on that calendar may adopt them.
  bool adopt_unkeyed = false;

  std::string DoneKey(Date session) const;  // "run_day.done:NYSE:2024-03-01"
  std::string LastKey() const;              // "run_day.last:NYSE"
};

// Markers keyed by `cal`'s name (SessionMarkers::exchange).
SessionMarkers MarkersOf(const calendar::ExchangeCalendar& cal, bool adopt_unkeyed);

// Whether `session`'s done marker is stored (keyed, or adopted unkeyed).
Result<bool> SessionDone(ports::Store& store, const SessionMarkers& markers, Date session);
// The last session run (nullopt: none yet). Corruption when the stored value is not a date.
Result<std::optional<Date>> LastSessionRun(ports::Store& store, const SessionMarkers& markers);

struct SessionReport {
  Date session;
  bool already_done = false;  // the done marker was there: nothing ran
  bool halted = false;
  int expired = 0;      // pending signals expired at this session's pre-open
  int orders_sent = 0;  // Broker::Submit calls answered during the session
  // Sessions after the last one run and before this one that never ran (in order): skipped.
  std::vector<Date> skipped;
  std::vector<StrategySessionReport> strategies;  // by name
  std::vector<std::string> notes;  // skipped symbols, refused candidates, rule errors
};

class Alerts;

struct TradingDayOptions {
  SessionMarkers markers;
  // Not owned, outlives the TradingDay; nullptr (backtests): no alert. When set, signal.pending
  // and exit.stop_hit are enqueued with the signal they report (engine/alerts.h); the order
  // alerts are the OrderManager's.
  Alerts* alerts = nullptr;
};

// The trading day (ARCHITECTURE.md "A trading day"), mode-agnostic and clock-driven. A scheduler
// (paper/live) or RunSession (simulation) calls the phases in order; each one is idempotent:
// running it again (after a crash, or twice) finds its work done in the store and changes
// nothing. A phase of a session before the last completed one does nothing (with a note): the
// store has moved on, and acting on today's positions under an old date would be wrong.
//
//   PreOpen    (open - 1 min): expire pending signals past their review cut-off; turn approved
//              entry and exit signals due at this session's open into order intents (entries
//              selected and sized, engine/sizing.h) and submit them: market entries and exits as
//              tif opg, limit entries as day limits at close(decision bar) × (1 ∓ limit_offset).
//   AfterOpen  (open + 1 min): OrderManager::Sync (the fills at the open).
//   AtClose    (close - 1 min, so that cls orders reach the closing auction; the session's bar
//              is in the bar store, in simulation, or a late-enough snapshot of it): scan every
//              enabled strategy's entry rule as of the session over its universe (extras: rank and
//              the level expressions) -> signals; check exits of every open position on the close
//              (engine/exits.h) -> exit signals; same_close strategies order now (tif cls).
//   AfterClose (close + 1 min): Sync (the fills at the close); end of day: sessions_held,
//              one DailyPnl row per strategy; then the session's done marker (SessionMarkers).
//
// The steps of the daemon's jobs (kairos serve), each idempotent like the phases; a step of a
// session before the last one run does nothing. For the daemon on the paper broker to give the
// fills and P&L of RunSession, to the cent, the trading jobs call these in this order, PreOpen,
// AfterOpen and AtClose at RunSession's instants, the others anywhere in their window (a step
// after AtClose finds its work done by it and adds nothing; tests/trading_test checks this):
//   job              default instant   step
//   signals.expire   open - 2 min      ExpireSignals (PreOpen expires again, at open - 1 min)
//   orders.open      open - 1 min      PreOpen
//   orders.sync      open + 1 min      AfterOpen
//   orders.close     close - 1 min     AtClose (scan, exits, same-close orders; per strategy)
//   scan.daily       close + 20 min    ScanEntries(kDaily): finds AtClose's signals stored
//   scan.weekly      close + 25 min    ScanEntries(kWeekly), on the week's last session
//   exits.check      close + 30 min    CheckExits
//   pnl.eod          close + 40 min    AfterClose (any instant after the close and after the
//                                      three above, before the next session's signals.expire)
// AtClose stays one step: it scans, checks exits and orders strategy by strategy, and signal
// ids follow that order. With live data, AtClose at close - 1 min sees no bar of the session
// yet for next_open strategies (no signal, "no bar" notes): scan.daily, scan.weekly and
// exits.check after the session's bars are in do that work then.
//
// Choices (documented in docs and here):
// - Weekly strategies scan only on the week's last session, with the entry (and exit) rule and
//   the extras wrapped in weekly(...) (each day sees its last completed week, so on the last
//   session the week just ended is visible; no look-ahead). A rule that already uses weekly(...)
//   is scanned as written (weekly does not nest). Price exits (stop, target, trailing, max_hold)
//   are checked every session on daily closes.
// - Manual signals: execute_on is the next session for both execution modes. A manual
//   same_close signal is executed at the close of that next session (it needs a person before
//   the cut-off, which is before that session's open). Auto same_close signals execute at the
//   close of the session that produced them.
// - No entry signal is generated for a symbol the strategy holds or has a pending entry for.
// - Disabling a strategy stops scans and new entries; exits of its open positions are still
//   checked and executed, and its P&L is still written.
// - While the kill switch is on, approved entries are failed ("not ordered: kill switch on");
//   exits still become orders (they reduce exposure; OrderManager lets them pass).
// - Strategies of another exchange than the calendar's are skipped with a note; their signals
//   are neither expired nor failed here (the TradingDay of their calendar does that).
// - Missed sessions (sessions after the last one run and before this one, never run): PreOpen
//   says so (a note and one "session.skipped" audit row). An approved exit whose session passed
//   unexecuted still stands: it is ordered at this session (at the open for next_open
//   strategies, at the close for same_close ones) while its position is open, with a note and
//   an "exit.overdue" audit row; a stop that was hit closes the position even when the price
//   came back. An approved entry whose session passed fails ("not executed: its session ...
//   passed"): buying later than decided, at another price, is a new decision nobody made.
//
// Kept between sessions (so a long replay does no work proportional to its history per
// session): compiled rules, each strategy's FIFO replay of its fills (only the fills since the
// last session replayed are read; a position that disagrees with the replay makes it rebuilt
// from the store) and the entry signal of each open position. A new TradingDay starts afresh.
class TradingDay {
 public:
  // `market` (not owned, outlives this) replaces the default StoreMarketReader over `bars`.
  TradingDay(ports::Store& store, ports::Broker& broker, const ports::Clock& clock,
             const marketdata::BarStore& bars, const calendar::ExchangeCalendar& cal,
             OrderManager& orders, MarketReader* market = nullptr,
             const TradingDayOptions& options = {});
  ~TradingDay();

  Status PreOpen(Date session);
  Status AfterOpen(Date session);
  Status AtClose(Date session);
  Status AfterClose(Date session);

  // Expires the pending signals of this calendar's strategies whose review cut-off is at or
  // before the clock's time (PreOpen's first step). Returns how many expired.
  Result<int> ExpireSignals(Date session);
  // Scans the entry rules of the enabled strategies of `timeframe` as of `session` (weekly ones
  // on the week's last session only) -> signals, as AtClose does.
  Status ScanEntries(Date session, Timeframe timeframe);
  // Checks the exits of every open position on `session`'s close -> exit signals, as AtClose
  // does (orders for them are made by AtClose or the next PreOpen).
  Status CheckExits(Date session);

  // Signals expired and orders answered by the broker since construction or the last call.
  struct Counts {
    int expired = 0;
    int orders_sent = 0;
  };
  Counts TakeCounts();

  // Advances `clock` (the one this TradingDay and the broker read) through the four phases of
  // `session`. Does nothing but report when the session's done marker is stored. Refuses a
  // session before the last one run (time does not go back): FailedPrecondition. A day that is
  // not a session is InvalidArgument ("2024-07-04 is not a NYSE session (Independence Day)").
  // Runs a session after missed ones too (report.skipped lists them); a driver that can replay
  // them runs MissedSessions(...) first.
  Result<SessionReport> RunSession(ports::ManualClock& clock, Date session);

  // What the store holds about `session` (the per-strategy numbers of SessionReport).
  Result<SessionReport> Report(Date session);

  // Notes gathered since construction (or the last TakeNotes).
  std::vector<std::string> TakeNotes();

  // The unkeyed markers (SessionMarkers with no exchange).
  static std::string DoneKey(Date session);  // "run_day.done:2024-03-01"
  static constexpr std::string_view kLastSessionKey = "run_day.last";

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The sessions of `cal` after the last one run on `store` (LastSessionRun of `markers`) and
// before `session` that never ran, in order: empty when none ran yet or `session` is not after
// the last one. InvalidArgument when `session` is not a session (the message of RunSession).
Result<std::vector<Date>> MissedSessions(ports::Store& store, const calendar::ExchangeCalendar& cal,
                                         Date session, const SessionMarkers& markers = {});

}  // namespace kairos::engine
