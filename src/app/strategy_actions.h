#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/trading_tables.h"
#include "core/result.h"
#include "core/status.h"
#include "domain/strategy.h"
#include "ports/store.h"

// What `kairos strategy ...` and `kairos pnl summary` do, as functions over a store, so the CLI
// and the HTTP API run the same code. Every change writes an audit row as `actor` at `time_ns`
// (ns since the epoch, UTC) with detail {"before":…,"after":…}.
namespace kairos::app {

// name, version, enabled, approval, execution, universe, allocation, currency; by name.
// `abbreviate`: a long symbol list shows its first five and a count (the aligned table).
Result<Table> StrategiesTable(ports::Store& store, bool abbreviate);

// The stored strategy `name`; NotFound "no strategy named 'x'".
Result<StrategyRecord> GetStrategy(ports::Store& store, std::string_view name);

// Every field of a strategy as `kairos strategy show` lists them (source excluded), in order.
std::vector<std::pair<std::string, std::string>> StrategyFields(const StrategyRecord& record);

// What `kairos strategy show --format json` prints: every field, then "source" (the file text).
nlohmann::ordered_json StrategyJson(const StrategyRecord& record);

// Ok when the universe `spec` names (if any) is stored; else FailedPrecondition
// "FILE: universe 'u' does not exist (nothing stored; define it first with ...)".
Status CheckUniverseExists(ports::Store& store, const StrategySpec& spec,
                           std::string_view file_name);

struct StoredStrategy {
  StrategyRecord record;
  bool created = false;               // a new version was stored
  std::optional<int> before_version;  // the latest version before, nullopt for a new strategy
};
// Stores the checked `spec` with its file text (StrategyRepository::Import); a new version is
// audited as "strategy.import" {"before":version|null,"after":version}.
Result<StoredStrategy> StoreStrategy(ports::Store& store, const StrategySpec& spec,
                                     std::string_view source, std::string_view actor,
                                     int64_t time_ns);

// Enables or disables `name`; audited "strategy.enable" / "strategy.disable" with the flag before
// and after. Returns whether it was enabled before.
Result<bool> SetStrategyEnabled(ports::Store& store, std::string_view name, bool enabled,
                                std::string_view actor, int64_t time_ns);

struct AllocationChange {
  std::string strategy;
  Currency currency = Currency::Usd();
  int64_t before = 0, after = 0;  // minor units
};
// Sets the allocation of `name` to `amount` (decimal text in its currency, above 0, at most
// engine::kMaxAmountUnits); InvalidArgument naming the limits otherwise, nothing changed.
// Audited "strategy.allocation" {"before":"100000.00","after":"25000.00"}.
Result<AllocationChange> SetStrategyAllocation(ports::Store& store, std::string_view name,
                                               std::string_view amount, std::string_view actor,
                                               int64_t time_ns);

// The P&L rows of `strategy` ("" = all) between the dates `from` and `to` ("" = open), as the
// `--from`/`--to` options of `kairos pnl` take them; `from_name`/`to_name` name them in errors.
Result<PnlRows> LoadPnlBetween(ports::Store& store, std::string_view strategy,
                               std::string_view from, std::string_view to,
                               std::string_view from_name = "--from",
                               std::string_view to_name = "--to");

// strategy, sessions, start_equity, end_equity, net_pnl, fees, return_pct, cagr_pct,
// max_drawdown, ... exposure_pct: the metrics of each strategy of `pnl`, one row each; `none`
// stands for a metric that is not defined.
Result<Table> PnlSummaryTable(ports::Store& store, const PnlRows& pnl, std::string_view none);

}  // namespace kairos::app
