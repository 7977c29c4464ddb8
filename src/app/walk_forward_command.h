#pragma once

#include <string>
#include <vector>

#include "app/cli.h"
#include "backtest/walk_forward.h"
#include "core/date.h"
#include "marketdata/bar_store.h"

namespace kairos::app {

// `kairos backtest NAME --sweep ... --walk-forward TRAIN:TEST[:STEP]` (docs/BACKTESTING.md
// "Walk-forward"). backtest_command.cc resolves the strategy, the range and the wiring, and
// hands them over here; `run` is its one-backtest wiring (a private store and paper broker).
struct WalkForwardRequest {
  std::string walk_forward;         // the option as given
  std::vector<std::string> sweeps;  // --sweep arguments
  std::string rank_by;
  std::string source;          // the strategy's text, placeholders included
  std::string file_name;       // for parse errors
  std::vector<Date> sessions;  // of [--from, --to]
  std::string out;             // --out; empty: print only, write no file
  const marketdata::BarStore& bars;
  backtest::BacktestRunner run;
};

// Prints one row per fold and the out-of-sample summary; with --out writes walk_forward.csv and
// the stitched run's report. Every error is reported before any file is written.
void RunWalkForwardCommand(const WalkForwardRequest& request, CliContext& ctx);

}  // namespace kairos::app
