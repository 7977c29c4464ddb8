#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/replay_bars.h"
#include "backtest/report.h"
#include "calendar/calendar.h"
#include "core/date.h"
#include "core/result.h"
#include "domain/strategy.h"
#include "domain/trading.h"
#include "engine/analytics.h"
#include "marketdata/bar_store.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace kairos::backtest {

// The backtest driver (docs/BACKTESTING.md): replays every session of [from, to] through the
// engine that `run-day` runs (engine::TradingDay with an OrderManager), so a backtest and paper
// trading can only differ in their wiring, never in their logic (STYLE.md #9).
//
// The caller injects the wiring: a store of its own (a fresh one, e.g. the in-memory store;
// never the live store), a broker that reads `clock` (the paper broker over the same bars), the
// clock itself (before the first session's open), the bars (read-only) and the exchange's
// calendar. Not thread-safe; one backtest per set of objects.
//
// The bars do not change during a run, so the driver answers the engine's questions about them
// from work done once (engine::MarketReader, see ReplayMarket in backtest.cc): every rule is
// scanned in range mode once per symbol and each session's answers are kept compactly, and each
// series is read once. `replay_bars`, when given, is the broker's bar source (ReplayBars over
// [from, to] of the run); it then serves the closes too, and the first rule's scan hands it the
// series it reads, so that every bar file is read once for everything.
struct BacktestWiring {
  ports::Store& store;
  ports::Broker& broker;
  ports::ManualClock& clock;
  const marketdata::BarStore& bars;
  const calendar::ExchangeCalendar& calendar;
  ReplayBars* replay_bars = nullptr;
};

struct BacktestOptions {
  Date from, to;  // sessions of the calendar, inclusive
};

struct BacktestResult {
  StrategyRecord strategy;  // as imported into the backtest store
  int sessions = 0;         // sessions replayed
  int auto_approved = 0;    // manual-approval signals the driver approved
  std::vector<DailyPnl> daily;
  std::vector<engine::StrategyFill> fills;
  std::vector<engine::Trade> trades;
  engine::Metrics metrics;
  Report report;                   // what WriteReport writes
  std::vector<std::string> notes;  // the trading day's notes (skipped symbols, refusals)
};

// Imports `spec` (with its file text) into the wiring's store and replays the sessions. The rules
// see every bar before `from` (the scan reads the bar store's history as of each session);
// orders start at `from`. Signals of a manual-approval strategy are approved by the driver after
// the session that produced them ("backtest:auto"), i.e. as a reviewer who approves everything
// before the cut-off would: the strategy is replayed with its own timing.
// Errors: InvalidArgument for from > to or a range without a session; FailedPrecondition when the
// store already holds a strategy (a backtest never runs in a used store); the session's date as
// context on an engine error.
Result<BacktestResult> RunBacktest(const BacktestWiring& wiring, const StrategySpec& spec,
                                   std::string_view source, const BacktestOptions& options);

// The report of a finished run: metrics, equity curve, monthly returns and trades, taken from the
// store of `wiring` (engine/analytics.h computes every figure; open trades are marked at the
// close of `options.to`).
Result<Report> BuildReport(const BacktestWiring& wiring, const StrategyRecord& strategy,
                           const BacktestOptions& options, const std::vector<DailyPnl>& daily,
                           const std::vector<engine::Trade>& trades,
                           const engine::Metrics& metrics);

// The metrics part of a report's summary (trades, win rate, returns, drawdown, ratios, exposure).
void SetMetrics(Summary& summary, const engine::Metrics& metrics);

// The close of `symbol` on its last bar at or before `day`, nullopt when it has none; the price
// an open trade is marked at when a run ends. Errors of BarStore::ReadColumns.
Result<std::optional<Price>> CloseOnOrBefore(const marketdata::BarStore& bars,
                                             std::string_view symbol, Date day);

}  // namespace kairos::backtest
