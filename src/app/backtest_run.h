#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backtest/backtest.h"
#include "calendar/calendar.h"
#include "core/result.h"
#include "domain/strategy.h"
#include "domain/universe.h"
#include "marketdata/bar_store.h"
#include "ports/store.h"

namespace kairos::app {

// One backtest as `kairos backtest` runs it, for the command and the HTTP API's backtests: the
// strategy, the market it reads (the home's bar store, read only) and the run on a private
// in-process store with the paper broker.

struct LoadedStrategy {
  StrategySpec spec;
  std::string source;    // the text as written, placeholders included
  std::string expanded;  // placeholders replaced by their defaults
  std::string file_name;
};

// `arg` as a strategy: a .toml file, else the name of a strategy imported into the home's store.
Result<LoadedStrategy> LoadStrategy(const std::string& arg, const std::filesystem::path& home);
// The strategy imported into `store` as `name`; NotFound ("no strategy named 'x'") without one.
Result<LoadedStrategy> ImportedStrategy(ports::Store& store, const std::string& name);
// A strategy from its TOML text, placeholders taking their defaults; `file_name` names it in
// errors.
Result<LoadedStrategy> StrategyFromText(std::string text, std::string file_name);

// What a run of one strategy reads.
struct RunContext {
  const marketdata::BarStore& bars;
  const calendar::ExchangeCalendar& cal;
  backtest::BacktestOptions options;
  std::optional<Universe> universe;
};

// The market of a strategy's runs: the bar store, its exchange's calendar, the sessions from
// `from` (default a year before `to`) to `to` (default, and at most, the last bar of the
// strategy's symbols; a later one is passed to `note`), and a universe it names from the home's
// store. InvalidArgument for a bad date or a range without a session.
struct BacktestMarket {
  std::unique_ptr<marketdata::BarStore> bars;
  const calendar::ExchangeCalendar* cal = nullptr;
  backtest::BacktestOptions options;
  std::vector<Date> sessions;
  std::optional<Universe> universe;
  RunContext context() const { return {*bars, *cal, options, universe}; }
};
Result<BacktestMarket> OpenBacktestMarket(const std::filesystem::path& home,
                                          const StrategySpec& spec, std::string_view from,
                                          std::string_view to,
                                          const std::function<void(const std::string&)>& note);

// One backtest with its own wiring: a private in-process store, a manual clock an hour before
// the first session's open (so the broker replays nothing earlier) and the paper broker.
Result<backtest::BacktestResult> RunOne(const RunContext& rc, const StrategySpec& spec,
                                        std::string_view source);

}  // namespace kairos::app
