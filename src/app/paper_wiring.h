#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sim_broker/paper_broker.h"
#include "calendar/calendar.h"
#include "core/fixed_point.h"
#include "core/result.h"
#include "engine/alerts.h"
#include "engine/order_manager.h"
#include "engine/store_bar_source.h"
#include "engine/trading_day.h"
#include "marketdata/bar_store.h"
#include "ports/bar_source.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace kairos::app {

// Paper mode wiring (ARCHITECTURE.md "Three modes"): the engine over the SQLite store under the
// kairos home, the bar store under the home, and the paper broker. Only app/ knows this.

// How a command uses the trading store.
enum class Access {
  kRead,   // listings: nothing is written, so they work on a read-only home
  kWrite,  // commands that change the ledger, strategies or state
};

// HOME/kairos.db, the one way the CLI opens it. kWrite creates and migrates it when needed;
// kRead opens it read only (adapters::sqlite::StoreOptions::read_only), and a home without a
// database reads as an empty one (an in-memory store), so a listing creates no file.
// REQUIRES: `home` exists (CliContext::Home).
Result<std::unique_ptr<ports::Store>> OpenTradingStore(const std::filesystem::path& home,
                                                       Access access);
// HOME/kairos.db for the job history of `kairos serve --simulate`, which claims and finishes
// thousands of runs a simulated year: committed without an fsync each (synchronous=NORMAL in
// WAL: a power cut may lose the last runs, a crash of the process none).
Result<std::unique_ptr<ports::Store>> OpenSimulationStore(const std::filesystem::path& home);

// State keys of the paper wiring in the state repository.
inline constexpr std::string_view kPaperBrokerKey = "paper_broker";   // PaperBroker::StateJson
inline constexpr std::string_view kPaperClockKey = "paper.clock_ns";  // simulated time reached

struct PaperOptions {
  // Where the simulated clock starts when nothing was run before (ns since the epoch, UTC); the
  // stored paper.clock_ns wins when later.
  int64_t start_ns = 0;
  double max_participation = 0;  // the paper broker's volume cap (0 = none)
};

// Everything a trading command needs, wired together. Members are destroyed in reverse order.
struct PaperSession {
  std::filesystem::path home;
  std::unique_ptr<ports::Store> store;
  std::unique_ptr<marketdata::BarStore> bars;
  const calendar::ExchangeCalendar* calendar = nullptr;
  // The trading day's session markers: keyed by the calendar's name, adopting the unkeyed ones
  // a home holds from before (engine::SessionMarkers: they are this calendar's).
  engine::SessionMarkers markers;
  std::vector<StrategyRecord> strategies;  // as stored when the session was opened
  Currency currency = Currency::Usd();     // of the first strategy
  int64_t starting_cash = 0;               // sum of the allocations (a new paper account)
  std::unique_ptr<ports::ManualClock> clock;
  std::unique_ptr<engine::StoreBarSource> bar_source;
  std::unique_ptr<sim_broker::PaperBroker> broker;
  // Paper trading tells a person what happens (the outbox), on the simulated clock.
  std::unique_ptr<engine::Alerts> alerts;
  std::unique_ptr<engine::OrderManager> orders;
  std::unique_ptr<engine::TradingDay> day;

  // Builds the clock, the paper broker, the order manager and the trading day (see OpenPaper).
  Status StartBroker(const PaperOptions& options);
  // Stores the clock's time under kPaperClockKey (after a run).
  Status SaveClock();
};

// Opens the store and the bar store under `home` and picks the calendar from the strategies (the
// first strategy's exchange; NYSE when there is none). StartBroker then builds the paper broker
// (separately, because its start time depends on the sessions to run): restored from
// the state key "paper_broker" when present, else new (starting cash = the sum of the
// allocations), its state persisted under that key after every change. Each order's fees and
// slippage come from the strategy that placed it (the stored order's strategy field, latest
// version of that strategy); an order the store does not know pays none.
Result<std::unique_ptr<PaperSession>> OpenPaper(const std::filesystem::path& home);

// Ok when the allocations and amounts of every stored strategy are within the limit an imported
// file must meet (engine::kMaxAmountUnits); else FailedPrecondition naming the strategy, so a
// value stored before the limit existed stops a run before it starts instead of an overflow
// check aborting it midway (run-day calls it; halt does not, a kill switch must always work).
Status CheckStoredAmounts(const std::vector<StrategyRecord>& strategies);

}  // namespace kairos::app
